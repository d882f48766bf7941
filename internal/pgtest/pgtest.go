// Package pgtest runs a throwaway PostgreSQL server for tests: a cluster
// made with initdb in a temporary directory, started with pg_ctl on a free
// loopback port, with fsync off (tests need no durability across machine
// crashes), and removed at the end. Each test gets a database of its own.
//
// A test binary shares one Server across its tests:
//
//	var pg pgtest.Server
//
//	func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }
//
//	func TestX(t *testing.T) { url := pg.Database(t) ... }
//
// The server starts on the first call of Database, so tests that do not use
// it pay nothing. When the PostgreSQL server binaries are missing, Database
// fails the test with the command that installs them: no test is skipped.
//
// As root, initdb and the server run as the postgres user (initdb refuses
// to run as root), in a directory that user owns. The cluster itself is
// internal/pgcluster's.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/workmaild/workmaild/internal/pgcluster"
)

// User is the superuser of the throwaway cluster. TCP connections need
// its password (Server.Password); the socket in the cluster's directory
// is trusted.
const User = pgcluster.User

// BinEnv names a directory holding initdb, pg_ctl and postgres, to use
// instead of the newest /usr/lib/postgresql/*/bin or $PATH.
const BinEnv = pgcluster.BinEnv

// InstallHint says how to get the server binaries.
const InstallHint = pgcluster.InstallHint

// options are the tests' cluster: no fsync, small shared buffers, room for
// many pools.
var options = pgcluster.Options{Durable: false, SharedBuffers: "32MB", MaxConnections: 200}

// Server is a throwaway PostgreSQL cluster. The zero value is ready to use.
type Server struct {
	once    sync.Once
	err     error
	cl      *pgcluster.Cluster // nil until started, and after Stop
	dbs     atomic.Int64
	drops   sync.WaitGroup        // databases being dropped
	dropErr atomic.Pointer[error] // the first failure to drop one
}

// Main runs the tests, then stops and removes the server if one started.
// Its result is the exit code for os.Exit.
func (s *Server) Main(m *testing.M) int {
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Database creates a fresh, empty database for t, dropped when t ends,
// and returns its connection URL (with the password, sslmode=disable).
func (s *Server) Database(t testing.TB) string {
	t.Helper()
	s.once.Do(func() { s.cl, s.err = pgcluster.Start(options) })
	if s.err != nil {
		t.Fatalf("pgtest: no PostgreSQL for the tests: %v", s.err)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), s.dbs.Add(1))
	ctx := context.Background()
	if err := s.Admin(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// In the background: the next test need not wait for it. FORCE
		// ends sessions that a failed test left open.
		s.drops.Go(func() {
			if err := s.Admin(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				e := fmt.Errorf("dropping database %s: %w", name, err)
				s.dropErr.CompareAndSwap(nil, &e)
			}
		})
	})
	return s.URL(name)
}

// Database names are test_<pid>_<n>; DatabaseName returns the name in a
// URL that Database returned.
func DatabaseName(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// URL is the connection URL of database db on the server.
func (s *Server) URL(db string) string { return s.cluster().URL(db) }

// Host and Port are where the server listens; Password is User's.
func (s *Server) Host() string     { return "127.0.0.1" }
func (s *Server) Port() int        { return s.cluster().Port() }
func (s *Server) Password() string { return s.cluster().Password() }

// cluster is the running cluster, or a zero one (port 0, no password)
// before the server started.
func (s *Server) cluster() *pgcluster.Cluster {
	if s.cl == nil {
		return &pgcluster.Cluster{}
	}
	return s.cl
}

// Admin runs sql as the superuser in the postgres database (to drop a
// test's database under it, say). The server must have started.
func (s *Server) Admin(ctx context.Context, sql string) error {
	return s.cluster().Admin(ctx, sql)
}

// Halt stops the server the way a crash would (pg_ctl stop -m immediate:
// sessions are cut, nothing is shut down cleanly) and keeps its data, so
// that tests can see what clients of the database do while it is down.
// Resume starts it again on the same port. The databases being dropped
// in the background are dropped first. Tests calling Halt must not run in
// parallel with other tests using the server.
func (s *Server) Halt() error {
	if s.cl == nil {
		return errors.New("pgtest: Halt before the server started")
	}
	s.drops.Wait()
	return s.cl.Halt()
}

// Resume starts the server that Halt stopped, on the same port, and
// returns once it accepts connections (after crash recovery).
func (s *Server) Resume() error {
	if s.cl == nil {
		return errors.New("pgtest: Resume before the server started")
	}
	return s.cl.Resume()
}

// Stop stops the server and removes its directory. Safe to call when it
// never started.
func (s *Server) Stop() error {
	if s.cl == nil {
		return nil
	}
	s.drops.Wait()
	var err error
	if e := s.dropErr.Load(); e != nil {
		err = *e
	}
	err = errors.Join(err, s.cl.Stop())
	s.cl = nil
	return err
}
