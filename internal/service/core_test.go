package service

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// A table keeps its indexes: a taken unique value is refused with the
// index's error, a changed value frees the old one, a delete frees all.
func TestTableIndexes(t *testing.T) {
	f := newFixture(t)
	org := f.org("tables")
	o := orgRef{testPartition, org}
	put := func(g *testGroup) error {
		return f.st.Update(f.ctx, testPartition, func(tx store.Tx) error { return testGroups.put(tx, o, g) })
	}
	holder := func(ix *index, value string) string {
		var held string
		f.view(testPartition, func(r store.Reader) error {
			v, err := r.Get(ix.coll, ix.entryKey(o, ix.folded(value), ""))
			if isNotFound(err) {
				return nil
			}
			held = string(v)
			return err
		})
		return held
	}
	if err := put(&testGroup{ID: "g1", Name: "Sales", Email: "sales@tables.awsapps.com"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, put(&testGroup{ID: "g2", Name: "SALES"}), model.ErrNameAvailability)
	wantCode(t, put(&testGroup{ID: "g2", Name: "other", Aliases: []string{"Sales@Tables.awsapps.com"}}), model.ErrEmailAddressInUse)
	if got := holder(entityNames, "other"); got != "" {
		t.Fatalf("a refused write left the name claimed by %q", got)
	}
	// Renaming frees the old name and address.
	if err := put(&testGroup{ID: "g1", Name: "Sales EU", Email: "sales-eu@tables.awsapps.com"}); err != nil {
		t.Fatal(err)
	}
	if holder(entityNames, "sales") != "" || holder(entityEmails, "sales@tables.awsapps.com") != "" {
		t.Fatal("old name or address still claimed after a change")
	}
	if got := holder(entityNames, "sales eu"); got != "test-group/g1" {
		t.Fatalf("new name held by %q", got)
	}
	if err := put(&testGroup{ID: "g2", Name: "sales", Email: "sales@tables.awsapps.com"}); err != nil {
		t.Fatalf("freed name and address: %v", err)
	}
	// Rewriting a record with the same values changes no entry.
	before := f.records(testPartition, store.Global)
	if err := put(&testGroup{ID: "g2", Name: "Sales", Email: "SALES@tables.awsapps.com"}); err != nil {
		t.Fatal(err)
	}
	if after := f.records(testPartition, store.Global); !slices.Equal(before, after) {
		t.Fatalf("a rewrite changed the records:\n%q\n%q", before, after)
	}
	f.update(func(tx store.Tx) error {
		if err := testGroups.delete(tx, o, "g1"); err != nil {
			return err
		}
		return testGroups.delete(tx, o, "g2")
	})
	for _, r := range f.records(testPartition, store.Global) {
		if strings.Contains(r, "test-group") || strings.Contains(r, "sales") {
			t.Errorf("left after delete: %s", r)
		}
	}
}

// Users and another kind share one namespace of names and addresses; the
// resolver finds an entity by id, address or name among the kinds asked for.
func TestEntityNamespaceAndResolver(t *testing.T) {
	f := newFixture(t)
	org := f.org("ents")
	o := orgRef{testPartition, org}
	f.update(func(tx store.Tx) error {
		return testGroups.put(tx, o, &testGroup{ID: "g1", Name: "team", Email: "team@ents.awsapps.com", Aliases: []string{"crew@ents.awsapps.com"}})
	})
	_, err := f.s.CreateUser(f.ctx, &model.CreateUserInput{OrganizationId: &org, Name: ptr("TEAM"), DisplayName: ptr("x")})
	wantCode(t, err, model.ErrNameAvailability)
	alice := f.user(org, "alice")
	wantCode(t, f.register(org, alice, "Crew@ents.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.register(org, alice, "team@ents.awsapps.com"), model.ErrEmailAddressInUse)
	if err := f.register(org, alice, "alice@ents.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	f.update(func(tx store.Tx) error {
		err := testGroups.put(tx, o, &testGroup{ID: "g2", Name: "g2", Aliases: []string{"ALICE@ents.awsapps.com"}})
		wantCode(t, err, model.ErrEmailAddressInUse)
		return nil
	})

	both := []entityKind{userKind, testGroupKind}
	for _, c := range []struct {
		ident string
		kinds []entityKind
		want  entityRef
		found bool
	}{
		{alice, both, entityRef{"user", alice}, true},
		{"ALICE", both, entityRef{"user", alice}, true},
		{"Alice@Ents.awsapps.com", []entityKind{userKind}, entityRef{"user", alice}, true},
		{"alice", []entityKind{testGroupKind}, entityRef{}, false},
		{"g1", both, entityRef{"test-group", "g1"}, true},
		{"crew@ents.awsapps.com", both, entityRef{"test-group", "g1"}, true},
		{"Team", []entityKind{testGroupKind}, entityRef{"test-group", "g1"}, true},
		{"team", []entityKind{userKind}, entityRef{}, false},
		{"nobody", both, entityRef{}, false},
	} {
		f.view(testPartition, func(r store.Reader) error {
			got, found, err := resolveEntity(r, o, c.ident, c.kinds...)
			if err != nil || found != c.found || got != c.want {
				t.Errorf("resolve %q: %+v %v %v, want %+v %v", c.ident, got, found, err, c.want, c.found)
			}
			return nil
		})
	}
	// DescribeUser resolves users only.
	_, err = f.s.DescribeUser(f.ctx, &model.DescribeUserInput{OrganizationId: &org, UserId: ptr("team")})
	wantCode(t, err, model.ErrEntityNotFound)
}

// The global address index has exactly the addresses claimed, wherever
// they change: register, re-register with another address, delete.
func TestGlobalAddressesFollowEmails(t *testing.T) {
	f := newFixture(t)
	org := f.org("glob")
	addresses := func() []string {
		var got []string
		f.view(store.Global, func(r store.Reader) error {
			return r.Scan(collGlobalAddresses, "", "", 0, func(key string, _ []byte) (bool, error) {
				got = append(got, key)
				return true, nil
			})
		})
		return got
	}
	entry := func(addr string) string { return addr + "/" + testAccount + "/" + testRegion + "/" + org }
	id := f.user(org, "bob")
	if got := addresses(); len(got) != 0 {
		t.Fatalf("before registering: %q", got)
	}
	if err := f.register(org, id, "Bob@glob.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if got := addresses(); !slices.Equal(got, []string{entry("bob@glob.awsapps.com")}) {
		t.Fatalf("after registering: %q", got)
	}
	var g globalAddress
	f.view(store.Global, func(r store.Reader) error {
		raw, err := r.Get(collGlobalAddresses, entry("bob@glob.awsapps.com"))
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, &g)
	})
	if g != (globalAddress{Account: testAccount, Region: testRegion, OrganizationID: org, Kind: "user", ID: id}) {
		t.Fatalf("entry %+v", g)
	}
	// Deregistered users keep their address; registering again elsewhere moves it.
	if _, err := f.s.DeregisterFromWorkMail(f.ctx, &model.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &id}); err != nil {
		t.Fatal(err)
	}
	if err := f.register(org, id, "robert@glob.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if got := addresses(); !slices.Equal(got, []string{entry("robert@glob.awsapps.com")}) {
		t.Fatalf("after re-registering: %q", got)
	}
	if _, err := f.s.DeregisterFromWorkMail(f.ctx, &model.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &id}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &id}); err != nil {
		t.Fatal(err)
	}
	if got := addresses(); len(got) != 0 {
		t.Fatalf("after delete: %q", got)
	}
}

