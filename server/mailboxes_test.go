package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

// mailboxUser creates a user and registers it as name@<alias>.awsapps.com.
func mailboxUser(t *testing.T, c *workmail.Client, org, alias, name string) string {
	t.Helper()
	id := createUser(t, c, org, name, "")
	register(t, c, org, id, name+"@"+alias+".awsapps.com")
	return id
}

func putPermissions(c *workmail.Client, org, entity, grantee string, values ...types.PermissionType) error {
	_, err := c.PutMailboxPermissions(context.Background(), &workmail.PutMailboxPermissionsInput{
		OrganizationId: &org, EntityId: &entity, GranteeId: &grantee, PermissionValues: values})
	return err
}

func deletePermissions(c *workmail.Client, org, entity, grantee string) error {
	_, err := c.DeleteMailboxPermissions(context.Background(), &workmail.DeleteMailboxPermissionsInput{
		OrganizationId: &org, EntityId: &entity, GranteeId: &grantee})
	return err
}

func updateQuota(c *workmail.Client, org, user string, quota int32) error {
	_, err := c.UpdateMailboxQuota(context.Background(), &workmail.UpdateMailboxQuotaInput{
		OrganizationId: &org, UserId: &user, MailboxQuota: aws.Int32(quota)})
	return err
}

func mailboxDetails(c *workmail.Client, org, user string) (*workmail.GetMailboxDetailsOutput, error) {
	return c.GetMailboxDetails(context.Background(), &workmail.GetMailboxDetailsInput{OrganizationId: &org, UserId: &user})
}

// listPermissions pages with the SDK's paginator and returns
// "grantee TYPE VALUE,VALUE" per grant, failing on a repeated grantee.
func listPermissions(t *testing.T, c *workmail.Client, org, entity string, pageSize int32) []string {
	t.Helper()
	var all []string
	seen := map[string]bool{}
	p := workmail.NewListMailboxPermissionsPaginator(c, &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &entity, MaxResults: aws.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListMailboxPermissions %s: %v", entity, err)
		}
		if len(page.Permissions) > int(pageSize) {
			t.Fatalf("a page of %d for MaxResults %d", len(page.Permissions), pageSize)
		}
		for _, perm := range page.Permissions {
			id := aws.ToString(perm.GranteeId)
			if seen[id] {
				t.Fatalf("ListMailboxPermissions listed %s twice", id)
			}
			seen[id] = true
			vals := make([]string, len(perm.PermissionValues))
			for i, v := range perm.PermissionValues {
				vals[i] = string(v)
			}
			all = append(all, id+" "+string(perm.GranteeType)+" "+strings.Join(vals, ","))
		}
	}
	return all
}

