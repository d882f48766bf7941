package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The delivery step measures mail submitted through a real Postfix
// (scripts/mailstack) that asks workmaild, on every message, where it
// goes and who may send it (socketmap and milter), and whose Dovecot asks
// it for each login and mailbox; against the same Postfix and Dovecot
// routing the same mail from their own hash tables and passwd-file: the
// baseline is everything a message costs but workmaild.

// deliveryBatch is how many messages a client sends in one SMTP session,
// as a mail client sending what it has queued.
const deliveryBatch = 10

func measureDelivery(ctx context.Context, c config, bins binaries) ([]row, error) {
	if _, err := os.Stat(mailstackScript); err != nil {
		return nil, fmt.Errorf("the delivery step runs %s from the repository root: %w", mailstackScript, err)
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("the delivery step needs Postfix, which %s starts as root only", mailstackScript)
	}
	// Latencies run from MAIL FROM to the 250 after the data.
	sides := make([]*sideRuns, len(bins.servers)+1) // the servers, then the baseline
	drains := make([][]time.Duration, len(sides))   // last acceptance to the last message in a mailbox, each round
	for i := range sides {
		sides[i] = &sideRuns{}
	}
	var baseline *mailStack
	var baselineUsers []loginUser
	defer func() {
		if baseline != nil {
			baseline.down()
		}
	}()
	for si, s := range bins.servers {
		socketmap, err := freePort()
		if err != nil {
			return nil, err
		}
		milter, err := freePort()
		if err != nil {
			return nil, err
		}
		in, _, err := startWorkmaild(c, s, "delivery", "--socketmap-addr", socketmap, "--milter-addr", milter)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "  %s: %d users in %d organizations, each with a token...\n", s.name, c.loginUsers, c.orgs)
		users, err := setupLogins(ctx, c, in.url)
		if err != nil {
			in.kill()
			return nil, err
		}
		stack, err := startMailStack("--workmaild", in.url, "--socketmap", socketmap, "--milter", milter)
		if err != nil {
			in.kill()
			return nil, err
		}
		if baseline == nil {
			baselineUsers = users
			if baseline, err = startBaselineStack(users); err != nil {
				stack.down()
				in.kill()
				return nil, err
			}
		}
		for round := range c.rounds {
			for _, side := range roundOrder(round, si, len(bins.servers)) {
				st, us := stack, users
				if side == len(bins.servers) {
					st, us = baseline, baselineUsers
				}
				before := countDelivered(st)
				cpu0, _ := in.cpuTime()
				r := deliveryRound(st, us, c.loginClients, c.duration, int64(round*1000+side))
				drain, err := waitDelivered(st, before+r.sent, 60*time.Second)
				m := sides[side]
				if side == si {
					cpu1, _ := in.cpuTime()
					m.cpu += cpu1 - cpu0
				}
				if err != nil {
					m.failed += r.sent // not delivered in time
					fmt.Fprintln(os.Stderr, "  ", err)
				}
				m.add(r.sent, r.failed, r.latencies, r.elapsed)
				drains[side] = append(drains[side], drain)
			}
		}
		stack.down()
		if err := in.stop(); err != nil {
			return nil, err
		}
	}

	nb := len(bins.servers)
	base := sides[nb]
	what := fmt.Sprintf("messages submitted through Postfix, %d users, %d clients", c.loginUsers, c.loginClients)
	rows := rateRows(sides[:nb], base, what, "submission p50 (MAIL FROM to 250 after the data)", "submission p99",
		"workmaild CPU per message", "baseline: Postfix's hash tables")
	drain := row{figure: "last message accepted to last delivered, median round", baseline: ms(median(drains[nb]))}
	sent := row{figure: "messages sent, failed", baseline: fmt.Sprintf("%d, %d", base.count, base.failed), target: "0 failed"}
	invalid := base.failed > 0
	for i, m := range sides[:nb] {
		invalid = invalid || m.failed > 0
		drain.values = append(drain.values, ms(median(drains[i])))
		sent.values = append(sent.values, fmt.Sprintf("%d, %d", m.count, m.failed))
	}
	rows = []row{rows[0], rows[1], rows[2], drain, rows[3], sent}
	if invalid {
		return rows, errInvalid
	}
	return rows, nil
}

