package clients_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// groupCalls are the answers the groups scenario must get from the
// server: "Operation" for a success, "Operation:Code" for that error.
var groupCalls = []string{
	"CreateGroup", "CreateGroup:NameAvailabilityException",
	"DescribeGroup", "DescribeGroup:EntityNotFoundException",
	"ListGroups", "UpdateGroup", "DeleteGroup", "DeleteGroup:EntityStateException",
	"AssociateMemberToGroup", "AssociateMemberToGroup:InvalidParameterException",
	"DisassociateMemberFromGroup", "ListGroupMembers", "ListGroupsForEntity",
	"RegisterToWorkMail", "RegisterToWorkMail:MailDomainNotFoundException",
	"DeregisterFromWorkMail", "DescribeEntity", "DescribeEntity:EntityNotFoundException",
}

// TestGoSDKGroups runs the groups scenario through aws-sdk-go-v2 against
// the real binary, and checks the server's log as the other suites do.
func TestGoSDKGroups(t *testing.T) {
	root := repoRoot(t)
	readInputs(t, root)
	srv := startWorkmaild(t, buildWorkmaild(t, root))
	c := workmail.New(workmail.Options{
		Region:           region,
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("141400000001", "conformance-secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       sdkHTTPClient(),
	})
	goGroups(t, c)
	srv.Stop(t)
	log := srv.Log.String()
	for _, p := range serverLogProblems(log) {
		if !strings.HasPrefix(p, "the scenario never made the server answer") { // that list is the shared scenario's
			t.Error(p)
		}
	}
	seen := map[string]bool{}
	lines := bufio.NewScanner(strings.NewReader(log))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var r logRecord
		if json.Unmarshal(lines.Bytes(), &r) == nil && r.Msg == "request" {
			seen[r.Operation] = seen[r.Operation] || r.Status == 200
			if r.Error != "" {
				seen[r.Operation+":"+r.Error] = true
			}
		}
	}
	for _, call := range groupCalls {
		if !seen[call] {
			t.Errorf("the groups scenario never made the server answer %s", call)
		}
	}
}

