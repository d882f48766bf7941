package service

import (
	"context"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// delegations records the delegates of resources, indexed both ways:
//
//	resource-delegate     org/resource id/delegate id -> delegation
//	resource-delegate-of  org/delegate id/resource id/delegate id
//
// so that ListResourceDelegates pages through one resource's prefix, and
// deleting either side (entityRemoved) finds every delegation it is in.
var delegations = &table[delegation]{
	codec: record.For[delegation](),
	coll:  "resource-delegate",
	id:    func(d *delegation) string { return d.ResourceID + "/" + d.DelegateID },
	indexes: []indexOn[delegation]{
		{delegatesOf, func(d *delegation) []string { return []string{d.DelegateID} }},
	},
}

var delegatesOf = &index{coll: "resource-delegate-of"}

// delegation is one delegate of one resource. Kind is the collection of
// the delegate's kind of entity (see delegateKinds).
type delegation struct {
	ResourceID string `json:"resourceId"`
	Kind       string `json:"kind"`
	DelegateID string `json:"delegateId"`
}

// delegateKind is a kind of entity that may be a resource's delegate:
// its entity kind, the MemberType ListResourceDelegates reports, and the
// state of one of its entities (its own resolver's answer for an id,
// EntityNotFoundException included).
type delegateKind struct {
	entityKind
	member model.MemberType
	state  func(s *Service, r store.Reader, o orgRef, id string) (string, error)
}

// delegateKinds are the kinds a delegate may be: users and groups.
var delegateKinds = []delegateKind{
	{userKind, model.MemberTypeUser, func(s *Service, r store.Reader, o orgRef, id string) (string, error) {
		u, err := s.resolveUser(r, o, id)
		if err != nil {
			return "", err
		}
		return u.State, nil
	}},
	{groupKind, model.MemberTypeGroup, func(s *Service, r store.Reader, o orgRef, id string) (string, error) {
		g, err := s.resolveGroup(r, o, id)
		if err != nil {
			return "", err
		}
		return g.State, nil
	}},
}

// resolveDelegate finds the entity an EntityIdentifier names among the
// delegate kinds. Unknown is EntityNotFoundException, a deleted entity
// EntityStateException, a resource InvalidParameterException.
func (s *Service) resolveDelegate(r store.Reader, o orgRef, ident string) (delegateKind, string, error) {
	kinds := []entityKind{resourceKind}
	for _, k := range delegateKinds {
		kinds = append(kinds, k.entityKind)
	}
	ref, found, err := resolveEntity(r, o, ident, kinds...)
	if err != nil {
		return delegateKind{}, "", err
	}
	if found && ref.Kind == resourceKind.name {
		return delegateKind{}, "", model.ErrInvalidParameter.Errorf("%s is a resource: a delegate is a user or a group.", ident)
	}
	for _, k := range delegateKinds {
		if !found || k.name != ref.Kind {
			continue
		}
		state, err := k.state(s, r, o, ref.ID)
		if err != nil {
			return delegateKind{}, "", err
		}
		if state == string(model.EntityStateDeleted) {
			return delegateKind{}, "", model.ErrEntityState.Errorf("%s %s is deleted.", k.member, ref.ID)
		}
		return k, ref.ID, nil
	}
	return delegateKind{}, "", model.ErrEntityNotFound.Errorf("No user or group %s exists in organization %s.", ident, o.ID)
}

// memberType is the MemberType of a delegation's kind.
func (d *delegation) memberType() model.MemberType {
	for _, k := range delegateKinds {
		if k.name == d.Kind {
			return k.member
		}
	}
	return model.MemberType(strings.ToUpper(d.Kind))
}

func delegatePrefix(o orgRef, resourceID string) string { return o.prefix() + resourceID + "/" }

// hasDelegates reports whether the resource has at least one delegate.
func hasDelegates(r store.Reader, o orgRef, resourceID string) (bool, error) {
	found := false
	err := r.Scan(delegations.coll, delegatePrefix(o, resourceID), "", 1, func(string, []byte) (bool, error) {
		found = true
		return false, nil
	})
	return found, err
}

// dropDelegations is entityRemoved's part for delegations: the delegates
// of a removed resource and the delegations a removed user or group held.
func dropDelegations(tx store.Tx, o orgRef, ref entityRef) error {
	var ids []string
	prefix := delegatePrefix(o, ref.ID)
	err := tx.Scan(delegations.coll, prefix, "", 0, func(key string, _ []byte) (bool, error) {
		ids = append(ids, key[len(o.prefix()):])
		return true, nil
	})
	if err != nil {
		return err
	}
	held, err := delegations.ids(tx, o, delegatesOf, ref.ID)
	if err != nil {
		return err
	}
	for _, id := range append(ids, held...) {
		if err := delegations.delete(tx, o, id); err != nil {
			return err
		}
	}
	return nil
}

// delegationTarget resolves the resource and the delegate of an
// Associate or Disassociate request.
func (s *Service) delegationTarget(r store.Reader, o orgRef, resourceIdent, entityIdent string) (*delegation, error) {
	if _, err := s.activeOrganization(r, o); err != nil {
		return nil, err
	}
	res, err := s.undeletedResource(r, o, resourceIdent)
	if err != nil {
		return nil, err
	}
	k, id, err := s.resolveDelegate(r, o, entityIdent)
	if err != nil {
		return nil, err
	}
	return &delegation{ResourceID: res.ID, Kind: k.name, DelegateID: id}, nil
}

// AssociateDelegateToResource implements
// WorkMailService.AssociateDelegateToResource. Associating a delegate the
// resource already has changes nothing.
func (s *Service) AssociateDelegateToResource(ctx context.Context, in *model.AssociateDelegateToResourceInput) (*model.AssociateDelegateToResourceOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		d, err := s.delegationTarget(tx, o, str(in.ResourceId), str(in.EntityId))
		if err != nil {
			return err
		}
		if ok, err := delegations.has(tx, o, delegations.id(d)); err != nil || ok {
			return err
		}
		return delegations.insert(tx, o, d)
	})
	if err != nil {
		return nil, err
	}
	return &model.AssociateDelegateToResourceOutput{}, nil
}

