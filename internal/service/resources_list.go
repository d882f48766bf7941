package service

import (
	"context"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// ListResources implements WorkMailService.ListResources. As AWS
// documents, one filter at most; prefixes match without regard to case.
// Without a filter resources come in id order; with NamePrefix or
// PrimaryEmailPrefix in the order of that value, with State in id order
// among those of the state. Each reads an index of resources only, so a
// page reads only what it returns. Deleted resources are listed until
// their retention ends, under every filter that matches them.
func (s *Service) ListResources(ctx context.Context, in *model.ListResourcesInput) (*model.ListResourcesOutput, error) {
	f := in.Filters
	if f == nil {
		f = &model.ListResourcesFilters{}
	}
	n := 0
	for _, set := range []bool{f.NamePrefix != nil, f.PrimaryEmailPrefix != nil, f.State != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, model.ErrInvalidParameter.Errorf("ListResources takes one filter per request; %d were given.", n)
	}
	var out *model.ListResourcesOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		pg, err := s.newPager("ListResources", p, in.NextToken, in.MaxResults, o.ID,
			given(f.NamePrefix), given(f.PrimaryEmailPrefix), given(f.State))
		if err != nil {
			return err
		}
		coll, prefix := resources.coll, o.prefix()
		switch {
		case f.NamePrefix != nil:
			coll, prefix = resourceNames.coll, o.prefix()+resourceNames.folded(*f.NamePrefix)
		case f.PrimaryEmailPrefix != nil:
			coll, prefix = resourceEmails.coll, o.prefix()+resourceEmails.folded(*f.PrimaryEmailPrefix)
		case f.State != nil:
			coll, prefix = resourceStates.coll, resourceStates.entryKey(o, string(*f.State), "")
		}
		list, next, err := page(r, pg, coll, prefix, func(key string, raw []byte) (model.Resource, bool, error) {
			var res *resource
			var err error
			if coll == resources.coll {
				res, err = resources.decode(key, raw)
			} else {
				res, err = resources.get(r, o, key[strings.LastIndexByte(key, '/')+1:])
			}
			if err != nil || res == nil || !s.listedResource(res, f) {
				return model.Resource{}, false, err
			}
			return resourceSummary(res), true, nil
		})
		out = &model.ListResourcesOutput{Resources: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listedResource reports whether ListResources shows res under filter f.
// The index a filter reads holds what the filter asks for; checking the
// record again keeps a prefix that runs on into an index entry's id
// from matching.
func (s *Service) listedResource(res *resource, f *model.ListResourcesFilters) bool {
	switch {
	case s.gone(res.State, res.DeletedAt):
		return false
	case f.NamePrefix != nil:
		return hasPrefixFold(res.Name, *f.NamePrefix)
	case f.PrimaryEmailPrefix != nil:
		return res.Email != "" && hasPrefixFold(res.Email, *f.PrimaryEmailPrefix)
	case f.State != nil:
		return string(*f.State) == res.State
	}
	return true
}

func resourceSummary(res *resource) model.Resource {
	return model.Resource{
		Id:           ptr(res.ID),
		Email:        optional(res.Email),
		Name:         ptr(res.Name),
		Type:         ptr(model.ResourceType(res.Type)),
		State:        ptr(model.EntityState(res.State)),
		EnabledDate:  timestamp(res.EnabledAt),
		DisabledDate: timestamp(res.DisabledAt),
		Description:  optional(res.Description),
	}
}
