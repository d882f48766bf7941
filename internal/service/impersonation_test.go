package service

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// role creates a FULL_ACCESS role with the rules.
func (f *fixture) role(org, name string, rules []model.ImpersonationRule) string {
	f.t.Helper()
	id, err := f.createRole(org, name, rules, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) createRole(org, name string, rules []model.ImpersonationRule, token *string) (string, error) {
	typ := model.ImpersonationRoleTypeFullAccess
	if rules == nil {
		rules = []model.ImpersonationRule{}
	}
	out, err := f.s.CreateImpersonationRole(f.ctx, &model.CreateImpersonationRoleInput{OrganizationId: &org, Name: &name, Type: &typ, Rules: rules, ClientToken: token})
	if err != nil {
		return "", err
	}
	return *out.ImpersonationRoleId, nil
}

func impRule(id string, effect model.AccessEffect, targets, notTargets []string) model.ImpersonationRule {
	return model.ImpersonationRule{ImpersonationRuleId: &id, Name: ptr("rule " + id), Effect: &effect, TargetUsers: targets, NotTargetUsers: notTargets}
}

func (f *fixture) roleEffect(org, role, target string) (string, error) {
	out, err := f.s.GetImpersonationRoleEffect(f.ctx, &model.GetImpersonationRoleEffectInput{OrganizationId: &org, ImpersonationRoleId: &role, TargetUser: &target})
	if err != nil {
		return "", err
	}
	var ids []string
	for _, m := range out.MatchedRules {
		ids = append(ids, *m.ImpersonationRuleId)
	}
	return string(*out.Type) + " " + string(*out.Effect) + " " + strings.Join(ids, ","), nil
}

func TestImpersonationRoles(t *testing.T) {
	f := newFixture(t)
	org := f.org("imp")
	alice := f.mailboxUser(org, "imp", "alice")
	bob := f.mailboxUser(org, "imp", "bob")
	dora := f.user(org, "dora")

	// Targets are stored as ids, however named.
	created := f.clock.Now()
	id := f.role(org, "auditor", []model.ImpersonationRule{
		impRule("all", "ALLOW", nil, nil),
		impRule("not-bob", "DENY", []string{"bob@imp.awsapps.com", bob}, nil),
	})
	got, err := f.s.GetImpersonationRole(f.ctx, &model.GetImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if *got.ImpersonationRoleId != id || *got.Name != "auditor" || *got.Type != "FULL_ACCESS" || got.Description != nil || len(got.Rules) != 2 ||
		!slices.Equal(got.Rules[1].TargetUsers, []string{bob}) || got.Rules[0].TargetUsers != nil || *got.Rules[1].Name != "rule not-bob" ||
		!got.DateCreated.Equal(created) || !got.DateModified.Equal(created) {
		t.Fatalf("GetImpersonationRole: %+v", got)
	}
	for target, want := range map[string]string{"alice": "FULL_ACCESS ALLOW all", bob: "FULL_ACCESS DENY not-bob"} {
		if e, err := f.roleEffect(org, id, target); err != nil || e != want {
			t.Errorf("effect on %s: %q, %v; want %q", target, e, err, want)
		}
	}
	_, err = f.roleEffect(org, id, "nobody-at-all")
	wantCode(t, err, model.ErrEntityNotFound)
	_, err = f.roleEffect(org, id, dora)
	wantCode(t, err, model.ErrEntityState)
	_, err = f.roleEffect(org, "no-such-role", alice)
	wantCode(t, err, model.ErrResourceNotFound)

	// Update replaces everything; the creation date stays.
	f.clock.Advance(time.Minute)
	typ := model.ImpersonationRoleTypeReadOnly
	_, err = f.s.UpdateImpersonationRole(f.ctx, &model.UpdateImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id,
		Name: ptr("reader"), Type: &typ, Description: ptr("reads"), Rules: []model.ImpersonationRule{impRule("alice", "ALLOW", []string{"alice"}, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = f.s.GetImpersonationRole(f.ctx, &model.GetImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id})
	if *got.Name != "reader" || *got.Type != "READ_ONLY" || *got.Description != "reads" || len(got.Rules) != 1 ||
		!got.DateCreated.Equal(created) || !got.DateModified.Equal(created.Add(time.Minute)) {
		t.Fatalf("after UpdateImpersonationRole: %+v", got)
	}
	if e, _ := f.roleEffect(org, id, bob); e != "READ_ONLY DENY " {
		t.Fatalf("effect on bob: %q", e)
	}

	// Refused: repeated rule ids, unknown and deleted targets, unknown roles.
	wantCode(t, f.updateRole(org, id, []model.ImpersonationRule{impRule("x", "ALLOW", nil, nil), impRule("x", "DENY", nil, nil)}), model.ErrInvalidParameter)
	wantCode(t, f.updateRole(org, id, []model.ImpersonationRule{impRule("x", "ALLOW", []string{"nobody-at-all"}, nil)}), model.ErrEntityNotFound)
	wantCode(t, f.updateRole(org, "no-such-role", nil), model.ErrResourceNotFound)
	_, err = f.createRole(org, "bad", []model.ImpersonationRule{impRule("x", "ALLOW", nil, []string{"nobody-at-all"})}, nil)
	wantCode(t, err, model.ErrEntityNotFound)
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &dora}); err != nil {
		t.Fatal(err)
	}
	_, err = f.createRole(org, "bad", []model.ImpersonationRule{impRule("x", "ALLOW", []string{dora}, nil)}, nil)
	wantCode(t, err, model.ErrEntityState)
	_, err = f.s.GetImpersonationRole(f.ctx, &model.GetImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: ptr("no-such-role")})
	wantCode(t, err, model.ErrResourceNotFound)

	// Deleting a user leaves the roles that name it as they are.
	if err := f.deregister(org, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &alice}); err != nil {
		t.Fatal(err)
	}
	got, _ = f.s.GetImpersonationRole(f.ctx, &model.GetImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id})
	if !slices.Equal(got.Rules[0].TargetUsers, []string{alice}) {
		t.Fatalf("targets after deleting alice: %+v", got.Rules[0])
	}
	_, err = f.roleEffect(org, id, alice)
	wantCode(t, err, model.ErrEntityState)

	// Delete: unknown ids succeed.
	for range 2 {
		if _, err := f.s.DeleteImpersonationRole(f.ctx, &model.DeleteImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.s.GetImpersonationRole(f.ctx, &model.GetImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id})
	wantCode(t, err, model.ErrResourceNotFound)
}

