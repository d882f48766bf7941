package policy

import "slices"

// ImpersonationRule is one rule of an impersonation role: which users the
// role may (ALLOW) or may not (DENY) impersonate. TargetUserIDs, when not
// empty, must contain the target; NotTargetUserIDs, when not empty, must
// not. A rule with neither matches every user.
type ImpersonationRule struct {
	ID, Name                        string
	Effect                          AccessEffect
	TargetUserIDs, NotTargetUserIDs []string
}

// ImpersonationMatch names a rule that decided an impersonation.
type ImpersonationMatch struct{ ID, Name string }

// ImpersonationDecision is whether a role may impersonate a user, and the
// rules of the winning effect that matched, in the role's order.
type ImpersonationDecision struct {
	Effect       AccessEffect
	MatchedRules []ImpersonationMatch
}

// Matches reports whether the rule applies to the target user.
func (r ImpersonationRule) Matches(targetUserID string) bool {
	return (len(r.TargetUserIDs) == 0 || slices.Contains(r.TargetUserIDs, targetUserID)) &&
		(len(r.NotTargetUserIDs) == 0 || !slices.Contains(r.NotTargetUserIDs, targetUserID))
}

// EvaluateImpersonation decides whether a role with these rules may
// impersonate the target: as for access control rules, a matching DENY
// wins, then a matching ALLOW; no matching rule (no rules included) is
// DENY. MatchedRules is empty, not nil, when nothing matched.
func EvaluateImpersonation(rules []ImpersonationRule, targetUserID string) ImpersonationDecision {
	allowed, denied := []ImpersonationMatch{}, []ImpersonationMatch{}
	for _, r := range rules {
		if !r.Matches(targetUserID) {
			continue
		}
		m := ImpersonationMatch{ID: r.ID, Name: r.Name}
		if r.Effect == AccessDeny {
			denied = append(denied, m)
		} else if r.Effect == AccessAllow {
			allowed = append(allowed, m)
		}
	}
	switch {
	case len(denied) > 0:
		return ImpersonationDecision{Effect: AccessDeny, MatchedRules: denied}
	case len(allowed) > 0:
		return ImpersonationDecision{Effect: AccessAllow, MatchedRules: allowed}
	}
	return ImpersonationDecision{Effect: AccessDeny, MatchedRules: []ImpersonationMatch{}}
}
