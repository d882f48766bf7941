package server_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

// listUsers walks the SDK paginator to the end and returns the user ids in
// order, failing on a duplicate or an oversized page.
func listUsers(t *testing.T, c *workmail.Client, in *workmail.ListUsersInput) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	p := workmail.NewListUsersPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && len(page.Users) > int(*in.MaxResults) {
			t.Fatalf("page of %d > MaxResults %d", len(page.Users), *in.MaxResults)
		}
		for _, u := range page.Users {
			id := aws.ToString(u.Id)
			if seen[id] {
				t.Fatalf("user %s listed twice", id)
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

func TestListUsersFilters(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	o := newTokenOrg(t, c, "filters") // alice: enabled, linked to idpAlice
	bob := createUser(t, c, o.ID, "bob", idpBob)
	albert := createUser(t, c, o.ID, "Albert", "")
	register(t, c, o.ID, albert, "zed@filters.awsapps.com")

	byFilter := func(f *types.ListUsersFilters) []string {
		ids := listUsers(t, c, &workmail.ListUsersInput{OrganizationId: &o.ID, Filters: f, MaxResults: aws.Int32(1)})
		slices.Sort(ids)
		return ids
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	for name, tc := range map[string]struct {
		f    *types.ListUsersFilters
		want []string
	}{
		"none":             {nil, sorted(o.Alice, bob, albert)},
		"username":         {&types.ListUsersFilters{UsernamePrefix: aws.String("AL")}, sorted(o.Alice, albert)},
		"display name":     {&types.ListUsersFilters{DisplayNamePrefix: aws.String("user b")}, sorted(bob)},
		"email":            {&types.ListUsersFilters{PrimaryEmailPrefix: aws.String("zed@")}, sorted(albert)},
		"state":            {&types.ListUsersFilters{State: types.EntityStateEnabled}, sorted(o.Alice, albert)},
		"identity prefix":  {&types.ListUsersFilters{IdentityProviderUserIdPrefix: aws.String("1234567890-AAAA")}, sorted(o.Alice)},
		"identity, no hit": {&types.ListUsersFilters{IdentityProviderUserIdPrefix: aws.String("ffff")}, nil},
	} {
		if got := byFilter(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}

	// The link as ListUsers shows it, with the identity store id.
	out, err := c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &o.ID, Filters: &types.ListUsersFilters{IdentityProviderUserIdPrefix: aws.String("1234567890")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Users) != 1 || aws.ToString(out.Users[0].IdentityProviderUserId) != idpAlice ||
		aws.ToString(out.Users[0].IdentityProviderIdentityStoreId) != aws.ToString(describeUser(t, c, o.ID, o.Alice).IdentityProviderIdentityStoreId) ||
		out.Users[0].State != types.EntityStateEnabled || aws.ToString(out.Users[0].Email) != "alice@filters.awsapps.com" {
		t.Fatalf("ListUsers by identity prefix: %+v", out.Users)
	}
	// Clearing the link takes the user out of the filter.
	if _, err := c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &o.ID, UserId: &o.Alice, IdentityProviderUserId: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	if got := byFilter(&types.ListUsersFilters{IdentityProviderUserIdPrefix: aws.String("1234567890")}); got != nil {
		t.Fatalf("unlinked user still listed by identity prefix: %v", got)
	}

	// One filter per request, as AWS documents.
	_, err = c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &o.ID, Filters: &types.ListUsersFilters{
		UsernamePrefix: aws.String("a"), State: types.EntityStateEnabled,
	}})
	wantAPIError(t, err, "InvalidParameterException", "one filter")
	_, err = c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &o.ID, Filters: &types.ListUsersFilters{IdentityProviderUserIdPrefix: aws.String("xyz")}})
	wantAPIError(t, err, "InvalidParameterException", "identityProviderUserIdPrefix")
}

func TestListUsersPagination(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "paging")
	before := map[string]bool{}
	for i := range 25 {
		before[createUser(t, c, org, fmt.Sprintf("user-%02d", i), "")] = true
	}

	for round, f := range []*types.ListUsersFilters{nil, {UsernamePrefix: aws.String("user-")}} {
		// Users created while the list is walked cause no duplicate and
		// no gap among those that existed before.
		// A bounded number of inserts run alongside the walk (an unbounded
		// stream could outrun any walk).
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				if _, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String(fmt.Sprintf("user-new-%d-%d", round, i)), DisplayName: aws.String("n")}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		ids := listUsers(t, c, &workmail.ListUsersInput{OrganizationId: &org, Filters: f, MaxResults: aws.Int32(3)})
		wg.Wait()
		got := map[string]bool{}
		for _, id := range ids {
			got[id] = true
		}
		for id := range before {
			if !got[id] {
				t.Fatalf("filter %+v: user %s missing from the walk", f, id)
			}
		}
	}

	first, err := c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, MaxResults: aws.Int32(2)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v, %v", err, first)
	}
	tok := *first.NextToken
	for _, bad := range []string{"garbage", tamper(t, tok)} {
		_, err = c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, NextToken: aws.String(bad)})
		wantAPIError(t, err, "InvalidParameterException", "NextToken")
	}
	// A token is bound to its filter, and an empty filter is not none.
	for _, f := range []*types.ListUsersFilters{{State: types.EntityStateDisabled}, {UsernamePrefix: aws.String("")}} {
		_, err = c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, NextToken: &tok, Filters: f})
		wantAPIError(t, err, "InvalidParameterException", "NextToken")
	}
}
