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
	Requests int64         // completed requests, failed ones included
	Failed   int64         // non-2xx answers and socket errors
	CPU      time.Duration // the server's CPU time during the run (every replica's)
	DBCPU    time.Duration // PostgreSQL's, when the server is on it
	LBCPU    time.Duration // the balancer's, when there is one
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

// runWrk drives s for d with one thread and conns connections, and
// measures the CPU time of the server, its database and its balancer
// meanwhile.
func runWrk(s side, conns int, d time.Duration) (wrkResult, error) {
	meters := []func() (time.Duration, error){s.cpu, s.dbCPU, s.lbCPU}
	before := make([]time.Duration, len(meters))
	for i, m := range meters {
		if m == nil {
			continue
		}
		var err error
		if before[i], err = m(); err != nil {
			return wrkResult{}, err
		}
	}
	cmd := exec.Command("wrk", "-t1", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(int(d.Seconds()))+"s", "--latency", "-s", s.script, s.url+"/")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out.String())
	}
	used := make([]time.Duration, len(meters))
	for i, m := range meters {
		if m == nil {
			continue
		}
		after, err := m()
		if err != nil {
			return wrkResult{}, err
		}
		used[i] = after - before[i]
	}
	r, err := parseWrk(out.String())
	r.CPU, r.DBCPU, r.LBCPU = used[0], used[1], used[2]
	return r, err
}

// parseWrk reads wrk's report, counting non-2xx answers and socket errors
// as failed requests (a run with any is not valid: it measures something
// else).
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	for line := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "Non-2xx" && len(f) == 5: // Non-2xx or 3xx responses: N
			n, err := strconv.ParseInt(f[4], 10, 64)
			if err != nil {
				return r, fmt.Errorf("wrk: %q: %w", line, err)
			}
			r.Failed += n
		case f[0] == "Socket" && len(f) == 10: // Socket errors: connect N, read N, write N, timeout N
			for i := 3; i < 10; i += 2 {
				n, err := strconv.ParseInt(strings.TrimSuffix(f[i], ","), 10, 64)
				if err != nil {
					return r, fmt.Errorf("wrk: %q: %w", line, err)
				}
				r.Failed += n
			}
		case f[0] == "Non-2xx" || f[0] == "Socket":
			return r, fmt.Errorf("wrk: unexpected line %q", strings.TrimSpace(line))
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

// side is one server driven by wrk in alternating rounds.
type side struct {
	name   string
	url    string
	script string
	cpu    func() (time.Duration, error) // the server's CPU time
	dbCPU  func() (time.Duration, error) // its database's, or nil
	lbCPU  func() (time.Duration, error) // its balancer's, or nil
}

// processSide is a side served by one process (the baseline).
func processSide(name string, p *process, script string) side {
	return side{name: name, url: p.url, script: script, cpu: p.cpuTime}
}

// side is the instance as a side of wrk rounds.
func (in *instance) side(name, script string) side {
	s := side{name: name, url: in.url, script: script, cpu: in.cpuTime}
	if in.pg != nil {
		s.dbCPU = in.pg.cpuTime
	}
	if in.lb != nil {
		s.lbCPU = selfCPU
	}
	return s
}

// rounds is what runRounds measured for one side.
type rounds struct {
	runs     []wrkResult
	requests int64 // every request sent, warm-up included
	failed   int64 // of which failed
}

func (r rounds) rps() float64 {
	return median(field(r.runs, func(w wrkResult) float64 { return w.RPS }))
}

func (r rounds) p99() time.Duration {
	return median(field(r.runs, func(w wrkResult) time.Duration { return w.P99 }))
}

func (r rounds) cpu() time.Duration { return median(field(r.runs, cpuPerRequest)) }

func (r rounds) dbCPU() time.Duration {
	return median(field(r.runs, func(w wrkResult) time.Duration { return w.DBCPU / time.Duration(w.Requests) }))
}

func (r rounds) lbCPU() time.Duration {
	return median(field(r.runs, func(w wrkResult) time.Duration { return w.LBCPU / time.Duration(w.Requests) }))
}

