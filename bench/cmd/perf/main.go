// Command perf measures workmaild against the physical limit, in one run
// on one machine: it builds the workmaild binary and a bare net/http
// baseline (bench/cmd/baseline), starts both on loopback, drives them with
// wrk, and prints each figure next to its baseline and the ratio.
//
//	go run ./bench/cmd/perf [-steps mix,describe,startup,put,lists,directory,logins] [-rounds 5] [-duration 5s]
//	    [-orgs 20] [-users 5000] [-records 100000] [-entities 10000] [-workmaild BIN] [-compare BIN]
//	    [-stores embedded,pg1,pg2] [-login-users 1000] [-login-clients 8]
//
// The headline figure is the realistic mix: many organizations and users,
// reads spread over all of them, 5% writes. With -compare, a second binary
// is measured in the same run, alternating with the first, against the
// same baseline. With -stores, each binary is also measured on
// PostgreSQL (a durable throwaway cluster the harness starts), with one
// replica and with two behind a round-robin balancer. The mix and describe steps need wrk on the PATH (Debian:
// apt-get install wrk). The logins step, not run by default, measures IMAP
// logins through a real Dovecot asking workmaild against Dovecot's own
// passwd-file (scripts/mailstack, which installs Dovecot as root).
// See BENCHMARKS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

type config struct {
	rounds       int
	duration     time.Duration
	connections  int
	orgs         int // organizations of the mix
	users        int // users of the mix, spread over its organizations
	records      int
	entities     int // groups, resources and group members of the directory step
	loginUsers   int // users of the logins step
	loginClients int // IMAP clients logging in at once in the logins step
	steps        map[string]bool
	workmaild    string   // a prebuilt binary to measure, or "" to build one
	compare      string   // a second binary measured alongside, or ""
	stores       []string // each binary is measured on each of these stores
	workDir      string
	pg           *postgres // the PostgreSQL cluster, when a store is on it
}

// server is one workmaild binary on one store under measurement.
type server struct {
	name  string // its column in the report
	bin   string
	store string // storeEmbedded, storePG1 or storePG2
}

type binaries struct {
	servers  []server // the measured binary on each store, then the compared one
	baseline string
}

// stepNames are the steps in the order they run.
var stepNames = []string{"mix", "describe", "startup", "put", "lists", "directory", "logins", "delivery"}

// defaultSteps leave out logins and delivery, which need Dovecot and
// Postfix (scripts/mailstack installs them as root).
var defaultSteps = stepNames[:len(stepNames)-2]

// errInvalid marks a run in which requests failed: its figures measure
// something else than what they say.
var errInvalid = errors.New("requests failed: the figures of this run are not valid")

func main() {
	var c config
	flag.IntVar(&c.rounds, "rounds", 5, "alternating wrk rounds per side; the median is reported")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "length of one wrk round and of the Put run")
	flag.IntVar(&c.connections, "connections", 32, "concurrent connections (wrk) and clients (Put, set-up)")
	flag.IntVar(&c.orgs, "orgs", 20, "organizations of the mix")
	flag.IntVar(&c.users, "users", 5000, "users of the mix, spread over its organizations")
	flag.IntVar(&c.records, "records", 100000, "users stored for the large-list figures")
	flag.IntVar(&c.entities, "entities", 10000, "groups, resources and members of one group stored for the directory-list figures")
	flag.IntVar(&c.loginUsers, "login-users", 1000, "users of the logins step, each with a token")
	flag.IntVar(&c.loginClients, "login-clients", 8, "IMAP clients logging in at once in the logins step")
	steps := flag.String("steps", strings.Join(defaultSteps, ","), "steps to run, comma-separated (lists, which stores -records users, is the slowest; logins, not run by default, needs Dovecot)")
	flag.StringVar(&c.workmaild, "workmaild", "", "measure this workmaild binary instead of building ./cmd/workmaild")
	flag.StringVar(&c.compare, "compare", "", "also measure this workmaild binary, alternating with the first, against the same baseline")
	stores := flag.String("stores", storeEmbedded, "stores to measure each binary on, comma-separated: embedded (a data directory), pg1 (PostgreSQL, one replica), pg2 (two replicas on one database behind a round-robin balancer)")
	keep := flag.Bool("keep", false, "keep the work directory (data, logs, wrk scripts)")
	flag.Parse()
	c.steps = make(map[string]bool)
	for s := range strings.SplitSeq(*steps, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(stepNames, s) {
			fmt.Fprintf(os.Stderr, "perf: unknown step %q (steps: %s)\n", s, strings.Join(stepNames, ","))
			os.Exit(2)
		}
		c.steps[s] = true
	}
	for s := range strings.SplitSeq(*stores, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(storeNames, s) || slices.Contains(c.stores, s) {
			fmt.Fprintf(os.Stderr, "perf: unknown or repeated store %q (stores: %s)\n", s, strings.Join(storeNames, ","))
			os.Exit(2)
		}
		c.stores = append(c.stores, s)
	}
	if c.orgs < 1 || c.users < c.orgs || c.rounds < 1 || c.connections < 1 || c.entities < smallCount || c.loginUsers < c.orgs || c.loginClients < 1 {
		fmt.Fprintf(os.Stderr, "perf: need -orgs ≥ 1, -users ≥ -orgs, -login-users ≥ -orgs, -rounds ≥ 1, -connections ≥ 1, -login-clients ≥ 1 and -entities ≥ %d\n", smallCount)
		os.Exit(2)
	}
	if err := run(c, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "perf:", err)
		os.Exit(1)
	}
}

