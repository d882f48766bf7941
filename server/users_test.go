package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

func TestUserLifecycle(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "lifecycle")

	out, err := c.CreateUser(ctx, &workmail.CreateUserInput{
		OrganizationId: &org, Name: aws.String("alice"), DisplayName: aws.String("Alice A."),
		Password: aws.String(strongPassword), FirstName: aws.String("Alice"), LastName: aws.String("Able"),
		HiddenFromGlobalAddressList: true, IdentityProviderUserId: aws.String(idpAlice),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.UserId)
	mustMatch(t, uuidPattern, id)

	// A new user is DISABLED, has no email, and names its Identity Center
	// user; without an identity-provider configuration there is no store id.
	d := describeUser(t, c, org, id)
	if d.State != types.EntityStateDisabled || d.Email != nil || aws.ToString(d.Name) != "alice" ||
		aws.ToString(d.DisplayName) != "Alice A." || aws.ToString(d.FirstName) != "Alice" || aws.ToString(d.LastName) != "Able" ||
		!d.HiddenFromGlobalAddressList || d.UserRole != types.UserRoleUser || d.EnabledDate != nil ||
		aws.ToString(d.IdentityProviderUserId) != idpAlice || d.IdentityProviderIdentityStoreId != nil {
		t.Fatalf("new user described as %+v", d)
	}
	if describeUser(t, c, org, "ALICE").UserId == nil {
		t.Fatal("user not found by name, ignoring case")
	}

	app := createApp(t, c, "WorkMail")
	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(org, app)); err != nil {
		t.Fatal(err)
	}
	storeID := aws.ToString(describeUser(t, c, org, id).IdentityProviderIdentityStoreId)
	mustMatch(t, `^d-[0-9a-f]{10}$`, storeID)

	// Registering enables the user with its email, which then names it too.
	clock.Advance(time.Minute)
	register(t, c, org, "alice", "Alice@lifecycle.awsapps.com")
	register(t, c, org, id, "alice@lifecycle.awsapps.com") // same email again: no change
	d = describeUser(t, c, org, "alice@LIFECYCLE.awsapps.com")
	if d.State != types.EntityStateEnabled || aws.ToString(d.Email) != "Alice@lifecycle.awsapps.com" ||
		!aws.ToTime(d.EnabledDate).Equal(clock.Now()) || !aws.ToTime(d.MailboxProvisionedDate).Equal(clock.Now()) || d.DisabledDate != nil {
		t.Fatalf("registered user described as %+v", d)
	}

	// UpdateUser replaces the members it is given and keeps the others.
	_, err = c.UpdateUser(ctx, &workmail.UpdateUserInput{
		OrganizationId: &org, UserId: aws.String("alice"), DisplayName: aws.String("Alice B."),
		City: aws.String("Lyon"), Office: aws.String("3rd"), Role: types.UserRoleRemoteUser, HiddenFromGlobalAddressList: aws.Bool(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	d = describeUser(t, c, org, id)
	if aws.ToString(d.DisplayName) != "Alice B." || aws.ToString(d.City) != "Lyon" || aws.ToString(d.Office) != "3rd" ||
		aws.ToString(d.FirstName) != "Alice" || d.UserRole != types.UserRoleRemoteUser || d.HiddenFromGlobalAddressList ||
		aws.ToString(d.IdentityProviderUserId) != idpAlice {
		t.Fatalf("updated user described as %+v", d)
	}

	// IdentityProviderUserId "" unlinks the user.
	if _, err := c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &org, UserId: &id, IdentityProviderUserId: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	d = describeUser(t, c, org, id)
	if d.IdentityProviderUserId != nil || d.IdentityProviderIdentityStoreId != nil {
		t.Fatalf("cleared link still described: %v %v", aws.ToString(d.IdentityProviderUserId), aws.ToString(d.IdentityProviderIdentityStoreId))
	}

	// An ENABLED user cannot be deleted; deregister first.
	_, err = c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &id})
	wantAPIError(t, err, "EntityStateException", id, "ENABLED")
	clock.Advance(time.Minute)
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &id}); err != nil {
		t.Fatal(err)
	}
	d = describeUser(t, c, org, id)
	if d.State != types.EntityStateDisabled || !aws.ToTime(d.DisabledDate).Equal(clock.Now()) || !aws.ToTime(d.MailboxDeprovisionedDate).Equal(clock.Now()) {
		t.Fatalf("deregistered user described as %+v", d)
	}
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}

	// A deleted user answers by id as DELETED; its name and email are free.
	if d := describeUser(t, c, org, id); d.State != types.EntityStateDeleted {
		t.Fatalf("deleted user is %s", d.State)
	}
	_, err = c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: aws.String("alice")})
	wantAPIError(t, err, "EntityNotFoundException", "alice")
	again := createUser(t, c, org, "alice", "")
	register(t, c, org, again, "alice@lifecycle.awsapps.com")

	// Deleting again, or deleting an unknown user, succeeds.
	for _, ident := range []string{id, "nobody", "00000000-0000-4000-8000-000000000000"} {
		if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: aws.String(ident)}); err != nil {
			t.Fatalf("DeleteUser %s: %v", ident, err)
		}
	}

	// After the retention the deleted user is gone.
	clock.Advance(31 * 24 * time.Hour)
	_, err = c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: &id})
	wantAPIError(t, err, "EntityNotFoundException", id)
}

