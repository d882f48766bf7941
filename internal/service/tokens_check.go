package service

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// CheckToken reports whether c.Secret is a valid token of c.User now and,
// if so, records the use in DateLastUsed. Only a caller holding a real
// secret learns why it is not valid (expired, inactive, user state); any
// other secret is ErrTokenUnknown.
func (s *Service) CheckToken(ctx context.Context, c TokenCheck) (TokenInfo, error) {
	var info TokenInfo
	if err := checkPartition(c.Account, c.Region); err != nil {
		return info, err
	}
	o := orgRef{store.Partition{Account: c.Account, Region: c.Region}, c.OrganizationID}
	err := s.updateIn(ctx, o.Partition, func(tx store.Tx) error {
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		u, err := s.resolveUser(tx, o, c.User)
		if errors.Is(err, model.ErrEntityNotFound) {
			return fmt.Errorf("%w: no such token for user %s", ErrTokenUnknown, c.User)
		}
		if err != nil {
			return err
		}
		t, err := matchSecret(tx, o, u.ID, c.Secret)
		if err != nil {
			return err
		}
		if err := s.tokenUsable(tx, o, u, t); err != nil {
			return err
		}
		t.LastUsedAt = s.now()
		info = TokenInfo{ID: t.ID, UserID: t.UserID, Name: t.Name, Scopes: t.Scopes,
			DateCreated: t.CreatedAt, ExpiresTime: t.ExpiresAt, DateLastUsed: t.LastUsedAt}
		return personalAccessTokens.put(tx, o, t)
	})
	return info, err
}

// matchSecret returns the user's token whose hash is the secret's. Every
// token is compared, in constant time, so timing says nothing about which
// or how much of a hash matched.
func matchSecret(r store.Reader, o orgRef, userID, secret string) (*token, error) {
	want := sha256.Sum256([]byte(secret))
	ids, err := personalAccessTokens.ids(r, o, userTokens, userID)
	if err != nil {
		return nil, err
	}
	var match *token
	for _, id := range ids {
		t, err := personalAccessTokens.get(r, o, id)
		if err != nil {
			return nil, err
		}
		if t != nil && subtle.ConstantTimeCompare(t.SecretHash, want[:]) == 1 {
			match = t
		}
	}
	if match == nil {
		return nil, fmt.Errorf("%w: no such token for user %s", ErrTokenUnknown, userID)
	}
	return match, nil
}

// tokenUsable is nil when t may be used now.
func (s *Service) tokenUsable(r store.Reader, o orgRef, u *user, t *token) error {
	if err := usable(u); err != nil {
		return err
	}
	cfg, err := identityProviders.get(r, o, "")
	if err != nil {
		return err
	}
	if cfg == nil || cfg.TokenStatus != string(model.PersonalAccessTokenConfigurationStatusActive) {
		return fmt.Errorf("%w: personal access tokens are not active in organization %s", ErrTokenInactive, o.ID)
	}
	if now := s.now(); !now.Before(t.ExpiresAt) {
		return fmt.Errorf("%w: token %s expired at %s", ErrTokenExpired, t.ID, t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}
