package workmailtest

import (
	"github.com/workmaild/workmaild/server"
)

// IssuePersonalAccessToken issues a personal access token as a mailbox
// user does in WorkMail's web application (WorkMail has no API for it) and
// returns it with its secret, shown only here. req is workmaild's own
// server.TokenRequest; an empty Account or Region means the default
// client's. It fails the test that made the server if the token cannot be
// issued: no identity-provider configuration, tokens INACTIVE, a user that
// is not enabled or not linked to Identity Center.
func (s *Server) IssuePersonalAccessToken(req server.TokenRequest) *server.IssuedToken {
	s.t.Helper()
	req.Account, req.Region = s.orDefault(req.Account, req.Region)
	tok, err := s.handler.IssueToken(s.t.Context(), req)
	if err != nil {
		s.t.Fatalf("workmailtest: issuing token %q for %s: %v", req.Name, req.User, err)
	}
	return tok
}

// CheckPersonalAccessToken reports whether a secret is a valid token of a
// user now, by the server's clock, as workmaild's token check does for
// mail clients; a success updates the token's DateLastUsed. An empty
// Account or Region means the default client's. A refusal is an error to
// compare with errors.Is (server.ErrTokenExpired, server.ErrTokenUnknown,
// ...), not a test failure.
func (s *Server) CheckPersonalAccessToken(c server.TokenCheck) (server.TokenInfo, error) {
	c.Account, c.Region = s.orDefault(c.Account, c.Region)
	return s.handler.CheckToken(s.t.Context(), c)
}

func (s *Server) orDefault(account, region string) (string, string) {
	if account == "" {
		account = s.cfg.account
	}
	if region == "" {
		region = s.cfg.region
	}
	return account, region
}
