package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

// dirN is the size of the big lists: 10,000 groups, resources, users,
// members of one group and groups of one user. Aliases (100 per entity)
// and mail domains (1,000 per organization) are walked at their quotas.
// Delegates of a resource and grantees of a mailbox have no quota; they
// are walked at dirShared (20 pages of 100), since each costs a request
// to set up and their lists page exactly as a group's members do. The
// entities are created in-process, on the server's handler without a
// listener or SDK (some 65,000 requests, which through the SDK over HTTP
// would take minutes under -race); every list is read through
// aws-sdk-go-v2 over HTTP. To keep the test's cost down, pages are of
// 100 (odd sizes are walked on the smaller lists, aliases and domains),
// and the DISABLED state of users and resources, which reads the same way
// as ENABLED and DELETED, is walked for groups only.
const (
	dirN      = 10_000
	dirShared = 2_000
)

// dirEntity is what the test knows of one entity, to compute what each
// list and filter must show, in the list's order.
type dirEntity struct {
	id, name, email, display, idp string
	state                         types.EntityState
}

// dirFixture is one organization holding every big list, and a second one
// whose entities share the first one's names (for NextTokens taken there).
type dirFixture struct {
	ts            *testServer
	c             *workmail.Client
	org, other    string
	users, groups []dirEntity // groups: grp-*, gone-* (deleted), all-hands
	resources     []dirEntity
	members       []string // of all-hands: users then groups, in creation order
	shared        []string // dirShared of the members: the room's delegates, the joiner's grantees
	joiner        string   // user in every grp-* group; owner of the mailbox and the aliases
	room          string   // resource res-00001, with dirN delegates
	aliases       []string
	domains       []string
}

// direct serves one request on the server's handler in-process and
// returns its decoded answer; anything but 200 is an error.
func (ts *testServer) direct(op string, in any) (map[string]any, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "WorkMailService."+op)
	r.Header.Set("X-Amz-Date", "20261126T120000Z")
	r.Header.Set("Authorization", benchAuth)
	rec := httptest.NewRecorder()
	ts.srv.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %d %s", op, body, rec.Code, rec.Body)
	}
	var out map[string]any
	return out, json.Unmarshal(rec.Body.Bytes(), &out)
}

