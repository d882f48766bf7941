package workmailtest

import "github.com/workmaild/workmaild/server"

// Login decides a mail-client login as the server's login endpoint does
// for Dovecot: q.Name is an email address of the user (primary or alias),
// q.Secret a personal access token or the directory password, q.Protocol
// IMAP or SMTP, q.IP the client's address (the access rules see it). A
// refusal is an error wrapping a server.LoginRefusal, to compare with
// errors.Is or errors.As; it is not a test failure.
func (s *Server) Login(q server.LoginRequest) (server.Login, error) {
	return s.handler.Login(s.t.Context(), q)
}
