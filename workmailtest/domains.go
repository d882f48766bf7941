package workmailtest

import (
	"time"

	"github.com/workmaild/workmaild/server"
)

// WithDomainVerificationDelay sets how long a registered mail domain stays
// PENDING before it is VERIFIED, as the binary's
// --domain-verification-delay flag does; the default verifies it at once.
// The delay counts on the server's clock, so Clock().Advance moves a
// domain on, and SetMailDomainVerification can settle it before.
func WithDomainVerificationDelay(d time.Duration) Option {
	return func(cfg *config) { cfg.lifecycle.DomainVerificationDelay = d }
}

// SetMailDomainVerification sets what WorkMail's DNS checks found for a
// registered mail domain of an organization in the default account and
// region, as GetMailDomain then reports it: ownership and DKIM are
// "PENDING", "VERIFIED" or "FAILED", and "" leaves one as it is. Only a
// domain whose ownership is VERIFIED can hold addresses or become the
// default domain. It fails the test that made the server on any error (an
// unknown organization or domain, the test domain, a bad status).
func (s *Server) SetMailDomainVerification(organizationID, domain, ownership, dkim string) server.DomainStatus {
	s.t.Helper()
	st, err := s.handler.SetDomainVerification(s.t.Context(), server.DomainVerification{
		Account: s.cfg.account, Region: s.cfg.region, OrganizationID: organizationID, DomainName: domain,
		Ownership: ownership, DKIM: dkim,
	})
	if err != nil {
		s.t.Fatalf("workmailtest: setting the verification of %s in %s: %v", domain, organizationID, err)
	}
	return st
}

// VerifyMailDomain marks a registered mail domain's ownership and DKIM
// VERIFIED now, whatever the verification delay (see
// SetMailDomainVerification).
func (s *Server) VerifyMailDomain(organizationID, domain string) {
	s.t.Helper()
	s.SetMailDomainVerification(organizationID, domain, "VERIFIED", "VERIFIED")
}