func (ts *testServer) mustDirect(t *testing.T, op string, in any) map[string]any {
	t.Helper()
	out, err := ts.direct(op, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// inParallel runs do(0..n-1) on a few goroutines and fails on the first error.
func inParallel(t *testing.T, n int, do func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	work := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range work {
				if err := do(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}

func newDirFixture(t *testing.T) *dirFixture {
	ts := startServer(t, server.Options{})
	f := &dirFixture{ts: ts, c: ts.defaultClient()}
	f.org = createOrg(t, f.c, "dirpage")
	f.other = createOrg(t, f.c, "dirother")
	org := f.org
	addr := func(local string) string { return local + "@dirpage.awsapps.com" }

	// Users user-00000..: every 4th ENABLED (u<n>@), every 10th from the
	// 5th linked to an identity-provider user, every 100th from the 99th
	// DELETED, the rest DISABLED.
	f.users = make([]dirEntity, dirN)
	inParallel(t, dirN, func(i int) error {
		u := dirEntity{name: fmt.Sprintf("user-%05d", i), display: fmt.Sprintf("User %05d", i), state: types.EntityStateDisabled}
		in := map[string]any{"OrganizationId": org, "Name": u.name, "DisplayName": u.display}
		if i%10 == 5 {
			u.idp = fmt.Sprintf("%08d-1111-2222-3333-444444444444", i)
			in["IdentityProviderUserId"] = u.idp
		}
		out, err := ts.direct("CreateUser", in)
		if err != nil {
			return err
		}
		u.id = out["UserId"].(string)
		switch {
		case i%4 == 0:
			u.email, u.state = addr(fmt.Sprintf("u%05d", i)), types.EntityStateEnabled
			_, err = ts.direct("RegisterToWorkMail", map[string]any{"OrganizationId": org, "EntityId": u.id, "Email": u.email})
		case i%100 == 99:
			u.state = types.EntityStateDeleted
			_, err = ts.direct("DeleteUser", map[string]any{"OrganizationId": org, "UserId": u.id})
		}
		f.users[i] = u
		return err
	})
	joiner := dirEntity{name: "joiner", display: "Joiner", email: addr("joiner"), state: types.EntityStateEnabled}
	joiner.id = ts.mustDirect(t, "CreateUser", map[string]any{"OrganizationId": org, "Name": joiner.name, "DisplayName": joiner.display})["UserId"].(string)
	ts.mustDirect(t, "RegisterToWorkMail", map[string]any{"OrganizationId": org, "EntityId": joiner.id, "Email": joiner.email})
	f.users, f.joiner = append(f.users, joiner), joiner.id

	// Groups grp-00000..: every 4th ENABLED (g<n>@), the rest DISABLED;
	// 500 more (gone-*) DELETED, and all-hands.
	f.groups = make([]dirEntity, dirN+500)
	inParallel(t, dirN+500, func(i int) error {
		g := dirEntity{name: fmt.Sprintf("grp-%05d", i), state: types.EntityStateDisabled}
		if i >= dirN {
			g.name = fmt.Sprintf("gone-%03d", i-dirN)
		}
		out, err := ts.direct("CreateGroup", map[string]any{"OrganizationId": org, "Name": g.name})
		if err != nil {
			return err
		}
		g.id = out["GroupId"].(string)
		switch {
		case i >= dirN:
			g.state = types.EntityStateDeleted
			_, err = ts.direct("DeleteGroup", map[string]any{"OrganizationId": org, "GroupId": g.id})
		case i%4 == 0:
			g.email, g.state = addr(fmt.Sprintf("g%05d", i)), types.EntityStateEnabled
			_, err = ts.direct("RegisterToWorkMail", map[string]any{"OrganizationId": org, "EntityId": g.id, "Email": g.email})
		}
		f.groups[i] = g
		return err
	})
	allHands := dirEntity{name: "all-hands", state: types.EntityStateDisabled}
	allHands.id = ts.mustDirect(t, "CreateGroup", map[string]any{"OrganizationId": org, "Name": allHands.name})["GroupId"].(string)
	f.groups = append(f.groups, allHands)

	// Resources res-00000..: every 4th ENABLED (r<n>@), every 10th from
	// the 5th DELETED, the rest DISABLED; and ten resources grp-<n>-r
	// whose names sit among the groups' in the shared name index.
	f.resources = make([]dirEntity, dirN+10)
	inParallel(t, dirN+10, func(i int) error {
		r := dirEntity{name: fmt.Sprintf("res-%05d", i), state: types.EntityStateDisabled}
		if i >= dirN {
			r.name = fmt.Sprintf("grp-%05d-r", (i-dirN)*1000)
		}
		typ := "ROOM"
		if i%2 == 1 {
			typ = "EQUIPMENT"
		}
		out, err := ts.direct("CreateResource", map[string]any{"OrganizationId": org, "Name": r.name, "Type": typ})
		if err != nil {
			return err
		}
		r.id = out["ResourceId"].(string)
		switch {
		case i >= dirN:
		case i%4 == 0:
			r.email, r.state = addr(fmt.Sprintf("r%05d", i)), types.EntityStateEnabled
			_, err = ts.direct("RegisterToWorkMail", map[string]any{"OrganizationId": org, "EntityId": r.id, "Email": r.email})
		case i%10 == 5:
			r.state = types.EntityStateDeleted
			_, err = ts.direct("DeleteResource", map[string]any{"OrganizationId": org, "ResourceId": r.id})
		}
		f.resources[i] = r
		return err
	})
	f.room = f.resources[1].id

	// all-hands has dirN members: 5,000 users that are not deleted and
	// grp-00000..04999; every fifth of them is a delegate of the room and
	// holds SEND_AS on the joiner's mailbox. The joiner is in every grp-*.
	for _, u := range f.users {
		if len(f.members) == dirN/2 {
			break
		}
		if u.state != types.EntityStateDeleted {
			f.members = append(f.members, u.id)
		}
	}
	for _, g := range f.groups[:dirN/2] {
		f.members = append(f.members, g.id)
	}
	f.shared = spread(f.members, dirN/dirShared)
	inParallel(t, dirN, func(i int) error {
		m := f.members[i]
		if _, err := ts.direct("AssociateMemberToGroup", map[string]any{"OrganizationId": org, "GroupId": allHands.id, "MemberId": m}); err != nil {
			return err
		}
		if _, err := ts.direct("AssociateMemberToGroup", map[string]any{"OrganizationId": org, "GroupId": f.groups[i].id, "MemberId": f.joiner}); err != nil {
			return err
		}
		return nil
	})
	inParallel(t, dirShared, func(i int) error {
		m := f.shared[i]
		if _, err := ts.direct("AssociateDelegateToResource", map[string]any{"OrganizationId": org, "ResourceId": f.room, "EntityId": m}); err != nil {
			return err
		}
		_, err := ts.direct("PutMailboxPermissions", map[string]any{"OrganizationId": org, "EntityId": f.joiner, "GranteeId": m, "PermissionValues": []string{"SEND_AS"}})
		return err
	})

	// The joiner's 100 aliases (the quota) sit among the users' addresses
	// in the shared address index; the organization has 1,000 mail
	// domains (the quota) and its test domain.
	for i := range 100 {
		a := addr(fmt.Sprintf("u%05d-a", i*100))
		ts.mustDirect(t, "CreateAlias", map[string]any{"OrganizationId": org, "EntityId": f.joiner, "Alias": a})
		f.aliases = append(f.aliases, a)
	}
	f.domains = make([]string, 1000)
	inParallel(t, 1000, func(i int) error {
		f.domains[i] = fmt.Sprintf("d%04d.example.com", i)
		_, err := ts.direct("RegisterMailDomain", map[string]any{"OrganizationId": org, "DomainName": f.domains[i]})
		return err
	})
	f.domains = append(f.domains, "dirpage.awsapps.com")

	// The other organization names its entities as the first does.
	other := f.other
	ts.mustDirect(t, "CreateGroup", map[string]any{"OrganizationId": other, "Name": "all-hands"})
	ts.mustDirect(t, "CreateResource", map[string]any{"OrganizationId": other, "Name": "res-00001", "Type": "ROOM"})
	j := ts.mustDirect(t, "CreateUser", map[string]any{"OrganizationId": other, "Name": "joiner", "DisplayName": "Joiner"})["UserId"].(string)
	ts.mustDirect(t, "RegisterToWorkMail", map[string]any{"OrganizationId": other, "EntityId": j, "Email": "joiner@dirother.awsapps.com"})
	return f
}

// walk pages one list to its end. fetch asks for the page after token;
// between, when not nil, runs after every page but the last with the
// ordering key of the last item returned (the writes made while the list
// is walked; the keys of such a walk must increase, since the writes are
// placed by them). It fails on a page bigger than size, a page with
// nothing but a NextToken, an item listed twice or a walk that does not
// end, and returns the items' ids in order.
func walk[T any](t *testing.T, size int32, fetch func(size int32, token *string) ([]T, *string, error),
	id func(T) (id, key string), between func(last string)) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	var token *string
	prev := ""
	for page := 0; ; page++ {
		items, next, err := fetch(size, token)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if len(items) > int(size) || (next != nil && len(items) == 0) {
			t.Fatalf("page %d: %d items for MaxResults %d, NextToken %v", page, len(items), size, next != nil)
		}
		last := ""
		for _, it := range items {
			i, k := id(it)
			if seen[i] {
				t.Fatalf("page %d: %s listed twice", page, i)
			}
			if between != nil && len(ids) > 0 && k <= prev {
				t.Fatalf("page %d: %s (%q) listed after %q", page, i, k, prev)
			}
			seen[i], last, prev = true, k, k
			ids = append(ids, i)
		}
		if next == nil {
			return ids
		}
		if page > 4*dirN {
			t.Fatal("the walk does not end")
		}
		if between != nil {
			between(last)
		}
		token = next
	}
}

// wantList fails unless got is want, in want's order.
func wantList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	in := func(xs []string) map[string]bool {
		m := make(map[string]bool, len(xs))
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	g, w := in(got), in(want)
	missing, extra := 0, 0
	for _, x := range want {
		if !g[x] {
			missing++
		}
	}
	for _, x := range got {
		if !w[x] {
			extra++
		}
	}
	t.Errorf("%s: %d items, want %d (%d missing, %d not wanted; else out of order)", what, len(got), len(want), missing, extra)
}

// wantEach fails unless every id of want is in got (exactly once, which
// walk checks).
func wantEach(t *testing.T, what string, got, want []string) {
	t.Helper()
	have := make(map[string]bool, len(got))
	for _, id := range got {
		have[id] = true
	}
	for _, id := range want {
		if !have[id] {
			t.Errorf("%s: %s, there throughout, is missing", what, id)
			return
		}
	}
}

// pick is the ids of the entities keep accepts, ordered by key.
func pick(all []dirEntity, keep func(dirEntity) bool, key func(dirEntity) string) []string {
	var sel []dirEntity
	for _, e := range all {
		if keep(e) {
			sel = append(sel, e)
		}
	}
	slices.SortStableFunc(sel, func(a, b dirEntity) int { return strings.Compare(key(a), key(b)) })
	ids := make([]string, len(sel))
	for i, e := range sel {
		ids[i] = e.id
	}
	return ids
}

func byID(e dirEntity) string      { return e.id }
func byName(e dirEntity) string    { return strings.ToLower(e.name) }
func byEmail(e dirEntity) string   { return strings.ToLower(e.email) }
func byDisplay(e dirEntity) string { return strings.ToLower(e.display) }
func every(dirEntity) bool         { return true }

func prefixed(field func(dirEntity) string, prefix string) func(dirEntity) bool {
	return func(e dirEntity) bool { return strings.HasPrefix(strings.ToLower(field(e)), strings.ToLower(prefix)) }
}
func inState(s types.EntityState) func(dirEntity) bool {
	return func(e dirEntity) bool { return e.state == s }
}
func live(e dirEntity) bool { return e.state != types.EntityStateDeleted }
func both(a, b func(dirEntity) bool) func(dirEntity) bool {
	return func(e dirEntity) bool { return a(e) && b(e) }
}

// cursorVictims hands out, between two pages, one entity to remove behind
// the cursor and one ahead of it, by the list's order key.
type cursorVictims struct {
	keys []string // sorted
	used map[string]bool
}

func newVictims(keys []string) *cursorVictims {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	return &cursorVictims{keys: keys, used: map[string]bool{}}
}

// around returns the nearest unused key behind last and ahead of it ("" for none).
func (v *cursorVictims) around(last string) (behind, ahead string) {
	i, _ := slices.BinarySearch(v.keys, last)
	for j := i - 1; j >= 0; j-- {
		if !v.used[v.keys[j]] {
			behind = v.keys[j]
			break
		}
	}
	for j := i; j < len(v.keys); j++ {
		if k := v.keys[j]; k != last && !v.used[k] {
			ahead = k
			break
		}
	}
	v.used[behind], v.used[ahead] = true, true
	return behind, ahead
}

// spread is every step-th id of ids, from the middle of a step.
func spread(ids []string, step int) []string {
	var out []string
	for i := step / 2; i < len(ids); i += step {
		out = append(out, ids[i])
	}
	return out
}

func without(ids, drop []string) []string {
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(drop, id) })
}

func groupItem(g types.Group) (string, string)       { return aws.ToString(g.Id), aws.ToString(g.Id) }
func resourceItem(r types.Resource) (string, string) { return aws.ToString(r.Id), aws.ToString(r.Id) }
func userItem(u types.User) (string, string)         { return aws.ToString(u.Id), aws.ToString(u.Id) }

// TestDirectoryListsPageAt10000 walks every directory list at 10,000
// entities (aliases and mail domains at their quotas) through the SDK:
// each filter lists exactly what it must, each item once, in the list's
// order, no page bigger than MaxResults; NextTokens are refused by any
// other list; and writes between pages, behind and ahead of the cursor,
// cause no duplicate and no gap among the items there throughout.
func TestDirectoryListsPageAt10000(t *testing.T) {
	f := newDirFixture(t)
	c, ctx, org := f.c, context.Background(), f.org

	listGroups := func(fl *types.ListGroupsFilters) func(int32, *string) ([]types.Group, *string, error) {
		return func(size int32, tok *string) ([]types.Group, *string, error) {
			out, err := c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org, Filters: fl, MaxResults: &size, NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			return out.Groups, out.NextToken, nil
		}
	}
	listResources := func(fl *types.ListResourcesFilters) func(int32, *string) ([]types.Resource, *string, error) {
		return func(size int32, tok *string) ([]types.Resource, *string, error) {
			out, err := c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org, Filters: fl, MaxResults: &size, NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			return out.Resources, out.NextToken, nil
		}
	}
	listUsers := func(fl *types.ListUsersFilters) func(int32, *string) ([]types.User, *string, error) {
		return func(size int32, tok *string) ([]types.User, *string, error) {
			out, err := c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, Filters: fl, MaxResults: &size, NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			return out.Users, out.NextToken, nil
		}
	}
	listMembers := func(size int32, tok *string) ([]types.Member, *string, error) {
		out, err := c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: aws.String("all-hands"), MaxResults: &size, NextToken: tok})
		if err != nil {
			return nil, nil, err
		}
		return out.Members, out.NextToken, nil
	}
	memberItem := func(m types.Member) (string, string) { return aws.ToString(m.Id), aws.ToString(m.Id) }
	listGroupsFor := func(fl *types.ListGroupsForEntityFilters) func(int32, *string) ([]types.GroupIdentifier, *string, error) {
		return func(size int32, tok *string) ([]types.GroupIdentifier, *string, error) {
			out, err := c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &f.joiner, Filters: fl, MaxResults: &size, NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			return out.Groups, out.NextToken, nil
		}
	}
	groupForItem := func(g types.GroupIdentifier) (string, string) {
		return aws.ToString(g.GroupId), aws.ToString(g.GroupId)
	}
	listDelegates := func(size int32, tok *string) ([]types.Delegate, *string, error) {
		out, err := c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &f.room, MaxResults: &size, NextToken: tok})
		if err != nil {
			return nil, nil, err
		}
		return out.Delegates, out.NextToken, nil
	}
	delegateItem := func(d types.Delegate) (string, string) { return aws.ToString(d.Id), aws.ToString(d.Id) }
	listPermissions := func(size int32, tok *string) ([]types.Permission, *string, error) {
		out, err := c.ListMailboxPermissions(ctx, &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &f.joiner, MaxResults: &size, NextToken: tok})
		if err != nil {
			return nil, nil, err
		}
		return out.Permissions, out.NextToken, nil
	}
	permissionItem := func(p types.Permission) (string, string) { return aws.ToString(p.GranteeId), aws.ToString(p.GranteeId) }
	listAliases := func(size int32, tok *string) ([]string, *string, error) {
		out, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &f.joiner, MaxResults: &size, NextToken: tok})
		if err != nil {
			return nil, nil, err
		}
		return out.Aliases, out.NextToken, nil
	}
	aliasItem := func(a string) (string, string) { return a, strings.ToLower(a) }
	listDomains := func(size int32, tok *string) ([]types.MailDomainSummary, *string, error) {
		out, err := c.ListMailDomains(ctx, &workmail.ListMailDomainsInput{OrganizationId: &org, MaxResults: &size, NextToken: tok})
		if err != nil {
			return nil, nil, err
		}
		return out.MailDomains, out.NextToken, nil
	}
	domainItem := func(d types.MailDomainSummary) (string, string) {
		return aws.ToString(d.DomainName), aws.ToString(d.DomainName)
	}

	grp := f.groups[:dirN] // the grp-* groups
	t.Run("ListGroups", func(t *testing.T) {
		for name, tc := range map[string]struct {
			fl   *types.ListGroupsFilters
			want []string
		}{
			// Without a filter and by state in id order, deleted groups
			// included; by name and address in that value's order.
			"none":           {nil, pick(f.groups, every, byID)},
			"name GRP-":      {&types.ListGroupsFilters{NamePrefix: aws.String("GRP-")}, pick(grp, every, byName)},
			"name grp-012":   {&types.ListGroupsFilters{NamePrefix: aws.String("grp-012")}, pick(grp, prefixed(byName, "grp-012"), byName)},
			"name, no hit":   {&types.ListGroupsFilters{NamePrefix: aws.String("user-")}, nil},
			"email g0":       {&types.ListGroupsFilters{PrimaryEmailPrefix: aws.String("g0")}, pick(grp, prefixed(byEmail, "g0"), byEmail)},
			"email, no hit":  {&types.ListGroupsFilters{PrimaryEmailPrefix: aws.String("u0")}, nil},
			"state ENABLED":  {&types.ListGroupsFilters{State: types.EntityStateEnabled}, pick(f.groups, inState(types.EntityStateEnabled), byID)},
			"state DISABLED": {&types.ListGroupsFilters{State: types.EntityStateDisabled}, pick(f.groups, inState(types.EntityStateDisabled), byID)},
			"state DELETED":  {&types.ListGroupsFilters{State: types.EntityStateDeleted}, pick(f.groups, inState(types.EntityStateDeleted), byID)},
		} {
			wantList(t, name, walk(t, 100, listGroups(tc.fl), groupItem, nil), tc.want)
		}
	})

	res := f.resources[:dirN]
	t.Run("ListResources", func(t *testing.T) {
		for name, tc := range map[string]struct {
			fl   *types.ListResourcesFilters
			want []string
		}{
			"none":          {nil, pick(f.resources, every, byID)},
			"name RES-":     {&types.ListResourcesFilters{NamePrefix: aws.String("RES-")}, pick(res, every, byName)},
			"name grp-":     {&types.ListResourcesFilters{NamePrefix: aws.String("grp-")}, pick(f.resources[dirN:], every, byName)},
			"name res-0987": {&types.ListResourcesFilters{NamePrefix: aws.String("res-0987")}, pick(res, prefixed(byName, "res-0987"), byName)},
			"email r":       {&types.ListResourcesFilters{PrimaryEmailPrefix: aws.String("R")}, pick(res, prefixed(byEmail, "r"), byEmail)},
			"email, no hit": {&types.ListResourcesFilters{PrimaryEmailPrefix: aws.String("g")}, nil},
			"state ENABLED": {&types.ListResourcesFilters{State: types.EntityStateEnabled}, pick(f.resources, inState(types.EntityStateEnabled), byID)},
			"state DELETED": {&types.ListResourcesFilters{State: types.EntityStateDeleted}, pick(f.resources, inState(types.EntityStateDeleted), byID)},
		} {
			wantList(t, name, walk(t, 100, listResources(tc.fl), resourceItem, nil), tc.want)
		}
	})

	t.Run("ListUsers", func(t *testing.T) {
		idp := func(e dirEntity) string { return e.idp }
		display := func(e dirEntity) string { return e.display }
		for name, tc := range map[string]struct {
			fl   *types.ListUsersFilters
			want []string
		}{
			"none":            {nil, pick(f.users, every, byID)},
			"name USER-":      {&types.ListUsersFilters{UsernamePrefix: aws.String("USER-")}, pick(f.users, both(live, prefixed(byName, "user-")), byName)},
			"display user 01": {&types.ListUsersFilters{DisplayNamePrefix: aws.String("user 01")}, pick(f.users, prefixed(display, "user 01"), byDisplay)},
			"email u":         {&types.ListUsersFilters{PrimaryEmailPrefix: aws.String("u")}, pick(f.users, prefixed(byEmail, "u"), byEmail)},
			"state ENABLED":   {&types.ListUsersFilters{State: types.EntityStateEnabled}, pick(f.users, inState(types.EntityStateEnabled), byID)},
			"state DELETED":   {&types.ListUsersFilters{State: types.EntityStateDeleted}, pick(f.users, inState(types.EntityStateDeleted), byID)},
			"identity 00000":  {&types.ListUsersFilters{IdentityProviderUserIdPrefix: aws.String("00000")}, pick(f.users, both(func(e dirEntity) bool { return e.idp != "" }, prefixed(idp, "00000")), idp)},
		} {
			wantList(t, name, walk(t, 100, listUsers(tc.fl), userItem, nil), tc.want)
		}
	})

	t.Run("ListGroupMembers", func(t *testing.T) {
		want := slices.Sorted(slices.Values(f.members))
		wantList(t, "all-hands", walk(t, 100, listMembers, memberItem, nil), want)
	})
	t.Run("ListGroupsForEntity", func(t *testing.T) {
		wantList(t, "joiner", walk(t, 100, listGroupsFor(nil), groupForItem, nil), pick(grp, every, byID))
		fl := &types.ListGroupsForEntityFilters{GroupNamePrefix: aws.String("GRP-099")}
		wantList(t, "joiner, GRP-099", walk(t, 7, listGroupsFor(fl), groupForItem, nil), pick(grp, prefixed(byName, "grp-099"), byName))
	})
	t.Run("ListResourceDelegates", func(t *testing.T) {
		wantList(t, "room", walk(t, 100, listDelegates, delegateItem, nil), slices.Sorted(slices.Values(f.shared)))
	})
	t.Run("ListMailboxPermissions", func(t *testing.T) {
		wantList(t, "joiner", walk(t, 100, listPermissions, permissionItem, nil), slices.Sorted(slices.Values(f.shared)))
	})
	t.Run("ListAliases", func(t *testing.T) {
		want := slices.Sorted(slices.Values(f.aliases)) // lower-case already
		for _, size := range []int32{1, 7, 100} {
			wantList(t, fmt.Sprintf("pages of %d", size), walk(t, size, listAliases, aliasItem, nil), want)
		}
	})
	t.Run("ListMailDomains", func(t *testing.T) {
		want := slices.Sorted(slices.Values(f.domains))
		for _, size := range []int32{37, 100} {
			wantList(t, fmt.Sprintf("pages of %d", size), walk(t, size, listDomains, domainItem, nil), want)
		}
	})

	// A NextToken is bound to its list: another filter, another entity or
	// another organization (naming entities of the same names) refuse it
	// with InvalidParameterException.
	t.Run("tokens", func(t *testing.T) {
		refused := func(what string, err error) {
			t.Helper()
			if err == nil {
				t.Errorf("%s: a NextToken of another list was taken", what)
				return
			}
			wantAPIError(t, err, "InvalidParameterException", "NextToken")
		}
		two := aws.Int32(2)
		g, err := c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org, Filters: &types.ListGroupsFilters{NamePrefix: aws.String("grp-")}, MaxResults: two})
		if err != nil || g.NextToken == nil {
			t.Fatalf("ListGroups: %v", err)
		}
		for _, fl := range []*types.ListGroupsFilters{nil, {NamePrefix: aws.String("grp-0")}, {PrimaryEmailPrefix: aws.String("grp-")}, {State: types.EntityStateEnabled}} {
			_, err = c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org, Filters: fl, NextToken: g.NextToken})
			refused(fmt.Sprintf("ListGroups %+v", fl), err)
		}
		_, err = c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &f.other, Filters: &types.ListGroupsFilters{NamePrefix: aws.String("grp-")}, NextToken: g.NextToken})
		refused("ListGroups, other organization", err)

		r, err := c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org, Filters: &types.ListResourcesFilters{State: types.EntityStateDisabled}, MaxResults: two})
		if err != nil || r.NextToken == nil {
			t.Fatalf("ListResources: %v", err)
		}
		for _, fl := range []*types.ListResourcesFilters{nil, {State: types.EntityStateEnabled}, {NamePrefix: aws.String("")}, {PrimaryEmailPrefix: aws.String("r")}} {
			_, err = c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org, Filters: fl, NextToken: r.NextToken})
			refused(fmt.Sprintf("ListResources %+v", fl), err)
		}
		_, err = c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &f.other, Filters: &types.ListResourcesFilters{State: types.EntityStateDisabled}, NextToken: r.NextToken})
		refused("ListResources, other organization", err)

		u, err := c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, MaxResults: two})
		if err != nil || u.NextToken == nil {
			t.Fatalf("ListUsers: %v", err)
		}
		for _, fl := range []*types.ListUsersFilters{{UsernamePrefix: aws.String("")}, {DisplayNamePrefix: aws.String("u")}, {IdentityProviderUserIdPrefix: aws.String("0")}} {
			_, err = c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, Filters: fl, NextToken: u.NextToken})
			refused(fmt.Sprintf("ListUsers %+v", fl), err)
		}
		_, err = c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &f.other, NextToken: u.NextToken})
		refused("ListUsers, other organization", err)

		m, err := c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: aws.String("all-hands"), MaxResults: two})
		if err != nil || m.NextToken == nil {
			t.Fatalf("ListGroupMembers: %v", err)
		}
		_, err = c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &grp[0].id, NextToken: m.NextToken})
		refused("ListGroupMembers, other group", err)
		_, err = c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &f.other, GroupId: aws.String("all-hands"), NextToken: m.NextToken})
		refused("ListGroupMembers, other organization", err)

		gf, err := c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: aws.String("joiner"), MaxResults: two})
		if err != nil || gf.NextToken == nil {
			t.Fatalf("ListGroupsForEntity: %v", err)
		}
		_, err = c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &f.members[0], NextToken: gf.NextToken})
		refused("ListGroupsForEntity, other entity", err)
		_, err = c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: aws.String("joiner"), NextToken: gf.NextToken,
			Filters: &types.ListGroupsForEntityFilters{GroupNamePrefix: aws.String("grp-")}})
		refused("ListGroupsForEntity, other filter", err)
		_, err = c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &f.other, EntityId: aws.String("joiner"), NextToken: gf.NextToken})
		refused("ListGroupsForEntity, other organization", err)

		d, err := c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: aws.String("res-00001"), MaxResults: two})
		if err != nil || d.NextToken == nil {
			t.Fatalf("ListResourceDelegates: %v", err)
		}
		_, err = c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &res[2].id, NextToken: d.NextToken})
		refused("ListResourceDelegates, other resource", err)
		_, err = c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &f.other, ResourceId: aws.String("res-00001"), NextToken: d.NextToken})
		refused("ListResourceDelegates, other organization", err)

		p, err := c.ListMailboxPermissions(ctx, &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: aws.String("joiner"), MaxResults: two})
		if err != nil || p.NextToken == nil {
			t.Fatalf("ListMailboxPermissions: %v", err)
		}
		_, err = c.ListMailboxPermissions(ctx, &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: &f.members[0], NextToken: p.NextToken})
		refused("ListMailboxPermissions, other entity", err)
		_, err = c.ListMailboxPermissions(ctx, &workmail.ListMailboxPermissionsInput{OrganizationId: &f.other, EntityId: aws.String("joiner"), NextToken: p.NextToken})
		refused("ListMailboxPermissions, other organization", err)

		// EntityId has at least 12 characters: the joiner by id, or by address.
		a, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &f.joiner, MaxResults: two})
		if err != nil || a.NextToken == nil {
			t.Fatalf("ListAliases: %v", err)
		}
		_, err = c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &f.members[0], NextToken: a.NextToken})
		refused("ListAliases, other entity", err)
		_, err = c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &f.other, EntityId: aws.String("joiner@dirother.awsapps.com"), NextToken: a.NextToken})
		refused("ListAliases, other organization", err)

		md, err := c.ListMailDomains(ctx, &workmail.ListMailDomainsInput{OrganizationId: &org, MaxResults: two})
		if err != nil || md.NextToken == nil {
			t.Fatalf("ListMailDomains: %v", err)
		}
		_, err = c.ListMailDomains(ctx, &workmail.ListMailDomainsInput{OrganizationId: &f.other, NextToken: md.NextToken})
		refused("ListMailDomains, other organization", err)
	})

	// Writes between pages. Each walk removes, after every page, one item
	// behind the cursor and one ahead of it (until its 100 victims are
	// used) and adds new ones, which land on both sides: every item there
	// throughout is listed once. The membership lists go first: the
	// directory walks below delete entities they list.
	ts := f.ts
	t.Run("writes/ListGroupMembers", func(t *testing.T) {
		victims := spread(f.members, dirN/100)
		v := newVictims(victims)
		joining := pick(f.users[dirN/2:dirN], live, byID) // most of them not members yet
		got := walk(t, 100, listMembers, memberItem, func(last string) {
			behind, ahead := v.around(last)
			for _, m := range []string{behind, ahead} {
				if m != "" {
					ts.mustDirect(t, "DisassociateMemberFromGroup", map[string]any{"OrganizationId": org, "GroupId": "all-hands", "MemberId": m})
				}
			}
			for range 2 {
				ts.mustDirect(t, "AssociateMemberToGroup", map[string]any{"OrganizationId": org, "GroupId": "all-hands", "MemberId": joining[0]})
				joining = joining[1:]
			}
		})
		wantEach(t, "all-hands", got, without(f.members, victims))
	})
	t.Run("writes/ListGroupsForEntity", func(t *testing.T) {
		ids := pick(grp, every, byID)
		victims := spread(ids, dirN/100)
		v := newVictims(victims)
		n := 0
		got := walk(t, 100, listGroupsFor(nil), groupForItem, func(last string) {
			behind, ahead := v.around(last)
			for _, g := range []string{behind, ahead} {
				if g != "" {
					ts.mustDirect(t, "DisassociateMemberFromGroup", map[string]any{"OrganizationId": org, "GroupId": g, "MemberId": f.joiner})
				}
			}
			for range 2 {
				n++
				id := ts.mustDirect(t, "CreateGroup", map[string]any{"OrganizationId": org, "Name": fmt.Sprintf("joined-%03d", n)})["GroupId"].(string)
				ts.mustDirect(t, "AssociateMemberToGroup", map[string]any{"OrganizationId": org, "GroupId": id, "MemberId": f.joiner})
			}
		})
		wantEach(t, "joiner", got, without(ids, victims))
	})
	t.Run("writes/ListResourceDelegates", func(t *testing.T) {
		victims := spread(f.shared, dirShared/100)
		v := newVictims(victims)
		joining := pick(f.users[dirN/2:dirN], live, byID)
		got := walk(t, 100, listDelegates, delegateItem, func(last string) {
			behind, ahead := v.around(last)
			for _, d := range []string{behind, ahead} {
				if d != "" {
					ts.mustDirect(t, "DisassociateDelegateFromResource", map[string]any{"OrganizationId": org, "ResourceId": f.room, "EntityId": d})
				}
			}
			for range 2 {
				ts.mustDirect(t, "AssociateDelegateToResource", map[string]any{"OrganizationId": org, "ResourceId": f.room, "EntityId": joining[0]})
				joining = joining[1:]
			}
		})
		wantEach(t, "room", got, without(f.shared, victims))
	})
	t.Run("writes/ListMailboxPermissions", func(t *testing.T) {
		victims := spread(f.shared, dirShared/100)
		v := newVictims(victims)
		joining := pick(f.users[dirN/2:dirN], live, byID)
		got := walk(t, 100, listPermissions, permissionItem, func(last string) {
			behind, ahead := v.around(last)
			for _, g := range []string{behind, ahead} {
				if g != "" {
					ts.mustDirect(t, "DeleteMailboxPermissions", map[string]any{"OrganizationId": org, "EntityId": f.joiner, "GranteeId": g})
				}
			}
			for range 2 {
				ts.mustDirect(t, "PutMailboxPermissions", map[string]any{"OrganizationId": org, "EntityId": f.joiner, "GranteeId": joining[0], "PermissionValues": []string{"SEND_ON_BEHALF"}})
				joining = joining[1:]
			}
		})
		wantEach(t, "joiner", got, without(f.shared, victims))
	})
	t.Run("writes/ListAliases", func(t *testing.T) {
		victims := spread(f.aliases, 4) // 25
		v := newVictims(victims)
		n := 0
		got := walk(t, 3, listAliases, aliasItem, func(last string) {
			behind, ahead := v.around(last)
			for _, a := range []string{behind, ahead} {
				if a != "" {
					ts.mustDirect(t, "DeleteAlias", map[string]any{"OrganizationId": org, "EntityId": f.joiner, "Alias": a})
					// A new alias on each side of the cursor takes its place.
					n++
					ts.mustDirect(t, "CreateAlias", map[string]any{"OrganizationId": org, "EntityId": f.joiner, "Alias": fmt.Sprintf("%s-%d@dirpage.awsapps.com", strings.Split(a, "@")[0], n)})
				}
			}
		})
		wantEach(t, "joiner's aliases", got, without(f.aliases, victims))
	})
	t.Run("writes/ListMailDomains", func(t *testing.T) {
		victims := spread(f.domains[:1000], 10)
		v := newVictims(victims)
		n := 0
		got := walk(t, 37, listDomains, domainItem, func(last string) {
			behind, ahead := v.around(last)
			for _, d := range []string{behind, ahead} {
				if d != "" {
					ts.mustDirect(t, "DeregisterMailDomain", map[string]any{"OrganizationId": org, "DomainName": d})
					n++
					ts.mustDirect(t, "RegisterMailDomain", map[string]any{"OrganizationId": org, "DomainName": fmt.Sprintf("%s-%d.example.com", strings.TrimSuffix(d, ".example.com"), n)})
				}
			}
		})
		wantEach(t, "domains", got, without(f.domains, victims))
	})
	// The directory lists, by name: a deleted user or group leaves the
	// list; a deleted resource stays in it, as DELETED.
	t.Run("writes/ListUsers", func(t *testing.T) {
		w := byNameChurn(t, f.users[dirN/2:dirN], listUsers(&types.ListUsersFilters{UsernamePrefix: aws.String("user-")}),
			func(u types.User) (string, string) { return aws.ToString(u.Id), strings.ToLower(aws.ToString(u.Name)) }, byName,
			func(e dirEntity) {
				ts.mustDirect(t, "DeleteUser", map[string]any{"OrganizationId": org, "UserId": e.id})
			},
			func(name string) {
				ts.mustDirect(t, "CreateUser", map[string]any{"OrganizationId": org, "Name": name, "DisplayName": "Late"})
			})
		wantEach(t, "users named user-", w.got, pick(f.users, both(live, both(prefixed(byName, "user-"), w.kept)), byID))
	})
	t.Run("writes/ListResources", func(t *testing.T) {
		w := byNameChurn(t, res[2:], listResources(&types.ListResourcesFilters{NamePrefix: aws.String("res-")}),
			func(r types.Resource) (string, string) {
				// The resource name index orders by name, then id.
				return aws.ToString(r.Id), strings.ToLower(aws.ToString(r.Name)) + "/" + aws.ToString(r.Id)
			}, func(e dirEntity) string { return byName(e) + "/" + e.id },
			func(e dirEntity) {
				ts.mustDirect(t, "DeleteResource", map[string]any{"OrganizationId": org, "ResourceId": e.id})
			},
			func(name string) {
				ts.mustDirect(t, "CreateResource", map[string]any{"OrganizationId": org, "Name": name, "Type": "ROOM"})
			})
		wantEach(t, "resources named res-", w.got, pick(res, w.kept, byID))
	})
	t.Run("writes/ListGroups", func(t *testing.T) {
		w := byNameChurn(t, grp[dirN/2:], listGroups(&types.ListGroupsFilters{NamePrefix: aws.String("grp-")}),
			func(g types.Group) (string, string) { return aws.ToString(g.Id), strings.ToLower(aws.ToString(g.Name)) }, byName,
			func(e dirEntity) {
				ts.mustDirect(t, "DeleteGroup", map[string]any{"OrganizationId": org, "GroupId": e.id})
			},
			func(name string) {
				ts.mustDirect(t, "CreateGroup", map[string]any{"OrganizationId": org, "Name": name})
			})
		wantEach(t, "groups named grp-", w.got, pick(grp, w.kept, byID))
	})
}

