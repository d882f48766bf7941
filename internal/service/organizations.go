package service

import (
	"context"
	"errors"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// CreateOrganization implements WorkMailService.CreateOrganization.
func (s *Service) CreateOrganization(ctx context.Context, in *model.CreateOrganizationInput) (*model.CreateOrganizationOutput, error) {
	var id string
	newID := "m-" + s.ids.Hex(32) // drawn once, however often the transaction runs
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		var err error
		id, err = idempotent(tx, "CreateOrganization", in, in.ClientToken, func() (created, error) {
			alias := str(in.Alias)
			o := &organization{
				ID:                newID,
				Alias:             alias,
				DirectoryType:     directoryTypeWorkMail,
				DefaultMailDomain: alias + ".awsapps.com",
				KmsKeyArn:         str(in.KmsKeyArn),
				Interoperability:  in.EnableInteroperability != nil && *in.EnableInteroperability,
				CreatedAt:         s.now(),
			}
			o.ARN = "arn:aws:workmail:" + p.Region + ":" + p.Account + ":organization/" + o.ID
			if dir := str(in.DirectoryId); dir != "" {
				o.DirectoryID, o.DirectoryType = dir, directoryTypeExisting
			}
			if err := organizations.insert(tx, orgRef{Partition: p}, o); err != nil {
				return created{}, err
			}
			// The domains given are registered as RegisterMailDomain does.
			for _, d := range in.Domains {
				err := registerMailDomain(tx, orgRef{p, o.ID}, o, str(d.DomainName), o.CreatedAt)
				if errors.Is(err, model.ErrMailDomainInUse) { // not declared by CreateOrganization
					err = model.ErrInvalidParameter.Errorf("The domain %s is in use by another organization in your account.", str(d.DomainName))
				}
				if err != nil {
					return created{}, err
				}
			}
			return created{Result: o.ID, Org: o.ID}, registerPartition(tx, p)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateOrganizationOutput{OrganizationId: &id}, nil
}

// Directory types reported by DescribeOrganization.
const (
	directoryTypeWorkMail = "WorkMailDirectory"
	// directoryTypeExisting is reported for organizations created on a
	// DirectoryId; workmaild has no Directory Service to ask for the real type.
	directoryTypeExisting = "ADConnector"
)

// DescribeOrganization implements WorkMailService.DescribeOrganization.
func (s *Service) DescribeOrganization(ctx context.Context, in *model.DescribeOrganizationInput) (*model.DescribeOrganizationOutput, error) {
	var out *model.DescribeOrganizationOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		now := s.now()
		o, err := s.findOrganizationAt(r, orgRef{p, str(in.OrganizationId)}, now)
		if err != nil {
			return err
		}
		state := o.state(now, s.lifecycle)
		out = &model.DescribeOrganizationOutput{
			OrganizationId:          &o.ID,
			Alias:                   &o.Alias,
			State:                   &state,
			DirectoryId:             optional(o.DirectoryID),
			DirectoryType:           &o.DirectoryType,
			DefaultMailDomain:       &o.DefaultMailDomain,
			ARN:                     &o.ARN,
			InteroperabilityEnabled: ptr(o.Interoperability),
		}
		if state != StateRequested && state != StateCreating {
			out.CompletedDate = model.NewTimestamp(o.completedAt(s.lifecycle))
		}
		return nil
	})
	return out, err
}

// ListOrganizations implements WorkMailService.ListOrganizations: the
// organizations that are not Deleted, ordered by id.
func (s *Service) ListOrganizations(ctx context.Context, in *model.ListOrganizationsInput) (*model.ListOrganizationsOutput, error) {
	var out *model.ListOrganizationsOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		pg, err := s.newPager("ListOrganizations", p, in.NextToken, in.MaxResults)
		if err != nil {
			return err
		}
		now := s.now()
		list, next, err := page(r, pg, organizations.coll, "", func(key string, raw []byte) (model.OrganizationSummary, bool, error) {
			o, err := organizations.decode(key, raw)
			if err != nil {
				return model.OrganizationSummary{}, false, err
			}
			state := o.state(now, s.lifecycle)
			return model.OrganizationSummary{
				OrganizationId:    ptr(o.ID),
				Alias:             ptr(o.Alias),
				DefaultMailDomain: ptr(o.DefaultMailDomain),
				State:             ptr(state),
			}, state != StateDeleted, nil
		})
		out = &model.ListOrganizationsOutput{OrganizationSummaries: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteOrganization implements WorkMailService.DeleteOrganization. The
// alias and directory become free at once; the records stay describable
// for DeletedRetention, then Purge removes them.
func (s *Service) DeleteOrganization(ctx context.Context, in *model.DeleteOrganizationInput) (*model.DeleteOrganizationOutput, error) {
	id := str(in.OrganizationId)
	var state string
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, id}
		_, err := idempotent(tx, "DeleteOrganization", in, in.ClientToken, func() (created, error) {
			org, err := s.activeOrganization(tx, o)
			if err != nil {
				return created{}, err
			}
			org.DeleteRequestedAt = s.now()
			// Its domains are free at once, as its alias is.
			if err := deleteMailDomains(tx, o); err != nil {
				return created{}, err
			}
			// Its tags go with it: ListTagsForResource no longer finds it.
			if err := orgTags.delete(tx, o, ""); err != nil {
				return created{}, err
			}
			if in.DeleteIdentityCenterApplication != nil && *in.DeleteIdentityCenterApplication {
				if err := s.deleteOrganizationApplication(tx, o); err != nil {
					return created{}, err
				}
			}
			return created{Result: org.ID, Org: org.ID}, organizations.put(tx, orgRef{Partition: p}, org)
		})
		if err != nil {
			return err
		}
		// A retried delete answers as the first one did, with today's state.
		org, err := s.findOrganization(tx, o)
		if err != nil {
			return err
		}
		state = org.state(s.now(), s.lifecycle)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteOrganizationOutput{OrganizationId: &id, State: &state}, nil
}
