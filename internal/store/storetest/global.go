package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/store"
)

func testGlobalCommits(t *testing.T, s store.Store) {
	put(t, s, store.Global, "g", "old", "old")
	update(t, s, pA(), func(tx store.Tx) error {
		g := tx.Global()
		if err := tx.Put("c", "k", []byte("partition")); err != nil {
			return err
		}
		if err := g.Put("g", "k", []byte("global")); err != nil {
			return err
		}
		if err := g.Delete("g", "old"); err != nil {
			return err
		}
		if tx.Global() != g {
			t.Errorf("a second Global() returned another Tx")
		}
		// Each side reads its own partition, with its own writes.
		if v, err := g.Get("g", "k"); err != nil || string(v) != "global" {
			t.Errorf("Global().Get of its own Put = %q, %v", v, err)
		}
		if _, err := g.Get("g", "old"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Global().Get of its own Delete = %v", err)
		}
		if _, err := tx.Get("g", "k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the partition's Tx sees the Global record: %v", err)
		}
		if _, err := g.Get("c", "k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Global() sees the partition's record: %v", err)
		}
		return nil
	})
	wantValue(t, s, store.Global, "g", "k", "global")
	wantMissing(t, s, store.Global, "g", "old")
	wantMissing(t, s, store.Global, "c", "k")
	wantValue(t, s, pA(), "c", "k", "partition")
	wantMissing(t, s, pA(), "g", "k")
}

func testGlobalRollback(t *testing.T, s store.Store) {
	seedPrefixFixture(t, s)
	put(t, s, store.Global, "g", "taken", "v")
	before := snapshot(t, s, store.Global, "c", "d", "g", "new")
	beforeA := snapshot(t, s, pA(), "c", "d", "g", "new")
	for _, panics := range []bool{false, true} {
		err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
			if err := tx.Put("c", "zz", nil); err != nil {
				return err
			}
			g := tx.Global()
			if err := g.Put("g", "taken", []byte("clobbered")); err != nil {
				return err
			}
			if err := g.Insert("g", "inserted", nil); err != nil {
				return err
			}
			if err := g.Put("new", "k", nil); err != nil { // a new collection
				return err
			}
			if err := g.Delete("c", "abc"); err != nil {
				return err
			}
			if _, err := g.DeletePrefix("d", ""); err != nil {
				return err
			}
			if panics {
				panic(errTest)
			}
			return errTest
		})
		if !errors.Is(err, errTest) {
			t.Fatalf("Update = %v, want fn's error", err)
		}
		if after := snapshot(t, s, store.Global, "c", "d", "g", "new"); !maps.Equal(before, after) {
			t.Fatalf("failed Update (panic %v) changed Global:\nbefore %q\nafter  %q", panics, before, after)
		}
		if after := snapshot(t, s, pA(), "c", "d", "g", "new"); !maps.Equal(beforeA, after) {
			t.Fatalf("failed Update (panic %v) changed its partition", panics)
		}
	}
	// A failure in a new partition whose only writes went to Global.
	err := s.Update(context.Background(), pC(), func(tx store.Tx) error {
		if err := tx.Global().Put("g", "from-c", nil); err != nil {
			return err
		}
		return errTest
	})
	if !errors.Is(err, errTest) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	wantMissing(t, s, store.Global, "g", "from-c")
	// A success whose only writes went to Global commits them.
	update(t, s, pC(), func(tx store.Tx) error { return tx.Global().Put("g", "from-c", []byte("c")) })
	wantValue(t, s, store.Global, "g", "from-c", "c")
}

func testGlobalOfGlobal(t *testing.T, s store.Store) {
	update(t, s, store.Global, func(tx store.Tx) error {
		if tx.Global() != tx {
			t.Errorf("Global() of a Global transaction is not the Tx itself")
		}
		if err := tx.Put("g", "k", []byte("v")); err != nil {
			return err
		}
		if v, err := tx.Global().Get("g", "k"); err != nil || string(v) != "v" {
			t.Errorf("Global().Get = %q, %v", v, err)
		}
		return nil
	})
	update(t, s, pA(), func(tx store.Tx) error {
		if g := tx.Global(); g.Global() != g {
			t.Errorf("Global() of the Global Tx is not itself")
		}
		return nil
	})
	wantValue(t, s, store.Global, "g", "k", "v")
}

