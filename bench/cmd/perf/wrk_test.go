package main

import (
	"testing"
	"time"
)

const wrkReport = `Running 5s test @ http://127.0.0.1:4591/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.61ms    1.55ms  33.79ms   90.14%
    Req/Sec    12.53k     1.63k   14.92k    70.00%
  Latency Distribution
     50%    2.36ms
     75%    2.81ms
     90%    3.47ms
     99%  823.00us
  62335 requests in 5.00s, 29.37MB read
Requests/sec:  12466.21
Transfer/sec:      5.87MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkReport)
	if err != nil {
		t.Fatal(err)
	}
	if r.RPS != 12466.21 || r.P99 != 823*time.Microsecond || r.Requests != 62335 {
		t.Fatalf("parsed %+v", r)
	}
}

func TestParseWrkCountsFailures(t *testing.T) {
	for extra, want := range map[string]int64{
		"  Non-2xx or 3xx responses: 17\n":                                                             17,
		"  Socket errors: connect 0, read 3, write 1, timeout 2\n":                                     6,
		"  Socket errors: connect 1, read 0, write 0, timeout 0\n" + "  Non-2xx or 3xx responses: 2\n": 3,
	} {
		r, err := parseWrk(wrkReport + extra)
		if err != nil || r.Failed != want {
			t.Errorf("report with %q: failed %d, err %v; want %d", extra, r.Failed, err, want)
		}
	}
	if r, err := parseWrk(wrkReport); err != nil || r.Failed != 0 {
		t.Errorf("clean report: failed %d, err %v", r.Failed, err)
	}
	if _, err := parseWrk(wrkReport + "  Socket errors: something new\n"); err == nil {
		t.Error("an unreadable error line parsed")
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("a report without figures parsed")
	}
}

func TestMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median(3,1,2) = %v", got)
	}
	if got := median([]time.Duration{5, 1, 4, 2, 3}); got != 3 {
		t.Errorf("median(5,1,4,2,3) = %v", got)
	}
}

func TestLuaString(t *testing.T) {
	if got := luaString(`{"a":"b\c"}`); got != `"{\"a\":\"b\\c\"}"` {
		t.Errorf("luaString = %s", got)
	}
}