// Paging resumes after the last item returned: records inserted and
// deleted between pages never make a record that was there throughout
// repeat or go missing.
func TestPagingUnderChanges(t *testing.T) {
	f := newFixture(t)
	org := f.org("pages")
	var throughout []string
	for i := range 30 {
		throughout = append(throughout, fmt.Sprintf("keep-%02d", i))
		f.user(org, throughout[i])
	}
	var transient []string
	seen := map[string]int{}
	var token *string
	for n := 0; ; n++ {
		out, err := f.s.ListUsers(f.ctx, &model.ListUsersInput{OrganizationId: &org, MaxResults: ptr[int32](4), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Users) > 4 {
			t.Fatalf("page of %d", len(out.Users))
		}
		for _, u := range out.Users {
			seen[*u.Name]++
		}
		// Between pages: add two users and delete one added earlier.
		transient = append(transient, f.user(org, fmt.Sprintf("new-%02d-a", n)), f.user(org, fmt.Sprintf("new-%02d-b", n)))
		if n > 0 {
			victim := transient[0]
			transient = transient[1:]
			if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &victim}); err != nil {
				t.Fatal(err)
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
		if n > 100 {
			t.Fatal("no end")
		}
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", name, n)
		}
	}
	for _, name := range throughout {
		if seen[name] != 1 {
			t.Errorf("%s missing", name)
		}
	}
	// A token is bound to its list.
	out, err := f.s.ListUsers(f.ctx, &model.ListUsersInput{OrganizationId: &org, MaxResults: ptr[int32](1)})
	if err != nil || out.NextToken == nil {
		t.Fatal(out, err)
	}
	_, err = f.s.ListUsers(f.ctx, &model.ListUsersInput{OrganizationId: &org, NextToken: out.NextToken,
		Filters: &model.ListUsersFilters{UsernamePrefix: ptr("keep")}})
	wantCode(t, err, model.ErrInvalidParameter)
}

