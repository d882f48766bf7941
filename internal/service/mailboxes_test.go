package service

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// mailboxUser is an ENABLED user of org registered as name@<alias>.awsapps.com.
func (f *fixture) mailboxUser(org, alias, name string) string {
	f.t.Helper()
	id := f.user(org, name)
	if err := f.register(org, id, name+"@"+alias+".awsapps.com"); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) details(org, user string) (*model.GetMailboxDetailsOutput, error) {
	return f.s.GetMailboxDetails(f.ctx, &model.GetMailboxDetailsInput{OrganizationId: &org, UserId: &user})
}

func (f *fixture) setQuota(org, user string, quota int32) error {
	_, err := f.s.UpdateMailboxQuota(f.ctx, &model.UpdateMailboxQuotaInput{OrganizationId: &org, UserId: &user, MailboxQuota: &quota})
	return err
}

func (f *fixture) grant(org, entity, grantee string, values ...model.PermissionType) error {
	_, err := f.s.PutMailboxPermissions(f.ctx, &model.PutMailboxPermissionsInput{OrganizationId: &org, EntityId: &entity, GranteeId: &grantee, PermissionValues: values})
	return err
}

func (f *fixture) revoke(org, entity, grantee string) error {
	_, err := f.s.DeleteMailboxPermissions(f.ctx, &model.DeleteMailboxPermissionsInput{OrganizationId: &org, EntityId: &entity, GranteeId: &grantee})
	return err
}

// permissions lists every grant on entity's mailbox, page by page, as
// "grantee TYPE VALUE,VALUE".
func (f *fixture) permissions(org, entity string, pageSize int32) ([]string, error) {
	var all []string
	var next *string
	for {
		out, err := f.s.ListMailboxPermissions(f.ctx, &model.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &entity, NextToken: next, MaxResults: &pageSize})
		if err != nil {
			return nil, err
		}
		for _, p := range out.Permissions {
			vals := make([]string, len(p.PermissionValues))
			for i, v := range p.PermissionValues {
				vals[i] = string(v)
			}
			all = append(all, *p.GranteeId+" "+string(*p.GranteeType)+" "+strings.Join(vals, ","))
		}
		if next = out.NextToken; next == nil {
			return all, nil
		}
	}
}

func TestMailboxQuota(t *testing.T) {
	f := newFixture(t)
	org := f.org("quota")
	// A user has no mailbox until it is registered.
	fresh := f.user(org, "fresh")
	_, err := f.details(org, fresh)
	wantCode(t, err, model.ErrEntityNotFound)
	wantCode(t, f.setQuota(org, fresh, 100), model.ErrEntityState)

	alice := f.mailboxUser(org, "quota", "alice")
	d, err := f.details(org, "alice@quota.awsapps.com")
	if err != nil || *d.MailboxQuota != defaultMailboxQuota || d.MailboxSize == nil || *d.MailboxSize != 0 {
		t.Fatalf("new mailbox: %+v, %v", d, err)
	}
	if err := f.setQuota(org, "ALICE", 2048); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.details(org, alice); *d.MailboxQuota != 2048 {
		t.Fatalf("quota %d after UpdateMailboxQuota 2048", *d.MailboxQuota)
	}
	wantCode(t, f.setQuota(org, alice, maxMailboxQuota+1), model.ErrInvalidParameter)
	if err := f.setQuota(org, alice, maxMailboxQuota); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.setQuota(org, "nobody", 10), model.ErrEntityNotFound)
	_, err = f.details(org, "nobody")
	wantCode(t, err, model.ErrEntityNotFound)

	// A deregistered user keeps its mailbox, and its quota, but the quota
	// cannot change until it is registered again.
	if err := f.setQuota(org, alice, 4096); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeregisterFromWorkMail(f.ctx, &model.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &alice}); err != nil {
		t.Fatal(err)
	}
	if d, err := f.details(org, alice); err != nil || *d.MailboxQuota != 4096 {
		t.Fatalf("deregistered user's mailbox: %+v, %v", d, err)
	}
	wantCode(t, f.setQuota(org, alice, 100), model.ErrEntityState)

	// A deleted user has no mailbox, and loses the quota.
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &alice}); err != nil {
		t.Fatal(err)
	}
	_, err = f.details(org, alice)
	wantCode(t, err, model.ErrEntityNotFound)
	wantCode(t, f.setQuota(org, alice, 100), model.ErrEntityState)
	f.clock.Advance(DeletedUserRetention)
	wantCode(t, f.setQuota(org, alice, 100), model.ErrEntityNotFound)
	f.view(testPartition, func(r store.Reader) error {
		q, err := mailboxQuotas.get(r, orgRef{testPartition, org}, alice)
		if q != nil {
			t.Errorf("deleted user's quota is still stored: %+v", q)
		}
		return err
	})
}

