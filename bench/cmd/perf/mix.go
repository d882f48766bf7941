package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
)

// The realistic mix: c.orgs organizations, spread over mixAccounts
// accounts, each with an identity-provider configuration, and c.users
// users spread over them round-robin. Every other user of an organization
// is registered to WorkMail (so it has an email), and every tenth one is
// linked to an identity-provider user and has a personal access token.
// The load is a list of mixLength requests drawn once, from a fixed seed,
// with these weights (per 100), each over all organizations, users or
// tokens uniformly; wrk sends the list in order, round and round.
const (
	mixAccounts = 4
	mixLength   = 20000
)

var mixWeights = []struct {
	op     string
	weight int
}{
	{"DescribeUser", 35},
	{"DescribeOrganization", 15},
	{"DescribeIdentityProviderConfiguration", 15},
	{"ListUsers", 15}, // first page, MaxResults 10 to 100, a third with a filter
	{"GetPersonalAccessTokenMetadata", 10},
	{"ListPersonalAccessTokens", 5}, // the organization's, or one user's
	{"UpdateUser", 3},               // a random user's DisplayName
	{"PutIdentityProviderConfiguration", 2},
}

// listFilters are the ListUsers filters of the mix.
var listFilters = []string{
	`{"UsernamePrefix":"user-01"}`,
	`{"State":"ENABLED"}`,
	`{"PrimaryEmailPrefix":"user-00"}`,
	`{"DisplayNamePrefix":"User 1"}`,
}

func mixAccount(i int) string { return fmt.Sprintf("3333%08d", i%mixAccounts+1) }

// mixOrg is one organization of the mix as one server created it.
type mixOrg struct {
	account, id, app, domain string
	users                    []mixUser // by index in the organization
}

type mixUser struct {
	id    string
	token string // its personal access token's id, or ""
}

// mixUserName is the name of user j of an organization; filters match on it.
func mixUserName(j int) string { return fmt.Sprintf("user-%04d", j) }

func registered(j int) bool { return j%2 == 0 }
func hasToken(j int) bool   { return j%10 == 0 }

// setupMix creates the organizations and users of the mix through the API.
func setupMix(ctx context.Context, c config, url string) ([]mixOrg, error) {
	orgs := make([]mixOrg, c.orgs)
	for i := range orgs {
		acct := mixAccount(i)
		sdk, done := sdkClient(url, acct)
		defer done()
		id, app, err := configureOrganization(ctx, sdk, fmt.Sprintf("mix-%02d", i))
		if err != nil {
			return nil, fmt.Errorf("organization %d: %w", i, err)
		}
		o, err := sdk.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		n := (c.users - i + c.orgs - 1) / c.orgs // users k with k % orgs == i
		orgs[i] = mixOrg{account: acct, id: id, app: app, domain: aws.ToString(o.DefaultMailDomain), users: make([]mixUser, n)}
	}
	clients := map[string]*rawClient{}
	for i := range mixAccounts {
		cl := newRawClient(url, c.connections)
		cl.auth = authorizationFor(mixAccount(i))
		clients[mixAccount(i)] = cl
	}
	defer func() {
		for _, cl := range clients {
			cl.close()
		}
	}()
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range c.connections {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < c.users; k = int(next.Add(1) - 1) {
				o := &orgs[k%c.orgs]
				j := k / c.orgs
				u, err := createMixUser(clients[o.account], o, j, k)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				o.users[j] = u // each k writes its own element
			}
		})
	}
	wg.Wait()
	return orgs, firstErr
}

// createMixUser creates user j (k of all) of o, registers it and gives it
// a token as the mix has it.
func createMixUser(cl *rawClient, o *mixOrg, j, k int) (mixUser, error) {
	name := mixUserName(j)
	body := fmt.Sprintf(`{"OrganizationId":"%s","Name":"%s","DisplayName":"User %d"`, o.id, name, k)
	if hasToken(j) {
		body += fmt.Sprintf(`,"IdentityProviderUserId":"00000000-0000-4000-8000-%012d"`, k)
	}
	out, err := cl.call("CreateUser", body+"}")
	if err != nil {
		return mixUser{}, err
	}
	var created struct{ UserId string }
	if err := json.Unmarshal(out, &created); err != nil {
		return mixUser{}, err
	}
	u := mixUser{id: created.UserId}
	if registered(j) {
		body := fmt.Sprintf(`{"OrganizationId":"%s","EntityId":"%s","Email":"%s@%s"}`, o.id, u.id, name, o.domain)
		if _, err := cl.call("RegisterToWorkMail", body); err != nil {
			return u, err
		}
	}
	if hasToken(j) {
		req, _ := json.Marshal(map[string]any{ // cannot fail: strings
			"Account": o.account, "Region": region, "OrganizationId": o.id, "User": u.id,
			"Name": "bench", "Scopes": []string{"mail"},
		})
		out, err := cl.post("/_workmaild/tokens", "", string(req))
		if err != nil {
			return u, fmt.Errorf("issuing a token: %w", err)
		}
		var issued struct{ PersonalAccessTokenId string }
		if err := json.Unmarshal(out, &issued); err != nil {
			return u, err
		}
		u.token = issued.PersonalAccessTokenId
	}
	return u, nil
}