func testGlobalIsolation(t *testing.T, s store.Store) {
	for i, p := range []store.Partition{pA(), pB(), pC()} {
		update(t, s, p, func(tx store.Tx) error {
			if err := tx.Put("users", "own", []byte(p.Region)); err != nil {
				return err
			}
			return tx.Global().Put("users", fmt.Sprintf("g%d", i), []byte(p.Account))
		})
	}
	for _, p := range []store.Partition{pA(), pB(), pC()} {
		if ids := scanIDs(t, s, p, "users", "", ""); len(ids) != 1 || ids[0] != "own" {
			t.Errorf("partition %v sees %q, want [own]", p, ids)
		}
	}
	if ids := scanIDs(t, s, store.Global, "users", "", ""); len(ids) != 3 {
		t.Errorf("Global holds %q, want the three Global writes", ids)
	}
	// A partition named like Global's parts is not Global.
	for _, p := range []store.Partition{{Account: "global", Region: ""}, {Account: "", Region: "global"}, {Account: "global", Region: "us-east-1"}} {
		if ids := scanIDs(t, s, p, "users", "", ""); len(ids) != 0 {
			t.Errorf("partition %q sees %q", p, ids)
		}
	}
}

func testGlobalInsertRace(t *testing.T, s store.Store) {
	raceInserts(t, s, []store.Partition{pA(), pB(), pC(), store.Global}, true, 8, 25)
}

// within fails the test when run does not return in time, which is how a
// deadlock shows.
func within(t *testing.T, d time.Duration, what string, run func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		run()
	}()
	select {
	case <-done:
	case <-time.After(d):
		buf := make([]byte, 1<<20)
		t.Fatalf("%s did not finish within %v (deadlock?); goroutines:\n%s", what, d, buf[:runtime.Stack(buf, true)])
	}
}

// testGlobalNoDeadlock runs partition Updates that read and write Global,
// Updates of Global itself and Views of both, all at once.
func testGlobalNoDeadlock(t *testing.T, s store.Store) {
	ctx := context.Background()
	parts := []store.Partition{pA(), pB(), pC(), store.Global}
	within(t, 60*time.Second, "concurrent Updates using Global", func() {
		var wg sync.WaitGroup
		for w := range 12 {
			wg.Go(func() {
				p := parts[w%len(parts)]
				for r := range 15 {
					key := fmt.Sprintf("w%02d-%02d", w, r)
					var err error
					if w%3 == 2 {
						err = s.View(ctx, p, func(rd store.Reader) error {
							_, err := rd.Get("c", key)
							if errors.Is(err, store.ErrNotFound) {
								err = nil
							}
							return err
						})
					} else {
						err = s.Update(ctx, p, func(tx store.Tx) error {
							if err := tx.Put("c", key, nil); err != nil {
								return err
							}
							runtime.Gosched() // let others take their locks
							g := tx.Global()
							if err := g.Scan("c", "", "", 3, func(string, []byte) (bool, error) { return true, nil }); err != nil {
								return err
							}
							return g.Put("c", key, nil)
						})
						if errors.Is(err, store.ErrConflict) {
							err = nil
						}
					}
					if err != nil {
						t.Errorf("worker %d: %v", w, err)
						return
					}
				}
			})
		}
		wg.Wait()
	})
}

func testGlobalReset(t *testing.T, s store.Store) {
	update(t, s, pA(), func(tx store.Tx) error { return tx.Global().Put("g", "a", nil) })
	put(t, s, store.Global, "g", "b", "v")
	wantValue(t, s, store.Global, "g", "b", "v")
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ids := scanIDs(t, s, store.Global, "g", "", ""); len(ids) != 0 {
		t.Fatalf("after Reset Global holds %q", ids)
	}
	update(t, s, pA(), func(tx store.Tx) error {
		return tx.Global().Insert("g", "a", []byte("again"))
	})
	wantValue(t, s, store.Global, "g", "a", "again")
}

