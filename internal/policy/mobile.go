package policy

import (
	"strings"
	"unicode/utf8"
)

// MobileEffect is what a mobile rule or override does to the access it
// matches.
type MobileEffect string

// The two effects, spelled as the WorkMail API spells them.
const (
	MobileAllow MobileEffect = "ALLOW"
	MobileDeny  MobileEffect = "DENY"
)

// MobileNoneValue in a condition stands for a property the device did not
// report. It is compared without regard to case, like every value.
const MobileNoneValue = "$NONE"

// MaxMobileMatchedRules is the most rules an answer names (the API's list of
// matched rules holds at most 10).
const MaxMobileMatchedRules = 10

// MobileDevice is what an ActiveSync device reports of itself. An empty
// property is one the device did not report.
type MobileDevice struct {
	Type            string
	Model           string
	OperatingSystem string
	UserAgent       string
}

// MobileRule is one mobile device access rule. Each list is a condition
// on one property; an empty list is no condition.
type MobileRule struct {
	ID     string
	Name   string
	Effect MobileEffect

	DeviceTypes               []string
	NotDeviceTypes            []string
	DeviceModels              []string
	NotDeviceModels           []string
	DeviceOperatingSystems    []string
	NotDeviceOperatingSystems []string
	DeviceUserAgents          []string
	NotDeviceUserAgents       []string
}

// MobileOverride decides the access of one user's one device, whatever
// the rules say. DeviceID is compared without regard to case.
type MobileOverride struct {
	UserID   string
	DeviceID string
	Effect   MobileEffect
}

// MobileRequest is one device of one user asking for access. An empty
// UserID or DeviceID matches no override.
type MobileRequest struct {
	UserID   string
	DeviceID string
	Device   MobileDevice
}

// MobileMatchedRule names a rule that produced an effect.
type MobileMatchedRule struct {
	ID   string
	Name string
}

// MobileDecision is the effect for a device, and what produced it: either
// the rules in Matched (those of the winning effect, in the order given,
// empty when no rule matched) or Override.
type MobileDecision struct {
	Effect   MobileEffect
	Matched  []MobileMatchedRule
	Override *MobileOverride
}

// MobileRulesEffect evaluates rules for a device: a matching DENY rule
// denies, else a matching ALLOW rule allows, else (no rules, or none
// matching) access is denied. Matched lists the rules of the winning
// effect that match.
func MobileRulesEffect(rules []MobileRule, d MobileDevice) MobileDecision {
	var allow, deny []MobileMatchedRule
	for _, r := range rules {
		if !r.Matches(d) {
			continue
		}
		m := MobileMatchedRule{ID: r.ID, Name: r.Name}
		switch r.Effect {
		case MobileDeny:
			deny = append(deny, m)
		case MobileAllow:
			allow = append(allow, m)
		}
	}
	switch {
	case len(deny) > 0:
		return MobileDecision{Effect: MobileDeny, Matched: cappedMobileMatches(deny)}
	case len(allow) > 0:
		return MobileDecision{Effect: MobileAllow, Matched: cappedMobileMatches(allow)}
	}
	return MobileDecision{Effect: MobileDeny, Matched: []MobileMatchedRule{}}
}

// MobileAccess decides a user's device: an override for that user and
// device wins; without one the rules decide, as MobileRulesEffect.
func MobileAccess(rules []MobileRule, overrides []MobileOverride, req MobileRequest) MobileDecision {
	if o, ok := FindMobileOverride(overrides, req.UserID, req.DeviceID); ok {
		return MobileDecision{Effect: o.Effect, Matched: []MobileMatchedRule{}, Override: &o}
	}
	return MobileRulesEffect(rules, req.Device)
}

// FindMobileOverride returns the override of the user's device, if any.
func FindMobileOverride(overrides []MobileOverride, userID, deviceID string) (MobileOverride, bool) {
	if userID == "" || deviceID == "" {
		return MobileOverride{}, false
	}
	for _, o := range overrides {
		if o.UserID == userID && strings.EqualFold(o.DeviceID, deviceID) {
			return o, true
		}
	}
	return MobileOverride{}, false
}

// Matches reports whether every condition of the rule holds for the
// device; a rule without conditions matches every device.
func (r MobileRule) Matches(d MobileDevice) bool {
	return mobileMatchAny(r.DeviceTypes, d.Type) && mobileMatchNone(r.NotDeviceTypes, d.Type) &&
		mobileMatchAny(r.DeviceModels, d.Model) && mobileMatchNone(r.NotDeviceModels, d.Model) &&
		mobileMatchAny(r.DeviceOperatingSystems, d.OperatingSystem) && mobileMatchNone(r.NotDeviceOperatingSystems, d.OperatingSystem) &&
		mobileMatchAny(r.DeviceUserAgents, d.UserAgent) && mobileMatchNone(r.NotDeviceUserAgents, d.UserAgent)
}

// mobileMatchAny is a positive condition: some value is a prefix of the
// reported property (without regard to case), or is $NONE and the
// property was not reported. No values is no condition.
func mobileMatchAny(values []string, reported string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		if isMobileNone(v) {
			if reported == "" {
				return true
			}
			continue
		}
		if reported != "" && mobilePrefixFold(reported, v) {
			return true
		}
	}
	return false
}

// mobileMatchNone is a negative condition: the property was reported and no
// value is a prefix of it. A property not reported never satisfies a
// negative condition, whatever its values ($NONE included).
func mobileMatchNone(values []string, reported string) bool {
	if len(values) == 0 {
		return true
	}
	if reported == "" {
		return false
	}
	for _, v := range values {
		if !isMobileNone(v) && mobilePrefixFold(reported, v) {
			return false
		}
	}
	return true
}

func isMobileNone(v string) bool { return strings.EqualFold(v, MobileNoneValue) }

// mobilePrefixFold reports whether prefix begins s, comparing rune by rune
// under Unicode case folding (so a prefix never ends inside a rune).
func mobilePrefixFold(s, prefix string) bool {
	for _, pr := range prefix {
		sr, size := utf8.DecodeRuneInString(s)
		if size == 0 {
			return false
		}
		if sr != pr && !strings.EqualFold(string(sr), string(pr)) {
			return false
		}
		s = s[size:]
	}
	return true
}

func cappedMobileMatches(m []MobileMatchedRule) []MobileMatchedRule {
	if len(m) > MaxMobileMatchedRules {
		return m[:MaxMobileMatchedRules]
	}
	return m
}