func (f *fixture) updateRole(org, id string, rules []model.ImpersonationRule) error {
	typ := model.ImpersonationRoleTypeFullAccess
	if rules == nil {
		rules = []model.ImpersonationRule{}
	}
	_, err := f.s.UpdateImpersonationRole(f.ctx, &model.UpdateImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id, Name: ptr("n"), Type: &typ, Rules: rules})
	return err
}

func (f *fixture) roleIDs(org string, pageSize int32) []string {
	f.t.Helper()
	var ids []string
	var next *string
	for {
		out, err := f.s.ListImpersonationRoles(f.ctx, &model.ListImpersonationRolesInput{OrganizationId: &org, MaxResults: &pageSize, NextToken: next})
		if err != nil {
			f.t.Fatal(err)
		}
		if len(out.Roles) > int(pageSize) {
			f.t.Fatalf("a page of %d for MaxResults %d", len(out.Roles), pageSize)
		}
		for _, r := range out.Roles {
			ids = append(ids, *r.ImpersonationRoleId)
		}
		if next = out.NextToken; next == nil {
			return ids
		}
	}
}

func TestImpersonationRoleLimitAndPaging(t *testing.T) {
	f := newFixture(t)
	org := f.org("imp-limit")
	var ids []string
	for range MaxImpersonationRoles {
		ids = append(ids, f.role(org, "same name", nil)) // names need not be unique
	}
	_, err := f.createRole(org, "one-too-many", nil, nil)
	wantCode(t, err, model.ErrLimitExceeded)
	slices.Sort(ids)
	for _, size := range []int32{1, 3, 20, 100} {
		if got := f.roleIDs(org, size); !slices.Equal(got, ids) {
			t.Fatalf("pages of %d: %v, want %v", size, got, ids)
		}
	}
	// A ClientToken retry returns the first role, even at the limit.
	if _, err := f.s.DeleteImpersonationRole(f.ctx, &model.DeleteImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &ids[0]}); err != nil {
		t.Fatal(err)
	}
	first, err := f.createRole(org, "tokened", nil, ptr("tok-1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.createRole(org, "tokened", nil, ptr("tok-1"))
	if err != nil || again != first {
		t.Fatalf("retry: %q, %v; want %q", again, err, first)
	}
	_, err = f.createRole(org, "other", nil, ptr("tok-1"))
	wantCode(t, err, model.ErrInvalidParameter)
	// Another organization's NextToken is refused.
	other := f.org("imp-other")
	out, _ := f.s.ListImpersonationRoles(f.ctx, &model.ListImpersonationRolesInput{OrganizationId: &org, MaxResults: ptr(int32(1))})
	_, err = f.s.ListImpersonationRoles(f.ctx, &model.ListImpersonationRolesInput{OrganizationId: &other, NextToken: out.NextToken})
	wantCode(t, err, model.ErrInvalidParameter)
}

func (f *fixture) assume(org, role string) (*model.AssumeImpersonationRoleOutput, error) {
	return f.s.AssumeImpersonationRole(f.ctx, &model.AssumeImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &role})
}

