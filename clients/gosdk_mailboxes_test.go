package clients_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// goMailboxUser creates a user and registers it as name@<alias>.awsapps.com.
func goMailboxUser(t *testing.T, c *workmail.Client, org, alias, name string) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.UserId)
	if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &id, Email: aws.String(name + "@" + alias + ".awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	return id
}

// goMailboxQuota: a mailbox's details before and after registering, and
// its quota changed within and beyond the limit.
func goMailboxQuota(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-quota")
	created, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String("alice"), DisplayName: aws.String("Alice")})
	if err != nil {
		t.Fatal(err)
	}
	alice := aws.ToString(created.UserId)
	_, err = c.GetMailboxDetails(ctx, &workmail.GetMailboxDetailsInput{OrganizationId: &org, UserId: &alice})
	wantError[*types.EntityNotFoundException](t, err, "User "+alice+" has no mailbox: it is DISABLED and was never registered to WorkMail.")
	err = goSetQuota(c, org, alice, 100)
	wantError[*types.EntityStateException](t, err, "User "+alice+" is DISABLED: only the mailbox of a user registered to WorkMail has a quota to change.")
	if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &alice, Email: aws.String("alice@go-quota.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.GetMailboxDetails(ctx, &workmail.GetMailboxDetailsInput{OrganizationId: &org, UserId: aws.String("alice@go-quota.awsapps.com")})
	if err != nil || aws.ToInt32(d.MailboxQuota) != 51200 || d.MailboxSize != 0 {
		t.Fatalf("GetMailboxDetails: %+v, %v", d, err)
	}
	if err := goSetQuota(c, org, "alice", 1024); err != nil {
		t.Fatal(err)
	}
	d, err = c.GetMailboxDetails(ctx, &workmail.GetMailboxDetailsInput{OrganizationId: &org, UserId: &alice})
	if err != nil || aws.ToInt32(d.MailboxQuota) != 1024 {
		t.Fatalf("GetMailboxDetails after UpdateMailboxQuota: %+v, %v", d, err)
	}
	wantError[*types.InvalidParameterException](t, goSetQuota(c, org, alice, 51201), "MailboxQuota 51201 is larger than the maximum mailbox size, 51200 MB.")
	wantError[*types.EntityNotFoundException](t, goSetQuota(c, org, "nobody", 1), "Entity nobody does not exist in organization "+org+".")
}

func goSetQuota(c *workmail.Client, org, user string, quota int32) error {
	_, err := c.UpdateMailboxQuota(context.Background(), &workmail.UpdateMailboxQuotaInput{OrganizationId: &org, UserId: &user, MailboxQuota: &quota})
	return err
}

// goMailboxPermissions: an administrator shares a mailbox, changes and
// removes the grants, and a deleted user's grants go with it.
func goMailboxPermissions(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-shared")
	alice := goMailboxUser(t, c, org, "go-shared", "alice")
	bob := goMailboxUser(t, c, org, "go-shared", "bob")
	carol := goMailboxUser(t, c, org, "go-shared", "carol")
	put := func(entity, grantee string, values ...types.PermissionType) error {
		_, err := c.PutMailboxPermissions(ctx, &workmail.PutMailboxPermissionsInput{OrganizationId: &org, EntityId: &entity, GranteeId: &grantee, PermissionValues: values})
		return err
	}
	if err := put("alice", "bob@go-shared.awsapps.com", types.PermissionTypeSendAs, types.PermissionTypeFullAccess); err != nil {
		t.Fatal(err)
	}
	if err := put(alice, carol, types.PermissionTypeSendOnBehalf); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{bob: "USER [FULL_ACCESS SEND_AS]", carol: "USER [SEND_ON_BEHALF]"}
	if got := goListPermissions(t, c, org, alice); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListMailboxPermissions %v, want %v", got, want)
	}
	// Put replaces bob's set; Delete removes carol's, twice.
	if err := put(alice, bob, types.PermissionTypeSendOnBehalf); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.DeleteMailboxPermissions(ctx, &workmail.DeleteMailboxPermissionsInput{OrganizationId: &org, EntityId: &alice, GranteeId: &carol}); err != nil {
			t.Fatal(err)
		}
	}
	want = map[string]string{bob: "USER [SEND_ON_BEHALF]"}
	if got := goListPermissions(t, c, org, alice); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after replace and delete %v, want %v", got, want)
	}
	wantError[*types.InvalidParameterException](t, put(alice, alice, types.PermissionTypeSendAs), "Entity "+alice+" cannot be granted permissions on its own mailbox.")
	wantError[*types.EntityNotFoundException](t, put(alice, "nobody", types.PermissionTypeSendAs), "Entity nobody does not exist in organization "+org+".")

	// Bob leaves: deregistered, his mailbox cannot be shared; deleted, his grants go.
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &bob}); err != nil {
		t.Fatal(err)
	}
	wantError[*types.EntityStateException](t, put(bob, alice, types.PermissionTypeSendAs), "Entity "+bob+" is DISABLED: register it to WorkMail before sharing its mailbox.")
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &bob}); err != nil {
		t.Fatal(err)
	}
	if got := goListPermissions(t, c, org, alice); len(got) != 0 {
		t.Errorf("alice's mailbox still lists %v after bob's deletion", got)
	}
	_, err := c.ListMailboxPermissions(ctx, &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &bob})
	wantError[*types.EntityNotFoundException](t, err, "Entity "+bob+" is deleted.")
}

// goListPermissions walks the ListMailboxPermissions paginator one grant
// a page: grantee id -> "TYPE [VALUES]".
func goListPermissions(t *testing.T, c *workmail.Client, org, entity string) map[string]string {
	t.Helper()
	got := map[string]string{}
	p := workmail.NewListMailboxPermissionsPaginator(c, &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &entity, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Permissions) > 1 {
			t.Fatalf("a page of %d for MaxResults 1", len(page.Permissions))
		}
		for _, perm := range page.Permissions {
			got[aws.ToString(perm.GranteeId)] = fmt.Sprint(perm.GranteeType, " ", perm.PermissionValues)
		}
	}
	return got
}
