package service

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/policy"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// MaxAccessControlRules is how many access control rules an organization
// may have (ListAccessControlRules returns at most 10).
const MaxAccessControlRules = 10

// defaultAccessRuleDescription is the description of the rule every
// organization starts with, as WorkMail lists it.
const defaultAccessRuleDescription = "Default WorkMail Rule"

// accessControl holds an organization's access control rules, all in one
// record (there are at most 10, and every evaluation reads all of them),
// in the order ListAccessControlRules shows them: creation order, a
// replaced rule keeping its place. An organization without the record has
// never changed its rules and has only the default rule, so organizations
// created before rules existed need no migration; one whose rules were
// all deleted has the record with no rules, and everything is denied.
var accessControl = &table[accessControlRules]{
	codec:     record.For[accessControlRules](),
	coll:      "access-rules",
	id:        func(*accessControlRules) string { return "" },
	singleton: true,
}

type accessControlRules struct {
	Rules []accessRule `json:"rules,omitempty"`
}

// accessRule is one stored rule. Users and roles are stored by id,
// whatever identifier the request named them with. A zero CreatedAt or
// ModifiedAt is the epoch, as WorkMail dates its default rule.
type accessRule struct {
	Name        string    `json:"name"`
	Effect      string    `json:"effect"`
	Description string    `json:"description,omitempty"`
	IPRanges    []string  `json:"ipRanges,omitempty"`
	NotIPRanges []string  `json:"notIpRanges,omitempty"`
	Actions     []string  `json:"actions,omitempty"`
	NotActions  []string  `json:"notActions,omitempty"`
	UserIDs     []string  `json:"userIds,omitempty"`
	NotUserIDs  []string  `json:"notUserIds,omitempty"`
	RoleIDs     []string  `json:"roleIds,omitempty"`
	NotRoleIDs  []string  `json:"notRoleIds,omitempty"`
	CreatedAt   time.Time `json:"createdAt,omitzero"`
	ModifiedAt  time.Time `json:"modifiedAt,omitzero"`
}

func (r *accessRule) policy() policy.AccessRule {
	return policy.AccessRule{Name: r.Name, Effect: policy.AccessEffect(r.Effect),
		IPRanges: r.IPRanges, NotIPRanges: r.NotIPRanges, Actions: r.Actions, NotActions: r.NotActions,
		UserIDs: r.UserIDs, NotUserIDs: r.NotUserIDs, ImpersonationRoleIDs: r.RoleIDs, NotImpersonationRoleIDs: r.NotRoleIDs}
}

// loadAccessRules returns the organization's rules, the default rule
// when it has never changed them.
func loadAccessRules(r store.Reader, o orgRef) ([]accessRule, error) {
	rec, err := accessControl.get(r, o, "")
	if err != nil {
		return nil, err
	}
	if rec == nil {
		def := policy.DefaultAccessRule()
		return []accessRule{{Name: def.Name, Effect: string(def.Effect), Description: defaultAccessRuleDescription}}, nil
	}
	return rec.Rules, nil
}

// PutAccessControlRule implements WorkMailService.PutAccessControlRule: a
// new rule goes last; a rule of the same name is replaced in its place,
// keeping its creation date.
func (s *Service) PutAccessControlRule(ctx context.Context, in *model.PutAccessControlRuleInput) (*model.PutAccessControlRuleOutput, error) {
	name := str(in.Name)
	rule := accessRule{Name: name, Effect: string(*in.Effect), Description: str(in.Description),
		IPRanges: in.IpRanges, NotIPRanges: in.NotIpRanges, Actions: in.Actions, NotActions: in.NotActions}
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		for _, a := range slices.Concat(in.Actions, in.NotActions) {
			if !policy.IsAccessAction(a) {
				return model.ErrInvalidParameter.Errorf("Action %s is not one of %s.", a, strings.Join(policy.AccessActions(), ", "))
			}
		}
		if err := policy.CheckAccessRule(rule.policy()); err != nil { // the model's patterns leave nothing else to refuse
			return model.ErrInvalidParameter.Errorf("Rule %s is not a valid access control rule.", name)
		}
		r := rule // the transaction may run again: start from the input each time
		var err error
		if r.UserIDs, err = s.ruleUsers(tx, o, in.UserIds); err != nil {
			return err
		}
		if r.NotUserIDs, err = s.ruleUsers(tx, o, in.NotUserIds); err != nil {
			return err
		}
		if r.RoleIDs, err = ruleRoles(tx, o, in.ImpersonationRoleIds); err != nil {
			return err
		}
		if r.NotRoleIDs, err = ruleRoles(tx, o, in.NotImpersonationRoleIds); err != nil {
			return err
		}
		rules, err := loadAccessRules(tx, o)
		if err != nil {
			return err
		}
		rules = slices.Clone(rules)
		r.ModifiedAt = s.now()
		if i := slices.IndexFunc(rules, func(x accessRule) bool { return x.Name == name }); i >= 0 {
			r.CreatedAt = rules[i].CreatedAt
			rules[i] = r
		} else {
			if len(rules) >= MaxAccessControlRules {
				return model.ErrLimitExceeded.Errorf("Organization %s has %d access control rules, the most it may have.", o.ID, MaxAccessControlRules)
			}
			r.CreatedAt = r.ModifiedAt
			rules = append(rules, r)
		}
		return accessControl.put(tx, o, &accessControlRules{Rules: rules})
	})
	if err != nil {
		return nil, err
	}
	return &model.PutAccessControlRuleOutput{}, nil
}

