package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

var testPart = []byte("111111111111\x00us-east-1")

// cachedValue is what c serves for (collection "c", id) to snapshot, or
// "(miss)".
func cachedValue(c *readCache, part []byte, id string, snapshot int) string {
	v, ok := c.get(part, "c", id, snapshot)
	if !ok {
		return "(miss)"
	}
	return string(v)
}

// TestReadCacheRules walks the cache through fills, a commit and a Reset,
// checking what each snapshot is served.
func TestReadCacheRules(t *testing.T) {
	c := newReadCache(5)
	fill := func(id, value string, snapshot int) { c.fill(testPart, "c", id, []byte(value), snapshot) }
	want := func(id string, snapshot int, value string) {
		t.Helper()
		if got := cachedValue(c, testPart, id, snapshot); got != value {
			t.Fatalf("snapshot %d reads %s = %s, want %s", snapshot, id, got, value)
		}
	}

	// Only a reader of the latest commit knows the latest value; what an
	// older one read may have changed since.
	fill("a", "from-4", 4)
	want("a", 5, "(miss)")
	fill("a", "v5", 5)
	want("a", 5, "v5")
	want("a", 6, "v5")
	want("a", 4, "(miss)") // an older snapshot may see an older value
	// An entry is never replaced by a fill.
	fill("a", "other", 5)
	want("a", 5, "v5")
	// Other ids, collections and partitions are apart.
	want("b", 5, "(miss)")
	if _, ok := c.get(testPart, "d", "a", 5); ok {
		t.Fatal("another collection's record is served")
	}
	if _, ok := c.get([]byte("111111111111\x00eu-west-1"), "c", "a", 5); ok {
		t.Fatal("another partition's record is served")
	}

	// A commit of transaction 6 writes a and b.
	c.beginCommit(map[address]struct{}{
		{string(testPart), "c", "a"}: {},
		{string(testPart), "c", "b"}: {},
	})
	want("a", 5, "(miss)")
	fill("a", "v5", 5) // still the latest snapshot, but a is being written
	fill("b", "v5", 5)
	fill("x", "x5", 5) // x is not
	c.endCommit(6)
	want("a", 6, "(miss)")
	want("b", 6, "(miss)")
	want("x", 6, "x5")
	fill("a", "v5", 5) // no longer the latest snapshot
	want("a", 6, "(miss)")
	fill("a", "v6", 6)
	want("a", 6, "v6")
	want("a", 5, "(miss)")

	// A Reset (transaction 7) removes everything.
	c.beginReset()
	want("x", 6, "(miss)")
	fill("x", "x6", 6)
	c.endCommit(7)
	want("x", 7, "(miss)")
	fill("x", "x6", 6)
	want("x", 7, "(miss)")
	fill("x", "x7", 7)
	want("x", 7, "x7")

	// A failed commit counts as committed: it may have become visible.
	c.beginCommit(map[address]struct{}{{string(testPart), "c", "y"}: {}})
	c.endCommit(8)
	fill("y", "y7", 7)
	want("y", 8, "(miss)")
}

func TestReadCacheBounds(t *testing.T) {
	c := newReadCache(1)
	for i := range cacheMaxEntries {
		c.fill(testPart, "c", fmt.Sprint(i), []byte("v"), 1)
	}
	if n := len(c.entries); n != cacheMaxEntries {
		t.Fatalf("%d entries after %d fills", n, cacheMaxEntries)
	}
	c.fill(testPart, "c", "one more", []byte("v"), 1)
	if n := len(c.entries); n != 1 {
		t.Fatalf("%d entries after passing the limit, want the newest alone", n)
	}

	c.fill(testPart, "c", "huge", make([]byte, cacheMaxValueLen+1), 1)
	if got := cachedValue(c, testPart, "huge", 1); got != "(miss)" {
		t.Fatal("a value over cacheMaxValueLen was cached")
	}

	clear(c.entries)
	c.bytes = 0
	big := make([]byte, cacheMaxValueLen)
	fits := cacheMaxBytes / (cacheMaxValueLen + len(testPart) + len("c") + 8)
	for i := range fits {
		c.fill(testPart, "c", fmt.Sprintf("%08d", i), big, 1)
	}
	if n := len(c.entries); n != fits {
		t.Fatalf("%d entries of %d bytes, want %d", n, len(big), fits)
	}
	// Removing entries gives their bytes back.
	c.beginCommit(map[address]struct{}{{string(testPart), "c", "00000000"}: {}})
	c.endCommit(1)
	c.fill(testPart, "c", "00000000", big, 1)
	if n := len(c.entries); n != fits {
		t.Fatalf("%d entries after one left and came back, want %d", n, fits)
	}
	c.fill(testPart, "c", "overflow", big, 1)
	if n := len(c.entries); n != 1 {
		t.Fatalf("%d entries after passing the byte limit, want the newest alone", n)
	}
}

