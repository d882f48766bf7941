package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/server"
)

// serveConfig is the parsed command line of `workmaild serve`.
type serveConfig struct {
	addr             string
	dataDir          string
	inMemory         bool
	store            string
	defaultAccount   string
	logLevel         string
	logFormat        string
	maxBodyBytes     int64
	limits           httpLimits
	authMode         string
	credentialsFile  string
	credentials      []auth.Credential
	adminToken       string
	createDelay      time.Duration
	deleteDelay      time.Duration
	deletedRetention time.Duration
	domainDelay      time.Duration
	availabilityTest bool
	loginLimits      server.LoginLimits
	shutdownTimeout  time.Duration
	cpuProfile       string
	socketmapAddr    string
	milterAddr       string
	doveadmURL       string
	doveadmAPIKey    string
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (*serveConfig, error) {
	c := &serveConfig{}
	fs := flag.NewFlagSet("workmaild serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:4590", "listen address HOST:PORT")
	fs.StringVar(&c.dataDir, "data-dir", defaultDataDir(getenv), "directory of the persistent store")
	fs.BoolVar(&c.inMemory, "in-memory", false, "keep nothing: use an in-memory store instead of --data-dir")
	fs.StringVar(&c.store, "store", "", "PostgreSQL database as the store instead of --data-dir: postgres://user@host:port/db?sslmode=... or libpq key=value pairs (password: prefer PGPASSWORD or WORKMAILD_STORE to the command line)")
	fs.StringVar(&c.defaultAccount, "default-account", auth.DefaultAccount, "account for access keys that are not a 12-digit account id")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info (one line per request), warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", 1<<20, "largest request body accepted")
	c.limits.register(fs)
	fs.StringVar(&c.authMode, "auth", string(server.AuthLenient), "lenient (signatures parsed, not verified) or strict (verified against --credentials-file / "+credentialsEnv+")")
	fs.StringVar(&c.credentialsFile, "credentials-file", "", "JSON file of the access keys strict mode accepts")
	fs.StringVar(&c.adminToken, "admin-token", "", "bearer token for the internal endpoints other than health (prefer WORKMAILD_ADMIN_TOKEN)")
	fs.DurationVar(&c.createDelay, "org-create-delay", 0, "time a new organization takes to become Active (0: at once)")
	fs.DurationVar(&c.deleteDelay, "org-delete-delay", 0, "time a deleted organization spends Deleting")
	fs.DurationVar(&c.deletedRetention, "org-deleted-retention", time.Hour, "how long a deleted organization stays describable")
	fs.DurationVar(&c.domainDelay, "domain-verification-delay", 0, "time a registered mail domain stays PENDING before it is VERIFIED (0: at once)")
	fs.BoolVar(&c.availabilityTest, "availability-test-calls", false, "let TestAvailabilityConfiguration call the EWS endpoints it tests (otherwise no outbound call is made)")
	fs.IntVar(&c.loginLimits.PerName, "login-failures-per-name", server.DefaultLoginFailuresPerName, "failed mail logins of one login name, within --login-failure-window, after which its logins are refused")
	fs.IntVar(&c.loginLimits.PerIP, "login-failures-per-ip", server.DefaultLoginFailuresPerIP, "failed mail logins from one client address, within --login-failure-window, after which its logins are refused")
	fs.DurationVar(&c.loginLimits.Window, "login-failure-window", server.DefaultLoginFailureWindow, "how long failed mail logins count from the first one")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long a graceful shutdown waits for requests in flight")
	fs.StringVar(&c.socketmapAddr, "socketmap-addr", "", "also serve Postfix's socketmap lookups of mail routing (domains, recipients, mailboxes, senders) on this HOST:PORT (default: off)")
	fs.StringVar(&c.milterAddr, "milter-addr", "", "also serve a Postfix milter on this HOST:PORT that refuses submitted mail whose From or Sender header the logged-in user may not use (default: off)")
	fs.StringVar(&c.doveadmURL, "doveadm-url", "", "Dovecot's doveadm HTTP API (http://HOST:PORT), asked for mailbox sizes in GetMailboxDetails (default: none, sizes are 0)")
	fs.StringVar(&c.doveadmAPIKey, "doveadm-api-key", "", "the doveadm API key (doveadm_api_key; prefer WORKMAILD_DOVEADM_API_KEY)")
	fs.StringVar(&c.cpuProfile, "cpu-profile", "", "write a CPU profile (pprof) of the whole run to this file, finished on shutdown")
	if err := applyEnv(fs, getenv); err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usageError{msg: "unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	if !auth.IsAccountID(c.defaultAccount) {
		return nil, usageError{msg: "--default-account must be a 12-digit account id"}
	}
	if c.store != "" {
		if c.inMemory {
			return nil, usageError{msg: "--store and --in-memory exclude each other"}
		}
		if !isPostgres(c.store) {
			return nil, usageError{msg: "--store must be a PostgreSQL connection string: postgres://user@host:port/database?sslmode=... or key=value pairs such as host=H dbname=D"}
		}
	}
	if !c.inMemory && c.store == "" && c.dataDir == "" {
		return nil, usageError{msg: "no --data-dir and no home directory to default to; pass --data-dir or --in-memory"}
	}
	if c.domainDelay < 0 {
		return nil, usageError{msg: "--domain-verification-delay must not be negative"}
	}
	if c.loginLimits.PerName <= 0 || c.loginLimits.PerIP <= 0 || c.loginLimits.Window <= 0 {
		return nil, usageError{msg: "--login-failures-per-name, --login-failures-per-ip and --login-failure-window must be positive"}
	}
	if c.doveadmURL != "" && (!strings.HasPrefix(c.doveadmURL, "http://") && !strings.HasPrefix(c.doveadmURL, "https://") || c.doveadmAPIKey == "") {
		return nil, usageError{msg: "--doveadm-url must be an http:// or https:// URL, and needs --doveadm-api-key (or WORKMAILD_DOVEADM_API_KEY)"}
	}
	if c.maxBodyBytes <= 0 {
		return nil, usageError{msg: "--max-body-bytes must be positive"}
	}
	if err := c.limits.check(); err != nil {
		return nil, err
	}
	if err := c.loadCredentials(getenv); err != nil {
		return nil, err
	}
	return c, nil
}

// applyEnv sets each flag from WORKMAILD_<NAME> when that is set, before
// the command line is parsed, so the command line wins.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "WORKMAILD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = usageError{msg: fmt.Sprintf("%s=%q: %v", name, v, e)}
			}
		}
	})
	return err
}