// ruleUsers resolves the users a rule names to their ids, without
// repeats. A user that does not exist, or is deleted, is
// EntityNotFoundException: the operation declares no state error.
func (s *Service) ruleUsers(r store.Reader, o orgRef, idents []string) ([]string, error) {
	var ids []string
	for _, ident := range idents {
		u, err := s.resolveUser(r, o, ident)
		if err != nil {
			return nil, err
		}
		if u.State == userDeleted {
			return nil, model.ErrEntityNotFound.Errorf("User %s is deleted.", ident)
		}
		if !slices.Contains(ids, u.ID) {
			ids = append(ids, u.ID)
		}
	}
	return ids, nil
}

// ruleRoles checks that the impersonation roles a rule names exist.
func ruleRoles(r store.Reader, o orgRef, roleIDs []string) ([]string, error) {
	var ids []string
	for _, id := range roleIDs {
		if _, err := findRole(r, o, id); err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// DeleteAccessControlRule implements
// WorkMailService.DeleteAccessControlRule; an unknown name succeeds. The
// default rule may be deleted like any other.
func (s *Service) DeleteAccessControlRule(ctx context.Context, in *model.DeleteAccessControlRuleInput) (*model.DeleteAccessControlRuleOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		rules, err := loadAccessRules(tx, o)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rules, func(x accessRule) bool { return x.Name == str(in.Name) })
		if i < 0 {
			return nil
		}
		return accessControl.put(tx, o, &accessControlRules{Rules: slices.Delete(slices.Clone(rules), i, i+1)})
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteAccessControlRuleOutput{}, nil
}

// ListAccessControlRules implements WorkMailService.ListAccessControlRules:
// every rule, in creation order (the model has no paging: there are at
// most 10).
func (s *Service) ListAccessControlRules(ctx context.Context, in *model.ListAccessControlRulesInput) (*model.ListAccessControlRulesOutput, error) {
	var out *model.ListAccessControlRulesOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		rules, err := loadAccessRules(r, o)
		if err != nil {
			return err
		}
		list := make([]model.AccessControlRule, len(rules))
		for i := range rules {
			list[i] = accessRuleItem(&rules[i])
		}
		out = &model.ListAccessControlRulesOutput{Rules: list}
		return nil
	})
	return out, err
}

func accessRuleItem(r *accessRule) model.AccessControlRule {
	return model.AccessControlRule{
		Name: ptr(r.Name), Effect: ptr(model.AccessControlRuleEffect(r.Effect)), Description: ptr(r.Description),
		IpRanges: r.IPRanges, NotIpRanges: r.NotIPRanges, Actions: r.Actions, NotActions: r.NotActions,
		UserIds: r.UserIDs, NotUserIds: r.NotUserIDs, ImpersonationRoleIds: r.RoleIDs, NotImpersonationRoleIds: r.NotRoleIDs,
		DateCreated: epochOrTime(r.CreatedAt), DateModified: epochOrTime(r.ModifiedAt),
	}
}

// epochOrTime is t as a timestamp, the zero time being the epoch.
func epochOrTime(t time.Time) *model.Timestamp {
	if t.IsZero() {
		return model.NewTimestamp(time.Unix(0, 0).UTC())
	}
	return model.NewTimestamp(t)
}

