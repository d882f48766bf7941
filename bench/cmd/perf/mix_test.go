package main

import (
	"fmt"
	"strings"
	"testing"
)

// fakeOrgs is the shape setupMix creates, with made-up ids that hold
// prefix.
func fakeOrgs(prefix string, orgs, users int) []mixOrg {
	out := make([]mixOrg, orgs)
	for i := range out {
		out[i] = mixOrg{account: mixAccount(i), id: fmt.Sprintf("m-%s%029d", prefix, i), app: "arn:app", users: make([]mixUser, (users-i+orgs-1)/orgs)}
		for j := range out[i].users {
			out[i].users[j].id = fmt.Sprintf("%s-%d-%d", prefix, i, j)
			if hasToken(j) {
				out[i].users[j].token = fmt.Sprintf("%s-token-%d-%d", prefix, i, j)
			}
		}
	}
	return out
}

func TestMixRequests(t *testing.T) {
	const orgs, users = 20, 5000
	a, b := mixRequests(fakeOrgs("AAA", orgs, users), users), mixRequests(fakeOrgs("BBB", orgs, users), users)
	if len(a) != mixLength {
		t.Fatalf("%d requests, want %d", len(a), mixLength)
	}
	writes := 0
	described, orgsSeen := map[string]bool{}, map[string]bool{}
	for i, r := range a {
		if r.op != b[i].op || r.account != b[i].account || strings.ReplaceAll(r.body, "AAA", "X") != strings.ReplaceAll(b[i].body, "BBB", "X") {
			t.Fatalf("request %d differs between two servers beyond their ids: %+v, %+v", i, r, b[i])
		}
		if r.op == "UpdateUser" || r.op == "PutIdentityProviderConfiguration" {
			writes++
		}
		if r.op == "DescribeUser" {
			described[r.body] = true
		}
		orgsSeen[r.body[:strings.Index(r.body, `",`)+1]] = true
		// The account sent must be the organization's.
		var org int
		if _, err := fmt.Sscanf(r.body[strings.Index(r.body, "m-AAA")+5:], "%d", &org); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if mixAccount(r.account) != mixAccount(org) {
			t.Errorf("request %d for organization %d sent as account %s", i, org, mixAccount(r.account))
		}
	}
	if share := float64(writes) / mixLength; share < 0.04 || share > 0.06 {
		t.Errorf("writes are %.3f of the mix, want about 0.05", share)
	}
	if len(described) != users {
		t.Errorf("DescribeUser reads %d users of %d", len(described), users)
	}
	if len(orgsSeen) < orgs {
		t.Errorf("requests reach %d organizations of %d", len(orgsSeen), orgs)
	}
}
