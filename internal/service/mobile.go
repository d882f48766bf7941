package service

import (
	"context"
	"slices"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/policy"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// mobileRules are an organization's mobile device access rules, at
// "<org>/<rule id>". Every organization starts with one rule, the default
// ALLOW rule without conditions. It is not written when the organization
// is created: until the first write to an organization's rules, its
// mobile-rule-set record is absent and the default rule is shown as if it
// were stored; the first write stores it (then edits or deletes it like
// any other) and the set record. So organizations created before mobile
// rules existed answer exactly as new ones do, without a migration.
var (
	mobileRules = &table[mobileRule]{
		codec: record.For[mobileRule](),
		coll:  "mobile-rule",
		id:    func(r *mobileRule) string { return r.ID },
	}
	mobileRuleSets = &table[mobileRuleSet]{
		codec:     record.For[mobileRuleSet](),
		coll:      "mobile-rule-set",
		id:        func(*mobileRuleSet) string { return "" },
		singleton: true,
	}
)

// MaxMobileRules is how many mobile device access rules an organization
// may have (ListMobileDeviceAccessRules returns at most 10).
const MaxMobileRules = 10

// The default rule every organization starts with.
const (
	defaultMobileRuleID          = "default"
	defaultMobileRuleName        = "default"
	defaultMobileRuleDescription = "Default WorkMail Rule"
)

type mobileRule struct {
	ID string `json:"id"`
	// Seq orders the rules as they were created (ids are random).
	Seq         int    `json:"seq"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Effect      string `json:"effect"`

	DeviceTypes               []string `json:"deviceTypes,omitempty"`
	NotDeviceTypes            []string `json:"notDeviceTypes,omitempty"`
	DeviceModels              []string `json:"deviceModels,omitempty"`
	NotDeviceModels           []string `json:"notDeviceModels,omitempty"`
	DeviceOperatingSystems    []string `json:"deviceOperatingSystems,omitempty"`
	NotDeviceOperatingSystems []string `json:"notDeviceOperatingSystems,omitempty"`
	DeviceUserAgents          []string `json:"deviceUserAgents,omitempty"`
	NotDeviceUserAgents       []string `json:"notDeviceUserAgents,omitempty"`

	CreatedAt  time.Time `json:"createdAt"`
	ModifiedAt time.Time `json:"modifiedAt"`
}

// mobileRuleSet marks an organization whose rules are all stored (the
// default rule included, unless it was deleted).
type mobileRuleSet struct {
	Stored bool `json:"stored"`
}

func defaultMobileRule(org *organization) *mobileRule {
	return &mobileRule{
		ID: defaultMobileRuleID, Name: defaultMobileRuleName, Description: defaultMobileRuleDescription,
		Effect: string(policy.MobileAllow), CreatedAt: org.CreatedAt, ModifiedAt: org.CreatedAt,
	}
}

// loadMobileRules returns the organization's rules in creation order.
func loadMobileRules(r store.Reader, o orgRef, org *organization) ([]*mobileRule, error) {
	set, err := mobileRuleSets.get(r, o, "")
	if err != nil {
		return nil, err
	}
	var rules []*mobileRule
	if set == nil {
		rules = append(rules, defaultMobileRule(org))
	}
	err = mobileRules.each(r, o, func(rule *mobileRule) error {
		rules = append(rules, rule)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rules, func(a, b *mobileRule) int { return a.Seq - b.Seq })
	return rules, nil
}

// storeMobileRules makes sure every rule of the organization is stored
// (the default one included) before a write to them, and returns them.
func storeMobileRules(tx store.Tx, o orgRef, org *organization) ([]*mobileRule, error) {
	rules, err := loadMobileRules(tx, o, org)
	if err != nil {
		return nil, err
	}
	set, err := mobileRuleSets.get(tx, o, "")
	if err != nil || set != nil {
		return rules, err
	}
	if err := mobileRules.put(tx, o, defaultMobileRule(org)); err != nil {
		return nil, err
	}
	return rules, mobileRuleSets.put(tx, o, &mobileRuleSet{Stored: true})
}

// ruleConditions copies the condition lists of an input (Create and
// Update have the same members).
type ruleConditions struct {
	DeviceTypes, NotDeviceTypes                       []string
	DeviceModels, NotDeviceModels                     []string
	DeviceOperatingSystems, NotDeviceOperatingSystems []string
	DeviceUserAgents, NotDeviceUserAgents             []string
}

func (c ruleConditions) applyTo(r *mobileRule) {
	r.DeviceTypes, r.NotDeviceTypes = slices.Clone(c.DeviceTypes), slices.Clone(c.NotDeviceTypes)
	r.DeviceModels, r.NotDeviceModels = slices.Clone(c.DeviceModels), slices.Clone(c.NotDeviceModels)
	r.DeviceOperatingSystems, r.NotDeviceOperatingSystems = slices.Clone(c.DeviceOperatingSystems), slices.Clone(c.NotDeviceOperatingSystems)
	r.DeviceUserAgents, r.NotDeviceUserAgents = slices.Clone(c.DeviceUserAgents), slices.Clone(c.NotDeviceUserAgents)
}

// CreateMobileDeviceAccessRule implements
// WorkMailService.CreateMobileDeviceAccessRule. An eleventh rule is
// LimitExceededException; a retry with the same ClientToken returns the
// first call's rule id.
func (s *Service) CreateMobileDeviceAccessRule(ctx context.Context, in *model.CreateMobileDeviceAccessRuleInput) (*model.CreateMobileDeviceAccessRuleOutput, error) {
	newID := s.ids.UUID() // drawn once, however often the transaction runs
	var id string
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		id, err = idempotent(tx, "CreateMobileDeviceAccessRule", in, in.ClientToken, func() (created, error) {
			rules, err := storeMobileRules(tx, o, org)
			if err != nil {
				return created{}, err
			}
			if len(rules) >= MaxMobileRules {
				return created{}, model.ErrLimitExceeded.Errorf("Organization %s already has %d mobile device access rules, the most it may have.", o.ID, len(rules))
			}
			seq := 1
			for _, r := range rules {
				seq = max(seq, r.Seq+1)
			}
			now := s.now()
			rule := &mobileRule{
				ID: newID, Seq: seq, Name: str(in.Name), Description: str(in.Description), Effect: string(*in.Effect),
				CreatedAt: now, ModifiedAt: now,
			}
			ruleConditions{
				in.DeviceTypes, in.NotDeviceTypes, in.DeviceModels, in.NotDeviceModels,
				in.DeviceOperatingSystems, in.NotDeviceOperatingSystems, in.DeviceUserAgents, in.NotDeviceUserAgents,
			}.applyTo(rule)
			return created{Result: rule.ID, Org: o.ID}, mobileRules.insert(tx, o, rule)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateMobileDeviceAccessRuleOutput{MobileDeviceAccessRuleId: &id}, nil
}

// UpdateMobileDeviceAccessRule implements
// WorkMailService.UpdateMobileDeviceAccessRule: the rule is replaced
// whole (a condition left out is removed), keeping its id, creation date
// and place in the list. An unknown id is EntityNotFoundException, the
// code the model declares.
func (s *Service) UpdateMobileDeviceAccessRule(ctx context.Context, in *model.UpdateMobileDeviceAccessRuleInput) (*model.UpdateMobileDeviceAccessRuleOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		if _, err := storeMobileRules(tx, o, org); err != nil {
			return err
		}
		id := str(in.MobileDeviceAccessRuleId)
		old, err := mobileRules.get(tx, o, id)
		if err != nil {
			return err
		}
		if old == nil {
			return model.ErrEntityNotFound.Errorf("Mobile device access rule %s does not exist in organization %s.", id, o.ID)
		}
		rule := &mobileRule{
			ID: old.ID, Seq: old.Seq, Name: str(in.Name), Description: str(in.Description), Effect: string(*in.Effect),
			CreatedAt: old.CreatedAt, ModifiedAt: s.now(),
		}
		ruleConditions{
			in.DeviceTypes, in.NotDeviceTypes, in.DeviceModels, in.NotDeviceModels,
			in.DeviceOperatingSystems, in.NotDeviceOperatingSystems, in.DeviceUserAgents, in.NotDeviceUserAgents,
		}.applyTo(rule)
		return mobileRules.put(tx, o, rule)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateMobileDeviceAccessRuleOutput{}, nil
}

// DeleteMobileDeviceAccessRule implements
// WorkMailService.DeleteMobileDeviceAccessRule. An unknown or already
// deleted rule succeeds; the default rule may be deleted like any other.
func (s *Service) DeleteMobileDeviceAccessRule(ctx context.Context, in *model.DeleteMobileDeviceAccessRuleInput) (*model.DeleteMobileDeviceAccessRuleOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		id := str(in.MobileDeviceAccessRuleId)
		rules, err := loadMobileRules(tx, o, org)
		if err != nil || !slices.ContainsFunc(rules, func(r *mobileRule) bool { return r.ID == id }) {
			return err // nothing to delete: nothing is written either
		}
		if _, err := storeMobileRules(tx, o, org); err != nil {
			return err
		}
		return mobileRules.delete(tx, o, id)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteMobileDeviceAccessRuleOutput{}, nil
}

// ListMobileDeviceAccessRules implements
// WorkMailService.ListMobileDeviceAccessRules: every rule (at most 10),
// in creation order, the default rule first while it exists.
func (s *Service) ListMobileDeviceAccessRules(ctx context.Context, in *model.ListMobileDeviceAccessRulesInput) (*model.ListMobileDeviceAccessRulesOutput, error) {
	var out *model.ListMobileDeviceAccessRulesOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(r, o)
		if err != nil {
			return err
		}
		rules, err := loadMobileRules(r, o, org)
		if err != nil {
			return err
		}
		out = &model.ListMobileDeviceAccessRulesOutput{Rules: make([]model.MobileDeviceAccessRule, len(rules))}
		for i, rule := range rules {
			out.Rules[i] = mobileRuleItem(rule)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func mobileRuleItem(r *mobileRule) model.MobileDeviceAccessRule {
	return model.MobileDeviceAccessRule{
		MobileDeviceAccessRuleId:  ptr(r.ID),
		Name:                      ptr(r.Name),
		Description:               optional(r.Description),
		Effect:                    ptr(model.MobileDeviceAccessRuleEffect(r.Effect)),
		DeviceTypes:               r.DeviceTypes,
		NotDeviceTypes:            r.NotDeviceTypes,
		DeviceModels:              r.DeviceModels,
		NotDeviceModels:           r.NotDeviceModels,
		DeviceOperatingSystems:    r.DeviceOperatingSystems,
		NotDeviceOperatingSystems: r.NotDeviceOperatingSystems,
		DeviceUserAgents:          r.DeviceUserAgents,
		NotDeviceUserAgents:       r.NotDeviceUserAgents,
		DateCreated:               timestamp(r.CreatedAt),
		DateModified:              timestamp(r.ModifiedAt),
	}
}

// policyRules is the rules as internal/policy evaluates them.
func policyRules(rules []*mobileRule) []policy.MobileRule {
	out := make([]policy.MobileRule, len(rules))
	for i, r := range rules {
		out[i] = policy.MobileRule{
			ID: r.ID, Name: r.Name, Effect: policy.MobileEffect(r.Effect),
			DeviceTypes: r.DeviceTypes, NotDeviceTypes: r.NotDeviceTypes,
			DeviceModels: r.DeviceModels, NotDeviceModels: r.NotDeviceModels,
			DeviceOperatingSystems: r.DeviceOperatingSystems, NotDeviceOperatingSystems: r.NotDeviceOperatingSystems,
			DeviceUserAgents: r.DeviceUserAgents, NotDeviceUserAgents: r.NotDeviceUserAgents,
		}
	}
	return out
}

// GetMobileDeviceAccessEffect implements
// WorkMailService.GetMobileDeviceAccessEffect: the rules' effect for a
// device reporting the given properties (an omitted one is not
// reported). It names no user or device, so no override applies.
func (s *Service) GetMobileDeviceAccessEffect(ctx context.Context, in *model.GetMobileDeviceAccessEffectInput) (*model.GetMobileDeviceAccessEffectOutput, error) {
	var out *model.GetMobileDeviceAccessEffectOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(r, o)
		if err != nil {
			return err
		}
		rules, err := loadMobileRules(r, o, org)
		if err != nil {
			return err
		}
		d := policy.MobileRulesEffect(policyRules(rules), policy.MobileDevice{
			Type: str(in.DeviceType), Model: str(in.DeviceModel),
			OperatingSystem: str(in.DeviceOperatingSystem), UserAgent: str(in.DeviceUserAgent),
		})
		out = &model.GetMobileDeviceAccessEffectOutput{
			Effect:       ptr(model.MobileDeviceAccessRuleEffect(d.Effect)),
			MatchedRules: make([]model.MobileDeviceAccessMatchedRule, len(d.Matched)),
		}
		for i, m := range d.Matched {
			out.MatchedRules[i] = model.MobileDeviceAccessMatchedRule{MobileDeviceAccessRuleId: ptr(m.ID), Name: ptr(m.Name)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