// DisassociateDelegateFromResource implements
// WorkMailService.DisassociateDelegateFromResource. An entity that is not
// a delegate of the resource succeeds; the last delegate of a resource
// that does not accept requests automatically may go (the model declares
// no InvalidConfigurationException here).
func (s *Service) DisassociateDelegateFromResource(ctx context.Context, in *model.DisassociateDelegateFromResourceInput) (*model.DisassociateDelegateFromResourceOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		d, err := s.delegationTarget(tx, o, str(in.ResourceId), str(in.EntityId))
		if err != nil {
			return err
		}
		return delegations.delete(tx, o, delegations.id(d))
	})
	if err != nil {
		return nil, err
	}
	return &model.DisassociateDelegateFromResourceOutput{}, nil
}

// ListResourceDelegates implements WorkMailService.ListResourceDelegates:
// the resource's delegates in id order. A deleted resource is
// EntityStateException.
func (s *Service) ListResourceDelegates(ctx context.Context, in *model.ListResourceDelegatesInput) (*model.ListResourceDelegatesOutput, error) {
	var out *model.ListResourceDelegatesOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		res, err := s.undeletedResource(r, o, str(in.ResourceId))
		if err != nil {
			return err
		}
		pg, err := s.newPager("ListResourceDelegates", p, in.NextToken, in.MaxResults, o.ID, res.ID)
		if err != nil {
			return err
		}
		list, next, err := page(r, pg, delegations.coll, delegatePrefix(o, res.ID), func(key string, raw []byte) (model.Delegate, bool, error) {
			d, err := delegations.decode(key, raw)
			if err != nil {
				return model.Delegate{}, false, err
			}
			return model.Delegate{Id: ptr(d.DelegateID), Type: ptr(d.memberType())}, true, nil
		})
		out = &model.ListResourceDelegatesOutput{Delegates: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
