package workmailtest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
)

// CreateActiveOrganization creates an organization with alias in the
// default account and region and returns its id, already Active even when
// WithOrganizationDelays slows creation down. The organization is created
// through the API, like any other; then its creation is ended at once
// (server.Server.ActivateOrganization), without moving the clock that other
// records depend on. It fails the test that made the server on any error.
func (s *Server) CreateActiveOrganization(alias string) string {
	s.t.Helper()
	ctx := s.t.Context()
	out, err := s.Client().CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String(alias)})
	if err != nil {
		s.t.Fatalf("workmailtest: creating organization %q: %v", alias, err)
	}
	id := aws.ToString(out.OrganizationId)
	if err := s.handler.ActivateOrganization(ctx, s.cfg.account, s.cfg.region, id); err != nil {
		s.t.Fatalf("workmailtest: activating organization %s: %v", id, err)
	}
	return id
}
