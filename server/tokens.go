package server

import (
	"context"

	"github.com/workmaild/workmaild/internal/service"
)

// Personal access tokens have no WorkMail API for creation: mailbox users
// make them in the web application. These methods are workmaild's own way
// to issue them and to check a secret, used by the internal endpoints, the
// CLI and the workmailtest package.
type (
	// TokenRequest asks for a new token: Account and Region select the
	// partition, User is a user id, name or email, ExpiresIn 0 means the
	// organization's configured lifetime (which it must not exceed).
	TokenRequest = service.TokenRequest
	// IssuedToken is a new token; its Secret is never shown again.
	IssuedToken = service.IssuedToken
	// TokenCheck asks whether a secret is a valid token of a user now.
	TokenCheck = service.TokenCheck
	// TokenInfo describes a token that passed CheckToken.
	TokenInfo = service.TokenInfo
	// TokenErrorCode is wrapped by the errors of IssueToken and CheckToken.
	TokenErrorCode = service.TokenErrorCode
)

// Why a token cannot be issued or is not valid; compare with errors.Is.
// Unknown or inactive organizations and unknown users are *model.Error
// values with the WorkMail error code.
const (
	ErrInvalidTokenRequest = service.ErrInvalidTokenRequest
	ErrNoIdentityProvider  = service.ErrNoIdentityProvider
	ErrTokenInactive       = service.ErrTokenInactive
	ErrUserNotLinked       = service.ErrUserNotLinked
	ErrUserDisabled        = service.ErrUserDisabled
	ErrTokenExpired        = service.ErrTokenExpired
	ErrTokenUnknown        = service.ErrTokenUnknown
)

// IssueToken creates a personal access token and returns its secret, once.
// Only a SHA-256 hash of the secret is stored. It is refused when the
// organization has no identity-provider configuration
// (ErrNoIdentityProvider), its tokens are INACTIVE (ErrTokenInactive), or
// the user is not ENABLED (ErrUserDisabled) or has no
// IdentityProviderUserId (ErrUserNotLinked), as in WorkMail.
func (s *Server) IssueToken(ctx context.Context, req TokenRequest) (*IssuedToken, error) {
	return s.service.IssueToken(ctx, req)
}

// CheckToken reports whether a secret is a valid token of a user now,
// honouring the token's expiry, the organization's token status and the
// user's state and link; a success updates the token's DateLastUsed.
func (s *Server) CheckToken(ctx context.Context, c TokenCheck) (TokenInfo, error) {
	return s.service.CheckToken(ctx, c)
}
