package service

import (
	"context"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// retentionPolicies holds an organization's retention policy: WorkMail
// has one policy per organization, applied to every mailbox, so the table
// is a singleton keyed by the organization id.
var retentionPolicies = &table[retentionPolicy]{
	codec:     record.For[retentionPolicy](),
	coll:      "retention-policy",
	id:        func(*retentionPolicy) string { return "" },
	singleton: true,
}

type retentionPolicy struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Folders     []retentionFolder `json:"folders,omitempty"`
}

// retentionFolder is one FolderConfiguration; Period is 0 when omitted.
type retentionFolder struct {
	Name   string `json:"name"`
	Action string `json:"action"`
	Period int32  `json:"period,omitempty"`
}

// PutRetentionPolicy implements WorkMailService.PutRetentionPolicy: the
// organization's one policy is created or replaced whole.
func (s *Service) PutRetentionPolicy(ctx context.Context, in *model.PutRetentionPolicyInput) (*model.PutRetentionPolicyOutput, error) {
	id := str(in.Id)
	if id == "" {
		id = s.ids.UUID() // drawn before the transaction, which may run twice
	}
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		folders, err := retentionFolders(in.FolderConfigurations)
		if err != nil {
			return err
		}
		old, err := retentionPolicies.get(tx, o, "")
		if err != nil {
			return err
		}
		pol := &retentionPolicy{ID: id, Name: str(in.Name), Description: str(in.Description), Folders: folders}
		if old != nil {
			switch {
			case in.Id == nil:
				pol.ID = old.ID // no Id: the policy there is the one replaced
			case *in.Id != old.ID:
				return model.ErrLimitExceeded.Errorf("Organization %s already has retention policy %s; an organization has one retention policy.", o.ID, old.ID)
			}
		}
		return retentionPolicies.put(tx, o, pol)
	})
	if err != nil {
		return nil, err
	}
	return &model.PutRetentionPolicyOutput{}, nil
}

// retentionFolders checks the rules the model cannot state: each folder
// at most once, and a period for every action that removes mail.
func retentionFolders(cfgs []model.FolderConfiguration) ([]retentionFolder, error) {
	folders := make([]retentionFolder, 0, len(cfgs))
	seen := make(map[model.FolderName]bool, len(cfgs))
	for _, c := range cfgs {
		name, action := *c.Name, *c.Action
		if seen[name] {
			return nil, model.ErrInvalidParameter.Errorf("Folder %s is configured more than once; give each folder one configuration.", name)
		}
		seen[name] = true
		if action != model.RetentionActionNone && c.Period == nil {
			return nil, model.ErrInvalidParameter.Errorf("Folder %s has action %s but no Period; actions other than NONE need a period in days.", name, action)
		}
		f := retentionFolder{Name: string(name), Action: string(action)}
		if c.Period != nil {
			f.Period = *c.Period
		}
		folders = append(folders, f)
	}
	return folders, nil
}

// GetDefaultRetentionPolicy implements
// WorkMailService.GetDefaultRetentionPolicy: the policy put, or
// EntityNotFoundException when there is none.
func (s *Service) GetDefaultRetentionPolicy(ctx context.Context, in *model.GetDefaultRetentionPolicyInput) (*model.GetDefaultRetentionPolicyOutput, error) {
	var out *model.GetDefaultRetentionPolicyOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		pol, err := retentionPolicies.get(r, o, "")
		if err != nil {
			return err
		}
		if pol == nil {
			return model.ErrEntityNotFound.Errorf("Organization %s has no retention policy.", o.ID)
		}
		out = retentionPolicyOutput(pol)
		return nil
	})
	return out, err
}

func retentionPolicyOutput(pol *retentionPolicy) *model.GetDefaultRetentionPolicyOutput {
	cfgs := make([]model.FolderConfiguration, len(pol.Folders))
	for i, f := range pol.Folders {
		cfgs[i] = model.FolderConfiguration{
			Name:   ptr(model.FolderName(f.Name)),
			Action: ptr(model.RetentionAction(f.Action)),
			Period: optional(f.Period),
		}
	}
	return &model.GetDefaultRetentionPolicyOutput{
		Id:                   ptr(pol.ID),
		Name:                 ptr(pol.Name),
		Description:          optional(pol.Description),
		FolderConfigurations: cfgs,
	}
}

// DeleteRetentionPolicy implements WorkMailService.DeleteRetentionPolicy:
// an Id that is not the organization's policy deletes nothing and succeeds.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *model.DeleteRetentionPolicyInput) (*model.DeleteRetentionPolicyOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		pol, err := retentionPolicies.get(tx, o, "")
		if err != nil || pol == nil || pol.ID != str(in.Id) {
			return err
		}
		return retentionPolicies.delete(tx, o, "")
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteRetentionPolicyOutput{}, nil
}
