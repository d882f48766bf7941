package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what one wrk run reports.
type wrkResult struct {
	RPS      float64
	P99      time.Duration
	Requests int64
	CPU      time.Duration // the server's CPU time during the run
}

// writeWrkScript writes a Lua script that sends one fixed awsJson1_1
// request with a well-formed SigV4 Authorization header.
func writeWrkScript(dir, operation, body string) (string, error) {
	var b strings.Builder
	b.WriteString("wrk.method = \"POST\"\n")
	fmt.Fprintf(&b, "wrk.body = %s\n", luaString(body))
	fmt.Fprintf(&b, "wrk.headers[\"Content-Type\"] = %s\n", luaString(contentType))
	fmt.Fprintf(&b, "wrk.headers[\"X-Amz-Target\"] = %s\n", luaString("WorkMailService."+operation))
	fmt.Fprintf(&b, "wrk.headers[\"X-Amz-Date\"] = %s\n", luaString(amzDate))
	fmt.Fprintf(&b, "wrk.headers[\"Authorization\"] = %s\n", luaString(authorization))
	path := filepath.Join(dir, operation+".lua")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// luaString quotes s for Lua; the strings here hold no newlines.
func luaString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// runWrk drives url for d with one thread and conns connections, and
// measures the server's CPU time meanwhile.
func runWrk(p *process, script string, conns int, d time.Duration) (wrkResult, error) {
	cpu0, err := p.cpuTime()
	if err != nil {
		return wrkResult{}, err
	}
	cmd := exec.Command("wrk", "-t1", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(int(d.Seconds()))+"s", "--latency", "-s", script, p.url+"/")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out.String())
	}
	cpu1, err := p.cpuTime()
	if err != nil {
		return wrkResult{}, err
	}
	r, err := parseWrk(out.String())
	r.CPU = cpu1 - cpu0
	return r, err
}

// parseWrk reads wrk's report. A run with non-2xx answers or socket errors
// is an error: it would measure the wrong thing.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	for line := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "Non-2xx" || f[0] == "Socket":
			return r, fmt.Errorf("wrk reported errors: %s", strings.TrimSpace(line))
		case f[0] == "Requests/sec:" && len(f) == 2:
			r.RPS, _ = strconv.ParseFloat(f[1], 64)
		case f[0] == "99%" && len(f) == 2:
			r.P99, _ = time.ParseDuration(f[1])
		case len(f) > 3 && f[1] == "requests" && f[2] == "in":
			r.Requests, _ = strconv.ParseInt(f[0], 10, 64)
		}
	}
	if r.RPS == 0 || r.P99 == 0 || r.Requests == 0 {
		return r, fmt.Errorf("could not read wrk's report:\n%s", out)
	}
	return r, nil
}