func TestMailboxPermissions(t *testing.T) {
	f := newFixture(t)
	org := f.org("perms")
	alice := f.mailboxUser(org, "perms", "alice")
	bob := f.mailboxUser(org, "perms", "bob")
	carol := f.user(org, "carol") // DISABLED: may hold permissions, has no mailbox to share

	full, sendAs, onBehalf := model.PermissionTypeFullAccess, model.PermissionTypeSendAs, model.PermissionTypeSendOnBehalf
	if err := f.grant(org, "alice", "bob@perms.awsapps.com", sendAs, full, sendAs); err != nil {
		t.Fatal(err)
	}
	if err := f.grant(org, alice, carol, onBehalf); err != nil {
		t.Fatal(err)
	}
	want := []string{bob + " USER FULL_ACCESS,SEND_AS", carol + " USER SEND_ON_BEHALF"}
	slices.Sort(want)
	if got, err := f.permissions(org, "alice@perms.awsapps.com", 100); err != nil || !slices.Equal(got, want) {
		t.Fatalf("permissions %q, %v; want %q", got, err, want)
	}
	// Put replaces the grantee's whole set; repeating it changes nothing.
	for range 2 {
		if err := f.grant(org, alice, bob, onBehalf); err != nil {
			t.Fatal(err)
		}
	}
	want = []string{bob + " USER SEND_ON_BEHALF", carol + " USER SEND_ON_BEHALF"}
	slices.Sort(want)
	if got, _ := f.permissions(org, alice, 1); !slices.Equal(got, want) {
		t.Fatalf("after replace %q, want %q", got, want)
	}
	// An empty set removes the grant.
	if err := f.grant(org, alice, carol); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.permissions(org, alice, 100); !slices.Equal(got, []string{bob + " USER SEND_ON_BEHALF"}) {
		t.Fatalf("after an empty Put %q", got)
	}

	// Wrong situations, each with its error; none changes anything.
	before := f.records(testPartition)
	wantCode(t, f.grant(org, alice, alice, sendAs), model.ErrInvalidParameter)
	wantCode(t, f.grant(org, "nobody", bob, sendAs), model.ErrEntityNotFound)
	wantCode(t, f.grant(org, alice, "nobody", sendAs), model.ErrEntityNotFound)
	wantCode(t, f.grant(org, carol, bob, sendAs), model.ErrEntityState) // DISABLED owner
	wantCode(t, f.revoke(org, "nobody", bob), model.ErrEntityNotFound)
	wantCode(t, f.revoke(org, alice, "nobody"), model.ErrEntityNotFound)
	wantCode(t, f.revoke(org, alice, alice), model.ErrInvalidParameter)
	_, err := f.permissions(org, "nobody", 10)
	wantCode(t, err, model.ErrEntityNotFound)
	if after := f.records(testPartition); !slices.Equal(before, after) {
		t.Fatal("a refused request changed the records")
	}
	// Deleting a grant that is not there succeeds; so does deleting one of a DISABLED owner.
	if err := f.revoke(org, bob, alice); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.permissions(org, carol, 100); len(got) != 0 {
		t.Fatalf("carol's mailbox has permissions %q", got)
	}
	if err := f.revoke(org, alice, bob); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.permissions(org, alice, 100); len(got) != 0 {
		t.Fatalf("after delete %q", got)
	}
	// Another organization's entities are unknown.
	other := f.org("other")
	dave := f.mailboxUser(other, "other", "dave")
	wantCode(t, f.grant(org, alice, dave, sendAs), model.ErrEntityNotFound)
}