// runRounds warms each side up for a second, then runs c.rounds rounds of
// c.duration on each, rotating which side goes first so that a drift in
// the machine's load favours none.
func runRounds(c config, sides []side) ([]rounds, error) {
	out := make([]rounds, len(sides))
	add := func(i int, r wrkResult) {
		out[i].requests += r.Requests
		out[i].failed += r.Failed
		if r.Failed > 0 {
			fmt.Fprintf(os.Stderr, "  %s: %d of %d requests failed\n", sides[i].name, r.Failed, r.Requests)
		}
	}
	for i, s := range sides { // warm up: connections, caches, heap
		r, err := runWrk(s, c.connections, time.Second)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		add(i, r)
	}
	for round := range c.rounds {
		for j := range sides {
			i := (round + j) % len(sides)
			s := sides[i]
			r, err := runWrk(s, c.connections, c.duration)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			add(i, r)
			out[i].runs = append(out[i].runs, r)
			extra := ""
			if s.dbCPU != nil {
				extra += fmt.Sprintf("  PostgreSQL CPU/req %v", r.DBCPU/time.Duration(r.Requests))
			}
			if s.lbCPU != nil {
				extra += fmt.Sprintf("  balancer CPU/req %v", r.LBCPU/time.Duration(r.Requests))
			}
			fmt.Fprintf(os.Stderr, "  round %d %-10s %8.0f req/s  p99 %-9v CPU/req %v%s\n", round+1, s.name, r.RPS, r.P99, cpuPerRequest(r), extra)
		}
	}
	return out, nil
}

func cpuPerRequest(r wrkResult) time.Duration { return r.CPU / time.Duration(r.Requests) }

func field[T any](runs []wrkResult, f func(wrkResult) T) []T {
	out := make([]T, len(runs))
	for i, r := range runs {
		out[i] = f(r)
	}
	return out
}

// throughputRows are the rows of a step run with runRounds: rs[0] is the
// baseline, the others bins' servers in order. Its error is errInvalid
// when any request failed.
func throughputRows(what, conns, target string, bins binaries, rs []rounds) ([]row, error) {
	bl, wm := rs[0], rs[1:]
	var rpsV, p99V, cpuV []float64
	for _, r := range wm {
		rpsV = append(rpsV, r.rps())
		p99V = append(p99V, float64(r.p99()))
		cpuV = append(cpuV, float64(r.cpu()))
	}
	rows := []row{
		{figure: what + " throughput, " + conns, values: each(wm, func(r rounds) string { return perSecond(r.rps()) }),
			baseline: perSecond(bl.rps()), ratios: ratios(rpsV, bl.rps()), target: target},
		{figure: what + " p99 latency, " + conns, values: each(wm, func(r rounds) string { return ms(r.p99()) }),
			baseline: ms(bl.p99()), ratios: ratios(p99V, float64(bl.p99()))},
		{figure: "server CPU per request, " + what, values: each(wm, func(r rounds) string { return us(r.cpu()) }),
			baseline: us(bl.cpu()), ratios: ratios(cpuV, float64(bl.cpu()))},
	}
	if bins.onPostgres() {
		on := func(keep func(server) bool, f func(rounds) string) []string {
			var out []string
			for i, s := range bins.servers {
				if keep(s) {
					out = append(out, f(wm[i]))
				} else {
					out = append(out, "")
				}
			}
			return out
		}
		rows = append(rows,
			row{figure: "PostgreSQL CPU per request, " + what, values: on(func(s server) bool { return isPostgres(s.store) }, func(r rounds) string { return us(r.dbCPU()) })},
			row{figure: "balancer CPU per request, " + what, values: on(func(s server) bool { return replicas(s.store) > 1 }, func(r rounds) string { return us(r.lbCPU()) })},
			vsEmbedded(what+" throughput, PostgreSQL ÷ embedded", bins, rpsV),
		)
	}
	rows = append(rows, row{figure: what + " requests sent, failed", values: each(wm, func(r rounds) string { return fmt.Sprintf("%d, %d", r.requests, r.failed) }),
		baseline: fmt.Sprintf("%d, %d", bl.requests, bl.failed), target: "0 failed"})
	for _, r := range rs {
		if r.failed > 0 {
			return rows, errInvalid
		}
	}
	return rows, nil
}
