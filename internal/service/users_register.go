package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// registrableKinds are the kinds of entity RegisterToWorkMail and
// DeregisterFromWorkMail accept.
var registrableKinds = []entityKind{userKind, groupKind, resourceKind}

// resolveRegistrable finds the entity a RegisterToWorkMail or
// DeregisterFromWorkMail EntityId names among registrableKinds.
func resolveRegistrable(r store.Reader, o orgRef, ident string) (entityRef, error) {
	ref, found, err := resolveEntity(r, o, ident, registrableKinds...)
	if err == nil && !found {
		err = model.ErrEntityNotFound.Errorf("Entity %s does not exist in organization %s.", ident, o.ID)
	}
	return ref, err
}

// RegisterToWorkMail implements WorkMailService.RegisterToWorkMail: it
// finds the entity among the kinds and enables it the way of its kind.
func (s *Service) RegisterToWorkMail(ctx context.Context, in *model.RegisterToWorkMailInput) (*model.RegisterToWorkMailOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o, email := orgRef{p, str(in.OrganizationId)}, str(in.Email)
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		ref, err := resolveRegistrable(tx, o, str(in.EntityId))
		if err != nil {
			return err
		}
		switch ref.Kind {
		case userKind.name:
			return s.registerUser(tx, o, org, ref.ID, email)
		case groupKind.name:
			return s.registerGroup(tx, o, org, ref.ID, email)
		case resourceKind.name:
			r, err := s.resolveResource(tx, o, ref.ID)
			if err != nil {
				return err
			}
			return s.registerResource(tx, o, org, r, email)
		}
		return fmt.Errorf("service: RegisterToWorkMail of an entity of kind %s", ref.Kind)
	})
	if err != nil {
		return nil, err
	}
	return &model.RegisterToWorkMailOutput{}, nil
}

// registerUser is RegisterToWorkMail for a user: a DISABLED user becomes
// ENABLED with the given email. Registering an ENABLED user again with its
// own email changes nothing (as AWS documents); with another email it is
// EntityAlreadyRegisteredException.
func (s *Service) registerUser(tx store.Tx, o orgRef, org *organization, id, email string) error {
	u, err := s.resolveUser(tx, o, id)
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
}

// DeregisterFromWorkMail implements WorkMailService.DeregisterFromWorkMail:
// it finds the entity among the kinds and disables it the way of its kind.
func (s *Service) DeregisterFromWorkMail(ctx context.Context, in *model.DeregisterFromWorkMailInput) (*model.DeregisterFromWorkMailOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		ref, err := resolveRegistrable(tx, o, str(in.EntityId))
		if err != nil {
			return err
		}
		switch ref.Kind {
		case userKind.name:
			return s.deregisterUser(tx, o, ref.ID)
		case groupKind.name:
			return s.deregisterGroup(tx, o, ref.ID)
		case resourceKind.name:
			r, err := s.resolveResource(tx, o, ref.ID)
			if err != nil {
				return err
			}
			return s.deregisterResource(tx, o, r)
		}
		return fmt.Errorf("service: DeregisterFromWorkMail of an entity of kind %s", ref.Kind)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeregisterFromWorkMailOutput{}, nil
}

// deregisterUser is DeregisterFromWorkMail for a user: an ENABLED user
// becomes DISABLED. It keeps its email, so that RegisterToWorkMail can
// enable it again; DeleteUser frees the email.
func (s *Service) deregisterUser(tx store.Tx, o orgRef, id string) error {
	u, err := s.resolveUser(tx, o, id)
	if err != nil {
		return err
	}
	if u.State != userEnabled {
		return model.ErrEntityState.Errorf("User %s is %s, not registered to WorkMail.", u.ID, u.State)
	}
	now := s.now()
	u.State, u.DisabledAt, u.MailboxDeprovisionedAt = userDisabled, now, now
	return users.put(tx, o, u)
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
