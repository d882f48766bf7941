package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

// mobileCase is an entry of the evaluation table internal/policy tests
// (internal/policy/testdata/mobile-cases.json), here run through the API:
// rules are created and overrides put with the Go SDK, each check asked
// of GetMobileDeviceAccessEffect (when it names no user or device) and of
// the server's CheckMobileDevice.
type mobileCase struct {
	Name  string
	Rules []struct {
		ID, Effect                                        string
		DeviceTypes, NotDeviceTypes                       []string
		DeviceModels, NotDeviceModels                     []string
		DeviceOperatingSystems, NotDeviceOperatingSystems []string
		DeviceUserAgents, NotDeviceUserAgents             []string
	}
	Overrides []struct{ UserID, DeviceID, Effect string }
	Checks    []struct {
		UserID, DeviceID string
		Device           struct{ Type, Model, OperatingSystem, UserAgent string }
		Effect           string
		Matched          []string
		ByOverride       bool
	}
}

func TestMobileDeviceAccessTable(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "internal", "policy", "testdata", "mobile-cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []mobileCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	ctx := context.Background()
	for i, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			alias := fmt.Sprintf("mobile%d", i)
			org := createOrg(t, c, alias)
			deleteAllMobileRules(t, c, org)
			ids := map[string]string{} // rule id in the table -> id the server gave
			for _, r := range tc.Rules {
				out, err := c.CreateMobileDeviceAccessRule(ctx, &workmail.CreateMobileDeviceAccessRuleInput{
					OrganizationId: &org, Name: aws.String(r.ID), Effect: types.MobileDeviceAccessRuleEffect(r.Effect),
					DeviceTypes: r.DeviceTypes, NotDeviceTypes: r.NotDeviceTypes,
					DeviceModels: r.DeviceModels, NotDeviceModels: r.NotDeviceModels,
					DeviceOperatingSystems: r.DeviceOperatingSystems, NotDeviceOperatingSystems: r.NotDeviceOperatingSystems,
					DeviceUserAgents: r.DeviceUserAgents, NotDeviceUserAgents: r.NotDeviceUserAgents,
				})
				if err != nil {
					t.Fatal(err)
				}
				ids[r.ID] = *out.MobileDeviceAccessRuleId
			}
			users := map[string]bool{}
			for _, o := range tc.Overrides {
				users[o.UserID] = true
			}
			for _, ck := range tc.Checks {
				if ck.UserID != "" {
					users[ck.UserID] = true
				}
			}
			for name := range users {
				mailboxUser(t, c, org, alias, name)
			}
			for _, o := range tc.Overrides {
				_, err := c.PutMobileDeviceAccessOverride(ctx, &workmail.PutMobileDeviceAccessOverrideInput{OrganizationId: &org,
					UserId: aws.String(o.UserID), DeviceId: aws.String(o.DeviceID), Effect: types.MobileDeviceAccessRuleEffect(o.Effect)})
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, ck := range tc.Checks {
				var want []string
				for _, id := range ck.Matched {
					want = append(want, ids[id]+" "+id)
				}
				if ck.UserID == "" || ck.DeviceID == "" {
					out, err := c.GetMobileDeviceAccessEffect(ctx, &workmail.GetMobileDeviceAccessEffectInput{OrganizationId: &org,
						DeviceType: optionalDeviceProperty(ck.Device.Type), DeviceModel: optionalDeviceProperty(ck.Device.Model),
						DeviceOperatingSystem: optionalDeviceProperty(ck.Device.OperatingSystem), DeviceUserAgent: optionalDeviceProperty(ck.Device.UserAgent)})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, m := range out.MatchedRules {
						got = append(got, *m.MobileDeviceAccessRuleId+" "+*m.Name)
					}
					if string(out.Effect) != ck.Effect || !slices.Equal(got, want) {
						t.Errorf("GetMobileDeviceAccessEffect %+v: %s %q, want %s %q", ck.Device, out.Effect, got, ck.Effect, want)
					}
				}
				if ck.UserID == "" {
					continue
				}
				a, err := ts.srv.CheckMobileDevice(ctx, server.MobileDeviceCheck{Account: testAccount, Region: testRegion, OrganizationID: org,
					User: ck.UserID, DeviceID: ck.DeviceID, DeviceType: ck.Device.Type, DeviceModel: ck.Device.Model,
					DeviceOperatingSystem: ck.Device.OperatingSystem, DeviceUserAgent: ck.Device.UserAgent})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, m := range a.MatchedRules {
					got = append(got, m.ID+" "+m.Name)
				}
				if a.Effect != ck.Effect || a.ByOverride != ck.ByOverride || !slices.Equal(got, want) {
					t.Errorf("CheckMobileDevice %s %s %+v: %s override=%v %q, want %s override=%v %q",
						ck.UserID, ck.DeviceID, ck.Device, a.Effect, a.ByOverride, got, ck.Effect, ck.ByOverride, want)
				}
			}
		})
	}
}

