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

// Accounts of the small and the large user list; one store holds both,
// so that one server answers both and is measured with all stored.
const (
	smallAccount  = "222200000001"
	largeAccount  = "222200000002"
	mediumAccount = "222200000005"
	smallCount    = 1000
	mediumCount   = 10000 // stored when -records is larger
)

// measureLists stores c.records users in one organization, 10,000 in
// another (when c.records is more) and 1,000 in a third, through
// CreateUser, on each server (but two replicas of one database), and
// compares the time of a 100-item ListUsers page (the first one and one
// from the middle) and of DescribeUser between the sizes. It also
// measures start-up and memory with them stored.
func measureLists(_ context.Context, c config, bins binaries) ([]row, error) {
	type size struct {
		count   int
		account string
	}
	sizes := []size{{smallCount, smallAccount}}
	if c.records > mediumCount {
		sizes = append(sizes, size{mediumCount, mediumAccount})
	}
	sizes = append(sizes, size{c.records, largeAccount})
	type lists struct {
		skipped  bool         // two replicas: the pg1 column answers for one database
		pages    []pageTiming // by size
		describe []time.Duration
		rss      int64
	}
	var ls []lists
	stored := make([][]string, len(bins.servers))
	for k, s := range bins.servers {
		if replicas(s.store) > 1 {
			ls = append(ls, lists{skipped: true})
			continue
		}
		p, _, err := startWorkmaild(c, s, "lists")
		if err != nil {
			return nil, err
		}
		defer p.kill()
		seedStart := time.Now()
		var ocs []orgClient
		total := 0
		for _, sz := range sizes {
			oc, err := seedUsers(p.url, sz.account, sz.count, c.connections)
			if err != nil {
				return nil, err
			}
			ocs, total = append(ocs, oc), total+sz.count
		}
		fmt.Fprintf(os.Stderr, "  %s: stored %d users in %v\n", s.name, total, time.Since(seedStart).Round(time.Millisecond))
		var l lists
		for i, sz := range sizes {
			pt, err := pageTimes(p.url, ocs[i], sz.count)
			if err != nil {
				return nil, err
			}
			d, err := describeTimes(p.url, ocs[i])
			if err != nil {
				return nil, err
			}
			l.pages, l.describe = append(l.pages, pt), append(l.describe, d)
		}
		if l.rss, err = p.rssBytes(); err != nil {
			return nil, err
		}
		if err := p.stop(); err != nil {
			return nil, err
		}
		ls, stored[k] = append(ls, l), p.args
	}
	sts, err := measureStartup(c, bins, stored, 5)
	if err != nil {
		return nil, err
	}
	kilo := func(n int) string { return fmt.Sprintf("%dk", n/1000) }
	n := kilo(c.records)
	// compare is the row of a figure at size i against the same at 1k.
	compare := func(figure string, i int, pick func(l lists, i int) time.Duration, format func(time.Duration) string) row {
		r := row{figure: fmt.Sprintf("%s, %s vs 1k", figure, kilo(sizes[i].count)), target: "ratio ≤ 1.5"}
		var smalls []string
		for _, l := range ls {
			if l.skipped {
				r.values, r.ratios, smalls = append(r.values, ""), append(r.ratios, ""), append(smalls, "-")
				continue
			}
			r.values = append(r.values, format(pick(l, i)))
			smalls = append(smalls, format(pick(l, 0)))
			r.ratios = append(r.ratios, ratio(float64(pick(l, i)), float64(pick(l, 0))))
		}
		r.baseline = strings.Join(smalls, " | ") // each server's own 1k list
		return r
	}
	rows := []row{
		{figure: "start → first answer, " + n + " users stored", values: eachStartup(sts, func(s startup) string { return ms(s.firstAnswer) }), target: "≤ 200 ms"},
		{figure: "idle RSS after start, " + n + " users stored", values: eachStartup(sts, func(s startup) string { return mb(s.idleRSS) })},
	}
	for _, f := range []struct {
		figure string
		pick   func(l lists, i int) time.Duration
		format func(time.Duration) string
	}{
		{"ListUsers first page", func(l lists, i int) time.Duration { return l.pages[i].first }, ms},
		{"ListUsers middle page", func(l lists, i int) time.Duration { return l.pages[i].middle }, ms},
		{"DescribeUser", func(l lists, i int) time.Duration { return l.describe[i] }, us},
	} {
		for i := 1; i < len(sizes); i++ {
			rows = append(rows, compare(f.figure, i, f.pick, f.format))
		}
	}
	return append(rows, row{figure: "RSS with " + n + " users stored, after listing", values: each(ls, func(l lists) string {
		if l.skipped {
			return ""
		}
		return mb(l.rss)
	}), target: "≤ 150 MB"}), nil
}

