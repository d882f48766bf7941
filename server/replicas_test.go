package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
	"github.com/aws/smithy-go"

	"github.com/workmaild/workmaild/internal/pgtest"
	"github.com/workmaild/workmaild/server"
)

// pg is the throwaway PostgreSQL of this test binary, started by the first
// test that asks for a database. Tests using it do not call t.Parallel:
// TestReplicasStoreOutage stops it for a while.
var pg pgtest.Server

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// startReplicas starts two Servers (two replicas) on one fresh PostgreSQL
// database, each behind a listener of its own. opts[i] is replica i's.
func startReplicas(t *testing.T, opts ...server.Options) [2]*testServer {
	t.Helper()
	db := pg.Database(t)
	var rs [2]*testServer
	for i := range rs {
		var o server.Options
		if i < len(opts) {
			o = opts[i]
		}
		o.Postgres = db
		rs[i] = startServer(t, o)
	}
	return rs
}

// rounds is how many times each race is run.
const rounds = 20

// race runs a and b at the same moment (as far as goroutines allow) and
// returns their errors.
func race(a, b func() error) (errA, errB error) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { <-start; errA = a() })
	wg.Go(func() { <-start; errB = b() })
	close(start)
	wg.Wait()
	return errA, errB
}

// oneWins checks that exactly one of two racing calls succeeded and the
// other failed with code.
func oneWins(t *testing.T, what string, errA, errB error, code string) {
	t.Helper()
	switch {
	case errA == nil && errB == nil:
		t.Fatalf("%s: both replicas succeeded", what)
	case errA != nil && errB != nil:
		t.Fatalf("%s: both replicas failed: %v / %v", what, errA, errB)
	case errA != nil:
		wantAPIError(t, errA, code)
	default:
		wantAPIError(t, errB, code)
	}
}

// TestReplicasUniqueness races the two replicas on every kind of unique
// value: entity names (within a kind and across kinds), email addresses
// (registration against an alias), mail domains between two organizations,
// and CreateOrganization retried with one ClientToken.
func TestReplicasUniqueness(t *testing.T) {
	rs := startReplicas(t)
	a, b := rs[0].defaultClient(), rs[1].defaultClient()
	ctx := context.Background()
	org := createOrg(t, a, "replicas-unique")
	other := createOrg(t, b, "replicas-other")

	for i := range rounds {
		name := fmt.Sprintf("user-%d", i)
		create := func(c *workmail.Client) func() error {
			return func() error {
				_, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
				return err
			}
		}
		errA, errB := race(create(a), create(b))
		oneWins(t, "CreateUser "+name, errA, errB, "NameAvailabilityException")
	}

	for i := range rounds {
		// A group against a user, then against a resource: one namespace.
		name := fmt.Sprintf("team-%d", i)
		group := func() error {
			_, err := a.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: &org, Name: &name})
			return err
		}
		rival := func() error {
			_, err := b.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
			return err
		}
		if i%2 == 1 {
			rival = func() error {
				_, err := b.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: &org, Name: &name, Type: types.ResourceTypeRoom})
				return err
			}
		}
		errA, errB := race(group, rival)
		oneWins(t, "group or other entity "+name, errA, errB, "NameAvailabilityException")
	}

	for i := range rounds {
		// x is registered with the address on one replica while y, already
		// registered, takes it as an alias on the other.
		x := createUser(t, a, org, fmt.Sprintf("x-%d", i), "")
		y := createUser(t, b, org, fmt.Sprintf("y-%d", i), "")
		register(t, b, org, y, fmt.Sprintf("y-%d@replicas-unique.awsapps.com", i))
		email := fmt.Sprintf("shared-%d@replicas-unique.awsapps.com", i)
		errA, errB := race(func() error {
			_, err := a.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &x, Email: &email})
			return err
		}, func() error {
			_, err := b.CreateAlias(ctx, &workmail.CreateAliasInput{OrganizationId: &org, EntityId: &y, Alias: &email})
			return err
		})
		oneWins(t, "address "+email, errA, errB, "EmailAddressInUseException")
	}

	for i := range rounds {
		domain := fmt.Sprintf("d%d.example.com", i)
		errA, errB := race(func() error {
			_, err := a.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: &domain})
			return err
		}, func() error {
			_, err := b.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &other, DomainName: &domain})
			return err
		})
		oneWins(t, "mail domain "+domain, errA, errB, "MailDomainInUseException")
	}

	for i := range rounds {
		in := &workmail.CreateOrganizationInput{Alias: aws.String(fmt.Sprintf("idem-%d", i)), ClientToken: aws.String(fmt.Sprintf("token-%d", i))}
		var idA, idB string
		errA, errB := race(func() error {
			out, err := a.CreateOrganization(ctx, in)
			idA = aws.ToString(out.OrganizationId)
			return err
		}, func() error {
			out, err := b.CreateOrganization(ctx, in)
			idB = aws.ToString(out.OrganizationId)
			return err
		})
		if errA != nil || errB != nil || idA == "" || idA != idB {
			t.Fatalf("CreateOrganization with one ClientToken on both replicas: %q, %v / %q, %v", idA, errA, idB, errB)
		}
	}
	orgs, err := a.ListOrganizations(ctx, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(100)})
	if err != nil || len(orgs.OrganizationSummaries) != 2+rounds {
		t.Fatalf("ListOrganizations: %d organizations, %v; want %d", len(orgs.OrganizationSummaries), err, 2+rounds)
	}
}

