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
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o, email := orgRef{p, str(in.OrganizationId)}, str(in.Email)
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		if r, ok, err := s.resourceNamed(tx, o, str(in.EntityId)); ok || err != nil {
			if err != nil {
				return err
			}
			return s.registerResource(tx, o, org, r, email)
		}
		u, err := s.resolveUser(tx, o, str(in.EntityId))
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
		if err := checkMailDomain(tx, o, org, email); err != nil {
			return err
		}
		now := s.now()
		u.State, u.Email, u.EnabledAt, u.MailboxProvisionedAt = userEnabled, email, now, now
		u.DisabledAt, u.MailboxDeprovisionedAt = time.Time{}, time.Time{}
		return users.put(tx, o, u) // claims the email, releases the old one
	})
	if err != nil {
		return nil, err
	}
	return &model.RegisterToWorkMailOutput{}, nil
}

// DeregisterFromWorkMail implements WorkMailService.DeregisterFromWorkMail
// for users: an ENABLED user becomes DISABLED. It keeps its email, so that
// RegisterToWorkMail can enable it again; DeleteUser frees the email.
func (s *Service) DeregisterFromWorkMail(ctx context.Context, in *model.DeregisterFromWorkMailInput) (*model.DeregisterFromWorkMailOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		if r, ok, err := s.resourceNamed(tx, o, str(in.EntityId)); ok || err != nil {
			if err != nil {
				return err
			}
			return s.deregisterResource(tx, o, r)
		}
		u, err := s.resolveUser(tx, o, str(in.EntityId))
		if err != nil {
			return err
		}
		if u.State != userEnabled {
			return model.ErrEntityState.Errorf("User %s is %s, not registered to WorkMail.", u.ID, u.State)
		}
		now := s.now()
		u.State, u.DisabledAt, u.MailboxDeprovisionedAt = userDisabled, now, now
		return users.put(tx, o, u)
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
	err = s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		u, err := s.undeletedUser(tx, o, str(in.UserId))
		if err != nil {
			return err
		}
		u.PasswordHash = hash
		return users.put(tx, o, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.ResetPasswordOutput{}, nil
}
