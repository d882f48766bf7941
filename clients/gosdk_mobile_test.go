package clients_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

func goMobileEffect(t *testing.T, c *workmail.Client, in *workmail.GetMobileDeviceAccessEffectInput) string {
	t.Helper()
	out, err := c.GetMobileDeviceAccessEffect(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out.Effect)
	for _, m := range out.MatchedRules {
		s += " " + aws.ToString(m.Name)
	}
	return s
}

func goMobileRuleNames(t *testing.T, c *workmail.Client, org string) []string {
	t.Helper()
	out, err := c.ListMobileDeviceAccessRules(context.Background(), &workmail.ListMobileDeviceAccessRulesInput{OrganizationId: &org})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.Rules {
		names = append(names, aws.ToString(r.Name))
	}
	return names
}

// goMobileRules: the default rule, ClientToken retries, prefix and $NONE
// matching, DENY over ALLOW, full-replace updates and the limit of 10.
func goMobileRules(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-mobile")
	if got := goMobileRuleNames(t, c, org); !slices.Equal(got, []string{"default"}) {
		t.Fatalf("rules of a new organization: %q", got)
	}
	in := &workmail.CreateMobileDeviceAccessRuleInput{OrganizationId: &org, ClientToken: aws.String("go-token-1"),
		Name: aws.String("BlockIPad"), Effect: types.MobileDeviceAccessRuleEffectDeny, DeviceTypes: []string{"ipad"}}
	first, err := c.CreateMobileDeviceAccessRule(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateMobileDeviceAccessRule(ctx, in)
	if err != nil || aws.ToString(again.MobileDeviceAccessRuleId) != aws.ToString(first.MobileDeviceAccessRuleId) {
		t.Fatalf("retry: %v %v", again, err)
	}
	in.DeviceTypes = []string{"iphone"}
	_, err = c.CreateMobileDeviceAccessRule(ctx, in)
	wantError[*types.InvalidParameterException](t, err, "ClientToken go-token-1 was already used for CreateMobileDeviceAccessRule with different parameters.")

	for device, want := range map[string]string{"iPad": "DENY BlockIPad", "IPAD8C1": "DENY BlockIPad", "iPhone": "ALLOW default"} {
		if got := goMobileEffect(t, c, &workmail.GetMobileDeviceAccessEffectInput{OrganizationId: &org, DeviceType: &device}); got != want {
			t.Errorf("effect for %s: %s, want %s", device, got, want)
		}
	}
	// The default rule becomes a rule for devices that report no model.
	_, err = c.UpdateMobileDeviceAccessRule(ctx, &workmail.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: aws.String("default"),
		Name: aws.String("NoModel"), Effect: types.MobileDeviceAccessRuleEffectAllow, DeviceModels: []string{"$NONE"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := goMobileEffect(t, c, &workmail.GetMobileDeviceAccessEffectInput{OrganizationId: &org, DeviceType: aws.String("Android")}); got != "ALLOW NoModel" {
		t.Errorf("no model: %s", got)
	}
	if got := goMobileEffect(t, c, &workmail.GetMobileDeviceAccessEffectInput{OrganizationId: &org, DeviceModel: aws.String("Pixel")}); got != "DENY" {
		t.Errorf("with a model: %s", got)
	}
	_, err = c.UpdateMobileDeviceAccessRule(ctx, &workmail.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: aws.String("missing"),
		Name: aws.String("x"), Effect: types.MobileDeviceAccessRuleEffectAllow})
	wantError[*types.EntityNotFoundException](t, err, "Mobile device access rule missing does not exist in organization "+org+".")

	for i := range 8 {
		if _, err := c.CreateMobileDeviceAccessRule(ctx, &workmail.CreateMobileDeviceAccessRuleInput{OrganizationId: &org, Name: aws.String(fmt.Sprint("rule ", i)),
			Effect: types.MobileDeviceAccessRuleEffectAllow, NotDeviceOperatingSystems: []string{"iOS 12"}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateMobileDeviceAccessRule(ctx, &workmail.CreateMobileDeviceAccessRuleInput{OrganizationId: &org, Name: aws.String("eleventh"), Effect: types.MobileDeviceAccessRuleEffectAllow})
	wantError[*types.LimitExceededException](t, err, "Organization "+org+" already has 10 mobile device access rules, the most it may have.")
	for range 2 {
		if _, err := c.DeleteMobileDeviceAccessRule(ctx, &workmail.DeleteMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: first.MobileDeviceAccessRuleId}); err != nil {
			t.Fatal(err)
		}
	}
	if got := goMobileRuleNames(t, c, org); len(got) != 9 || got[0] != "NoModel" || got[1] != "rule 0" {
		t.Errorf("rules after a delete: %q", got)
	}
}

// goMobileOverrides: Put, Get, List (by user, by device, paged by hand),
// Delete, and a deleted user's overrides gone.
func goMobileOverrides(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-overrides")
	alice := goMailboxUser(t, c, org, "go-overrides", "alice")
	bob := goMailboxUser(t, c, org, "go-overrides", "bob")
	put := func(user, device string, effect types.MobileDeviceAccessRuleEffect) error {
		_, err := c.PutMobileDeviceAccessOverride(ctx, &workmail.PutMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: &user, DeviceId: &device, Effect: effect})
		return err
	}
	for _, d := range []string{"P1", "P2", "P3"} {
		if err := put("alice", d, types.MobileDeviceAccessRuleEffectAllow); err != nil {
			t.Fatal(err)
		}
	}
	if err := put(bob, "p1", types.MobileDeviceAccessRuleEffectDeny); err != nil {
		t.Fatal(err)
	}
	if err := put("alice@go-overrides.awsapps.com", "p2", types.MobileDeviceAccessRuleEffectDeny); err != nil { // replaces P2
		t.Fatal(err)
	}
	got, err := c.GetMobileDeviceAccessOverride(ctx, &workmail.GetMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: &alice, DeviceId: aws.String("P2")})
	if err != nil || aws.ToString(got.UserId) != alice || aws.ToString(got.DeviceId) != "P2" || got.Effect != types.MobileDeviceAccessRuleEffectDeny || got.Description != nil ||
		got.DateCreated == nil || got.DateModified.Before(*got.DateCreated) {
		t.Fatalf("override: %+v %v", got, err)
	}
	_, err = c.GetMobileDeviceAccessOverride(ctx, &workmail.GetMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: &bob, DeviceId: aws.String("P2")})
	wantError[*types.ResourceNotFoundException](t, err, "User "+bob+" has no mobile device access override for device P2.")

	var listed []string
	var next *string
	for {
		out, err := c.ListMobileDeviceAccessOverrides(ctx, &workmail.ListMobileDeviceAccessOverridesInput{OrganizationId: &org, UserId: aws.String("alice"), MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Overrides {
			listed = append(listed, aws.ToString(o.DeviceId)+" "+string(o.Effect))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if want := []string{"P1 ALLOW", "P2 DENY", "P3 ALLOW"}; !slices.Equal(listed, want) {
		t.Errorf("alice's overrides %q, want %q", listed, want)
	}
	byDevice, err := c.ListMobileDeviceAccessOverrides(ctx, &workmail.ListMobileDeviceAccessOverridesInput{OrganizationId: &org, DeviceId: aws.String("P1")})
	if err != nil || len(byDevice.Overrides) != 2 {
		t.Fatalf("by device: %+v %v", byDevice, err)
	}
	_, err = c.ListMobileDeviceAccessOverrides(ctx, &workmail.ListMobileDeviceAccessOverridesInput{OrganizationId: &org, UserId: aws.String("nobody")})
	wantError[*types.EntityNotFoundException](t, err, "User nobody does not exist in organization "+org+".")
	for range 2 {
		if _, err := c.DeleteMobileDeviceAccessOverride(ctx, &workmail.DeleteMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: &alice, DeviceId: aws.String("p3")}); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &bob}); err != nil {
		t.Fatal(err)
	}
	wantError[*types.EntityStateException](t, put(bob, "p9", types.MobileDeviceAccessRuleEffectDeny), "User "+bob+" is DISABLED: register it to WorkMail before overriding its devices' access.")
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &bob}); err != nil {
		t.Fatal(err)
	}
	left, err := c.ListMobileDeviceAccessOverrides(ctx, &workmail.ListMobileDeviceAccessOverridesInput{OrganizationId: &org})
	if err != nil || len(left.Overrides) != 2 || aws.ToString(left.Overrides[0].UserId) != alice {
		t.Fatalf("after deleting bob: %+v %v", left, err)
	}
}
