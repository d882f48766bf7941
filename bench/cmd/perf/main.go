// Command perf measures workmaild against the physical limit, in one run
// on one machine: it builds the workmaild binary and a bare net/http
// baseline (bench/cmd/baseline), starts both on loopback, drives them with
// wrk, and prints each figure next to its baseline and the ratio.
//
//	go run ./bench/cmd/perf [-rounds 3] [-duration 5s] [-records 100000] [-steps describe,startup,put,lists] [-cpu-profile FILE]
//
// It needs wrk on the PATH (Debian: apt-get install wrk). See BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

type config struct {
	rounds      int
	duration    time.Duration
	connections int
	records     int
	steps       map[string]bool
	workmaild   string // a prebuilt binary to measure, or "" to build one
	cpuProfile  string // where to write the Describe servers' merged CPU profile, or ""
	workDir     string
}

type binaries struct{ workmaild, baseline string }

func main() {
	var c config
	flag.IntVar(&c.rounds, "rounds", 3, "alternating wrk rounds per side; the median is reported")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "length of one wrk round and of the Put run")
	flag.IntVar(&c.connections, "connections", 32, "concurrent connections (wrk) and clients (Put)")
	flag.IntVar(&c.records, "records", 100000, "users stored for the large-list figures")
	steps := flag.String("steps", "describe,startup,put,lists", "steps to run, comma-separated (lists, which stores -records users, is the slowest)")
	flag.StringVar(&c.workmaild, "workmaild", "", "measure this workmaild binary instead of building ./cmd/workmaild (to compare versions)")
	flag.StringVar(&c.cpuProfile, "cpu-profile", "", "write the merged CPU profile of the two workmaild servers of the describe step to this file (refreshes cmd/workmaild/default.pgo, see BENCHMARKS.md)")
	keep := flag.Bool("keep", false, "keep the work directory (data, logs, wrk scripts)")
	flag.Parse()
	c.steps = make(map[string]bool)
	for s := range strings.SplitSeq(*steps, ",") {
		c.steps[strings.TrimSpace(s)] = true
	}
	if err := run(c, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "perf:", err)
		os.Exit(1)
	}
}

func run(c config, keep bool) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed (Debian: apt-get install wrk): %w", err)
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
	bins, err := build(dir)
	if err != nil {
		return err
	}
	if c.workmaild != "" {
		if bins.workmaild, err = filepath.Abs(c.workmaild); err != nil {
			return err
		}
	}
	ctx := context.Background()
	var rows []row
	step := func(what string, f func() ([]row, error)) error {
		fmt.Fprintln(os.Stderr, what+"...")
		r, err := f()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		rows = append(rows, r...)
		return nil
	}
	steps := []struct {
		name, what string
		run        func() ([]row, error)
	}{
		{"describe", "Describe against the baseline", func() ([]row, error) { return measureDescribe(ctx, c, bins) }},
		{"startup", "start-up, empty data directory", func() ([]row, error) { return startupRows(c, bins) }},
		{"put", "durable Put", func() ([]row, error) { return measurePut(ctx, c, bins) }},
		{"lists", fmt.Sprintf("lists with %d users", c.records), func() ([]row, error) { return measureLists(ctx, c, bins) }},
	}
	for _, s := range steps {
		if !c.steps[s.name] {
			continue
		}
		if err := step(s.what, s.run); err != nil {
			return err
		}
	}
	fmt.Printf("workmaild performance, %s\n%s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine())
	printReport(os.Stdout, rows)
	return nil
}

func startupRows(c config, bins binaries) ([]row, error) {
	st, err := measureStartup(c, bins, "", 5)
	if err != nil {
		return nil, err
	}
	return []row{
		{"start → listening, empty data dir", ms(st.listening), "", "", "≤ 100 ms"},
		{"start → first answer, empty data dir", ms(st.firstAnswer), "", "", "≤ 100 ms"},
		{"idle RSS after start", mb(st.idleRSS), "", "", "≤ 25 MB"},
	}, nil
}

// build compiles workmaild and the baseline into dir.
func build(dir string) (binaries, error) {
	b := binaries{workmaild: filepath.Join(dir, "workmaild"), baseline: filepath.Join(dir, "baseline")}
	for out, pkg := range map[string]string{b.workmaild: "./cmd/workmaild", b.baseline: "./bench/cmd/baseline"} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return b, fmt.Errorf("go build %s: %w (run from the repository root)", pkg, err)
		}
	}
	return b, nil
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
