package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

// v2Cases are the tests of what version 2 of the contract added: Insert,
// DeletePrefix, Scan limits, the Global partition and retries.
var v2Cases = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"Insert", testInsert},
	{"InsertInvalidKeys", testInsertInvalidKeys},
	{"InsertRace", testInsertRace},
	{"DeletePrefix", testDeletePrefix},
	{"DeletePrefixInTx", testDeletePrefixInTx},
	{"DeletePrefixRollback", testDeletePrefixRollback},
	{"ScanLimit", testScanLimit},
	{"ScanLimitWritesDuringScan", testScanLimitWritesDuringScan},
	{"ScanDeletePrefixDuringScan", testScanDeletePrefixDuringScan},
	{"GlobalCommits", testGlobalCommits},
	{"GlobalRollback", testGlobalRollback},
	{"GlobalOfGlobal", testGlobalOfGlobal},
	{"GlobalIsolation", testGlobalIsolation},
	{"GlobalInsertRace", testGlobalInsertRace},
	{"GlobalNoDeadlock", testGlobalNoDeadlock},
	{"GlobalReset", testGlobalReset},
	{"GlobalResetAtomic", testGlobalResetAtomic},
	{"KeptGlobalIsDead", testKeptGlobalIsDead},
	{"ConflictCounter", testConflictCounter},
}

// update runs fn in an Update on p and fails the test on an error.
func update(t *testing.T, s store.Store, p store.Partition, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), p, fn); err != nil {
		t.Fatalf("Update(%v): %v", p, err)
	}
}

func testInsert(t *testing.T, s store.Store) {
	put(t, s, pA(), "c", "taken", "first")
	put(t, s, pA(), "c", "empty", "")
	put(t, s, pA(), "c", "gone", "old")
	put(t, s, pB(), "c", "fresh", "other partition")
	update(t, s, pA(), func(tx store.Tx) error {
		buf := []byte("new")
		if err := tx.Insert("c", "fresh", buf); err != nil {
			t.Errorf("Insert of an absent record = %v", err)
		}
		copy(buf, "XXX") // the store keeps its own copy
		for _, id := range []string{"taken", "empty", "fresh"} {
			if err := tx.Insert("c", id, []byte("clobber")); !errors.Is(err, store.ErrExists) {
				t.Errorf("Insert(%q) over a record = %v, want ErrExists", id, err)
			}
		}
		if err := tx.Put("c", "put", []byte("put")); err != nil {
			return err
		}
		if err := tx.Insert("c", "put", []byte("clobber")); !errors.Is(err, store.ErrExists) {
			t.Errorf("Insert over the tx's own Put = %v, want ErrExists", err)
		}
		if err := tx.Delete("c", "gone"); err != nil {
			return err
		}
		if err := tx.Insert("c", "gone", []byte("again")); err != nil {
			t.Errorf("Insert of a record deleted in the same tx = %v", err)
		}
		if v, err := tx.Get("c", "gone"); err != nil || string(v) != "again" {
			t.Errorf("Get after Insert = %q, %v", v, err)
		}
		// A refused Insert leaves the transaction usable.
		return tx.Put("c", "after", []byte("ok"))
	})
	want := map[string]string{
		"c/taken": "first", "c/empty": "", "c/fresh": "new", "c/put": "put",
		"c/gone": "again", "c/after": "ok",
	}
	if got := snapshot(t, s, pA(), "c"); !maps.Equal(got, want) {
		t.Fatalf("after Inserts the partition holds %q, want %q", got, want)
	}
	wantValue(t, s, pB(), "c", "fresh", "other partition")
}

func testInsertInvalidKeys(t *testing.T, s store.Store) {
	long := strings.Repeat("x", store.MaxKeyLen+1)
	for _, k := range []struct{ collection, id string }{{"", "id"}, {"c", ""}, {"c", long}, {long, "id"}} {
		err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
			return tx.Insert(k.collection, k.id, []byte("v"))
		})
		if !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Insert(%.10q, %.10q) = %v, want ErrInvalidKey", k.collection, k.id, err)
		}
	}
	update(t, s, pA(), func(tx store.Tx) error { return tx.Insert("c", long[:store.MaxKeyLen], []byte("v")) })
	wantValue(t, s, pA(), "c", long[:store.MaxKeyLen], "v")
}

