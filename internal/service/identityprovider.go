package service

import (
	"context"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// identityProviders holds each organization's identity-provider
// configuration: a singleton table, keyed by organization id.
var identityProviders = &table[identityProviderConfig]{
	codec:     record.For[identityProviderConfig](),
	coll:      "identity-provider",
	id:        func(*identityProviderConfig) string { return "" },
	singleton: true,
}

// DefaultTokenLifetimeDays applies when a configuration omits LifetimeInDays
// (the administrator guide's default).
const DefaultTokenLifetimeDays = 365

type identityProviderConfig struct {
	AuthenticationMode string `json:"authenticationMode"`
	InstanceArn        string `json:"instanceArn"`
	ApplicationArn     string `json:"applicationArn"`
	TokenStatus        string `json:"tokenStatus"`
	// TokenLifetimeDays is what was put; 0 when omitted (then the default applies).
	TokenLifetimeDays int32 `json:"tokenLifetimeDays,omitempty"`
}

// lifetimeDays is the token lifetime in force.
func (c *identityProviderConfig) lifetimeDays() int32 {
	if c.TokenLifetimeDays == 0 {
		return DefaultTokenLifetimeDays
	}
	return c.TokenLifetimeDays
}

// PutIdentityProviderConfiguration implements
// WorkMailService.PutIdentityProviderConfiguration: a full replace.
func (s *Service) PutIdentityProviderConfiguration(ctx context.Context, in *model.PutIdentityProviderConfigurationInput) (*model.PutIdentityProviderConfigurationOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		idc, pat := in.IdentityCenterConfiguration, in.PersonalAccessTokenConfiguration
		appArn, instanceArn := str(idc.ApplicationArn), str(idc.InstanceArn)
		app, err := applications.get(tx, orgRef{Partition: p}, appArn)
		if err != nil {
			return err
		}
		if app == nil {
			return model.ErrResourceNotFound.Errorf("Identity Center application %s does not exist in this account and region.", appArn)
		}
		if app.InstanceArn != instanceArn {
			return model.ErrInvalidParameter.Errorf("InstanceArn %s is not the Identity Center instance of application %s (%s).", instanceArn, appArn, app.InstanceArn)
		}
		cfg := &identityProviderConfig{
			AuthenticationMode: string(*in.AuthenticationMode),
			InstanceArn:        instanceArn,
			ApplicationArn:     appArn,
			TokenStatus:        string(*pat.Status),
		}
		if pat.LifetimeInDays != nil {
			cfg.TokenLifetimeDays = *pat.LifetimeInDays
		}
		return identityProviders.put(tx, o, cfg)
	})
	if err != nil {
		return nil, err
	}
	return &model.PutIdentityProviderConfigurationOutput{}, nil
}

// DescribeIdentityProviderConfiguration implements
// WorkMailService.DescribeIdentityProviderConfiguration: exactly what was put.
func (s *Service) DescribeIdentityProviderConfiguration(ctx context.Context, in *model.DescribeIdentityProviderConfigurationInput) (*model.DescribeIdentityProviderConfigurationOutput, error) {
	var out *model.DescribeIdentityProviderConfigurationOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		cfg, err := s.identityProvider(r, orgRef{p, str(in.OrganizationId)})
		if err != nil {
			return err
		}
		out = describeIdentityProviderOutput(cfg)
		return nil
	})
	return out, err
}

// describeIdentityProviderOutput builds the output in one allocation,
// where taking the address of each member would cost eight: this is the
// hottest read there is.
func describeIdentityProviderOutput(cfg *identityProviderConfig) *model.DescribeIdentityProviderConfigurationOutput {
	all := &struct {
		out                   model.DescribeIdentityProviderConfigurationOutput
		center                model.IdentityCenterConfiguration
		token                 model.PersonalAccessTokenConfiguration
		mode                  model.IdentityProviderAuthenticationMode
		status                model.PersonalAccessTokenConfigurationStatus
		days                  int32
		instance, application string
	}{
		mode:     model.IdentityProviderAuthenticationMode(cfg.AuthenticationMode),
		status:   model.PersonalAccessTokenConfigurationStatus(cfg.TokenStatus),
		days:     cfg.TokenLifetimeDays,
		instance: cfg.InstanceArn, application: cfg.ApplicationArn,
	}
	all.center = model.IdentityCenterConfiguration{InstanceArn: &all.instance, ApplicationArn: &all.application}
	all.token = model.PersonalAccessTokenConfiguration{Status: &all.status}
	if all.days != 0 { // omitted when unset, as AWS omits it
		all.token.LifetimeInDays = &all.days
	}
	all.out = model.DescribeIdentityProviderConfigurationOutput{
		AuthenticationMode:               &all.mode,
		IdentityCenterConfiguration:      &all.center,
		PersonalAccessTokenConfiguration: &all.token,
	}
	return &all.out
}

// identityProvider returns the configuration of an Active organization, or
// ResourceNotFoundException when it has none.
func (s *Service) identityProvider(r store.Reader, o orgRef) (*identityProviderConfig, error) {
	if _, err := s.activeOrganization(r, o); err != nil {
		return nil, err
	}
	cfg, err := identityProviders.get(r, o, "")
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, model.ErrResourceNotFound.Errorf("Organization %s has no identity provider configuration.", o.ID)
	}
	return cfg, nil
}

// DeleteIdentityProviderConfiguration implements
// WorkMailService.DeleteIdentityProviderConfiguration; deleting when nothing
// is configured succeeds.
func (s *Service) DeleteIdentityProviderConfiguration(ctx context.Context, in *model.DeleteIdentityProviderConfigurationInput) (*model.DeleteIdentityProviderConfigurationOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		return identityProviders.delete(tx, o, "")
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteIdentityProviderConfigurationOutput{}, nil
}
