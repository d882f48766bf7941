package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
	"github.com/aws/smithy-go"

	"github.com/workmaild/workmaild/server"
)

// accessTable is internal/policy/access_cases.json, the evaluation table
// every suite runs.
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

func readAccessTable(t *testing.T) accessTable {
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

// names maps the table's names to the ids the organization gave them;
// a name it does not know stands for itself (an unknown user or role).
type names map[string]string

func (n names) of(name string) string {
	if id, ok := n[name]; ok {
		return id
	}
	return name
}

func (n names) all(list []string) []string {
	var out []string
	for _, name := range list {
		out = append(out, n.of(name))
	}
	return out
}

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return fmt.Sprint(err)
}

func createRole(t *testing.T, c *workmail.Client, org, name string, rules []types.ImpersonationRule) string {
	t.Helper()
	if rules == nil {
		rules = []types.ImpersonationRule{}
	}
	out, err := c.CreateImpersonationRole(context.Background(), &workmail.CreateImpersonationRoleInput{
		OrganizationId: &org, Name: &name, Type: types.ImpersonationRoleTypeFullAccess, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ImpersonationRoleId)
}

func deleteAllRules(t *testing.T, c *workmail.Client, org string) {
	t.Helper()
	ctx := context.Background()
	list, err := c.ListAccessControlRules(ctx, &workmail.ListAccessControlRulesInput{OrganizationId: &org})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Rules {
		if _, err := c.DeleteAccessControlRule(ctx, &workmail.DeleteAccessControlRuleInput{OrganizationId: &org, Name: r.Name}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAccessCaseTable runs the shared evaluation table through the SDK:
// rules put as the table gives them, GetAccessControlEffect and
// GetImpersonationRoleEffect asked for every check.
func TestAccessCaseTable(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	ctx := context.Background()
	tab := readAccessTable(t)
	org := createOrg(t, c, "acl-table")
	ids := names{}
	for _, u := range tab.Users {
		ids[u] = mailboxUser(t, c, org, "acl-table", u)
	}
	for _, u := range tab.DisabledUsers {
		ids[u] = createUser(t, c, org, u, "")
	}
	for _, r := range tab.Roles {
		ids[r] = createRole(t, c, org, r, nil)
	}

	for _, tc := range tab.Access {
		deleteAllRules(t, c, org)
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
				if errorCode(err) != ch.Error {
					t.Errorf("%s: %+v answered %v, want %s", tc.Name, ch, err, ch.Error)
				}
			case err != nil:
				t.Errorf("%s: %+v: %v", tc.Name, ch, err)
			case string(out.Effect) != ch.Effect || !slices.Equal(out.MatchedRules, ch.Matched):
				t.Errorf("%s: %s %s user=%s role=%s: %s %q, want %s %q", tc.Name, ch.IP, ch.Action, ch.User, ch.Role, out.Effect, out.MatchedRules, ch.Effect, ch.Matched)
			}
		}
	}

	role := createRole(t, c, org, "table", nil)
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
			if ch.Error != "" {
				if errorCode(err) != ch.Error {
					t.Errorf("%s: target %s answered %v, want %s", tc.Name, ch.Target, err, ch.Error)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: target %s: %v", tc.Name, ch.Target, err)
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

func TestAccessControlRulesAPI(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	ctx := context.Background()
	org := createOrg(t, c, "acl-api")

	// The default rule, as WorkMail lists it.
	r := ts.raw("ListAccessControlRules", fmt.Sprintf(`{"OrganizationId":%q}`, org), nil)
	want := `{"Rules":[{"DateCreated":0,"DateModified":0,"Description":"Default WorkMail Rule","Effect":"ALLOW","Name":"default"}]}`
	if got, _ := json.Marshal(r.Body); r.Status != 200 || string(got) != want {
		t.Fatalf("ListAccessControlRules of a new organization: %d %s\nwant %s", r.Status, r.Raw, want)
	}
	r = ts.raw("GetAccessControlEffect", fmt.Sprintf(`{"OrganizationId":%q,"IpAddress":"192.0.2.1","Action":"EWS","ImpersonationRoleId":"nope"}`, org), nil)
	wantRawError(t, r, 400, "ResourceNotFoundException", "nope")

	put := func(name string) error {
		_, err := c.PutAccessControlRule(ctx, &workmail.PutAccessControlRuleInput{OrganizationId: &org, Name: &name,
			Effect: types.AccessControlRuleEffectDeny, Description: aws.String("d"), Actions: []string{"IMAP"}})
		return err
	}
	for i := range 9 {
		if err := put(fmt.Sprintf("rule-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	wantAPIError(t, put("eleventh"), "LimitExceededException", "10 access control rules")
	if err := put("rule-4"); err != nil {
		t.Fatalf("replacing a rule at the limit: %v", err)
	}
	_, err := c.PutAccessControlRule(ctx, &workmail.PutAccessControlRuleInput{OrganizationId: &org, Name: aws.String("rule-1"),
		Effect: types.AccessControlRuleEffectDeny, Description: aws.String("d"), NotActions: []string{"Pop"}})
	wantAPIError(t, err, "InvalidParameterException", "Action Pop is not one of ActiveSync, AutoDiscover, EWS, IMAP, SMTP, WindowsOutlook, WebMail.")
	_, err = c.PutAccessControlRule(ctx, &workmail.PutAccessControlRuleInput{OrganizationId: &org, Name: aws.String("rule-1"),
		Effect: types.AccessControlRuleEffectDeny, Description: aws.String("d"), UserIds: []string{"nobody-in-this-org"}})
	wantAPIError(t, err, "EntityNotFoundException", "nobody-in-this-org")
	_, err = c.PutAccessControlRule(ctx, &workmail.PutAccessControlRuleInput{OrganizationId: &org, Name: aws.String("rule-1"),
		Effect: types.AccessControlRuleEffectDeny, Description: aws.String("d"), IpRanges: []string{"10.0.0.0/33"}})
	wantAPIError(t, err, "InvalidParameterException", "ipRanges")
	_, err = c.GetAccessControlEffect(ctx, &workmail.GetAccessControlEffectInput{OrganizationId: &org, IpAddress: aws.String("192.0.2.1"), Action: aws.String("IMAP")})
	wantAPIError(t, err, "InvalidParameterException", "Exactly one of UserId and ImpersonationRoleId")

	// Rules belong to their organization: another one still has the default.
	other := createOrg(t, c, "acl-api-other")
	list, err := c.ListAccessControlRules(ctx, &workmail.ListAccessControlRulesInput{OrganizationId: &other})
	if err != nil || len(list.Rules) != 1 || aws.ToString(list.Rules[0].Name) != "default" || !list.Rules[0].DateCreated.Equal(time.Unix(0, 0)) {
		t.Fatalf("the other organization's rules: %+v, %v", list, err)
	}
}

func TestImpersonationRolesAPI(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	var logged lines
	ts := startServer(t, server.Options{Now: clock.Now, Logger: slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	c := ts.defaultClient()
	ctx := context.Background()
	org := createOrg(t, c, "imp-api")
	alice := mailboxUser(t, c, org, "imp-api", "alice")

	var ids []string
	for i := range 5 {
		ids = append(ids, createRole(t, c, org, fmt.Sprint("role ", i), []types.ImpersonationRule{
			{ImpersonationRuleId: aws.String("alice"), Effect: types.AccessEffectAllow, TargetUsers: []string{"alice@imp-api.awsapps.com"}}}))
	}
	slices.Sort(ids)
	// ListImpersonationRoles pages by hand (botocore has no paginator for it).
	var listed []string
	var next *string
	for {
		out, err := c.ListImpersonationRoles(ctx, &workmail.ListImpersonationRolesInput{OrganizationId: &org, MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Roles) > 2 {
			t.Fatalf("a page of %d", len(out.Roles))
		}
		for _, r := range out.Roles {
			listed = append(listed, aws.ToString(r.ImpersonationRoleId))
			if r.Type != types.ImpersonationRoleTypeFullAccess || !r.DateCreated.Equal(clock.Now()) || !strings.HasPrefix(aws.ToString(r.Name), "role ") {
				t.Errorf("listed %+v", r)
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if !slices.Equal(listed, ids) {
		t.Fatalf("listed %v, want %v", listed, ids)
	}
	got, err := c.GetImpersonationRole(ctx, &workmail.GetImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &ids[0]})
	if err != nil || len(got.Rules) != 1 || !slices.Equal(got.Rules[0].TargetUsers, []string{alice}) || got.Rules[0].Name != nil {
		t.Fatalf("GetImpersonationRole: %+v, %v", got, err)
	}
	_, err = c.GetImpersonationRole(ctx, &workmail.GetImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: aws.String("no-such-role")})
	wantAPIError(t, err, "ResourceNotFoundException", "no-such-role")
	_, err = c.CreateImpersonationRole(ctx, &workmail.CreateImpersonationRoleInput{OrganizationId: &org, Name: aws.String("dup"),
		Type: types.ImpersonationRoleTypeReadOnly, Rules: []types.ImpersonationRule{
			{ImpersonationRuleId: aws.String("x"), Effect: types.AccessEffectAllow}, {ImpersonationRuleId: aws.String("x"), Effect: types.AccessEffectDeny}}})
	wantAPIError(t, err, "InvalidParameterException", "ImpersonationRuleId x")

	// The token: 900 seconds, verifiable by the server until then, never logged.
	assumed, err := c.AssumeImpersonationRole(ctx, &workmail.AssumeImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &ids[0]})
	if err != nil || aws.ToInt64(assumed.ExpiresIn) != 900 {
		t.Fatalf("AssumeImpersonationRole: %+v, %v", assumed, err)
	}
	token := aws.ToString(assumed.Token)
	g, err := ts.srv.VerifyImpersonationToken(ctx, token)
	if err != nil || g.RoleID != ids[0] || g.OrganizationID != org || g.Account != testAccount || !g.ExpiresAt.Equal(clock.Now().Add(15*time.Minute)) {
		t.Fatalf("VerifyImpersonationToken: %+v, %v", g, err)
	}
	clock.Advance(15 * time.Minute)
	if _, err := ts.srv.VerifyImpersonationToken(ctx, token); !errors.Is(err, server.ErrImpersonationTokenExpired) {
		t.Fatalf("after 15 minutes: %v", err)
	}
	if _, err := ts.srv.VerifyImpersonationToken(ctx, "wmimp_forged.token"); !errors.Is(err, server.ErrImpersonationTokenUnknown) {
		t.Fatalf("a forged token: %v", err)
	}
	_, err = c.AssumeImpersonationRole(ctx, &workmail.AssumeImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: aws.String("no-such-role")})
	wantAPIError(t, err, "ResourceNotFoundException", "no-such-role")
	// Both AssumeImpersonationRole lines are written once their answers are sent.
	for deadline := time.Now().Add(5 * time.Second); strings.Count(logged.String(), `"operation":"AssumeImpersonationRole"`) < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if strings.Contains(logged.String(), token) || strings.Contains(logged.String(), token[strings.LastIndex(token, ".")+1:]) {
		t.Fatal("the impersonation token was logged")
	}
	if strings.Count(logged.String(), `"operation":"AssumeImpersonationRole"`) < 2 {
		t.Fatalf("the log lacks the AssumeImpersonationRole lines:\n%s", logged.String())
	}

	// CheckAccess, for a mail login, agrees with GetAccessControlEffect.
	d, err := ts.srv.CheckAccess(ctx, server.AccessCheck{Account: testAccount, Region: testRegion, OrganizationID: org, User: "alice", Action: "IMAP", IP: netip.MustParseAddr("192.0.2.9")})
	if err != nil || d.Effect != "ALLOW" || !slices.Equal(d.MatchedRules, []string{"default"}) {
		t.Fatalf("CheckAccess: %+v, %v", d, err)
	}

	for range 2 {
		if _, err := c.DeleteImpersonationRole(ctx, &workmail.DeleteImpersonationRoleInput{OrganizationId: &org, ImpersonationRoleId: &ids[0]}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.GetImpersonationRoleEffect(ctx, &workmail.GetImpersonationRoleEffectInput{OrganizationId: &org, ImpersonationRoleId: &ids[0], TargetUser: &alice})
	wantAPIError(t, err, "ResourceNotFoundException")
}
