package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

func contextFor(ctx context.Context, account string) context.Context {
	return auth.NewContext(ctx, auth.Principal{Account: account, Region: testRegion})
}

func (f *fixture) alias(org, entity, alias string) error {
	_, err := f.s.CreateAlias(f.ctx, &model.CreateAliasInput{OrganizationId: &org, EntityId: &entity, Alias: &alias})
	return err
}

func (f *fixture) unalias(org, entity, alias string) error {
	_, err := f.s.DeleteAlias(f.ctx, &model.DeleteAliasInput{OrganizationId: &org, EntityId: &entity, Alias: &alias})
	return err
}

func (f *fixture) primary(org, entity, email string) error {
	_, err := f.s.UpdatePrimaryEmailAddress(f.ctx, &model.UpdatePrimaryEmailAddressInput{OrganizationId: &org, EntityId: &entity, Email: &email})
	return err
}

// aliases lists every alias, page by page.
func (f *fixture) aliases(org, entity string, pageSize int32) []string {
	f.t.Helper()
	var all []string
	var token *string
	for {
		out, err := f.s.ListAliases(f.ctx, &model.ListAliasesInput{OrganizationId: &org, EntityId: &entity, MaxResults: &pageSize, NextToken: token})
		if err != nil {
			f.t.Fatal(err)
		}
		all = append(all, out.Aliases...)
		if token = out.NextToken; token == nil {
			return all
		}
	}
}

func (f *fixture) email(org, user string) string {
	f.t.Helper()
	out, err := f.s.DescribeUser(f.ctx, &model.DescribeUserInput{OrganizationId: &org, UserId: &user})
	if err != nil {
		f.t.Fatal(err)
	}
	return str(out.Email)
}

// The alias rules: an ENABLED entity, a verified domain of the
// organization, an address no other entity has (its own primary
// included), idempotent create and delete, and the primary address not
// deletable as an alias.
func TestAliases(t *testing.T) {
	f := newFixture(t).withDomainDelay(time.Hour)
	org := f.org("al")
	alice, bob := f.user(org, "alice"), f.user(org, "bob")
	wantCode(t, f.alias(org, alice, "a@al.awsapps.com"), model.ErrEntityState) // not registered yet
	for _, u := range []struct{ id, email string }{{alice, "alice@al.awsapps.com"}, {bob, "bob@al.awsapps.com"}} {
		if err := f.register(org, u.id, u.email); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.alias(org, alice, "Ally@al.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.alias(org, "alice", "ALLY@al.awsapps.com"); err != nil {
		t.Fatalf("the same alias again, by name: %v", err)
	}
	wantCode(t, f.alias(org, alice, "Alice@al.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.alias(org, bob, "ally@AL.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.alias(org, bob, "alice@al.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.register(org, f.user(org, "carl"), "ally@al.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.alias(org, bob, "b@nowhere.example"), model.ErrMailDomainNotFound)
	if err := f.registerDomain(org, "pending.example"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.alias(org, bob, "b@pending.example"), model.ErrMailDomainState)
	wantCode(t, f.alias(org, "c7c5b5a4-0000-0000-0000-000000000000", "x@al.awsapps.com"), model.ErrEntityNotFound)
	if got := f.aliases(org, alice, 10); !slices.Equal(got, []string{"Ally@al.awsapps.com"}) {
		t.Fatalf("aliases: %q", got)
	}
	// The alias resolves to its entity, as the primary address does.
	out, err := f.s.DescribeUser(f.ctx, &model.DescribeUserInput{OrganizationId: &org, UserId: ptr("ally@al.awsapps.com")})
	if err != nil || *out.UserId != alice {
		t.Fatalf("describing by alias: %v %v", out, err)
	}
	wantCode(t, f.unalias(org, alice, "alice@AL.awsapps.com"), model.ErrInvalidParameter)
	if err := f.unalias(org, alice, "nobody@al.awsapps.com"); err != nil {
		t.Fatalf("an absent alias: %v", err)
	}
	if err := f.unalias(org, alice, "ally@al.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.alias(org, bob, "ally@al.awsapps.com"); err != nil {
		t.Fatalf("a deleted alias is free: %v", err)
	}
	if got := f.aliases(org, alice, 10); len(got) != 0 {
		t.Fatalf("aliases after delete: %q", got)
	}
	// A disabled entity keeps its aliases and may lose them; a deleted one
	// is EntityStateException, then EntityNotFoundException.
	if _, err := f.s.DeregisterFromWorkMail(f.ctx, &model.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &bob}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.alias(org, bob, "bobby@al.awsapps.com"), model.ErrEntityState)
	if got := f.aliases(org, bob, 10); !slices.Equal(got, []string{"ally@al.awsapps.com"}) {
		t.Fatalf("disabled bob's aliases: %q", got)
	}
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &bob}); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.ListAliases(f.ctx, &model.ListAliasesInput{OrganizationId: &org, EntityId: &bob})
	wantCode(t, err, model.ErrEntityState)
	wantCode(t, f.unalias(org, bob, "ally@al.awsapps.com"), model.ErrEntityState)
	if err := f.alias(org, alice, "ally@al.awsapps.com"); err != nil {
		t.Fatalf("a deleted user's alias is free: %v", err)
	}
	f.clock.Advance(DeletedUserRetention)
	_, err = f.s.ListAliases(f.ctx, &model.ListAliasesInput{OrganizationId: &org, EntityId: &bob})
	wantCode(t, err, model.ErrEntityNotFound)
}