func TestMailboxDetailsAndQuota(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	org := createOrg(t, c, "quotas")
	alice := mailboxUser(t, c, org, "quotas", "alice")

	d, err := mailboxDetails(c, org, "alice@quotas.awsapps.com")
	if err != nil || aws.ToInt32(d.MailboxQuota) != 51200 || d.MailboxSize != 0 {
		t.Fatalf("new mailbox: %+v, %v", d, err)
	}
	// The size is sent as a number, even 0.
	r := ts.raw("GetMailboxDetails", fmt.Sprintf(`{"OrganizationId":%q,"UserId":%q}`, org, alice), nil)
	if r.Status != 200 || fmt.Sprint(r.Body["MailboxQuota"]) != "51200" || fmt.Sprint(r.Body["MailboxSize"]) != "0" {
		t.Fatalf("raw GetMailboxDetails: %d %s", r.Status, r.Raw)
	}
	for _, q := range []int32{1, 2048, 51200} {
		if err := updateQuota(c, org, "alice", q); err != nil {
			t.Fatal(err)
		}
		if d, _ := mailboxDetails(c, org, alice); aws.ToInt32(d.MailboxQuota) != q {
			t.Fatalf("quota %d after setting %d", aws.ToInt32(d.MailboxQuota), q)
		}
	}
	wantAPIError(t, updateQuota(c, org, alice, 51201), "InvalidParameterException", "51200")
	wantAPIError(t, updateQuota(c, org, alice, 0), "InvalidParameterException", "mailboxQuota")
	wantAPIError(t, updateQuota(c, org, "nobody", 10), "EntityNotFoundException", "nobody")
	_, err = mailboxDetails(c, org, "nobody")
	wantAPIError(t, err, "EntityNotFoundException", "nobody")

	// A user never registered has no mailbox; its quota cannot be set.
	fresh := createUser(t, c, org, "fresh", "")
	_, err = mailboxDetails(c, org, fresh)
	wantAPIError(t, err, "EntityNotFoundException", "never registered")
	wantAPIError(t, updateQuota(c, org, fresh, 10), "EntityStateException", "DISABLED")

	// Deregistered: the mailbox and its quota stay, the quota is frozen.
	if err := updateQuota(c, org, alice, 300); err != nil {
		t.Fatal(err)
	}
	deregisterUser(t, c, org, alice)
	if d, err := mailboxDetails(c, org, alice); err != nil || aws.ToInt32(d.MailboxQuota) != 300 {
		t.Fatalf("deregistered mailbox: %+v, %v", d, err)
	}
	wantAPIError(t, updateQuota(c, org, alice, 10), "EntityStateException", "DISABLED")
	// Deleted: no mailbox; registering a new user with the address starts afresh.
	deleteUser(t, c, org, alice)
	_, err = mailboxDetails(c, org, alice)
	wantAPIError(t, err, "EntityNotFoundException")
	wantAPIError(t, updateQuota(c, org, alice, 10), "EntityStateException", "DELETED")
	again := mailboxUser(t, c, org, "quotas", "alice")
	if d, _ := mailboxDetails(c, org, again); aws.ToInt32(d.MailboxQuota) != 51200 {
		t.Fatalf("a new alice inherited quota %d", aws.ToInt32(d.MailboxQuota))
	}
}

func deregisterUser(t *testing.T, c *workmail.Client, org, id string) {
	t.Helper()
	if _, err := c.DeregisterFromWorkMail(context.Background(), &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &id}); err != nil {
		t.Fatal(err)
	}
}

func deleteUser(t *testing.T, c *workmail.Client, org, id string) {
	t.Helper()
	if _, err := c.DeleteUser(context.Background(), &workmail.DeleteUserInput{OrganizationId: &org, UserId: &id}); err != nil {
		t.Fatal(err)
	}
}

