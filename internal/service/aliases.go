package service

import (
	"context"
	"slices"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// MaxAliases is how many aliases an entity may have: the WorkMail quota,
// which cannot be raised. The primary address does not count.
const MaxAliases = 100

// mailEntity resolves the entity of any kind with addresses (mailKinds)
// that an identifier names. A deleted entity answers by id until
// DeletedUserRetention ends; then, like an identifier that never existed,
// it is EntityNotFoundException.
func (s *Service) mailEntity(r store.Reader, o orgRef, ident string) (*mailEntity, *mailAccess, error) {
	ref, found, err := resolveEntity(r, o, ident, mailKinds...)
	if err != nil {
		return nil, nil, err
	}
	var e *mailEntity
	var access *mailAccess
	if found {
		for _, k := range mailKinds {
			if k.name == ref.Kind {
				access = k.mail
			}
		}
		if e, err = access.get(r, o, ref.ID); err != nil {
			return nil, nil, err
		}
	}
	if e == nil || s.gone(e.State, e.DeletedAt) {
		return nil, nil, model.ErrEntityNotFound.Errorf("Entity %s does not exist in organization %s.", ident, o.ID)
	}
	return e, access, nil
}

// enabledMailEntity is mailEntity for operations that give an entity an
// address: it must be ENABLED (registered to WorkMail, so that it has a
// primary address), else EntityStateException.
func (s *Service) enabledMailEntity(r store.Reader, o orgRef, ident string) (*mailEntity, *mailAccess, error) {
	e, access, err := s.mailEntity(r, o, ident)
	if err != nil {
		return nil, nil, err
	}
	if e.State != userEnabled {
		return nil, nil, model.ErrEntityState.Errorf("Entity %s is %s: it must be registered to WorkMail (ENABLED) to get an address.", e.ID, e.State)
	}
	return e, access, nil
}

// undeletedMailEntity is mailEntity for operations on the addresses an
// entity has: a deleted one is EntityStateException.
func (s *Service) undeletedMailEntity(r store.Reader, o orgRef, ident string) (*mailEntity, *mailAccess, error) {
	e, access, err := s.mailEntity(r, o, ident)
	if err != nil {
		return nil, nil, err
	}
	if e.State == userDeleted {
		return nil, nil, model.ErrEntityState.Errorf("Entity %s is deleted.", e.ID)
	}
	return e, access, nil
}

// aliasIndex is the position of address among the aliases, without regard
// to case, or -1.
func (a *addresses) aliasIndex(address string) int {
	return slices.IndexFunc(a.Aliases, func(x string) bool { return strings.EqualFold(x, address) })
}

// CreateAlias implements WorkMailService.CreateAlias for every kind of
// entity with addresses. An alias the entity has already changes nothing;
// its own primary address, or an address of any other entity, is
// EmailAddressInUseException.
func (s *Service) CreateAlias(ctx context.Context, in *model.CreateAliasInput) (*model.CreateAliasOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o, alias := orgRef{p, str(in.OrganizationId)}, str(in.Alias)
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		e, access, err := s.enabledMailEntity(tx, o, str(in.EntityId))
		if err != nil {
			return err
		}
		switch {
		case e.aliasIndex(alias) >= 0:
			return nil
		case strings.EqualFold(e.Email, alias):
			return model.ErrEmailAddressInUse.Errorf("The email address %s is the primary address of entity %s.", alias, e.ID)
		}
		if err := checkMailDomain(tx, o, org, alias); err != nil {
			return err
		}
		if len(e.Aliases) >= MaxAliases {
			return model.ErrLimitExceeded.Errorf("Entity %s has %d aliases, the most an entity may have.", e.ID, MaxAliases)
		}
		e.Aliases = append(e.Aliases, alias)
		return access.setAddresses(tx, o, e.ID, e.addresses)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateAliasOutput{}, nil
}

// DeleteAlias implements WorkMailService.DeleteAlias. An address that is
// not an alias of the entity succeeds; its primary address cannot be
// removed this way (InvalidParameterException).
func (s *Service) DeleteAlias(ctx context.Context, in *model.DeleteAliasInput) (*model.DeleteAliasOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o, alias := orgRef{p, str(in.OrganizationId)}, str(in.Alias)
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		e, access, err := s.undeletedMailEntity(tx, o, str(in.EntityId))
		if err != nil {
			return err
		}
		i := e.aliasIndex(alias)
		switch {
		case strings.EqualFold(e.Email, alias):
			return model.ErrInvalidParameter.Errorf("The email address %s is the primary address of entity %s and cannot be deleted as an alias.", alias, e.ID)
		case i < 0:
			return nil
		}
		e.Aliases = slices.Delete(e.Aliases, i, i+1)
		return access.setAddresses(tx, o, e.ID, e.addresses)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteAliasOutput{}, nil
}

// ListAliases implements WorkMailService.ListAliases: the entity's aliases,
// without its primary address (as AWS's example shows), in address order.
func (s *Service) ListAliases(ctx context.Context, in *model.ListAliasesInput) (*model.ListAliasesOutput, error) {
	var out *model.ListAliasesOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		e, _, err := s.undeletedMailEntity(r, o, str(in.EntityId))
		if err != nil {
			return err
		}
		pg, err := s.newPager("ListAliases", p, in.NextToken, in.MaxResults, o.ID, e.Kind, e.ID)
		if err != nil {
			return err
		}
		spelled := make(map[string]string, len(e.Aliases))
		keys := make([]string, 0, len(e.Aliases))
		for _, a := range e.Aliases {
			k := strings.ToLower(a)
			spelled[k] = a
			keys = append(keys, k)
		}
		slices.Sort(keys)
		list, next := pageKeys(pg, keys)
		out = &model.ListAliasesOutput{Aliases: make([]string, len(list)), NextToken: next}
		for i, k := range list {
			out.Aliases[i] = spelled[k]
		}
		return nil
	})
	return out, err
}

// UpdatePrimaryEmailAddress implements
// WorkMailService.UpdatePrimaryEmailAddress for every kind of entity with
// addresses: the old primary address becomes an alias; when the new one
// was an alias, the two swap. The alias quota does not apply.
func (s *Service) UpdatePrimaryEmailAddress(ctx context.Context, in *model.UpdatePrimaryEmailAddressInput) (*model.UpdatePrimaryEmailAddressOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o, email := orgRef{p, str(in.OrganizationId)}, str(in.Email)
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		e, access, err := s.enabledMailEntity(tx, o, str(in.EntityId))
		if err != nil {
			return err
		}
		if e.Email == email {
			return nil
		}
		if err := checkMailDomain(tx, o, org, email); err != nil {
			return err
		}
		switch i := e.aliasIndex(email); {
		case strings.EqualFold(e.Email, email): // a new spelling of the same address
		case i >= 0:
			e.Aliases[i] = e.Email
		default:
			e.Aliases = append(e.Aliases, e.Email)
		}
		e.Email = email
		return access.setAddresses(tx, o, e.ID, e.addresses)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdatePrimaryEmailAddressOutput{}, nil
}
