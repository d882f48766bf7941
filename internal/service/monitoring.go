package service

import (
	"context"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// emailMonitoring holds an organization's email monitoring configuration
// (where WorkMail sends its email event logs): one per organization.
var emailMonitoring = &table[emailMonitoringConfig]{
	codec:     record.For[emailMonitoringConfig](),
	coll:      "email-monitoring",
	id:        func(*emailMonitoringConfig) string { return "" },
	singleton: true,
}

type emailMonitoringConfig struct {
	RoleArn     string `json:"roleArn"`
	LogGroupArn string `json:"logGroupArn"`
}

// eventsRoleArn is the service-linked role a configuration without
// RoleArn uses: IAM's path for the role of events.workmail.amazonaws.com.
func eventsRoleArn(account string) string {
	return "arn:aws:iam::" + account + ":role/aws-service-role/events.workmail.amazonaws.com/AWSServiceRoleForAmazonWorkMailEvents"
}

// PutEmailMonitoringConfiguration implements
// WorkMailService.PutEmailMonitoringConfiguration: a full replace. The
// log group and role cannot be looked up (workmaild has no CloudWatch or
// IAM to ask), so only their ARNs are checked.
func (s *Service) PutEmailMonitoringConfiguration(ctx context.Context, in *model.PutEmailMonitoringConfigurationInput) (*model.PutEmailMonitoringConfigurationOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		cfg := &emailMonitoringConfig{RoleArn: str(in.RoleArn), LogGroupArn: str(in.LogGroupArn)}
		if err := checkLogGroupArn(p, cfg.LogGroupArn); err != nil {
			return err
		}
		if in.RoleArn == nil {
			cfg.RoleArn = eventsRoleArn(p.Account)
		} else if err := checkRoleArn(p, cfg.RoleArn); err != nil {
			return err
		}
		return emailMonitoring.put(tx, o, cfg)
	})
	if err != nil {
		return nil, err
	}
	return &model.PutEmailMonitoringConfigurationOutput{}, nil
}

// checkLogGroupArn refuses a log group outside the caller's account and
// region: WorkMail writes an organization's events to a log group of its
// own account and region. The model's pattern fixes the rest of the form
// (arn:aws:logs:<region>:<account>:log-group:<name>:*, no ':' in name).
func checkLogGroupArn(p store.Partition, arn string) error {
	parts := strings.Split(arn, ":")
	if len(parts) != 8 {
		return model.ErrInvalidParameter.Errorf("LogGroupArn %s is not a CloudWatch Logs log group ARN.", arn)
	}
	if region, account := parts[3], parts[4]; region != p.Region || account != p.Account {
		return model.ErrInvalidParameter.Errorf("LogGroupArn %s must name a log group in account %s and region %s.", arn, p.Account, p.Region)
	}
	return nil
}

// checkRoleArn accepts an IAM role of the caller's account:
// arn:aws:iam::<account>:role/<path/>name. IAM ARNs have no region.
func checkRoleArn(p store.Partition, arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[3] != "" || !strings.HasPrefix(parts[5], "role/") || !validRoleName(parts[5][strings.LastIndexByte(parts[5], '/')+1:]) {
		return model.ErrInvalidParameter.Errorf("RoleArn %s is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).", arn)
	}
	if parts[4] != p.Account {
		return model.ErrInvalidParameter.Errorf("RoleArn %s must name a role in account %s.", arn, p.Account)
	}
	return nil
}

// validRoleName is IAM's rule for role names: 1 to 64 of [A-Za-z0-9+=,.@_-].
func validRoleName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.ContainsRune("+=,.@_-", c):
		default:
			return false
		}
	}
	return true
}

// DescribeEmailMonitoringConfiguration implements
// WorkMailService.DescribeEmailMonitoringConfiguration: what was put (with
// the service-linked role when no role was given), or
// ResourceNotFoundException when nothing is configured.
func (s *Service) DescribeEmailMonitoringConfiguration(ctx context.Context, in *model.DescribeEmailMonitoringConfigurationInput) (*model.DescribeEmailMonitoringConfigurationOutput, error) {
	var out *model.DescribeEmailMonitoringConfigurationOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		cfg, err := emailMonitoring.get(r, o, "")
		if err != nil {
			return err
		}
		if cfg == nil {
			return model.ErrResourceNotFound.Errorf("Organization %s has no email monitoring configuration.", o.ID)
		}
		out = &model.DescribeEmailMonitoringConfigurationOutput{RoleArn: ptr(cfg.RoleArn), LogGroupArn: ptr(cfg.LogGroupArn)}
		return nil
	})
	return out, err
}

// DeleteEmailMonitoringConfiguration implements
// WorkMailService.DeleteEmailMonitoringConfiguration; deleting when nothing
// is configured succeeds.
func (s *Service) DeleteEmailMonitoringConfiguration(ctx context.Context, in *model.DeleteEmailMonitoringConfigurationInput) (*model.DeleteEmailMonitoringConfigurationOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		return emailMonitoring.delete(tx, o, "")
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteEmailMonitoringConfigurationOutput{}, nil
}

// inboundDmarc holds an organization's inbound DMARC setting once it has
// been put. An organization without a record enforces DMARC: new
// organizations do (WorkMail's default), and so do those created before
// workmaild stored the setting.
var inboundDmarc = &table[inboundDmarcSettings]{
	codec:     record.For[inboundDmarcSettings](),
	coll:      "inbound-dmarc",
	id:        func(*inboundDmarcSettings) string { return "" },
	singleton: true,
}

type inboundDmarcSettings struct {
	Enforced bool `json:"enforced"`
}

// PutInboundDmarcSettings implements WorkMailService.PutInboundDmarcSettings.
func (s *Service) PutInboundDmarcSettings(ctx context.Context, in *model.PutInboundDmarcSettingsInput) (*model.PutInboundDmarcSettingsOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		return inboundDmarc.put(tx, o, &inboundDmarcSettings{Enforced: *in.Enforced})
	})
	if err != nil {
		return nil, err
	}
	return &model.PutInboundDmarcSettingsOutput{}, nil
}

// DescribeInboundDmarcSettings implements
// WorkMailService.DescribeInboundDmarcSettings.
func (s *Service) DescribeInboundDmarcSettings(ctx context.Context, in *model.DescribeInboundDmarcSettingsInput) (*model.DescribeInboundDmarcSettingsOutput, error) {
	var enforced bool
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		set, err := inboundDmarc.get(r, o, "")
		if err != nil {
			return err
		}
		enforced = set == nil || set.Enforced
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.DescribeInboundDmarcSettingsOutput{Enforced: &enforced}, nil
}
