package service

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/paging"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/memstore"
)

const (
	testAccount = "111122223333"
	testRegion  = "us-east-1"
)

var testPartition = store.Partition{Account: testAccount, Region: testRegion}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	t     *testing.T
	st    store.Store
	s     *Service
	clock *testClock
	ctx   context.Context
}

// newFixture is a Service on an in-memory store whose Update runs every
// transaction function twice, discarding the first attempt's writes, as
// an optimistic store does when it retries: everything the tests see must
// come out right anyway.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := retryingStore{memstore.New()}
	t.Cleanup(func() { st.Close() })
	clock := &testClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	s := New(Config{Store: st, Now: clock.Now, Paging: paging.NewCodec([]byte("0123456789abcdef0123456789abcdef"))})
	ctx := auth.NewContext(context.Background(), auth.Principal{Account: testAccount, Region: testRegion})
	return &fixture{t: t, st: st, s: s, clock: clock, ctx: ctx}
}

// retryingStore calls each Update's function once in a transaction that
// is rolled back, then again for real.
type retryingStore struct{ store.Store }

var errRetryAttempt = errors.New("test: first attempt rolled back")

func (r retryingStore) Update(ctx context.Context, p store.Partition, fn func(store.Tx) error) error {
	err := r.Store.Update(ctx, p, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRetryAttempt
	})
	if !errors.Is(err, errRetryAttempt) {
		return err
	}
	return r.Store.Update(ctx, p, fn)
}

func (f *fixture) org(alias string) string {
	f.t.Helper()
	out, err := f.s.CreateOrganization(f.ctx, &model.CreateOrganizationInput{Alias: &alias})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.OrganizationId
}

func (f *fixture) user(org, name string) string {
	f.t.Helper()
	out, err := f.s.CreateUser(f.ctx, &model.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.UserId
}

func (f *fixture) register(org, id, email string) error {
	_, err := f.s.RegisterToWorkMail(f.ctx, &model.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &id, Email: &email})
	return err
}

func (f *fixture) update(fn func(tx store.Tx) error) {
	f.t.Helper()
	if err := f.st.Update(f.ctx, testPartition, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) view(p store.Partition, fn func(r store.Reader) error) {
	f.t.Helper()
	if err := f.st.View(f.ctx, p, fn); err != nil {
		f.t.Fatal(err)
	}
}

// allCollections are every collection the service writes, in a partition
// and in store.Global. A test that adds a collection must list it here.
var allCollections = []string{
	organizations.coll, orgAliases.coll, orgDirectories.coll, applications.coll,
	users.coll, entityNames.coll, entityEmails.coll, userIdPs.coll, userNames.coll, userEmails.coll, userStates.coll, userDisplayNames.coll, deletedUsers.coll,
	personalAccessTokens.coll, userTokens.coll, identityProviders.coll,
	collClientTokens, collClientTokenOrgs, collMeta,
	collGlobalAddresses, collPartitions,
	mailDomains.coll, mailDomainNames.coll,
	testGroups.coll,
	mailboxQuotas.coll, mailboxGrants.coll, grantsHeld.coll,
	groups.coll, groupNames.coll, groupEmails.coll, groupStates.coll, deletedGroups.coll, memberships.coll, memberOf.coll, memberOfByName.coll,
	resources.coll, resourceNames.coll, resourceEmails.coll, resourceStates.coll, deletedResources.coll,
	delegations.coll, delegatesOf.coll,
	availabilityConfigs.coll, exportJobs.coll, exportJobStarts.coll,
	accessControl.coll, impersonationRoles.coll, impersonationTokens.coll, roleTokens.coll, tokenExpiries.coll,
	retentionPolicies.coll, emailMonitoring.coll, inboundDmarc.coll, orgTags.coll,
	mobileRules.coll, mobileRuleSets.coll, mobileOverrides.coll, overrideDevices.coll,
}

// records lists every record of the partitions, as "partition collection key".
func (f *fixture) records(parts ...store.Partition) []string {
	f.t.Helper()
	var all []string
	for _, p := range parts {
		f.view(p, func(r store.Reader) error {
			for _, coll := range allCollections {
				err := r.Scan(coll, "", "", 0, func(key string, _ []byte) (bool, error) {
					all = append(all, p.Account+" "+coll+" "+key)
					return true, nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	sort.Strings(all)
	return all
}

func wantCode(t *testing.T, err error, code model.ErrorCode) {
	t.Helper()
	var e *model.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

// testGroup is a second entity kind for the tests, sharing the name and
// address namespaces with users as groups and resources will.
type testGroup struct {
	ID, Name, Email string
	Aliases         []string
}

var testGroups = &table[testGroup]{
	codec: record.For[testGroup](),
	coll:  "test-group",
	id:    func(g *testGroup) string { return g.ID },
	indexes: []indexOn[testGroup]{
		{entityNames, func(g *testGroup) []string { return []string{g.Name} }},
		{entityEmails, func(g *testGroup) []string {
			if g.Email == "" {
				return g.Aliases
			}
			return append([]string{g.Email}, g.Aliases...)
		}},
	},
}

var testGroupKind = kindOf(testGroups)
