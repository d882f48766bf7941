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

// MaxImpersonationRoles is how many impersonation roles an organization
// may have (ListImpersonationRoles lists at most 20).
const MaxImpersonationRoles = 20

// impersonationRoles live under "<org>/<role id>", ids being UUIDs, so
// ListImpersonationRoles pages through them in id order.
var impersonationRoles = &table[impersonationRole]{
	codec: record.For[impersonationRole](),
	coll:  "impersonation-role",
	id:    func(r *impersonationRole) string { return r.ID },
}

type impersonationRole struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	Type        string              `json:"type"`
	Description string              `json:"description,omitempty"`
	Rules       []impersonationRule `json:"rules,omitempty"`
	CreatedAt   time.Time           `json:"createdAt"`
	ModifiedAt  time.Time           `json:"modifiedAt"`
}

// impersonationRule is one rule of a role; its targets are stored as user
// ids, whatever identifier the request named them with.
type impersonationRule struct {
	ID             string   `json:"id"`
	Name           string   `json:"name,omitempty"`
	Description    string   `json:"description,omitempty"`
	Effect         string   `json:"effect"`
	TargetUsers    []string `json:"targetUsers,omitempty"`
	NotTargetUsers []string `json:"notTargetUsers,omitempty"`
}

// findRole returns the role, or ResourceNotFoundException.
func findRole(r store.Reader, o orgRef, id string) (*impersonationRole, error) {
	role, err := impersonationRoles.get(r, o, id)
	if err != nil {
		return nil, err
	}
	if role == nil {
		return nil, model.ErrResourceNotFound.Errorf("Impersonation role %s does not exist in organization %s.", id, o.ID)
	}
	return role, nil
}

// roleRules checks and resolves the rules of a Create or Update: rule ids
// are unique within the role (InvalidParameterException), and every
// target is a user of the organization (EntityNotFoundException) that is
// not deleted (EntityStateException).
func (s *Service) roleRules(r store.Reader, o orgRef, in []model.ImpersonationRule) ([]impersonationRule, error) {
	rules := make([]impersonationRule, 0, len(in))
	for _, ir := range in {
		id := str(ir.ImpersonationRuleId)
		if slices.ContainsFunc(rules, func(x impersonationRule) bool { return x.ID == id }) {
			return nil, model.ErrInvalidParameter.Errorf("ImpersonationRuleId %s is used by more than one rule of the role.", id)
		}
		targets, err := s.roleTargets(r, o, ir.TargetUsers)
		if err != nil {
			return nil, err
		}
		notTargets, err := s.roleTargets(r, o, ir.NotTargetUsers)
		if err != nil {
			return nil, err
		}
		rules = append(rules, impersonationRule{ID: id, Name: str(ir.Name), Description: str(ir.Description),
			Effect: string(*ir.Effect), TargetUsers: targets, NotTargetUsers: notTargets})
	}
	return rules, nil
}

func (s *Service) roleTargets(r store.Reader, o orgRef, idents []string) ([]string, error) {
	var ids []string
	for _, ident := range idents {
		u, err := s.resolveUser(r, o, ident)
		if err != nil {
			return nil, err
		}
		if u.State == userDeleted {
			return nil, model.ErrEntityState.Errorf("User %s is deleted.", ident)
		}
		if !slices.Contains(ids, u.ID) {
			ids = append(ids, u.ID)
		}
	}
	return ids, nil
}

// CreateImpersonationRole implements WorkMailService.CreateImpersonationRole.
// Names need not be unique (the model declares no error for a taken one).
func (s *Service) CreateImpersonationRole(ctx context.Context, in *model.CreateImpersonationRoleInput) (*model.CreateImpersonationRoleOutput, error) {
	newID := s.ids.UUID() // drawn once, however often the transaction runs
	var id string
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		var err error
		id, err = idempotent(tx, "CreateImpersonationRole", in, in.ClientToken, func() (created, error) {
			rules, err := s.roleRules(tx, o, in.Rules)
			if err != nil {
				return created{}, err
			}
			n := 0
			if err := impersonationRoles.each(tx, o, func(*impersonationRole) error { n++; return nil }); err != nil {
				return created{}, err
			}
			if n >= MaxImpersonationRoles {
				return created{}, model.ErrLimitExceeded.Errorf("Organization %s has %d impersonation roles, the most it may have.", o.ID, MaxImpersonationRoles)
			}
			now := s.now()
			role := &impersonationRole{ID: newID, Name: str(in.Name), Type: string(*in.Type), Description: str(in.Description),
				Rules: rules, CreatedAt: now, ModifiedAt: now}
			return created{Result: newID, Org: o.ID}, impersonationRoles.insert(tx, o, role)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateImpersonationRoleOutput{ImpersonationRoleId: &id}, nil
}

// UpdateImpersonationRole implements WorkMailService.UpdateImpersonationRole:
// a full replace of name, type, description and rules (every member but
// Description is required); an absent Description clears it.
func (s *Service) UpdateImpersonationRole(ctx context.Context, in *model.UpdateImpersonationRoleInput) (*model.UpdateImpersonationRoleOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		role, err := findRole(tx, o, str(in.ImpersonationRoleId))
		if err != nil {
			return err
		}
		if role.Rules, err = s.roleRules(tx, o, in.Rules); err != nil {
			return err
		}
		role.Name, role.Type, role.Description, role.ModifiedAt = str(in.Name), string(*in.Type), str(in.Description), s.now()
		return impersonationRoles.put(tx, o, role)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateImpersonationRoleOutput{}, nil
}

// GetImpersonationRole implements WorkMailService.GetImpersonationRole.
func (s *Service) GetImpersonationRole(ctx context.Context, in *model.GetImpersonationRoleInput) (*model.GetImpersonationRoleOutput, error) {
	var out *model.GetImpersonationRoleOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		role, err := findRole(r, o, str(in.ImpersonationRoleId))
		if err != nil {
			return err
		}
		rules := make([]model.ImpersonationRule, len(role.Rules))
		for i, x := range role.Rules {
			rules[i] = model.ImpersonationRule{ImpersonationRuleId: ptr(x.ID), Name: optional(x.Name), Description: optional(x.Description),
				Effect: ptr(model.AccessEffect(x.Effect)), TargetUsers: x.TargetUsers, NotTargetUsers: x.NotTargetUsers}
		}
		out = &model.GetImpersonationRoleOutput{ImpersonationRoleId: ptr(role.ID), Name: ptr(role.Name),
			Type: ptr(model.ImpersonationRoleType(role.Type)), Description: optional(role.Description), Rules: rules,
			DateCreated: model.NewTimestamp(role.CreatedAt), DateModified: model.NewTimestamp(role.ModifiedAt)}
		return nil
	})
	return out, err
}

