package service

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// resolveUser finds the user an EntityIdentifier names: a user id, else an
// email, else a user name (emails and names without regard to case). A
// deleted user answers by id only, until DeletedUserRetention ends; then,
// like an identifier that never existed, it is EntityNotFoundException.
func (s *Service) resolveUser(r store.Reader, orgID, ident string) (*user, error) {
	notFound := model.ErrEntityNotFound.Errorf("User %s does not exist in organization %s.", ident, orgID)
	id := ident
	var u user
	found, err := getRecord(r, collUsers, userKey(orgID, id), &u)
	for _, index := range []string{collEntityEmail, collEntityNames} {
		if found || err != nil {
			break
		}
		var held []byte
		held, err = r.Get(index, indexKey(orgID, ident))
		if isNotFound(err) {
			err = nil
			continue
		}
		if err == nil {
			found, err = getRecord(r, collUsers, userKey(orgID, string(held)), &u)
		}
	}
	if err != nil {
		return nil, err
	}
	if !found || (u.State == userDeleted && !s.now().Before(u.DeletedAt.Add(DeletedUserRetention))) {
		return nil, notFound
	}
	return &u, nil
}

// identityStoreID is the Identity Store id of the organization's Identity
// Center instance, or "" when the organization has no identity-provider
// configuration. workmaild has no Identity Center to ask, so it derives a
// stable id of the documented form d-<10 hex> from the instance ARN.
func identityStoreID(r store.Reader, orgID string) (string, error) {
	var cfg identityProviderConfig
	found, err := getRecord(r, collIdentityProviders, orgID, &cfg)
	if err != nil || !found {
		return "", err
	}
	sum := sha256.Sum256([]byte(cfg.InstanceArn))
	return "d-" + hex.EncodeToString(sum[:])[:10], nil
}

// undeletedUser resolves a user of an Active organization for operations
// that change it: a deleted user is EntityStateException.
func (s *Service) undeletedUser(r store.Reader, orgID, identifier string) (*user, error) {
	if _, err := s.activeOrganization(r, orgID); err != nil {
		return nil, err
	}
	u, err := s.resolveUser(r, orgID, identifier)
	if err != nil {
		return nil, err
	}
	if u.State == userDeleted {
		return nil, model.ErrEntityState.Errorf("User %s is deleted.", u.ID)
	}
	return u, nil
}
