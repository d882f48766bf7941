package storetest

import (
	"context"
	"errors"
	"fmt"
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
// set must equal exactly what was acknowledged.
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
					if err := s.Update(ctx, p, func(tx store.Tx) error { return increment(tx, key) }); err != nil {
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
					if !errors.Is(err, errTest) {
						t.Errorf("worker %d: failing Update = %v", w, err)
						return
					}
				case 3:
					seen := 0
					err := s.View(ctx, p, func(rd store.Reader) error {
						return rd.Scan(keysColl, prefix, "", func(string, []byte) (bool, error) {
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
