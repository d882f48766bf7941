package service

import (
	"context"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/respcache"
	"github.com/workmaild/workmaild/internal/store"
)

// collIdentityProviders holds each organization's identity-provider
// configuration, keyed by organization id.
const collIdentityProviders = "identity-provider"

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
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID := str(in.OrganizationId)
		if _, err := s.activeOrganization(tx, orgID); err != nil {
			return err
		}
		idc, pat := in.IdentityCenterConfiguration, in.PersonalAccessTokenConfiguration
		appArn, instanceArn := str(idc.ApplicationArn), str(idc.InstanceArn)
		var app application
		found, err := getRecord(tx, collApplications, appArn, &app)
		if err != nil {
			return err
		}
		if !found {
			return model.ErrResourceNotFound.Errorf("Identity Center application %s does not exist in this account and region.", appArn)
		}
		if app.InstanceArn != instanceArn {
			return model.ErrInvalidParameter.Errorf("InstanceArn %s is not the Identity Center instance of application %s (%s).", instanceArn, appArn, app.InstanceArn)
		}
		cfg := identityProviderConfig{
			AuthenticationMode: string(*in.AuthenticationMode),
			InstanceArn:        instanceArn,
			ApplicationArn:     appArn,
			TokenStatus:        string(*pat.Status),
		}
		if pat.LifetimeInDays != nil {
			cfg.TokenLifetimeDays = *pat.LifetimeInDays
		}
		return putRecord(tx, collIdentityProviders, orgID, cfg)
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
	err := s.view(ctx, func(_ store.Partition, r store.Reader) error {
		now := s.now()
		o, cfg, err := s.identityProviderAt(r, str(in.OrganizationId), now)
		if err != nil {
			return err
		}
		respcache.Declare(ctx, o.stable(now, s.lifecycle))
		out = describeIdentityProviderOutput(cfg)
		return nil
	})
	return out, err
}

// describeIdentityProviderOutput builds the output in one allocation,
// where taking the address of each member would cost eight: this is the
// hottest read there is.
func describeIdentityProviderOutput(cfg identityProviderConfig) *model.DescribeIdentityProviderConfigurationOutput {
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
func (s *Service) identityProvider(r store.Reader, orgID string) (identityProviderConfig, error) {
	_, cfg, err := s.identityProviderAt(r, orgID, s.now())
	return cfg, err
}

// identityProviderAt is identityProvider at the caller's instant; it also
// returns the organization.
func (s *Service) identityProviderAt(r store.Reader, orgID string, now time.Time) (*organization, identityProviderConfig, error) {
	var cfg identityProviderConfig
	o, err := s.activeOrganizationAt(r, orgID, now)
	if err != nil {
		return nil, cfg, err
	}
	found, err := s.idpCache.get(r, collIdentityProviders, orgID, &cfg)
	if err != nil {
		return nil, cfg, err
	}
	if !found {
		return nil, cfg, model.ErrResourceNotFound.Errorf("Organization %s has no identity provider configuration.", orgID)
	}
	return o, cfg, nil
}

// DeleteIdentityProviderConfiguration implements
// WorkMailService.DeleteIdentityProviderConfiguration; deleting when nothing
// is configured succeeds.
func (s *Service) DeleteIdentityProviderConfiguration(ctx context.Context, in *model.DeleteIdentityProviderConfigurationInput) (*model.DeleteIdentityProviderConfigurationOutput, error) {
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID := str(in.OrganizationId)
		if _, err := s.activeOrganization(tx, orgID); err != nil {
			return err
		}
		return tx.Delete(collIdentityProviders, orgID)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteIdentityProviderConfigurationOutput{}, nil
}
