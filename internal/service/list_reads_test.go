package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/paging"
	"github.com/workmaild/workmaild/internal/store"
)

// countingStore counts the records its read transactions read: every Get,
// and every record a Scan hands to its function. Writes are not counted.
type countingStore struct {
	store.Store
	reads *atomic.Int64
}

func (s countingStore) View(ctx context.Context, p store.Partition, fn func(store.Reader) error) error {
	return s.Store.View(ctx, p, func(r store.Reader) error { return fn(countingReader{r, s.reads}) })
}

type countingReader struct {
	store.Reader
	reads *atomic.Int64
}

func (r countingReader) Get(collection, id string) ([]byte, error) {
	r.reads.Add(1)
	return r.Reader.Get(collection, id)
}

func (r countingReader) Scan(collection, prefix, after string, limit int, fn func(string, []byte) (bool, error)) error {
	return r.Reader.Scan(collection, prefix, after, limit, func(id string, v []byte) (bool, error) {
		r.reads.Add(1)
		return fn(id, v)
	})
}

// counting returns a Service on the fixture's store that counts what its
// reads read.
func (f *fixture) counting() (*Service, *atomic.Int64) {
	reads := new(atomic.Int64)
	return New(Config{Store: countingStore{f.st, reads}, Now: f.clock.Now,
		Paging: paging.NewCodec([]byte("0123456789abcdef0123456789abcdef"))}), reads
}

// pageReads is the most records one page of limit items may read: the
// organization and layout checks, and for each item and the one item of
// look-ahead an index entry and the record behind it.
func pageReads(limit int) int64 { return int64(10 + 2*(limit+1)) }

