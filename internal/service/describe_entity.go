package service

import (
	"context"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// describedKind is a kind of entity as DescribeEntity reports it: its
// EntityType and how to read an entity's name.
type describedKind struct {
	kind entityKind
	typ  model.EntityType
	name func(r store.Reader, o orgRef, id string) (string, bool, error)
}

// describedKinds are the kinds DescribeEntity finds, one entry a kind.
var describedKinds = []describedKind{
	{userKind, model.EntityTypeUser, func(r store.Reader, o orgRef, id string) (string, bool, error) {
		u, err := users.get(r, o, id)
		if err != nil || u == nil {
			return "", false, err
		}
		return u.Name, true, nil
	}},
	{groupKind, model.EntityTypeGroup, func(r store.Reader, o orgRef, id string) (string, bool, error) {
		g, err := groups.get(r, o, id)
		if err != nil || g == nil {
			return "", false, err
		}
		return g.Name, true, nil
	}},
	{resourceKind, model.EntityTypeResource, func(r store.Reader, o orgRef, id string) (string, bool, error) {
		res, err := resources.get(r, o, id)
		if err != nil || res == nil {
			return "", false, err
		}
		return res.Name, true, nil
	}},
}

// DescribeEntity implements WorkMailService.DescribeEntity: the user,
// group or resource whose primary address or alias is Email, without
// regard to case. A deleted entity holds no address, so it is not found.
func (s *Service) DescribeEntity(ctx context.Context, in *model.DescribeEntityInput) (*model.DescribeEntityOutput, error) {
	var out *model.DescribeEntityOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o, email := orgRef{p, str(in.OrganizationId)}, str(in.Email)
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		held, err := r.Get(entityEmails.coll, entityEmails.entryKey(o, entityEmails.folded(email), ""))
		if err != nil && !isNotFound(err) {
			return err
		}
		if err == nil {
			kind, id := parseHolder(held)
			for _, k := range describedKinds {
				if k.kind.name != kind {
					continue
				}
				name, ok, err := k.name(r, o, id)
				if err != nil {
					return err
				}
				if ok {
					out = &model.DescribeEntityOutput{EntityId: ptr(id), Name: ptr(name), Type: ptr(k.typ)}
					return nil
				}
			}
		}
		return model.ErrEntityNotFound.Errorf("No user, group or resource has the address %s in organization %s.", email, o.ID)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