func run(c config, keep bool) error {
	if c.steps["mix"] || c.steps["describe"] {
		if _, err := exec.LookPath("wrk"); err != nil {
			return fmt.Errorf("wrk is not installed (Debian: apt-get install wrk): %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "workmaild-perf-")
	if err != nil {
		return err
	}
	c.workDir = dir
	if keep {
		fmt.Fprintln(os.Stderr, "work directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bins, err := build(dir, c)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(c.stores, isPostgres) {
		fmt.Fprintln(os.Stderr, "starting PostgreSQL (durable: fsync on)...")
		if c.pg, err = startPostgres(); err != nil {
			return err
		}
		defer c.pg.stop()
	}
	ctx := context.Background()
	var rows []row
	invalid := false
	steps := []struct {
		name, what string
		run        func() ([]row, error)
	}{
		{"mix", fmt.Sprintf("realistic mix, %d organizations, %d users", c.orgs, c.users), func() ([]row, error) { return measureMix(ctx, c, bins) }},
		{"describe", "repeated Describe against the baseline", func() ([]row, error) { return measureDescribe(ctx, c, bins) }},
		{"startup", "start-up, empty data directory", func() ([]row, error) { return startupRows(c, bins) }},
		{"put", "durable Put", func() ([]row, error) { return measurePut(ctx, c, bins) }},
		{"lists", fmt.Sprintf("lists with %d users", c.records), func() ([]row, error) { return measureLists(ctx, c, bins) }},
		{"directory", fmt.Sprintf("directory lists with %d groups, resources and members", c.entities), func() ([]row, error) { return measureDirectory(ctx, c, bins) }},
		{"logins", fmt.Sprintf("IMAP logins through Dovecot, %d users", c.loginUsers), func() ([]row, error) { return measureLogins(ctx, c, bins) }},
		{"delivery", fmt.Sprintf("mail through Postfix and Dovecot, %d users", c.loginUsers), func() ([]row, error) { return measureDelivery(ctx, c, bins) }},
	}
	for _, s := range steps {
		if !c.steps[s.name] {
			continue
		}
		fmt.Fprintln(os.Stderr, s.what+"...")
		r, err := s.run()
		if errors.Is(err, errInvalid) {
			invalid = true // report what was measured, then fail
		} else if err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		rows = append(rows, r...)
	}
	fmt.Printf("workmaild performance, %s\n%s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine())
	for _, s := range bins.servers {
		fmt.Printf("%s: %s on %s\n", s.name, s.bin, storeDescription(s.store))
	}
	fmt.Println()
	printReport(os.Stdout, bins.names(), rows)
	if invalid {
		fmt.Println("\nINVALID RUN: some requests failed (see the rows above)")
		return errInvalid
	}
	return nil
}

func (b binaries) names() []string {
	var out []string
	for _, s := range b.servers {
		out = append(out, s.name)
	}
	return out
}

func startupRows(c config, bins binaries) ([]row, error) {
	sts, err := measureStartup(c, bins, nil, 5)
	if err != nil {
		return nil, err
	}
	return []row{
		{figure: "start → listening, empty data dir", values: eachStartup(sts, func(s startup) string { return ms(s.listening) }), target: "≤ 100 ms"},
		{figure: "start → first answer, empty data dir", values: eachStartup(sts, func(s startup) string { return ms(s.firstAnswer) }), target: "≤ 100 ms"},
		{figure: "idle RSS after start", values: eachStartup(sts, func(s startup) string { return mb(s.idleRSS) }), target: "≤ 25 MB"},
	}, nil
}

// build compiles the baseline, and workmaild unless -workmaild names a
// binary, into dir.
func build(dir string, c config) (binaries, error) {
	b := binaries{baseline: filepath.Join(dir, "baseline")}
	pkgs := map[string]string{b.baseline: "./bench/cmd/baseline"}
	first := server{name: "workmaild", bin: filepath.Join(dir, "workmaild")}
	if c.workmaild != "" {
		first.bin = c.workmaild
	} else {
		pkgs[first.bin] = "./cmd/workmaild"
	}
	for out, pkg := range pkgs {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return b, fmt.Errorf("go build %s: %w (run from the repository root)", pkg, err)
		}
	}
	bins := []server{first}
	if c.compare != "" {
		bins = append(bins, server{bin: c.compare})
		// Each column is named after its binary, unless both have the same name.
		bins[0].name, bins[1].name = filepath.Base(first.bin), filepath.Base(c.compare)
		if bins[0].name == bins[1].name {
			bins[0].name, bins[1].name = "workmaild", "compared"
		}
	}
	b.servers = onStores(bins, c.stores)
	for i := range b.servers {
		abs, err := filepath.Abs(b.servers[i].bin)
		if err != nil {
			return b, err
		}
		if _, err := os.Stat(abs); err != nil {
			return b, err
		}
		b.servers[i].bin = abs
	}
	return b, nil
}

// onStores is each binary on each store, in that order; a column is
// named after its store when there are several, and after its binary too
// when there are several binaries.
func onStores(bins []server, stores []string) []server {
	var out []server
	for _, bin := range bins {
		for _, st := range stores {
			s := server{name: bin.name, bin: bin.bin, store: st}
			switch {
			case len(stores) > 1 && len(bins) > 1:
				s.name += "/" + st
			case len(stores) > 1:
				s.name = st
			}
			out = append(out, s)
		}
	}
	return out
}

func storeDescription(store string) string {
	switch store {
	case storePG1:
		return "PostgreSQL, one replica"
	case storePG2:
		return "PostgreSQL, two replicas behind a round-robin TCP balancer"
	}
	return "a data directory (embedded store)"
}

// embeddedOf is the index of the server measuring s's binary on the
// embedded store, or -1.
func (b binaries) embeddedOf(s server) int {
	return slices.IndexFunc(b.servers, func(e server) bool { return e.bin == s.bin && e.store == storeEmbedded })
}

// vsEmbedded is a row of each PostgreSQL server's value as a ratio to the
// same binary's on the embedded store; "" when there is none.
func vsEmbedded(figure string, bins binaries, values []float64) row {
	r := row{figure: figure}
	for _, s := range bins.servers {
		e := bins.embeddedOf(s)
		if !isPostgres(s.store) || e < 0 || values[e] == 0 || values[bins.index(s)] == 0 {
			r.values = append(r.values, "")
			continue
		}
		r.values = append(r.values, ratio(values[bins.index(s)], values[e]))
	}
	return r
}

func (b binaries) index(s server) int { return slices.Index(b.servers, s) }

// onPostgres reports whether any server is measured on PostgreSQL.
func (b binaries) onPostgres() bool {
	return slices.ContainsFunc(b.servers, func(s server) bool { return isPostgres(s.store) })
}

// machine describes where the figures come from.
func machine() string {
	model := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(info), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	load := ""
	if l, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = ", load average " + strings.Join(strings.Fields(string(l))[:3], " ")
	}
	return fmt.Sprintf("%s, %d CPUs, %s %s/%s%s", model, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, load)
}