// mixRequest is one request of the list.
type mixRequest struct {
	op      string
	account int // index of the account (mixAccount)
	body    string
}

// mixRequests draws the request list for orgs. The draws depend only on
// the numbers of organizations and users, so every server gets the same
// list but for its own ids.
func mixRequests(orgs []mixOrg, users int) []mixRequest {
	rng := rand.New(rand.NewPCG(1, 2))
	total := 0
	for _, w := range mixWeights {
		total += w.weight
	}
	var tokens [][2]int // organization, user index
	for i, o := range orgs {
		for j, u := range o.users {
			if u.token != "" {
				tokens = append(tokens, [2]int{i, j})
			}
		}
	}
	// DescribeUser goes through all users in a shuffled order, then again
	// in another: uniform, and every user is read.
	var perm []int
	nextUser := func() int {
		if len(perm) == 0 {
			perm = rng.Perm(users)
		}
		k := perm[0]
		perm = perm[1:]
		return k
	}
	user := func(k int) (int, *mixOrg, mixUser) {
		o := &orgs[k%len(orgs)]
		return k % len(orgs), o, o.users[k/len(orgs)]
	}
	out := make([]mixRequest, 0, mixLength)
	for range mixLength {
		pick := rng.IntN(total)
		op := ""
		for _, w := range mixWeights {
			if pick < w.weight {
				op = w.op
				break
			}
			pick -= w.weight
		}
		oi := rng.IntN(len(orgs))
		o := &orgs[oi]
		var body string
		switch op {
		case "DescribeUser":
			var u mixUser
			oi, o, u = user(nextUser())
			body = fmt.Sprintf(`{"OrganizationId":"%s","UserId":"%s"}`, o.id, u.id)
		case "DescribeOrganization", "DescribeIdentityProviderConfiguration":
			body = fmt.Sprintf(`{"OrganizationId":"%s"}`, o.id)
		case "ListUsers":
			size := []int{10, 25, 50, 100}[rng.IntN(4)]
			body = fmt.Sprintf(`{"OrganizationId":"%s","MaxResults":%d`, o.id, size)
			if rng.IntN(3) == 0 {
				body += `,"Filters":` + listFilters[rng.IntN(len(listFilters))]
			}
			body += "}"
		case "GetPersonalAccessTokenMetadata":
			t := tokens[rng.IntN(len(tokens))]
			oi, o = t[0], &orgs[t[0]]
			body = fmt.Sprintf(`{"OrganizationId":"%s","PersonalAccessTokenId":"%s"}`, o.id, o.users[t[1]].token)
		case "ListPersonalAccessTokens":
			if rng.IntN(2) == 0 {
				body = fmt.Sprintf(`{"OrganizationId":"%s"}`, o.id)
			} else {
				t := tokens[rng.IntN(len(tokens))]
				oi, o = t[0], &orgs[t[0]]
				body = fmt.Sprintf(`{"OrganizationId":"%s","UserId":"%s"}`, o.id, o.users[t[1]].id)
			}
		case "UpdateUser":
			k := rng.IntN(users)
			var u mixUser
			oi, o, u = user(k)
			body = fmt.Sprintf(`{"OrganizationId":"%s","UserId":"%s","DisplayName":"User %d v%d"}`, o.id, u.id, k, rng.IntN(1000))
		case "PutIdentityProviderConfiguration":
			body = putBody(o.id, o.app, int32(1+rng.IntN(365)))
		}
		out = append(out, mixRequest{op: op, account: oi % mixAccounts, body: body})
	}
	return out
}

// writeMixScript writes the request list and a wrk script that reads it
// at start and sends it in order, round and round.
func writeMixScript(dir string, reqs []mixRequest) (string, error) {
	ops := map[string]int{}
	var targets []string
	var list strings.Builder
	for _, r := range reqs {
		if _, ok := ops[r.op]; !ok {
			targets = append(targets, luaString("WorkMailService."+r.op))
			ops[r.op] = len(targets)
		}
		fmt.Fprintf(&list, "%d %d %s\n", ops[r.op], r.account+1, r.body)
	}
	listFile := filepath.Join(dir, "mix.requests")
	if err := os.WriteFile(listFile, []byte(list.String()), 0o600); err != nil {
		return "", err
	}
	var auths []string
	for i := range mixAccounts {
		auths = append(auths, luaString(authorizationFor(mixAccount(i))))
	}
	script := `-- The mix's requests, one per line: target, account, body.
local targets = {` + strings.Join(targets, ", ") + `}
local auths = {` + strings.Join(auths, ", ") + `}
local reqs, n, i = {}, 0, 0

function init(args)
  for line in io.lines(` + luaString(listFile) + `) do
    local t, a, body = line:match("^(%d+) (%d+) (.*)$")
    n = n + 1
    reqs[n] = wrk.format("POST", "/", {
      ["Content-Type"] = ` + luaString(contentType) + `,
      ["X-Amz-Target"] = targets[tonumber(t)],
      ["X-Amz-Date"] = ` + luaString(amzDate) + `,
      ["Authorization"] = auths[tonumber(a)],
    }, body)
  end
end

function request()
  i = i % n + 1
  return reqs[i]
end
`
	path := filepath.Join(dir, "mix.lua")
	return path, os.WriteFile(path, []byte(script), 0o600)
}

