package service

import (
	"context"
	"slices"
	"strings"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// DomainVerification sets the verification statuses of a registered mail
// domain, as WorkMail's DNS checks would: workmaild cannot look at DNS, so
// tests and operators say what the checks found. Account and Region select
// the partition. Ownership and DKIM are PENDING, VERIFIED or FAILED; an
// empty one is left as it is. A status once set stays until set again: the
// verification delay no longer applies to it.
type DomainVerification struct {
	Account        string
	Region         string
	OrganizationID string
	DomainName     string
	Ownership      string
	DKIM           string
}

// DomainStatus is a domain's verification statuses after a change.
type DomainStatus struct {
	Ownership string
	DKIM      string
}

// SetDomainVerification implements DomainVerification. Errors are
// WorkMail's: InvalidParameterException for a bad request or the test
// domain (always verified), OrganizationNotFoundException,
// OrganizationStateException, MailDomainNotFoundException.
func (s *Service) SetDomainVerification(ctx context.Context, v DomainVerification) (DomainStatus, error) {
	valid := []string{"", domainPending, domainVerified, domainFailed}
	switch {
	case !auth.IsAccountID(v.Account) || v.Region == "" || strings.ContainsRune(v.Region, 0):
		return DomainStatus{}, model.ErrInvalidParameter.Errorf("Account must be a 12-digit account id and Region a region.")
	case v.OrganizationID == "" || v.DomainName == "":
		return DomainStatus{}, model.ErrInvalidParameter.Errorf("OrganizationId and DomainName are required.")
	case !slices.Contains(valid, v.Ownership) || !slices.Contains(valid, v.DKIM):
		return DomainStatus{}, model.ErrInvalidParameter.Errorf("Statuses are PENDING, VERIFIED or FAILED, not %q and %q.", v.Ownership, v.DKIM)
	}
	var st DomainStatus
	o := orgRef{store.Partition{Account: v.Account, Region: v.Region}, v.OrganizationID}
	err := s.updateIn(ctx, o.Partition, func(tx store.Tx) error {
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		d, err := findMailDomain(tx, o, org, v.DomainName)
		switch {
		case err != nil:
			return err
		case d == nil:
			return model.ErrMailDomainNotFound.Errorf("The domain %s is not found in organization %s.", v.DomainName, o.ID)
		case d.Test:
			return model.ErrInvalidParameter.Errorf("The domain %s is the test domain of organization %s, which is always verified.", d.Name, o.ID)
		}
		rec := d.Record
		if d.Legacy { // it gets a record of its own, registered when the organization was created
			org.Domains = slices.DeleteFunc(org.Domains, func(n string) bool { return strings.EqualFold(n, d.Name) })
			if err := organizations.put(tx, orgRef{Partition: o.Partition}, org); err != nil {
				return err
			}
			rec = &mailDomain{OrganizationID: o.ID, Name: d.Name, RegisteredAt: org.CreatedAt, Ownership: domainVerified, DKIM: domainVerified}
		}
		if v.Ownership != "" {
			rec.Ownership = v.Ownership
		}
		if v.DKIM != "" {
			rec.DKIM = v.DKIM
		}
		st = DomainStatus{Ownership: rec.status(rec.Ownership, org), DKIM: rec.status(rec.DKIM, org)}
		return mailDomains.put(tx, domainRefs(o), rec)
	})
	return st, err
}