func TestImpersonationTokens(t *testing.T) {
	f := newFixture(t)
	org := f.org("imp-tokens")
	role := f.role(org, "auditor", nil)
	_, err := f.assume(org, "no-such-role")
	wantCode(t, err, model.ErrResourceNotFound)

	out, err := f.assume(org, role)
	if err != nil {
		t.Fatal(err)
	}
	tok := *out.Token
	if *out.ExpiresIn != 900 || !strings.HasPrefix(tok, ImpersonationTokenPrefix) || len(tok) > 256 {
		t.Fatalf("AssumeImpersonationRole: %q %d", tok, *out.ExpiresIn)
	}
	for _, c := range tok {
		if c < 0x21 || c > 0x7e {
			t.Fatalf("token %q has %q, outside the model's pattern", tok, c)
		}
	}
	issued := f.clock.Now()
	g, err := f.s.VerifyImpersonationToken(f.ctx, tok)
	want := ImpersonationGrant{Account: testAccount, Region: testRegion, OrganizationID: org, RoleID: role, RoleName: "auditor",
		RoleType: "FULL_ACCESS", ExpiresAt: issued.Add(15 * time.Minute)}
	if err == nil && g.ExpiresAt.Equal(want.ExpiresAt) {
		g.ExpiresAt = want.ExpiresAt // the same instant, whatever its location
	}
	if err != nil || g != want {
		t.Fatalf("VerifyImpersonationToken: %+v, %v; want %+v", g, err, want)
	}

	// Only the token's hash is stored.
	secret := tok[strings.LastIndex(tok, ".")+1:]
	f.view(testPartition, func(r store.Reader) error {
		for _, coll := range allCollections {
			err := r.Scan(coll, "", "", 0, func(key string, raw []byte) (bool, error) {
				if strings.Contains(key+string(raw), secret) {
					t.Errorf("%s %s holds the token's secret", coll, key)
				}
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})

	// Forged, edited and foreign tokens are unknown.
	for _, bad := range []string{"", "wmimp_", tok + "x", tok[:len(tok)-1], strings.Replace(tok, ".", ",", 1),
		ImpersonationTokenPrefix + "bm9uZQ." + secret, strings.TrimPrefix(tok, ImpersonationTokenPrefix)} {
		if _, err := f.s.VerifyImpersonationToken(f.ctx, bad); !errors.Is(err, ErrImpersonationTokenUnknown) {
			t.Errorf("token %q: %v, want ErrImpersonationTokenUnknown", bad, err)
		}
	}

	// 15 minutes later the token has expired; the next Assume removes it.
	f.clock.Advance(15*time.Minute - time.Millisecond)
	if _, err := f.s.VerifyImpersonationToken(f.ctx, tok); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	f.clock.Advance(time.Millisecond)
	if _, err := f.s.VerifyImpersonationToken(f.ctx, tok); !errors.Is(err, ErrImpersonationTokenExpired) {
		t.Fatalf("after 15 minutes: %v, want ErrImpersonationTokenExpired", err)
	}
	second, err := f.assume(org, role)
	if err != nil || *second.Token == tok {
		t.Fatalf("second token: %v, %v", second, err)
	}
	if _, err := f.s.VerifyImpersonationToken(f.ctx, tok); !errors.Is(err, ErrImpersonationTokenUnknown) {
		t.Fatalf("an expired token after the next Assume: %v, want ErrImpersonationTokenUnknown", err)
	}
	countTokens := func() int {
		n := 0
		f.view(testPartition, func(r store.Reader) error {
			return r.Scan(impersonationTokens.coll, "", "", 0, func(string, []byte) (bool, error) { n++; return true, nil })
		})
		return n
	}
	if n := countTokens(); n != 1 {
		t.Fatalf("%d token records, want 1", n)
	}

	// Deleting the role ends its tokens.
	if _, err := f.s.DeleteImpersonationRole(f.ctx, &model.DeleteImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &role}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.VerifyImpersonationToken(f.ctx, *second.Token); !errors.Is(err, ErrImpersonationTokenUnknown) {
		t.Fatalf("a deleted role's token: %v", err)
	}
	if n := countTokens(); n != 0 {
		t.Fatalf("%d token records after deleting the role", n)
	}

	// A deleted organization's tokens stop working.
	role2 := f.role(org, "again", nil)
	third, _ := f.assume(org, role2)
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.VerifyImpersonationToken(f.ctx, *third.Token)
	wantCode(t, err, model.ErrOrganizationState)
}