// An entity has at most MaxAliases aliases; ListAliases pages through
// them in address order, each once, without the primary address.
func TestAliasQuotaAndPaging(t *testing.T) {
	f := newFixture(t)
	org := f.org("quota")
	u := f.user(org, "many")
	if err := f.register(org, u, "many@quota.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := MaxAliases - 1; i >= 0; i-- {
		a := fmt.Sprintf("Alias%03d@quota.awsapps.com", i)
		want = append(want, a)
		if err := f.alias(org, u, a); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, f.alias(org, u, "one-more@quota.awsapps.com"), model.ErrLimitExceeded)
	slices.SortFunc(want, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	for _, size := range []int32{1, 7, 100} {
		if got := f.aliases(org, u, size); !slices.Equal(got, want) {
			t.Fatalf("pages of %d: %d aliases, want %d", size, len(got), len(want))
		}
	}
	// A token is bound to its entity.
	out, err := f.s.ListAliases(f.ctx, &model.ListAliasesInput{OrganizationId: &org, EntityId: &u, MaxResults: ptr(int32(3))})
	if err != nil || out.NextToken == nil {
		t.Fatal(err)
	}
	other := f.user(org, "other")
	_, err = f.s.ListAliases(f.ctx, &model.ListAliasesInput{OrganizationId: &org, EntityId: &other, NextToken: out.NextToken})
	wantCode(t, err, model.ErrInvalidParameter)
	// UpdatePrimaryEmailAddress is not held to the quota.
	if err := f.primary(org, u, "new@quota.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if got := f.aliases(org, u, 100); len(got) != MaxAliases+1 || !slices.Contains(got, "many@quota.awsapps.com") {
		t.Fatalf("after a new primary: %d aliases", len(got))
	}
}

// UpdatePrimaryEmailAddress: the old primary becomes an alias; an alias
// made primary swaps with it; the same address changes nothing; the
// rules of addresses hold.
func TestUpdatePrimaryEmailAddress(t *testing.T) {
	f := newFixture(t)
	org := f.org("prim")
	u, v := f.user(org, "erin"), f.user(org, "frank")
	wantCode(t, f.primary(org, u, "erin@prim.awsapps.com"), model.ErrEntityState)
	if err := f.register(org, u, "erin@prim.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.register(org, v, "frank@prim.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.alias(org, u, "e@prim.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.primary(org, u, "erin@prim.awsapps.com"); err != nil {
		t.Fatalf("the same address: %v", err)
	}
	if err := f.primary(org, u, "E@prim.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if got, aliases := f.email(org, u), f.aliases(org, u, 10); got != "E@prim.awsapps.com" || !slices.Equal(aliases, []string{"erin@prim.awsapps.com"}) {
		t.Fatalf("after the swap: %s %q", got, aliases)
	}
	if err := f.primary(org, u, "erin.new@prim.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if got, aliases := f.email(org, u), f.aliases(org, u, 10); got != "erin.new@prim.awsapps.com" || !slices.Equal(aliases, []string{"E@prim.awsapps.com", "erin@prim.awsapps.com"}) {
		t.Fatalf("after a new address: %s %q", got, aliases)
	}
	wantCode(t, f.primary(org, u, "FRANK@prim.awsapps.com"), model.ErrEmailAddressInUse)
	wantCode(t, f.primary(org, u, "erin@elsewhere.example"), model.ErrMailDomainNotFound)
	if err := f.registerDomain(org, "prim.example"); err != nil {
		t.Fatal(err)
	}
	if err := f.primary(org, u, "erin@prim.example"); err != nil {
		t.Fatal(err)
	}
	// The old address is still the entity's: no one else can take it.
	wantCode(t, f.alias(org, v, "erin.new@prim.awsapps.com"), model.ErrEmailAddressInUse)
	// A deregistered user can be registered again with an alias of its own.
	if got := f.email(org, u); got != "erin@prim.example" {
		t.Fatalf("primary: %s", got)
	}
}

// mailKind is a kind of entity other than users for the tests of the
// generic address access: its record embeds addresses and has State and
// DeletedAt, as every kind's must.
type mailKind struct {
	ID string
	addresses
	State     string
	DeletedAt time.Time
}

var mailKindTable = &table[mailKind]{
	codec: record.For[mailKind](),
	coll:  "test-mail-kind",
	id:    func(m *mailKind) string { return m.ID },
	indexes: []indexOn[mailKind]{
		{entityEmails, func(m *mailKind) []string { return m.all() }},
	},
}

// kindOf gives mail access to a kind whose record embeds addresses, and
// only to it; the access edits the shared address index.
func TestKindOfMailAccess(t *testing.T) {
	if testGroupKind.mail != nil {
		t.Fatal("a kind without addresses got mail access")
	}
	if userKind.mail == nil {
		t.Fatal("users have no mail access")
	}
	k := kindOf(mailKindTable)
	if k.mail == nil {
		t.Fatal("a kind with addresses has no mail access")
	}
	type noState struct {
		ID string
		addresses
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("kindOf accepted a kind with addresses but no State")
			}
		}()
		kindOf(&table[noState]{coll: "no-state", id: func(n *noState) string { return n.ID }})
	}()
	f := newFixture(t)
	org := f.org("kinds")
	o := orgRef{testPartition, org}
	deleted := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.update(func(tx store.Tx) error {
		return mailKindTable.put(tx, o, &mailKind{ID: "m1", addresses: addresses{Email: "room@kinds.awsapps.com"}, State: userEnabled, DeletedAt: deleted})
	})
	u := f.user(org, "gina")
	wantCode(t, f.register(org, u, "ROOM@kinds.awsapps.com"), model.ErrEmailAddressInUse)
	f.update(func(tx store.Tx) error {
		e, err := k.mail.get(tx, o, "m1")
		if err != nil {
			return err
		}
		if e.Kind != "test-mail-kind" || e.ID != "m1" || e.Email != "room@kinds.awsapps.com" || e.State != userEnabled || !e.DeletedAt.Equal(deleted) {
			t.Errorf("read %+v", e)
		}
		e.Aliases = append(e.Aliases, "hall@kinds.awsapps.com")
		return k.mail.setAddresses(tx, o, "m1", e.addresses)
	})
	wantCode(t, f.register(org, u, "hall@kinds.awsapps.com"), model.ErrEmailAddressInUse)
	f.view(testPartition, func(r store.Reader) error {
		ref, ok, err := resolveEntity(r, o, "HALL@kinds.awsapps.com", k)
		if err != nil || !ok || ref != (entityRef{"test-mail-kind", "m1"}) {
			t.Errorf("resolving the new alias: %v %v %v", ref, ok, err)
		}
		rec, err := mailKindTable.get(r, o, "m1")
		if err != nil || rec.State != userEnabled || !slices.Equal(rec.Aliases, []string{"hall@kinds.awsapps.com"}) {
			t.Errorf("stored %+v %v", rec, err)
		}
		return nil
	})
	f.update(func(tx store.Tx) error { return mailKindTable.delete(tx, o, "m1") })
}
