package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Accounts of the small and the large directory; one store holds both.
const (
	smallDirAccount = "222200000003"
	largeDirAccount = "222200000004"
)

// enabledGroups is how many groups of each directory are ENABLED.
const enabledGroups = 100

// dirLists are the lists the directory step times, 100 items a page: the
// first page and the one in the middle of a list of count(n) items, or
// the first page alone when the list is one page.
var dirLists = []struct {
	figure, items string
	operation     string
	count         func(n int) int
	body          func(org, token string) string
}{
	{"ListGroups", "groups", "ListGroups", func(n int) int { return n }, func(org, token string) string { return pageBody(org, token) }},
	{"ListResources", "resources", "ListResources", func(n int) int { return n }, func(org, token string) string { return pageBody(org, token) }},
	{"ListGroupMembers", "members", "ListGroupMembers", func(n int) int { return n }, func(org, token string) string {
		b, _ := json.Marshal(struct { // cannot fail: strings and an int
			OrganizationId, GroupId string
			MaxResults              int
			NextToken               string `json:",omitempty"`
		}{org, "everyone", 100, token})
		return string(b)
	}},
	// Filtered by state, a page reads the state index: the 100 ENABLED
	// groups of each directory, and none of its other groups (DISABLED).
	{"ListGroups State=ENABLED", fmt.Sprintf("groups (%d ENABLED)", enabledGroups), "ListGroups", func(int) int { return enabledGroups }, func(org, token string) string {
		b, _ := json.Marshal(struct { // cannot fail: strings and an int
			OrganizationId string
			MaxResults     int
			Filters        struct{ State string }
			NextToken      string `json:",omitempty"`
		}{OrganizationId: org, MaxResults: 100, Filters: struct{ State string }{"ENABLED"}, NextToken: token})
		return string(b)
	}},
}

// measureDirectory stores, through the API, c.entities groups, as many
// resources and a group with c.entities members (half users, half of
// those groups) in one organization, and 1,000 of each in another, on
// each binary, and compares the time of a 100-item page of ListGroups,
// ListResources and ListGroupMembers (the first one and one from the
// middle), and of ListGroups by state, between the two sizes: a page
// should cost the same whatever the size of the list and wherever it
// starts.
func measureDirectory(_ context.Context, c config, bins binaries) ([]row, error) {
	type sizes struct {
		skipped      bool         // two replicas: the pg1 column answers for one database
		small, large []pageTiming // one per dirLists entry
	}
	var all []sizes
	for _, s := range bins.servers {
		if replicas(s.store) > 1 {
			all = append(all, sizes{skipped: true})
			continue
		}
		p, _, err := startWorkmaild(c, s, "directory")
		if err != nil {
			return nil, err
		}
		defer p.kill()
		seedStart := time.Now()
		small, err := seedDirectory(p.url, smallDirAccount, smallCount, c.connections)
		if err != nil {
			return nil, err
		}
		large, err := seedDirectory(p.url, largeDirAccount, c.entities, c.connections)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "  %s: stored two directories of %d and %d entities in %v\n", s.name, smallCount, c.entities, time.Since(seedStart).Round(time.Millisecond))
		var sz sizes
		for _, l := range dirLists {
			st, err := listPageTimes(p.url, small.auth, l.operation, l.count(smallCount), func(token string) string { return l.body(small.org, token) })
			if err != nil {
				return nil, err
			}
			lt, err := listPageTimes(p.url, large.auth, l.operation, l.count(c.entities), func(token string) string { return l.body(large.org, token) })
			if err != nil {
				return nil, err
			}
			sz.small, sz.large = append(sz.small, st), append(sz.large, lt)
		}
		if err := p.stop(); err != nil {
			return nil, err
		}
		all = append(all, sz)
	}
	var rows []row
	for i, l := range dirLists {
		for _, at := range []struct {
			name string
			pick func(pageTiming) time.Duration
		}{{"first", func(p pageTiming) time.Duration { return p.first }}, {"middle", func(p pageTiming) time.Duration { return p.middle }}} {
			if at.name == "middle" && l.count(smallCount) < 200 {
				continue // one page: no middle
			}
			r := row{figure: fmt.Sprintf("%s %s page, %dk vs 1k %s", l.figure, at.name, c.entities/1000, l.items), target: "ratio ≤ 1.5"}
			var smalls []string
			for _, sz := range all {
				if sz.skipped {
					r.values, r.ratios, smalls = append(r.values, ""), append(r.ratios, ""), append(smalls, "-")
					continue
				}
				large, small := at.pick(sz.large[i]), at.pick(sz.small[i])
				r.values = append(r.values, ms(large))
				smalls = append(smalls, ms(small))
				r.ratios = append(r.ratios, ratio(float64(large), float64(small)))
			}
			r.baseline = strings.Join(smalls, " | ") // each binary's own 1k list
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// seedDirectory creates an organization in account holding n groups
// (group-*, the first enabledGroups of them registered, so ENABLED), n
// resources (room-*), n/2 users (user-*) and the group everyone, whose n
// members are those users and the first n/2 groups, with conns
// concurrent clients.
func seedDirectory(url, account string, n, conns int) (orgClient, error) {
	client := newRawClient(url, conns)
	client.auth = authorizationFor(account)
	alias := "directory-" + account
	out, err := client.call("CreateOrganization", `{"Alias":"`+alias+`"}`)
	if err != nil {
		return orgClient{}, err
	}
	var created struct{ OrganizationId string }
	if err := json.Unmarshal(out, &created); err != nil {
		return orgClient{}, err
	}
	oc := orgClient{rawClient: client, org: created.OrganizationId}
	org := oc.org
	if _, err := client.call("CreateGroup", fmt.Sprintf(`{"OrganizationId":"%s","Name":"everyone"}`, org)); err != nil {
		return orgClient{}, err
	}
	steps := []struct {
		count int
		op    string
		body  func(i int) string
	}{
		{n, "CreateGroup", func(i int) string { return fmt.Sprintf(`{"OrganizationId":"%s","Name":"group-%07d"}`, org, i) }},
		{n, "CreateResource", func(i int) string {
			return fmt.Sprintf(`{"OrganizationId":"%s","Name":"room-%07d","Type":"ROOM"}`, org, i)
		}},
		{enabledGroups, "RegisterToWorkMail", func(i int) string {
			return fmt.Sprintf(`{"OrganizationId":"%s","EntityId":"group-%07d","Email":"group-%07d@%s.awsapps.com"}`, org, i, i, alias)
		}},
		{n / 2, "CreateUser", func(i int) string {
			return fmt.Sprintf(`{"OrganizationId":"%s","Name":"user-%07d","DisplayName":"User %d"}`, org, i, i)
		}},
		{n, "AssociateMemberToGroup", func(i int) string {
			member := fmt.Sprintf("user-%07d", i)
			if i >= n/2 {
				member = fmt.Sprintf("group-%07d", i-n/2)
			}
			return fmt.Sprintf(`{"OrganizationId":"%s","GroupId":"everyone","MemberId":"%s"}`, org, member)
		}},
	}
	for _, s := range steps {
		if err := callEach(client, conns, s.count, s.op, s.body); err != nil {
			return orgClient{}, err
		}
	}
	client.close() // no idle set-up connection stays open while pages are timed
	return oc, nil
}

// callEach sends operation with body(0..n-1) on conns concurrent clients
// and returns the first error.
func callEach(client *rawClient, conns, n int, operation string, body func(i int) string) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				if _, err := client.call(operation, body(int(i))); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}
