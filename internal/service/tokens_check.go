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
	p := store.Partition{Account: c.Account, Region: c.Region}
	err := s.store.Update(ctx, p, func(tx store.Tx) error {
		if _, err := s.activeOrganization(tx, c.OrganizationID); err != nil {
			return err
		}
		u, err := s.resolveUser(tx, c.OrganizationID, c.User)
		if errors.Is(err, model.ErrEntityNotFound) {
			return fmt.Errorf("%w: no such token for user %s", ErrTokenUnknown, c.User)
		}
		if err != nil {
			return err
		}
		t, err := matchSecret(tx, c.OrganizationID, u.ID, c.Secret)
		if err != nil {
			return err
		}
		if err := s.tokenUsable(tx, c.OrganizationID, u, t); err != nil {
			return err
		}
		t.LastUsedAt = s.now()
		info = TokenInfo{ID: t.ID, UserID: t.UserID, Name: t.Name, Scopes: t.Scopes,
			DateCreated: t.CreatedAt, ExpiresTime: t.ExpiresAt, DateLastUsed: t.LastUsedAt}
		return putToken(tx, c.OrganizationID, t)
	})
	return info, err
}

// matchSecret returns the user's token whose hash is the secret's. Every
// token is compared, in constant time, so timing says nothing about which
// or how much of a hash matched.
func matchSecret(r store.Reader, orgID, userID, secret string) (*token, error) {
	want := sha256.Sum256([]byte(secret))
	var match *token
	prefix := userTokenKey(orgID, userID, "")
	err := r.Scan(collUserTokens, prefix, "", 0, func(key string, _ []byte) (bool, error) {
		var t token
		found, err := getRecord(r, collTokens, tokenKey(orgID, key[len(prefix):]), &t)
		if err != nil {
			return false, err
		}
		if found && subtle.ConstantTimeCompare(t.SecretHash, want[:]) == 1 {
			match = &t
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if match == nil {
		return nil, fmt.Errorf("%w: no such token for user %s", ErrTokenUnknown, userID)
	}
	return match, nil
}

// tokenUsable is nil when t may be used now.
func (s *Service) tokenUsable(r store.Reader, orgID string, u *user, t *token) error {
	if err := usable(u); err != nil {
		return err
	}
	var cfg identityProviderConfig
	found, err := getRecord(r, collIdentityProviders, orgID, &cfg)
	if err != nil {
		return err
	}
	if !found || cfg.TokenStatus != string(model.PersonalAccessTokenConfigurationStatusActive) {
		return fmt.Errorf("%w: personal access tokens are not active in organization %s", ErrTokenInactive, orgID)
	}
	if now := s.now(); !now.Before(t.ExpiresAt) {
		return fmt.Errorf("%w: token %s expired at %s", ErrTokenExpired, t.ID, t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}