func TestReadCacheHitDoesNotAllocate(t *testing.T) {
	c := newReadCache(1)
	c.fill(testPart, "c", "a", []byte("v"), 1)
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := c.get(testPart, "c", "a", 1); !ok {
			t.Fatal("miss")
		}
	})
	if allocs != 0 {
		t.Fatalf("a hit allocates %v times", allocs)
	}
}

// TestCacheMatchesSnapshot is a differential test of the cache against
// bbolt itself: while writers change records several at a time (some
// failing, some Resetting), every Get in a View must return what bbolt
// holds at that View's snapshot.
func TestCacheMatchesSnapshot(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "store.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	parts := []store.Partition{
		{Account: "111111111111", Region: "us-east-1"},
		{Account: "111111111111", Region: "eu-west-1"},
	}
	colls, ids := []string{"c1", "c2"}, []string{"k0", "k1", "k2", "k3"}
	const writers, readers, rounds = 2, 6, 300
	errFail := errors.New("deliberate")

	stop := make(chan struct{})
	var hits atomic.Int64 // Gets the cache could serve: the test means nothing without them
	var readersWG, writersWG sync.WaitGroup
	for w := range writers {
		writersWG.Go(func() {
			for n := range rounds {
				if w == 0 && n%50 == 49 {
					if err := s.Reset(ctx); err != nil {
						t.Errorf("Reset: %v", err)
					}
					continue
				}
				fail := rand.N(5) == 0
				err := s.Update(ctx, parts[rand.N(len(parts))], func(tx store.Tx) error {
					for range 1 + rand.N(4) {
						c, id := colls[rand.N(len(colls))], ids[rand.N(len(ids))]
						var err error
						if rand.N(4) == 0 {
							err = tx.Delete(c, id)
						} else {
							err = tx.Put(c, id, fmt.Appendf(nil, "w%d-%d", w, n))
						}
						if err != nil {
							return err
						}
					}
					if fail {
						return errFail
					}
					return nil
				})
				if err != nil && !(fail && errors.Is(err, errFail)) {
					t.Errorf("Update: %v", err)
				}
			}
		})
	}
	for range readers {
		readersWG.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(ctx, parts[rand.N(len(parts))], func(r store.Reader) error {
					rd := r.(*reader)
					for range 6 {
						c, id := colls[rand.N(len(colls))], ids[rand.N(len(ids))]
						if _, ok := s.cache.get(rd.part, c, id, rd.snapshot); ok {
							hits.Add(1)
						}
						got, err := r.Get(c, id)
						if err != nil && !errors.Is(err, store.ErrNotFound) {
							return err
						}
						var want []byte
						found := false
						if b := rd.bucket(c); b != nil {
							want, found = lookup(b, []byte(id))
						}
						if found != (err == nil) || !bytes.Equal(got, want) {
							return fmt.Errorf("snapshot %d: Get(%s, %s) = %q, %v; bbolt has %q (found %v)",
								rd.snapshot, c, id, got, err, want, found)
						}
						runtime.Gosched() // let commits land mid-View
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	writersWG.Wait()
	close(stop)
	readersWG.Wait()
	if hits.Load() == 0 {
		t.Error("no Get was served from the cache")
	}
}

// TestViewFillsFewEntries reads many records in one View: only the first
// few may enter the cache.
func TestViewFillsFewEntries(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "store.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	p := store.Partition{Account: "111111111111", Region: "us-east-1"}
	const n = 3 * maxFillsPerView
	err = s.Update(ctx, p, func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put("c", fmt.Sprint(i), []byte("v")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, p, func(r store.Reader) error {
		for i := range n {
			if _, err := r.Get("c", fmt.Sprint(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.cache.entries); got != maxFillsPerView {
		t.Fatalf("a View of %d misses filled %d entries, want %d", n, got, maxFillsPerView)
	}
}