// TestReplicasReadTheirWrites writes on one replica and reads on the other
// at once, alternating, through a mix of operations. The second replica's
// clock is a second behind the first's, as on another machine.
func TestReplicasReadTheirWrites(t *testing.T) {
	rs := startReplicas(t, server.Options{}, server.Options{Now: func() time.Time { return time.Now().Add(-time.Second) }})
	ctx := context.Background()
	for i := range rounds {
		w, r := rs[i%2].defaultClient(), rs[(i+1)%2].defaultClient()
		alias := fmt.Sprintf("raw-%d", i)
		org := createOrg(t, w, alias)
		d, err := r.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
		if err != nil || aws.ToString(d.State) != "Active" {
			t.Fatalf("round %d: the other replica sees %+v, %v; want Active", i, d, err)
		}

		user := createUser(t, w, org, "alice", "")
		register(t, r, org, user, "alice@"+alias+".awsapps.com")
		if u := describeUser(t, w, org, "alice@"+alias+".awsapps.com"); aws.ToString(u.UserId) != user || u.State != types.EntityStateEnabled {
			t.Fatalf("round %d: after registering on the other replica: %+v", i, u)
		}
		if _, err := r.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &org, UserId: &user, DisplayName: aws.String("Alice Round")}); err != nil {
			t.Fatal(err)
		}
		if u := describeUser(t, w, org, user); aws.ToString(u.DisplayName) != "Alice Round" {
			t.Fatalf("round %d: display name %q after UpdateUser on the other replica", i, aws.ToString(u.DisplayName))
		}

		group := createGroup(t, r, org, "team")
		associate(t, w, org, group, user)
		if m := listMembers(t, r, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &group}); len(m) != 1 || aws.ToString(m[0].Id) != user {
			t.Fatalf("round %d: members %+v after associating on the other replica", i, m)
		}

		if _, err := w.CreateAlias(ctx, &workmail.CreateAliasInput{OrganizationId: &org, EntityId: &user, Alias: aws.String("al@" + alias + ".awsapps.com")}); err != nil {
			t.Fatal(err)
		}
		al, err := r.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &user})
		if err != nil || len(al.Aliases) != 1 || al.Aliases[0] != "al@"+alias+".awsapps.com" {
			t.Fatalf("round %d: aliases %v, %v after CreateAlias on the other replica", i, al, err)
		}

		// A NextToken from one replica resumes on the other.
		createUser(t, w, org, "bob", "")
		page, err := w.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, MaxResults: aws.Int32(1)})
		if err != nil || page.NextToken == nil {
			t.Fatalf("round %d: first page %+v, %v", i, page, err)
		}
		rest, err := r.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, MaxResults: aws.Int32(10), NextToken: page.NextToken})
		if err != nil || len(rest.Users) != 1 || aws.ToString(rest.Users[0].Id) == aws.ToString(page.Users[0].Id) {
			t.Fatalf("round %d: the other replica resumed with %+v, %v", i, rest, err)
		}

		if _, err := r.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &user}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &user}); err != nil {
			t.Fatalf("round %d: DeleteUser after deregistering on the other replica: %v", i, err)
		}
		if u := describeUser(t, r, org, user); u.State != types.EntityStateDeleted {
			t.Fatalf("round %d: state %s after DeleteUser on the other replica", i, u.State)
		}
		// The name is free again, on either replica.
		createUser(t, r, org, "alice", "")
	}
}

