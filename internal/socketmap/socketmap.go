// Package socketmap serves Postfix's socketmap lookup protocol
// (socketmap_table(5)): over a stream connection the client sends
// requests "name <space> key", the server answers each with "OK <data>",
// "NOTFOUND ", "TEMP <reason>" or "PERM <reason>", every message one
// netstring ("<length>:<bytes>,"). Postfix keeps a connection open for
// many lookups, so a connection serves requests until the client closes
// it, sends something that is not a netstring, or stays idle too long.
package socketmap

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxMessage is the longest request or reply, without the netstring
// framing: Postfix's own bound on replies.
const MaxMessage = 100000

// Defaults of Server's timeouts.
const (
	DefaultIdleTimeout   = 5 * time.Minute
	DefaultLookupTimeout = 10 * time.Second
)

// ErrNotFound is what a Lookup returns for a key the map does not hold.
var ErrNotFound = errors.New("socketmap: not found")

// PermanentError is a Lookup error the client must not retry (a PERM
// reply); any other error is a TEMP reply.
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return "socketmap: " + e.Reason }

// Lookup answers one request: the value of key in the named map,
// ErrNotFound, a *PermanentError, or any other error for a temporary
// failure.
type Lookup func(ctx context.Context, name, key string) (string, error)

// Server serves the protocol on listeners.
type Server struct {
	Lookup Lookup
	Log    *slog.Logger // nil discards
	// IdleTimeout closes a connection with no request for that long;
	// LookupTimeout bounds one Lookup. Zero means the defaults.
	IdleTimeout   time.Duration
	LookupTimeout time.Duration

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	lns    []net.Listener
	closed bool
	wg     sync.WaitGroup
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("socketmap: server closed")

// Serve accepts connections on ln until Close, serving each in its own
// goroutine.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	for {
		conn, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		if !s.track(conn) {
			conn.Close()
			return ErrServerClosed
		}
		s.wg.Go(func() {
			defer s.untrack(conn)
			s.serveConn(conn)
		})
	}
}

// Close stops the listeners, closes every connection and waits for their
// goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, ln := range s.lns {
		ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.conns == nil {
		s.conns = map[net.Conn]struct{}{}
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func (s *Server) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Server) serveConn(conn net.Conn) {
	idle, lookupTimeout := s.IdleTimeout, s.LookupTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	if lookupTimeout <= 0 {
		lookupTimeout = DefaultLookupTimeout
	}
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(idle))
		req, err := ReadNetstring(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isTimeout(err) {
				s.log().Warn("socketmap: closing a connection that sent a malformed request", "remote", conn.RemoteAddr().String(), "error", err)
			}
			return
		}
		reply := s.answer(req, lookupTimeout)
		_ = conn.SetWriteDeadline(time.Now().Add(lookupTimeout))
		if err := WriteNetstring(w, reply); err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			return
		}
	}
}

// answer is the reply to one request.
func (s *Server) answer(req string, timeout time.Duration) string {
	name, key, ok := strings.Cut(req, " ")
	if !ok || name == "" || key == "" {
		return "PERM request must be <name> <space> <key>"
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	value, err := s.Lookup(ctx, name, key)
	var perm *PermanentError
	switch {
	case err == nil:
		if len(value)+3 > MaxMessage {
			s.log().Error("socketmap: reply too long for Postfix", "map", name, "bytes", len(value))
			return "PERM reply too long"
		}
		return "OK " + value
	case errors.Is(err, ErrNotFound):
		return "NOTFOUND "
	case errors.As(err, &perm):
		return "PERM " + oneLine(perm.Reason)
	default:
		s.log().Error("socketmap: lookup failed", "map", name, "error", err)
		return "TEMP lookup failed; try again"
	}
}

func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 512 {
		s = s[:512]
	}
	return s
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// ErrMalformed wraps every reason ReadNetstring refuses its input.
var ErrMalformed = errors.New("socketmap: malformed netstring")

// ReadNetstring reads one netstring of at most MaxMessage bytes.
func ReadNetstring(r *bufio.Reader) (string, error) {
	var n int
	digits := 0
	for {
		b, err := r.ReadByte()
		if err != nil {
			if digits > 0 && errors.Is(err, io.EOF) {
				return "", fmt.Errorf("%w: ends inside the length", ErrMalformed)
			}
			return "", err
		}
		if b == ':' && digits > 0 {
			break
		}
		if b < '0' || b > '9' || (digits > 0 && n == 0) {
			return "", fmt.Errorf("%w: the length is not a decimal number", ErrMalformed)
		}
		n = n*10 + int(b-'0')
		digits++
		if n > MaxMessage {
			return "", fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxMessage)
		}
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", fmt.Errorf("%w: ends early: %v", ErrMalformed, err)
	}
	if buf[n] != ',' {
		return "", fmt.Errorf("%w: no ',' after %d bytes", ErrMalformed, n)
	}
	return string(buf[:n]), nil
}

// WriteNetstring writes s as one netstring.
func WriteNetstring(w io.Writer, s string) error {
	_, err := io.WriteString(w, strconv.Itoa(len(s))+":"+s+",")
	return err
}
