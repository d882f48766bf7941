package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// measureDescribe compares DescribeIdentityProviderConfiguration on
// workmaild (default flags, persistent store, info log) with the baseline
// serving the same response bytes, in alternating wrk rounds. A second
// workmaild with --no-response-cache shows what a read costs when it is
// not a repeat.
func measureDescribe(ctx context.Context, c config, bins binaries) ([]row, error) {
	wm, dir, err := startWorkmaild(c, bins, "describe")
	if err != nil {
		return nil, err
	}
	defer wm.kill()
	uncached, uncachedDir, err := startWorkmaild(c, bins, "describe-uncached", "--no-response-cache")
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
