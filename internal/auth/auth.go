// Package auth decides who a request comes from: the account and region
// whose state it may touch. Lenient (the default) reads the SigV4
// credential scope without verifying the signature; Strict verifies every
// signature against configured credentials with the AWS SDK's own signer.
// AdminGuard protects workmaild's internal endpoints.
package auth

import (
	"context"
	"errors"
	"net/http"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/sigv4"
)

// DefaultAccount is the account used for access keys that are not a
// 12-digit account id (LocalStack's convention).
const DefaultAccount = "000000000000"

// Principal is the authenticated caller.
type Principal struct {
	AccessKeyID string
	Account     string
	Region      string
}

// Authenticator authenticates one request. body is the whole request body,
// which strict verification hashes. Errors are *model.Error values with a
// protocol error code (MissingAuthenticationToken, IncompleteSignature,
// UnrecognizedClient, InvalidSignature).
type Authenticator interface {
	Authenticate(r *http.Request, body []byte) (Principal, error)
}

// Lenient accepts any well-formed signature without verifying it.
type Lenient struct {
	// DefaultAccount receives keys that are not 12-digit account ids;
	// empty means the package's DefaultAccount.
	DefaultAccount string
}

// Authenticate implements Authenticator.
func (l Lenient) Authenticate(r *http.Request, _ []byte) (Principal, error) {
	sig, err := Parse(r)
	if err != nil {
		return Principal{}, err
	}
	account := l.DefaultAccount
	if account == "" {
		account = DefaultAccount
	}
	if IsAccountID(sig.AccessKeyID) {
		account = sig.AccessKeyID
	}
	return Principal{AccessKeyID: sig.AccessKeyID, Account: account, Region: sig.Region}, nil
}

// Parse reads the request's signature and turns parse failures into the
// protocol errors AWS sends for them.
func Parse(r *http.Request) (sigv4.Signature, error) {
	sig, err := sigv4.FromRequest(r.Header.Get("Authorization"), r.URL.Query())
	if err == nil {
		return sig, nil
	}
	var malformed *sigv4.MalformedError
	switch {
	case errors.Is(err, sigv4.ErrMissing):
		return sig, model.ErrMissingAuthenticationToken.Errorf("Missing Authentication Token")
	case errors.As(err, &malformed):
		return sig, model.ErrIncompleteSignature.Errorf("%s", malformed.Reason)
	default:
		return sig, model.ErrIncompleteSignature.Errorf("%v", err)
	}
}

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal stored by NewContext.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
