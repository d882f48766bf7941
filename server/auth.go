package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/workmaild/workmaild/internal/auth"
)

// AuthMode chooses how API requests are authenticated.
type AuthMode string

const (
	// AuthLenient (the default, also the zero value "") reads the account
	// and region from the signature without verifying it: for local use.
	AuthLenient AuthMode = "lenient"
	// AuthStrict verifies every signature against Options.Credentials and
	// guards the internal endpoints with Options.AdminToken.
	AuthStrict AuthMode = "strict"
)

// Credential is an access key accepted in strict mode and the account
// its requests act in.
type Credential = auth.Credential

// ErrNoCredentials: strict mode was asked for without any credential, so
// no request could ever be accepted.
var ErrNoCredentials = errors.New("server: strict authentication needs at least one credential")

// newAuth returns the API's authenticator and the internal endpoints'
// guard for opts, and logs once which mode is in force.
func newAuth(opts Options, log *slog.Logger) (auth.Authenticator, auth.AdminGuard, error) {
	switch opts.Auth {
	case "", AuthLenient:
		log.Warn("authentication is lenient: request signatures are parsed but NOT verified, any credentials are accepted; use strict mode for a shared server")
		return auth.Lenient{DefaultAccount: opts.DefaultAccount}, auth.AdminGuard{Token: opts.AdminToken}, nil
	case AuthStrict:
		if len(opts.Credentials) == 0 {
			return nil, auth.AdminGuard{}, ErrNoCredentials
		}
		keys, err := auth.NewKeyring(opts.Credentials)
		if err != nil {
			return nil, auth.AdminGuard{}, fmt.Errorf("server: %w", err)
		}
		guard := auth.AdminGuard{Token: opts.AdminToken, Required: true}
		log.Info("authentication is strict: every request signature is verified", "access_keys", keys.Len(), "internal_endpoints", guardState(guard))
		return auth.NewStrict(keys, opts.Now), guard, nil
	}
	return nil, auth.AdminGuard{}, fmt.Errorf("server: unknown authentication mode %q (want %q or %q)", opts.Auth, AuthLenient, AuthStrict)
}

func guardState(g auth.AdminGuard) string {
	if g.Token == "" {
		return "disabled: no admin token"
	}
	return "admin token required"
}

// checkAdmin answers a request to an internal endpoint that the guard
// refuses, and reports whether it did.
func (s *Server) checkAdmin(w http.ResponseWriter, r *http.Request) (refused bool) {
	switch err := s.admin.Check(r); {
	case err == nil:
		return false
	case errors.Is(err, auth.ErrAdminDisabled):
		writeInternalError(w, http.StatusForbidden, "AccessDeniedException",
			"Internal endpoints are disabled: strict mode needs an admin token (--admin-token) to enable them.")
	default:
		w.Header().Set("WWW-Authenticate", `Bearer realm="workmaild"`)
		writeInternalError(w, http.StatusUnauthorized, "UnauthorizedException",
			"This endpoint needs the admin token: send 'Authorization: Bearer <token>'.")
	}
	return true
}
