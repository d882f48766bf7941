package policy

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// AccessEffect is what a rule does to the requests it matches, and the
// answer of an evaluation.
type AccessEffect string

// The two effects, spelled as WorkMail spells them.
const (
	AccessAllow AccessEffect = "ALLOW"
	AccessDeny  AccessEffect = "DENY"
)

// The protocols an access control rule governs, spelled as WorkMail spells
// them. Console and API access are not among them: rules never govern
// those.
const (
	ActionActiveSync     = "ActiveSync"
	ActionAutoDiscover   = "AutoDiscover"
	ActionEWS            = "EWS"
	ActionIMAP           = "IMAP"
	ActionSMTP           = "SMTP"
	ActionWindowsOutlook = "WindowsOutlook"
	ActionWebMail        = "WebMail"
)

// AccessActions returns every action a rule may name, in WorkMail's
// documented order.
func AccessActions() []string {
	return []string{ActionActiveSync, ActionAutoDiscover, ActionEWS, ActionIMAP, ActionSMTP, ActionWindowsOutlook, ActionWebMail}
}

// IsAccessAction reports whether a is an action, spelled exactly.
func IsAccessAction(a string) bool { return slices.Contains(AccessActions(), a) }

// DefaultAccessRuleName is the name of the rule every organization starts
// with: ALLOW, with no condition.
const DefaultAccessRuleName = "default"

// DefaultAccessRule is the rule every organization starts with: it allows
// every user and impersonation role every action from anywhere.
func DefaultAccessRule() AccessRule {
	return AccessRule{Name: DefaultAccessRuleName, Effect: AccessAllow}
}

// AccessRule is an access control rule as the evaluation sees it. Every
// non-empty list is a condition, and a rule matches a request when all of
// its conditions hold; a rule without any matches every request. Users
// and impersonation roles are named by id.
type AccessRule struct {
	Name   string
	Effect AccessEffect
	// IPRanges and NotIPRanges are IPv4 CIDR blocks (192.0.2.0/24); the
	// request's address must be in one of IPRanges and in none of
	// NotIPRanges.
	IPRanges, NotIPRanges []string
	// Actions and NotActions are protocols (AccessActions).
	Actions, NotActions []string
	// UserIDs and NotUserIDs name users: a request by an impersonation
	// role is never one of UserIDs, and so is always outside NotUserIDs.
	UserIDs, NotUserIDs []string
	// ImpersonationRoleIDs and NotImpersonationRoleIDs name roles: a
	// user's own request is never one of ImpersonationRoleIDs.
	ImpersonationRoleIDs, NotImpersonationRoleIDs []string
}

// AccessRequest is one attempt to reach mail: by a user (UserID) or by an
// application holding an impersonation role (ImpersonationRoleID), never
// both, with an action from an address.
type AccessRequest struct {
	IP                  netip.Addr
	Action              string
	UserID              string
	ImpersonationRoleID string
}

// Why a request cannot be evaluated; Check's errors wrap one of them.
var (
	ErrAccessPrincipal = errors.New("policy: exactly one of a user and an impersonation role must make the request")
	ErrAccessRoleEWS   = errors.New("policy: an impersonation role acts only through EWS")
	ErrAccessAction    = errors.New("policy: not an access control action")
	ErrAccessIP        = errors.New("policy: not an IPv4 address")
)

// Check is nil when the request can be evaluated: one principal, a known
// action (EWS for a role, the only protocol impersonation uses) and an
// IPv4 address (an IPv4-mapped IPv6 address counts as IPv4).
func (q AccessRequest) Check() error {
	switch {
	case (q.UserID == "") == (q.ImpersonationRoleID == ""):
		return ErrAccessPrincipal
	case !IsAccessAction(q.Action):
		return fmt.Errorf("%w: %q (one of %s)", ErrAccessAction, q.Action, strings.Join(AccessActions(), ", "))
	case q.ImpersonationRoleID != "" && q.Action != ActionEWS:
		return fmt.Errorf("%w, not %s", ErrAccessRoleEWS, q.Action)
	case !q.IP.Unmap().Is4():
		return fmt.Errorf("%w: %s", ErrAccessIP, q.IP)
	}
	return nil
}