// goGroups is what an administrator does with groups: a distribution
// list with an address, people and a nested team in it, a look-up by
// address, and Terraform's tear-down.
func goGroups(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-groups")
	user := func(name string) string {
		out, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UserId)
	}
	group := func(name string) string {
		out, err := c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: &org, Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	associate := func(g, m string) error {
		_, err := c.AssociateMemberToGroup(ctx, &workmail.AssociateMemberToGroupInput{OrganizationId: &org, GroupId: &g, MemberId: &m})
		return err
	}
	describe := func(g string) *workmail.DescribeGroupOutput {
		out, err := c.DescribeGroup(ctx, &workmail.DescribeGroupInput{OrganizationId: &org, GroupId: &g})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	sales, emea := group("Sales"), group("Sales EMEA")
	ann, ben := user("ann"), user("ben")
	_, err := c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: &org, Name: aws.String("ann")})
	wantError[*types.NameAvailabilityException](t, err, "The name ann is already used by another user, group or resource in organization "+org+".")
	if d := describe("sales"); aws.ToString(d.GroupId) != sales || d.State != types.EntityStateDisabled || d.Email != nil || d.HiddenFromGlobalAddressList {
		t.Errorf("new group: %+v", d)
	}
	_, err = c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &sales, Email: aws.String("sales@example.com")})
	wantError[*types.MailDomainNotFoundException](t, err, "The domain example.com of sales@example.com is not found in organization "+org+".")
	for id, email := range map[string]string{sales: "sales@go-groups.awsapps.com", ann: "ann@go-groups.awsapps.com"} {
		if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &id, Email: &email}); err != nil {
			t.Fatal(err)
		}
	}
	if d := describe(sales); d.State != types.EntityStateEnabled || aws.ToString(d.Email) != "sales@go-groups.awsapps.com" || d.EnabledDate == nil {
		t.Errorf("registered group: %+v", d)
	}
	if _, err := c.UpdateGroup(ctx, &workmail.UpdateGroupInput{OrganizationId: &org, GroupId: &sales, HiddenFromGlobalAddressList: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if d := describe(sales); !d.HiddenFromGlobalAddressList {
		t.Errorf("UpdateGroup did not hide the group: %+v", d)
	}

	for _, m := range [][2]string{{sales, "ann@go-groups.awsapps.com"}, {sales, emea}, {emea, "ben"}} {
		if err := associate(m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	wantError[*types.InvalidParameterException](t, associate(emea, sales),
		"Group "+emea+" is a member of group "+sales+", directly or through other groups: adding "+sales+" to "+emea+" would make a cycle.")
	var members []string
	p := workmail.NewListGroupMembersPaginator(c, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &sales, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Members {
			members = append(members, fmt.Sprint(aws.ToString(m.Name), "/", m.Type, "/", m.State))
		}
	}
	slices.Sort(members)
	if want := []string{"Sales EMEA/GROUP/DISABLED", "ann/USER/ENABLED"}; !slices.Equal(members, want) {
		t.Errorf("members of Sales: %v, want %v", members, want)
	}
	of, err := c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &ben,
		Filters: &types.ListGroupsForEntityFilters{GroupNamePrefix: aws.String("sales")}})
	if err != nil || len(of.Groups) != 1 || aws.ToString(of.Groups[0].GroupId) != emea || aws.ToString(of.Groups[0].GroupName) != "Sales EMEA" || of.NextToken != nil {
		t.Errorf("ListGroupsForEntity of ben: %+v %v", of, err)
	}
	var listed []string
	lp := workmail.NewListGroupsPaginator(c, &workmail.ListGroupsInput{OrganizationId: &org, Filters: &types.ListGroupsFilters{NamePrefix: aws.String("SALES")}, MaxResults: aws.Int32(1)})
	for lp.HasMorePages() {
		page, err := lp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.Groups {
			listed = append(listed, aws.ToString(g.Name))
		}
	}
	if want := []string{"Sales", "Sales EMEA"}; !slices.Equal(listed, want) {
		t.Errorf("ListGroups by name: %v, want %v", listed, want)
	}
	enabled, err := c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org, Filters: &types.ListGroupsFilters{State: types.EntityStateEnabled}})
	if err != nil || len(enabled.Groups) != 1 || aws.ToString(enabled.Groups[0].Email) != "sales@go-groups.awsapps.com" {
		t.Errorf("ListGroups by state: %+v %v", enabled, err)
	}

	e, err := c.DescribeEntity(ctx, &workmail.DescribeEntityInput{OrganizationId: &org, Email: aws.String("Sales@go-groups.awsapps.com")})
	if err != nil || aws.ToString(e.EntityId) != sales || aws.ToString(e.Name) != "Sales" || e.Type != types.EntityTypeGroup {
		t.Errorf("DescribeEntity: %+v %v", e, err)
	}
	_, err = c.DescribeEntity(ctx, &workmail.DescribeEntityInput{OrganizationId: &org, Email: aws.String("nobody@go-groups.awsapps.com")})
	wantError[*types.EntityNotFoundException](t, err, "No user, group or resource has the address nobody@go-groups.awsapps.com in organization "+org+".")

	if _, err := c.DisassociateMemberFromGroup(ctx, &workmail.DisassociateMemberFromGroupInput{OrganizationId: &org, GroupId: &emea, MemberId: &ben}); err != nil {
		t.Fatal(err)
	}

	// Terraform's destroy.
	_, err = c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &sales})
	wantError[*types.EntityStateException](t, err, "Group "+sales+" is ENABLED: deregister it from WorkMail before deleting it.")
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &sales}); err != nil {
		t.Fatal(err)
	}
	if d := describe(sales); d.State != types.EntityStateDisabled {
		t.Errorf("deregistered group: %+v", d)
	}
	if _, err := c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &sales}); err != nil {
		t.Fatal(err)
	}
	if d := describe(sales); d.State != types.EntityStateDeleted {
		t.Errorf("deleted group: %+v", d)
	}
	_, err = c.DescribeGroup(ctx, &workmail.DescribeGroupInput{OrganizationId: &org, GroupId: aws.String("Sales")})
	wantError[*types.EntityNotFoundException](t, err, "Group Sales does not exist in organization "+org+".")
	if out, err := c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &emea}); err != nil || len(out.Groups) != 0 {
		t.Errorf("Sales EMEA after deleting Sales: %+v %v", out, err)
	}
}
