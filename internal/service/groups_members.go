package service

import (
	"context"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// memberships are the direct members of groups, one record per (group,
// member), both ways, and by the group's name:
//
//	group-member          org/<group id>/<member id>                               -> membership
//	member-of-group       org/<member id>/<group id>/<member id>                   -> ""
//	member-of-group-name  org/<member id>/lower(<group name>) NUL <group id>/<member id> -> ""
//
// so that ListGroupMembers pages through a group's records in member id
// order and ListGroupsForEntity through a member's index entries in group
// id order, or in group name order under GroupNamePrefix, each reading
// only what it returns, and deleting either side finds every membership
// it takes with it. A group's name never changes (UpdateGroup sets only
// its visibility), so the record can carry it.
var memberships = &table[membership]{
	codec: record.For[membership](),
	coll:  "group-member",
	id:    func(m *membership) string { return m.GroupID + "/" + m.MemberID },
	indexes: []indexOn[membership]{
		{memberOf, func(m *membership) []string { return []string{m.MemberID} }},
		{memberOfByName, func(m *membership) []string { return []string{groupNameKey(m.MemberID, m.GroupName)} }},
	},
}

var (
	memberOf       = &index{coll: "member-of-group"}
	memberOfByName = &index{coll: "member-of-group-name", byValue: true}
)

// groupNameKey is the value a membership holds in memberOfByName, and with
// a prefix of a group name the prefix of the entries it matches: the
// member id as it is, the name without regard to case.
func groupNameKey(memberID, groupName string) string {
	return memberID + "/" + strings.ToLower(groupName)
}

type membership struct {
	GroupID    string `json:"groupId"`
	GroupName  string `json:"groupName"`  // the group's name, for memberOfByName
	MemberKind string `json:"memberKind"` // the member's table: user or group
	MemberID   string `json:"memberId"`
}

// memberKinds are the kinds of entity a group can have as members
// (MemberType is USER or GROUP).
var memberKinds = []entityKind{userKind, groupKind}

// memberType is the MemberType of a member kind.
func memberType(kind string) model.MemberType {
	if kind == groupKind.name {
		return model.MemberTypeGroup
	}
	return model.MemberTypeUser
}

// member is an undeleted user or group, as memberships need it.
type member struct {
	ref         entityRef
	name, state string
	enabledAt   *model.Timestamp
	disabledAt  *model.Timestamp
	deleted     bool
}

// resolveMember finds the user or group an EntityIdentifier names. An
// entity of another kind (a resource) is InvalidParameterException; an
// unknown one, or one deleted past its retention, EntityNotFoundException.
func (s *Service) resolveMember(r store.Reader, o orgRef, ident string) (*member, error) {
	ref, found, err := resolveEntity(r, o, ident, memberKinds...)
	if err != nil {
		return nil, err
	}
	if !found {
		if other, ok, err := heldByAnyKind(r, o, ident); err != nil || ok {
			if ok {
				err = model.ErrInvalidParameter.Errorf("%s is a %s: only users and groups can be members of a group.", ident, other.Kind)
			}
			return nil, err
		}
		return nil, model.ErrEntityNotFound.Errorf("Entity %s does not exist in organization %s.", ident, o.ID)
	}
	m, err := s.readMember(r, o, ref)
	if err == nil && m == nil {
		err = model.ErrEntityNotFound.Errorf("Entity %s does not exist in organization %s.", ident, o.ID)
	}
	return m, err
}

// readMember reads a user or group by kind and id: nil when there is none,
// or it was deleted past its retention.
func (s *Service) readMember(r store.Reader, o orgRef, ref entityRef) (*member, error) {
	if ref.Kind == groupKind.name {
		g, err := groups.get(r, o, ref.ID)
		if err != nil || g == nil || s.gone(g.State, g.DeletedAt) {
			return nil, err
		}
		return &member{ref: ref, name: g.Name, state: g.State, enabledAt: timestamp(g.EnabledAt), disabledAt: timestamp(g.DisabledAt), deleted: g.State == userDeleted}, nil
	}
	u, err := users.get(r, o, ref.ID)
	if err != nil || u == nil || (u.State == userDeleted && !s.now().Before(u.DeletedAt.Add(DeletedUserRetention))) {
		return nil, err
	}
	return &member{ref: ref, name: u.Name, state: u.State, enabledAt: timestamp(u.EnabledAt), disabledAt: timestamp(u.DisabledAt), deleted: u.State == userDeleted}, nil
}

// heldByAnyKind reports which entity, of any kind, holds ident as its
// address or name.
func heldByAnyKind(r store.Reader, o orgRef, ident string) (entityRef, bool, error) {
	for _, ix := range []*index{entityEmails, entityNames} {
		held, err := r.Get(ix.coll, ix.entryKey(o, ix.folded(ident), ""))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return entityRef{}, false, err
		}
		kind, id := parseHolder(held)
		return entityRef{kind, id}, true, nil
	}
	return entityRef{}, false, nil
}

