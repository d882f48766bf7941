package service

import (
	"slices"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// The three kinds meet: a group delegates a room, a room's mailbox is
// shared, DescribeEntity finds each kind, names and addresses are one
// namespace, and deleting any of them leaves nothing of it on the others.
func TestDirectoryKindsTogether(t *testing.T) {
	f := newFixture(t)
	org := f.org("mixed")
	alice := f.mailboxUser(org, "mixed", "alice")
	staff := f.group(org, "staff")
	if err := f.register(org, staff, "staff@mixed.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	room := f.resource(org, "boardroom")
	if err := f.register(org, "boardroom", "boardroom@mixed.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	base := f.records(testPartition, store.Global)

	// One namespace of names and addresses across kinds.
	_, err := f.s.CreateGroup(f.ctx, &model.CreateGroupInput{OrganizationId: &org, Name: ptr("boardroom")})
	wantCode(t, err, model.ErrNameAvailability)
	room2 := f.resource(org, "annex")
	wantCode(t, f.register(org, room2, "STAFF@mixed.awsapps.com"), model.ErrEmailAddressInUse)

	for ident, want := range map[string]string{
		"alice@mixed.awsapps.com":     alice + " alice USER",
		"staff@mixed.awsapps.com":     staff + " staff GROUP",
		"Boardroom@Mixed.awsapps.com": room + " boardroom RESOURCE",
	} {
		out, err := f.s.DescribeEntity(f.ctx, &model.DescribeEntityInput{OrganizationId: &org, Email: &ident})
		if err != nil {
			t.Fatalf("DescribeEntity %s: %v", ident, err)
		}
		if got := *out.EntityId + " " + *out.Name + " " + string(*out.Type); got != want {
			t.Errorf("DescribeEntity %s = %s, want %s", ident, got, want)
		}
	}

	// A group is a delegate; a room's mailbox is shared with a user and a
	// group; a room holds no permissions.
	if err := f.delegate(org, room, "staff"); err != nil {
		t.Fatal(err)
	}
	if err := f.delegate(org, room, alice); err != nil {
		t.Fatal(err)
	}
	if got, want := f.delegates(org, room), []string{"GROUP " + staff, "USER " + alice}; !sameSet(got, want) {
		t.Errorf("delegates %q, want %q", got, want)
	}
	if err := f.grant(org, room, alice, model.PermissionTypeFullAccess); err != nil {
		t.Fatal(err)
	}
	if err := f.grant(org, "boardroom@mixed.awsapps.com", staff, model.PermissionTypeSendOnBehalf); err != nil {
		t.Fatal(err)
	}
	if got, err := f.permissions(org, room, 100); err != nil || !sameSet(got, []string{alice + " USER FULL_ACCESS", staff + " GROUP SEND_ON_BEHALF"}) {
		t.Errorf("the room's permissions: %q, %v", got, err)
	}
	wantCode(t, f.grant(org, alice, room, model.PermissionTypeSendAs), model.ErrInvalidParameter)
	_, err = f.details(org, room) // quotas are users'
	wantCode(t, err, model.ErrEntityNotFound)

	// Deleting the group drops its delegation and its grant on the room.
	if err := f.deregister(org, staff); err != nil {
		t.Fatal(err)
	}
	if err := f.deleteGroup(org, staff); err != nil {
		t.Fatal(err)
	}
	if got := f.delegates(org, room); !slices.Equal(got, []string{"USER " + alice}) {
		t.Errorf("delegates after the group's deletion: %q", got)
	}
	if got, _ := f.permissions(org, room, 100); !slices.Equal(got, []string{alice + " USER FULL_ACCESS"}) {
		t.Errorf("the room's permissions after the group's deletion: %q", got)
	}
	// Deleting the room drops what hangs on it; only deleted records stay
	// (until Purge), besides the second room.
	if err := f.deregister(org, room); err != nil {
		t.Fatal(err)
	}
	if err := f.deleteResource(org, room); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition, store.Global) {
		if slices.Contains(base, r) || strings.Contains(r, room2) || strings.Contains(r, "annex") {
			continue
		}
		if !strings.Contains(r, " group ") && !strings.Contains(r, " resource ") && !strings.Contains(r, "-deleted ") &&
			!strings.Contains(r, " resource-state ") && !strings.Contains(r, " group-state ") {
			t.Errorf("left after the deletions: %s", r)
		}
	}
}

// Groups and resources have addresses as users do: aliases, a new primary
// address, one namespace with the other kinds, and DescribeEntity by alias.
func TestAddressesOfEveryKind(t *testing.T) {
	f := newFixture(t)
	org := f.org("addr")
	alice := f.mailboxUser(org, "addr", "alice")
	staff := f.group(org, "staff")
	room := f.resource(org, "boardroom")
	wantCode(t, f.alias(org, staff, "team@addr.awsapps.com"), model.ErrEntityState) // not registered
	for id, email := range map[string]string{staff: "staff@addr.awsapps.com", room: "boardroom@addr.awsapps.com"} {
		if err := f.register(org, id, email); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.alias(org, staff, "team@addr.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.alias(org, room, "room1@addr.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.alias(org, alice, "TEAM@addr.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.alias(org, room, "staff@addr.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.alias(org, room, "room@elsewhere.example"), model.ErrMailDomainNotFound)
	if got := f.aliases(org, staff, 10); !slices.Equal(got, []string{"team@addr.awsapps.com"}) {
		t.Errorf("the group's aliases: %q", got)
	}
	if err := f.primary(org, room, "room1@addr.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if got := f.describeResource(org, room).Email; got == nil || *got != "room1@addr.awsapps.com" {
		t.Errorf("the room's primary address is %v", got)
	}
	for ident, want := range map[string]string{"team@addr.awsapps.com": staff, "room1@addr.awsapps.com": room} {
		out, err := f.s.DescribeEntity(f.ctx, &model.DescribeEntityInput{OrganizationId: &org, Email: &ident})
		if err != nil || *out.EntityId != want {
			t.Errorf("DescribeEntity %s: %v, %v; want %s", ident, out, err, want)
		}
	}
	// Deleting the group frees its addresses, aliases included.
	if err := f.deregister(org, staff); err != nil {
		t.Fatal(err)
	}
	if err := f.deleteGroup(org, staff); err != nil {
		t.Fatal(err)
	}
	if err := f.alias(org, alice, "team@addr.awsapps.com"); err != nil {
		t.Errorf("the deleted group's alias is not free: %v", err)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
