package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Accounts of the small and the large user list; one store holds both,
// so that one server answers both and is measured with all stored.
const (
	smallAccount = "222200000001"
	largeAccount = "222200000002"
	smallCount   = 1000
)

// measureLists stores c.records users in one organization and 1,000 in
// another, through CreateUser, on each binary, and compares the time of a
// 100-item ListUsers page (the first one and one from the middle) between
// the two. It also measures start-up and memory with them stored.
func measureLists(_ context.Context, c config, bins binaries) ([]row, error) {
	type lists struct {
		small, large pageTiming
		rss          int64
	}
	var ls []lists
	var dataDirs []string
	for _, s := range bins.servers {
		p, dir, err := startWorkmaild(c, s.bin, "lists")
		if err != nil {
			return nil, err
		}
		defer p.kill()
		seedStart := time.Now()
		small, err := seedUsers(p.url, smallAccount, smallCount, c.connections)
		if err != nil {
			return nil, err
		}
		large, err := seedUsers(p.url, largeAccount, c.records, c.connections)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "  %s: stored %d users in %v\n", s.name, smallCount+c.records, time.Since(seedStart).Round(time.Millisecond))
		var l lists
		if l.small, err = pageTimes(p.url, small, smallCount); err != nil {
			return nil, err
		}
		if l.large, err = pageTimes(p.url, large, c.records); err != nil {
			return nil, err
		}
		if l.rss, err = p.rssBytes(); err != nil {
			return nil, err
		}
		if err := p.stop(); err != nil {
			return nil, err
		}
		ls, dataDirs = append(ls, l), append(dataDirs, filepath.Join(dir, "data"))
	}
	sts, err := measureStartup(c, bins, dataDirs, 5)
	if err != nil {
		return nil, err
	}
	n := fmt.Sprintf("%dk", c.records/1000)
	page := func(figure string, pick func(pageTiming) time.Duration) row {
		r := row{figure: figure, target: "ratio ≤ 1.5"}
		var smalls []string
		for _, l := range ls {
			r.values = append(r.values, ms(pick(l.large)))
			smalls = append(smalls, ms(pick(l.small)))
			r.ratios = append(r.ratios, ratio(float64(pick(l.large)), float64(pick(l.small))))
		}
		r.baseline = strings.Join(smalls, " | ") // each binary's own 1k list
		return r
	}
	return []row{
		{figure: "start → first answer, " + n + " users stored", values: each(sts, func(s startup) string { return ms(s.firstAnswer) }), target: "≤ 200 ms"},
		{figure: "idle RSS after start, " + n + " users stored", values: each(sts, func(s startup) string { return mb(s.idleRSS) })},
		page("ListUsers first page, "+n+" vs 1k", func(p pageTiming) time.Duration { return p.first }),
		page("ListUsers middle page, "+n+" vs 1k", func(p pageTiming) time.Duration { return p.middle }),
		{figure: "RSS with " + n + " users stored, after listing", values: each(ls, func(l lists) string { return mb(l.rss) }), target: "≤ 150 MB"},
	}, nil
}

// orgClient is a raw client for one organization of one account.
type orgClient struct {
	*rawClient
	org string
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
	oc := orgClient{rawClient: client, org: created.OrganizationId}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				body := fmt.Sprintf(`{"OrganizationId":"%s","Name":"user-%07d","DisplayName":"User %d"}`, oc.org, i, i)
				if _, err := client.call("CreateUser", body); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
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
