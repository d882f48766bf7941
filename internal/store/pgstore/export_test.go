package pgstore

import (
	"context"
	"testing"
	"time"
)

// SessionSetting reads a setting in one of the store's own sessions.
func SessionSetting(t testing.TB, s *Store, name string) string {
	t.Helper()
	var v string
	if err := s.pool.QueryRow(context.Background(), "SELECT current_setting($1)", name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// ConnectTimeout is the bound on opening one of the store's connections.
func ConnectTimeout(s *Store) time.Duration { return s.pool.Config().ConnConfig.ConnectTimeout }