// Deleting an entity removes the permissions on its mailbox and those it
// holds on others', and its quota; a deleted entity is EntityState for
// Put and Delete and EntityNotFound for List.
func TestMailboxCascadeOnDelete(t *testing.T) {
	f := newFixture(t)
	org := f.org("cascade")
	o := orgRef{testPartition, org}
	alice := f.mailboxUser(org, "cascade", "alice")
	bob := f.mailboxUser(org, "cascade", "bob")
	carol := f.mailboxUser(org, "cascade", "carol")
	base := f.records(testPartition)
	for _, g := range [][2]string{{alice, bob}, {alice, carol}, {bob, alice}, {bob, carol}, {carol, alice}} {
		if err := f.grant(org, g[0], g[1], model.PermissionTypeSendAs); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.setQuota(org, alice, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeregisterFromWorkMail(f.ctx, &model.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &alice}); err != nil {
		t.Fatal(err)
	}
	// A deregistered user keeps its permissions both ways.
	if got, _ := f.permissions(org, alice, 100); len(got) != 2 {
		t.Fatalf("deregistered user's mailbox lists %q", got)
	}
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &alice}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.permissions(org, bob, 100); !slices.Equal(got, []string{carol + " USER SEND_AS"}) {
		t.Fatalf("bob's mailbox after alice's deletion lists %q", got)
	}
	if got, _ := f.permissions(org, carol, 100); len(got) != 0 {
		t.Fatalf("carol's mailbox after alice's deletion lists %q", got)
	}
	_, err := f.permissions(org, alice, 100)
	wantCode(t, err, model.ErrEntityNotFound)
	wantCode(t, f.grant(org, alice, bob, model.PermissionTypeSendAs), model.ErrEntityState)
	wantCode(t, f.grant(org, bob, alice, model.PermissionTypeSendAs), model.ErrEntityState)
	wantCode(t, f.revoke(org, bob, alice), model.ErrEntityState)
	f.view(testPartition, func(r store.Reader) error {
		ids, err := mailboxGrants.ids(r, o, grantsHeld, alice)
		if len(ids) != 0 {
			t.Errorf("alice still holds grants %q", ids)
		}
		return err
	})
	// Once bob's grant goes too, only alice's changed user record differs from before.
	if err := f.revoke(org, bob, carol); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition) {
		if strings.Contains(r, "mailbox") && !slices.Contains(base, r) {
			t.Errorf("left after the grants went: %s", r)
		}
	}
}

// Purging a deleted organization removes its quotas and permissions.
func TestMailboxPurgeWithOrganization(t *testing.T) {
	f := newFixture(t)
	org := f.org("purged")
	alice := f.mailboxUser(org, "purged", "alice")
	bob := f.mailboxUser(org, "purged", "bob")
	if err := f.grant(org, alice, bob, model.PermissionTypeFullAccess); err != nil {
		t.Fatal(err)
	}
	if err := f.setQuota(org, bob, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultDeletedRetention)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition, store.Global) {
		if strings.Contains(r, org) {
			t.Errorf("left of the purged organization: %s", r)
		}
	}
}

