// Package pgcluster runs a throwaway PostgreSQL server: a cluster made
// with initdb in a temporary directory, started with pg_ctl on a free
// loopback port, and removed by Stop. internal/pgtest runs one for tests
// (fsync off); the benchmark harness runs a durable one.
//
// As root, initdb and the server run as the postgres user (initdb refuses
// to run as root), in a directory that user owns. A watcher process stops
// the server and removes its directory if the process that started it
// dies without calling Stop, so that no server is left running.
package pgcluster

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
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is the superuser of the cluster. TCP connections need its
// password (Cluster.Password); the socket in the cluster's directory is
// trusted.
const User = "workmaild"

// BinEnv names a directory holding initdb, pg_ctl and postgres, to use
// instead of the newest /usr/lib/postgresql/*/bin or $PATH.
const BinEnv = "WORKMAILD_PG_BIN"

// InstallHint says how to get the server binaries.
const InstallHint = "install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql-15, or postgresql), or set " + BinEnv + " to the directory holding initdb and pg_ctl"

// Options choose how the cluster runs.
type Options struct {
	// Durable keeps PostgreSQL's durability: fsync and full-page writes
	// on, and initdb syncs its files, as a production server runs.
	// Without it, fsync and full-page writes are off: commits still wait
	// for the write-ahead log to be written, but not for the disk, so a
	// crash of the machine (not of a process) may lose them.
	Durable bool
	// SharedBuffers is PostgreSQL's shared_buffers setting, such as
	// "32MB"; "" is PostgreSQL's default (128MB).
	SharedBuffers string
	// MaxConnections is max_connections; 0 is 200.
	MaxConnections int
}

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	opts     Options
	dir      string // the cluster's directory: data/, the socket, the log
	bin      string
	port     int
	password string
	asUser   *user.User // nil: run the binaries as ourselves
	watcher  *exec.Cmd  // stops the server if this process dies first
	halted   bool       // stopped by Halt, not yet resumed
}

// Start makes a cluster and starts its server.
func Start(opts Options) (*Cluster, error) {
	c := &Cluster{opts: opts}
	if err := c.start(); err != nil {
		return nil, err
	}
	return c, nil
}

// URL is the connection URL of database db on the server (with the
// password, sslmode=disable).
func (c *Cluster) URL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(User, c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Host and Port are where the server listens; Password is User's.
func (c *Cluster) Host() string     { return "127.0.0.1" }
func (c *Cluster) Port() int        { return c.port }
func (c *Cluster) Password() string { return c.password }

// Admin runs sql as the superuser in the postgres database.
func (c *Cluster) Admin(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// ServerPID is the process id of the server's main process (the
// postmaster), the parent of every session's process.
func (c *Cluster) ServerPID() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(first))
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

func (c *Cluster) start() error {
	bin, err := findBin()
	if err != nil {
		return err
	}
	c.bin = bin
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, initdb must run as the postgres user, which does not exist (%v): %s", err, InstallHint)
		}
		c.asUser = u
	}
	pw := make([]byte, 12)
	rand.Read(pw)
	c.password = hex.EncodeToString(pw)

	// Not under a test's temporary directory: as root that is not
	// reachable by the postgres user.
	dir, err := os.MkdirTemp("", "workmaild-pg-")
	if err != nil {
		return err
	}
	c.dir = dir
	if err := c.own(dir); err != nil {
		return err
	}
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(c.password+"\n"), 0o600); err != nil {
		return err
	}
	if err := c.own(pwFile); err != nil {
		return err
	}
	args := []string{"-D", filepath.Join(dir, "data"), "-U", User, "--pwfile", pwFile,
		"--auth-local", "trust", "--auth-host", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-instructions"}
	if !c.opts.Durable {
		args = append(args, "--no-sync")
	}
	if out, err := c.run("initdb", args...); err != nil {
		c.remove()
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
		c.port = port
		out, err := c.run("pg_ctl", "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", c.options(), "start")
		if err == nil {
			c.watch()
			return nil
		}
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		lastErr = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	c.remove()
	return lastErr
}

// Halt stops the server the way a crash would (pg_ctl stop -m immediate:
// sessions are cut, nothing is shut down cleanly) and keeps its data.
// Resume starts it again on the same port.
func (c *Cluster) Halt() error {
	if out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	c.halted = true
	return nil
}

// Resume starts the server that Halt stopped, on the same port, and
// returns once it accepts connections (after crash recovery).
func (c *Cluster) Resume() error {
	out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "-o", c.options(), "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	c.halted = false
	return nil
}

// options are the server's command-line options.
func (c *Cluster) options() string {
	maxConns := c.opts.MaxConnections
	if maxConns == 0 {
		maxConns = 200
	}
	opts := []string{"-p", strconv.Itoa(c.port), "-k", c.dir, "-c", "listen_addresses=127.0.0.1"}
	if c.opts.Durable {
		opts = append(opts, "-c", "fsync=on", "-c", "full_page_writes=on")
	} else {
		opts = append(opts, "-c", "fsync=off", "-c", "full_page_writes=off")
	}
	opts = append(opts, "-c", "synchronous_commit=on")
	if c.opts.SharedBuffers != "" {
		opts = append(opts, "-c", "shared_buffers="+c.opts.SharedBuffers)
	}
	return strings.Join(append(opts, "-c", "max_connections="+strconv.Itoa(maxConns)), " ")
}

// Stop stops the server and removes its directory.
func (c *Cluster) Stop() error {
	if c.dir == "" {
		return nil
	}
	if c.watcher != nil {
		c.watcher.Process.Kill()
		c.watcher.Wait()
		c.watcher = nil
	}
	var err error
	if c.port != 0 && !c.halted {
		if out, e := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop"); e != nil {
			err = fmt.Errorf("pg_ctl stop: %v\n%s", e, out)
		}
	}
	c.remove()
	return err
}

func (c *Cluster) remove() {
	os.RemoveAll(c.dir)
	c.dir = ""
}

// watch starts a process that stops the server and removes its directory
// once this process has gone without calling Stop (a test binary killed by
// go test's timeout, say). It lives in its own process group, as the
// server does, so signals to our group do not end it first.
func (c *Cluster) watch() {
	script := fmt.Sprintf(`while [ -d /proc/%d ]; do sleep 1; done; "$0" -D "$1/data" -m immediate stop >/dev/null 2>&1; rm -rf "$1"`, os.Getpid())
	cmd := exec.Command("/bin/sh", "-c", script, filepath.Join(c.bin, "pg_ctl"), c.dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.credential()}
	if cmd.Start() == nil {
		c.watcher = cmd
	}
}

func (c *Cluster) credential() *syscall.Credential {
	if c.asUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.asUser.Uid)
	gid, _ := strconv.Atoi(c.asUser.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// run runs a PostgreSQL binary, as the postgres user when we are root.
func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.asUser != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.credential()}
		cmd.Env = append(os.Environ(), "HOME="+c.asUser.HomeDir, "USER=postgres", "LOGNAME=postgres")
	}
	return cmd.CombinedOutput()
}

// own gives path to the user the server runs as.
func (c *Cluster) own(path string) error {
	if c.asUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.asUser.Uid)
	gid, _ := strconv.Atoi(c.asUser.Gid)
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
