package service

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

const (
	mobileAllow = model.MobileDeviceAccessRuleEffectAllow
	mobileDeny  = model.MobileDeviceAccessRuleEffectDeny
)

func (f *fixture) createMobileRule(org, name string, effect model.MobileDeviceAccessRuleEffect, token *string, types ...string) (string, error) {
	out, err := f.s.CreateMobileDeviceAccessRule(f.ctx, &model.CreateMobileDeviceAccessRuleInput{OrganizationId: &org, ClientToken: token,
		Name: &name, Effect: &effect, DeviceTypes: types})
	if err != nil {
		return "", err
	}
	return *out.MobileDeviceAccessRuleId, nil
}

// rules lists the organization's rules as "name EFFECT".
func (f *fixture) mobileRuleNames(org string) []string {
	f.t.Helper()
	out, err := f.s.ListMobileDeviceAccessRules(f.ctx, &model.ListMobileDeviceAccessRulesInput{OrganizationId: &org})
	if err != nil {
		f.t.Fatal(err)
	}
	var list []string
	for _, r := range out.Rules {
		list = append(list, *r.Name+" "+string(*r.Effect))
	}
	return list
}

func (f *fixture) deleteMobileRule(org, id string) error {
	_, err := f.s.DeleteMobileDeviceAccessRule(f.ctx, &model.DeleteMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: &id})
	return err
}

func (f *fixture) mobileEffect(org, deviceType string) (string, []string) {
	f.t.Helper()
	out, err := f.s.GetMobileDeviceAccessEffect(f.ctx, &model.GetMobileDeviceAccessEffectInput{OrganizationId: &org, DeviceType: optional(deviceType)})
	if err != nil {
		f.t.Fatal(err)
	}
	var names []string
	for _, m := range out.MatchedRules {
		names = append(names, *m.Name)
	}
	return string(*out.Effect), names
}

func (f *fixture) putMobileOverride(org, user, device string, effect model.MobileDeviceAccessRuleEffect) error {
	_, err := f.s.PutMobileDeviceAccessOverride(f.ctx, &model.PutMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: &user, DeviceId: &device, Effect: &effect})
	return err
}

// overrides lists overrides, page by page, as "user device EFFECT".
func (f *fixture) mobileOverrideList(org string, user, device *string, pageSize int32) ([]string, error) {
	var all []string
	var next *string
	for {
		out, err := f.s.ListMobileDeviceAccessOverrides(f.ctx, &model.ListMobileDeviceAccessOverridesInput{OrganizationId: &org, UserId: user, DeviceId: device, NextToken: next, MaxResults: &pageSize})
		if err != nil {
			return nil, err
		}
		for _, o := range out.Overrides {
			all = append(all, *o.UserId+" "+*o.DeviceId+" "+string(*o.Effect))
		}
		if next = out.NextToken; next == nil {
			return all, nil
		}
	}
}

