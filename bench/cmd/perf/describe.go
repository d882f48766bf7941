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
// serving the same response bytes, in alternating wrk rounds.
func measureDescribe(ctx context.Context, c config, bins binaries) ([]row, error) {
	wm, dir, err := startWorkmaild(c, bins, "describe")
	if err != nil {
		return nil, err
	}
	defer wm.kill()
	org, _, err := configureOrganization(ctx, sdkClient(wm.url, account), "bench")
	if err != nil {
		return nil, fmt.Errorf("configuring an organization: %w", err)
	}
	body := `{"OrganizationId":"` + org + `"}`
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

	for _, p := range []*process{bl, wm} { // warm up both: connections, caches, heap
		if _, err := runWrk(p, script, c.connections, time.Second); err != nil {
			return nil, err
		}
	}
	var wmRuns, blRuns []wrkResult
	for i := range c.rounds {
		// Alternate which goes first, so that a drift in the machine's
		// load does not favour one side.
		order := []*process{bl, wm}
		if i%2 == 1 {
			order = []*process{wm, bl}
		}
		for _, p := range order {
			r, err := runWrk(p, script, c.connections, c.duration)
			if err != nil {
				return nil, err
			}
			if p == wm {
				wmRuns = append(wmRuns, r)
			} else {
				blRuns = append(blRuns, r)
			}
			fmt.Fprintf(os.Stderr, "  round %d %-9s %8.0f req/s  p99 %v\n", i+1, name(p, wm), r.RPS, r.P99)
		}
	}
	wmRPS, blRPS := median(field(wmRuns, func(r wrkResult) float64 { return r.RPS })), median(field(blRuns, func(r wrkResult) float64 { return r.RPS }))
	wmP99, blP99 := median(field(wmRuns, func(r wrkResult) time.Duration { return r.P99 })), median(field(blRuns, func(r wrkResult) time.Duration { return r.P99 }))
	wmCPU, blCPU := median(field(wmRuns, cpuPerRequest)), median(field(blRuns, cpuPerRequest))
	conns := fmt.Sprintf("%d conns", c.connections)
	return []row{
		{"Describe throughput, " + conns, perSecond(wmRPS), perSecond(blRPS), ratio(wmRPS, blRPS), "ratio ≥ 0.80"},
		{"Describe p99 latency, " + conns, ms(wmP99), ms(blP99), ratio(float64(wmP99), float64(blP99)), "ratio ≤ 2"},
		{"server CPU per Describe", us(wmCPU), us(blCPU), ratio(float64(wmCPU), float64(blCPU)), "(explains the above)"},
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

func name(p, wm *process) string {
	if p == wm {
		return "workmaild"
	}
	return "baseline"
}
