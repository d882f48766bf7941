package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

// scanFixture stores ids chosen to catch ordering bugs: a prefix of another
// id, a NUL, bytes above 0x7f, upper case before lower case.
func scanFixture(t *testing.T, s store.Store) []string {
	t.Helper()
	ids := []string{"b", "a", "c", "aa", "ab", "b\x00", "B", "\xff", "é", "a\xff"}
	err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Put("c", id, []byte("v-"+id)); err != nil {
				return err
			}
		}
		// Another collection must not leak into the scan.
		return tx.Put("d", "a0", []byte("other"))
	})
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted) // Go compares strings bytewise
	return sorted
}

func testScanOrder(t *testing.T, s store.Store) {
	want := scanFixture(t, s)
	if got := scanIDs(t, s, pA(), "c", "", ""); !slices.Equal(got, want) {
		t.Fatalf("Scan = %q, want %q", got, want)
	}
	err := s.View(context.Background(), pA(), func(r store.Reader) error {
		return r.Scan("c", "", "", 0, func(id string, v []byte) (bool, error) {
			if string(v) != "v-"+id {
				t.Errorf("Scan value of %q = %q", id, v)
			}
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := scanIDs(t, s, pA(), "missing", "", ""); len(got) != 0 {
		t.Fatalf("Scan of missing collection = %q", got)
	}
	if got := scanIDs(t, s, pB(), "c", "", ""); len(got) != 0 {
		t.Fatalf("Scan of missing partition = %q", got)
	}
}

func testScanPrefixAfter(t *testing.T, s store.Store) {
	scanFixture(t, s)
	cases := []struct {
		prefix, after string
		want          []string
	}{
		{"a", "", []string{"a", "aa", "ab", "a\xff"}},
		{"a", "aa", []string{"ab", "a\xff"}},
		{"a", "a", []string{"aa", "ab", "a\xff"}},
		{"a", "aaa", []string{"ab", "a\xff"}}, // after need not exist
		{"a", "0", []string{"a", "aa", "ab", "a\xff"}},
		{"a", "b", nil}, // after is beyond the prefix range
		{"b", "", []string{"b", "b\x00"}},
		{"", "b", []string{"b\x00", "c", "é", "\xff"}},
		{"", "\xff", nil},
		{"z", "", nil},
	}
	for _, c := range cases {
		if got := scanIDs(t, s, pA(), "c", c.prefix, c.after); !slices.Equal(got, c.want) {
			t.Errorf("Scan(prefix %q, after %q) = %q, want %q", c.prefix, c.after, got, c.want)
		}
	}
}

func testScanEarlyStop(t *testing.T, s store.Store) {
	want := scanFixture(t, s)
	var got []string
	err := s.View(context.Background(), pA(), func(r store.Reader) error {
		return r.Scan("c", "", "", 0, func(id string, _ []byte) (bool, error) {
			got = append(got, id)
			return len(got) < 3, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want[:3]) {
		t.Fatalf("Scan stopped after %q, want %q", got, want[:3])
	}
}

func testScanError(t *testing.T, s store.Store) {
	scanFixture(t, s)
	calls := 0
	err := s.View(context.Background(), pA(), func(r store.Reader) error {
		err := r.Scan("c", "", "", 0, func(string, []byte) (bool, error) {
			calls++
			if calls == 2 {
				return true, errTest // the error wins over more=true
			}
			return true, nil
		})
		if !errors.Is(err, errTest) {
			t.Errorf("Scan returned %v, want the callback's error", err)
		}
		return err
	})
	if !errors.Is(err, errTest) {
		t.Fatalf("View returned %v, want the callback's error", err)
	}
	if calls != 2 {
		t.Fatalf("callback ran %d times after failing on the 2nd", calls)
	}
}

// testScanWritesDuringScan writes from inside the Scan callback, enough to
// split and merge tree nodes. The store must not crash or revisit ids: it
// visits ids in strictly ascending order, never skips a record that was
// there all along, and never visits one deleted before the scan reached it.
func testScanWritesDuringScan(t *testing.T, s store.Store) {
	const n = 600
	id := func(i int) string { return fmt.Sprintf("k%04d", i) }
	err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put("c", id(i), []byte(id(i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Visiting k(3m) deletes k(3m+1), which is ahead, and inserts k(3m)+"a"
	// and a batch of ids behind the cursor.
	var visited []string
	err = s.Update(context.Background(), pA(), func(tx store.Tx) error {
		visited = nil // afresh on every call, as retries require
		return tx.Scan("c", "k", "", 0, func(v string, _ []byte) (bool, error) {
			visited = append(visited, v)
			var i int
			if _, err := fmt.Sscanf(v, "k%04d", &i); err != nil || len(v) != 5 || i%3 != 0 {
				return true, nil
			}
			if err := tx.Delete("c", id(i+1)); err != nil {
				return false, err
			}
			if err := tx.Put("c", v+"a", []byte("new")); err != nil {
				return false, err
			}
			for j := range 3 {
				if err := tx.Put("c", fmt.Sprintf("a%04d-%d", i, j), []byte("behind")); err != nil {
					return false, err
				}
			}
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(visited); i++ {
		if visited[i-1] >= visited[i] {
			t.Fatalf("Scan visited %q then %q: not strictly ascending", visited[i-1], visited[i])
		}
	}
	seen := make(map[string]bool, len(visited))
	for _, v := range visited {
		seen[v] = true
	}
	for i := range n {
		switch {
		case i%3 == 1 && seen[id(i)]:
			t.Fatalf("Scan visited %s, deleted before the scan reached it", id(i))
		case i%3 != 1 && !seen[id(i)]:
			t.Fatalf("Scan skipped %s", id(i))
		}
	}
	// n/3 ids were deleted and n/3 inserted.
	if got, want := len(scanIDs(t, s, pA(), "c", "k", "")), n; got != want {
		t.Fatalf("after the scan the collection holds %d k-ids, want %d", got, want)
	}
}
