package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/policy"
	"github.com/workmaild/workmaild/internal/service"
)

// Mail-client logins: the decision a mail server's password database asks
// for (the Dovecot passdb of docs/mail.md), made as WorkMail's IMAP and
// SMTP endpoints make it.
type (
	// LoginRequest is one login: name, secret, protocol, client address.
	LoginRequest = service.LoginRequest
	// Login is an accepted login.
	Login = service.Login
	// LoginRefusal says why a login is refused; Login's refusals wrap one.
	LoginRefusal = service.LoginRefusal
	// LoginLimits bound repeated login failures (Options.LoginLimits).
	LoginLimits = service.LoginLimits
)

// Why a login is refused; compare with errors.Is.
const (
	RefusedUnknownUser       = service.RefusedUnknownUser
	RefusedWrongSecret       = service.RefusedWrongSecret
	RefusedTokenExpired      = service.RefusedTokenExpired
	RefusedTokensInactive    = service.RefusedTokensInactive
	RefusedTokenScope        = service.RefusedTokenScope
	RefusedUserDisabled      = service.RefusedUserDisabled
	RefusedUserNotLinked     = service.RefusedUserNotLinked
	RefusedDirectoryPassword = service.RefusedDirectoryPassword
	RefusedByRule            = service.RefusedByRule
	RefusedTooManyFailures   = service.RefusedTooManyFailures
)

// The defaults of LoginLimits.
const (
	DefaultLoginFailuresPerName = service.DefaultLoginFailuresPerName
	DefaultLoginFailuresPerIP   = service.DefaultLoginFailuresPerIP
	DefaultLoginFailureWindow   = service.DefaultLoginFailureWindow
)

// Login decides a mail-client login. A refusal wraps a LoginRefusal; a
// request that cannot be decided wraps service.ErrInvalidLogin; any other
// error is the store's, a temporary failure.
func (s *Server) Login(ctx context.Context, q LoginRequest) (Login, error) {
	return s.service.Login(ctx, q)
}

// LoginsPath is the login endpoint.
const LoginsPath = InternalPrefix + "logins"

// loginRequest is the body of POST /_workmaild/logins. Service is the mail
// server's name for the protocol (Dovecot's %s).
type loginRequest struct {
	User     string
	Secret   string
	Service  string
	RemoteIp string
}

type loginResponse struct {
	Result         string
	Method         service.LoginMethod
	UserId         string
	Email          string
	OrganizationId string
	Account        string
	Region         string
	// Mailbox is the user's mailbox address (see MailLookup): the name
	// the mail server logs the user in under, so that its mailbox is the
	// one mail is delivered to.
	Mailbox string
}

// loginProtocols maps mail servers' service names to access control
// actions. WorkMail offers IMAP and SMTP to mail clients; Dovecot calls SMTP
// submission "submission", Postfix calls it "smtp".
var loginProtocols = map[string]string{
	"imap":       policy.ActionIMAP,
	"submission": policy.ActionSMTP,
	"smtp":       policy.ActionSMTP,
}

// errInvalidLogin is the code of a login request that cannot be decided.
const errInvalidLogin = "InvalidLoginRequest"

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if !readInternal(w, r, &in) {
		return
	}
	protocol, ok := loginProtocols[strings.ToLower(in.Service)]
	if !ok {
		writeInternalError(w, http.StatusBadRequest, errInvalidLogin, "Service must be imap, submission or smtp, not "+quoteShort(in.Service)+".")
		return
	}
	var ip netip.Addr
	if in.RemoteIp != "" {
		var err error
		if ip, err = netip.ParseAddr(in.RemoteIp); err != nil {
			writeInternalError(w, http.StatusBadRequest, errInvalidLogin, "RemoteIp "+quoteShort(in.RemoteIp)+" is not an IP address.")
			return
		}
	}
	q := LoginRequest{Name: in.User, Secret: in.Secret, Protocol: protocol, IP: ip}
	login, err := s.Login(r.Context(), q)
	var refusal LoginRefusal
	switch {
	case err == nil:
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "mail login accepted", append(q.LogAttrs(),
			slog.String("method", string(login.Method)), slog.String("organization", login.OrganizationID), slog.String("user", login.UserID))...)
		writeInternal(w, http.StatusOK, loginResponse{
			Result: "OK", Method: login.Method, UserId: login.UserID, Email: login.Email,
			OrganizationId: login.OrganizationID, Account: login.Account, Region: login.Region,
			Mailbox: service.MailboxRef{Account: login.Account, Region: login.Region, OrganizationID: login.OrganizationID, EntityID: login.UserID}.Address(),
		})
	case errors.As(err, &refusal):
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "mail login refused", append(q.LogAttrs(),
			slog.String("reason", string(refusal)), slog.String("detail", err.Error()))...)
		writeInternalError(w, http.StatusForbidden, string(refusal), refusalMessage(refusal))
	case errors.Is(err, service.ErrInvalidLogin):
		writeInternalError(w, http.StatusBadRequest, errInvalidLogin, err.Error())
	default:
		s.log.Error("mail login failed", append(attrsAny(q.LogAttrs()), "error", err)...)
		status, code := http.StatusInternalServerError, string(model.ErrInternalFailure)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			status = http.StatusServiceUnavailable
		}
		writeInternalError(w, status, code, "The login could not be decided now; try again.")
	}
}

// refusalMessage is what the mail server may show: it names the reason,
// never which part of the directory it came from.
func refusalMessage(r LoginRefusal) string {
	switch r {
	case RefusedTokenExpired:
		return "The personal access token has expired."
	case RefusedTokensInactive:
		return "Personal access tokens are not active in this organization."
	case RefusedUserDisabled:
		return "The user is not enabled."
	case RefusedByRule:
		return "An access control rule denies this login."
	case RefusedDirectoryPassword:
		return "This organization signs in with its identity provider: use a personal access token."
	case RefusedTokenScope:
		return "The personal access token does not allow this protocol."
	case RefusedUserNotLinked:
		return "The user is not linked to the identity provider."
	case RefusedTooManyFailures:
		return "Too many failed logins; try again later."
	}
	return "Authentication failed."
}

// quoteShort quotes a client's value for a message, cut to 64 bytes.
func quoteShort(v string) string {
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	return strconv.Quote(strings.ToValidUTF8(v, "?"))
}

func attrsAny(attrs []slog.Attr) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = a
	}
	return out
}
