package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

// ListGroups, ListGroupMembers and ListGroupsForEntity page through a few
// hundred entries with every filter, in pages of several sizes: each entry
// exactly once, none missing, none that the filter excludes.
func TestGroupListsPaging(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "gpage")

	// 300 groups: team-000..team-149 (every third one ENABLED as
	// t<n>@, every fifth then DELETED) and dept-000..dept-149, DISABLED.
	// Users named team-user-* share the name index and must not show.
	const n = 150
	byName := map[string]string{}
	var enabled, deleted, disabled, teams, depts, emailT1 []string
	for i := range n {
		for _, kind := range []string{"team", "dept"} {
			name := fmt.Sprintf("%s-%03d", kind, i)
			id := createGroup(t, c, org, name)
			byName[name] = id
			switch {
			case kind == "dept":
				depts, disabled = append(depts, id), append(disabled, id)
			case i%5 == 0:
				if _, err := c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &id}); err != nil {
					t.Fatal(err)
				}
				deleted = append(deleted, id)
			case i%3 == 0:
				email := fmt.Sprintf("t%d@gpage.awsapps.com", i)
				register(t, c, org, id, email)
				enabled, teams = append(enabled, id), append(teams, id)
				if email[:2] == "t1" {
					emailT1 = append(emailT1, id)
				}
			default:
				disabled, teams = append(disabled, id), append(teams, id)
			}
		}
	}
	for i := range 20 {
		u := createUser(t, c, org, fmt.Sprintf("team-user-%02d", i), "")
		register(t, c, org, u, fmt.Sprintf("t1-user-%d@gpage.awsapps.com", i))
	}
	live := slices.Concat(teams, depts)

	ids := func(gs []types.Group) []string {
		var out []string
		for _, g := range gs {
			out = append(out, aws.ToString(g.Id))
		}
		return out
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	for _, size := range []int32{1, 7, 100} {
		for name, tc := range map[string]struct {
			f    *types.ListGroupsFilters
			want []string
		}{
			"none":           {nil, slices.Concat(live, deleted)},
			"name prefix":    {&types.ListGroupsFilters{NamePrefix: aws.String("TEAM-")}, teams},
			"name, no hit":   {&types.ListGroupsFilters{NamePrefix: aws.String("zzz")}, nil},
			"email prefix":   {&types.ListGroupsFilters{PrimaryEmailPrefix: aws.String("T1")}, emailT1},
			"state enabled":  {&types.ListGroupsFilters{State: types.EntityStateEnabled}, enabled},
			"state disabled": {&types.ListGroupsFilters{State: types.EntityStateDisabled}, disabled},
			"state deleted":  {&types.ListGroupsFilters{State: types.EntityStateDeleted}, deleted},
		} {
			if size == 1 && name == "none" {
				continue // 375 requests add nothing the other sizes do not show
			}
			got := listGroups(t, c, &workmail.ListGroupsInput{OrganizationId: &org, Filters: tc.f, MaxResults: &size})
			if !slices.Equal(sorted(ids(got)), sorted(tc.want)) {
				t.Errorf("ListGroups %s, pages of %d: %d groups, want %d", name, size, len(got), len(tc.want))
			}
			// Name and email filters list in that value's order; the others in id order.
			if tc.f == nil || tc.f.State != "" {
				if !slices.IsSorted(ids(got)) {
					t.Errorf("ListGroups %s: not in id order", name)
				}
			}
		}
	}
	// What a listed group shows.
	for _, g := range listGroups(t, c, &workmail.ListGroupsInput{OrganizationId: &org, Filters: &types.ListGroupsFilters{NamePrefix: aws.String("team-003")}}) {
		if aws.ToString(g.Id) != byName["team-003"] || aws.ToString(g.Name) != "team-003" || aws.ToString(g.Email) != "t3@gpage.awsapps.com" ||
			g.State != types.EntityStateEnabled || !aws.ToTime(g.EnabledDate).Equal(clock.Now()) || g.DisabledDate != nil {
			t.Errorf("listed group: %+v", g)
		}
	}
	// Deleted groups are listed until their retention ends.
	clock.Advance(30 * 24 * time.Hour)
	if got := listGroups(t, c, &workmail.ListGroupsInput{OrganizationId: &org, Filters: &types.ListGroupsFilters{State: types.EntityStateDeleted}}); len(got) != 0 {
		t.Errorf("deleted groups listed after their retention: %d", len(got))
	}

	// One group with 250 members (users and groups), one user in every
	// live group.
	big := byName["dept-000"]
	var memberIDs []string
	for i := range 200 {
		u := createUser(t, c, org, fmt.Sprintf("member-%03d", i), "")
		associate(t, c, org, big, u)
		memberIDs = append(memberIDs, u)
	}
	for _, id := range depts[1:51] {
		associate(t, c, org, big, id)
		memberIDs = append(memberIDs, id)
	}
	for _, size := range []int32{1, 9, 100} {
		got := listMembers(t, c, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &big, MaxResults: &size})
		var gotIDs []string
		groupsSeen := 0
		for _, m := range got {
			gotIDs = append(gotIDs, aws.ToString(m.Id))
			if m.Type == types.MemberTypeGroup {
				groupsSeen++
			}
		}
		if !slices.IsSorted(gotIDs) || !slices.Equal(gotIDs, sorted(memberIDs)) || groupsSeen != 50 {
			t.Errorf("ListGroupMembers, pages of %d: %d members (%d groups), want %d (50)", size, len(gotIDs), groupsSeen, len(memberIDs))
		}
	}

	joiner := createUser(t, c, org, "joiner", "")
	for _, id := range live {
		associate(t, c, org, id, joiner)
	}
	names := map[string]string{}
	for name, id := range byName {
		names[id] = name
	}
	for _, size := range []int32{1, 9, 100} {
		for prefix, want := range map[string][]string{"": live, "Team-": teams, "dept-01": depts[10:20], "nothing": nil} {
			in := workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: aws.String("joiner"), MaxResults: &size}
			if prefix != "" {
				in.Filters = &types.ListGroupsForEntityFilters{GroupNamePrefix: aws.String(prefix)}
			}
			if size == 1 && prefix == "" {
				continue
			}
			got := listGroupsFor(t, c, in)
			var gotIDs []string
			for _, g := range got {
				gotIDs = append(gotIDs, aws.ToString(g.GroupId))
				if aws.ToString(g.GroupName) != names[aws.ToString(g.GroupId)] {
					t.Errorf("ListGroupsForEntity: group %s named %s", aws.ToString(g.GroupId), aws.ToString(g.GroupName))
				}
			}
			// In group id order; with a prefix, in the order of the name.
			ordered := sorted(want)
			if prefix != "" {
				slices.SortFunc(ordered, func(a, b string) int { return strings.Compare(strings.ToLower(names[a]), strings.ToLower(names[b])) })
			}
			if !slices.Equal(gotIDs, ordered) {
				t.Errorf("ListGroupsForEntity prefix %q, pages of %d: %d groups, want %d (or out of order)", prefix, size, len(gotIDs), len(want))
			}
		}
	}

	// A NextToken is bound to its list: the group, the entity and the filter.
	first, err := c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &big, MaxResults: aws.Int32(2)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %+v %v", first, err)
	}
	_, err = c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: aws.String("dept-001"), NextToken: first.NextToken})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	_, err = c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &big, NextToken: aws.String(tamper(t, *first.NextToken))})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	forJoiner, err := c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &joiner, MaxResults: aws.Int32(2)})
	if err != nil || forJoiner.NextToken == nil {
		t.Fatalf("first page: %+v %v", forJoiner, err)
	}
	_, err = c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &joiner, NextToken: forJoiner.NextToken,
		Filters: &types.ListGroupsForEntityFilters{GroupNamePrefix: aws.String("team")}})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	gs, err := c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org, MaxResults: aws.Int32(2)})
	if err != nil || gs.NextToken == nil {
		t.Fatalf("first page: %+v %v", gs, err)
	}
	for _, f := range []*types.ListGroupsFilters{{State: types.EntityStateEnabled}, {NamePrefix: aws.String("")}} {
		_, err = c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org, NextToken: gs.NextToken, Filters: f})
		wantAPIError(t, err, "InvalidParameterException", "NextToken")
	}

	// Members joining and leaving while the list is walked cause no
	// duplicate and no gap among the members there throughout.
	stay := memberIDs[:100]
	p := workmail.NewListGroupMembersPaginator(c, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &big, MaxResults: aws.Int32(10)})
	seen := map[string]bool{}
	for i := 0; p.HasMorePages(); i++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Members {
			if seen[aws.ToString(m.Id)] {
				t.Fatalf("member %s listed twice", aws.ToString(m.Id))
			}
			seen[aws.ToString(m.Id)] = true
		}
		associate(t, c, org, big, createUser(t, c, org, fmt.Sprintf("late-%02d", i), ""))
		if _, err := c.DisassociateMemberFromGroup(ctx, &workmail.DisassociateMemberFromGroupInput{OrganizationId: &org, GroupId: &big, MemberId: &memberIDs[len(memberIDs)-1-i]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range stay {
		if !seen[id] {
			t.Fatalf("member %s missing from the walk", id)
		}
	}
}