func optionalDeviceProperty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deleteAllMobileRules(t *testing.T, c *workmail.Client, org string) {
	t.Helper()
	for _, r := range listMobileRules(t, c, org) {
		if _, err := c.DeleteMobileDeviceAccessRule(context.Background(), &workmail.DeleteMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: r.MobileDeviceAccessRuleId}); err != nil {
			t.Fatal(err)
		}
	}
	if rules := listMobileRules(t, c, org); len(rules) != 0 {
		t.Fatalf("rules left: %+v", rules)
	}
}

func listMobileRules(t *testing.T, c *workmail.Client, org string) []types.MobileDeviceAccessRule {
	t.Helper()
	out, err := c.ListMobileDeviceAccessRules(context.Background(), &workmail.ListMobileDeviceAccessRulesInput{OrganizationId: &org})
	if err != nil {
		t.Fatal(err)
	}
	return out.Rules
}

// The rule operations through the SDK: the default rule, creation order,
// ClientToken retries, the limit of 10, full-replace updates, idempotent
// deletes, and the declared error codes.
func TestMobileDeviceAccessRuleOperations(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c := ts.defaultClient()
	ctx := context.Background()
	org := createOrg(t, c, "rules")

	rules := listMobileRules(t, c, org)
	if len(rules) != 1 || *rules[0].MobileDeviceAccessRuleId != "default" || *rules[0].Name != "default" ||
		rules[0].Effect != types.MobileDeviceAccessRuleEffectAllow || !rules[0].DateCreated.Equal(clock.Now()) {
		t.Fatalf("rules of a new organization: %+v", rules)
	}
	create := func(token, name string, deviceTypes ...string) (string, error) {
		out, err := c.CreateMobileDeviceAccessRule(ctx, &workmail.CreateMobileDeviceAccessRuleInput{OrganizationId: &org, ClientToken: aws.String(token),
			Name: &name, Effect: types.MobileDeviceAccessRuleEffectDeny, DeviceTypes: deviceTypes, Description: aws.String("about " + name)})
		if err != nil {
			return "", err
		}
		return *out.MobileDeviceAccessRuleId, nil
	}
	clock.Advance(time.Second)
	id, err := create("token-1", "block android", "Android")
	if err != nil {
		t.Fatal(err)
	}
	mustMatch(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, id)
	if again, err := create("token-1", "block android", "Android"); err != nil || again != id {
		t.Fatalf("retry: %s %v, want %s", again, err, id)
	}
	_, err = create("token-1", "block ipad", "iPad")
	wantAPIError(t, err, "InvalidParameterException", "ClientToken")
	for i := range 8 {
		if _, err := create(fmt.Sprint("fill-", i), fmt.Sprint("rule ", i), "Nokia"); err != nil {
			t.Fatal(err)
		}
	}
	_, err = create("one-too-many", "eleventh")
	wantAPIError(t, err, "LimitExceededException")
	rules = listMobileRules(t, c, org)
	if len(rules) != 10 || *rules[1].MobileDeviceAccessRuleId != id || *rules[1].Description != "about block android" ||
		!slices.Equal(rules[1].DeviceTypes, []string{"Android"}) || *rules[9].Name != "rule 7" {
		t.Fatalf("rules: %+v", rules)
	}

	clock.Advance(time.Second)
	_, err = c.UpdateMobileDeviceAccessRule(ctx, &workmail.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: &id,
		Name: aws.String("old iOS"), Effect: types.MobileDeviceAccessRuleEffectDeny, DeviceOperatingSystems: []string{"iOS 12"}})
	if err != nil {
		t.Fatal(err)
	}
	r := listMobileRules(t, c, org)[1]
	if *r.Name != "old iOS" || r.Description != nil || r.DeviceTypes != nil || !slices.Equal(r.DeviceOperatingSystems, []string{"iOS 12"}) ||
		!r.DateModified.Equal(clock.Now()) || !r.DateCreated.Equal(clock.Now().Add(-time.Second)) {
		t.Fatalf("updated rule: %+v", r)
	}
	_, err = c.UpdateMobileDeviceAccessRule(ctx, &workmail.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: aws.String("missing"),
		Name: aws.String("x"), Effect: types.MobileDeviceAccessRuleEffectDeny})
	wantAPIError(t, err, "EntityNotFoundException", "missing")

	eff, err := c.GetMobileDeviceAccessEffect(ctx, &workmail.GetMobileDeviceAccessEffectInput{OrganizationId: &org, DeviceOperatingSystem: aws.String("ios 12.3.1 16F203")})
	if err != nil || eff.Effect != types.MobileDeviceAccessRuleEffectDeny || len(eff.MatchedRules) != 1 || *eff.MatchedRules[0].MobileDeviceAccessRuleId != id {
		t.Fatalf("effect: %+v %v", eff, err)
	}
	for range 2 {
		if _, err := c.DeleteMobileDeviceAccessRule(ctx, &workmail.DeleteMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: &id}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(listMobileRules(t, c, org)); n != 9 {
		t.Fatalf("%d rules after a delete", n)
	}

	unknown := "m-0000000000000000000000000000f00d"
	_, err = c.ListMobileDeviceAccessRules(ctx, &workmail.ListMobileDeviceAccessRulesInput{OrganizationId: &unknown})
	wantAPIError(t, err, "OrganizationNotFoundException")
	_, err = ts.client(otherAccount, testRegion).GetMobileDeviceAccessEffect(ctx, &workmail.GetMobileDeviceAccessEffectInput{OrganizationId: &org})
	wantAPIError(t, err, "OrganizationNotFoundException")
}