// idempotent creates once per token, returns the first result to retries
// and refuses the token with another input.
func TestIdempotentHelper(t *testing.T) {
	f := newFixture(t)
	type input struct {
		Name        string
		ClientToken *string
	}
	n := 0
	call := func(in input) (string, error) {
		var res string
		err := f.st.Update(f.ctx, testPartition, func(tx store.Tx) error {
			var err error
			res, err = idempotent(tx, "Test", in, in.ClientToken, func() (created, error) {
				n++ // counts attempts: the retrying store calls twice per create
				return created{Result: fmt.Sprintf("%s-%d", in.Name, n)}, nil
			})
			return err
		})
		return res, err
	}
	first, err := call(input{"a", ptr("t1")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := call(input{"a", ptr("t1")})
	if err != nil || again != first {
		t.Fatalf("retry: %q %v, want %q", again, err, first)
	}
	_, err = call(input{"b", ptr("t1")})
	wantCode(t, err, model.ErrInvalidParameter)
	other, err := call(input{"a", ptr("t2")})
	if err != nil || other == first {
		t.Fatalf("another token: %q %v", other, err)
	}
	x, _ := call(input{"a", nil})
	y, _ := call(input{"a", nil})
	if x == y {
		t.Fatal("calls without a token must each create")
	}
}

// Purge removes a deleted organization after its retention and a deleted
// user after 30 days, with every record under them, and nothing else.
func TestPurgeRemovesEverythingUnder(t *testing.T) {
	f := newFixture(t)
	other := store.Partition{Account: "444455556666", Region: testRegion}
	baseline := f.records(testPartition, other, store.Global)
	keep := f.org("keep")
	kept := f.user(keep, "kept")
	if err := f.register(keep, kept, "kept@keep.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	afterKeep := f.records(testPartition, other, store.Global)

	// An organization with users, an address, tokens, a configuration and
	// client tokens, then deleted.
	gone := f.populatedOrg("gone")
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &gone, DeleteDirectory: ptr(false), ClientToken: ptr("del-1"),
		// The application is the partition's, not the organization's: delete it with the configuration.
		DeleteIdentityCenterApplication: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	// A user deleted in the kept organization, with a token before that.
	doomed := f.user(keep, "doomed")
	if err := f.register(keep, doomed, "doomed@keep.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeregisterFromWorkMail(f.ctx, &model.DeregisterFromWorkMailInput{OrganizationId: &keep, EntityId: &doomed}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &keep, UserId: &doomed}); err != nil {
		t.Fatal(err)
	}

	// Before their retention ends nothing goes.
	full := f.records(testPartition, other, store.Global)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.records(testPartition, other, store.Global); !slices.Equal(got, full) {
		t.Fatalf("purged early:\n%q\n%q", full, got)
	}
	f.clock.Advance(DefaultDeletedRetention)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	afterOrg := f.records(testPartition, other, store.Global)
	for _, r := range afterOrg {
		if strings.Contains(r, gone) || strings.Contains(r, "del-1") {
			t.Errorf("left of the purged organization: %s", r)
		}
	}
	if !strings.Contains(strings.Join(afterOrg, "\n"), doomed) {
		t.Fatal("the deleted user went before 30 days")
	}
	f.clock.Advance(DeletedUserRetention)
	for range 2 { // idempotent
		if err := f.s.Purge(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := f.records(testPartition, other, store.Global)
	if !slices.Equal(got, afterKeep) {
		t.Fatalf("after purging, records\n%q\nwant those before the purged ones were made\n%q\n(baseline %q)", got, afterKeep, baseline)
	}
}

// populatedOrg makes an Active organization with records of every kind.
func (f *fixture) populatedOrg(alias string) string {
	f.t.Helper()
	out, err := f.s.CreateOrganization(f.ctx, &model.CreateOrganizationInput{Alias: &alias, ClientToken: ptr("create-" + alias), DirectoryId: ptr("d-" + alias)})
	if err != nil {
		f.t.Fatal(err)
	}
	org := *out.OrganizationId
	instance := "arn:aws:sso:::instance/ssoins-1111111111111111"
	app, err := f.s.CreateIdentityCenterApplication(f.ctx, &model.CreateIdentityCenterApplicationInput{Name: ptr("app"), InstanceArn: &instance})
	if err != nil {
		f.t.Fatal(err)
	}
	mode := model.IdentityProviderAuthenticationModeIdentityProviderOnly
	status := model.PersonalAccessTokenConfigurationStatusActive
	_, err = f.s.PutIdentityProviderConfiguration(f.ctx, &model.PutIdentityProviderConfigurationInput{OrganizationId: &org, AuthenticationMode: &mode,
		IdentityCenterConfiguration:      &model.IdentityCenterConfiguration{InstanceArn: &instance, ApplicationArn: app.ApplicationArn},
		PersonalAccessTokenConfiguration: &model.PersonalAccessTokenConfiguration{Status: &status}})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, name := range []string{"ann", "ben"} {
		idp := "a1b2c3d4-1111-2222-3333-44445555666" + name[:1]
		out, err := f.s.CreateUser(f.ctx, &model.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name, IdentityProviderUserId: &idp})
		if err != nil {
			f.t.Fatal(err)
		}
		if err := f.register(org, *out.UserId, name+"@"+alias+".awsapps.com"); err != nil {
			f.t.Fatal(err)
		}
		if _, err := f.s.IssueToken(f.ctx, TokenRequest{Account: testAccount, Region: testRegion, OrganizationID: org, User: name, Name: "t", Scopes: []string{"imap"}}); err != nil {
			f.t.Fatal(err)
		}
		if err := f.putMobileOverride(org, name, "PHONE"+name, model.MobileDeviceAccessRuleEffectAllow); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, err := f.s.CreateMobileDeviceAccessRule(f.ctx, &model.CreateMobileDeviceAccessRuleInput{OrganizationId: &org, ClientToken: ptr("rule-" + alias),
		Name: ptr("deny android"), Effect: ptr(model.MobileDeviceAccessRuleEffectDeny), DeviceTypes: []string{"Android"}}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.s.CreateAvailabilityConfiguration(f.ctx, &model.CreateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: ptr("partner.example"),
		ClientToken: ptr("avail-" + alias), EwsProvider: ews("https://mail.partner.example/EWS/", "svc", "Passw0rd-of-"+alias)}); err != nil {
		f.t.Fatal(err)
	}
	export := f.exportInput(org, "ann")
	export.ClientToken = ptr("export-" + alias)
	if _, err := f.s.StartMailboxExportJob(f.ctx, export); err != nil {
		f.t.Fatal(err)
	}
	// Access control rules, an impersonation role naming a user, and its token.
	role := f.role(org, "auditor", []model.ImpersonationRule{impRule("ann", "ALLOW", []string{"ann"}, nil)})
	if err := f.putRule(org, "ann-imap", "DENY", func(in *model.PutAccessControlRuleInput) {
		in.UserIds, in.ImpersonationRoleIds, in.Actions = []string{"ann"}, []string{role}, []string{"IMAP"}
	}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.assume(org, role); err != nil {
		f.t.Fatal(err)
	}
	return org
}
