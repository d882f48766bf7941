package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
)

// The logins step measures IMAP logins through a real Dovecot
// (scripts/mailstack) whose Lua password database asks workmaild, against
// the same Dovecot deciding the same logins from its own passwd-file: the
// baseline is everything a login costs except workmaild. Each server gets a
// stack of its own; the baseline stack is shared.

// loginAccount is the account of the logins step's organization i.
func loginAccount(i int) string { return fmt.Sprintf("4444%08d", i%mixAccounts+1) }

// loginUser is one user who logs in: its primary email, a personal
// access token's secret and its mailbox address.
type loginUser struct{ email, secret, mailbox string }

func measureLogins(ctx context.Context, c config, bins binaries) ([]row, error) {
	if _, err := os.Stat(mailstackScript); err != nil {
		return nil, fmt.Errorf("the logins step runs %s from the repository root: %w", mailstackScript, err)
	}
	sides := make([]*sideRuns, len(bins.servers)+1) // the servers, then the baseline
	for i := range sides {
		sides[i] = &sideRuns{}
	}
	var users []loginUser // the first server's; the baseline's file holds them
	var baselineStack *mailStack
	defer func() {
		if baselineStack != nil {
			baselineStack.down()
		}
	}()
	for si, s := range bins.servers {
		in, _, err := startWorkmaild(c, s, "logins")
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "  %s: %d users in %d organizations, each with a token...\n", s.name, c.loginUsers, c.orgs)
		us, err := setupLogins(ctx, c, in.url)
		if err != nil {
			in.kill()
			return nil, err
		}
		stack, err := startMailStack("--workmaild", in.url)
		if err != nil {
			in.kill()
			return nil, err
		}
		if baselineStack == nil {
			users = us
			file, err := writePasswdFile(users)
			if err != nil {
				stack.down()
				in.kill()
				return nil, err
			}
			defer os.RemoveAll(filepath.Dir(file))
			if baselineStack, err = startMailStack("--passwd-file", file); err != nil {
				stack.down()
				in.kill()
				return nil, err
			}
		}
		// Alternating rounds, the baseline first in even ones; each side
		// logs the same users in in the same order.
		for round := range c.rounds {
			for _, side := range roundOrder(round, si, len(bins.servers)) {
				addr, who := stack.imap, us
				if side == len(bins.servers) {
					addr, who = baselineStack.imap, users
				}
				cpu0, _ := in.cpuTime()
				n, failed, lat, elapsed := loginRound(addr, who, c.loginClients, c.duration)
				m := sides[side]
				if side == si {
					cpu1, _ := in.cpuTime()
					m.cpu += cpu1 - cpu0
				}
				m.add(n, failed, lat, elapsed)
			}
		}
		stack.down()
		if err := in.stop(); err != nil {
			return nil, err
		}
	}

	what := fmt.Sprintf("IMAP logins through Dovecot, %d users, %d clients", c.loginUsers, c.loginClients)
	rows := rateRows(sides[:len(bins.servers)], sides[len(bins.servers)], what,
		"IMAP login p50 (connect to OK)", "IMAP login p99 (connect to OK)", "workmaild CPU per login", "baseline: Dovecot's passwd-file")
	invalid := false
	for i, m := range sides {
		if m.failed > 0 {
			invalid = true
			name := "baseline"
			if i < len(bins.servers) {
				name = bins.servers[i].name
			}
			rows = append(rows, row{figure: fmt.Sprintf("FAILED logins (%s)", name), values: []string{fmt.Sprint(m.failed)}})
		}
	}
	if invalid {
		return rows, errInvalid
	}
	return rows, nil
}

// quantile of a non-empty list (q in [0, 1]); 0 for an empty one.
func quantile(xs []time.Duration, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

// setupLogins creates c.orgs organizations with tokens ACTIVE and
// c.loginUsers users spread over them, each registered and with a token
// for IMAP and SMTP, through the API and the token endpoint.
func setupLogins(ctx context.Context, c config, url string) ([]loginUser, error) {
	type org struct{ account, id, domain string }
	orgs := make([]org, c.orgs)
	for i := range orgs {
		sdk, done := sdkClient(url, loginAccount(i))
		defer done()
		id, _, err := configureOrganization(ctx, sdk, fmt.Sprintf("login-%02d", i))
		if err != nil {
			return nil, fmt.Errorf("organization %d: %w", i, err)
		}
		o, err := sdk.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		orgs[i] = org{account: loginAccount(i), id: id, domain: aws.ToString(o.DefaultMailDomain)}
	}
	users := make([]loginUser, c.loginUsers)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range c.connections {
		wg.Go(func() {
			clients := map[string]*rawClient{}
			defer func() {
				for _, cl := range clients {
					cl.close()
				}
			}()
			for k := int(next.Add(1) - 1); k < len(users); k = int(next.Add(1) - 1) {
				o := orgs[k%len(orgs)]
				cl := clients[o.account]
				if cl == nil {
					cl = newRawClient(url, 1)
					cl.auth = authorizationFor(o.account)
					clients[o.account] = cl
				}
				u, err := createLoginUser(cl, o.account, o.id, o.domain, k)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				users[k] = u // each k writes its own element
			}
		})
	}
	wg.Wait()
	return users, firstErr
}

// createLoginUser creates user k, linked to Identity Center, registers it
// and issues it a token for IMAP and SMTP.
func createLoginUser(cl *rawClient, account, org, domain string, k int) (loginUser, error) {
	name := fmt.Sprintf("login-%05d", k)
	out, err := cl.call("CreateUser", fmt.Sprintf(
		`{"OrganizationId":"%s","Name":"%s","DisplayName":"Login %d","IdentityProviderUserId":"00000000-0000-4000-8000-%012d"}`,
		org, name, k, k))
	if err != nil {
		return loginUser{}, err
	}
	var created struct{ UserId string }
	if err := json.Unmarshal(out, &created); err != nil {
		return loginUser{}, err
	}
	email := name + "@" + domain
	if _, err := cl.call("RegisterToWorkMail", fmt.Sprintf(`{"OrganizationId":"%s","EntityId":"%s","Email":"%s"}`, org, created.UserId, email)); err != nil {
		return loginUser{}, err
	}
	req, _ := json.Marshal(map[string]any{ // cannot fail: strings
		"Account": account, "Region": region, "OrganizationId": org, "User": created.UserId,
		"Name": "bench", "Scopes": []string{"IMAP", "SMTP"},
	})
	out, err = cl.post("/_workmaild/tokens", "", string(req))
	if err != nil {
		return loginUser{}, fmt.Errorf("issuing a token: %w", err)
	}
	var issued struct{ Secret string }
	if err := json.Unmarshal(out, &issued); err != nil {
		return loginUser{}, err
	}
	mailbox := fmt.Sprintf("%s@%s.%s.%s.workmaild.invalid", created.UserId, org, account, region)
	return loginUser{email: email, secret: issued.Secret, mailbox: mailbox}, nil
}

// writePasswdFile writes Dovecot's passwd-file of users, with each
// secret's SHA-256 as workmaild keeps a token's, in a directory of its own
// that Dovecot's users can read (the work directory is private), and
// returns its path.
func writePasswdFile(users []loginUser) (string, error) {
	dir, err := os.MkdirTemp("", "workmaild-perf-passwd-")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, u := range users {
		sum := sha256.Sum256([]byte(u.secret))
		fmt.Fprintf(&b, "%s:{SHA256}%s\n", strings.ToLower(u.email), base64.StdEncoding.EncodeToString(sum[:]))
	}
	file := filepath.Join(dir, "passwd")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		return "", err
	}
	return file, os.Chmod(dir, 0o755)
}