// AccessDecision is the answer for one request: its effect and the names
// of the rules that decided it, in the order of the rules.
type AccessDecision struct {
	Effect       AccessEffect
	MatchedRules []string
}

// EvaluateAccess decides a request against an organization's rules: a
// matching DENY rule wins over every ALLOW rule; without one, a matching
// ALLOW rule allows; a request no rule matches (none at all included) is
// denied. MatchedRules lists the matching rules of the winning effect
// only, and is empty (not nil) when nothing matched. The request should
// have passed Check; a request that has not matches what it can.
func EvaluateAccess(rules []AccessRule, q AccessRequest) AccessDecision {
	q.IP = q.IP.Unmap()
	allowed, denied := []string{}, []string{}
	for _, r := range rules {
		if !r.Matches(q) {
			continue
		}
		if r.Effect == AccessDeny {
			denied = append(denied, r.Name)
		} else if r.Effect == AccessAllow {
			allowed = append(allowed, r.Name)
		}
	}
	switch {
	case len(denied) > 0:
		return AccessDecision{Effect: AccessDeny, MatchedRules: denied}
	case len(allowed) > 0:
		return AccessDecision{Effect: AccessAllow, MatchedRules: allowed}
	}
	return AccessDecision{Effect: AccessDeny, MatchedRules: []string{}}
}

// Matches reports whether every condition of the rule holds for q.
func (r AccessRule) Matches(q AccessRequest) bool {
	ip := q.IP.Unmap()
	isUser, isRole := q.UserID != "", q.ImpersonationRoleID != ""
	return (len(r.IPRanges) == 0 || inRanges(r.IPRanges, ip)) &&
		(len(r.NotIPRanges) == 0 || !inRanges(r.NotIPRanges, ip)) &&
		(len(r.Actions) == 0 || slices.Contains(r.Actions, q.Action)) &&
		(len(r.NotActions) == 0 || !slices.Contains(r.NotActions, q.Action)) &&
		(len(r.UserIDs) == 0 || isUser && slices.Contains(r.UserIDs, q.UserID)) &&
		(len(r.NotUserIDs) == 0 || !(isUser && slices.Contains(r.NotUserIDs, q.UserID))) &&
		(len(r.ImpersonationRoleIDs) == 0 || isRole && slices.Contains(r.ImpersonationRoleIDs, q.ImpersonationRoleID)) &&
		(len(r.NotImpersonationRoleIDs) == 0 || !(isRole && slices.Contains(r.NotImpersonationRoleIDs, q.ImpersonationRoleID)))
}

// inRanges reports whether ip is in one of the CIDR blocks. A block that
// does not parse contains nothing (CheckAccessRule refuses such rules),
// and only an IPv4 address can be in an IPv4 block.
func inRanges(ranges []string, ip netip.Addr) bool {
	for _, cidr := range ranges {
		if p, err := netip.ParsePrefix(cidr); err == nil && p.Addr().Is4() && p.Contains(ip) {
			return true
		}
	}
	return false
}

// ErrAccessRule wraps every reason CheckAccessRule refuses a rule.
var ErrAccessRule = errors.New("policy: invalid access control rule")

// CheckAccessRule is nil when the rule can be stored: a known effect,
// known actions and IPv4 CIDR blocks.
func CheckAccessRule(r AccessRule) error {
	if r.Effect != AccessAllow && r.Effect != AccessDeny {
		return fmt.Errorf("%w: effect %q is neither ALLOW nor DENY", ErrAccessRule, r.Effect)
	}
	for _, a := range slices.Concat(r.Actions, r.NotActions) {
		if !IsAccessAction(a) {
			return fmt.Errorf("%w: %q is not an action (one of %s)", ErrAccessRule, a, strings.Join(AccessActions(), ", "))
		}
	}
	for _, cidr := range slices.Concat(r.IPRanges, r.NotIPRanges) {
		if p, err := netip.ParsePrefix(cidr); err != nil || !p.Addr().Is4() {
			return fmt.Errorf("%w: %q is not an IPv4 CIDR block", ErrAccessRule, cidr)
		}
	}
	return nil
}
