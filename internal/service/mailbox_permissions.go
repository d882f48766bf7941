package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// mailboxGrants holds the permissions one grantee has on one entity's
// mailbox, at "<org>/<mailbox entity id>/<grantee id>": the grants on a
// mailbox are one prefix, in grantee id order, and ListMailboxPermissions
// pages through it. The grants a grantee holds are in mailbox-grantee
// ("<org>/<grantee id>/<mailbox id>/<grantee id>"), so that deleting
// either side finds every grant it takes part in.
var mailboxGrants = &table[mailboxGrant]{
	codec: record.For[mailboxGrant](),
	coll:  "mailbox-permission",
	id:    func(g *mailboxGrant) string { return g.MailboxID + "/" + g.GranteeID },
	indexes: []indexOn[mailboxGrant]{
		{grantsHeld, func(g *mailboxGrant) []string { return []string{g.GranteeID} }},
	},
}

var grantsHeld = &index{coll: "mailbox-grantee"}

type mailboxGrant struct {
	MailboxID   string   `json:"mailboxId"`
	GranteeID   string   `json:"granteeId"`
	GranteeKind string   `json:"granteeKind"`
	Permissions []string `json:"permissions"`
}

// permissionSet returns the values without repeats, in the model's order.
func permissionSet(values []model.PermissionType) []string {
	var set []string
	for _, v := range model.PermissionType("").Values() {
		if slices.Contains(values, v) {
			set = append(set, string(v))
		}
	}
	return set
}

// grantParties resolves the mailbox owner and grantee of a permission
// operation. Neither may be deleted (EntityStateException), and an entity
// has no permissions on its own mailbox (InvalidParameterException).
func (s *Service) grantParties(r store.Reader, o orgRef, entityID, granteeID string) (owner, grantee *mailboxEntity, err error) {
	if _, err := s.activeOrganization(r, o); err != nil {
		return nil, nil, err
	}
	if owner, err = s.resolveMailboxEntity(r, o, entityID, mailboxOwners); err != nil {
		return nil, nil, err
	}
	if owner.State == userDeleted {
		return nil, nil, model.ErrEntityState.Errorf("Entity %s is deleted.", owner.ID)
	}
	// GranteeType has no RESOURCE: a resource cannot hold permissions.
	if _, isResource, err := resolveEntity(r, o, granteeID, resourceKind); err != nil || isResource {
		if err == nil {
			err = model.ErrInvalidParameter.Errorf("%s is a resource: permissions are granted to users and groups.", granteeID)
		}
		return nil, nil, err
	}
	if grantee, err = s.resolveMailboxEntity(r, o, granteeID, mailboxGrantees); err != nil {
		return nil, nil, err
	}
	if grantee.State == userDeleted {
		return nil, nil, model.ErrEntityState.Errorf("Grantee %s is deleted.", grantee.ID)
	}
	if owner.ID == grantee.ID {
		return nil, nil, model.ErrInvalidParameter.Errorf("Entity %s cannot be granted permissions on its own mailbox.", owner.ID)
	}
	return owner, grantee, nil
}

// PutMailboxPermissions implements WorkMailService.PutMailboxPermissions:
// the grantee's permissions on the entity's mailbox become exactly
// PermissionValues, replacing any it had (an empty list removes them).
// The entity must be ENABLED (only a registered entity has a mailbox or
// address to share); the grantee may be DISABLED. FULL_ACCESS cannot be
// granted on a kind without a mailbox of its own (a group).
func (s *Service) PutMailboxPermissions(ctx context.Context, in *model.PutMailboxPermissionsInput) (*model.PutMailboxPermissionsOutput, error) {
	set := permissionSet(in.PermissionValues)
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		owner, grantee, err := s.grantParties(tx, o, str(in.EntityId), str(in.GranteeId))
		if err != nil {
			return err
		}
		if owner.State != userEnabled {
			return model.ErrEntityState.Errorf("Entity %s is %s: register it to WorkMail before sharing its mailbox.", owner.ID, owner.State)
		}
		if !owner.party.fullAccess && slices.Contains(set, string(model.PermissionTypeFullAccess)) {
			return model.ErrInvalidParameter.Errorf("FULL_ACCESS cannot be granted on %s: a %s has no mailbox of its own.", owner.ID, owner.Kind)
		}
		g := &mailboxGrant{MailboxID: owner.ID, GranteeID: grantee.ID, GranteeKind: grantee.Kind, Permissions: set}
		if len(set) == 0 {
			return mailboxGrants.delete(tx, o, mailboxGrants.id(g))
		}
		return mailboxGrants.put(tx, o, g)
	})
	if err != nil {
		return nil, err
	}
	return &model.PutMailboxPermissionsOutput{}, nil
}

// DeleteMailboxPermissions implements
// WorkMailService.DeleteMailboxPermissions: the grantee loses every
// permission on the entity's mailbox. Both must exist and not be deleted;
// a grantee without permissions there is no error. A DISABLED entity's
// permissions can be removed.
func (s *Service) DeleteMailboxPermissions(ctx context.Context, in *model.DeleteMailboxPermissionsInput) (*model.DeleteMailboxPermissionsOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		owner, grantee, err := s.grantParties(tx, o, str(in.EntityId), str(in.GranteeId))
		if err != nil {
			return err
		}
		return mailboxGrants.delete(tx, o, owner.ID+"/"+grantee.ID)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteMailboxPermissionsOutput{}, nil
}

// ListMailboxPermissions implements WorkMailService.ListMailboxPermissions:
// the permissions on the entity's mailbox, one item per grantee, in
// grantee id order. The model declares no EntityStateException here, so a
// deleted entity is EntityNotFoundException.
func (s *Service) ListMailboxPermissions(ctx context.Context, in *model.ListMailboxPermissionsInput) (*model.ListMailboxPermissionsOutput, error) {
	var out *model.ListMailboxPermissionsOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		owner, err := s.resolveMailboxEntity(r, o, str(in.EntityId), mailboxOwners)
		if err != nil {
			return err
		}
		if owner.State == userDeleted {
			return model.ErrEntityNotFound.Errorf("Entity %s is deleted.", owner.ID)
		}
		pg, err := s.newPager("ListMailboxPermissions", p, in.NextToken, in.MaxResults, o.ID, owner.ID)
		if err != nil {
			return err
		}
		list, next, err := page(r, pg, mailboxGrants.coll, o.prefix()+owner.ID+"/", func(key string, raw []byte) (model.Permission, bool, error) {
			g, err := mailboxGrants.decode(key, raw)
			if err != nil {
				return model.Permission{}, false, err
			}
			perm, err := permissionItem(g)
			return perm, err == nil, err
		})
		out = &model.ListMailboxPermissionsOutput{Permissions: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func permissionItem(g *mailboxGrant) (model.Permission, error) {
	i := slices.IndexFunc(mailboxGrantees, func(p mailboxParty) bool { return p.kind.name == g.GranteeKind })
	if i < 0 {
		return model.Permission{}, fmt.Errorf("service: mailbox permission %s/%s names grantee kind %q", g.MailboxID, g.GranteeID, g.GranteeKind)
	}
	values := make([]model.PermissionType, len(g.Permissions))
	for j, v := range g.Permissions {
		values[j] = model.PermissionType(v)
	}
	return model.Permission{GranteeId: ptr(g.GranteeID), GranteeType: ptr(mailboxGrantees[i].grantee), PermissionValues: values}, nil
}
