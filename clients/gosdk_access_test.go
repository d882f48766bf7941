package clients_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
	"github.com/aws/smithy-go"
)

// accessTable is internal/policy/access_cases.json, the evaluation table
// every suite runs (see its "about").
type accessTable struct {
	Users         []string `json:"users"`
	DisabledUsers []string `json:"disabledUsers"`
	Roles         []string `json:"roles"`
	Access        []struct {
		Name  string `json:"name"`
		Rules []struct {
			Name, Effect                                  string
			IpRanges, NotIpRanges, Actions, NotActions    []string
			UserIds, NotUserIds                           []string
			ImpersonationRoleIds, NotImpersonationRoleIds []string
		} `json:"rules"`
		Checks []struct {
			IP      string   `json:"ip"`
			Action  string   `json:"action"`
			User    string   `json:"user"`
			Role    string   `json:"role"`
			Effect  string   `json:"effect"`
			Matched []string `json:"matched"`
			Error   string   `json:"error"`
		} `json:"checks"`
	} `json:"access"`
	Impersonation []struct {
		Name  string `json:"name"`
		Rules []struct {
			ImpersonationRuleId, Name, Effect string
			TargetUsers, NotTargetUsers       []string
		} `json:"rules"`
		Checks []struct {
			Target  string   `json:"target"`
			Effect  string   `json:"effect"`
			Matched []string `json:"matched"`
			Error   string   `json:"error"`
		} `json:"checks"`
	} `json:"impersonation"`
}

func goAccessTable(t *testing.T) accessTable {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "internal", "policy", "access_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tab accessTable
	if err := json.Unmarshal(raw, &tab); err != nil {
		t.Fatal(err)
	}
	return tab
}

// goNames maps the table's names to the organization's ids; an unknown
// name stands for itself.
type goNames map[string]string

func (n goNames) of(name string) string {
	if id, ok := n[name]; ok {
		return id
	}
	return name
}

func (n goNames) all(list []string) []string {
	var out []string
	for _, name := range list {
		out = append(out, n.of(name))
	}
	return out
}

func goErrorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return fmt.Sprint(err)
}

func goCreateRole(t *testing.T, c *workmail.Client, org, name string) string {
	t.Helper()
	out, err := c.CreateImpersonationRole(context.Background(), &workmail.CreateImpersonationRoleInput{OrganizationId: &org, Name: &name,
		Type: types.ImpersonationRoleTypeFullAccess, Rules: []types.ImpersonationRule{}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ImpersonationRoleId)
}

// goAccessCases runs the shared table: for each case, every rule is
// deleted, the case's rules are put, and each check is asked.
func goAccessCases(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	tab := goAccessTable(t)
	org := goCreateOrg(t, c, "go-acl")
	ids := goNames{}
	for _, u := range tab.Users {
		ids[u] = goMailboxUser(t, c, org, "go-acl", u)
	}
	for _, u := range tab.DisabledUsers {
		out, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String(u), DisplayName: aws.String(u)})
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = aws.ToString(out.UserId)
	}
	for _, r := range tab.Roles {
		ids[r] = goCreateRole(t, c, org, r)
	}
	for _, tc := range tab.Access {
		list, err := c.ListAccessControlRules(ctx, &workmail.ListAccessControlRulesInput{OrganizationId: &org})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list.Rules {
			if _, err := c.DeleteAccessControlRule(ctx, &workmail.DeleteAccessControlRuleInput{OrganizationId: &org, Name: r.Name}); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range tc.Rules {
			_, err := c.PutAccessControlRule(ctx, &workmail.PutAccessControlRuleInput{OrganizationId: &org, Name: aws.String(r.Name),
				Effect: types.AccessControlRuleEffect(r.Effect), Description: aws.String("table rule"),
				IpRanges: r.IpRanges, NotIpRanges: r.NotIpRanges, Actions: r.Actions, NotActions: r.NotActions,
				UserIds: ids.all(r.UserIds), NotUserIds: ids.all(r.NotUserIds),
				ImpersonationRoleIds: ids.all(r.ImpersonationRoleIds), NotImpersonationRoleIds: ids.all(r.NotImpersonationRoleIds)})
			if err != nil {
				t.Fatalf("%s: PutAccessControlRule %s: %v", tc.Name, r.Name, err)
			}
		}
		for _, ch := range tc.Checks {
			in := &workmail.GetAccessControlEffectInput{OrganizationId: &org, IpAddress: aws.String(ch.IP), Action: aws.String(ch.Action)}
			if ch.User != "" {
				in.UserId = aws.String(ids.of(ch.User))
			}
			if ch.Role != "" {
				in.ImpersonationRoleId = aws.String(ids.of(ch.Role))
			}
			out, err := c.GetAccessControlEffect(ctx, in)
			switch {
			case ch.Error != "":
				if goErrorCode(err) != ch.Error {
					t.Errorf("%s: %+v answered %v, want %s", tc.Name, ch, err, ch.Error)
				}
			case err != nil:
				t.Errorf("%s: %+v: %v", tc.Name, ch, err)
			case string(out.Effect) != ch.Effect || !slices.Equal(out.MatchedRules, ch.Matched):
				t.Errorf("%s: %s %s user=%s role=%s: %s %q, want %s %q", tc.Name, ch.IP, ch.Action, ch.User, ch.Role, out.Effect, out.MatchedRules, ch.Effect, ch.Matched)
			}
		}
	}

	role := goCreateRole(t, c, org, "table")
	for _, tc := range tab.Impersonation {
		rules := []types.ImpersonationRule{}
		ruleNames := map[string]string{}
		for _, r := range tc.Rules {
			rules = append(rules, types.ImpersonationRule{ImpersonationRuleId: aws.String(r.ImpersonationRuleId), Name: aws.String(r.Name),
				Effect: types.AccessEffect(r.Effect), TargetUsers: ids.all(r.TargetUsers), NotTargetUsers: ids.all(r.NotTargetUsers)})
			ruleNames[r.ImpersonationRuleId] = r.Name
		}
		_, err := c.UpdateImpersonationRole(ctx, &workmail.UpdateImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &role,
			Name: aws.String("table"), Type: types.ImpersonationRoleTypeReadOnly, Rules: rules})
		if err != nil {
			t.Fatalf("%s: UpdateImpersonationRole: %v", tc.Name, err)
		}
		for _, ch := range tc.Checks {
			out, err := c.GetImpersonationRoleEffect(ctx, &workmail.GetImpersonationRoleEffectInput{OrganizationId: &org,
				ImpersonationRoleId: &role, TargetUser: aws.String(ids.of(ch.Target))})
			if ch.Error != "" || err != nil {
				if goErrorCode(err) != ch.Error {
					t.Errorf("%s: target %s answered %v, want %q", tc.Name, ch.Target, err, ch.Error)
				}
				continue
			}
			var got, want []string
			for _, m := range out.MatchedRules {
				got = append(got, aws.ToString(m.ImpersonationRuleId)+"/"+aws.ToString(m.Name))
			}
			for _, id := range ch.Matched {
				want = append(want, id+"/"+ruleNames[id])
			}
			if out.Type != types.ImpersonationRoleTypeReadOnly || string(out.Effect) != ch.Effect || !slices.Equal(got, want) {
				t.Errorf("%s: target %s: %s %s %v, want READ_ONLY %s %v", tc.Name, ch.Target, out.Type, out.Effect, got, ch.Effect, want)
			}
		}
	}
}

