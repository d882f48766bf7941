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

// listResources walks the SDK paginator to the end and returns the
// resource ids in order, failing on a duplicate or an oversized page.
func listResources(t *testing.T, c *workmail.Client, in *workmail.ListResourcesInput) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	p := workmail.NewListResourcesPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && len(page.Resources) > int(*in.MaxResults) {
			t.Fatalf("page of %d > MaxResults %d", len(page.Resources), *in.MaxResults)
		}
		for _, r := range page.Resources {
			id := aws.ToString(r.Id)
			if seen[id] {
				t.Fatalf("resource %s listed twice", id)
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

func listDelegates(t *testing.T, c *workmail.Client, in *workmail.ListResourceDelegatesInput) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	p := workmail.NewListResourceDelegatesPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && len(page.Delegates) > int(*in.MaxResults) {
			t.Fatalf("page of %d > MaxResults %d", len(page.Delegates), *in.MaxResults)
		}
		for _, d := range page.Delegates {
			id := aws.ToString(d.Id)
			if seen[id] || d.Type != types.MemberTypeUser {
				t.Fatalf("delegate %s (%s) listed twice or of a wrong type", id, d.Type)
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// 300 resources, of which some are registered and some deleted, among
// users whose names and addresses share the namespace: every filter lists
// exactly its resources, once each, at any page size, even while more are
// created during the walk.
func TestListResourcesPaging(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "many")
	want := map[string][]string{}
	for i := range 300 {
		kind := []string{"room", "desk", "cart"}[i%3]
		name := fmt.Sprintf("%s-%03d", kind, i)
		id := createResource(t, c, org, name, types.ResourceTypeRoom)
		want["all"] = append(want["all"], id)
		want[kind] = append(want[kind], id)
		switch {
		case i%5 == 0:
			register(t, c, org, id, fmt.Sprintf("mail-%s@many.awsapps.com", name))
			want["enabled"] = append(want["enabled"], id)
			want["mail-"+kind] = append(want["mail-"+kind], id)
			want["mail"] = append(want["mail"], id)
		case i%7 == 0:
			if _, err := c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: &id}); err != nil {
				t.Fatal(err)
			}
			want["deleted"] = append(want["deleted"], id)
		default:
			want["disabled"] = append(want["disabled"], id)
		}
		if i%10 == 0 {
			u := createUser(t, c, org, "room-user-"+name, "")
			register(t, c, org, u, "mail-room-user-"+name+"@many.awsapps.com")
		}
	}
	for name, tc := range map[string]struct {
		f    *types.ListResourcesFilters
		want string
	}{
		"none":          {nil, "all"},
		"name":          {&types.ListResourcesFilters{NamePrefix: aws.String("ROOM-")}, "room"},
		"name 2":        {&types.ListResourcesFilters{NamePrefix: aws.String("desk")}, "desk"},
		"email":         {&types.ListResourcesFilters{PrimaryEmailPrefix: aws.String("Mail-Cart")}, "mail-cart"},
		"any email":     {&types.ListResourcesFilters{PrimaryEmailPrefix: aws.String("mail-")}, "mail"},
		"enabled":       {&types.ListResourcesFilters{State: types.EntityStateEnabled}, "enabled"},
		"disabled":      {&types.ListResourcesFilters{State: types.EntityStateDisabled}, "disabled"},
		"deleted":       {&types.ListResourcesFilters{State: types.EntityStateDeleted}, "deleted"},
		"name, no hit":  {&types.ListResourcesFilters{NamePrefix: aws.String("zzz")}, "none"},
		"email, no hit": {&types.ListResourcesFilters{PrimaryEmailPrefix: aws.String("room")}, "none"},
	} {
		for _, size := range []int32{1, 7, 100} {
			got := listResources(t, c, &workmail.ListResourcesInput{OrganizationId: &org, Filters: tc.f, MaxResults: aws.Int32(size)})
			slices.Sort(got)
			w := slices.Sorted(slices.Values(want[tc.want]))
			if !slices.Equal(got, w) {
				t.Fatalf("%s, pages of %d: %d resources, want %d", name, size, len(got), len(w))
			}
		}
	}
	// Without MaxResults, pages of 100.
	first, err := c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org})
	if err != nil || len(first.Resources) != 100 || first.NextToken == nil {
		t.Fatalf("first page: %d, %v", len(first.Resources), err)
	}

	// Resources created during the walk cause no duplicate and no gap
	// among those that were there before.
	for round, f := range []*types.ListResourcesFilters{nil, {NamePrefix: aws.String("room")}, {State: types.EntityStateDisabled}} {
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := range 30 {
				if _, err := c.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: &org, Name: aws.String(fmt.Sprintf("room-new-%d-%d", round, i)), Type: types.ResourceTypeEquipment}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		ids := listResources(t, c, &workmail.ListResourcesInput{OrganizationId: &org, Filters: f, MaxResults: aws.Int32(9)})
		wg.Wait()
		got := map[string]bool{}
		for _, id := range ids {
			got[id] = true
		}
		for _, id := range want[[]string{"all", "room", "disabled"}[round]] {
			if !got[id] {
				t.Fatalf("filter %+v: resource %s missing from the walk", f, id)
			}
		}
	}

	// Tokens: tampered, foreign to the filter, or from another list.
	tok := aws.ToString(first.NextToken)
	for _, bad := range []string{"garbage", tamper(t, tok)} {
		_, err = c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org, NextToken: aws.String(bad)})
		wantAPIError(t, err, "InvalidParameterException", "NextToken")
	}
	for _, f := range []*types.ListResourcesFilters{{State: types.EntityStateDisabled}, {NamePrefix: aws.String("")}} {
		_, err = c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org, NextToken: &tok, Filters: f})
		wantAPIError(t, err, "InvalidParameterException", "NextToken")
	}
	_, err = c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: aws.String(want["all"][1]), NextToken: &tok})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	// One filter per request.
	_, err = c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org, Filters: &types.ListResourcesFilters{
		NamePrefix: aws.String("room"), State: types.EntityStateEnabled,
	}})
	wantAPIError(t, err, "InvalidParameterException", "one filter")
}

