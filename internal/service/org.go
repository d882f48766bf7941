package service

import (
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
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

// organization is the stored record. States are not stored: they follow
// from the timestamps and the configured Lifecycle, so a movable test clock
// moves them too and no background work is needed (Purge only removes
// what no answer can show any more).
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
	// Activated is set by ActivateOrganization: the organization is
	// Active from then on whatever the reading server's clock says.
	Activated bool `json:"activated,omitempty"`
	// DeleteRequestedAt is zero until DeleteOrganization succeeds.
	DeleteRequestedAt time.Time `json:"deleteRequestedAt,omitzero"`

	// Not stored: the instant findOrganizationAt read the record at and
	// the configured domain verification delay, so that a registered
	// domain's state follows from the record as read (see domains.go).
	readAt      time.Time
	domainDelay time.Duration
}

// organizations is a partition-level table (organization ids are the
// scope of everything else). Alias and directory are unique while the
// organization is not deleted.
var organizations = &table[organization]{
	codec: record.For[organization](),
	coll:  "organization",
	id:    func(o *organization) string { return o.ID },
	indexes: []indexOn[organization]{
		{orgAliases, func(o *organization) []string { return whileLive(o, o.Alias) }},
		{orgDirectories, func(o *organization) []string { return whileLive(o, o.DirectoryID) }},
	},
}

var (
	orgAliases = &index{coll: "organization-alias", unique: true,
		conflict: func(_, alias string) error {
			return model.ErrNameAvailability.Errorf("Organization alias %s is already in use.", alias)
		}}
	orgDirectories = &index{coll: "organization-dir", unique: true,
		conflict: func(_, dir string) error {
			return model.ErrDirectoryInUse.Errorf("Directory %s is already used by another organization.", dir)
		}}
)

func whileLive(o *organization, v string) []string {
	if v == "" || !o.DeleteRequestedAt.IsZero() {
		return nil
	}
	return []string{v}
}

func (o *organization) completedAt(lc Lifecycle) time.Time { return o.CreatedAt.Add(lc.CreateDelay) }

// state follows from the timestamps, except that a zero delay makes the
// transition regardless of the clock: the timestamp may come from another
// server whose clock is a little ahead of this one's, and an organization
// Active (or Deleted) when CreateOrganization (or DeleteOrganization)
// returned must be so on every server at once. For the same reason an
// activated organization is Active without looking at the clock.
func (o *organization) state(now time.Time, lc Lifecycle) string {
	switch {
	case !o.DeleteRequestedAt.IsZero() && lc.DeleteDelay > 0 && now.Before(o.DeleteRequestedAt.Add(lc.DeleteDelay)):
		return StateDeleting
	case !o.DeleteRequestedAt.IsZero():
		return StateDeleted
	case lc.CreateDelay <= 0 || o.Activated:
		return StateActive
	case now.Before(o.CreatedAt.Add(lc.CreateDelay / 2)):
		return StateRequested
	case now.Before(o.completedAt(lc)):
		return StateCreating
	default:
		return StateActive
	}
}

// expired reports whether a deleted organization has passed its retention
// and must now be treated as never having existed (Purge removes it).
func (o *organization) expired(now time.Time, lc Lifecycle) bool {
	return !o.DeleteRequestedAt.IsZero() && !now.Before(o.DeleteRequestedAt.Add(lc.DeleteDelay+lc.DeletedRetention))
}

// findOrganization returns the organization in any state (deleted ones
// until their retention ends), or OrganizationNotFoundException.
func (s *Service) findOrganization(r store.Reader, o orgRef) (*organization, error) {
	return s.findOrganizationAt(r, o, s.now())
}

// findOrganizationAt is findOrganization with the clock read by the
// caller, for answers that must follow from one instant.
func (s *Service) findOrganizationAt(r store.Reader, o orgRef, now time.Time) (*organization, error) {
	org, err := organizations.get(r, orgRef{Partition: o.Partition}, o.ID)
	if err != nil {
		return nil, err
	}
	if org == nil || org.expired(now, s.lifecycle) {
		return nil, model.ErrOrganizationNotFound.Errorf("Organization %s does not exist.", o.ID)
	}
	org.readAt, org.domainDelay = now, s.lifecycle.DomainVerificationDelay
	return org, nil
}

// activeOrganization is the prelude of every operation that declares
// OrganizationStateException: the organization must exist and be Active.
func (s *Service) activeOrganization(r store.Reader, o orgRef) (*organization, error) {
	now := s.now()
	org, err := s.findOrganizationAt(r, o, now)
	if err != nil {
		return nil, err
	}
	if st := org.state(now, s.lifecycle); st != StateActive {
		return nil, model.ErrOrganizationState.Errorf("Organization %s is not Active, state: %s", o.ID, st)
	}
	return org, nil
}