// isPostgres reports whether s has a PostgreSQL connection string's form:
// a postgres:// or postgresql:// URL, or libpq key=value pairs.
func isPostgres(s string) bool {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		return true
	}
	key, _, ok := strings.Cut(strings.TrimSpace(s), "=")
	return ok && key != "" && !strings.ContainsAny(key, "/:")
}

// defaultDataDir is $XDG_DATA_HOME/workmaild, else ~/.local/share/workmaild.
func defaultDataDir(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "workmaild")
	}
	home := getenv("HOME")
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "share", "workmaild")
}

func newLogger(c *serveConfig, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, usageError{msg: "--log-level: " + err.Error()}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{msg: "--log-format must be text or json"}
}

// gcPercent replaces Go's default GOGC of 100. workmaild's live heap is a
// few megabytes while each request allocates a few kilobytes, so at the
// default the collector runs dozens of times a second under load; 400
// cuts the CPU spent per request by about a fifth for a heap that stays
// small. An explicit GOGC in the environment wins.
const gcPercent = 400

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	c, err := parseServe(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	}
	if c.cpuProfile != "" {
		stopProfile, err := startCPUProfile(c.cpuProfile)
		if err != nil {
			return err
		}
		defer func() {
			if perr := stopProfile(); err == nil {
				err = perr
			}
		}()
	}
	log, err := newLogger(c, stderr)
	if err != nil {
		return err
	}
	opts := server.Options{
		Auth:           server.AuthMode(c.authMode),
		Credentials:    c.credentials,
		AdminToken:     c.adminToken,
		DefaultAccount: c.defaultAccount,
		Logger:         log,
		MaxBodyBytes:   c.maxBodyBytes,
		Lifecycle: server.Lifecycle{
			CreateDelay:      c.createDelay,
			DeleteDelay:      c.deleteDelay,
			DeletedRetention: c.deletedRetention,

			DomainVerificationDelay: c.domainDelay,
		},
		AvailabilityTestCalls: c.availabilityTest,
		LoginLimits:           c.loginLimits,
		DoveadmURL:            c.doveadmURL,
		DoveadmAPIKey:         c.doveadmAPIKey,
	}
	switch {
	case c.store != "":
		opts.Postgres = c.store
	case !c.inMemory:
		opts.DataDir = c.dataDir
	}
	srv, err := server.New(opts)
	if err != nil {
		return err
	}
	defer func() {
		// Closing the store waits for pending commits: after this, every
		// acknowledged write is on disk.
		if cerr := srv.Close(); err == nil {
			err = cerr
		}
	}()

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	httpServer := c.limits.server(srv, log)
	store := "in-memory"
	switch {
	case opts.Postgres != "":
		store = srv.StoreName() // without the password
	case opts.DataDir != "":
		store = opts.DataDir
	}
	log.Info("workmaild listening", "addr", ln.Addr().String(), "store", store, "auth", c.authMode)
	if c.availabilityTest {
		log.Warn("TestAvailabilityConfiguration makes outbound HTTP calls to the EWS endpoints it is given (--availability-test-calls)")
	}
	fmt.Fprintf(stdout, "workmaild listening on http://%s\n", ln.Addr())

	errc := make(chan error, 3)
	go func() { errc <- httpServer.Serve(ln) }()
	if c.socketmapAddr != "" {
		sln, err := net.Listen("tcp", c.socketmapAddr)
		if err != nil {
			httpServer.Close()
			return fmt.Errorf("--socketmap-addr: %w", err)
		}
		sm := srv.NewSocketmapServer()
		defer sm.Close()
		go func() { errc <- sm.Serve(sln) }()
		log.Info("workmaild socketmap listening", "addr", sln.Addr().String())
		fmt.Fprintf(stdout, "workmaild socketmap on %s\n", sln.Addr())
	}
	if c.milterAddr != "" {
		mln, err := net.Listen("tcp", c.milterAddr)
		if err != nil {
			httpServer.Close()
			return fmt.Errorf("--milter-addr: %w", err)
		}
		ms := srv.NewMilterServer()
		defer ms.Close()
		go func() { errc <- ms.Serve(mln) }()
		log.Info("workmaild milter listening", "addr", mln.Addr().String())
		fmt.Fprintf(stdout, "workmaild milter on %s\n", mln.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// startCPUProfile profiles the process into path until stop is called,
// to see where a workload spends its time.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		return nil
	}, nil
}