// mailstackScript starts and stops the mail stack.
const mailstackScript = "scripts/mailstack"

// mailStack is a running scripts/mailstack.
type mailStack struct {
	dir, imap, submission string
	extra                 string // a directory of its inputs to remove with it, or ""
}

// startMailStack starts a mail stack on free loopback ports with the given
// options (--workmaild URL or --passwd-file FILE), in a directory of its
// own outside the work directory, which Dovecot's users cannot reach.
func startMailStack(args ...string) (*mailStack, error) {
	dir, err := os.MkdirTemp("", "workmaild-perf-mail-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	imap, err := freePort()
	if err != nil {
		return nil, err
	}
	submission, err := freePort()
	if err != nil {
		return nil, err
	}
	smtp, err := freePort()
	if err != nil {
		return nil, err
	}
	args = append([]string{"up", "--dir", dir, "--imap", imap, "--submission", submission, "--smtp", smtp}, args...)
	cmd := exec.Command(mailstackScript, args...)
	cmd.Env = withoutWorkmaildEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%s %s: %w\n%s", mailstackScript, strings.Join(args, " "), err, out)
	}
	return &mailStack{dir: dir, imap: imap, submission: submission}, nil
}

// down stops the stack and removes its directory.
func (m *mailStack) down() {
	cmd := exec.Command(mailstackScript, "down", "--dir", m.dir)
	cmd.Env = withoutWorkmaildEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "perf: %s down: %v\n%s", mailstackScript, err, out)
	}
	os.RemoveAll(m.dir)
	if m.extra != "" {
		os.RemoveAll(m.extra)
	}
}

func withoutWorkmaildEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WORKMAILD_") {
			env = append(env, kv)
		}
	}
	return env
}

// freePort is a loopback address with a port nobody listens on now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// loginRound logs users in over IMAP at addr from clients at once for d,
// each client taking the users in turn; it returns the logins that
// succeeded, those that failed, the latency of each success and the time
// taken.
func loginRound(addr string, users []loginUser, clients int, d time.Duration) (int, int, []time.Duration, time.Duration) {
	var mu sync.Mutex
	var lat []time.Duration
	var ok, failed int
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for g := range clients {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for i := g; time.Now().Before(deadline); i += clients {
				t, err := imapLogin(addr, users[i%len(users)])
				if err != nil {
					bad++
					continue
				}
				mine = append(mine, t)
			}
			mu.Lock()
			lat = append(lat, mine...)
			ok += len(mine)
			failed += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return ok, failed, lat, time.Since(start)
}

// imapLogin connects, logs in with LOGIN and logs out; it returns the time
// from connecting to the login's OK.
func imapLogin(addr string, u loginUser) (time.Duration, error) {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(start.Add(30 * time.Second))
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "* OK") {
		return 0, fmt.Errorf("greeting %q: %v", line, err)
	}
	if _, err := fmt.Fprintf(conn, "a LOGIN %s %s\r\n", imapQuote(u.email), imapQuote(u.secret)); err != nil {
		return 0, err
	}
	if err := readTagged(r, "a"); err != nil {
		return 0, err
	}
	took := time.Since(start)
	if _, err := fmt.Fprint(conn, "b LOGOUT\r\n"); err != nil {
		return 0, err
	}
	if err := readTagged(r, "b"); err != nil {
		return 0, err
	}
	return took, nil
}

// readTagged reads lines up to the tagged answer; anything but OK is an
// error.
func readTagged(r *bufio.Reader, tag string) error {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if rest, ok := strings.CutPrefix(line, tag+" "); ok {
			if !strings.HasPrefix(rest, "OK") {
				return fmt.Errorf("%s", strings.TrimSpace(line))
			}
			return nil
		}
	}
}

// imapQuote is s as an IMAP quoted string (the emails and secrets here
// have no CR or LF).
func imapQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