func TestMailboxPermissionsOperations(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c := ts.defaultClient()
	org := createOrg(t, c, "shared")
	alice := mailboxUser(t, c, org, "shared", "alice")
	bob := mailboxUser(t, c, org, "shared", "bob")
	carol := createUser(t, c, org, "carol", "") // DISABLED

	full, sendAs, onBehalf := types.PermissionTypeFullAccess, types.PermissionTypeSendAs, types.PermissionTypeSendOnBehalf
	if err := putPermissions(c, org, "alice@shared.awsapps.com", "BOB", sendAs, full); err != nil {
		t.Fatal(err)
	}
	if err := putPermissions(c, org, alice, carol, onBehalf); err != nil {
		t.Fatal(err)
	}
	want := []string{bob + " USER FULL_ACCESS,SEND_AS", carol + " USER SEND_ON_BEHALF"}
	slices.Sort(want)
	if got := listPermissions(t, c, org, "alice", 1); !slices.Equal(got, want) {
		t.Fatalf("permissions %q, want %q", got, want)
	}
	// Put replaces the grantee's set; the same Put again changes nothing.
	for range 2 {
		if err := putPermissions(c, org, alice, bob, onBehalf, onBehalf); err != nil {
			t.Fatal(err)
		}
	}
	want = []string{bob + " USER SEND_ON_BEHALF", carol + " USER SEND_ON_BEHALF"}
	slices.Sort(want)
	if got := listPermissions(t, c, org, alice, 100); !slices.Equal(got, want) {
		t.Fatalf("after replacing %q, want %q", got, want)
	}
	// The wire form, as the CLI prints it.
	r := ts.raw("ListMailboxPermissions", fmt.Sprintf(`{"OrganizationId":%q,"EntityId":%q,"MaxResults":1}`, org, alice), nil)
	perms, _ := r.Body["Permissions"].([]any)
	if r.Status != 200 || len(perms) != 1 || r.Body["NextToken"] == nil {
		t.Fatalf("raw ListMailboxPermissions: %d %s", r.Status, r.Raw)
	}
	if p := perms[0].(map[string]any); p["GranteeType"] != "USER" || len(p["PermissionValues"].([]any)) != 1 {
		t.Fatalf("raw permission %v", p)
	}
	// An empty list of values removes the grant; so does Delete, twice.
	if err := putPermissions(c, org, alice, carol, []types.PermissionType{}...); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := deletePermissions(c, org, alice, "bob@shared.awsapps.com"); err != nil {
			t.Fatal(err)
		}
	}
	if got := listPermissions(t, c, org, alice, 100); len(got) != 0 {
		t.Fatalf("after removing both %q", got)
	}
	r = ts.raw("ListMailboxPermissions", fmt.Sprintf(`{"OrganizationId":%q,"EntityId":%q}`, org, alice), nil)
	if string(r.Raw) != `{"Permissions":[]}` {
		t.Fatalf("empty list sent as %s", r.Raw)
	}

	// Every wrong situation, with its declared error.
	wantAPIError(t, putPermissions(c, org, alice, alice, sendAs), "InvalidParameterException", "own mailbox")
	wantAPIError(t, deletePermissions(c, org, alice, "alice"), "InvalidParameterException", "own mailbox")
	wantAPIError(t, putPermissions(c, org, "nobody", bob, sendAs), "EntityNotFoundException", "nobody")
	wantAPIError(t, putPermissions(c, org, alice, "nobody", sendAs), "EntityNotFoundException", "nobody")
	wantAPIError(t, deletePermissions(c, org, "nobody", bob), "EntityNotFoundException", "nobody")
	wantAPIError(t, deletePermissions(c, org, alice, "nobody"), "EntityNotFoundException", "nobody")
	wantAPIError(t, putPermissions(c, org, carol, bob, sendAs), "EntityStateException", "DISABLED")
	wantAPIError(t, putPermissions(c, org, alice, bob, "READ"), "InvalidParameterException", "permissionValues")
	_, err := c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: aws.String("nobody")})
	wantAPIError(t, err, "EntityNotFoundException", "nobody")
	_, err = c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &alice, NextToken: aws.String("bm90IGEgdG9rZW4=")})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	_, err = c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &alice, MaxResults: aws.Int32(101)})
	wantAPIError(t, err, "InvalidParameterException", "maxResults")
	// A deleted grantee or owner (its grants gone with it).
	if err := putPermissions(c, org, bob, carol, sendAs); err != nil {
		t.Fatal(err)
	}
	deleteUser(t, c, org, carol)
	if got := listPermissions(t, c, org, bob, 100); len(got) != 0 {
		t.Fatalf("bob's mailbox still lists deleted carol: %q", got)
	}
	wantAPIError(t, putPermissions(c, org, bob, carol, sendAs), "EntityStateException", "deleted")
	wantAPIError(t, deletePermissions(c, org, carol, bob), "EntityStateException", "deleted")
	_, err = c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &carol})
	wantAPIError(t, err, "EntityNotFoundException", "deleted")
	clock.Advance(30 * 24 * time.Hour)
	wantAPIError(t, putPermissions(c, org, bob, carol, sendAs), "EntityNotFoundException")

	// Organizations: unknown, and not Active.
	unknown := "m-00000000000000000000000000000000"
	wantAPIError(t, putPermissions(c, unknown, alice, bob, sendAs), "OrganizationNotFoundException")
	gone := createOrg(t, c, "gone")
	goner := mailboxUser(t, c, gone, "gone", "goner")
	if _, err := c.DeleteOrganization(context.Background(), &workmail.DeleteOrganizationInput{OrganizationId: &gone, DeleteDirectory: true}); err != nil {
		t.Fatal(err)
	}
	calls := map[string]error{"PutMailboxPermissions": putPermissions(c, gone, goner, goner, sendAs),
		"DeleteMailboxPermissions": deletePermissions(c, gone, goner, goner), "UpdateMailboxQuota": updateQuota(c, gone, goner, 1)}
	_, calls["GetMailboxDetails"] = mailboxDetails(c, gone, goner)
	_, calls["ListMailboxPermissions"] = c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &gone, EntityId: &goner})
	for op, err := range calls {
		if err == nil {
			t.Fatalf("%s on a deleted organization succeeded", op)
		}
		wantAPIError(t, err, "OrganizationStateException", "Deleted")
	}
}

