package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/pprof/profile"
)

// measureDescribe compares DescribeIdentityProviderConfiguration on
// workmaild (default flags, persistent store, info log) with the baseline
// serving the same response bytes, in alternating wrk rounds. A second
// workmaild with --no-response-cache shows what a read costs when it is
// not a repeat.
func measureDescribe(ctx context.Context, c config, bins binaries) ([]row, error) {
	profiles := map[string]string{} // step name: its CPU profile
	profileArgs := func(step string) []string {
		if c.cpuProfile == "" {
			return nil
		}
		profiles[step] = filepath.Join(c.workDir, step+".pprof")
		return []string{"--cpu-profile", profiles[step]}
	}
	wm, dir, err := startWorkmaild(c, bins, "describe", profileArgs("describe")...)
	if err != nil {
		return nil, err
	}
	defer wm.kill()
	uncached, uncachedDir, err := startWorkmaild(c, bins, "describe-uncached", append(profileArgs("describe-uncached"), "--no-response-cache")...)
	if err != nil {
		return nil, err
	}
	defer uncached.kill()
	bodies := map[*process]string{}
	for _, p := range []*process{wm, uncached} {
		org, _, err := configureOrganization(ctx, sdkClient(p.url, account), "bench")
		if err != nil {
			return nil, fmt.Errorf("configuring an organization: %w", err)
		}
		bodies[p] = `{"OrganizationId":"` + org + `"}`
	}
	body := bodies[wm]
	answer, err := newRawClient(wm.url, 1).call("DescribeIdentityProviderConfiguration", body)
	if err != nil {
		return nil, err
	}
	answerFile := filepath.Join(dir, "answer.json")
	if err := os.WriteFile(answerFile, answer, 0o600); err != nil {
		return nil, err
	}
	bl, err := startProcess(bins.baseline, []string{"-addr", "127.0.0.1:0", "-body", answerFile}, filepath.Join(dir, "baseline.log"))
	if err != nil {
		return nil, err
	}
	defer bl.kill()
	script, err := writeWrkScript(dir, "DescribeIdentityProviderConfiguration", body)
	if err != nil {
		return nil, err
	}
	// The uncached server has its own organization id, hence its own
	// script (a body and an answer of the same length).
	uncachedScript, err := writeWrkScript(uncachedDir, "DescribeIdentityProviderConfiguration", bodies[uncached])
	if err != nil {
		return nil, err
	}
	scripts := map[*process]string{bl: script, wm: script, uncached: uncachedScript}
	names := map[*process]string{bl: "baseline", wm: "workmaild", uncached: "uncached"}

	sides := []*process{bl, wm, uncached}
	for _, p := range sides { // warm up: connections, caches, heap
		if _, err := runWrk(p, scripts[p], c.connections, time.Second); err != nil {
			return nil, err
		}
	}
	runs := map[*process][]wrkResult{}
	for i := range c.rounds {
		// Rotate which goes first, so that a drift in the machine's load
		// does not favour one side.
		for j := range sides {
			p := sides[(i+j)%len(sides)]
			r, err := runWrk(p, scripts[p], c.connections, c.duration)
			if err != nil {
				return nil, err
			}
			runs[p] = append(runs[p], r)
			fmt.Fprintf(os.Stderr, "  round %d %-9s %8.0f req/s  p99 %v\n", i+1, names[p], r.RPS, r.P99)
		}
	}
	rps := func(p *process) float64 { return median(field(runs[p], func(r wrkResult) float64 { return r.RPS })) }
	p99 := func(p *process) time.Duration {
		return median(field(runs[p], func(r wrkResult) time.Duration { return r.P99 }))
	}
	cpu := func(p *process) time.Duration { return median(field(runs[p], cpuPerRequest)) }
	if c.cpuProfile != "" {
		// A graceful stop finishes each profile.
		for _, p := range []*process{wm, uncached} {
			if err := p.stop(); err != nil {
				return nil, err
			}
		}
		if err := mergeProfiles(c.cpuProfile, profiles["describe"], profiles["describe-uncached"]); err != nil {
			return nil, err
		}
		fmt.Fprintln(os.Stderr, "  CPU profile written to", c.cpuProfile)
	}
	conns := fmt.Sprintf("%d conns", c.connections)
	return []row{
		{"Describe throughput, " + conns, perSecond(rps(wm)), perSecond(rps(bl)), ratio(rps(wm), rps(bl)), "ratio ≥ 0.80"},
		{"Describe p99 latency, " + conns, ms(p99(wm)), ms(p99(bl)), ratio(float64(p99(wm)), float64(p99(bl))), "ratio ≤ 2"},
		{"server CPU per Describe", us(cpu(wm)), us(cpu(bl)), ratio(float64(cpu(wm)), float64(cpu(bl))), "(explains the above)"},
		{"  the same, --no-response-cache", perSecond(rps(uncached)), perSecond(rps(bl)), ratio(rps(uncached), rps(bl)), "(every read from the store)"},
		{"  its CPU per Describe", us(cpu(uncached)), us(cpu(bl)), ratio(float64(cpu(uncached)), float64(cpu(bl))), ""},
	}, nil
}

func cpuPerRequest(r wrkResult) time.Duration { return r.CPU / time.Duration(r.Requests) }

func field[T any](runs []wrkResult, f func(wrkResult) T) []T {
	out := make([]T, len(runs))
	for i, r := range runs {
		out[i] = f(r)
	}
	return out
}

// mergeProfiles writes the sum of the pprof profiles in paths to out.
func mergeProfiles(out string, paths ...string) error {
	var all []*profile.Profile
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		p, err := profile.Parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		all = append(all, p)
	}
	merged, err := profile.Merge(all)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := merged.Write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