// An organization starts with the default ALLOW rule, stored or not; it
// is edited and deleted like any other, and without rules every device
// is denied.
func TestMobileDefaultRule(t *testing.T) {
	f := newFixture(t)
	org := f.org("mobile")
	if got := f.mobileRuleNames(org); !slices.Equal(got, []string{"default ALLOW"}) {
		t.Fatalf("rules of a new organization: %q", got)
	}
	out, _ := f.s.ListMobileDeviceAccessRules(f.ctx, &model.ListMobileDeviceAccessRulesInput{OrganizationId: &org})
	def := out.Rules[0]
	if *def.MobileDeviceAccessRuleId != "default" || *def.Description != "Default WorkMail Rule" || def.DateCreated == nil || def.DeviceTypes != nil {
		t.Fatalf("default rule: %+v", def)
	}
	// Reading stores nothing.
	before := f.records(testPartition)
	if eff, matched := f.mobileEffect(org, "iPhone"); eff != "ALLOW" || !slices.Equal(matched, []string{"default"}) {
		t.Fatalf("effect with the default rule: %s %q", eff, matched)
	}
	if err := f.deleteMobileRule(org, "no-such-rule"); err != nil {
		t.Fatal(err)
	}
	if after := f.records(testPartition); !slices.Equal(before, after) {
		t.Fatalf("reads or a no-op delete wrote records:\n%q\n%q", before, after)
	}

	// Updating the default rule keeps its id and creation date.
	f.clock.Advance(time.Minute)
	name, effect := "deny all", mobileDeny
	if _, err := f.s.UpdateMobileDeviceAccessRule(f.ctx, &model.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: ptr("default"), Name: &name, Effect: &effect}); err != nil {
		t.Fatal(err)
	}
	out, _ = f.s.ListMobileDeviceAccessRules(f.ctx, &model.ListMobileDeviceAccessRulesInput{OrganizationId: &org})
	if len(out.Rules) != 1 || *out.Rules[0].Name != "deny all" || out.Rules[0].Description != nil ||
		!out.Rules[0].DateCreated.Equal(def.DateCreated.Time) || !out.Rules[0].DateModified.After(def.DateModified.Time) {
		t.Fatalf("updated default rule: %+v", out.Rules)
	}
	if eff, matched := f.mobileEffect(org, ""); eff != "DENY" || !slices.Equal(matched, []string{"deny all"}) {
		t.Fatalf("effect: %s %q", eff, matched)
	}
	// Deleted, it stays deleted; no rules deny everything.
	if err := f.deleteMobileRule(org, "default"); err != nil {
		t.Fatal(err)
	}
	if got := f.mobileRuleNames(org); len(got) != 0 {
		t.Fatalf("rules after deleting the default: %q", got)
	}
	if eff, matched := f.mobileEffect(org, "iPhone"); eff != "DENY" || matched != nil {
		t.Fatalf("effect without rules: %s %q", eff, matched)
	}
	// Unknown rules cannot be updated.
	_, err := f.s.UpdateMobileDeviceAccessRule(f.ctx, &model.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: ptr("default"), Name: &name, Effect: &effect})
	wantCode(t, err, model.ErrEntityNotFound)
}

// Rules are listed in creation order; an eleventh is refused; a repeated
// ClientToken returns the first rule; Update replaces the whole rule.
func TestMobileRules(t *testing.T) {
	f := newFixture(t)
	org := f.org("rules")
	first, err := f.createMobileRule(org, "block android", mobileDeny, ptr("tok-1"), "android")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := f.createMobileRule(org, "block android", mobileDeny, ptr("tok-1"), "android"); err != nil || again != first {
		t.Fatalf("retry with the same ClientToken: %s %v, want %s", again, err, first)
	}
	_, err = f.createMobileRule(org, "block iPhone", mobileDeny, ptr("tok-1"), "iPhone")
	wantCode(t, err, model.ErrInvalidParameter)
	if want := []string{"default ALLOW", "block android DENY"}; !slices.Equal(f.mobileRuleNames(org), want) {
		t.Fatalf("rules %q, want %q", f.mobileRuleNames(org), want)
	}
	if eff, matched := f.mobileEffect(org, "Android"); eff != "DENY" || !slices.Equal(matched, []string{"block android"}) {
		t.Fatalf("effect: %s %q", eff, matched)
	}
	var names []string
	for i := range 8 {
		name := "rule " + string(rune('a'+i))
		if _, err := f.createMobileRule(org, name, mobileAllow, nil); err != nil {
			t.Fatal(err)
		}
		names = append(names, name+" ALLOW")
	}
	_, err = f.createMobileRule(org, "eleventh", mobileAllow, ptr("tok-11"))
	wantCode(t, err, model.ErrLimitExceeded)
	if got := f.mobileRuleNames(org); len(got) != MaxMobileRules || !slices.Equal(got[2:], names) {
		t.Fatalf("rules: %q", got)
	}
	// The same name twice is allowed (names are not keys).
	if err := f.deleteMobileRule(org, "default"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.createMobileRule(org, "rule a", mobileAllow, nil); err != nil {
		t.Fatal(err)
	}

	// Update is a full replace: conditions left out are gone.
	desc := "no longer android"
	effect := mobileAllow
	if _, err := f.s.UpdateMobileDeviceAccessRule(f.ctx, &model.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: &first,
		Name: ptr("models"), Description: &desc, Effect: &effect, NotDeviceModels: []string{"HTC"}}); err != nil {
		t.Fatal(err)
	}
	out, _ := f.s.ListMobileDeviceAccessRules(f.ctx, &model.ListMobileDeviceAccessRulesInput{OrganizationId: &org})
	r := out.Rules[0]
	if *r.MobileDeviceAccessRuleId != first || *r.Name != "models" || *r.Description != desc || r.DeviceTypes != nil || !slices.Equal(r.NotDeviceModels, []string{"HTC"}) {
		t.Fatalf("updated rule: %+v", r)
	}
	if err := f.deleteMobileRule(org, first); err != nil {
		t.Fatal(err)
	}
	if err := f.deleteMobileRule(org, first); err != nil {
		t.Fatal(err)
	}
	if got := f.mobileRuleNames(org); len(got) != 9 || got[0] != "rule a ALLOW" {
		t.Fatalf("rules after delete: %q", got)
	}
}

