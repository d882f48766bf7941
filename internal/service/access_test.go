package service

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/policy"
)

func (f *fixture) putRule(org, name string, effect model.AccessControlRuleEffect, edit func(*model.PutAccessControlRuleInput)) error {
	in := &model.PutAccessControlRuleInput{OrganizationId: &org, Name: &name, Effect: &effect, Description: ptr("rule " + name)}
	if edit != nil {
		edit(in)
	}
	_, err := f.s.PutAccessControlRule(f.ctx, in)
	return err
}

func (f *fixture) deleteRule(org, name string) {
	f.t.Helper()
	if _, err := f.s.DeleteAccessControlRule(f.ctx, &model.DeleteAccessControlRuleInput{OrganizationId: &org, Name: &name}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) rules(org string) []model.AccessControlRule {
	f.t.Helper()
	out, err := f.s.ListAccessControlRules(f.ctx, &model.ListAccessControlRulesInput{OrganizationId: &org})
	if err != nil {
		f.t.Fatal(err)
	}
	return out.Rules
}

func ruleNames(rules []model.AccessControlRule) []string {
	var names []string
	for _, r := range rules {
		names = append(names, *r.Name)
	}
	return names
}

func (f *fixture) effect(org, ip, action, user, role string) (string, error) {
	in := &model.GetAccessControlEffectInput{OrganizationId: &org, IpAddress: &ip, Action: &action}
	if user != "" {
		in.UserId = &user
	}
	if role != "" {
		in.ImpersonationRoleId = &role
	}
	out, err := f.s.GetAccessControlEffect(f.ctx, in)
	if err != nil {
		return "", err
	}
	return string(*out.Effect) + " " + strings.Join(out.MatchedRules, ","), nil
}

func TestAccessControlRules(t *testing.T) {
	f := newFixture(t)
	org := f.org("acl")
	alice := f.mailboxUser(org, "acl", "alice")

	// Every organization starts with the default rule, dated at the epoch.
	rules := f.rules(org)
	if len(rules) != 1 || *rules[0].Name != "default" || *rules[0].Effect != "ALLOW" || *rules[0].Description != "Default WorkMail Rule" ||
		rules[0].DateCreated.Unix() != 0 || rules[0].DateModified.Unix() != 0 || rules[0].UserIds != nil || rules[0].Actions != nil {
		t.Fatalf("a new organization's rules: %+v", rules)
	}
	if got, err := f.effect(org, "192.0.2.1", "IMAP", alice, ""); err != nil || got != "ALLOW default" {
		t.Fatalf("effect with the default rule: %q, %v", got, err)
	}

	// A new rule goes last; users are stored by id, however named.
	created := f.clock.Now()
	err := f.putRule(org, "no-imap", "DENY", func(in *model.PutAccessControlRuleInput) {
		in.Actions, in.UserIds = []string{"IMAP"}, []string{"alice@acl.awsapps.com", "alice"}
	})
	if err != nil {
		t.Fatal(err)
	}
	rules = f.rules(org)
	if !slices.Equal(ruleNames(rules), []string{"default", "no-imap"}) || !slices.Equal(rules[1].UserIds, []string{alice}) ||
		!rules[1].DateCreated.Equal(created) || !rules[1].DateModified.Equal(created) {
		t.Fatalf("after a Put: %+v", rules)
	}
	if got, _ := f.effect(org, "192.0.2.1", "IMAP", "alice", ""); got != "DENY no-imap" {
		t.Fatalf("effect: %q", got)
	}

	// Put of the same name replaces the rule in its place, keeping its creation date.
	f.clock.Advance(time.Hour)
	if err := f.putRule(org, "no-imap", "ALLOW", func(in *model.PutAccessControlRuleInput) { in.NotActions = []string{"SMTP"} }); err != nil {
		t.Fatal(err)
	}
	if err := f.putRule(org, "default", "ALLOW", func(in *model.PutAccessControlRuleInput) { in.IpRanges = []string{"192.0.2.0/24"} }); err != nil {
		t.Fatal(err)
	}
	rules = f.rules(org)
	if !slices.Equal(ruleNames(rules), []string{"default", "no-imap"}) || rules[1].UserIds != nil || *rules[1].Effect != "ALLOW" ||
		!rules[1].DateCreated.Equal(created) || !rules[1].DateModified.Equal(created.Add(time.Hour)) ||
		rules[0].DateCreated.Unix() != 0 || !rules[0].DateModified.Equal(created.Add(time.Hour)) || *rules[0].Description != "rule default" {
		t.Fatalf("after replacing: %+v", rules)
	}

	// Refused: unknown users and roles, unknown actions; nothing changes.
	before, _ := json.Marshal(f.rules(org))
	wantCode(t, f.putRule(org, "x", "DENY", func(in *model.PutAccessControlRuleInput) { in.UserIds = []string{"nobody-at-all"} }), model.ErrEntityNotFound)
	wantCode(t, f.putRule(org, "x", "DENY", func(in *model.PutAccessControlRuleInput) { in.NotUserIds = []string{alice, "nobody-at-all"} }), model.ErrEntityNotFound)
	wantCode(t, f.putRule(org, "x", "DENY", func(in *model.PutAccessControlRuleInput) { in.ImpersonationRoleIds = []string{"no-such-role"} }), model.ErrResourceNotFound)
	wantCode(t, f.putRule(org, "x", "DENY", func(in *model.PutAccessControlRuleInput) { in.NotImpersonationRoleIds = []string{"no-such-role"} }), model.ErrResourceNotFound)
	wantCode(t, f.putRule(org, "x", "DENY", func(in *model.PutAccessControlRuleInput) { in.Actions = []string{"imap"} }), model.ErrInvalidParameter)
	wantCode(t, f.putRule(org, "x", "DENY", func(in *model.PutAccessControlRuleInput) { in.NotActions = []string{"POP"} }), model.ErrInvalidParameter)
	if got, _ := json.Marshal(f.rules(org)); string(got) != string(before) {
		t.Fatalf("a refused Put changed the rules: %s", got)
	}

	// Ten rules at most; a Put that replaces one still works at ten.
	for i := range MaxAccessControlRules - 2 {
		if err := f.putRule(org, fmt.Sprintf("r%d", i), "ALLOW", nil); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, f.putRule(org, "one-too-many", "ALLOW", nil), model.ErrLimitExceeded)
	if err := f.putRule(org, "r3", "DENY", nil); err != nil {
		t.Fatal(err)
	}
	if n := len(f.rules(org)); n != MaxAccessControlRules {
		t.Fatalf("%d rules", n)
	}

	// Delete: unknown names succeed; with every rule gone, everything is denied.
	f.deleteRule(org, "never-there")
	for _, name := range ruleNames(f.rules(org)) {
		f.deleteRule(org, name)
		f.deleteRule(org, name)
	}
	if got := f.rules(org); len(got) != 0 {
		t.Fatalf("rules left: %+v", got)
	}
	if got, err := f.effect(org, "192.0.2.1", "WebMail", alice, ""); err != nil || got != "DENY " {
		t.Fatalf("effect without rules: %q, %v", got, err)
	}
	// The default rule can be put back.
	if err := f.putRule(org, "default", "ALLOW", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.effect(org, "192.0.2.1", "WebMail", alice, ""); got != "ALLOW default" {
		t.Fatalf("effect: %q", got)
	}
}

func TestAccessControlEffectErrors(t *testing.T) {
	f := newFixture(t)
	org := f.org("acl-errors")
	alice := f.mailboxUser(org, "acl-errors", "alice")
	role := f.role(org, "auditor", nil)
	for _, tc := range []struct {
		ip, action, user, role string
		want                   model.ErrorCode
	}{
		{"192.0.2.1", "IMAP", "", "", model.ErrInvalidParameter},
		{"192.0.2.1", "EWS", alice, role, model.ErrInvalidParameter},
		{"192.0.2.1", "IMAP", "", role, model.ErrInvalidParameter},
		{"192.0.2.1", "Imap", alice, "", model.ErrInvalidParameter},
		{"192.0.2.1", "IMAP", "nobody-at-all", "", model.ErrEntityNotFound},
		{"192.0.2.1", "EWS", "", "no-such-role", model.ErrResourceNotFound},
	} {
		_, err := f.effect(org, tc.ip, tc.action, tc.user, tc.role)
		wantCode(t, err, tc.want)
	}
	_, err := f.effect("m-00000000000000000000000000000001", "192.0.2.1", "IMAP", alice, "")
	wantCode(t, err, model.ErrOrganizationNotFound)
	if got, err := f.effect(org, "192.0.2.1", "EWS", "", role); err != nil || got != "ALLOW default" {
		t.Fatalf("role: %q, %v", got, err)
	}
}

// Deleting a user or role leaves the rules that name it as they are: taking
// an id out of UserIds could make a rule match everyone.
func TestAccessRulesKeepDeletedPrincipals(t *testing.T) {
	f := newFixture(t)
	org := f.org("acl-keep")
	alice := f.mailboxUser(org, "acl-keep", "alice")
	bob := f.mailboxUser(org, "acl-keep", "bob")
	role := f.role(org, "auditor", nil)
	err := f.putRule(org, "alice-only", "ALLOW", func(in *model.PutAccessControlRuleInput) {
		in.UserIds, in.ImpersonationRoleIds = []string{alice}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.putRule(org, "auditor", "DENY", func(in *model.PutAccessControlRuleInput) { in.ImpersonationRoleIds = []string{role} }); err != nil {
		t.Fatal(err)
	}
	f.deleteRule(org, "default")
	if err := f.deregister(org, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &alice}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteImpersonationRole(f.ctx, &model.DeleteImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &role}); err != nil {
		t.Fatal(err)
	}
	rules := f.rules(org)
	if !slices.Equal(rules[0].UserIds, []string{alice}) || !slices.Equal(rules[1].ImpersonationRoleIds, []string{role}) {
		t.Fatalf("rules after the deletions: %+v", rules)
	}
	if got, err := f.effect(org, "192.0.2.1", "IMAP", bob, ""); err != nil || got != "DENY " {
		t.Fatalf("bob: %q, %v", got, err)
	}
	_, err = f.effect(org, "192.0.2.1", "IMAP", alice, "")
	wantCode(t, err, model.ErrEntityNotFound)
	_, err = f.effect(org, "192.0.2.1", "EWS", "", role)
	wantCode(t, err, model.ErrResourceNotFound)
	// A Put naming the deleted user is refused.
	wantCode(t, f.putRule(org, "again", "ALLOW", func(in *model.PutAccessControlRuleInput) { in.UserIds = []string{alice} }), model.ErrEntityNotFound)
}

// CheckAccess is what a mail login calls: the same answer as
// GetAccessControlEffect, for its protocol and the client's address.
func TestCheckAccessForLogins(t *testing.T) {
	f := newFixture(t)
	org := f.org("acl-login")
	alice := f.mailboxUser(org, "acl-login", "alice")
	err := f.putRule(org, "smtp-office-only", "DENY", func(in *model.PutAccessControlRuleInput) {
		in.Actions, in.NotIpRanges = []string{"SMTP"}, []string{"10.0.0.0/8"}
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(user, action, ip string) (policy.AccessDecision, error) {
		return f.s.CheckAccess(f.ctx, AccessCheck{Account: testAccount, Region: testRegion, OrganizationID: org,
			User: user, Action: action, IP: netip.MustParseAddr(ip)})
	}
	for _, tc := range []struct{ action, ip, effect, matched string }{
		{policy.ActionSMTP, "10.9.8.7", "ALLOW", "default"},
		{policy.ActionSMTP, "::ffff:10.9.8.7", "ALLOW", "default"},
		{policy.ActionSMTP, "192.0.2.1", "DENY", "smtp-office-only"},
		{policy.ActionIMAP, "192.0.2.1", "ALLOW", "default"},
	} {
		want := tc.effect + " " + tc.matched
		d, err := check("alice@acl-login.awsapps.com", tc.action, tc.ip)
		if got := string(d.Effect) + " " + strings.Join(d.MatchedRules, ","); err != nil || got != want {
			t.Errorf("%s from %s: %q, %v; want %q", tc.action, tc.ip, got, err, want)
		}
		if via, err := f.effect(org, netip.MustParseAddr(tc.ip).Unmap().String(), tc.action, alice, ""); err != nil || via != want {
			t.Errorf("GetAccessControlEffect %s from %s: %q, %v; want %q", tc.action, tc.ip, via, err, want)
		}
	}
	_, err = check("nobody-at-all", policy.ActionIMAP, "10.0.0.1")
	wantCode(t, err, model.ErrEntityNotFound)
	_, err = check(alice, "POP", "10.0.0.1")
	wantCode(t, err, model.ErrInvalidParameter)
	_, err = f.s.CheckAccess(f.ctx, AccessCheck{Account: "nope", Region: testRegion, OrganizationID: org, User: alice, Action: policy.ActionIMAP, IP: netip.MustParseAddr("10.0.0.1")})
	wantCode(t, err, model.ErrInvalidParameter)
}
