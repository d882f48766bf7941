package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

// contend runs workers goroutines of rounds read-modify-write Updates of
// one counter on pA. Each attempt of each Update also writes a record
// naming the attempt, in pA and in Global. It returns the Updates that
// succeeded, each mapped to the number of calls of its function, and fails
// the test on any error that does not match ErrConflict.
func contend(t *testing.T, s store.Store, workers, rounds int) map[string]int {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	succeeded := make(map[string]int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				key := fmt.Sprintf("w%02d-%03d", w, r)
				calls := 0
				err := s.Update(ctx, pA(), func(tx store.Tx) error {
					calls++
					attempt := key + "-" + strconv.Itoa(calls)
					if err := increment(tx, attempt); err != nil {
						return err
					}
					return tx.Global().Put(keysColl, attempt, nil)
				})
				switch {
				case err == nil:
					mu.Lock()
					succeeded[key] = calls
					mu.Unlock()
				case errors.Is(err, store.ErrConflict):
				default:
					t.Errorf("worker %d: Update = %v, want nil or ErrConflict", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return succeeded
}

// testConflictCounter holds every store to what the conflict rule
// promises: concurrent increments end with the count of the Updates that
// returned nil, and of each Update only the last call's writes remain.
func testConflictCounter(t *testing.T, s store.Store) {
	succeeded := contend(t, s, 16, 12)
	got := snapshot(t, s, pA(), counterColl, keysColl)
	if want := strconv.Itoa(len(succeeded)); got[counterColl+"/"+counterID] != want {
		t.Errorf("counter = %q after %s successful increments", got[counterColl+"/"+counterID], want)
	}
	want := make(map[string]bool)
	for key, calls := range succeeded {
		want[keysColl+"/"+key+"-"+strconv.Itoa(calls)] = true
	}
	global := snapshot(t, s, store.Global, keysColl)
	for name, records := range map[string]map[string]string{"pA": got, "Global": global} {
		n := 0
		for k := range records {
			if k == counterColl+"/"+counterID {
				continue
			}
			n++
			if !want[k] {
				t.Errorf("%s holds %s, written by an attempt that did not commit", name, k)
			}
		}
		if n != len(want) {
			t.Errorf("%s holds %d attempts' records, want %d", name, n, len(want))
		}
	}
}

// testCallsOnce checks stores that declare Options.CallsOnce: every Update
// calls its function exactly once, failing or not, contended or not.
func testCallsOnce(t *testing.T, s store.Store) {
	for _, fail := range []bool{false, true} {
		calls := 0
		err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
			calls++
			if err := tx.Put("c", "k", []byte("v")); err != nil {
				return err
			}
			if fail {
				return errTest
			}
			return nil
		})
		if fail != (err != nil) {
			t.Fatalf("Update (fail=%v) = %v", fail, err)
		}
		if calls != 1 {
			t.Fatalf("Update (fail=%v) ran fn %d times", fail, calls)
		}
	}
	succeeded := contend(t, s, 8, 10)
	if len(succeeded) != 80 {
		t.Errorf("%d of 80 contended Updates succeeded", len(succeeded))
	}
	for key, calls := range succeeded {
		if calls != 1 {
			t.Errorf("contended Update %s ran fn %d times", key, calls)
		}
	}
}
