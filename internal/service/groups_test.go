package service

import (
	"slices"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

func (f *fixture) group(org, name string) string {
	f.t.Helper()
	out, err := f.s.CreateGroup(f.ctx, &model.CreateGroupInput{OrganizationId: &org, Name: &name})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.GroupId
}

func (f *fixture) describeGroup(org, ident string) (*model.DescribeGroupOutput, error) {
	return f.s.DescribeGroup(f.ctx, &model.DescribeGroupInput{OrganizationId: &org, GroupId: &ident})
}

func (f *fixture) associate(org, grp, member string) error {
	_, err := f.s.AssociateMemberToGroup(f.ctx, &model.AssociateMemberToGroupInput{OrganizationId: &org, GroupId: &grp, MemberId: &member})
	return err
}

func (f *fixture) members(org, grp string) []string {
	f.t.Helper()
	out, err := f.s.ListGroupMembers(f.ctx, &model.ListGroupMembersInput{OrganizationId: &org, GroupId: &grp})
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []string
	for _, m := range out.Members {
		ids = append(ids, *m.Id+":"+string(*m.Type))
	}
	return ids
}

func (f *fixture) groupsOf(org, entity string) []string {
	f.t.Helper()
	out, err := f.s.ListGroupsForEntity(f.ctx, &model.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &entity})
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []string
	for _, g := range out.Groups {
		ids = append(ids, *g.GroupId)
	}
	return ids
}

func (f *fixture) deregister(org, id string) error {
	_, err := f.s.DeregisterFromWorkMail(f.ctx, &model.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &id})
	return err
}

func (f *fixture) deleteGroup(org, ident string) error {
	_, err := f.s.DeleteGroup(f.ctx, &model.DeleteGroupInput{OrganizationId: &org, GroupId: &ident})
	return err
}