// Groups share their address (SEND_AS, SEND_ON_BEHALF, never FULL_ACCESS:
// a group has no mailbox) and receive permissions on others' mailboxes,
// listed as GROUP; deleting a group drops its grants both ways.
func TestMailboxPermissionsWithGroups(t *testing.T) {
	f := newFixture(t)
	org := f.org("groups")
	alice := f.mailboxUser(org, "groups", "alice")
	sales := f.group(org, "sales")
	wantCode(t, f.grant(org, sales, alice, model.PermissionTypeSendAs), model.ErrEntityState) // not registered
	if err := f.register(org, sales, "sales@groups.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.grant(org, "sales@groups.awsapps.com", alice, model.PermissionTypeFullAccess), model.ErrInvalidParameter)
	if err := f.grant(org, "sales", alice, model.PermissionTypeSendAs, model.PermissionTypeSendOnBehalf); err != nil {
		t.Fatal(err)
	}
	if err := f.grant(org, alice, sales, model.PermissionTypeFullAccess); err != nil {
		t.Fatal(err)
	}
	if got, err := f.permissions(org, sales, 100); err != nil || !slices.Equal(got, []string{alice + " USER SEND_AS,SEND_ON_BEHALF"}) {
		t.Fatalf("the group's permissions: %q, %v", got, err)
	}
	if got, err := f.permissions(org, alice, 100); err != nil || !slices.Equal(got, []string{sales + " GROUP FULL_ACCESS"}) {
		t.Fatalf("alice's permissions: %q, %v", got, err)
	}
	_, err := f.details(org, sales) // quotas are for users only
	wantCode(t, err, model.ErrEntityNotFound)
	if err := f.deregister(org, sales); err != nil {
		t.Fatal(err)
	}
	if err := f.deleteGroup(org, sales); err != nil {
		t.Fatal(err)
	}
	if got, err := f.permissions(org, alice, 100); err != nil || len(got) != 0 {
		t.Fatalf("alice's permissions after the group's deletion: %q, %v", got, err)
	}
	f.view(testPartition, func(r store.Reader) error {
		o := orgRef{testPartition, org}
		held, err := mailboxGrants.ids(r, o, grantsHeld, sales)
		if err != nil || len(held) != 0 {
			t.Errorf("the deleted group still holds grants %q (%v)", held, err)
		}
		var on []string
		err = r.Scan(mailboxGrants.coll, o.prefix()+sales+"/", "", 0, func(key string, _ []byte) (bool, error) {
			on = append(on, key)
			return true, nil
		})
		if err != nil || len(on) != 0 {
			t.Errorf("grants left on the deleted group: %q (%v)", on, err)
		}
		return nil
	})
}

// ListMailboxPermissions pages through a few hundred grants without
// repeating or skipping one, while grants are added and removed.
func TestMailboxPermissionsPaging(t *testing.T) {
	f := newFixture(t)
	org := f.org("paging")
	o := orgRef{testPartition, org}
	owner := f.mailboxUser(org, "paging", "owner")
	const n = 300
	var want []string
	f.update(func(tx store.Tx) error { // one write: 300 CreateUser calls would be slow for no gain
		want = nil
		for i := range n {
			id := f.s.ids.UUID()
			if err := users.insert(tx, o, &user{ID: id, Name: "u" + strings.Repeat("0", 3-len(itoa(i))) + itoa(i), State: userDisabled}); err != nil {
				return err
			}
			if err := mailboxGrants.put(tx, o, &mailboxGrant{MailboxID: owner, GranteeID: id, GranteeKind: userKind.name, Permissions: []string{"SEND_AS"}}); err != nil {
				return err
			}
			want = append(want, id+" USER SEND_AS")
		}
		return nil
	})
	slices.Sort(want)
	for _, size := range []int32{1, 7, 100} {
		got, err := f.permissions(org, owner, size)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("pages of %d: %d grants, %v; want %d in order", size, len(got), err, len(want))
		}
	}
	// Changes between pages: what was there throughout is listed once.
	page := int32(50)
	out, err := f.s.ListMailboxPermissions(f.ctx, &model.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &owner, MaxResults: &page})
	if err != nil || len(out.Permissions) != 50 || out.NextToken == nil {
		t.Fatalf("first page: %d, %v", len(out.Permissions), err)
	}
	newcomer := f.mailboxUser(org, "paging", "newcomer")
	if err := f.grant(org, owner, newcomer, model.PermissionTypeSendAs); err != nil {
		t.Fatal(err)
	}
	gone := strings.Fields(want[n-1])[0]
	if err := f.revoke(org, owner, gone); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range out.Permissions {
		seen[*p.GranteeId] = true
	}
	for next := out.NextToken; next != nil; {
		out, err := f.s.ListMailboxPermissions(f.ctx, &model.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &owner, MaxResults: &page, NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.Permissions {
			if seen[*p.GranteeId] {
				t.Fatalf("%s listed twice", *p.GranteeId)
			}
			seen[*p.GranteeId] = true
		}
		next = out.NextToken
	}
	for _, w := range want[:n-1] {
		if id := strings.Fields(w)[0]; !seen[id] {
			t.Fatalf("%s skipped", id)
		}
	}
	if seen[gone] {
		t.Fatal("a grant deleted before its page was listed")
	}
	// A token of one mailbox's list is refused by another's.
	_, err = f.s.ListMailboxPermissions(f.ctx, &model.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &newcomer, NextToken: out.NextToken})
	wantCode(t, err, model.ErrInvalidParameter)
}

func itoa(i int) string { return strconv.Itoa(i) }
