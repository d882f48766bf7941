package server_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
	"github.com/workmaild/workmaild/server"
)

// layout2 is what testdata/layout2/workmaild.db holds (see its README).
type layout2 struct {
	Account, Region string
	Now             time.Time
	Organization    string
	Users, Groups   map[string]string // ids by name
}

// A data file of record layout 2 opens with this release, which lists
// users and groups by state, users by display name and a member's groups
// by name from indexes layout 2 did not have: the migration builds them,
// every filtered list answers as before (in its order), the indexes then
// follow changes, and Purge takes the entries of what it removes.
func TestLayout2DataFileMigrates(t *testing.T) {
	var want layout2
	raw, err := os.ReadFile("testdata/layout2/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, err := os.ReadFile("testdata/layout2/workmaild.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, server.DataFileName), db, 0o600); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: want.Now.Add(2 * time.Hour)}
	ts := startServer(t, server.Options{DataDir: dir, Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()
	org := &want.Organization
	u, g := want.Users, want.Groups

	// Pages of one, so that every page and its NextToken go through the index.
	users := func(fl *types.ListUsersFilters) []string {
		t.Helper()
		var ids []string
		p := workmail.NewListUsersPaginator(c, &workmail.ListUsersInput{OrganizationId: org, Filters: fl, MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListUsers %+v: %v", fl, err)
			}
			for _, x := range out.Users {
				ids = append(ids, aws.ToString(x.Id))
			}
		}
		return ids
	}
	groups := func(fl *types.ListGroupsFilters) []string {
		t.Helper()
		var ids []string
		p := workmail.NewListGroupsPaginator(c, &workmail.ListGroupsInput{OrganizationId: org, Filters: fl, MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListGroups %+v: %v", fl, err)
			}
			for _, x := range out.Groups {
				ids = append(ids, aws.ToString(x.Id))
			}
		}
		return ids
	}
	groupsOf := func(entity, prefix string) []string {
		t.Helper()
		var ids []string
		p := workmail.NewListGroupsForEntityPaginator(c, &workmail.ListGroupsForEntityInput{OrganizationId: org, EntityId: aws.String(entity),
			Filters: &types.ListGroupsForEntityFilters{GroupNamePrefix: aws.String(prefix)}, MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListGroupsForEntity %s %q: %v", entity, prefix, err)
			}
			for _, x := range out.Groups {
				ids = append(ids, aws.ToString(x.GroupId))
			}
		}
		return ids
	}
	byID := func(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}

	check("users ENABLED", users(&types.ListUsersFilters{State: types.EntityStateEnabled}), byID(u["ann"], u["eve"]))
	check("users DISABLED", users(&types.ListUsersFilters{State: types.EntityStateDisabled}), byID(u["bob"], u["cy"], u["fay"]))
	check("users DELETED", users(&types.ListUsersFilters{State: types.EntityStateDeleted}), []string{u["dee"]})
	// Display names in their order without regard to case, a deleted user's
	// included: Ann (dee), Ann Smith, ANNA.
	check("display ann", users(&types.ListUsersFilters{DisplayNamePrefix: aws.String("ann")}), []string{u["dee"], u["ann"], u["eve"]})
	check("display CY", users(&types.ListUsersFilters{DisplayNamePrefix: aws.String("CY")}), []string{u["cy"]})
	check("display zed (cy's name before UpdateUser)", users(&types.ListUsersFilters{DisplayNamePrefix: aws.String("zed")}), nil)
	check("display all", users(&types.ListUsersFilters{DisplayNamePrefix: aws.String("")}),
		[]string{u["dee"], u["ann"], u["eve"], u["bob"], u["cy"], u["fay"]})
	check("users named a", users(&types.ListUsersFilters{UsernamePrefix: aws.String("A")}), []string{u["ann"]})
	check("users of email e", users(&types.ListUsersFilters{PrimaryEmailPrefix: aws.String("e")}), []string{u["eve"]})
	check("groups named s", groups(&types.ListGroupsFilters{NamePrefix: aws.String("s")}), []string{g["Sales"], g["sales-eu"], g["Support"]})
	check("groups of email s", groups(&types.ListGroupsFilters{PrimaryEmailPrefix: aws.String("S")}), []string{g["Sales"], g["Support"]})
	check("groups ENABLED", groups(&types.ListGroupsFilters{State: types.EntityStateEnabled}), byID(g["Sales"], g["Support"]))
	check("groups DISABLED", groups(&types.ListGroupsFilters{State: types.EntityStateDisabled}), byID(g["sales-eu"], g["Engineering"]))
	check("groups DELETED", groups(&types.ListGroupsFilters{State: types.EntityStateDeleted}), []string{g["Gone"]})
	check("ann's groups s", groupsOf(u["ann"], "s"), []string{g["Sales"], g["sales-eu"], g["Support"]})
	check("ann's groups SALES", groupsOf(u["ann"], "SALES"), []string{g["Sales"], g["sales-eu"]})
	check("sales-eu's groups", groupsOf(g["sales-eu"], ""), []string{g["Sales"]})
	check("bob's groups", groupsOf(u["bob"], "e"), []string{g["Engineering"]})

	// The new entries follow changes: a state, a display name, a membership.
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: org, EntityId: aws.String(u["eve"])}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: org, UserId: aws.String(u["fay"]), DisplayName: aws.String("Annabel")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AssociateMemberToGroup(ctx, &workmail.AssociateMemberToGroupInput{OrganizationId: org, GroupId: aws.String(g["Engineering"]), MemberId: aws.String(u["ann"])}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisassociateMemberFromGroup(ctx, &workmail.DisassociateMemberFromGroupInput{OrganizationId: org, GroupId: aws.String(g["Sales"]), MemberId: aws.String(u["ann"])}); err != nil {
		t.Fatal(err)
	}
	check("users ENABLED after", users(&types.ListUsersFilters{State: types.EntityStateEnabled}), []string{u["ann"]})
	check("users DISABLED after", users(&types.ListUsersFilters{State: types.EntityStateDisabled}), byID(u["bob"], u["cy"], u["eve"], u["fay"]))
	check("display ann after", users(&types.ListUsersFilters{DisplayNamePrefix: aws.String("ann")}), []string{u["dee"], u["ann"], u["eve"], u["fay"]})
	check("display fay after", users(&types.ListUsersFilters{DisplayNamePrefix: aws.String("fay")}), nil)
	check("ann's groups after", groupsOf(u["ann"], ""), []string{g["Engineering"], g["sales-eu"], g["Support"]})

	// 31 days on, Purge removes the deleted user and group, with their entries.
	clock.Advance(31 * 24 * time.Hour)
	if err := ts.srv.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	check("users DELETED after purge", users(&types.ListUsersFilters{State: types.EntityStateDeleted}), nil)
	check("groups DELETED after purge", groups(&types.ListGroupsFilters{State: types.EntityStateDeleted}), nil)
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(filepath.Join(dir, server.DataFileName), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(ctx, store.Partition{Account: want.Account, Region: want.Region}, func(r store.Reader) error {
		if v, err := r.Get("meta", "schema"); err != nil || string(v) != "3" {
			t.Errorf("schema version: %q, %v", v, err)
		}
		counts := map[string]int{}
		for _, coll := range []string{"user-name", "user-email", "user-state", "user-display", "group-name", "group-email", "group-state", "member-of-group-name"} {
			err := r.Scan(coll, "", "", 0, func(key string, _ []byte) (bool, error) {
				counts[coll]++
				for _, gone := range []string{u["dee"], g["Gone"]} {
					if strings.Contains(key, gone) {
						t.Errorf("%s %q is left of %s", coll, key, gone)
					}
				}
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		// Five users (two with an address), four groups (two with an
		// address); memberships: ann in three, sales-eu in Sales, bob in
		// Engineering.
		if w := map[string]int{"user-name": 5, "user-email": 2, "user-state": 5, "user-display": 5,
			"group-name": 4, "group-email": 2, "group-state": 4, "member-of-group-name": 5}; !maps.Equal(counts, w) {
			t.Errorf("index entries %v, want %v", counts, w)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
