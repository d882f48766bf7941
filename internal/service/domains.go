package service

import (
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// checkMailDomain answers nil when email may be an address of an entity of
// the organization: its domain is one of the organization's mail domains.
// Every operation that gives an entity an address (RegisterToWorkMail,
// CreateAlias, UpdatePrimaryEmailAddress) asks it.
func checkMailDomain(_ store.Reader, o orgRef, org *organization, email string) error {
	if !org.hasMailDomain(email[strings.LastIndexByte(email, '@')+1:]) {
		return model.ErrMailDomainNotFound.Errorf("The domain of %s is not a mail domain of organization %s.", email, o.ID)
	}
	return nil
}

// hasMailDomain reports whether domain is one of the organization's mail
// domains: its default domain and those given at creation.
func (o *organization) hasMailDomain(domain string) bool {
	if strings.EqualFold(domain, o.DefaultMailDomain) {
		return true
	}
	for _, d := range o.Domains {
		if strings.EqualFold(domain, d) {
			return true
		}
	}
	return false
}