func TestMobileOverrides(t *testing.T) {
	f := newFixture(t)
	org := f.org("devices")
	alice := f.mailboxUser(org, "devices", "alice")
	bob := f.mailboxUser(org, "devices", "bob")
	idle := f.user(org, "idle")

	// Only ENABLED users get overrides.
	wantCode(t, f.putMobileOverride(org, idle, "DEV1", mobileAllow), model.ErrEntityState)
	wantCode(t, f.putMobileOverride(org, "nobody", "DEV1", mobileAllow), model.ErrEntityNotFound)

	if err := f.putMobileOverride(org, "alice@devices.awsapps.com", "Dev1", mobileDeny); err != nil {
		t.Fatal(err)
	}
	created := f.clock.Now()
	f.clock.Advance(time.Minute)
	// DeviceId is case-insensitive: this replaces the override, keeping its spelling.
	desc := "lost"
	if _, err := f.s.PutMobileDeviceAccessOverride(f.ctx, &model.PutMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: ptr("alice"), DeviceId: ptr("DEV1"), Effect: ptr(mobileAllow), Description: &desc}); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.GetMobileDeviceAccessOverride(f.ctx, &model.GetMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: ptr("ALICE"), DeviceId: ptr("dev1")})
	if err != nil || *got.UserId != alice || *got.DeviceId != "Dev1" || *got.Effect != mobileAllow || *got.Description != desc ||
		!got.DateCreated.Equal(created) || !got.DateModified.Equal(f.clock.Now()) {
		t.Fatalf("override: %+v %v", got, err)
	}
	_, err = f.s.GetMobileDeviceAccessOverride(f.ctx, &model.GetMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: ptr("alice"), DeviceId: ptr("DEV2")})
	wantCode(t, err, model.ErrResourceNotFound)
	_, err = f.s.GetMobileDeviceAccessOverride(f.ctx, &model.GetMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: ptr("nobody"), DeviceId: ptr("DEV1")})
	wantCode(t, err, model.ErrEntityNotFound)

	for _, o := range []struct{ user, device string }{{alice, "DEV2"}, {bob, "dev1"}, {bob, "DEV12"}} {
		if err := f.putMobileOverride(org, o.user, o.device, mobileDeny); err != nil {
			t.Fatal(err)
		}
	}
	first, second := alice, bob
	if second < first {
		first, second = second, first
	}
	byUser := map[string][]string{
		alice: {alice + " Dev1 ALLOW", alice + " DEV2 DENY"},
		bob:   {bob + " dev1 DENY", bob + " DEV12 DENY"},
	}
	all := append(slices.Clone(byUser[first]), byUser[second]...)
	devOne := map[string]string{alice: alice + " Dev1 ALLOW", bob: bob + " dev1 DENY"}
	for _, c := range []struct {
		user, device *string
		want         []string
	}{
		{nil, nil, all},
		{ptr("bob"), nil, byUser[bob]},
		{nil, ptr("DEV1"), []string{devOne[first], devOne[second]}},
		{ptr("bob"), ptr("dev1"), []string{bob + " dev1 DENY"}},
		{ptr("alice"), ptr("DEV12"), nil},
	} {
		for _, size := range []int32{1, 100} {
			got, err := f.mobileOverrideList(org, c.user, c.device, size)
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("overrides of %v %v (pages of %d): %q %v, want %q", c.user, c.device, size, got, err, c.want)
			}
		}
	}
	_, err = f.mobileOverrideList(org, ptr("nobody"), nil, 10)
	wantCode(t, err, model.ErrEntityNotFound)

	// The check the mail-login bridge makes: the override wins.
	check := MobileDeviceCheck{Account: testAccount, Region: testRegion, OrganizationID: org, User: "alice", DeviceID: "dev2", DeviceType: "iPhone"}
	if a, err := f.s.CheckMobileDevice(f.ctx, check); err != nil || a.Effect != "DENY" || !a.ByOverride || a.UserID != alice {
		t.Fatalf("check: %+v %v", a, err)
	}
	check.DeviceID = "DEV3"
	if a, err := f.s.CheckMobileDevice(f.ctx, check); err != nil || a.Effect != "ALLOW" || a.ByOverride || len(a.MatchedRules) != 1 || a.MatchedRules[0].ID != "default" {
		t.Fatalf("check: %+v %v", a, err)
	}
	check.User = "idle"
	if a, err := f.s.CheckMobileDevice(f.ctx, check); err != nil || a.Effect != "DENY" {
		t.Fatalf("check of a user without a mailbox: %+v %v", a, err)
	}
	check.User = "nobody"
	_, err = f.s.CheckMobileDevice(f.ctx, check)
	wantCode(t, err, model.ErrEntityNotFound)

	// Delete: a missing override succeeds, an unknown user does not.
	for range 2 {
		if _, err := f.s.DeleteMobileDeviceAccessOverride(f.ctx, &model.DeleteMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: ptr("alice"), DeviceId: ptr("dev2")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.s.DeleteMobileDeviceAccessOverride(f.ctx, &model.DeleteMobileDeviceAccessOverrideInput{OrganizationId: &org, UserId: ptr("nobody"), DeviceId: ptr("dev2")})
	wantCode(t, err, model.ErrEntityNotFound)

	// Deleting a user drops its overrides (the device index too);
	// deregistering keeps them.
	if err := f.deregister(org, bob); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.mobileOverrideList(org, ptr(bob), nil, 10); len(got) != 2 {
		t.Fatalf("deregistered user's overrides: %q", got)
	}
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &bob}); err != nil {
		t.Fatal(err)
	}
	if got, err := f.mobileOverrideList(org, nil, nil, 10); err != nil || !slices.Equal(got, []string{alice + " Dev1 ALLOW"}) {
		t.Fatalf("overrides after deleting bob: %q %v", got, err)
	}
	_, err = f.mobileOverrideList(org, ptr(bob), nil, 10)
	wantCode(t, err, model.ErrEntityNotFound)
	for _, r := range f.records(testPartition) {
		if strings.Contains(r, "mobile-override") && strings.Contains(r, bob) {
			t.Errorf("left of the deleted user: %s", r)
		}
	}
}