// A group follows the user states: created DISABLED without an address,
// enabled by RegisterToWorkMail with an address of the organization's
// domains, deleted only when DISABLED, then DELETED by id for 30 days.
func TestGroupLifecycle(t *testing.T) {
	f := newFixture(t)
	org := f.org("life")
	id := f.group(org, "Sales Team")
	d, err := f.describeGroup(org, "sales team")
	if err != nil || *d.GroupId != id || *d.Name != "Sales Team" || *d.State != model.EntityStateDisabled || d.Email != nil || d.EnabledDate != nil || *d.HiddenFromGlobalAddressList {
		t.Fatalf("new group: %+v %v", d, err)
	}
	// One namespace with users, without regard to case.
	_, err = f.s.CreateUser(f.ctx, &model.CreateUserInput{OrganizationId: &org, Name: ptr("SALES TEAM"), DisplayName: ptr("x")})
	wantCode(t, err, model.ErrNameAvailability)
	f.user(org, "bob")
	_, err = f.s.CreateGroup(f.ctx, &model.CreateGroupInput{OrganizationId: &org, Name: ptr("Bob")})
	wantCode(t, err, model.ErrNameAvailability)

	wantCode(t, f.register(org, id, "sales@elsewhere.example"), model.ErrMailDomainNotFound)
	if err := f.register(org, "bob", "bob@life.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.register(org, id, "BOB@life.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.deregister(org, id), model.ErrEntityState)
	if d, _ := f.describeGroup(org, id); *d.State != model.EntityStateDisabled || d.Email != nil {
		t.Fatalf("failed registrations changed the group: %+v", d)
	}

	registeredAt := f.clock.Now()
	if err := f.register(org, "Sales Team", "Sales@life.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.register(org, id, "sales@LIFE.awsapps.com"); err != nil {
		t.Fatalf("registering again with the same address: %v", err)
	}
	wantCode(t, f.register(org, id, "team@life.awsapps.com"), model.ErrEntityAlreadyRegistered)
	d, _ = f.describeGroup(org, "SALES@life.awsapps.com")
	if *d.GroupId != id || *d.State != model.EntityStateEnabled || *d.Email != "Sales@life.awsapps.com" || !d.EnabledDate.Time.Equal(registeredAt) || d.DisabledDate != nil {
		t.Fatalf("registered group: %+v", d)
	}
	// The address is the group's: a user cannot take it.
	wantCode(t, f.register(org, f.user(org, "carol"), "sales@life.awsapps.com"), model.ErrEmailAddressInUse)

	wantCode(t, f.deleteGroup(org, id), model.ErrEntityState)
	hidden := true
	if _, err := f.s.UpdateGroup(f.ctx, &model.UpdateGroupInput{OrganizationId: &org, GroupId: &id, HiddenFromGlobalAddressList: &hidden}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.UpdateGroup(f.ctx, &model.UpdateGroupInput{OrganizationId: &org, GroupId: &id}); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.describeGroup(org, id); !*d.HiddenFromGlobalAddressList {
		t.Fatal("an UpdateGroup without HiddenFromGlobalAddressList changed it")
	}

	f.clock.Advance(1000)
	if err := f.deregister(org, id); err != nil {
		t.Fatal(err)
	}
	d, _ = f.describeGroup(org, id)
	if *d.State != model.EntityStateDisabled || *d.Email != "Sales@life.awsapps.com" || d.DisabledDate == nil {
		t.Fatalf("deregistered group: %+v", d)
	}
	if err := f.deleteGroup(org, "sales team"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // deleting again, or an unknown group, succeeds
		if err := f.deleteGroup(org, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.deleteGroup(org, "nobody"); err != nil {
		t.Fatal(err)
	}
	d, err = f.describeGroup(org, id)
	if err != nil || *d.State != model.EntityStateDeleted {
		t.Fatalf("deleted group: %+v %v", d, err)
	}
	for _, ident := range []string{"Sales Team", "sales@life.awsapps.com"} {
		_, err := f.describeGroup(org, ident)
		wantCode(t, err, model.ErrEntityNotFound)
	}
	_, err = f.s.UpdateGroup(f.ctx, &model.UpdateGroupInput{OrganizationId: &org, GroupId: &id, HiddenFromGlobalAddressList: &hidden})
	wantCode(t, err, model.ErrEntityState)
	wantCode(t, f.register(org, id, "sales@life.awsapps.com"), model.ErrEntityState)
	wantCode(t, f.deregister(org, id), model.ErrEntityState)
	// Name and address are free again.
	again := f.group(org, "sales team")
	if err := f.register(org, again, "sales@life.awsapps.com"); err != nil {
		t.Fatal(err)
	}

	f.clock.Advance(DeletedUserRetention)
	_, err = f.describeGroup(org, id)
	wantCode(t, err, model.ErrEntityNotFound)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition, store.Global) {
		if strings.Contains(r, id) {
			t.Errorf("left after purge: %s", r)
		}
	}
	if _, err := f.describeGroup(org, again); err != nil {
		t.Fatalf("purge took the live group: %v", err)
	}
}

// Members are users and groups; a group may contain groups but never
// itself, directly or through others. Deleting either side drops the
// memberships both ways.
func TestGroupMemberships(t *testing.T) {
	f := newFixture(t)
	org := f.org("members")
	eng, ops, all := f.group(org, "eng"), f.group(org, "ops"), f.group(org, "all")
	ann, ben := f.user(org, "ann"), f.user(org, "ben")
	for _, m := range [][2]string{{eng, "ann"}, {eng, ben}, {ops, ben}, {all, "eng"}, {all, ops}, {eng, ann}} {
		if err := f.associate(org, m[0], m[1]); err != nil {
			t.Fatalf("associate %s to %s: %v", m[1], m[0], err)
		}
	}
	sortedIDs := func(ids ...string) []string { slices.Sort(ids); return ids }
	if got := f.members(org, eng); !slices.Equal(got, sortedIDs(ann+":USER", ben+":USER")) {
		t.Fatalf("members of eng: %v", got)
	}
	if got := f.members(org, all); !slices.Equal(got, sortedIDs(eng+":GROUP", ops+":GROUP")) {
		t.Fatalf("members of all: %v", got)
	}
	if got := f.groupsOf(org, ben); !slices.Equal(got, sortedIDs(eng, ops)) {
		t.Fatalf("groups of ben: %v", got)
	}
	if got := f.groupsOf(org, ann); !slices.Equal(got, []string{eng}) {
		t.Fatalf("groups of ann (direct only): %v", got)
	}

	// No group in itself, and no cycle.
	wantCode(t, f.associate(org, eng, eng), model.ErrInvalidParameter)
	wantCode(t, f.associate(org, eng, "all"), model.ErrInvalidParameter)
	sub := f.group(org, "sub")
	if err := f.associate(org, eng, sub); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.associate(org, sub, all), model.ErrInvalidParameter)
	// Unknown on either side.
	wantCode(t, f.associate(org, "nogroup", ann), model.ErrEntityNotFound)
	wantCode(t, f.associate(org, eng, "nobody"), model.ErrEntityNotFound)
	wantCode(t, f.associate(org, ann, ben), model.ErrEntityNotFound) // a user is no group
	// Disassociating a non-member changes nothing.
	if _, err := f.s.DisassociateMemberFromGroup(f.ctx, &model.DisassociateMemberFromGroupInput{OrganizationId: &org, GroupId: &ops, MemberId: &ann}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DisassociateMemberFromGroup(f.ctx, &model.DisassociateMemberFromGroupInput{OrganizationId: &org, GroupId: &ops, MemberId: &ben}); err != nil {
		t.Fatal(err)
	}
	if got := f.groupsOf(org, ben); !slices.Equal(got, []string{eng}) {
		t.Fatalf("groups of ben after leaving ops: %v", got)
	}

	// Deleting a user drops its memberships; deleting a group drops its
	// members and its own memberships.
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &ben}); err != nil {
		t.Fatal(err)
	}
	if got := f.members(org, eng); !slices.Equal(got, sortedIDs(ann+":USER", sub+":GROUP")) {
		t.Fatalf("members of eng after deleting ben: %v", got)
	}
	_, err := f.s.ListGroupsForEntity(f.ctx, &model.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &ben})
	wantCode(t, err, model.ErrEntityState)
	wantCode(t, f.associate(org, eng, ben), model.ErrEntityState)
	if err := f.deleteGroup(org, eng); err != nil {
		t.Fatal(err)
	}
	if got := f.members(org, all); !slices.Equal(got, []string{ops + ":GROUP"}) {
		t.Fatalf("members of all after deleting eng: %v", got)
	}
	if got := f.groupsOf(org, ann); len(got) != 0 {
		t.Fatalf("groups of ann after deleting eng: %v", got)
	}
	if got := f.groupsOf(org, sub); len(got) != 0 {
		t.Fatalf("groups of sub after deleting eng: %v", got)
	}
	_, err = f.s.ListGroupMembers(f.ctx, &model.ListGroupMembersInput{OrganizationId: &org, GroupId: &eng})
	wantCode(t, err, model.ErrEntityState)
	wantCode(t, f.associate(org, eng, ann), model.ErrEntityState)
	_, err = f.s.DisassociateMemberFromGroup(f.ctx, &model.DisassociateMemberFromGroupInput{OrganizationId: &org, GroupId: &all, MemberId: &eng})
	wantCode(t, err, model.ErrEntityState)
	f.view(testPartition, func(r store.Reader) error {
		for _, coll := range []string{memberships.coll, memberOf.coll} {
			err := r.Scan(coll, "", "", 0, func(key string, _ []byte) (bool, error) {
				if strings.Contains(key, eng) || strings.Contains(key, ben) {
					t.Errorf("membership left: %s %s", coll, key)
				}
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// An entity of another kind (here the tests' second kind, standing for
// resources) cannot be a member.
func TestGroupMemberOfAnotherKind(t *testing.T) {
	f := newFixture(t)
	org := f.org("kinds")
	g := f.group(org, "g")
	f.update(func(tx store.Tx) error {
		return testGroups.insert(tx, orgRef{testPartition, org}, &testGroup{ID: "r-1", Name: "room", Email: "room@kinds.awsapps.com"})
	})
	for _, ident := range []string{"room", "room@kinds.awsapps.com"} {
		wantCode(t, f.associate(org, g, ident), model.ErrInvalidParameter)
	}
}

// DescribeEntity finds users and groups by primary address and alias,
// without regard to case, and no deleted or unknown entity.
func TestDescribeEntity(t *testing.T) {
	f := newFixture(t)
	org := f.org("desc")
	u, g := f.user(org, "ann"), f.group(org, "team")
	if err := f.register(org, u, "ann@desc.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.register(org, g, "team@desc.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	o := orgRef{testPartition, org}
	f.update(func(tx store.Tx) error { // an alias, as CreateAlias gives one
		rec, err := groups.get(tx, o, g)
		if err != nil {
			return err
		}
		rec.Aliases = []string{"crew@desc.awsapps.com"}
		return groups.put(tx, o, rec)
	})
	describe := func(email string) (*model.DescribeEntityOutput, error) {
		return f.s.DescribeEntity(f.ctx, &model.DescribeEntityInput{OrganizationId: &org, Email: &email})
	}
	for email, want := range map[string]model.DescribeEntityOutput{
		"ANN@desc.awsapps.com":  {EntityId: &u, Name: ptr("ann"), Type: ptr(model.EntityTypeUser)},
		"team@desc.awsapps.com": {EntityId: &g, Name: ptr("team"), Type: ptr(model.EntityTypeGroup)},
		"Crew@Desc.awsapps.com": {EntityId: &g, Name: ptr("team"), Type: ptr(model.EntityTypeGroup)},
	} {
		got, err := describe(email)
		if err != nil || *got.EntityId != *want.EntityId || *got.Name != *want.Name || *got.Type != *want.Type {
			t.Errorf("%s: %+v %v", email, got, err)
		}
	}
	_, err := describe("nobody@desc.awsapps.com")
	wantCode(t, err, model.ErrEntityNotFound)
	if err := f.deregister(org, g); err != nil {
		t.Fatal(err)
	}
	if err := f.deleteGroup(org, g); err != nil {
		t.Fatal(err)
	}
	_, err = describe("team@desc.awsapps.com")
	wantCode(t, err, model.ErrEntityNotFound)
}

// Deleting an organization purges its groups and memberships with it.
func TestPurgeOrganizationTakesGroups(t *testing.T) {
	f := newFixture(t)
	before := f.records(testPartition, store.Global)
	org := f.org("doomed")
	g, h := f.group(org, "g"), f.group(org, "h")
	u := f.user(org, "u")
	if err := f.register(org, g, "g@doomed.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	for _, m := range [][2]string{{g, u}, {g, h}, {h, u}} {
		if err := f.associate(org, m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.deleteGroup(org, h); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultDeletedRetention)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, r := range f.records(testPartition, store.Global) {
		if !slices.Contains(before, r) && !strings.HasPrefix(r, store.Global.Account+" "+collPartitions) && !strings.Contains(r, collMeta) {
			left = append(left, r)
		}
	}
	if len(left) != 0 {
		t.Fatalf("left after purging the organization: %q", left)
	}
}