// A resource with 250 delegates lists each once at any page size, and a
// token is bound to its resource.
func TestListResourceDelegatesPaging(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "crowd")
	room := createResource(t, c, org, "room", types.ResourceTypeRoom)
	other := createResource(t, c, org, "other", types.ResourceTypeRoom)
	var want []string
	for i := range 250 {
		u := createUser(t, c, org, fmt.Sprintf("user-%03d", i), "")
		if _, err := c.AssociateDelegateToResource(ctx, &workmail.AssociateDelegateToResourceInput{OrganizationId: &org, ResourceId: &room, EntityId: &u}); err != nil {
			t.Fatal(err)
		}
		want = append(want, u)
		if i%50 == 0 {
			if _, err := c.AssociateDelegateToResource(ctx, &workmail.AssociateDelegateToResourceInput{OrganizationId: &org, ResourceId: &other, EntityId: &u}); err != nil {
				t.Fatal(err)
			}
		}
	}
	slices.Sort(want)
	for _, size := range []int32{1, 13, 100} {
		got := listDelegates(t, c, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: aws.String("room"), MaxResults: aws.Int32(size)})
		if !slices.Equal(got, want) {
			t.Fatalf("pages of %d: %d delegates, want %d in id order", size, len(got), len(want))
		}
	}
	if got := listDelegates(t, c, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &other}); len(got) != 5 {
		t.Fatalf("other: %d delegates", len(got))
	}
	first, err := c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &room})
	if err != nil || len(first.Delegates) != 100 || first.NextToken == nil {
		t.Fatalf("first page: %d, %v", len(first.Delegates), err)
	}
	_, err = c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &other, NextToken: first.NextToken})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	// The same resource named another way takes the token.
	next, err := c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: aws.String("ROOM"), NextToken: first.NextToken})
	if err != nil || len(next.Delegates) != 100 || aws.ToString(next.Delegates[0].Id) != want[100] {
		t.Fatalf("second page by name: %d, %v", len(next.Delegates), err)
	}
	// Deleting the resource drops its 250 delegations; the users keep theirs elsewhere.
	if _, err := c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: &room}); err != nil {
		t.Fatal(err)
	}
	if got := listDelegates(t, c, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &other}); len(got) != 5 {
		t.Fatalf("other after deleting room: %d delegates", len(got))
	}
}