// A filtered page reads what it returns (and one item more, to know
// whether another follows), however many records the list's organization
// holds that the filter leaves out: 1,000 DISABLED groups, users and
// memberships do not make the page of the one ENABLED group, the one
// display name or the one group name dearer, nor the last page of a list
// whose last item is followed by non-matching records, nor do the other
// kinds' names in the shared name index.
func TestFilteredPagesReadWhatTheyReturn(t *testing.T) {
	f := newFixture(t)
	org := f.org("reads")
	joiner := f.user(org, "joiner")
	const n = 1000
	for i := range n {
		g := f.group(org, fmt.Sprintf("team-%04d", i))
		if err := f.associate(org, g, joiner); err != nil {
			t.Fatal(err)
		}
		f.user(org, fmt.Sprintf("staff-%04d", i))
	}
	zeta := f.group(org, "Zeta")
	if err := f.register(org, zeta, "zeta@reads.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.associate(org, zeta, joiner); err != nil {
		t.Fatal(err)
	}
	zoe := f.user(org, "zoe")
	if _, err := f.s.UpdateUser(f.ctx, &model.UpdateUserInput{OrganizationId: &org, UserId: &zoe, DisplayName: ptr("Quinn Z")}); err != nil {
		t.Fatal(err)
	}
	if err := f.register(org, zoe, "zoe@reads.awsapps.com"); err != nil {
		t.Fatal(err)
	}

	s, reads := f.counting()
	one := ptr(int32(1))
	measure := func(what string, limit int, list func() ([]string, *string, error)) ([]string, *string) {
		t.Helper()
		reads.Store(0)
		ids, next, err := list()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := reads.Load(); got > pageReads(limit) {
			t.Errorf("%s: a page of %d read %d records, want at most %d", what, limit, got, pageReads(limit))
		}
		return ids, next
	}
	groupsPage := func(fl *model.ListGroupsFilters, max *int32, token *string) func() ([]string, *string, error) {
		return func() ([]string, *string, error) {
			out, err := s.ListGroups(f.ctx, &model.ListGroupsInput{OrganizationId: &org, Filters: fl, MaxResults: max, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, g := range out.Groups {
				ids = append(ids, *g.Id)
			}
			return ids, out.NextToken, nil
		}
	}
	usersPage := func(fl *model.ListUsersFilters, max *int32, token *string) func() ([]string, *string, error) {
		return func() ([]string, *string, error) {
			out, err := s.ListUsers(f.ctx, &model.ListUsersInput{OrganizationId: &org, Filters: fl, MaxResults: max, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, u := range out.Users {
				ids = append(ids, *u.Id)
			}
			return ids, out.NextToken, nil
		}
	}

	enabled := &model.ListGroupsFilters{State: ptr(model.EntityStateEnabled)}
	if ids, next := measure("ListGroups ENABLED", 1, groupsPage(enabled, one, nil)); !slices.Equal(ids, []string{zeta}) || next != nil {
		t.Errorf("ListGroups ENABLED: %q, NextToken %v; want [%s] alone", ids, next != nil, zeta)
	}
	// The groups' names come after the users' in the shared name index.
	if ids, _ := measure("ListGroups name", 1, groupsPage(&model.ListGroupsFilters{NamePrefix: ptr("")}, one, nil)); len(ids) != 1 {
		t.Errorf("ListGroups name: %q", ids)
	}
	if ids, next := measure("ListGroups email z", 1, groupsPage(&model.ListGroupsFilters{PrimaryEmailPrefix: ptr("Z")}, one, nil)); !slices.Equal(ids, []string{zeta}) || next != nil {
		t.Errorf("ListGroups email z: %q, NextToken %v; want [%s] alone", ids, next != nil, zeta)
	}
	// A state's list in id order, page after page, each as dear as the first.
	disabled := &model.ListGroupsFilters{State: ptr(model.EntityStateDisabled)}
	var all []string
	var token *string
	for page := 0; ; page++ {
		ids, next := measure(fmt.Sprintf("ListGroups DISABLED page %d", page), 100, groupsPage(disabled, ptr(int32(100)), token))
		all = append(all, ids...)
		if next == nil {
			break
		}
		token = next
	}
	if len(all) != n || !slices.IsSorted(all) {
		t.Errorf("ListGroups DISABLED: %d groups (sorted: %v), want %d in id order", len(all), slices.IsSorted(all), n)
	}

	if ids, next := measure("ListUsers ENABLED", 1, usersPage(&model.ListUsersFilters{State: ptr(model.EntityStateEnabled)}, one, nil)); !slices.Equal(ids, []string{zoe}) || next != nil {
		t.Errorf("ListUsers ENABLED: %q, NextToken %v; want [%s] alone", ids, next != nil, zoe)
	}
	if ids, next := measure("ListUsers name zoe", 1, usersPage(&model.ListUsersFilters{UsernamePrefix: ptr("ZOE")}, one, nil)); !slices.Equal(ids, []string{zoe}) || next != nil {
		t.Errorf("ListUsers name zoe: %q, NextToken %v; want [%s] alone", ids, next != nil, zoe)
	}
	// The renamed user is found by the name it has, not by the one it had.
	if ids, next := measure("ListUsers display qU", 1, usersPage(&model.ListUsersFilters{DisplayNamePrefix: ptr("qU")}, one, nil)); !slices.Equal(ids, []string{zoe}) || next != nil {
		t.Errorf("ListUsers display qU: %q, NextToken %v; want [%s] alone", ids, next != nil, zoe)
	}
	if ids, _ := measure("ListUsers display zoe", 1, usersPage(&model.ListUsersFilters{DisplayNamePrefix: ptr("zoe")}, one, nil)); len(ids) != 0 {
		t.Errorf("ListUsers display zoe, the name it had: %q", ids)
	}
	if ids, _ := measure("ListUsers display joiner", 1, usersPage(&model.ListUsersFilters{DisplayNamePrefix: ptr("joiner")}, one, nil)); !slices.Equal(ids, []string{joiner}) {
		t.Errorf("ListUsers display joiner: %q", ids)
	}

	forEntity := func(prefix string) func() ([]string, *string, error) {
		return func() ([]string, *string, error) {
			out, err := s.ListGroupsForEntity(f.ctx, &model.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &joiner,
				Filters: &model.ListGroupsForEntityFilters{GroupNamePrefix: &prefix}, MaxResults: one})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, g := range out.Groups {
				ids = append(ids, *g.GroupId)
			}
			return ids, out.NextToken, nil
		}
	}
	if ids, next := measure("ListGroupsForEntity ZE", 1, forEntity("ZE")); !slices.Equal(ids, []string{zeta}) || next != nil {
		t.Errorf("ListGroupsForEntity ZE: %q, NextToken %v; want [%s] alone", ids, next != nil, zeta)
	}
	if ids, next := measure("ListGroupsForEntity team-0999", 1, forEntity("team-0999")); len(ids) != 1 || next != nil {
		t.Errorf("ListGroupsForEntity team-0999: %q, NextToken %v", ids, next != nil)
	}
}

// A NextToken names the record layout it was issued under: after an
// upgrade that changed the layout it is refused, not resumed at a key
// that may now belong to another collection.
func TestTokensOfAnOlderLayoutAreRefused(t *testing.T) {
	f := newFixture(t)
	org := f.org("tokens")
	g := f.group(org, "g")
	for v, ok := range map[int]bool{schemaVersion: true, schemaVersion - 1: false} {
		scope := "ListGroups\x00" + strconv.Itoa(v) + "\x00" + testAccount + "\x00" + testRegion + "\x00" + org + "\x00-\x00-\x00-"
		token := f.s.paging.Encode(scope, org+"/"+g)
		out, err := f.s.ListGroups(f.ctx, &model.ListGroupsInput{OrganizationId: &org, NextToken: &token})
		if ok && (err != nil || len(out.Groups) != 0) {
			t.Errorf("a token of layout %d: %+v, %v", v, out, err)
		}
		if !ok {
			wantCode(t, err, model.ErrInvalidParameter)
		}
	}
}