// goAccessRules: the default rule, Put replacing in place, the limit,
// Delete of an unknown name, and the messages of refusals.
func goAccessRules(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-acl-rules")
	list, err := c.ListAccessControlRules(ctx, &workmail.ListAccessControlRulesInput{OrganizationId: &org})
	if err != nil || len(list.Rules) != 1 {
		t.Fatalf("ListAccessControlRules: %+v, %v", list, err)
	}
	def := list.Rules[0]
	if aws.ToString(def.Name) != "default" || def.Effect != types.AccessControlRuleEffectAllow || aws.ToString(def.Description) != "Default WorkMail Rule" ||
		def.DateCreated.Unix() != 0 || def.DateModified.Unix() != 0 {
		t.Errorf("the default rule: %+v", def)
	}
	put := func(name string, effect types.AccessControlRuleEffect, actions ...string) error {
		_, err := c.PutAccessControlRule(ctx, &workmail.PutAccessControlRuleInput{OrganizationId: &org, Name: &name, Effect: effect,
			Description: aws.String("rule " + name), Actions: actions})
		return err
	}
	for i := range 9 {
		if err := put(fmt.Sprintf("rule-%d", i), types.AccessControlRuleEffectDeny, "IMAP"); err != nil {
			t.Fatal(err)
		}
	}
	wantError[*types.LimitExceededException](t, put("one-too-many", types.AccessControlRuleEffectDeny), "Organization "+org+" has 10 access control rules, the most it may have.")
	if err := put("rule-0", types.AccessControlRuleEffectAllow, "SMTP", "EWS"); err != nil {
		t.Fatal(err)
	}
	list, _ = c.ListAccessControlRules(ctx, &workmail.ListAccessControlRulesInput{OrganizationId: &org})
	var names []string
	for _, r := range list.Rules {
		names = append(names, aws.ToString(r.Name))
	}
	if want := "default rule-0 rule-1 rule-2 rule-3 rule-4 rule-5 rule-6 rule-7 rule-8"; strings.Join(names, " ") != want ||
		!slices.Equal(list.Rules[1].Actions, []string{"SMTP", "EWS"}) || list.Rules[1].Effect != types.AccessControlRuleEffectAllow {
		t.Errorf("rules after replacing rule-0: %v %+v", names, list.Rules[1])
	}
	wantError[*types.InvalidParameterException](t, put("bad", types.AccessControlRuleEffectDeny, "Pop"),
		"Action Pop is not one of ActiveSync, AutoDiscover, EWS, IMAP, SMTP, WindowsOutlook, WebMail.")
	if _, err := c.DeleteAccessControlRule(ctx, &workmail.DeleteAccessControlRuleInput{OrganizationId: &org, Name: aws.String("never-there")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAccessControlEffect(ctx, &workmail.GetAccessControlEffectInput{OrganizationId: &org, IpAddress: aws.String("192.0.2.1"), Action: aws.String("SMTP"),
		ImpersonationRoleId: aws.String("no-such-role")})
	wantError[*types.InvalidParameterException](t, err, "ImpersonationRoleId can only be used with Action EWS, not SMTP.")
	_, err = c.GetAccessControlEffect(ctx, &workmail.GetAccessControlEffectInput{OrganizationId: &org, IpAddress: aws.String("192.0.2.1"), Action: aws.String("EWS"),
		ImpersonationRoleId: aws.String("no-such-role")})
	wantError[*types.ResourceNotFoundException](t, err, "Impersonation role no-such-role does not exist in organization "+org+".")
}

// goImpersonationRoles: create, get, update, list by hand, assume, delete.
func goImpersonationRoles(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-imp")
	alice := goMailboxUser(t, c, org, "go-imp", "alice")
	created, err := c.CreateImpersonationRole(ctx, &workmail.CreateImpersonationRoleInput{OrganizationId: &org, Name: aws.String("auditor"),
		Type: types.ImpersonationRoleTypeReadOnly, Description: aws.String("reads mail"), ClientToken: aws.String("go-imp-1"),
		Rules: []types.ImpersonationRule{{ImpersonationRuleId: aws.String("alice"), Name: aws.String("Alice"), Effect: types.AccessEffectAllow,
			TargetUsers: []string{"alice@go-imp.awsapps.com"}}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.ImpersonationRoleId)
	got, err := c.GetImpersonationRole(ctx, &workmail.GetImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id})
	if err != nil || aws.ToString(got.Name) != "auditor" || got.Type != types.ImpersonationRoleTypeReadOnly || aws.ToString(got.Description) != "reads mail" ||
		len(got.Rules) != 1 || !slices.Equal(got.Rules[0].TargetUsers, []string{alice}) || got.DateCreated == nil {
		t.Fatalf("GetImpersonationRole: %+v, %v", got, err)
	}
	for range 3 {
		goCreateRole(t, c, org, "filler")
	}
	var listed []string
	var next *string
	for {
		out, err := c.ListImpersonationRoles(ctx, &workmail.ListImpersonationRolesInput{OrganizationId: &org, MaxResults: aws.Int32(1), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Roles {
			listed = append(listed, aws.ToString(r.ImpersonationRoleId))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if len(listed) != 4 || !slices.IsSorted(listed) || !slices.Contains(listed, id) {
		t.Errorf("listed %v", listed)
	}
	assumed, err := c.AssumeImpersonationRole(ctx, &workmail.AssumeImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id})
	if err != nil || aws.ToInt64(assumed.ExpiresIn) != 900 || !strings.HasPrefix(aws.ToString(assumed.Token), "wmimp_") {
		t.Fatalf("AssumeImpersonationRole: %+v, %v", assumed, err)
	}
	_, err = c.UpdateImpersonationRole(ctx, &workmail.UpdateImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: aws.String("no-such-role"),
		Name: aws.String("x"), Type: types.ImpersonationRoleTypeFullAccess, Rules: []types.ImpersonationRule{}})
	wantError[*types.ResourceNotFoundException](t, err, "Impersonation role no-such-role does not exist in organization "+org+".")
	_, err = c.CreateImpersonationRole(ctx, &workmail.CreateImpersonationRoleInput{OrganizationId: &org, Name: aws.String("x"),
		Type: types.ImpersonationRoleTypeFullAccess, Rules: []types.ImpersonationRule{{ImpersonationRuleId: aws.String("r"), Effect: types.AccessEffectAllow,
			NotTargetUsers: []string{"nobody-in-this-org"}}}})
	wantError[*types.EntityNotFoundException](t, err, "User nobody-in-this-org does not exist in organization "+org+".")
	for range 2 {
		if _, err := c.DeleteImpersonationRole(ctx, &workmail.DeleteImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.AssumeImpersonationRole(ctx, &workmail.AssumeImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &id})
	wantError[*types.ResourceNotFoundException](t, err, "Impersonation role "+id+" does not exist in organization "+org+".")
}
