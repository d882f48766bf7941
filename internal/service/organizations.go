package service

import (
	"context"
	"slices"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/respcache"
	"github.com/workmaild/workmaild/internal/store"
)

// Organization states, as DescribeOrganization reports them.
const (
	StateRequested = "Requested"
	StateCreating  = "Creating"
	StateActive    = "Active"
	StateDeleting  = "Deleting"
	StateDeleted   = "Deleted"
)

const (
	collOrganizations = "organization"       // organization id -> organization
	collOrgAliases    = "organization-alias" // alias -> organization id, while not deleted
	collOrgDirectory  = "organization-dir"   // directory id -> organization id, while not deleted
)

// defaultListPage is the page size of list operations called without
// MaxResults (the model's maximum).
const defaultListPage = 100

// organization is the stored record. States are not stored: they follow
// from the timestamps and the configured Lifecycle, so a movable test clock
// moves them too and no background work is needed.
type organization struct {
	ID                string    `json:"id"`
	Alias             string    `json:"alias"`
	ARN               string    `json:"arn"`
	DirectoryID       string    `json:"directoryId,omitempty"`
	DirectoryType     string    `json:"directoryType"`
	DefaultMailDomain string    `json:"defaultMailDomain"`
	Domains           []string  `json:"domains,omitempty"`
	KmsKeyArn         string    `json:"kmsKeyArn,omitempty"`
	Interoperability  bool      `json:"interoperability"`
	CreatedAt         time.Time `json:"createdAt"`
	// DeleteRequestedAt is zero until DeleteOrganization succeeds.
	DeleteRequestedAt time.Time `json:"deleteRequestedAt,omitzero"`
}

// clone returns o with its own Domains.
func (o organization) clone() organization {
	o.Domains = slices.Clone(o.Domains)
	return o
}

func (o *organization) completedAt(lc Lifecycle) time.Time { return o.CreatedAt.Add(lc.CreateDelay) }

func (o *organization) state(now time.Time, lc Lifecycle) string {
	switch {
	case !o.DeleteRequestedAt.IsZero() && now.Before(o.DeleteRequestedAt.Add(lc.DeleteDelay)):
		return StateDeleting
	case !o.DeleteRequestedAt.IsZero():
		return StateDeleted
	case now.Before(o.CreatedAt.Add(lc.CreateDelay / 2)):
		return StateRequested
	case now.Before(o.completedAt(lc)):
		return StateCreating
	default:
		return StateActive
	}
}

// stable returns the span of time around now over which neither the
// organization's state nor whether it has expired changes: an answer
// computed from the record at now holds over it until the record is
// written.
func (o *organization) stable(now time.Time, lc Lifecycle) respcache.Window {
	var bounds []time.Time
	if o.DeleteRequestedAt.IsZero() {
		bounds = []time.Time{o.CreatedAt.Add(lc.CreateDelay / 2), o.completedAt(lc)}
	} else {
		deleted := o.DeleteRequestedAt.Add(lc.DeleteDelay)
		bounds = []time.Time{deleted, deleted.Add(lc.DeletedRetention)}
	}
	var w respcache.Window
	for _, b := range bounds { // ascending
		if now.Before(b) {
			w.Until = b
			break
		}
		w.From = b
	}
	return w
}

// expired reports whether a deleted organization has passed its retention
// and must now be treated as never having existed.
func (o *organization) expired(now time.Time, lc Lifecycle) bool {
	return !o.DeleteRequestedAt.IsZero() && !now.Before(o.DeleteRequestedAt.Add(lc.DeleteDelay+lc.DeletedRetention))
}

// findOrganization returns the organization in any state (deleted ones
// until their retention ends), or OrganizationNotFoundException.
func (s *Service) findOrganization(r store.Reader, id string) (*organization, error) {
	return s.findOrganizationAt(r, id, s.now())
}

// findOrganizationAt is findOrganization with the clock read by the
// caller, for answers that must follow from one instant.
func (s *Service) findOrganizationAt(r store.Reader, id string, now time.Time) (*organization, error) {
	var o organization
	found, err := s.orgCache.get(r, collOrganizations, id, &o)
	if err != nil {
		return nil, err
	}
	if !found || o.expired(now, s.lifecycle) {
		return nil, model.ErrOrganizationNotFound.Errorf("Organization %s does not exist.", id)
	}
	return &o, nil
}

// activeOrganization is findOrganization for the operations that declare
// OrganizationStateException: anything but Active is refused.
func (s *Service) activeOrganization(r store.Reader, id string) (*organization, error) {
	return s.activeOrganizationAt(r, id, s.now())
}

// activeOrganizationAt is activeOrganization at the caller's instant.
func (s *Service) activeOrganizationAt(r store.Reader, id string, now time.Time) (*organization, error) {
	o, err := s.findOrganizationAt(r, id, now)
	if err != nil {
		return nil, err
	}
	if st := o.state(now, s.lifecycle); st != StateActive {
		return nil, model.ErrOrganizationState.Errorf("Organization %s is not Active, state: %s", id, st)
	}
	return o, nil
}