// TestReplicasTokens issues a personal access token through one replica's
// internal endpoint and checks it through the other's; the use and the
// deletion show on both.
func TestReplicasTokens(t *testing.T) {
	rs := startReplicas(t)
	a, b := rs[0].defaultClient(), rs[1].defaultClient()
	ctx := context.Background()
	o := newTokenOrg(t, a, "replicas-tokens")
	target := func(extra map[string]any) map[string]any {
		m := map[string]any{"Account": testAccount, "Region": testRegion, "OrganizationId": o.ID, "User": "alice"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	status, issued, _ := postInternal(t, rs[0].URL, "tokens", target(map[string]any{"Name": "laptop", "Scopes": []string{"IMAP"}}))
	if status != http.StatusOK {
		t.Fatalf("issue: %d %v", status, issued)
	}
	secret, id := issued["Secret"].(string), issued["PersonalAccessTokenId"].(string)
	meta, err := b.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &id})
	if err != nil || aws.ToString(meta.Name) != "laptop" || meta.DateLastUsed != nil {
		t.Fatalf("metadata on the other replica: %+v, %v", meta, err)
	}
	status, checked, _ := postInternal(t, rs[1].URL, "tokens/check", target(map[string]any{"Secret": secret}))
	if status != http.StatusOK || checked["Valid"] != true || checked["PersonalAccessTokenId"] != id {
		t.Fatalf("check on the other replica: %d %v", status, checked)
	}
	meta, err = a.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &id})
	if err != nil || meta.DateLastUsed == nil {
		t.Fatalf("the use is not seen by the issuing replica: %+v, %v", meta, err)
	}
	// Disabling the user on one replica invalidates the token on the other.
	if _, err := b.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &o.ID, EntityId: &o.Alice}); err != nil {
		t.Fatal(err)
	}
	if status, out, _ := postInternal(t, rs[0].URL, "tokens/check", target(map[string]any{"Secret": secret})); status != http.StatusUnauthorized {
		t.Fatalf("check of a disabled user's token: %d %v", status, out)
	}
	register(t, a, o.ID, o.Alice, "alice@replicas-tokens.awsapps.com")
	if _, err := b.DeletePersonalAccessToken(ctx, &workmail.DeletePersonalAccessTokenInput{OrganizationId: &o.ID, PersonalAccessTokenId: &id}); err != nil {
		t.Fatal(err)
	}
	if status, out, _ := postInternal(t, rs[0].URL, "tokens/check", target(map[string]any{"Secret": secret})); status != http.StatusUnauthorized || out["__type"] != "TokenUnknown" {
		t.Fatalf("check of a token deleted on the other replica: %d %v", status, out)
	}
}

// TestReplicasDeleteAndPurge deletes an organization on one replica and
// purges it on the other: the first sees it Deleted, then gone, and its
// alias free.
func TestReplicasDeleteAndPurge(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	rs := startReplicas(t, server.Options{Now: clock.Now}, server.Options{Now: clock.Now})
	a, b := rs[0].defaultClient(), rs[1].defaultClient()
	ctx := context.Background()
	org := createOrg(t, a, "replicas-purge")
	createUser(t, a, org, "alice", "")
	if _, err := a.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: true, ForceDelete: true}); err != nil {
		t.Fatal(err)
	}
	d, err := b.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
	if err != nil || aws.ToString(d.State) != "Deleted" {
		t.Fatalf("the other replica sees %+v, %v; want Deleted", d, err)
	}
	clock.Advance(2 * time.Hour) // past the default retention
	if err := rs[1].srv.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = a.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
	wantAPIError(t, err, "OrganizationNotFoundException")
	again := createOrg(t, a, "replicas-purge")
	if again == org {
		t.Fatal("the new organization has the purged one's id")
	}
	if _, err := b.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &again, Name: aws.String("alice"), DisplayName: aws.String("Alice")}); err != nil {
		t.Fatalf("CreateUser in the new organization on the other replica: %v", err)
	}
}

