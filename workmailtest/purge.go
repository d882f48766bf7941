package workmailtest

// Purge removes now, as the server does by itself every minute, the
// records past their retention: organizations deleted longer ago than
// their DeletedRetention and users and resources deleted 30 days ago (by
// the server's clock, so advance the Clock first). Answers never depend on
// it; tests use it to check that nothing of a deleted organization, user or
// resource is left. It fails the test that made the server on any error.
func (s *Server) Purge() {
	s.t.Helper()
	if err := s.handler.Purge(s.t.Context()); err != nil {
		s.t.Fatalf("workmailtest: purging: %v", err)
	}
}
