package server

import (
	"context"

	"github.com/workmaild/workmaild/internal/policy"
	"github.com/workmaild/workmaild/internal/service"
)

// Access control rules and impersonation tokens as workmaild's own mail
// and EWS front ends will use them: the same evaluation as
// GetAccessControlEffect, and a check of the tokens AssumeImpersonationRole
// hands out.
type (
	// AccessCheck asks whether a user or impersonation role of an
	// organization may use a protocol from an address.
	AccessCheck = service.AccessCheck
	// AccessDecision is the effect of the rules and the rules that decided it.
	AccessDecision = policy.AccessDecision
	// ImpersonationGrant is what a valid impersonation token allows.
	ImpersonationGrant = service.ImpersonationGrant
)

// Why an impersonation token is refused; compare with errors.Is. An
// organization that is no longer Active is a *model.Error.
const (
	ErrImpersonationTokenUnknown = service.ErrImpersonationTokenUnknown
	ErrImpersonationTokenExpired = service.ErrImpersonationTokenExpired
)

// CheckAccess evaluates the organization's access control rules for one
// request, as GetAccessControlEffect does.
func (s *Server) CheckAccess(ctx context.Context, c AccessCheck) (AccessDecision, error) {
	return s.service.CheckAccess(ctx, c)
}

// VerifyImpersonationToken reports whether a token from
// AssumeImpersonationRole is valid now (15 minutes from its issue, while
// its role and organization exist), and for which role.
func (s *Server) VerifyImpersonationToken(ctx context.Context, token string) (ImpersonationGrant, error) {
	return s.service.VerifyImpersonationToken(ctx, token)
}
