package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// TokenErrorCode says why a token cannot be issued or is not valid. Errors
// from IssueToken and CheckToken wrap one (compare with errors.Is), or are
// a *model.Error for an unknown or inactive organization or user.
type TokenErrorCode string

func (c TokenErrorCode) Error() string { return string(c) }

const (
	// ErrInvalidTokenRequest: a name, scope, lifetime or partition is not acceptable.
	ErrInvalidTokenRequest TokenErrorCode = "InvalidTokenRequest"
	// ErrNoIdentityProvider: the organization has no identity-provider configuration.
	ErrNoIdentityProvider TokenErrorCode = "NoIdentityProviderConfiguration"
	// ErrTokenInactive: personal access tokens are INACTIVE in the
	// organization, or it no longer has an identity-provider configuration.
	ErrTokenInactive TokenErrorCode = "PersonalAccessTokensInactive"
	// ErrUserNotLinked: the user has no IdentityProviderUserId.
	ErrUserNotLinked TokenErrorCode = "UserNotLinked"
	// ErrUserDisabled: the user is not ENABLED (registered to WorkMail).
	ErrUserDisabled TokenErrorCode = "UserNotEnabled"
	// ErrTokenExpired: the token's ExpiresTime has passed.
	ErrTokenExpired TokenErrorCode = "TokenExpired"
	// ErrTokenUnknown: no token of this user has this secret.
	ErrTokenUnknown TokenErrorCode = "TokenUnknown"
)

// SecretPrefix starts every token secret, so that leaked secrets are easy
// to recognise (by scanners, and in this project's own log tests).
const SecretPrefix = "wmpat_"

// secretBytes is the entropy of a secret: 256 bits.
const secretBytes = 32

// TokenRequest asks for a new personal access token.
type TokenRequest struct {
	Account, Region, OrganizationID string
	User                            string // id, name or email
	Name                            string
	Scopes                          []string
	// ExpiresIn is the token's lifetime; 0 means the organization's
	// configured lifetime, which it must not exceed.
	ExpiresIn time.Duration
}

// IssuedToken is a new token. Secret is shown here once and never again.
type IssuedToken struct {
	ID, Secret               string
	DateCreated, ExpiresTime time.Time
}

// TokenCheck asks whether Secret is a valid token of User now.
type TokenCheck struct {
	Account, Region, OrganizationID string
	User                            string // id, name or email
	Secret                          string
}

// TokenInfo describes a token that passed CheckToken.
type TokenInfo struct {
	ID, UserID, Name                       string
	Scopes                                 []string
	DateCreated, ExpiresTime, DateLastUsed time.Time
}

// IssueToken creates a token for an ENABLED user linked to Identity Center
// in an organization whose personal access tokens are ACTIVE.
func (s *Service) IssueToken(ctx context.Context, req TokenRequest) (*IssuedToken, error) {
	if err := checkTokenRequest(req); err != nil {
		return nil, err
	}
	raw := make([]byte, secretBytes)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("service: token secret: %w", err)
	}
	secret := SecretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	hash := sha256.Sum256([]byte(secret))
	t := &token{ID: s.ids.UUID(), Name: req.Name, Scopes: req.Scopes, SecretHash: hash[:], CreatedAt: s.now()}
	o := orgRef{store.Partition{Account: req.Account, Region: req.Region}, req.OrganizationID}
	err := s.updateIn(ctx, o.Partition, func(tx store.Tx) error {
		cfg, u, err := s.tokenOwner(tx, o, req.User)
		if err != nil {
			return err
		}
		lifetime := time.Duration(cfg.lifetimeDays()) * 24 * time.Hour
		if req.ExpiresIn > lifetime {
			return fmt.Errorf("%w: ExpiresIn %s exceeds the organization's token lifetime of %d days", ErrInvalidTokenRequest, req.ExpiresIn, cfg.lifetimeDays())
		}
		if req.ExpiresIn > 0 {
			lifetime = req.ExpiresIn
		}
		t.UserID, t.ExpiresAt = u.ID, t.CreatedAt.Add(lifetime)
		return personalAccessTokens.insert(tx, o, t)
	})
	if err != nil {
		return nil, err
	}
	return &IssuedToken{ID: t.ID, Secret: secret, DateCreated: t.CreatedAt, ExpiresTime: t.ExpiresAt}, nil
}

// tokenOwner returns the configuration and the user for issuing a token,
// or the reason the user may not have one.
func (s *Service) tokenOwner(r store.Reader, o orgRef, ident string) (*identityProviderConfig, *user, error) {
	orgID := o.ID
	if _, err := s.activeOrganization(r, o); err != nil {
		return nil, nil, err
	}
	cfg, err := identityProviders.get(r, o, "")
	if err != nil {
		return nil, nil, err
	}
	if cfg == nil {
		return nil, nil, fmt.Errorf("%w: organization %s has no identity-provider configuration", ErrNoIdentityProvider, orgID)
	}
	if cfg.TokenStatus != string(model.PersonalAccessTokenConfigurationStatusActive) {
		return nil, nil, fmt.Errorf("%w: personal access tokens are %s in organization %s", ErrTokenInactive, cfg.TokenStatus, orgID)
	}
	u, err := s.resolveUser(r, o, ident)
	if err != nil {
		return nil, nil, err
	}
	if err := usable(u); err != nil {
		return nil, nil, err
	}
	return cfg, u, nil
}

// usable is nil when u may hold and use tokens.
func usable(u *user) error {
	if u.State != userEnabled {
		return fmt.Errorf("%w: user %s is %s", ErrUserDisabled, u.ID, u.State)
	}
	if u.IdPUserID == "" {
		return fmt.Errorf("%w: user %s has no IdentityProviderUserId", ErrUserNotLinked, u.ID)
	}
	return nil
}

// checkTokenRequest applies the model's constraints on token names and
// scopes (PersonalAccessTokenName, PersonalAccessTokenScopeList).
func checkTokenRequest(req TokenRequest) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidTokenRequest}, args...)...)
	}
	if err := checkPartition(req.Account, req.Region); err != nil {
		return err
	}
	switch {
	case req.OrganizationID == "" || req.User == "":
		return bad("OrganizationId and User are required")
	case !tokenText(req.Name, 64):
		return bad("Name must be 1 to 64 characters, without control characters, '<', '>' or '\\'")
	case len(req.Scopes) < 1 || len(req.Scopes) > 10:
		return bad("1 to 10 scopes are required, got %d", len(req.Scopes))
	case req.ExpiresIn < 0:
		return bad("ExpiresIn must not be negative")
	}
	for _, sc := range req.Scopes {
		if !tokenText(sc, 256) {
			return bad("each scope must be 1 to 256 characters, without control characters, '<', '>' or '\\'")
		}
	}
	return nil
}

// checkPartition accepts a 12-digit account id and a region, as the API's
// callers have them.
func checkPartition(account, region string) error {
	if !auth.IsAccountID(account) || region == "" || strings.ContainsRune(region, 0) {
		return fmt.Errorf("%w: Account must be a 12-digit account id and Region a region", ErrInvalidTokenRequest)
	}
	return nil
}

// tokenText reports whether s matches [^\x00-\x1F\x7F<>\\]{1,max}.
func tokenText(s string, max int) bool {
	n := utf8.RuneCountInString(s)
	if n < 1 || n > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '<' || r == '>' || r == '\\' {
			return false
		}
	}
	return true
}