// CreateOrganization implements WorkMailService.CreateOrganization.
func (s *Service) CreateOrganization(ctx context.Context, in *model.CreateOrganizationInput) (*model.CreateOrganizationOutput, error) {
	var id string
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		digest, err := inputDigest(in, "ClientToken")
		if err != nil {
			return err
		}
		if prior, err := checkClientToken(tx, "CreateOrganization", str(in.ClientToken), digest); err != nil || prior != "" {
			id = prior
			return err
		}
		alias := str(in.Alias)
		if _, err := tx.Get(collOrgAliases, alias); err == nil {
			return model.ErrNameAvailability.Errorf("Organization alias %s is already in use.", alias)
		} else if !isNotFound(err) {
			return err
		}
		o := &organization{
			ID:                "m-" + s.ids.Hex(32),
			Alias:             alias,
			DirectoryType:     directoryTypeWorkMail,
			DefaultMailDomain: alias + ".awsapps.com",
			KmsKeyArn:         str(in.KmsKeyArn),
			Interoperability:  in.EnableInteroperability != nil && *in.EnableInteroperability,
			CreatedAt:         s.now(),
		}
		o.ARN = "arn:aws:workmail:" + p.Region + ":" + p.Account + ":organization/" + o.ID
		for _, d := range in.Domains {
			o.Domains = append(o.Domains, str(d.DomainName))
		}
		if dir := str(in.DirectoryId); dir != "" {
			if _, err := tx.Get(collOrgDirectory, dir); err == nil {
				return model.ErrDirectoryInUse.Errorf("Directory %s is already used by another organization.", dir)
			} else if !isNotFound(err) {
				return err
			}
			o.DirectoryID, o.DirectoryType = dir, directoryTypeExisting
			if err := tx.Put(collOrgDirectory, dir, []byte(o.ID)); err != nil {
				return err
			}
		}
		if err := tx.Put(collOrgAliases, alias, []byte(o.ID)); err != nil {
			return err
		}
		if err := putRecord(tx, collOrganizations, o.ID, o); err != nil {
			return err
		}
		id = o.ID
		return rememberClientToken(tx, "CreateOrganization", str(in.ClientToken), digest, id)
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
	err := s.view(ctx, func(_ store.Partition, r store.Reader) error {
		now := s.now()
		o, err := s.findOrganizationAt(r, str(in.OrganizationId), now)
		if err != nil {
			return err
		}
		respcache.Declare(ctx, o.stable(now, s.lifecycle))
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
	out := &model.ListOrganizationsOutput{OrganizationSummaries: []model.OrganizationSummary{}}
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		scope := listScope("ListOrganizations", p)
		after, err := s.decodeNextToken(scope, in.NextToken)
		if err != nil {
			return err
		}
		limit, now := pageSize(in.MaxResults, defaultListPage), s.now()
		return r.Scan(collOrganizations, "", after, 0, func(id string, raw []byte) (bool, error) {
			var o organization
			if err := decodeRecord(collOrganizations, id, raw, &o); err != nil {
				return false, err
			}
			state := o.state(now, s.lifecycle)
			if state == StateDeleted {
				return true, nil
			}
			if len(out.OrganizationSummaries) == limit {
				out.NextToken = ptr(s.paging.Encode(scope, after))
				return false, nil
			}
			out.OrganizationSummaries = append(out.OrganizationSummaries, model.OrganizationSummary{
				OrganizationId:    ptr(o.ID),
				Alias:             ptr(o.Alias),
				DefaultMailDomain: ptr(o.DefaultMailDomain),
				State:             ptr(state),
			})
			after = id
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteOrganization implements WorkMailService.DeleteOrganization.
func (s *Service) DeleteOrganization(ctx context.Context, in *model.DeleteOrganizationInput) (*model.DeleteOrganizationOutput, error) {
	id := str(in.OrganizationId)
	var state string
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		digest, err := inputDigest(in, "ClientToken")
		if err != nil {
			return err
		}
		if prior, err := checkClientToken(tx, "DeleteOrganization", str(in.ClientToken), digest); err != nil {
			return err
		} else if prior != "" {
			// A retried delete answers as the first one did, with today's state.
			o, err := s.findOrganization(tx, id)
			if err != nil {
				return err
			}
			state = o.state(s.now(), s.lifecycle)
			return nil
		}
		o, err := s.activeOrganization(tx, id)
		if err != nil {
			return err
		}
		o.DeleteRequestedAt = s.now()
		if err := tx.Delete(collOrgAliases, o.Alias); err != nil {
			return err
		}
		if o.DirectoryID != "" {
			if err := tx.Delete(collOrgDirectory, o.DirectoryID); err != nil {
				return err
			}
		}
		if in.DeleteIdentityCenterApplication != nil && *in.DeleteIdentityCenterApplication {
			if err := s.deleteOrganizationApplication(tx, o.ID); err != nil {
				return err
			}
		}
		if err := putRecord(tx, collOrganizations, o.ID, o); err != nil {
			return err
		}
		state = o.state(s.now(), s.lifecycle)
		return rememberClientToken(tx, "DeleteOrganization", str(in.ClientToken), digest, o.ID)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteOrganizationOutput{OrganizationId: &id, State: &state}, nil
}
