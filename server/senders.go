package server

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-milter"

	"github.com/workmaild/workmaild/internal/service"
)

// Header senders: what a logged-in user may put in a message's From and
// Sender headers, checked by `workmaild serve --milter-addr` as a Postfix
// milter on submission. The envelope sender is checked by Postfix itself
// (MapSenders); the headers are what mail clients show.

// ErrSenderRefused is wrapped by CheckHeaderSenders when a header names an
// address the user may not use.
var ErrSenderRefused = errors.New("sender refused")

// CheckHeaderSenders decides whether the user logged in as login (its
// mailbox address) may submit a message with these From and Sender
// header addresses:
//
//   - each From address is one the user may send as (its own, or one it
//     holds SEND_AS on), or one it holds SEND_ON_BEHALF on, when the Sender
//     is one it may send as;
//   - each Sender address is one it may send as.
//
// A refusal wraps ErrSenderRefused; any other error is the store's.
func (s *Server) CheckHeaderSenders(ctx context.Context, login string, from, sender []string) error {
	login = strings.ToLower(login)
	mayAs := func(address string) (bool, error) { return s.holds(ctx, s.service.Senders, address, login) }
	for _, a := range sender {
		ok, err := mayAs(a)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: Sender %s is not an address you may send as", ErrSenderRefused, a)
		}
	}
	for _, a := range from {
		ok, err := mayAs(a)
		if err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		onBehalf, err := s.holds(ctx, s.service.OnBehalfSenders, a, login)
		switch {
		case err != nil:
			return err
		case onBehalf && len(sender) == 0:
			return fmt.Errorf("%w: From %s needs a Sender header with your own address (SEND_ON_BEHALF)", ErrSenderRefused, a)
		case !onBehalf:
			return fmt.Errorf("%w: From %s is not an address you may send as or on behalf of", ErrSenderRefused, a)
		}
	}
	return nil
}

// holds reports whether login is among the mailboxes lookup answers for
// address.
func (s *Server) holds(ctx context.Context, lookup func(context.Context, string) ([]service.MailboxRef, error), address, login string) (bool, error) {
	ms, err := lookup(ctx, address)
	if errors.Is(err, service.ErrNoRoute) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ms, func(m service.MailboxRef) bool { return m.Address() == login }), nil
}

// MilterServer is a Postfix milter (protocol 6) that refuses, at the end
// of a submitted message's headers, one whose From or Sender the logged-in
// user may not use (CheckHeaderSenders): 550 5.7.1. Mail without a login
// (incoming) passes unchecked; a store that does not answer is a temporary
// failure.
type MilterServer struct {
	m *milter.Server
	// IdleTimeout closes a connection that sends nothing for that long;
	// 0 means DefaultMilterIdleTimeout.
	IdleTimeout time.Duration
}

// DefaultMilterIdleTimeout is MilterServer's IdleTimeout by default:
// Postfix keeps a milter connection for an SMTP session, whose commands
// are at most smtpd_timeout (300 s) apart.
const DefaultMilterIdleTimeout = 10 * time.Minute

// NewMilterServer returns the milter of s; Serve it on listeners.
func (s *Server) NewMilterServer() *MilterServer {
	return &MilterServer{m: &milter.Server{
		NewMilter: func() milter.Milter { return &senderMilter{srv: s} },
		Protocol: milter.OptNoConnect | milter.OptNoHelo | milter.OptNoRcptTo | milter.OptNoBody |
			milter.OptNoData | milter.OptNoUnknown,
	}}
}

// Serve serves the milter on ln until Close.
func (ms *MilterServer) Serve(ln net.Listener) error {
	idle := ms.IdleTimeout
	if idle <= 0 {
		idle = DefaultMilterIdleTimeout
	}
	return ms.m.Serve(quickAckListener{ln, idle})
}

// Close stops the listeners.
func (ms *MilterServer) Close() error { return ms.m.Close() }

// quickAckListener's connections acknowledge what they read at once.
// Postfix sends some milter packets that want no reply (macros) just
// before one that does; with Nagle's algorithm on Postfix's side
// and delayed acknowledgements on ours, that one would wait about 40 ms.
// Its connections also time out when idle.
type quickAckListener struct {
	net.Listener
	idle time.Duration
}

func (l quickAckListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok && err == nil {
		return &quickAckConn{tc, l.idle}, nil
	}
	return c, err
}

type quickAckConn struct {
	*net.TCPConn
	idle time.Duration
}

func (c *quickAckConn) Read(b []byte) (int, error) {
	_ = c.SetReadDeadline(time.Now().Add(c.idle))
	n, err := c.TCPConn.Read(b)
	setQuickAck(c.TCPConn) // Linux turns it off again after a while
	return n, err
}

// milterCheckTimeout bounds one message's check, well within Postfix's
// milter_command_timeout (30 s): past it the message is a temporary
// failure.
const milterCheckTimeout = 10 * time.Second

// senderMilter is one Postfix connection's milter: it may carry several
// messages, each starting at MAIL FROM.
type senderMilter struct {
	milter.NoOpMilter
	srv          *Server
	login        string   // the SASL login of the current message, or ""
	from, sender []string // its From and Sender header values
}

func (f *senderMilter) MailFrom(_ string, m *milter.Modifier) (milter.Response, error) {
	f.login, f.from, f.sender = m.Macros["{auth_authen}"], nil, nil
	if f.login == "" {
		return milter.RespAccept, nil // not submitted by a user: nothing to check
	}
	return milter.RespContinue, nil
}

func (f *senderMilter) Header(name, value string, _ *milter.Modifier) (milter.Response, error) {
	switch textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)) {
	case "From":
		f.from = append(f.from, value)
	case "Sender":
		f.sender = append(f.sender, value)
	}
	return milter.RespContinue, nil
}

func (f *senderMilter) Headers(_ textproto.MIMEHeader, _ *milter.Modifier) (milter.Response, error) {
	from, err1 := headerAddresses(f.from)
	sender, err2 := headerAddresses(f.sender)
	if err := errors.Join(err1, err2); err != nil {
		return milter.NewResponseStr('y', "550 5.7.1 "+oneLine(err.Error())), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), milterCheckTimeout)
	defer cancel()
	err := f.srv.CheckHeaderSenders(ctx, f.login, from, sender)
	switch {
	case err == nil:
		return milter.RespAccept, nil
	case errors.Is(err, ErrSenderRefused):
		f.srv.log.Info("message refused: header sender", "login", f.login, "reason", err.Error())
		return milter.NewResponseStr('y', "550 5.7.1 "+oneLine(err.Error())), nil
	default:
		f.srv.log.Error("header sender check failed", "login", f.login, "error", err)
		return milter.RespTempFail, nil
	}
}

func (f *senderMilter) Abort(*milter.Modifier) error {
	f.login, f.from, f.sender = "", nil, nil
	return nil
}

// headerAddresses reads the addresses of From or Sender header values.
func headerAddresses(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		list, err := (&mail.AddressParser{WordDecoder: &mime.WordDecoder{}}).ParseList(v)
		if err != nil {
			return nil, fmt.Errorf("unreadable address header %q: %v", truncate(v, 100), err)
		}
		for _, a := range list {
			out = append(out, strings.ToLower(a.Address))
		}
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// oneLine keeps an SMTP reply on one line of printable ASCII.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return ' '
		}
		return r
	}, s)
}
