package policy

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// mobileCase is one entry of testdata/mobile-cases.json: a set of rules
// and overrides, and the decision each check must get. The server's
// black-box test runs the same file through the API.
type mobileCase struct {
	Name      string
	Rules     []MobileRule
	Overrides []MobileOverride
	Checks    []struct {
		UserID, DeviceID string
		Device           MobileDevice
		Effect           MobileEffect
		Matched          []string // rule ids, in rule order
		ByOverride       bool
	}
}

func loadMobileCases(t *testing.T) []mobileCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/mobile-cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []mobileCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestMobileAccess(t *testing.T) {
	for _, c := range loadMobileCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			for i := range c.Rules {
				c.Rules[i].Name = "name of " + c.Rules[i].ID
			}
			for _, ck := range c.Checks {
				got := MobileAccess(c.Rules, c.Overrides, MobileRequest{UserID: ck.UserID, DeviceID: ck.DeviceID, Device: ck.Device})
				var ids []string
				for _, m := range got.Matched {
					ids = append(ids, m.ID)
					if m.Name != "name of "+m.ID {
						t.Errorf("%+v: matched rule %s named %q", ck, m.ID, m.Name)
					}
				}
				if got.Effect != ck.Effect || !slices.Equal(ids, ck.Matched) || (got.Override != nil) != ck.ByOverride {
					t.Errorf("%s %s %+v: got %s %v override=%v, want %s %v override=%v",
						ck.UserID, ck.DeviceID, ck.Device, got.Effect, ids, got.Override != nil, ck.Effect, ck.Matched, ck.ByOverride)
				}
				if got.Matched == nil {
					t.Errorf("%+v: Matched is nil, want an empty list", ck)
				}
				if got.Override != nil && (got.Override.UserID != ck.UserID || got.Override.Effect != got.Effect) {
					t.Errorf("%+v: decided by override %+v", ck, got.Override)
				}
				// Without a user or device no override applies.
				if ck.UserID == "" || ck.DeviceID == "" {
					rules := MobileRulesEffect(c.Rules, ck.Device)
					if rules.Effect != got.Effect || len(rules.Matched) != len(got.Matched) {
						t.Errorf("%+v: MobileRulesEffect %+v, MobileAccess %+v", ck, rules, got)
					}
				}
			}
		})
	}
}

// TestMobileCasesCoverEveryCondition keeps the table honest: each
// condition, positive and negative, appears in some rule.
func TestMobileCasesCoverEveryCondition(t *testing.T) {
	seen := map[string]bool{}
	overrides := false
	for _, c := range loadMobileCases(t) {
		overrides = overrides || len(c.Overrides) > 0
		for _, r := range c.Rules {
			for name, v := range map[string][]string{
				"DeviceTypes": r.DeviceTypes, "NotDeviceTypes": r.NotDeviceTypes,
				"DeviceModels": r.DeviceModels, "NotDeviceModels": r.NotDeviceModels,
				"DeviceOperatingSystems": r.DeviceOperatingSystems, "NotDeviceOperatingSystems": r.NotDeviceOperatingSystems,
				"DeviceUserAgents": r.DeviceUserAgents, "NotDeviceUserAgents": r.NotDeviceUserAgents,
			} {
				if len(v) > 0 {
					seen[name] = true
				}
			}
		}
	}
	if len(seen) != 8 || !overrides {
		t.Errorf("the cases use conditions %v (want all 8) and overrides=%v", seen, overrides)
	}
}

func TestMobileMatchedRulesAreCapped(t *testing.T) {
	var rules []MobileRule
	for i := range 12 {
		rules = append(rules, MobileRule{ID: string(rune('a' + i)), Effect: MobileDeny})
	}
	if got := MobileRulesEffect(rules, MobileDevice{}); got.Effect != MobileDeny || len(got.Matched) != MaxMobileMatchedRules {
		t.Errorf("got %s with %d matched rules, want DENY with %d", got.Effect, len(got.Matched), MaxMobileMatchedRules)
	}
}

func TestMobilePrefixFold(t *testing.T) {
	for _, c := range []struct {
		s, prefix string
		want      bool
	}{
		{"iPhone", "", true},
		{"iPhone", "IPHONE", true},
		{"iPhone", "iPhoneX", false},
		{"", "a", false},
		{"ÿes", "Ÿ", true},
		{"é", "e", false},
	} {
		if got := mobilePrefixFold(c.s, c.prefix); got != c.want {
			t.Errorf("mobilePrefixFold(%q, %q) = %v, want %v", c.s, c.prefix, got, c.want)
		}
	}
}
