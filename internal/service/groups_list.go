package service

import (
	"context"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// ListGroups implements WorkMailService.ListGroups. As for ListUsers, one
// filter at most; prefixes match without regard to case. Without a filter,
// or with State (read from group-state), groups come in id order (deleted
// ones for their retention); with NamePrefix or PrimaryEmailPrefix in the
// order of that value, read from the shared entity index, which holds no
// deleted entity.
func (s *Service) ListGroups(ctx context.Context, in *model.ListGroupsInput) (*model.ListGroupsOutput, error) {
	f := in.Filters
	if f == nil {
		f = &model.ListGroupsFilters{}
	}
	n := 0
	for _, set := range []bool{f.NamePrefix != nil, f.PrimaryEmailPrefix != nil, f.State != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, model.ErrInvalidParameter.Errorf("ListGroups takes one filter per request; %d were given.", n)
	}
	var out *model.ListGroupsOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		pg, err := s.newPager("ListGroups", p, in.NextToken, in.MaxResults, o.ID,
			given(f.NamePrefix), given(f.PrimaryEmailPrefix), given(f.State))
		if err != nil {
			return err
		}
		coll, prefix := groups.coll, o.prefix()
		switch {
		case f.NamePrefix != nil:
			coll, prefix = entityNames.coll, entityNames.entryKey(o, entityNames.folded(*f.NamePrefix), "")
		case f.PrimaryEmailPrefix != nil:
			coll, prefix = entityEmails.coll, entityEmails.entryKey(o, entityEmails.folded(*f.PrimaryEmailPrefix), "")
		case f.State != nil:
			coll, prefix = groupStates.coll, groupStates.entryKey(o, string(*f.State), "")
		}
		list, next, err := page(r, pg, coll, prefix, func(key string, raw []byte) (model.Group, bool, error) {
			g, err := groupListed(r, o, coll, key, raw)
			if err != nil || g == nil || s.gone(g.State, g.DeletedAt) || (f.State != nil && string(*f.State) != g.State) {
				return model.Group{}, false, err
			}
			return model.Group{
				Id:           ptr(g.ID),
				Email:        optional(g.Email),
				Name:         ptr(g.Name),
				State:        ptr(model.EntityState(g.State)),
				EnabledDate:  timestamp(g.EnabledAt),
				DisabledDate: timestamp(g.DisabledAt),
			}, true, nil
		})
		out = &model.ListGroupsOutput{Groups: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// groupListed returns the group a scanned record of coll stands for: the
// group record itself, the group of a state entry, or the group holding
// an entity index entry; nil for entries of other kinds, and for
// addresses that are not a group's primary one (the address index also
// holds aliases).
func groupListed(r store.Reader, o orgRef, coll, key string, raw []byte) (*group, error) {
	switch coll {
	case groups.coll:
		return groups.decode(key, raw)
	case groupStates.coll:
		return groups.get(r, o, key[strings.LastIndexByte(key, '/')+1:])
	}
	kind, id := parseHolder(raw)
	if kind != groups.coll {
		return nil, nil
	}
	g, err := groups.get(r, o, id)
	if err != nil || g == nil {
		return nil, err
	}
	if coll == entityEmails.coll && key[len(o.prefix()):] != entityEmails.folded(g.Email) {
		return nil, nil
	}
	return g, nil
}
