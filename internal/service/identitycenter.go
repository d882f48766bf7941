package service

import (
	"context"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// applications holds the Identity Center applications of a partition,
// keyed by ARN: a partition-level table.
var applications = &table[application]{
	codec: record.For[application](),
	coll:  "identity-center-application",
	id:    func(a *application) string { return a.ARN },
}

type application struct {
	ARN         string    `json:"arn"`
	Name        string    `json:"name"`
	InstanceArn string    `json:"instanceArn"`
	CreatedAt   time.Time `json:"createdAt"`
}

// CreateIdentityCenterApplication implements
// WorkMailService.CreateIdentityCenterApplication. The application belongs
// to the caller's account and region, not to an organization.
func (s *Service) CreateIdentityCenterApplication(ctx context.Context, in *model.CreateIdentityCenterApplicationInput) (*model.CreateIdentityCenterApplicationOutput, error) {
	var arn string
	suffix := s.ids.Alphanumeric(16) // drawn once, however often the transaction runs
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		var err error
		arn, err = idempotent(tx, "CreateIdentityCenterApplication", in, in.ClientToken, func() (created, error) {
			instanceArn := str(in.InstanceArn)
			app := &application{
				ARN:         applicationARN(p.Account, instanceArn, suffix),
				Name:        str(in.Name),
				InstanceArn: instanceArn,
				CreatedAt:   s.now(),
			}
			return created{Result: app.ARN}, applications.insert(tx, orgRef{Partition: p}, app)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateIdentityCenterApplicationOutput{ApplicationArn: &arn}, nil
}

// applicationARN builds arn:<partition>:sso::<account>:application/<instance id>/apl-<suffix>
// from a validated instance ARN arn:<partition>:sso:::instance/<instance id>.
func applicationARN(account, instanceArn, suffix string) string {
	partition := strings.SplitN(instanceArn, ":", 3)[1]
	instanceID := instanceArn[strings.LastIndexByte(instanceArn, '/')+1:]
	return "arn:" + partition + ":sso::" + account + ":application/" + instanceID + "/apl-" + suffix
}

// DeleteIdentityCenterApplication implements
// WorkMailService.DeleteIdentityCenterApplication. Deleting an unknown
// application succeeds; one that an organization's identity-provider
// configuration still uses is refused.
func (s *Service) DeleteIdentityCenterApplication(ctx context.Context, in *model.DeleteIdentityCenterApplicationInput) (*model.DeleteIdentityCenterApplicationOutput, error) {
	arn := str(in.ApplicationArn)
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		user, err := s.organizationUsingApplication(tx, p, arn, "")
		if err != nil {
			return err
		}
		if user != "" {
			return model.ErrOrganizationState.Errorf("Application %s is used by the identity provider configuration of organization %s; delete that configuration first.", arn, user)
		}
		return applications.delete(tx, orgRef{Partition: p}, arn)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteIdentityCenterApplicationOutput{}, nil
}

// organizationUsingApplication returns the id of an organization, other
// than except, whose identity-provider configuration names the application
// and which is not deleted; "" when there is none.
func (s *Service) organizationUsingApplication(r store.Reader, p store.Partition, arn, except string) (string, error) {
	var user string
	err := r.Scan(identityProviders.coll, "", "", 0, func(orgID string, raw []byte) (bool, error) {
		if orgID == except {
			return true, nil
		}
		cfg, err := identityProviders.decode(orgID, raw)
		if err != nil {
			return false, err
		}
		if cfg.ApplicationArn != arn {
			return true, nil
		}
		// A deleted organization's leftover configuration holds nothing.
		if o, err := s.findOrganization(r, orgRef{p, orgID}); err == nil && o.DeleteRequestedAt.IsZero() {
			user = orgID
			return false, nil
		}
		return true, nil
	})
	return user, err
}

// deleteOrganizationApplication removes the organization's identity-provider
// configuration and the application it names, unless another organization
// still uses that application (DeleteOrganization's
// DeleteIdentityCenterApplication flag).
func (s *Service) deleteOrganizationApplication(tx store.Tx, o orgRef) error {
	cfg, err := identityProviders.get(tx, o, "")
	if err != nil || cfg == nil {
		return err
	}
	if err := identityProviders.delete(tx, o, ""); err != nil {
		return err
	}
	other, err := s.organizationUsingApplication(tx, o.Partition, cfg.ApplicationArn, o.ID)
	if err != nil || other != "" {
		return err
	}
	return applications.delete(tx, orgRef{Partition: o.Partition}, cfg.ApplicationArn)
}
