package server

import (
	"context"

	"github.com/workmaild/workmaild/internal/auth"
)

// ActivateOrganization makes an organization that is still Requested or
// Creating Active now, as if the configured create delay had passed; an
// Active one is left as it is. The organization belongs to account in
// region, as a request signed for them would see it. WorkMail has no such
// operation: it exists so that tests (the workmailtest package) get an
// Active organization without waiting. Errors are WorkMail's:
// OrganizationNotFoundException, or OrganizationStateException for a
// deleted organization.
func (s *Server) ActivateOrganization(ctx context.Context, account, region, organizationID string) error {
	ctx = auth.NewContext(ctx, auth.Principal{Account: account, Region: region})
	return s.service.ActivateOrganization(ctx, organizationID)
}