// groupAndMember resolves both sides of AssociateMemberToGroup and
// DisassociateMemberFromGroup: each must exist and not be deleted.
func (s *Service) groupAndMember(r store.Reader, o orgRef, groupID, memberID string) (*group, *member, error) {
	if _, err := s.activeOrganization(r, o); err != nil {
		return nil, nil, err
	}
	g, err := s.undeletedGroup(r, o, groupID)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.resolveMember(r, o, memberID)
	if err != nil {
		return nil, nil, err
	}
	if m.deleted {
		return nil, nil, model.ErrEntityState.Errorf("Member %s is deleted.", m.ref.ID)
	}
	return g, m, nil
}

// AssociateMemberToGroup implements WorkMailService.AssociateMemberToGroup.
// Members are users or groups, ENABLED or DISABLED; adding a member again
// changes nothing. A group cannot be a member of itself, nor of a group
// that is (directly or through other groups) one of its own members:
// InvalidParameterException, so that membership never forms a cycle.
func (s *Service) AssociateMemberToGroup(ctx context.Context, in *model.AssociateMemberToGroupInput) (*model.AssociateMemberToGroupOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		g, m, err := s.groupAndMember(tx, o, str(in.GroupId), str(in.MemberId))
		if err != nil {
			return err
		}
		rec := &membership{GroupID: g.ID, GroupName: g.Name, MemberKind: m.ref.Kind, MemberID: m.ref.ID}
		if ok, err := memberships.has(tx, o, memberships.id(rec)); err != nil || ok {
			return err
		}
		if m.ref.Kind == groupKind.name {
			if m.ref.ID == g.ID {
				return model.ErrInvalidParameter.Errorf("Group %s cannot be a member of itself.", g.ID)
			}
			within, err := nestedIn(tx, o, m.ref.ID, g.ID)
			if err != nil {
				return err
			}
			if within {
				return model.ErrInvalidParameter.Errorf("Group %s is a member of group %s, directly or through other groups: adding %s to %s would make a cycle.", g.ID, m.ref.ID, m.ref.ID, g.ID)
			}
		}
		return memberships.insert(tx, o, rec)
	})
	if err != nil {
		return nil, err
	}
	return &model.AssociateMemberToGroupOutput{}, nil
}

// nestedIn reports whether group target is a member of group outer,
// directly or through groups that are members of it.
func nestedIn(r store.Reader, o orgRef, outer, target string) (bool, error) {
	seen := map[string]bool{outer: true}
	queue := []string{outer}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		prefix := memberships.key(o, id+"/")
		found := false
		err := r.Scan(memberships.coll, prefix, "", 0, func(key string, raw []byte) (bool, error) {
			m, err := memberships.decode(key, raw)
			if err != nil || m.MemberKind != groupKind.name {
				return err == nil, err
			}
			if m.MemberID == target {
				found = true
				return false, nil
			}
			if !seen[m.MemberID] {
				seen[m.MemberID] = true
				queue = append(queue, m.MemberID)
			}
			return true, nil
		})
		if err != nil || found {
			return found, err
		}
	}
	return false, nil
}

// DisassociateMemberFromGroup implements
// WorkMailService.DisassociateMemberFromGroup. Removing an entity that is
// not a member changes nothing.
func (s *Service) DisassociateMemberFromGroup(ctx context.Context, in *model.DisassociateMemberFromGroupInput) (*model.DisassociateMemberFromGroupOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		g, m, err := s.groupAndMember(tx, o, str(in.GroupId), str(in.MemberId))
		if err != nil {
			return err
		}
		return memberships.delete(tx, o, g.ID+"/"+m.ref.ID)
	})
	if err != nil {
		return nil, err
	}
	return &model.DisassociateMemberFromGroupOutput{}, nil
}