// DeleteImpersonationRole implements WorkMailService.DeleteImpersonationRole;
// an unknown role succeeds. The role's tokens stop working at once.
// Access control rules that name the role keep its id, which no other
// role will have: they match no request any more.
func (s *Service) DeleteImpersonationRole(ctx context.Context, in *model.DeleteImpersonationRoleInput) (*model.DeleteImpersonationRoleOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o, id := orgRef{p, str(in.OrganizationId)}, str(in.ImpersonationRoleId)
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		if err := deleteRoleTokens(tx, o, id); err != nil {
			return err
		}
		return impersonationRoles.delete(tx, o, id)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteImpersonationRoleOutput{}, nil
}

// ListImpersonationRoles implements WorkMailService.ListImpersonationRoles:
// the organization's roles in id order, paged.
func (s *Service) ListImpersonationRoles(ctx context.Context, in *model.ListImpersonationRolesInput) (*model.ListImpersonationRolesOutput, error) {
	var out *model.ListImpersonationRolesOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		pg, err := s.newPager("ListImpersonationRoles", p, in.NextToken, in.MaxResults, o.ID)
		if err != nil {
			return err
		}
		list, next, err := page(r, pg, impersonationRoles.coll, o.prefix(), func(key string, raw []byte) (model.ImpersonationRole, bool, error) {
			role, err := impersonationRoles.decode(key, raw)
			if err != nil {
				return model.ImpersonationRole{}, false, err
			}
			return model.ImpersonationRole{ImpersonationRoleId: ptr(role.ID), Name: ptr(role.Name),
				Type:        ptr(model.ImpersonationRoleType(role.Type)),
				DateCreated: model.NewTimestamp(role.CreatedAt), DateModified: model.NewTimestamp(role.ModifiedAt)}, true, nil
		})
		out = &model.ListImpersonationRolesOutput{Roles: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetImpersonationRoleEffect implements
// WorkMailService.GetImpersonationRoleEffect: whether the role may
// impersonate the target user, by internal/policy. Only an ENABLED user,
// one with a mailbox to act on, can be a target (EntityStateException).
func (s *Service) GetImpersonationRoleEffect(ctx context.Context, in *model.GetImpersonationRoleEffectInput) (*model.GetImpersonationRoleEffectOutput, error) {
	var out *model.GetImpersonationRoleEffectOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		role, err := findRole(r, o, str(in.ImpersonationRoleId))
		if err != nil {
			return err
		}
		d, err := s.impersonationEffect(r, o, role, str(in.TargetUser))
		if err != nil {
			return err
		}
		matched := make([]model.ImpersonationMatchedRule, len(d.MatchedRules))
		for i, m := range d.MatchedRules {
			matched[i] = model.ImpersonationMatchedRule{ImpersonationRuleId: ptr(m.ID), Name: optional(m.Name)}
		}
		out = &model.GetImpersonationRoleEffectOutput{Type: ptr(model.ImpersonationRoleType(role.Type)),
			Effect: ptr(model.AccessEffect(d.Effect)), MatchedRules: matched}
		return nil
	})
	return out, err
}

// impersonationEffect resolves the target and evaluates the role's rules
// for it.
func (s *Service) impersonationEffect(r store.Reader, o orgRef, role *impersonationRole, target string) (policy.ImpersonationDecision, error) {
	u, err := s.resolveUser(r, o, target)
	if err != nil {
		return policy.ImpersonationDecision{}, err
	}
	if u.State != userEnabled {
		return policy.ImpersonationDecision{}, model.ErrEntityState.Errorf("User %s is %s: only a user registered to WorkMail can be impersonated.", target, u.State)
	}
	rules := make([]policy.ImpersonationRule, len(role.Rules))
	for i, x := range role.Rules {
		rules[i] = policy.ImpersonationRule{ID: x.ID, Name: x.Name, Effect: policy.AccessEffect(x.Effect),
			TargetUserIDs: x.TargetUsers, NotTargetUserIDs: x.NotTargetUsers}
	}
	return policy.EvaluateImpersonation(rules, u.ID), nil
}