func TestResetPassword(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "passwords")
	id := createUser(t, c, org, "carol", "")
	reset := func(ident, password string) error {
		_, err := c.ResetPassword(ctx, &workmail.ResetPasswordInput{OrganizationId: &org, UserId: aws.String(ident), Password: aws.String(password)})
		return err
	}
	if err := reset(id, strongPassword); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, reset(id, "short1A"), "InvalidPasswordException", "at least 8")
	wantAPIError(t, reset(id, "alllowercase"), "InvalidPasswordException", "three of")
	wantAPIError(t, reset("nobody-at-all", strongPassword), "EntityNotFoundException", "nobody-at-all")
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &id}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, reset(id, strongPassword), "EntityStateException", "deleted")
	// Validation happens before anything else, with the value redacted.
	wantAPIError(t, reset(id, "\u0100bad"), "InvalidParameterException", "*** Sensitive Data Redacted ***")
}

func TestUserErrors(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "errors")
	bob := createUser(t, c, org, "bob", idpBob)
	register(t, c, org, bob, "bob@errors.awsapps.com")
	dave := createUser(t, c, org, "dave", "")

	create := func(in workmail.CreateUserInput) error {
		if in.OrganizationId == nil {
			in.OrganizationId = &org
		}
		if in.DisplayName == nil {
			in.DisplayName = aws.String("Someone")
		}
		_, err := c.CreateUser(ctx, &in)
		return err
	}
	wantAPIError(t, create(workmail.CreateUserInput{Name: aws.String("BOB")}), "NameAvailabilityException", "BOB")
	wantAPIError(t, create(workmail.CreateUserInput{Name: aws.String("has space")}), "InvalidParameterException", "'name'")
	wantAPIError(t, create(workmail.CreateUserInput{Name: aws.String("x"), Role: types.UserRoleSystemUser}), "InvalidParameterException", "SYSTEM_USER")
	wantAPIError(t, create(workmail.CreateUserInput{Name: aws.String("x"), Password: aws.String("weak")}), "InvalidPasswordException")
	wantAPIError(t, create(workmail.CreateUserInput{Name: aws.String("x"), IdentityProviderUserId: aws.String("")}), "InvalidParameterException", "identityProviderUserId")
	wantAPIError(t, create(workmail.CreateUserInput{Name: aws.String("x"), IdentityProviderUserId: aws.String("not-an-id")}), "InvalidParameterException", "identityProviderUserId")
	wantAPIError(t, create(workmail.CreateUserInput{Name: aws.String("x"), OrganizationId: aws.String("m-00000000000000000000000000000000")}), "OrganizationNotFoundException")

	_, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: aws.String("ghost")})
	wantAPIError(t, err, "EntityNotFoundException", "ghost")
	_, err = c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &org, UserId: aws.String("ghost")})
	wantAPIError(t, err, "EntityNotFoundException", "ghost")
	_, err = c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &org, UserId: &bob, IdentityProviderUserId: aws.String("xyz")})
	wantAPIError(t, err, "InvalidParameterException", "identityProviderUserId")
	_, err = c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &org, UserId: &bob, Role: types.UserRoleResource})
	wantAPIError(t, err, "InvalidParameterException", "RESOURCE")

	reg := func(entity, email string) error {
		_, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &entity, Email: &email})
		return err
	}
	wantAPIError(t, reg("ghost", "ghost@errors.awsapps.com"), "EntityNotFoundException", "ghost")
	wantAPIError(t, reg(bob, "robert@errors.awsapps.com"), "EntityAlreadyRegisteredException", "bob@errors.awsapps.com")
	wantAPIError(t, reg(dave, "BOB@errors.awsapps.com"), "EmailAddressInUseException", "BOB@errors.awsapps.com")
	wantAPIError(t, reg(dave, "dave@elsewhere.example"), "MailDomainNotFoundException", "dave@elsewhere.example")
	if d := describeUser(t, c, org, dave); d.State != types.EntityStateDisabled || d.Email != nil {
		t.Fatalf("a failed registration changed the user: %+v", d)
	}

	_, err = c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: aws.String("ghost")})
	wantAPIError(t, err, "EntityNotFoundException", "ghost")
	_, err = c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &dave})
	wantAPIError(t, err, "EntityStateException", "DISABLED")

	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &dave}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, reg(dave, "dave@errors.awsapps.com"), "EntityStateException", "deleted")
	_, err = c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &org, UserId: &dave, City: aws.String("x")})
	wantAPIError(t, err, "EntityStateException", "deleted")
	_, err = c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &dave})
	wantAPIError(t, err, "EntityStateException", "DELETED")

	// Operations on a deleted organization are OrganizationStateException.
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org, DeleteIdentityCenterApplication: false}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: &bob})
	wantAPIError(t, err, "OrganizationStateException", "Deleted")
	_, err = c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org})
	wantAPIError(t, err, "OrganizationStateException", "Deleted")
}
