package service

import (
	"context"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// availabilityConfigs holds one availability provider per external domain
// of an organization, at "<org>/<lower(domain)>": the organization's
// configurations are one prefix in domain order, which
// ListAvailabilityConfigurations pages through, and a second
// configuration for a domain is found by its key.
//
// An EWS provider's password is stored as given: TestAvailabilityConfiguration
// (and free/busy lookups, as WorkMail makes them) must log in with it, so
// it cannot be hashed. It is never returned (outputs carry the redacted
// provider) and never logged.
var availabilityConfigs = &table[availabilityConfig]{
	codec: record.For[availabilityConfig](),
	coll:  "availability-config",
	id:    func(c *availabilityConfig) string { return c.Domain },
}

type availabilityConfig struct {
	Domain     string    `json:"domain"` // lower-cased
	Provider   string    `json:"provider"`
	EwsURL     string    `json:"ewsUrl,omitempty"`
	EwsUser    string    `json:"ewsUser,omitempty"`
	EwsSecret  string    `json:"ewsSecret,omitempty"`
	LambdaArn  string    `json:"lambdaArn,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	ModifiedAt time.Time `json:"modifiedAt"`
}

// availabilityProvider is the one provider an input defines.
type availabilityProvider struct {
	ews    *model.EwsAvailabilityProvider
	lambda *model.LambdaAvailabilityProvider
}

// oneProvider answers InvalidParameterException unless exactly one of the
// providers is given, as the model's documentation requires.
func oneProvider(ews *model.EwsAvailabilityProvider, lambda *model.LambdaAvailabilityProvider) (availabilityProvider, error) {
	if (ews == nil) == (lambda == nil) {
		return availabilityProvider{}, model.ErrInvalidParameter.Errorf("Exactly one provider, EwsProvider or LambdaProvider, must be given.")
	}
	return availabilityProvider{ews, lambda}, nil
}

// set makes c's provider p, dropping the other kind's fields.
func (p availabilityProvider) set(c *availabilityConfig) {
	c.EwsURL, c.EwsUser, c.EwsSecret, c.LambdaArn = "", "", "", ""
	if p.ews != nil {
		c.Provider = string(model.AvailabilityProviderTypeEws)
		c.EwsURL, c.EwsUser, c.EwsSecret = str(p.ews.EwsEndpoint), str(p.ews.EwsUsername), str(p.ews.EwsPassword)
		return
	}
	c.Provider = string(model.AvailabilityProviderTypeLambda)
	c.LambdaArn = str(p.lambda.LambdaArn)
}

// CreateAvailabilityConfiguration implements
// WorkMailService.CreateAvailabilityConfiguration. The domain is an
// external one: a mail domain of the organization itself is
// InvalidParameterException (its free/busy is WorkMail's own), and a
// domain configured already is NameAvailabilityException.
func (s *Service) CreateAvailabilityConfiguration(ctx context.Context, in *model.CreateAvailabilityConfigurationInput) (*model.CreateAvailabilityConfigurationOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		_, err := idempotent(tx, "CreateAvailabilityConfiguration", in, in.ClientToken, func() (created, error) {
			org, err := s.activeOrganization(tx, o)
			if err != nil {
				return created{}, err
			}
			prov, err := oneProvider(in.EwsProvider, in.LambdaProvider)
			if err != nil {
				return created{}, err
			}
			domain := strings.ToLower(str(in.DomainName))
			own, err := findMailDomain(tx, o, org, domain)
			if err != nil {
				return created{}, err
			}
			if own != nil {
				return created{}, model.ErrInvalidParameter.Errorf("The domain %s is a mail domain of organization %s: availability providers are for external domains.", domain, o.ID)
			}
			if ok, err := availabilityConfigs.has(tx, o, domain); err != nil || ok {
				if ok {
					err = model.ErrNameAvailability.Errorf("An availability configuration for the domain %s already exists in organization %s.", domain, o.ID)
				}
				return created{}, err
			}
			now := s.now()
			c := &availabilityConfig{Domain: domain, CreatedAt: now, ModifiedAt: now}
			prov.set(c)
			return created{Result: domain, Org: o.ID}, availabilityConfigs.insert(tx, o, c)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateAvailabilityConfigurationOutput{}, nil
}

// UpdateAvailabilityConfiguration implements
// WorkMailService.UpdateAvailabilityConfiguration: the stored provider is
// replaced by the one given, of either kind.
func (s *Service) UpdateAvailabilityConfiguration(ctx context.Context, in *model.UpdateAvailabilityConfigurationInput) (*model.UpdateAvailabilityConfigurationOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		prov, err := oneProvider(in.EwsProvider, in.LambdaProvider)
		if err != nil {
			return err
		}
		c, err := findAvailabilityConfig(tx, o, str(in.DomainName))
		if err != nil {
			return err
		}
		prov.set(c)
		c.ModifiedAt = s.now()
		return availabilityConfigs.put(tx, o, c)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateAvailabilityConfigurationOutput{}, nil
}

// findAvailabilityConfig returns the domain's configuration, or
// ResourceNotFoundException.
func findAvailabilityConfig(r store.Reader, o orgRef, domain string) (*availabilityConfig, error) {
	domain = strings.ToLower(domain)
	c, err := availabilityConfigs.get(r, o, domain)
	if err == nil && c == nil {
		err = model.ErrResourceNotFound.Errorf("No availability configuration exists for the domain %s in organization %s.", domain, o.ID)
	}
	return c, err
}

// DeleteAvailabilityConfiguration implements
// WorkMailService.DeleteAvailabilityConfiguration. An unknown domain
// succeeds: the model declares no not-found error here.
func (s *Service) DeleteAvailabilityConfiguration(ctx context.Context, in *model.DeleteAvailabilityConfigurationInput) (*model.DeleteAvailabilityConfigurationOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		return availabilityConfigs.delete(tx, o, strings.ToLower(str(in.DomainName)))
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteAvailabilityConfigurationOutput{}, nil
}

// ListAvailabilityConfigurations implements
// WorkMailService.ListAvailabilityConfigurations, in domain order. EWS
// providers are listed without their password.
func (s *Service) ListAvailabilityConfigurations(ctx context.Context, in *model.ListAvailabilityConfigurationsInput) (*model.ListAvailabilityConfigurationsOutput, error) {
	var out *model.ListAvailabilityConfigurationsOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		pg, err := s.newPager("ListAvailabilityConfigurations", p, in.NextToken, in.MaxResults, o.ID)
		if err != nil {
			return err
		}
		list, next, err := page(r, pg, availabilityConfigs.coll, o.prefix(), func(key string, raw []byte) (model.AvailabilityConfiguration, bool, error) {
			c, err := availabilityConfigs.decode(key, raw)
			if err != nil {
				return model.AvailabilityConfiguration{}, false, err
			}
			return availabilityItem(c), true, nil
		})
		out = &model.ListAvailabilityConfigurationsOutput{AvailabilityConfigurations: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func availabilityItem(c *availabilityConfig) model.AvailabilityConfiguration {
	item := model.AvailabilityConfiguration{
		DomainName:   ptr(c.Domain),
		ProviderType: ptr(model.AvailabilityProviderType(c.Provider)),
		DateCreated:  timestamp(c.CreatedAt),
		DateModified: timestamp(c.ModifiedAt),
	}
	if c.Provider == string(model.AvailabilityProviderTypeEws) {
		item.EwsProvider = &model.RedactedEwsAvailabilityProvider{EwsEndpoint: ptr(c.EwsURL), EwsUsername: ptr(c.EwsUser)}
	} else {
		item.LambdaProvider = &model.LambdaAvailabilityProvider{LambdaArn: ptr(c.LambdaArn)}
	}
	return item
}
