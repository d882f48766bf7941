package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// measureDescribe compares one repeated request,
// DescribeIdentityProviderConfiguration of one organization, on each
// workmaild (default flags, persistent store or PostgreSQL, info log) with the baseline
// serving the same response bytes, in alternating wrk rounds. It is a
// secondary figure: no client repeats one request like this.
func measureDescribe(ctx context.Context, c config, bins binaries) ([]row, error) {
	var sides []side
	var answerFile string
	for _, s := range bins.servers {
		p, dir, err := startWorkmaild(c, s, "describe")
		if err != nil {
			return nil, err
		}
		defer p.kill()
		sdk, done := sdkClient(p.url, account)
		org, _, err := configureOrganization(ctx, sdk, "bench")
		done()
		if err != nil {
			return nil, fmt.Errorf("configuring an organization: %w", err)
		}
		body := `{"OrganizationId":"` + org + `"}`
		if answerFile == "" { // every organization id has the same length
			cl := newRawClient(p.url, 1)
			answer, err := cl.call("DescribeIdentityProviderConfiguration", body)
			cl.close()
			if err != nil {
				return nil, err
			}
			answerFile = filepath.Join(dir, "answer.json")
			if err := os.WriteFile(answerFile, answer, 0o600); err != nil {
				return nil, err
			}
		}
		script, err := writeWrkScript(dir, "DescribeIdentityProviderConfiguration", body)
		if err != nil {
			return nil, err
		}
		sides = append(sides, p.side(s.name, script))
	}
	bl, err := startProcess(bins.baseline, []string{"-addr", "127.0.0.1:0", "-body", answerFile}, filepath.Join(c.workDir, "baseline-describe.log"))
	if err != nil {
		return nil, err
	}
	defer bl.kill()
	// The baseline answers any request, so the first binary's script does.
	sides = append([]side{processSide("baseline", bl, sides[0].script)}, sides...)
	rs, err := runRounds(c, sides)
	if err != nil {
		return nil, err
	}
	return throughputRows("repeated Describe", fmt.Sprintf("%d conns", c.connections), "(not a target)", bins, rs)
}
