package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

func createGroup(t *testing.T, c *workmail.Client, org, name string) string {
	t.Helper()
	out, err := c.CreateGroup(context.Background(), &workmail.CreateGroupInput{OrganizationId: &org, Name: &name})
	if err != nil {
		t.Fatalf("CreateGroup %s: %v", name, err)
	}
	return aws.ToString(out.GroupId)
}

func describeGroup(t *testing.T, c *workmail.Client, org, ident string) *workmail.DescribeGroupOutput {
	t.Helper()
	out, err := c.DescribeGroup(context.Background(), &workmail.DescribeGroupInput{OrganizationId: &org, GroupId: &ident})
	if err != nil {
		t.Fatalf("DescribeGroup %s: %v", ident, err)
	}
	return out
}

func associate(t *testing.T, c *workmail.Client, org, group, member string) {
	t.Helper()
	_, err := c.AssociateMemberToGroup(context.Background(), &workmail.AssociateMemberToGroupInput{OrganizationId: &org, GroupId: &group, MemberId: &member})
	if err != nil {
		t.Fatalf("AssociateMemberToGroup %s to %s: %v", member, group, err)
	}
}

// listGroups walks the SDK paginator to the end and returns the groups in
// order, failing on a duplicate or an oversized page.
func listGroups(t *testing.T, c *workmail.Client, in *workmail.ListGroupsInput) []types.Group {
	t.Helper()
	var all []types.Group
	seen := map[string]bool{}
	p := workmail.NewListGroupsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && len(page.Groups) > int(*in.MaxResults) {
			t.Fatalf("page of %d > MaxResults %d", len(page.Groups), *in.MaxResults)
		}
		for _, g := range page.Groups {
			if id := aws.ToString(g.Id); seen[id] {
				t.Fatalf("group %s listed twice", id)
			} else {
				seen[id] = true
			}
			all = append(all, g)
		}
	}
	return all
}

// listMembers walks ListGroupMembers' paginator to the end.
func listMembers(t *testing.T, c *workmail.Client, in *workmail.ListGroupMembersInput) []types.Member {
	t.Helper()
	var all []types.Member
	seen := map[string]bool{}
	p := workmail.NewListGroupMembersPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && len(page.Members) > int(*in.MaxResults) {
			t.Fatalf("page of %d > MaxResults %d", len(page.Members), *in.MaxResults)
		}
		for _, m := range page.Members {
			if id := aws.ToString(m.Id); seen[id] {
				t.Fatalf("member %s listed twice", id)
			} else {
				seen[id] = true
			}
			all = append(all, m)
		}
	}
	return all
}

// listGroupsFor pages ListGroupsForEntity by hand (botocore and the SDKs
// have no paginator for it) and returns the group ids in order.
func listGroupsFor(t *testing.T, c *workmail.Client, in workmail.ListGroupsForEntityInput) []types.GroupIdentifier {
	t.Helper()
	var all []types.GroupIdentifier
	seen := map[string]bool{}
	for {
		page, err := c.ListGroupsForEntity(context.Background(), &in)
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && len(page.Groups) > int(*in.MaxResults) {
			t.Fatalf("page of %d > MaxResults %d", len(page.Groups), *in.MaxResults)
		}
		for _, g := range page.Groups {
			if id := aws.ToString(g.GroupId); seen[id] {
				t.Fatalf("group %s listed twice", id)
			} else {
				seen[id] = true
			}
			all = append(all, g)
		}
		if page.NextToken == nil {
			return all
		}
		in.NextToken = page.NextToken
	}
}
