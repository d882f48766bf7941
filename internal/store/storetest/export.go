package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

// RunExport runs the tests of store.Exporter against stores made by open,
// whose stores must implement it. They are apart from Run because the
// interface is optional.
func RunExport(t *testing.T, open Opener) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s store.Exporter)
	}{
		{"Empty", testExportEmpty},
		{"EveryRecordInOrder", testExportEveryRecord},
		{"StopsOnError", testExportStops},
		{"Snapshot", testExportSnapshot},
		{"AfterResetAndClose", testExportResetClose},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
					t.Errorf("Close: %v", err)
				}
			})
			ex, ok := s.(store.Exporter)
			if !ok {
				t.Fatalf("%T does not implement store.Exporter", s)
			}
			c.fn(t, ex)
		})
	}
}

// exported is one record as Export gave it, its value copied.
type exported struct {
	p         store.Partition
	coll, id  string
	value     string
	partOrder string // the partition's name, the first sort key
}

func (e exported) String() string {
	return fmt.Sprintf("%s/%s %q/%q=%q", e.p.Account, e.p.Region, e.coll, e.id, e.value)
}

func exportAll(t *testing.T, s store.Exporter) []exported {
	t.Helper()
	var got []exported
	err := s.Export(context.Background(), func(r store.Record) error {
		got = append(got, exported{p: r.Partition, coll: r.Collection, id: r.ID, value: string(r.Value),
			partOrder: r.Partition.Account + "\x00" + r.Partition.Region})
		return nil
	})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return got
}

func testExportEmpty(t *testing.T, s store.Exporter) {
	if got := exportAll(t, s); len(got) != 0 {
		t.Fatalf("an empty store exported %v", got)
	}
}

func testExportEveryRecord(t *testing.T, s store.Exporter) {
	st := s.(store.Store)
	// The account "a" sorts before "a\x01..." only if the NUL between
	// account and region is part of the order: pD checks that.
	pD := store.Partition{Account: "1111111111110", Region: "us-east-1"}
	want := []exported{
		{p: pB(), coll: "c", id: "b"},
		{p: pA(), coll: "c", id: "a", value: "1"},
		{p: pA(), coll: "c", id: "a\x00z", value: "nul"},
		{p: pA(), coll: "c", id: "\xff", value: "high"},
		{p: pA(), coll: "b", id: "x", value: "other collection"},
		{p: pC(), coll: "c", id: "a", value: "3"},
		{p: pD, coll: "c", id: "d", value: "4"},
		{p: store.Global, coll: "g", id: "k", value: "global"},
	}
	for _, w := range want {
		put(t, st, w.p, w.coll, w.id, w.value)
	}
	// Gone before the export: deleted, rolled back, or emptied out.
	put(t, st, pA(), "c", "deleted", "x")
	del(t, st, pA(), "c", "deleted")
	put(t, st, pC(), "emptied", "x", "x")
	update(t, st, pC(), func(tx store.Tx) error {
		_, err := tx.DeletePrefix("emptied", "")
		return err
	})
	err := st.Update(context.Background(), pB(), func(tx store.Tx) error {
		if err := tx.Put("c", "rolled-back", []byte("x")); err != nil {
			return err
		}
		if err := tx.Global().Put("g", "rolled-back", []byte("x")); err != nil {
			return err
		}
		return errTest
	})
	if !errors.Is(err, errTest) {
		t.Fatalf("failing Update: %v", err)
	}
	// Written through Tx.Global from a partition.
	update(t, st, pC(), func(tx store.Tx) error { return tx.Global().Put("g", "from-c", []byte("via c")) })
	want = append(want, exported{p: store.Global, coll: "g", id: "from-c", value: "via c"})

	for i := range want {
		want[i].partOrder = want[i].p.Account + "\x00" + want[i].p.Region
	}
	slices.SortFunc(want, func(a, b exported) int {
		for _, c := range [][2]string{{a.partOrder, b.partOrder}, {a.coll, b.coll}, {a.id, b.id}} {
			if c[0] != c[1] {
				if c[0] < c[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	got := exportAll(t, s)
	if !slices.Equal(got, want) {
		t.Fatalf("Export:\n got %v\nwant %v", got, want)
	}
}

func testExportStops(t *testing.T, s store.Exporter) {
	st := s.(store.Store)
	for i := range 5 {
		put(t, st, pA(), "c", strconv.Itoa(i), "v")
	}
	calls := 0
	err := s.Export(context.Background(), func(store.Record) error {
		calls++
		if calls == 2 {
			return errTest
		}
		return nil
	})
	if !errors.Is(err, errTest) || calls != 2 {
		t.Fatalf("Export after fn failed on the 2nd record: %v after %d calls", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Export(ctx, func(store.Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Export with a cancelled context: %v", err)
	}
	// The store still works: no lock or connection was left behind.
	put(t, st, pA(), "c", "after", "v")
}

// testExportSnapshot exports while writers commit transactions that span
// a partition of their own (new partitions keep appearing) and Global:
// every export must see each transaction entirely or not at all.
func testExportSnapshot(t *testing.T, s store.Exporter) {
	st := s.(store.Store)
	const writers, rounds = 2, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				p := store.Partition{Account: fmt.Sprintf("%012d", w*1000+i), Region: "us-east-1"}
				err := st.Update(context.Background(), p, func(tx store.Tx) error {
					if err := tx.Put("c", "n", []byte(strconv.Itoa(i))); err != nil {
						return err
					}
					return tx.Global().Put("g", p.Account, []byte(strconv.Itoa(i)))
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	check := func() {
		parts, globals := map[string]string{}, map[string]string{}
		for _, r := range exportAll(t, s) {
			if r.p == store.Global {
				globals[r.id] = r.value
			} else {
				parts[r.p.Account] = r.value
			}
		}
		if len(parts) != len(globals) {
			t.Fatalf("an export saw %d partitions but %d Global records of the same transactions", len(parts), len(globals))
		}
		for acct, v := range parts {
			if globals[acct] != v {
				t.Fatalf("an export saw partition %s = %q but its Global record = %q", acct, v, globals[acct])
			}
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for exporting := true; exporting; {
		select {
		case <-done:
			exporting = false
		default:
			check()
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	check()
}

func testExportResetClose(t *testing.T, s store.Exporter) {
	st := s.(store.Store)
	put(t, st, pA(), "c", "k", "v")
	put(t, st, store.Global, "g", "k", "v")
	if err := st.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := exportAll(t, s); len(got) != 0 {
		t.Fatalf("after Reset, Export gave %v", got)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Export(context.Background(), func(store.Record) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Export after Close: %v", err)
	}
}