// TestReplicasStoreOutage stops PostgreSQL under a server writing through
// several clients, then starts it again. While it is down, requests fail
// with InternalFailure (500), which aws-sdk-go-v2's standard retryer
// retries, and health answers 503 naming the store; once it is back, the
// same server answers again by itself, health is 200, and each write in
// flight at the stop is whole or absent.
func TestReplicasStoreOutage(t *testing.T) {
	db := pg.Database(t)
	ts := startServer(t, server.Options{Postgres: db, Logger: slog.New(slog.DiscardHandler)})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "outage")
	wantHealth(t, ts.URL, http.StatusOK, "ready")

	const writers = 4
	var mu sync.Mutex
	acked := map[string]bool{}     // names whose CreateUser succeeded
	attempted := map[string]bool{} // every name sent
	failures := make(chan error, 1000)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%d-%d", w, n)
				mu.Lock()
				attempted[name] = true
				mu.Unlock()
				_, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
				if err != nil {
					select {
					case failures <- err:
					default:
					}
					time.Sleep(10 * time.Millisecond)
					continue
				}
				mu.Lock()
				acked[name] = true
				mu.Unlock()
			}
		})
	}
	ackCount := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	for ackCount() < 20 {
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-failures:
		t.Fatalf("a write failed before the stop: %v", err)
	default:
	}
	if err := pg.Halt(); err != nil {
		t.Fatal(err)
	}
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			pg.Resume()
		}
	})
	// Writes fail while the database is down, those in flight and later.
	for range 2 * writers {
		err := <-failures
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InternalFailure" {
			t.Errorf("a write while the database is down: %v, want InternalFailure", err)
		}
	}
	close(stop)
	wg.Wait()

	r := ts.raw("ListOrganizations", `{}`, nil)
	wantRawError(t, r, http.StatusInternalServerError, "InternalFailure", "An internal error occurred")
	_, err := c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org})
	var httpErr *awshttp.ResponseError
	if !errors.As(err, &httpErr) || httpErr.HTTPStatusCode() != http.StatusInternalServerError {
		t.Fatalf("ListUsers while the database is down: %v, want a 500", err)
	}
	wantAPIError(t, err, "InternalFailure")
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) != aws.TrueTernary || !retry.NewStandard().IsErrorRetryable(err) {
		t.Fatalf("aws-sdk-go-v2's standard retryer does not retry %v", err)
	}
	wantHealth(t, ts.URL, http.StatusServiceUnavailable, "not ready")

	if err := pg.Resume(); err != nil {
		t.Fatal(err)
	}
	resumed = true
	wantHealth(t, ts.URL, http.StatusOK, "ready")

	// Whole or absent: a listed user is describable and holds its name; an
	// unlisted one left no name behind. Every acknowledged one is listed.
	listed := map[string]bool{}
	p := workmail.NewListUsersPaginator(c, &workmail.ListUsersInput{OrganizationId: &org})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListUsers after the database came back: %v", err)
		}
		for _, u := range page.Users {
			listed[aws.ToString(u.Name)] = true
		}
	}
	for name := range acked {
		if !listed[name] {
			t.Errorf("acknowledged user %s is gone", name)
		}
	}
	for name := range attempted {
		_, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: &name})
		_, errCreate := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
		if listed[name] {
			if err != nil {
				t.Errorf("listed user %s: DescribeUser %v", name, err)
			}
			wantAPIError(t, errCreate, "NameAvailabilityException")
		} else {
			wantAPIError(t, err, "EntityNotFoundException")
			if errCreate != nil {
				t.Errorf("the name of unlisted user %s is not free: %v", name, errCreate)
			}
		}
	}
	t.Logf("%d writes acknowledged, %d attempted, %d listed", len(acked), len(attempted), len(listed))
}

// wantHealth checks the health endpoint's status and what it says of the
// store.
func wantHealth(t *testing.T, url string, status int, storeState string) {
	t.Helper()
	resp, err := http.Get(url + server.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("health body: %v", err)
	}
	if resp.StatusCode != status || body["store"] != storeState || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("health: %d %v, want %d with store %q", resp.StatusCode, body, status, storeState)
	}
}