// startBaselineStack starts the same mail stack deciding from files: a
// passwd-file that logs each user in under its mailbox address, and hash
// tables with the routes workmaild would answer.
func startBaselineStack(users []loginUser) (*mailStack, error) {
	dir, err := os.MkdirTemp("", "workmaild-perf-maps-")
	if err != nil {
		return nil, err
	}
	var passwd, domains, recipients, mailboxes, senders strings.Builder
	seen := map[string]bool{}
	for _, u := range users {
		email, box := strings.ToLower(u.email), strings.ToLower(u.mailbox)
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s::::::user=%s\n", email, u.secret, box)
		// Each organization's domain and that of its mailbox addresses
		// (a hash table matches whole domains only).
		for _, a := range []string{email, box} {
			if d := a[strings.IndexByte(a, '@')+1:]; !seen[d] {
				seen[d] = true
				fmt.Fprintf(&domains, "%s OK\n", d)
			}
		}
		fmt.Fprintf(&recipients, "%s %s\n%s %s\n", email, box, box, box)
		fmt.Fprintf(&mailboxes, "%s %s\n", box, box)
		fmt.Fprintf(&senders, "%s %s\n", email, box)
	}
	for name, b := range map[string]*strings.Builder{"passwd": &passwd, "domains": &domains, "recipients": &recipients, "mailboxes": &mailboxes, "senders": &senders} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	st, err := startMailStack("--passwd-file", filepath.Join(dir, "passwd"), "--static-maps", dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	st.extra = dir
	return st, nil
}

// deliveryResult is one round of one side.
type deliveryResult struct {
	sent, failed int
	latencies    []time.Duration
	elapsed      time.Duration
}

// deliveryRound has clients submit messages for d, each logging in as a
// user of its own draw and sending deliveryBatch messages to users drawn
// at random, per SMTP session.
func deliveryRound(st *mailStack, users []loginUser, clients int, d time.Duration, seed int64) deliveryResult {
	var mu sync.Mutex
	var res deliveryResult
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for g := range clients {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(seed), uint64(g)))
			var lat []time.Duration
			sent, failed := 0, 0
			for time.Now().Before(deadline) {
				from := users[rnd.IntN(len(users))]
				to := make([]loginUser, deliveryBatch)
				for i := range to {
					to[i] = users[rnd.IntN(len(users))]
				}
				l, err := submitBatch(st.submission, from, to)
				sent += len(l)
				lat = append(lat, l...)
				if err != nil {
					failed += len(to) - len(l)
				}
			}
			mu.Lock()
			res.sent += sent
			res.failed += failed
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// submitBatch logs in as from over SMTP submission and sends one message
// to each of to; it returns the latency of each accepted message.
func submitBatch(addr string, from loginUser, to []loginUser) ([]time.Duration, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	r := bufio.NewReader(conn)
	step := func(cmd, want string) error {
		if cmd != "" {
			if _, err := fmt.Fprint(conn, cmd+"\r\n"); err != nil {
				return err
			}
		}
		return readReply(r, want)
	}
	if err := step("", "220"); err != nil {
		return nil, err
	}
	if err := step("EHLO bench.example", "250"); err != nil {
		return nil, err
	}
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + from.email + "\x00" + from.secret))
	if err := step("AUTH PLAIN "+plain, "235"); err != nil {
		return nil, err
	}
	var lat []time.Duration
	for _, rcpt := range to {
		t0 := time.Now()
		msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: bench %d\r\n\r\n%s\r\n.", from.email, rcpt.email, t0.UnixNano(), strings.Repeat("Some text of a message.\r\n", 80))
		for _, s := range []struct{ cmd, want string }{
			{"MAIL FROM:<" + from.email + ">", "250"}, {"RCPT TO:<" + rcpt.email + ">", "250"}, {"DATA", "354"}, {msg, "250"},
		} {
			if err := step(s.cmd, s.want); err != nil {
				return lat, err
			}
		}
		lat = append(lat, time.Since(t0))
	}
	_ = step("QUIT", "221")
	return lat, nil
}

// readReply reads one SMTP reply (its continuation lines too); a code
// other than want is an error.
func readReply(r *bufio.Reader, want string) error {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if len(line) < 4 {
			return fmt.Errorf("short SMTP reply %q", line)
		}
		if line[3] == '-' {
			continue
		}
		if line[:3] != want {
			return fmt.Errorf("SMTP %s", strings.TrimSpace(line))
		}
		return nil
	}
}

// countDelivered counts the messages in the stack's mailboxes.
func countDelivered(st *mailStack) int {
	n := 0
	for _, sub := range []string{"new", "cur"} {
		files, _ := filepath.Glob(filepath.Join(st.dir, "mail", "*", "Maildir", sub, "*"))
		n += len(files)
	}
	return n
}

// waitDelivered waits until the stack's mailboxes hold want messages and
// returns how long that took.
func waitDelivered(st *mailStack, want int, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		if got := countDelivered(st); got >= want {
			return time.Since(start), nil
		} else if time.Since(start) > timeout {
			return time.Since(start), fmt.Errorf("%d of %d messages delivered after %v", got, want, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