// raceInserts has every worker Insert each address in its own Update (in
// an order of its own) on the partition parts[worker%len(parts)], through
// Global when global is set. It returns how many Inserts of each address
// succeeded, failing the test on errors other than ErrExists and
// ErrConflict, and checks that each address holds its winner's value.
func raceInserts(t *testing.T, s store.Store, parts []store.Partition, global bool, workers, addresses int) {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	winners := make(map[string][]string)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			p := parts[w%len(parts)]
			me := fmt.Sprintf("w%02d", w)
			for i := range addresses {
				addr := fmt.Sprintf("addr%03d", (i*7+w)%addresses)
				err := s.Update(ctx, p, func(tx store.Tx) error {
					if global {
						tx = tx.Global()
					}
					return tx.Insert("index", addr, []byte(me))
				})
				switch {
				case err == nil:
					mu.Lock()
					winners[addr] = append(winners[addr], me)
					mu.Unlock()
				case errors.Is(err, store.ErrExists), errors.Is(err, store.ErrConflict):
				default:
					t.Errorf("worker %d: Insert(%s) = %v, want nil, ErrExists or ErrConflict", w, addr, err)
					return
				}
			}
		})
	}
	wg.Wait()
	where := parts[0]
	if global {
		where = store.Global
	}
	got := snapshot(t, s, where, "index")
	for i := range addresses {
		addr := fmt.Sprintf("addr%03d", i)
		if len(winners[addr]) != 1 {
			t.Errorf("%d Inserts of %s succeeded (%q), want exactly one", len(winners[addr]), addr, winners[addr])
			continue
		}
		if v := got["index/"+addr]; v != winners[addr][0] {
			t.Errorf("%s holds %q, want its winner %q", addr, v, winners[addr][0])
		}
	}
}

func testInsertRace(t *testing.T, s store.Store) {
	raceInserts(t, s, []store.Partition{pA()}, false, 8, 25)
}

// prefixFixture holds ids around the prefixes testDeletePrefix removes:
// the prefix itself, ids one byte longer or shorter, and 0xff bytes, where
// a store computing the end of a prefix range by incrementing a byte would
// go wrong.
var prefixFixture = []string{
	"a", "ab", "abb", "abc", "abc\x00", "abcd", "abc\xff", "abc\xff\xff", "abd", "ab\xff",
	"b", "\xfe", "\xfe\xff", "\xff", "\xff\x00", "\xff\xff", "\xff\xff\xff", "\xff\xffa",
}