// The override operations through the SDK, paging by hand (botocore has
// no paginator for ListMobileDeviceAccessOverrides).
func TestMobileDeviceAccessOverrideOperations(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	ctx := context.Background()
	org := createOrg(t, c, "overrides")
	alice := mailboxUser(t, c, org, "overrides", "alice")
	idle := createUser(t, c, org, "idle", "")

	put := func(user, device string, effect types.MobileDeviceAccessRuleEffect) error {
		_, err := c.PutMobileDeviceAccessOverride(ctx, &workmail.PutMobileDeviceAccessOverrideInput{OrganizationId: &org,
			UserId: &user, DeviceId: &device, Effect: effect, Description: aws.String("for " + device)})
		return err
	}
	wantAPIError(t, put(idle, "DEV1", types.MobileDeviceAccessRuleEffectAllow), "EntityStateException")
	wantAPIError(t, put("nobody", "DEV1", types.MobileDeviceAccessRuleEffectAllow), "EntityNotFoundException")
	var devices []string
	for i := range 7 {
		d := fmt.Sprintf("Device%02d", i)
		devices = append(devices, d)
		if err := put("alice@overrides.awsapps.com", d, types.MobileDeviceAccessRuleEffectDeny); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.GetMobileDeviceAccessOverride(ctx, &workmail.GetMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: aws.String("alice"), DeviceId: aws.String("DEVICE03")})
	if err != nil || *got.UserId != alice || *got.DeviceId != "Device03" || got.Effect != types.MobileDeviceAccessRuleEffectDeny || *got.Description != "for Device03" || got.DateCreated == nil {
		t.Fatalf("override: %+v %v", got, err)
	}
	_, err = c.GetMobileDeviceAccessOverride(ctx, &workmail.GetMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: &alice, DeviceId: aws.String("Other")})
	wantAPIError(t, err, "ResourceNotFoundException")

	var listed []string
	var next *string
	for {
		out, err := c.ListMobileDeviceAccessOverrides(ctx, &workmail.ListMobileDeviceAccessOverridesInput{OrganizationId: &org, UserId: &alice, NextToken: next, MaxResults: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Overrides) > 3 {
			t.Fatalf("page of %d", len(out.Overrides))
		}
		for _, o := range out.Overrides {
			listed = append(listed, *o.DeviceId)
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if !slices.Equal(listed, devices) {
		t.Fatalf("listed %q, want %q", listed, devices)
	}
	out, err := c.ListMobileDeviceAccessOverrides(ctx, &workmail.ListMobileDeviceAccessOverridesInput{OrganizationId: &org, DeviceId: aws.String("device05")})
	if err != nil || len(out.Overrides) != 1 || *out.Overrides[0].UserId != alice {
		t.Fatalf("by device: %+v %v", out, err)
	}
	for range 2 {
		if _, err := c.DeleteMobileDeviceAccessOverride(ctx, &workmail.DeleteMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: &alice, DeviceId: aws.String("device05")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.DeleteMobileDeviceAccessOverride(ctx, &workmail.DeleteMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: aws.String("nobody"), DeviceId: aws.String("device05")})
	wantAPIError(t, err, "EntityNotFoundException")

	// Deleting the user drops its overrides.
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &alice}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &alice}); err != nil {
		t.Fatal(err)
	}
	out, err = c.ListMobileDeviceAccessOverrides(ctx, &workmail.ListMobileDeviceAccessOverridesInput{OrganizationId: &org})
	if err != nil || len(out.Overrides) != 0 {
		t.Fatalf("overrides after deleting the user: %+v %v", out, err)
	}
}
