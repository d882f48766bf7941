package service

import (
	"context"
	"slices"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// RegisterMailDomain implements WorkMailService.RegisterMailDomain. The
// domain starts PENDING and becomes VERIFIED when the configured
// DomainVerificationDelay has passed (or when the internal endpoint says
// so). Registering a domain the organization has already changes
// nothing; one another organization of the account has is
// MailDomainInUseException.
func (s *Service) RegisterMailDomain(ctx context.Context, in *model.RegisterMailDomainInput) (*model.RegisterMailDomainOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		_, err := idempotent(tx, "RegisterMailDomain", in, in.ClientToken, func() (created, error) {
			org, err := s.activeOrganization(tx, o)
			if err != nil {
				return created{}, err
			}
			return created{Org: o.ID}, registerMailDomain(tx, o, org, str(in.DomainName), s.now())
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.RegisterMailDomainOutput{}, nil
}

// DeregisterMailDomain implements WorkMailService.DeregisterMailDomain. A
// domain an address of any entity still uses is MailDomainInUseException;
// the test domain and the default domain cannot be removed
// (InvalidParameterException). An unknown domain succeeds: the model
// declares no MailDomainNotFoundException here.
func (s *Service) DeregisterMailDomain(ctx context.Context, in *model.DeregisterMailDomainInput) (*model.DeregisterMailDomainOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		d, err := findMailDomain(tx, o, org, str(in.DomainName))
		switch {
		case err != nil || d == nil:
			return err
		case d.Test:
			return model.ErrInvalidParameter.Errorf("The domain %s is the test domain of organization %s and cannot be deregistered.", d.Name, o.ID)
		case d.isDefault(org):
			return model.ErrInvalidParameter.Errorf("The domain %s is the default mail domain of organization %s: make another domain the default first.", d.Name, o.ID)
		}
		used, err := domainInUse(tx, o, d.Name)
		if err != nil {
			return err
		}
		if used != "" {
			return model.ErrMailDomainInUse.Errorf("The domain %s is in use by %s: remove every email address of WorkMail entities on it first.", d.Name, used)
		}
		if d.Legacy {
			org.Domains = slices.DeleteFunc(org.Domains, func(n string) bool { return strings.EqualFold(n, d.Name) })
			return organizations.put(tx, orgRef{Partition: p}, org)
		}
		return mailDomains.delete(tx, domainRefs(o), mailDomains.id(d.Record))
	})
	if err != nil {
		return nil, err
	}
	return &model.DeregisterMailDomainOutput{}, nil
}

// GetMailDomain implements WorkMailService.GetMailDomain: the records to
// publish and the verification statuses. The test domain has no records
// to publish and is verified.
func (s *Service) GetMailDomain(ctx context.Context, in *model.GetMailDomainInput) (*model.GetMailDomainOutput, error) {
	var out *model.GetMailDomainOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(r, o)
		if err != nil {
			return err
		}
		d, err := findMailDomain(r, o, org, str(in.DomainName))
		if err != nil {
			return err
		}
		if d == nil {
			return model.ErrMailDomainNotFound.Errorf("The domain %s is not found in organization %s.", str(in.DomainName), o.ID)
		}
		out = &model.GetMailDomainOutput{
			Records:                     []model.DnsRecord{},
			IsTestDomain:                ptr(d.Test),
			IsDefault:                   ptr(d.isDefault(org)),
			OwnershipVerificationStatus: ptr(model.DnsRecordVerificationStatus(d.Ownership)),
			DkimVerificationStatus:      ptr(model.DnsRecordVerificationStatus(d.DKIM)),
		}
		if !d.Test {
			out.Records = dnsRecords(o, d.Name)
		}
		return nil
	})
	return out, err
}

// ListMailDomains implements WorkMailService.ListMailDomains: every mail
// domain of the organization, the test domain included, by name.
func (s *Service) ListMailDomains(ctx context.Context, in *model.ListMailDomainsInput) (*model.ListMailDomainsOutput, error) {
	var out *model.ListMailDomainsOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(r, o)
		if err != nil {
			return err
		}
		pg, err := s.newPager("ListMailDomains", p, in.NextToken, in.MaxResults, o.ID)
		if err != nil {
			return err
		}
		all, err := orgMailDomains(r, o, org)
		if err != nil {
			return err
		}
		names := make([]string, len(all))
		for i, d := range all {
			names[i] = d.Name
		}
		list, next := pageKeys(pg, names)
		out = &model.ListMailDomainsOutput{MailDomains: make([]model.MailDomainSummary, len(list)), NextToken: next}
		for i, name := range list {
			out.MailDomains[i] = model.MailDomainSummary{DomainName: ptr(name), DefaultDomain: ptr(strings.EqualFold(name, org.DefaultMailDomain))}
		}
		return nil
	})
	return out, err
}

// UpdateDefaultMailDomain implements WorkMailService.UpdateDefaultMailDomain:
// the domain, whose ownership must be verified, becomes the one
// DescribeOrganization reports. Existing addresses stay as they are.
func (s *Service) UpdateDefaultMailDomain(ctx context.Context, in *model.UpdateDefaultMailDomainInput) (*model.UpdateDefaultMailDomainOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		d, err := findMailDomain(tx, o, org, str(in.DomainName))
		switch {
		case err != nil:
			return err
		case d == nil:
			return model.ErrMailDomainNotFound.Errorf("The domain %s is not found in organization %s.", str(in.DomainName), o.ID)
		case d.Ownership != domainVerified:
			return model.ErrMailDomainState.Errorf("The domain %s must be verified before it can be the default domain; its ownership verification status is %s.", d.Name, d.Ownership)
		case d.isDefault(org):
			return nil
		}
		org.DefaultMailDomain = d.Name
		return organizations.put(tx, orgRef{Partition: p}, org)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateDefaultMailDomainOutput{}, nil
}

// pageKeys returns the page of the sorted keys that follows the pager's
// position, and the NextToken when more keys follow: paging for lists
// built in memory (an organization's domains, an entity's aliases), with
// the same tokens and resumption rules as page.
func pageKeys(pg *pager, keys []string) ([]string, *string) {
	start := 0
	if pg.after != "" {
		i, found := slices.BinarySearch(keys, pg.after)
		if found {
			i++
		}
		start = i
	}
	end := min(start+pg.limit, len(keys))
	var next *string
	if end < len(keys) {
		next = ptr(pg.s.paging.Encode(pg.scope, keys[end-1]))
	}
	return keys[start:end], next
}