// Another account's or region's entities do not exist for the caller.
func TestMailboxPermissionsIsolation(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	org := createOrg(t, c, "isolated")
	alice := mailboxUser(t, c, org, "isolated", "alice")
	bob := mailboxUser(t, c, org, "isolated", "bob")
	if err := putPermissions(c, org, alice, bob, types.PermissionTypeSendAs); err != nil {
		t.Fatal(err)
	}
	for _, other := range []*workmail.Client{ts.client(otherAccount, testRegion), ts.client(testAccount, "eu-west-1")} {
		_, err := other.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &alice})
		wantAPIError(t, err, "OrganizationNotFoundException")
	}
}

// ListMailboxPermissions pages through a few hundred grants: every page
// size returns each grant once, in the same order, and a token is bound
// to its mailbox.
func TestListMailboxPermissionsPaging(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	org := createOrg(t, c, "manygrants")
	owner := mailboxUser(t, c, org, "manygrants", "owner")
	other := mailboxUser(t, c, org, "manygrants", "other")
	const n = 250
	var want []string
	values := []types.PermissionType{types.PermissionTypeSendAs, types.PermissionTypeSendOnBehalf, types.PermissionTypeFullAccess}
	for i := range n {
		id := createUser(t, c, org, fmt.Sprintf("grantee-%03d", i), "")
		v := values[i%3]
		if err := putPermissions(c, org, owner, id, v); err != nil {
			t.Fatal(err)
		}
		want = append(want, id+" USER "+string(v))
	}
	if err := putPermissions(c, org, other, owner, types.PermissionTypeSendAs); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	for _, size := range []int32{1, 13, 100} {
		if got := listPermissions(t, c, org, owner, size); !slices.Equal(got, want) {
			t.Fatalf("MaxResults %d: %d grants, want %d, in grantee order", size, len(got), len(want))
		}
	}
	first, err := c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &owner})
	if err != nil || len(first.Permissions) != 100 || first.NextToken == nil {
		t.Fatalf("default page: %d, %v", len(first.Permissions), err)
	}
	_, err = c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &other, NextToken: first.NextToken})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	_, err = c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &owner, NextToken: aws.String(tamper(t, *first.NextToken))})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	// The same token by the owner's name works: it is bound to the mailbox, not the spelling.
	rest, err := c.ListMailboxPermissions(context.Background(), &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: aws.String("owner"), NextToken: first.NextToken})
	if err != nil || len(rest.Permissions) != 100 || aws.ToString(rest.Permissions[0].GranteeId) != strings.Fields(want[100])[0] {
		t.Fatalf("second page by name: %d, %v", len(rest.Permissions), err)
	}
}
