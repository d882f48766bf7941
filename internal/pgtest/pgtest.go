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
// to run as root), in a directory that user owns.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is the superuser of the throwaway cluster. TCP connections need
// its password (Server.Password); the socket in the cluster's directory
// is trusted.
const User = "workmaild"

// BinEnv names a directory holding initdb, pg_ctl and postgres, to use
// instead of the newest /usr/lib/postgresql/*/bin or $PATH.
const BinEnv = "WORKMAILD_PG_BIN"

// InstallHint says how to get the server binaries.
const InstallHint = "install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql-15, or postgresql), or set " + BinEnv + " to the directory holding initdb and pg_ctl"

// Server is a throwaway PostgreSQL cluster. The zero value is ready to use.
type Server struct {
	once     sync.Once
	err      error
	dir      string // the cluster's directory: data/, the socket, the log
	bin      string
	port     int
	password string
	asUser   *user.User // nil: run the binaries as ourselves
	watcher  *exec.Cmd  // stops the server if this process dies first
	halted   bool       // stopped by Halt, not yet resumed
	dbs      atomic.Int64
	drops    sync.WaitGroup        // databases being dropped
	dropErr  atomic.Pointer[error] // the first failure to drop one
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
	s.once.Do(func() { s.err = s.start() })
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
func (s *Server) URL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(User, s.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Host and Port are where the server listens; Password is User's.
func (s *Server) Host() string     { return "127.0.0.1" }
func (s *Server) Port() int        { return s.port }
func (s *Server) Password() string { return s.password }

// Admin runs sql as the superuser in the postgres database (to drop a
// test's database under it, say). The server must have started.
func (s *Server) Admin(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// findBin returns the directory of initdb and pg_ctl.
func findBin() (string, error) {
	if d := os.Getenv(BinEnv); d != "" {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err != nil {
			return "", fmt.Errorf("%s=%s holds no pg_ctl (%w): %s", BinEnv, d, err, InstallHint)
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	return "", errors.New("initdb and pg_ctl not found in /usr/lib/postgresql/*/bin nor on $PATH: " + InstallHint)
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func (s *Server) start() error {
	bin, err := findBin()
	if err != nil {
		return err
	}
	s.bin = bin
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, initdb must run as the postgres user, which does not exist (%v): %s", err, InstallHint)
		}
		s.asUser = u
	}
	pw := make([]byte, 12)
	rand.Read(pw)
	s.password = hex.EncodeToString(pw)

	// Not under the test's temporary directory: as root that is not
	// reachable by the postgres user.
	dir, err := os.MkdirTemp("", "workmaild-pg-")
	if err != nil {
		return err
	}
	s.dir = dir
	if err := s.own(dir); err != nil {
		return err
	}
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(s.password+"\n"), 0o600); err != nil {
		return err
	}
	if err := s.own(pwFile); err != nil {
		return err
	}
	if out, err := s.run("initdb", "-D", filepath.Join(dir, "data"), "-U", User, "--pwfile", pwFile,
		"--auth-local", "trust", "--auth-host", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync", "--no-instructions"); err != nil {
		s.remove()
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// The port is free now; another process may take it before the server
	// does, hence the retries.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.port = port
		out, err := s.run("pg_ctl", "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", s.options(), "start")
		if err == nil {
			s.watch()
			return nil
		}
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		lastErr = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	s.remove()
	return lastErr
}

// Halt stops the server the way a crash would (pg_ctl stop -m immediate:
// sessions are cut, nothing is shut down cleanly) and keeps its data, so
// that tests can see what clients of the database do while it is down.
// Resume starts it again on the same port. The databases being dropped
// in the background are dropped first. Tests calling Halt must not run in
// parallel with other tests using the server.
func (s *Server) Halt() error {
	if s.dir == "" || s.port == 0 {
		return errors.New("pgtest: Halt before the server started")
	}
	s.drops.Wait()
	if out, err := s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	s.halted = true
	return nil
}

// Resume starts the server that Halt stopped, on the same port, and
// returns once it accepts connections (after crash recovery).
func (s *Server) Resume() error {
	if s.dir == "" || s.port == 0 {
		return errors.New("pgtest: Resume before the server started")
	}
	out, err := s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-l", filepath.Join(s.dir, "log"), "-w", "-t", "60", "-o", s.options(), "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	s.halted = false
	return nil
}

// options are the server's command-line options.
func (s *Server) options() string {
	return strings.Join([]string{
		"-p", strconv.Itoa(s.port), "-k", s.dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=on",
		"-c", "shared_buffers=32MB", "-c", "max_connections=200",
	}, " ")
}

// Stop stops the server and removes its directory. Safe to call when it
// never started.
func (s *Server) Stop() error {
	if s.dir == "" {
		return nil
	}
	s.drops.Wait()
	if s.watcher != nil {
		s.watcher.Process.Kill()
		s.watcher.Wait()
		s.watcher = nil
	}
	var err error
	if e := s.dropErr.Load(); e != nil {
		err = *e
	}
	if s.port != 0 && !s.halted {
		if out, e := s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop"); e != nil {
			err = errors.Join(err, fmt.Errorf("pg_ctl stop: %v\n%s", e, out))
		}
	}
	s.remove()
	return err
}

func (s *Server) remove() {
	os.RemoveAll(s.dir)
	s.dir = ""
}

// watch starts a process that stops the server and removes its directory
// once this process has gone without calling Stop (a test binary killed by
// go test's timeout, say), so that no server is left running. It lives in
// its own process group, as the server does, so signals to the test's
// group do not end it first.
func (s *Server) watch() {
	script := fmt.Sprintf(`while [ -d /proc/%d ]; do sleep 1; done; "$0" -D "$1/data" -m immediate stop >/dev/null 2>&1; rm -rf "$1"`, os.Getpid())
	cmd := exec.Command("/bin/sh", "-c", script, filepath.Join(s.bin, "pg_ctl"), s.dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.credential()}
	if cmd.Start() == nil {
		s.watcher = cmd
	}
}

func (s *Server) credential() *syscall.Credential {
	if s.asUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(s.asUser.Uid)
	gid, _ := strconv.Atoi(s.asUser.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// run runs a PostgreSQL binary, as the postgres user when we are root.
func (s *Server) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	if s.asUser != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.credential()}
		cmd.Env = append(os.Environ(), "HOME="+s.asUser.HomeDir, "USER=postgres", "LOGNAME=postgres")
	}
	return cmd.CombinedOutput()
}

// own gives path to the user the server runs as.
func (s *Server) own(path string) error {
	if s.asUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(s.asUser.Uid)
	gid, _ := strconv.Atoi(s.asUser.Gid)
	return os.Chown(path, uid, gid)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
