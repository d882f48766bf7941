package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

const (
	workers          = 32
	roundsPerWorker  = 40
	counterID        = "n"
	counterColl      = "meta"
	keysColl         = "keys"
	failedKeysPrefix = "failed-"
)

// increment adds one to the partition's counter and stores key: a
// read-modify-write that loses counts unless Updates are serializable.
func increment(tx store.Tx, key string) error {
	n := 0
	v, err := tx.Get(counterColl, counterID)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(v)); err != nil {
			return err
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if err := tx.Put(counterColl, counterID, []byte(strconv.Itoa(n+1))); err != nil {
		return err
	}
	return tx.Put(keysColl, key, []byte(key))
}

// testConcurrency runs 32 goroutines of Updates (some failing) and Views on
// two partitions. Every acknowledged Update must be visible to its own
// goroutine's next View, and at the end each partition's counter and key
// set must equal exactly what was acknowledged (an Update that gave up with
// ErrConflict is not).
func testConcurrency(t *testing.T, s store.Store) {
	ctx := context.Background()
	parts := []store.Partition{pA(), pB()}
	var mu sync.Mutex
	acked := make([]map[string]bool, len(parts))
	for i := range acked {
		acked[i] = make(map[string]bool)
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			pi := w % len(parts)
			p := parts[pi]
			prefix := fmt.Sprintf("w%02d-", w)
			mine := 0
			for r := range roundsPerWorker {
				switch r % 4 {
				case 0, 1:
					key := fmt.Sprintf("%s%03d", prefix, r)
					err := s.Update(ctx, p, func(tx store.Tx) error { return increment(tx, key) })
					if errors.Is(err, store.ErrConflict) {
						continue // not written; the count must not include it
					}
					if err != nil {
						t.Errorf("worker %d: Update: %v", w, err)
						return
					}
					mine++
					mu.Lock()
					acked[pi][key] = true
					mu.Unlock()
				case 2:
					err := s.Update(ctx, p, func(tx store.Tx) error {
						if err := increment(tx, failedKeysPrefix+prefix+strconv.Itoa(r)); err != nil {
							return err
						}
						return errTest
					})
					if !errors.Is(err, errTest) && !errors.Is(err, store.ErrConflict) {
						t.Errorf("worker %d: failing Update = %v", w, err)
						return
					}
				case 3:
					seen := 0
					err := s.View(ctx, p, func(rd store.Reader) error {
						return rd.Scan(keysColl, prefix, "", 0, func(string, []byte) (bool, error) {
							seen++
							return true, nil
						})
					})
					if err != nil || seen != mine {
						t.Errorf("worker %d: View saw %d of its %d acknowledged keys (err %v)", w, seen, mine, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()

	for pi, p := range parts {
		got := snapshot(t, s, p, counterColl, keysColl)
		if want := strconv.Itoa(len(acked[pi])); got[counterColl+"/"+counterID] != want {
			t.Errorf("partition %v: counter = %q, want %s", p, got[counterColl+"/"+counterID], want)
		}
		keys := 0
		for k := range got {
			if id, ok := strings.CutPrefix(k, keysColl+"/"); ok {
				keys++
				if !acked[pi][id] {
					t.Errorf("partition %v holds unacknowledged %q", p, id)
				}
			}
		}
		if keys != len(acked[pi]) {
			t.Errorf("partition %v holds %d keys, want %d", p, keys, len(acked[pi]))
		}
	}
}

// Addresses of testSnapshotConsistency: three records that every commit
// writes together.
const (
	trioColl    = "trio"
	trioMissing = "(missing)"
	trioBad     = "bad"
)

var trioIDs = []string{"a", "b", "c"}

// readTrio reads the trio in one View: Gets in the given order, yielding
// between them so that commits land mid-View, then a Scan. It reports
// whatever the View saw that was not one snapshot, else the trio's value.
func readTrio(s store.Store, order []string) (string, error) {
	var value string
	err := s.View(context.Background(), pA(), func(r store.Reader) error {
		got := make(map[string]string, len(order))
		for _, id := range order {
			v, err := r.Get(trioColl, id)
			switch {
			case errors.Is(err, store.ErrNotFound):
				got[id] = trioMissing
			case err != nil:
				return err
			default:
				got[id] = string(v)
			}
			runtime.Gosched()
		}
		value = got[order[0]]
		for _, id := range order {
			if got[id] != value {
				return fmt.Errorf("Gets in order %q saw %v", order, got)
			}
		}
		scanned := make(map[string]string)
		err := r.Scan(trioColl, "", "", 0, func(id string, v []byte) (bool, error) {
			scanned[id] = string(v)
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, id := range trioIDs {
			if v, ok := scanned[id]; !ok && value != trioMissing || ok && v != value {
				return fmt.Errorf("Gets saw %v, then Scan saw %v", got, scanned)
			}
		}
		return nil
	})
	return value, err
}

// testSnapshotConsistency has one writer keep three records equal in every
// commit (set together, deleted and re-created in one Update, deleted
// together, removed by Reset, and changed by failing Updates that must not
// count) while readers read them in one View, in differing orders, and must
// always find them equal: a View sees one snapshot however its reads are
// served. The writer's own View after each acknowledged write must see it.
func testSnapshotConsistency(t *testing.T, s store.Store) {
	ctx := context.Background()
	const rounds, readers = 300, 8
	setTrio := func(tx store.Tx, value string, recreate bool) error {
		for _, id := range trioIDs {
			if recreate {
				if err := tx.Delete(trioColl, id); err != nil {
					return err
				}
			}
			if err := tx.Put(trioColl, id, []byte(value)); err != nil {
				return err
			}
		}
		return nil
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range readers {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				order := []string{trioIDs[(g+n)%3], trioIDs[(g+n+1)%3], trioIDs[(g+n+2)%3]}
				if g%2 == 1 {
					slices.Reverse(order)
				}
				if _, err := readTrio(s, order); err != nil {
					t.Errorf("reader %d: %v", g, err)
					return
				}
			}
		})
	}

	want := trioMissing
	for n := 1; n <= rounds; n++ {
		var err error
		switch value := strconv.Itoa(n); n % 10 {
		case 3:
			err = s.Update(ctx, pA(), func(tx store.Tx) error {
				for _, id := range trioIDs {
					if err := tx.Delete(trioColl, id); err != nil {
						return err
					}
				}
				return nil
			})
			want = trioMissing
		case 5:
			err = s.Update(ctx, pA(), func(tx store.Tx) error {
				if err := setTrio(tx, trioBad, false); err != nil {
					return err
				}
				return errTest
			})
			if errors.Is(err, errTest) {
				err = nil
			}
		case 7:
			err = s.Reset(ctx)
			want = trioMissing
		case 8:
			// A commit that leaves the trio alone.
			err = s.Update(ctx, pA(), func(tx store.Tx) error { return tx.Put("other", "x", []byte(value)) })
		default:
			err = s.Update(ctx, pA(), func(tx store.Tx) error { return setTrio(tx, value, n%10 == 9) })
			want = value
		}
		if err != nil {
			t.Errorf("round %d: %v", n, err)
			break
		}
		got, err := readTrio(s, trioIDs)
		if err != nil || got != want {
			t.Errorf("round %d: after the write the trio is %q (err %v), want %q", n, got, err, want)
			break
		}
	}
	close(stop)
	wg.Wait()
}
