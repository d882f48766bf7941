package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Accounts of the small and the large organization list; one store holds
// both, so that one server answers both and is measured with all stored.
const (
	smallAccount = "222200000001"
	largeAccount = "222200000002"
	smallCount   = 1000
)

// measureLists stores c.records organizations in one account and 1,000 in
// another, through CreateOrganization, and compares the time of a
// 100-item ListOrganizations page (the first one and one from the middle)
// between the two. It also measures start-up and memory with them stored.
//
// The issue asks for ListUsers with 100k users; users do not exist yet, so
// organizations (also a paginated, per-partition list) stand in for them.
func measureLists(ctx context.Context, c config, bins binaries) ([]row, error) {
	dir, err := os.MkdirTemp(c.workDir, "lists-")
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}
	p, err := startProcess(bins.workmaild, args, filepath.Join(dir, "workmaild.log"))
	if err != nil {
		return nil, err
	}
	defer p.kill()
	seedStart := time.Now()
	if err := seedOrganizations(p.url, smallAccount, smallCount, c.connections); err != nil {
		return nil, err
	}
	if err := seedOrganizations(p.url, largeAccount, c.records, c.connections); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "  stored %d organizations in %v\n", smallCount+c.records, time.Since(seedStart).Round(time.Millisecond))

	small, err := pageTimes(p.url, smallAccount, smallCount)
	if err != nil {
		return nil, err
	}
	large, err := pageTimes(p.url, largeAccount, c.records)
	if err != nil {
		return nil, err
	}
	rss, err := p.rssBytes()
	if err != nil {
		return nil, err
	}
	if err := p.stop(); err != nil {
		return nil, err
	}
	st, err := measureStartup(c, bins, dataDir, 5)
	if err != nil {
		return nil, err
	}
	n := fmt.Sprintf("%dk", c.records/1000)
	return []row{
		{"start → first answer, " + n + " orgs stored", ms(st.firstAnswer), "", "", "≤ 200 ms"},
		{"idle RSS after start, " + n + " orgs stored", mb(st.idleRSS), "", "", ""},
		{"ListOrganizations first page, " + n + " vs 1k", ms(large.first), ms(small.first), ratio(float64(large.first), float64(small.first)), "ratio ≤ 1.5"},
		{"ListOrganizations middle page, " + n + " vs 1k", ms(large.middle), ms(small.middle), ratio(float64(large.middle), float64(small.middle)), "ratio ≤ 1.5"},
		{"RSS with " + n + " orgs stored, after listing", mb(rss), "", "", "≤ 150 MB"},
	}, nil
}

// seedOrganizations creates n organizations in account with conns
// concurrent clients.
func seedOrganizations(url, account string, n, conns int) error {
	client := newRawClient(url, conns)
	client.auth = authorizationFor(account)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if _, err := client.call("CreateOrganization", fmt.Sprintf(`{"Alias":"org-%07d"}`, i)); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

type pageTiming struct{ first, middle time.Duration }

// pageTimes is the median time of 100 sequential requests for the first
// page, and for the page in the middle of the list, of 100 organizations.
func pageTimes(url, account string, count int) (pageTiming, error) {
	client := newRawClient(url, 1)
	client.auth = authorizationFor(account)
	token := ""
	for range count / 200 { // page to the middle of the list
		var page struct{ NextToken string }
		out, err := client.call("ListOrganizations", pageBody(token))
		if err != nil {
			return pageTiming{}, err
		}
		if err := json.Unmarshal(out, &page); err != nil {
			return pageTiming{}, err
		}
		token = page.NextToken
	}
	first, err := timeCalls(client, pageBody(""))
	if err != nil {
		return pageTiming{}, err
	}
	middle, err := timeCalls(client, pageBody(token))
	return pageTiming{first: first, middle: middle}, err
}

func pageBody(token string) string {
	b, _ := json.Marshal(struct { // cannot fail: an int and a string
		MaxResults int
		NextToken  string `json:",omitempty"`
	}{100, token})
	return string(b)
}

func timeCalls(client *rawClient, body string) (time.Duration, error) {
	var times []time.Duration
	for range 100 {
		start := time.Now()
		if _, err := client.call("ListOrganizations", body); err != nil {
			return 0, err
		}
		times = append(times, time.Since(start))
	}
	return median(times), nil
}
