package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// groups is the table of the group kind of entity. Records live under
// "<organization id>/<group id>", so one organization's groups are one
// ordered prefix that ListGroups pages through. While a group is not
// deleted its name and addresses are in the shared entity indexes
// (entity.go), which keep them unique. ListGroups reads indexes of groups
// only, so that each filter pages through exactly the groups it shows:
// while not deleted, its name and primary email; always, its state. A
// deleted group is in group-deleted, by deletion time, until Purge:
//
//	group-name     org/lower(name) NUL group id, while not deleted
//	group-email    org/lower(primary email) NUL group id, while not deleted
//	group-state    org/state/group id
//	group-deleted  org/deletion time/group id, while deleted
var groups = &table[group]{
	codec: record.For[group](),
	coll:  "group",
	id:    func(g *group) string { return g.ID },
	indexes: []indexOn[group]{
		{entityNames, func(g *group) []string { return g.whileUndeleted(g.Name) }},
		{entityEmails, func(g *group) []string { return g.whileUndeleted(g.all()...) }},
		{groupNames, func(g *group) []string { return g.whileUndeleted(g.Name) }},
		{groupEmails, func(g *group) []string { return g.whileUndeleted(g.Email) }},
		{groupStates, func(g *group) []string { return []string{g.State} }},
		{deletedGroups, func(g *group) []string {
			if g.State != userDeleted {
				return nil
			}
			return []string{deletedAtKey(g.DeletedAt)}
		}},
	},
}

var (
	groupNames    = &index{coll: "group-name", fold: true, byValue: true}
	groupEmails   = &index{coll: "group-email", fold: true, byValue: true}
	groupStates   = &index{coll: "group-state"}
	deletedGroups = &index{coll: "group-deleted"}
	groupKind     = kindOf(groups)
)

// group is the stored record. A group is a distribution list: it has no
// mailbox, so it has none of a user's mailbox dates. Timestamps are zero
// until the event happens.
type group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	addresses
	State  string `json:"state"`
	Hidden bool   `json:"hidden,omitempty"`

	CreatedAt  time.Time `json:"createdAt"`
	EnabledAt  time.Time `json:"enabledAt,omitzero"`
	DisabledAt time.Time `json:"disabledAt,omitzero"`
	DeletedAt  time.Time `json:"deletedAt,omitzero"`
}

// whileUndeleted returns the non-empty values while the group is not
// deleted: a deleted group holds no name or address.
func (g *group) whileUndeleted(vs ...string) []string {
	if g.State == userDeleted {
		return nil
	}
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// resolveGroup finds the group an EntityIdentifier names (an id, an
// address or a name; see resolveEntity). A deleted group answers by id
// only, until DeletedUserRetention ends; then, like an identifier that
// never existed, it is EntityNotFoundException.
func (s *Service) resolveGroup(r store.Reader, o orgRef, ident string) (*group, error) {
	ref, found, err := resolveEntity(r, o, ident, groupKind)
	if err != nil {
		return nil, err
	}
	var g *group
	if found {
		if g, err = groups.get(r, o, ref.ID); err != nil {
			return nil, err
		}
	}
	if g == nil || s.gone(g.State, g.DeletedAt) {
		return nil, model.ErrEntityNotFound.Errorf("Group %s does not exist in organization %s.", ident, o.ID)
	}
	return g, nil
}

// undeletedGroup resolves a group for operations that use or change it:
// a deleted group is EntityStateException.
func (s *Service) undeletedGroup(r store.Reader, o orgRef, ident string) (*group, error) {
	g, err := s.resolveGroup(r, o, ident)
	if err != nil {
		return nil, err
	}
	if g.State == userDeleted {
		return nil, model.ErrEntityState.Errorf("Group %s is deleted.", g.ID)
	}
	return g, nil
}

// CreateGroup implements WorkMailService.CreateGroup. The group starts
// DISABLED without an address: RegisterToWorkMail enables it, as in
// WorkMail (Terraform calls it right after CreateGroup).
func (s *Service) CreateGroup(ctx context.Context, in *model.CreateGroupInput) (*model.CreateGroupOutput, error) {
	g := &group{
		ID:        s.ids.UUID(),
		Name:      str(in.Name),
		State:     userDisabled,
		Hidden:    in.HiddenFromGlobalAddressList != nil && *in.HiddenFromGlobalAddressList,
		CreatedAt: s.now(),
	}
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		return groups.insert(tx, o, g)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateGroupOutput{GroupId: &g.ID}, nil
}

// DescribeGroup implements WorkMailService.DescribeGroup: by id, address
// or name; a deleted group by id, with State DELETED, for the retention.
func (s *Service) DescribeGroup(ctx context.Context, in *model.DescribeGroupInput) (*model.DescribeGroupOutput, error) {
	var out *model.DescribeGroupOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		g, err := s.resolveGroup(r, o, str(in.GroupId))
		if err != nil {
			return err
		}
		out = &model.DescribeGroupOutput{
			GroupId:                     ptr(g.ID),
			Name:                        ptr(g.Name),
			Email:                       optional(g.Email),
			State:                       ptr(model.EntityState(g.State)),
			EnabledDate:                 timestamp(g.EnabledAt),
			DisabledDate:                timestamp(g.DisabledAt),
			HiddenFromGlobalAddressList: ptr(g.Hidden),
		}
		return nil
	})
	return out, err
}

