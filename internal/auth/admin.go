package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
)

// Errors of AdminGuard.Check.
var (
	// ErrAdminDisabled: no admin token is configured and one is required.
	ErrAdminDisabled = errors.New("auth: internal endpoints are disabled: no admin token is configured")
	// ErrAdminToken: the request's bearer token is missing or wrong.
	ErrAdminToken = errors.New("auth: missing or wrong admin token")
)

// AdminGuard protects workmaild's internal endpoints (reset, token
// issuing) with a bearer token, kept apart from the API's access keys.
type AdminGuard struct {
	// Token is the secret a caller sends as "Authorization: Bearer <Token>".
	// Empty means no token is configured.
	Token string
	// Required refuses every caller when Token is empty (strict mode);
	// otherwise an empty Token leaves the endpoints open (local use).
	Required bool
}

// Check says whether r may use an internal endpoint.
func (g AdminGuard) Check(r *http.Request) error {
	if g.Token == "" {
		if g.Required {
			return ErrAdminDisabled
		}
		return nil
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	// Comparing digests keeps the time independent of where the strings
	// differ and of the token's length.
	want := sha256.Sum256([]byte(g.Token))
	have := sha256.Sum256([]byte(strings.TrimSpace(got)))
	if !ok || subtle.ConstantTimeCompare(want[:], have[:]) != 1 {
		return ErrAdminToken
	}
	return nil
}