// ListGroupMembers implements WorkMailService.ListGroupMembers: the
// group's direct members, in member id order.
func (s *Service) ListGroupMembers(ctx context.Context, in *model.ListGroupMembersInput) (*model.ListGroupMembersOutput, error) {
	var out *model.ListGroupMembersOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		g, err := s.undeletedGroup(r, o, str(in.GroupId))
		if err != nil {
			return err
		}
		pg, err := s.newPager("ListGroupMembers", p, in.NextToken, in.MaxResults, o.ID, g.ID)
		if err != nil {
			return err
		}
		list, next, err := page(r, pg, memberships.coll, memberships.key(o, g.ID+"/"), func(key string, raw []byte) (model.Member, bool, error) {
			rec, err := memberships.decode(key, raw)
			if err != nil {
				return model.Member{}, false, err
			}
			m, err := s.readMember(r, o, entityRef{rec.MemberKind, rec.MemberID})
			if err != nil || m == nil {
				return model.Member{}, false, err
			}
			return model.Member{
				Id:           ptr(m.ref.ID),
				Name:         ptr(m.name),
				Type:         ptr(memberType(m.ref.Kind)),
				State:        ptr(model.EntityState(m.state)),
				EnabledDate:  m.enabledAt,
				DisabledDate: m.disabledAt,
			}, true, nil
		})
		out = &model.ListGroupMembersOutput{Members: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListGroupsForEntity implements WorkMailService.ListGroupsForEntity: the
// groups the user or group is a direct member of, in group id order;
// GroupNamePrefix keeps those whose name starts with it, without regard
// to case, in the order of the name (then of the id), read from
// memberOfByName so that a page reads only what it returns.
func (s *Service) ListGroupsForEntity(ctx context.Context, in *model.ListGroupsForEntityInput) (*model.ListGroupsForEntityOutput, error) {
	var prefix *string
	if in.Filters != nil {
		prefix = in.Filters.GroupNamePrefix
	}
	var out *model.ListGroupsForEntityOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		m, err := s.resolveMember(r, o, str(in.EntityId))
		if err != nil {
			return err
		}
		if m.deleted {
			return model.ErrEntityState.Errorf("Entity %s is deleted.", m.ref.ID)
		}
		pg, err := s.newPager("ListGroupsForEntity", p, in.NextToken, in.MaxResults, o.ID, m.ref.ID, given(prefix))
		if err != nil {
			return err
		}
		coll, scan := memberOf.coll, memberOf.entryKey(o, m.ref.ID, "")
		groupOf := func(key string) string {
			groupID, _, _ := strings.Cut(key[len(scan):], "/")
			return groupID
		}
		if prefix != nil {
			coll, scan = memberOfByName.coll, o.prefix()+groupNameKey(m.ref.ID, *prefix)
			groupOf = func(key string) string {
				groupID, _, _ := strings.Cut(entryID(key), "/")
				return groupID
			}
		}
		list, next, err := page(r, pg, coll, scan, func(key string, _ []byte) (model.GroupIdentifier, bool, error) {
			g, err := groups.get(r, o, groupOf(key))
			if err != nil || g == nil || (prefix != nil && !hasPrefixFold(g.Name, *prefix)) {
				return model.GroupIdentifier{}, false, err
			}
			return model.GroupIdentifier{GroupId: ptr(g.ID), GroupName: ptr(g.Name)}, true, nil
		})
		out = &model.ListGroupsForEntityOutput{Groups: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dropMemberships removes, when an entity is deleted, the memberships it
// holds (a group's members) and those held on it (the groups it is in).
func dropMemberships(tx store.Tx, o orgRef, ref entityRef) error {
	var ids []string
	if ref.Kind == groupKind.name {
		prefix := memberships.key(o, ref.ID+"/")
		err := tx.Scan(memberships.coll, prefix, "", 0, func(key string, _ []byte) (bool, error) {
			ids = append(ids, key[len(o.prefix()):])
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	in, err := memberships.ids(tx, o, memberOf, ref.ID)
	if err != nil {
		return err
	}
	for _, id := range append(ids, in...) {
		if err := memberships.delete(tx, o, id); err != nil {
			return err
		}
	}
	return nil
}
