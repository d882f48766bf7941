package main

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestOnStores(t *testing.T) {
	one := []server{{name: "workmaild", bin: "/a"}}
	two := []server{{name: "after", bin: "/a"}, {name: "before", bin: "/b"}}
	names := func(ss []server) []string { return each(ss, func(s server) string { return s.name + "@" + s.store }) }
	for _, tc := range []struct {
		bins   []server
		stores []string
		want   []string
	}{
		{one, []string{storeEmbedded}, []string{"workmaild@embedded"}},
		{two, []string{storeEmbedded}, []string{"after@embedded", "before@embedded"}},
		{one, []string{storeEmbedded, storePG1, storePG2}, []string{"embedded@embedded", "pg1@pg1", "pg2@pg2"}},
		{two, []string{storeEmbedded, storePG1}, []string{"after/embedded@embedded", "after/pg1@pg1", "before/embedded@embedded", "before/pg1@pg1"}},
	} {
		if got := names(onStores(tc.bins, tc.stores)); !slices.Equal(got, tc.want) {
			t.Errorf("onStores(%v, %v) = %v, want %v", names(tc.bins), tc.stores, got, tc.want)
		}
	}
}

func TestVsEmbedded(t *testing.T) {
	bins := binaries{servers: onStores([]server{{name: "after", bin: "/a"}, {name: "before", bin: "/b"}}, []string{storeEmbedded, storePG1, storePG2})}
	r := vsEmbedded("x", bins, []float64{100, 25, 20, 200, 100, 0})
	// Each PostgreSQL column against its own binary's embedded one; a
	// missing value is no ratio.
	if want := []string{"", "0.25", "0.20", "", "0.50", ""}; !slices.Equal(r.values, want) {
		t.Errorf("ratios %q, want %q", r.values, want)
	}
	pgOnly := binaries{servers: onStores([]server{{name: "w", bin: "/a"}}, []string{storePG1})}
	if r := vsEmbedded("x", pgOnly, []float64{5}); !slices.Equal(r.values, []string{""}) {
		t.Errorf("without an embedded column: %q", r.values)
	}
	if !bins.onPostgres() || (binaries{servers: onStores([]server{{bin: "/a"}}, []string{storeEmbedded})}).onPostgres() {
		t.Error("onPostgres is wrong")
	}
}

func TestReplicas(t *testing.T) {
	if replicas(storeEmbedded) != 1 || replicas(storePG1) != 1 || replicas(storePG2) != 2 {
		t.Error("replicas")
	}
	if isPostgres(storeEmbedded) || !isPostgres(storePG1) || !isPostgres(storePG2) {
		t.Error("isPostgres")
	}
}

// procCPU reads this process's CPU time, which grows as it works.
func TestProcCPU(t *testing.T) {
	before, err := selfCPU()
	if err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
	}
	after, err := selfCPU()
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 20*time.Millisecond {
		t.Errorf("50 ms of work used %v of CPU", after-before)
	}
	if parent, err := procParent(os.Getpid()); err != nil || parent != os.Getppid() {
		t.Errorf("procParent = %d, %v; want %d", parent, err, os.Getppid())
	}
	if _, err := procCPU(os.Getpid(), true); err != nil {
		t.Error(err)
	}
}

// The PostgreSQL cluster of a run is durable, and its CPU time counts the
// sessions' processes.
func TestPostgresCPU(t *testing.T) {
	pg, err := startPostgres()
	if err != nil {
		t.Fatal(err)
	}
	defer pg.stop()
	url, err := pg.database("test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var fsync string
	if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil || fsync != "on" {
		t.Errorf("fsync = %q, %v", fsync, err)
	}
	before, err := pg.cpuTime()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM generate_series(1, 3000000)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	after, err := pg.cpuTime()
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 50*time.Millisecond {
		t.Errorf("a query of %d rows used %v of the server's CPU", n, after-before)
	}
}