// A failed request changes nothing, and organization state rules apply.
func TestMobileErrorsChangeNothing(t *testing.T) {
	f := newFixture(t)
	org := f.org("full")
	for i := range MaxMobileRules - 1 {
		if _, err := f.createMobileRule(org, "r"+string(rune('a'+i)), mobileAllow, nil); err != nil {
			t.Fatal(err)
		}
	}
	before := f.records(testPartition, store.Global)
	_, err := f.createMobileRule(org, "over", mobileAllow, ptr("tok"))
	wantCode(t, err, model.ErrLimitExceeded)
	name, effect := "x", mobileAllow
	_, err = f.s.UpdateMobileDeviceAccessRule(f.ctx, &model.UpdateMobileDeviceAccessRuleInput{OrganizationId: &org, MobileDeviceAccessRuleId: ptr("nope"), Name: &name, Effect: &effect})
	wantCode(t, err, model.ErrEntityNotFound)
	if after := f.records(testPartition, store.Global); !slices.Equal(before, after) {
		t.Fatalf("failed requests wrote:\n%q\n%q", before, after)
	}
	unknown := "m-0000000000000000000000000000f00d"
	_, err = f.createMobileRule(unknown, "r", mobileAllow, nil)
	wantCode(t, err, model.ErrOrganizationNotFound)
	_, err = f.s.ListMobileDeviceAccessRules(f.ctx, &model.ListMobileDeviceAccessRulesInput{OrganizationId: &unknown})
	wantCode(t, err, model.ErrOrganizationNotFound)
}
