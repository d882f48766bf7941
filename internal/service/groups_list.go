package service

import (
	"context"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// ListGroups implements WorkMailService.ListGroups. As for ListUsers, one
// filter at most; prefixes match without regard to case. Without a filter,
// or with State, groups come in id order (deleted ones for their
// retention); with NamePrefix or PrimaryEmailPrefix in the order of that
// value, and deleted groups, which hold no name or address, are not listed.
// Each filter reads an index of groups only (groups.go), so a page reads
// what it returns.
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
		coll, prefix, groupID := groups.coll, o.prefix(), entryID
		switch {
		case f.NamePrefix != nil:
			coll, prefix = groupNames.coll, o.prefix()+groupNames.folded(*f.NamePrefix)
		case f.PrimaryEmailPrefix != nil:
			coll, prefix = groupEmails.coll, o.prefix()+groupEmails.folded(*f.PrimaryEmailPrefix)
		case f.State != nil:
			coll, prefix = groupStates.coll, groupStates.entryKey(o, string(*f.State), "")
			groupID = func(key string) string { return key[len(prefix):] }
		}
		list, next, err := page(r, pg, coll, prefix, func(key string, raw []byte) (model.Group, bool, error) {
			var g *group
			var err error
			if coll == groups.coll {
				g, err = groups.decode(key, raw)
			} else {
				g, err = groups.get(r, o, groupID(key))
			}
			if err != nil || g == nil || !s.listedGroup(g, f) {
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

// listedGroup reports whether ListGroups shows g under filter f: deleted
// groups until their retention ends, and only those the filter matches
// (the index a filter reads holds what it asks for; checking the record
// again keeps a prefix that runs on into an entry's id from matching).
func (s *Service) listedGroup(g *group, f *model.ListGroupsFilters) bool {
	switch {
	case s.gone(g.State, g.DeletedAt):
		return false
	case f.NamePrefix != nil:
		return g.State != userDeleted && hasPrefixFold(g.Name, *f.NamePrefix)
	case f.PrimaryEmailPrefix != nil:
		return g.State != userDeleted && g.Email != "" && hasPrefixFold(g.Email, *f.PrimaryEmailPrefix)
	case f.State != nil:
		return string(*f.State) == g.State
	}
	return true
}