// UpdateGroup implements WorkMailService.UpdateGroup: an absent
// HiddenFromGlobalAddressList leaves it as it is.
func (s *Service) UpdateGroup(ctx context.Context, in *model.UpdateGroupInput) (*model.UpdateGroupOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		g, err := s.undeletedGroup(tx, o, str(in.GroupId))
		if err != nil || in.HiddenFromGlobalAddressList == nil {
			return err
		}
		g.Hidden = *in.HiddenFromGlobalAddressList
		return groups.put(tx, o, g)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateGroupOutput{}, nil
}

// DeleteGroup implements WorkMailService.DeleteGroup. Only a DISABLED
// group can be deleted; an unknown or already deleted one succeeds (the
// model declares no EntityNotFoundException). The group's name and
// addresses become free, its memberships both ways are dropped, and the
// record stays describable by id with State DELETED for the retention.
func (s *Service) DeleteGroup(ctx context.Context, in *model.DeleteGroupInput) (*model.DeleteGroupOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		g, err := s.resolveGroup(tx, o, str(in.GroupId))
		if errors.Is(err, model.ErrEntityNotFound) || (err == nil && g.State == userDeleted) {
			return nil
		}
		if err != nil {
			return err
		}
		if g.State != userDisabled {
			return model.ErrEntityState.Errorf("Group %s is %s: deregister it from WorkMail before deleting it.", g.ID, g.State)
		}
		if err := entityRemoved(tx, o, entityRef{groupKind.name, g.ID}, s.now()); err != nil {
			return err
		}
		g.State, g.DeletedAt = userDeleted, s.now()
		return groups.put(tx, o, g)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteGroupOutput{}, nil
}

// registerGroup is RegisterToWorkMail for a group, with the user rules: a
// DISABLED group becomes ENABLED with the address; an ENABLED one
// registered again with its own address changes nothing, with another it
// is EntityAlreadyRegisteredException; a deleted one is EntityStateException.
func (s *Service) registerGroup(tx store.Tx, o orgRef, org *organization, id, email string) error {
	g, err := s.resolveGroup(tx, o, id)
	if err != nil {
		return err
	}
	switch {
	case g.State == userDeleted:
		return model.ErrEntityState.Errorf("Group %s is deleted.", g.ID)
	case g.State == userEnabled && strings.EqualFold(g.Email, email):
		return nil
	case g.State == userEnabled:
		return model.ErrEntityAlreadyRegistered.Errorf("Group %s is already registered to WorkMail as %s.", g.ID, g.Email)
	}
	if err := checkMailDomain(tx, o, org, email); err != nil {
		return err
	}
	g.State, g.Email, g.EnabledAt, g.DisabledAt = userEnabled, email, s.now(), time.Time{}
	return groups.put(tx, o, g) // claims the address, releases the old one
}

// deregisterGroup is DeregisterFromWorkMail for a group: an ENABLED group
// becomes DISABLED and keeps its address until it is deleted, as users do.
func (s *Service) deregisterGroup(tx store.Tx, o orgRef, id string) error {
	g, err := s.resolveGroup(tx, o, id)
	if err != nil {
		return err
	}
	if g.State != userEnabled {
		return model.ErrEntityState.Errorf("Group %s is %s, not registered to WorkMail.", g.ID, g.State)
	}
	g.State, g.DisabledAt = userDisabled, s.now()
	return groups.put(tx, o, g)
}

// purgeGroup removes a deleted group's record and index entries; its
// memberships went when it was deleted.
func purgeGroup(tx store.Tx, o orgRef, id string) error {
	return groups.delete(tx, o, id)
}