// recordedAnswer is one line of the baseline's answers file: what
// workmaild answered to a request of the list.
type recordedAnswer struct {
	Target, Body, Answer string
}

// recordAnswers sends every distinct request of the list once, fails on
// any answer but 200, and writes the answers to w for the baseline.
func recordAnswers(url string, reqs []mixRequest, conns int, w *bufio.Writer) (int, error) {
	var distinct []mixRequest
	seen := map[mixRequest]bool{}
	for _, r := range reqs {
		if !seen[r] {
			seen[r] = true
			distinct = append(distinct, r)
		}
	}
	clients := make([]*rawClient, mixAccounts)
	for i := range clients {
		clients[i] = newRawClient(url, conns)
		clients[i].auth = authorizationFor(mixAccount(i))
		defer clients[i].close()
	}
	answers := make([]string, len(distinct))
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(distinct); i = int(next.Add(1) - 1) {
				r := distinct[i]
				out, err := clients[r.account].call(r.op, r.body)
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("request of the mix: %w (body %s)", err, r.body) })
					return
				}
				answers[i] = string(out)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, r := range distinct {
		if err := enc.Encode(recordedAnswer{Target: "WorkMailService." + r.op, Body: r.body, Answer: answers[i]}); err != nil {
			return 0, err
		}
	}
	return len(distinct), nil
}

// measureMix sets the mix up on each binary, records each one's answers
// for the baseline, and drives them and the baseline (answering each
// request of the list with the bytes workmaild answered it with) in
// alternating wrk rounds.
func measureMix(ctx context.Context, c config, bins binaries) ([]row, error) {
	answersPath := filepath.Join(c.workDir, "mix-answers.jsonl")
	f, err := os.Create(answersPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	answers := bufio.NewWriter(f)
	var sides []side
	for si, s := range bins.servers {
		p, dir, err := startWorkmaild(c, s, "mix")
		if err != nil {
			return nil, err
		}
		defer p.kill()
		start := time.Now()
		orgs, err := setupMix(ctx, c, p.url)
		if err != nil {
			return nil, fmt.Errorf("%s: setting up: %w", s.name, err)
		}
		took := time.Since(start)
		reqs := mixRequests(orgs, c.users)
		if si == 0 {
			describeMix(orgs, reqs)
		}
		script, err := writeMixScript(dir, reqs)
		if err != nil {
			return nil, err
		}
		n, err := recordAnswers(p.url, reqs, c.connections, answers)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(os.Stderr, "  %s: set up in %v; %d distinct requests of the list answered 200\n", s.name, took.Round(time.Millisecond), n)
		sides = append(sides, p.side(s.name, script))
	}
	if err := answers.Flush(); err != nil {
		return nil, err
	}
	bl, err := startProcess(bins.baseline, []string{"-addr", "127.0.0.1:0", "-answers", answersPath}, filepath.Join(c.workDir, "baseline-mix.log"))
	if err != nil {
		return nil, err
	}
	defer bl.kill()
	// The baseline knows every binary's answers; it is sent the first one's list.
	sides = append([]side{processSide("baseline", bl, sides[0].script)}, sides...)
	rs, err := runRounds(c, sides)
	if err != nil {
		return nil, err
	}
	return throughputRows("mix", fmt.Sprintf("%d conns", c.connections), "ratio ≥ 0.40", bins, rs)
}

// describeMix prints what the mix holds and sends.
func describeMix(orgs []mixOrg, reqs []mixRequest) {
	users, reg, toks := 0, 0, 0
	for _, o := range orgs {
		for j, u := range o.users {
			users++
			if registered(j) {
				reg++
			}
			if u.token != "" {
				toks++
			}
		}
	}
	fmt.Fprintf(os.Stderr, "  %d organizations in %d accounts, %d users (%d registered, %d with a token)\n", len(orgs), min(len(orgs), mixAccounts), users, reg, toks)
	count := map[string]int{}
	for _, r := range reqs {
		count[r.op]++
	}
	var parts []string
	for _, w := range mixWeights {
		parts = append(parts, fmt.Sprintf("%s %d", w.op, count[w.op]))
	}
	fmt.Fprintf(os.Stderr, "  list of %d requests: %s\n", len(reqs), strings.Join(parts, ", "))
}