// orgClient is a raw client for one organization of one account.
type orgClient struct {
	*rawClient
	org   string
	users []string // ids of the users seedUsers created, in order
}

// seedUsers creates an organization in account and n users in it with
// conns concurrent clients.
func seedUsers(url, account string, n, conns int) (orgClient, error) {
	client := newRawClient(url, conns)
	client.auth = authorizationFor(account)
	out, err := client.call("CreateOrganization", `{"Alias":"users-`+account+`"}`)
	if err != nil {
		return orgClient{}, err
	}
	var created struct{ OrganizationId string }
	if err := json.Unmarshal(out, &created); err != nil {
		return orgClient{}, err
	}
	oc := orgClient{rawClient: client, org: created.OrganizationId, users: make([]string, n)}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				body := fmt.Sprintf(`{"OrganizationId":"%s","Name":"user-%07d","DisplayName":"User %d"}`, oc.org, i, i)
				out, err := client.call("CreateUser", body)
				var user struct{ UserId string }
				if err == nil {
					err = json.Unmarshal(out, &user)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				oc.users[i-1] = user.UserId // each i writes its own element
			}
		})
	}
	wg.Wait()
	return oc, firstErr
}

type pageTiming struct{ first, middle time.Duration }

// pageTimes is the median time of 100 sequential requests for the first
// page, and for the page in the middle of the list, of 100 users.
func pageTimes(url string, oc orgClient, count int) (pageTiming, error) {
	return listPageTimes(url, oc.auth, "ListUsers", count, func(token string) string { return pageBody(oc.org, token) })
}

// listPageTimes is the median time of 100 sequential requests of operation
// for its first page, and for the page in the middle of a list of count
// items; body is the request for the page after token, 100 items a page.
func listPageTimes(url, auth, operation string, count int, body func(token string) string) (pageTiming, error) {
	client := newRawClient(url, 1)
	client.auth = auth
	defer client.close()
	token := ""
	for range count / 200 { // page to the middle of the list
		var page struct{ NextToken string }
		out, err := client.call(operation, body(token))
		if err != nil {
			return pageTiming{}, err
		}
		if err := json.Unmarshal(out, &page); err != nil {
			return pageTiming{}, err
		}
		if page.NextToken == "" {
			return pageTiming{}, fmt.Errorf("%s: the list of %d ends before its middle", operation, count)
		}
		token = page.NextToken
	}
	first, err := timeCalls(client, operation, body(""))
	if err != nil {
		return pageTiming{}, err
	}
	middle, err := timeCalls(client, operation, body(token))
	return pageTiming{first: first, middle: middle}, err
}

// describeTimes is the median time of DescribeUser of 100 users spread
// evenly over the organization's, one after the other.
func describeTimes(url string, oc orgClient) (time.Duration, error) {
	client := newRawClient(url, 1)
	client.auth = oc.auth
	defer client.close()
	var times []time.Duration
	for i := range 100 {
		body := fmt.Sprintf(`{"OrganizationId":"%s","UserId":"%s"}`, oc.org, oc.users[i*len(oc.users)/100])
		start := time.Now()
		if _, err := client.call("DescribeUser", body); err != nil {
			return 0, err
		}
		times = append(times, time.Since(start))
	}
	return median(times), nil
}

func pageBody(org, token string) string {
	b, _ := json.Marshal(struct { // cannot fail: strings and an int
		OrganizationId string
		MaxResults     int
		NextToken      string `json:",omitempty"`
	}{org, 100, token})
	return string(b)
}

func timeCalls(client *rawClient, operation, body string) (time.Duration, error) {
	var times []time.Duration
	for range 100 {
		start := time.Now()
		if _, err := client.call(operation, body); err != nil {
			return 0, err
		}
		times = append(times, time.Since(start))
	}
	return median(times), nil
}