func seedPrefixFixture(t *testing.T, s store.Store) {
	t.Helper()
	for _, p := range []store.Partition{pA(), pB(), store.Global} {
		update(t, s, p, func(tx store.Tx) error {
			for _, id := range prefixFixture {
				for _, c := range []string{"c", "d"} {
					if err := tx.Put(c, id, []byte(c+id)); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
}

func testDeletePrefix(t *testing.T, s store.Store) {
	for _, prefix := range []string{"abc", "ab", "abc\xff", "\xff", "\xff\xff", "\xfe", "a", "zzz", "abcde", ""} {
		if err := s.Reset(context.Background()); err != nil {
			t.Fatal(err)
		}
		seedPrefixFixture(t, s)
		var n int
		update(t, s, pA(), func(tx store.Tx) (err error) {
			n, err = tx.DeletePrefix("c", prefix)
			return err
		})
		var want []string
		for _, id := range prefixFixture {
			if !strings.HasPrefix(id, prefix) {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		if got := scanIDs(t, s, pA(), "c", "", ""); !slices.Equal(got, want) {
			t.Errorf("after DeletePrefix(%q) the collection holds %q, want %q", prefix, got, want)
		}
		if removed := len(prefixFixture) - len(want); n != removed {
			t.Errorf("DeletePrefix(%q) = %d, removed %d", prefix, n, removed)
		}
		all := slices.Sorted(slices.Values(prefixFixture))
		for _, other := range []struct {
			p          store.Partition
			collection string
		}{{pA(), "d"}, {pB(), "c"}, {pB(), "d"}, {store.Global, "c"}} {
			if got := scanIDs(t, s, other.p, other.collection, "", ""); !slices.Equal(got, all) {
				t.Errorf("DeletePrefix(%q) of pA/c changed %v/%s: %q", prefix, other.p, other.collection, got)
			}
		}
	}
	update(t, s, pC(), func(tx store.Tx) error {
		for _, c := range []string{"c", "missing"} {
			if n, err := tx.DeletePrefix(c, ""); err != nil || n != 0 {
				t.Errorf("DeletePrefix of a missing partition or collection = %d, %v", n, err)
			}
		}
		return nil
	})
}

func testDeletePrefixInTx(t *testing.T, s store.Store) {
	seedPrefixFixture(t, s)
	update(t, s, pA(), func(tx store.Tx) error {
		if n, err := tx.DeletePrefix("c", "abc"); err != nil || n != 5 {
			return fmt.Errorf("DeletePrefix(abc) = %d, %v; want 5", n, err)
		}
		if _, err := tx.Get("c", "abcd"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get after DeletePrefix = %v, want ErrNotFound", err)
		}
		var ids []string
		err := tx.Scan("c", "ab", "", 0, func(id string, _ []byte) (bool, error) {
			ids = append(ids, id)
			return true, nil
		})
		if want := []string{"ab", "abb", "abd", "ab\xff"}; err != nil || !slices.Equal(ids, want) {
			t.Errorf("Scan after DeletePrefix = %q, %v; want %q", ids, err, want)
		}
		if err := tx.Put("c", "abcz", []byte("new")); err != nil {
			return err
		}
		if err := tx.Insert("c", "abc", []byte("again")); err != nil {
			t.Errorf("Insert of an id DeletePrefix removed = %v", err)
		}
		// The second DeletePrefix counts only what is there now.
		if n, err := tx.DeletePrefix("c", "abc\xff"); err != nil || n != 0 {
			t.Errorf("DeletePrefix of an emptied range = %d, %v", n, err)
		}
		return tx.Put("c", "abc\xffz", []byte("new too"))
	})
	want := []string{"a", "ab", "abb", "abc", "abcz", "abc\xffz", "abd", "ab\xff"}
	if got := scanIDs(t, s, pA(), "c", "a", ""); !slices.Equal(got, want) {
		t.Fatalf("after the tx the collection holds %q, want %q", got, want)
	}
	wantValue(t, s, pA(), "c", "abc", "again")
	update(t, s, pA(), func(tx store.Tx) error {
		if n, err := tx.DeletePrefix("c", "abc"); err != nil || n != 3 {
			t.Errorf("DeletePrefix of re-created records = %d, %v; want 3", n, err)
		}
		return nil
	})
}

func testDeletePrefixRollback(t *testing.T, s store.Store) {
	seedPrefixFixture(t, s)
	before := snapshot(t, s, pA(), "c", "d")
	for _, panics := range []bool{false, true} {
		err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
			if _, err := tx.DeletePrefix("c", "ab"); err != nil {
				return err
			}
			if err := tx.Put("c", "abz", []byte("new")); err != nil {
				return err
			}
			if _, err := tx.DeletePrefix("d", ""); err != nil {
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
		if after := snapshot(t, s, pA(), "c", "d"); !maps.Equal(before, after) {
			t.Fatalf("failed Update with DeletePrefix (panic %v) changed the store:\nbefore %q\nafter  %q", panics, before, after)
		}
	}
}

// scanLimited returns the ids a Scan with limit visits, stopping early
// after stop ids when stop > 0.
func scanLimited(t *testing.T, s store.Store, prefix, after string, limit, stop int) []string {
	t.Helper()
	var ids []string
	err := s.View(context.Background(), pA(), func(r store.Reader) error {
		ids = nil
		return r.Scan("c", prefix, after, limit, func(id string, _ []byte) (bool, error) {
			ids = append(ids, id)
			return stop <= 0 || len(ids) < stop, nil
		})
	})
	if err != nil {
		t.Fatalf("Scan(%q, %q, limit %d): %v", prefix, after, limit, err)
	}
	return ids
}

func testScanLimit(t *testing.T, s store.Store) {
	scanFixture(t, s)
	bounds := []struct{ prefix, after string }{{"", ""}, {"a", ""}, {"a", "a"}, {"", "b"}, {"b", ""}, {"z", ""}}
	for _, b := range bounds {
		all := scanIDs(t, s, pA(), "c", b.prefix, b.after)
		for limit := -1; limit <= len(all)+1; limit++ {
			want := all
			if limit > 0 && limit < len(all) {
				want = all[:limit]
			}
			if got := scanLimited(t, s, b.prefix, b.after, limit, 0); !slices.Equal(got, want) {
				t.Errorf("Scan(%q, %q, limit %d) = %q, want %q", b.prefix, b.after, limit, got, want)
			}
			// Stopping before the limit stops there.
			if limit > 1 && len(want) >= limit {
				if got := scanLimited(t, s, b.prefix, b.after, limit, limit-1); !slices.Equal(got, want[:limit-1]) {
					t.Errorf("Scan(%q, %q, limit %d) stopped early = %q, want %q", b.prefix, b.after, limit, got, want[:limit-1])
				}
			}
		}
	}
	// The error of the last visit allowed is still returned.
	err := s.View(context.Background(), pA(), func(r store.Reader) error {
		return r.Scan("c", "", "", 2, func(id string, _ []byte) (bool, error) {
			if id == "a" {
				return true, errTest
			}
			return true, nil
		})
	})
	if !errors.Is(err, errTest) {
		t.Errorf("Scan whose last allowed visit failed = %v, want its error", err)
	}
}

// testScanLimitWritesDuringScan writes ahead of and behind a limited scan,
// which makes stores re-seek: the limit still counts every visit.
func testScanLimitWritesDuringScan(t *testing.T, s store.Store) {
	update(t, s, pA(), func(tx store.Tx) error {
		for i := range 100 {
			if err := tx.Put("c", fmt.Sprintf("k%03d", i), nil); err != nil {
				return err
			}
		}
		return nil
	})
	for _, limit := range []int{1, 7, 30, 40} {
		var visited []string
		update(t, s, pA(), func(tx store.Tx) error {
			visited = nil
			return tx.Scan("c", "k", "", limit, func(id string, _ []byte) (bool, error) {
				visited = append(visited, id)
				if err := tx.Put("c", "a"+id, nil); err != nil { // behind
					return false, err
				}
				if err := tx.Put("c", id+"x", nil); err != nil { // ahead, may be visited
					return false, err
				}
				var i int
				fmt.Sscanf(id, "k%03d", &i)
				return true, tx.Delete("c", fmt.Sprintf("k%03d", i+1)) // ahead
			})
		})
		if len(visited) != limit {
			t.Errorf("Scan with limit %d and writes visited %d: %q", limit, len(visited), visited)
		}
		for i := 1; i < len(visited); i++ {
			if visited[i-1] >= visited[i] {
				t.Fatalf("Scan visited %q then %q", visited[i-1], visited[i])
			}
		}
	}
}

// testScanDeletePrefixDuringScan calls DeletePrefix from a Scan's callback
// on ranges ahead of the cursor, around it, behind it and over the whole
// collection, with Puts on both sides.
func testScanDeletePrefixDuringScan(t *testing.T, s store.Store) {
	const n = 400
	id := func(i int) string { return fmt.Sprintf("k%04d", i) }
	update(t, s, pA(), func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put("c", id(i), []byte(id(i))); err != nil {
				return err
			}
		}
		return tx.Put("d", id(0), nil)
	})
	deleted := make(map[string]bool) // deleted before the scan reached them
	var visited []string
	update(t, s, pA(), func(tx store.Tx) error {
		visited = nil
		clear(deleted)
		deletePrefix := func(prefix string, ahead bool) error {
			if ahead {
				for i := range n {
					if strings.HasPrefix(id(i), prefix) && (len(visited) == 0 || id(i) > visited[len(visited)-1]) {
						deleted[id(i)] = true
					}
				}
			}
			_, err := tx.DeletePrefix("c", prefix)
			return err
		}
		return tx.Scan("c", "k", "", 0, func(v string, _ []byte) (bool, error) {
			visited = append(visited, v)
			var i int
			if _, err := fmt.Sscanf(v, "k%04d", &i); err != nil || len(v) != 5 {
				return true, nil
			}
			var err error
			switch {
			case i == 300: // everything, then records on both sides
				if err = deletePrefix("", true); err == nil {
					if err = tx.Put("c", "a-behind", nil); err == nil {
						err = tx.Put("c", id(i)+"-ahead", nil)
					}
				}
			case i%50 == 0: // the next ten, ahead
				err = deletePrefix(fmt.Sprintf("k%03d", i/10+1), true)
			case i%50 == 25: // a range holding the cursor and what follows it
				err = deletePrefix(fmt.Sprintf("k%03d", i/10), true)
			case i%50 == 40: // a range behind, then re-create one there
				if err = deletePrefix(fmt.Sprintf("k%03d", i/10-1), false); err == nil {
					err = tx.Put("c", id(i-5), []byte("re-created"))
				}
			}
			return err == nil, err
		})
	})
	for i := 1; i < len(visited); i++ {
		if visited[i-1] >= visited[i] {
			t.Fatalf("Scan visited %q then %q: not strictly ascending", visited[i-1], visited[i])
		}
	}
	seen := make(map[string]bool)
	for _, v := range visited {
		seen[v] = true
		if deleted[v] {
			t.Fatalf("Scan visited %s, deleted by DeletePrefix before the scan reached it", v)
		}
	}
	for i := range n {
		if !deleted[id(i)] && !seen[id(i)] && i <= 300 {
			t.Fatalf("Scan skipped %s", id(i))
		}
	}
	if !seen[id(300)] || seen[id(301)] {
		t.Fatalf("Scan around DeletePrefix of the whole collection: saw k0300 %v, k0301 %v", seen[id(300)], seen[id(301)])
	}
	want := []string{"a-behind", id(300) + "-ahead"}
	if got := scanIDs(t, s, pA(), "c", "", ""); !slices.Equal(got, want) {
		t.Fatalf("after the scan the collection holds %q, want %q", got, want)
	}
	if got := scanIDs(t, s, pA(), "d", "", ""); len(got) != 1 {
		t.Fatalf("DeletePrefix of c changed collection d: %q", got)
	}
}
