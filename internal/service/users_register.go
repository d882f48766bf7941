package service

import (
	"context"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// RegisterToWorkMail implements WorkMailService.RegisterToWorkMail for
// users: a DISABLED user becomes ENABLED with the given email. Registering
// an ENABLED user again with its own email changes nothing (as AWS
// documents); with another email it is EntityAlreadyRegisteredException.
func (s *Service) RegisterToWorkMail(ctx context.Context, in *model.RegisterToWorkMailInput) (*model.RegisterToWorkMailOutput, error) {
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID, email := str(in.OrganizationId), str(in.Email)
		o, err := s.activeOrganization(tx, orgID)
		if err != nil {
			return err
		}
		u, err := s.resolveUser(tx, orgID, str(in.EntityId))
		if err != nil {
			return err
		}
		switch {
		case u.State == userDeleted:
			return model.ErrEntityState.Errorf("User %s is deleted.", u.ID)
		case u.State == userEnabled && strings.EqualFold(u.Email, email):
			return nil
		case u.State == userEnabled:
			return model.ErrEntityAlreadyRegistered.Errorf("User %s is already registered to WorkMail as %s.", u.ID, u.Email)
		}
		if !o.hasMailDomain(email[strings.LastIndexByte(email, '@')+1:]) {
			return model.ErrMailDomainNotFound.Errorf("The domain of %s is not a mail domain of organization %s.", email, orgID)
		}
		if err := claimEmail(tx, orgID, email, u); err != nil {
			return err
		}
		now := s.now()
		u.State, u.Email, u.EnabledAt, u.MailboxProvisionedAt = userEnabled, email, now, now
		u.DisabledAt, u.MailboxDeprovisionedAt = time.Time{}, time.Time{}
		return putUser(tx, orgID, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.RegisterToWorkMailOutput{}, nil
}

// claimEmail gives email to u, releasing u's previous email, or answers
// EmailAddressInUseException when another entity has it.
func claimEmail(tx store.Tx, orgID, email string, u *user) error {
	held, err := tx.Get(collEntityEmail, indexKey(orgID, email))
	switch {
	case err == nil && string(held) != u.ID:
		return model.ErrEmailAddressInUse.Errorf("The email address %s is already used by another user, group or resource.", email)
	case err != nil && !isNotFound(err):
		return err
	}
	if u.Email != "" {
		if err := releaseIndex(tx, collEntityEmail, indexKey(orgID, u.Email), u.ID); err != nil {
			return err
		}
	}
	return tx.Put(collEntityEmail, indexKey(orgID, email), []byte(u.ID))
}

// hasMailDomain reports whether domain is one of the organization's mail
// domains: its default domain and those given at creation.
func (o *organization) hasMailDomain(domain string) bool {
	if strings.EqualFold(domain, o.DefaultMailDomain) {
		return true
	}
	for _, d := range o.Domains {
		if strings.EqualFold(domain, d) {
			return true
		}
	}
	return false
}

// DeregisterFromWorkMail implements WorkMailService.DeregisterFromWorkMail
// for users: an ENABLED user becomes DISABLED. It keeps its email, so that
// RegisterToWorkMail can enable it again; DeleteUser frees the email.
func (s *Service) DeregisterFromWorkMail(ctx context.Context, in *model.DeregisterFromWorkMailInput) (*model.DeregisterFromWorkMailOutput, error) {
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID := str(in.OrganizationId)
		if _, err := s.activeOrganization(tx, orgID); err != nil {
			return err
		}
		u, err := s.resolveUser(tx, orgID, str(in.EntityId))
		if err != nil {
			return err
		}
		if u.State != userEnabled {
			return model.ErrEntityState.Errorf("User %s is %s, not registered to WorkMail.", u.ID, u.State)
		}
		now := s.now()
		u.State, u.DisabledAt, u.MailboxDeprovisionedAt = userDisabled, now, now
		return putUser(tx, orgID, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeregisterFromWorkMailOutput{}, nil
}

// ResetPassword implements WorkMailService.ResetPassword. A deleted user's
// password cannot be reset (EntityStateException).
func (s *Service) ResetPassword(ctx context.Context, in *model.ResetPasswordInput) (*model.ResetPasswordOutput, error) {
	hash, err := s.passwords.hash(ctx, str(in.Password))
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID := str(in.OrganizationId)
		u, err := s.undeletedUser(tx, orgID, str(in.UserId))
		if err != nil {
			return err
		}
		u.PasswordHash = hash
		return putUser(tx, orgID, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.ResetPasswordOutput{}, nil
}