// churned is a walk with writes: what it listed, and which entities were
// not removed during it.
type churned struct {
	got  []string
	kept func(dirEntity) bool
}

// byNameChurn walks a directory list filtered by name in pages of 100
// and, after each page, deletes one DISABLED entity of pool behind the
// cursor and one ahead of it (100 in all) and creates, for each, an
// entity whose name sorts next to the deleted one's.
func byNameChurn[T any](t *testing.T, pool []dirEntity, fetch func(int32, *string) ([]T, *string, error),
	item func(T) (id, key string), key func(dirEntity) string, remove func(dirEntity), create func(name string)) churned {
	t.Helper()
	var disabled []dirEntity
	for _, e := range pool {
		if e.state == types.EntityStateDisabled {
			disabled = append(disabled, e)
		}
	}
	byKey := map[string]dirEntity{} // victims, by their place in the list's order
	var keys []string
	for _, e := range spreadEntities(disabled, len(disabled)/100) {
		byKey[key(e)] = e
		keys = append(keys, key(e))
	}
	v := newVictims(keys)
	removed := map[string]bool{}
	n := 0
	got := walk(t, 100, fetch, item, func(last string) {
		behind, ahead := v.around(last)
		for _, k := range []string{behind, ahead} {
			if e, ok := byKey[k]; ok {
				remove(e)
				removed[e.id] = true
				n++
				create(fmt.Sprintf("%s-%d", strings.ToLower(e.name), n))
			}
		}
	})
	return churned{got: got, kept: func(e dirEntity) bool { return !removed[e.id] }}
}

// spreadEntities is every step-th entity, from the middle of a step.
func spreadEntities(es []dirEntity, step int) []dirEntity {
	var out []dirEntity
	for i := step / 2; i < len(es); i += step {
		out = append(out, es[i])
	}
	return out
}