// GetAccessControlEffect implements WorkMailService.GetAccessControlEffect:
// the effect of the organization's rules on one request, evaluated by
// internal/policy as a mail login's is (CheckAccess).
func (s *Service) GetAccessControlEffect(ctx context.Context, in *model.GetAccessControlEffectInput) (*model.GetAccessControlEffectOutput, error) {
	ip, _ := netip.ParseAddr(str(in.IpAddress)) // the model's pattern admits IPv4 addresses only; Check refuses anything else
	q := policy.AccessRequest{IP: ip, Action: str(in.Action), UserID: str(in.UserId), ImpersonationRoleID: str(in.ImpersonationRoleId)}
	var out *model.GetAccessControlEffectOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		d, err := s.accessEffect(r, orgRef{p, str(in.OrganizationId)}, q)
		if err != nil {
			return err
		}
		out = &model.GetAccessControlEffectOutput{Effect: ptr(model.AccessControlRuleEffect(d.Effect)), MatchedRules: d.MatchedRules}
		return nil
	})
	return out, err
}

// AccessCheck asks whether a user (an id, email or name) or an
// impersonation role (an id) of an organization may use a protocol
// (policy.ActionIMAP, ...) from an address.
type AccessCheck struct {
	Account, Region, OrganizationID string
	User, ImpersonationRoleID       string
	Action                          string
	IP                              netip.Addr
}

// CheckAccess evaluates the organization's access control rules for a
// mail login or an EWS request, exactly as GetAccessControlEffect does,
// and answers with the same *model.Error values for what it cannot
// evaluate (an inactive organization, an unknown user or role, a bad
// request).
func (s *Service) CheckAccess(ctx context.Context, c AccessCheck) (policy.AccessDecision, error) {
	var d policy.AccessDecision
	q := policy.AccessRequest{IP: c.IP, Action: c.Action, UserID: c.User, ImpersonationRoleID: c.ImpersonationRoleID}
	o := orgRef{store.Partition{Account: c.Account, Region: c.Region}, c.OrganizationID}
	if err := checkPartition(c.Account, c.Region); err != nil {
		return d, model.ErrInvalidParameter.Errorf("Account must be a 12-digit account id and Region a region.")
	}
	err := s.viewIn(ctx, o.Partition, func(r store.Reader) error {
		var err error
		d, err = s.accessEffect(r, o, q)
		return err
	})
	return d, err
}

// accessEffect resolves the request's principal in an Active
// organization and evaluates the organization's rules for it. A deleted
// user is EntityNotFoundException: GetAccessControlEffect declares no
// state error, and a deleted user has no mail to reach.
func (s *Service) accessEffect(r store.Reader, o orgRef, q policy.AccessRequest) (policy.AccessDecision, error) {
	if _, err := s.activeOrganization(r, o); err != nil {
		return policy.AccessDecision{}, err
	}
	if err := q.Check(); err != nil {
		return policy.AccessDecision{}, accessRequestError(q, err)
	}
	if q.UserID != "" {
		u, err := s.resolveUser(r, o, q.UserID)
		if err != nil {
			return policy.AccessDecision{}, err
		}
		if u.State == userDeleted {
			return policy.AccessDecision{}, model.ErrEntityNotFound.Errorf("User %s is deleted.", q.UserID)
		}
		q.UserID = u.ID
	} else if _, err := findRole(r, o, q.ImpersonationRoleID); err != nil {
		return policy.AccessDecision{}, err
	}
	rules, err := loadAccessRules(r, o)
	if err != nil {
		return policy.AccessDecision{}, err
	}
	prules := make([]policy.AccessRule, len(rules))
	for i := range rules {
		prules[i] = rules[i].policy()
	}
	return policy.EvaluateAccess(prules, q), nil
}

// accessRequestError is the InvalidParameterException for a request
// policy cannot evaluate.
func accessRequestError(q policy.AccessRequest, err error) error {
	switch {
	case errors.Is(err, policy.ErrAccessPrincipal):
		return model.ErrInvalidParameter.Errorf("Exactly one of UserId and ImpersonationRoleId must be given.")
	case errors.Is(err, policy.ErrAccessAction):
		return model.ErrInvalidParameter.Errorf("Action %s is not one of %s.", q.Action, strings.Join(policy.AccessActions(), ", "))
	case errors.Is(err, policy.ErrAccessRoleEWS):
		return model.ErrInvalidParameter.Errorf("ImpersonationRoleId can only be used with Action EWS, not %s.", q.Action)
	}
	return model.ErrInvalidParameter.Errorf("IpAddress %s is not an IPv4 address.", q.IP)
}