// testGlobalResetAtomic runs Updates that write a record in their partition
// and its twin in Global while Resets run: a Reset comes before or after
// each Update as a whole, so at the end every record has its twin.
func testGlobalResetAtomic(t *testing.T, s store.Store) {
	ctx := context.Background()
	parts := []store.Partition{pA(), pB(), pC()}
	stop := make(chan struct{})
	var resets sync.WaitGroup
	resets.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Reset(ctx); err != nil {
				t.Errorf("Reset: %v", err)
				return
			}
			runtime.Gosched()
		}
	})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			p := parts[w%len(parts)]
			for r := range 40 {
				key := fmt.Sprintf("w%02d-%02d", w, r)
				err := s.Update(ctx, p, func(tx store.Tx) error {
					if err := tx.Put("twin", key, nil); err != nil {
						return err
					}
					runtime.Gosched()
					return tx.Global().Put("twin", key, nil)
				})
				if err != nil && !errors.Is(err, store.ErrConflict) {
					t.Errorf("worker %d: %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	resets.Wait()
	global := snapshot(t, s, store.Global, "twin")
	n := 0
	for _, p := range parts {
		for k := range snapshot(t, s, p, "twin") {
			n++
			if _, ok := global[k]; !ok {
				t.Errorf("%v holds %s without its Global twin", p, k)
			}
		}
	}
	if n != len(global) {
		t.Errorf("partitions hold %d records, Global %d twins", n, len(global))
	}
}

// testKeptGlobalIsDead uses Global() of a finished Tx, and a Global Tx kept
// past its function: both must refuse, and Global must stay usable.
func testKeptGlobalIsDead(t *testing.T, s store.Store) {
	var kept, keptGlobal store.Tx
	update(t, s, pA(), func(tx store.Tx) error {
		kept, keptGlobal = tx, tx.Global()
		return nil
	})
	var unused store.Tx
	update(t, s, pB(), func(tx store.Tx) error { unused = tx; return nil })
	for name, tx := range map[string]store.Tx{"kept Global()": keptGlobal, "Global() of a kept Tx": kept.Global(), "first Global() of a kept Tx": unused.Global()} {
		if err := tx.Put("g", "late", nil); !errors.Is(err, store.ErrClosed) {
			t.Errorf("Put on %s = %v, want ErrClosed", name, err)
		}
		if err := tx.Insert("g", "late", nil); !errors.Is(err, store.ErrClosed) {
			t.Errorf("Insert on %s = %v, want ErrClosed", name, err)
		}
		if _, err := tx.DeletePrefix("g", ""); !errors.Is(err, store.ErrClosed) {
			t.Errorf("DeletePrefix on %s = %v, want ErrClosed", name, err)
		}
		if _, err := tx.Get("g", "late"); !errors.Is(err, store.ErrClosed) {
			t.Errorf("Get on %s = %v, want ErrClosed", name, err)
		}
	}
	if err := kept.Insert("c", "late", nil); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Insert on a kept Tx = %v, want ErrClosed", err)
	}
	if _, err := kept.DeletePrefix("c", ""); !errors.Is(err, store.ErrClosed) {
		t.Errorf("DeletePrefix on a kept Tx = %v, want ErrClosed", err)
	}
	within(t, 10*time.Second, "an Update of Global after kept Txs asked for Global", func() {
		ctx := context.Background()
		if err := s.Update(ctx, store.Global, func(tx store.Tx) error { return tx.Put("g", "k", []byte("v")) }); err != nil {
			t.Errorf("Update of Global: %v", err)
		}
		if err := s.Update(ctx, pC(), func(tx store.Tx) error { return tx.Global().Put("g", "c", nil) }); err != nil {
			t.Errorf("Update through Global(): %v", err)
		}
	})
	wantValue(t, s, store.Global, "g", "k", "v")
	wantMissing(t, s, store.Global, "g", "late")
}
