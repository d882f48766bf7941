package workmailtest_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
	"github.com/workmaild/workmaild/workmailtest"
)

// An MDM setup: a rule denies every device, an override lets one through.
func TestCheckMobileDevice(t *testing.T) {
	srv := workmailtest.NewServer(t)
	c, ctx := srv.Client(), t.Context()
	org := srv.CreateActiveOrganization("devices")
	user, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String("alice"), DisplayName: aws.String("Alice")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: user.UserId, Email: aws.String("alice@devices.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateMobileDeviceAccessRule(ctx, &workmail.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: aws.String("default"),
		Name: aws.String("DefaultDenyAll"), Effect: types.MobileDeviceAccessRuleEffectDeny}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMobileDeviceAccessOverride(ctx, &workmail.PutMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: aws.String("alice"),
		DeviceId: aws.String("MANAGED1"), Effect: types.MobileDeviceAccessRuleEffectAllow}); err != nil {
		t.Fatal(err)
	}
	check := server.MobileDeviceCheck{OrganizationID: org, User: "alice", DeviceID: "managed1", DeviceType: "iPhone"}
	if a, err := srv.CheckMobileDevice(check); err != nil || a.Effect != "ALLOW" || !a.ByOverride {
		t.Fatalf("managed device: %+v, %v", a, err)
	}
	check.DeviceID = "PRIVATE1"
	if a, err := srv.CheckMobileDevice(check); err != nil || a.Effect != "DENY" || a.ByOverride || len(a.MatchedRules) != 1 || a.MatchedRules[0].Name != "DefaultDenyAll" {
		t.Fatalf("unmanaged device: %+v, %v", a, err)
	}
	check.User = "nobody"
	if _, err := srv.CheckMobileDevice(check); err == nil {
		t.Fatal("an unknown user was checked")
	}
}
