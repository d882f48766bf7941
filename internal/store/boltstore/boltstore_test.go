package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
	"github.com/workmaild/workmaild/internal/store/storetest"
)

// TestMain turns the test binary into the crash test's writer process when
// the crash test re-executes it (see crash_test.go).
func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path, os.Getenv(crashRoundEnv))
		os.Exit(2) // crashChild only returns on failure
	}
	os.Exit(m.Run())
}

func openTemp(t testing.TB, opts boltstore.Options) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestContract runs the suite with fsync on, as in production.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, boltstore.Options{}) }, storetest.Options{CallsOnce: true})
}

// TestExport runs the Exporter tests (store copy).
func TestExport(t *testing.T) {
	storetest.RunExport(t, func(t *testing.T) store.Store { return openTemp(t, boltstore.Options{}) })
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	a := store.Partition{Account: "111111111111", Region: "us-east-1"}
	b := store.Partition{Account: "111111111111", Region: "eu-west-1"}

	s := mustOpen(t, path)
	for _, p := range []store.Partition{a, b} {
		err := s.Update(ctx, p, func(tx store.Tx) error {
			if err := tx.Put("users", "u1", []byte(p.Region)); err != nil {
				return err
			}
			if err := tx.Put("users", "gone", []byte("x")); err != nil {
				return err
			}
			return tx.Delete("users", "gone")
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, s)

	s = mustOpen(t, path)
	for _, p := range []store.Partition{a, b} {
		err := s.View(ctx, p, func(r store.Reader) error {
			v, err := r.Get("users", "u1")
			if err != nil || string(v) != p.Region {
				t.Errorf("%v after reopen: Get = %q, %v", p, v, err)
			}
			if _, err := r.Get("users", "gone"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%v after reopen: deleted record: %v", p, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)

	s = mustOpen(t, path)
	defer mustClose(t, s)
	err := s.View(ctx, a, func(r store.Reader) error {
		if _, err := r.Get("users", "u1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after Reset and reopen: Get = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "garbage.db")
	if err := os.WriteFile(path, make([]byte, 64<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := boltstore.Open(path, boltstore.Options{}); err == nil {
		s.Close()
		t.Fatal("Open of a zero-filled file succeeded")
	}
}

func mustOpen(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustClose(t *testing.T, s *boltstore.Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStore measures the production configuration (fsync per commit).
func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) store.Store { return openTemp(b, boltstore.Options{}) })
}

// BenchmarkStoreNoSync separates the store's own cost from the disk's.
func BenchmarkStoreNoSync(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) store.Store { return openTemp(b, boltstore.Options{NoSync: true}) })
}

// TestViewKeepsSnapshotAcrossUpdate holds a View open while an Update is
// acknowledged and other Views read the new values: the old View must keep
// reading the old ones, whether or not it had read them before, and must
// not leave them behind for later Views.
func TestViewKeepsSnapshotAcrossUpdate(t *testing.T) {
	s := openTemp(t, boltstore.Options{})
	defer s.Close()
	ctx := context.Background()
	p := store.Partition{Account: "111111111111", Region: "us-east-1"}
	growFile(t, s, p)
	set := func(value string) error {
		return s.Update(ctx, p, func(tx store.Tx) error {
			if err := tx.Put("c", "a", []byte(value)); err != nil {
				return err
			}
			return tx.Put("c", "b", []byte(value))
		})
	}
	read := func(r store.Reader, id string) string {
		v, err := r.Get("c", id)
		if err != nil {
			return err.Error()
		}
		return string(v)
	}
	inNewView := func(id string) string {
		var got string
		if err := s.View(ctx, p, func(r store.Reader) error { got = read(r, id); return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if err := set("old"); err != nil {
		t.Fatal(err)
	}

	err := s.View(ctx, p, func(held store.Reader) error {
		if got := read(held, "a"); got != "old" {
			t.Fatalf("before the Update: a = %s", got)
		}
		// Update from another goroutine: a View's fn must not call Update.
		done := make(chan error)
		go func() { done <- set("new") }()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := read(held, "a"); got != "old" {
			t.Errorf("held View reads a = %s after the Update, want old", got)
		}
		if got := read(held, "b"); got != "old" {
			t.Errorf("held View reads b = %s after the Update, want old", got)
		}
		if got := inNewView("a"); got != "new" {
			t.Errorf("a View begun after the Update reads a = %s, want new", got)
		}
		if got := read(held, "a"); got != "old" {
			t.Errorf("held View reads a = %s after a newer View read it, want old", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := inNewView("a"); got != "new" {
		t.Errorf("after the held View: a = %s, want new", got)
	}
	if got := inNewView("b"); got != "new" {
		t.Errorf("after the held View: b = %s, want new", got)
	}
}

// growFile writes and deletes a megabyte, so that the next few small
// commits reuse freed pages. A commit that had to grow the memory map
// would wait for every open read transaction, and so for ever when the
// test holds one open across it.
func growFile(t *testing.T, s store.Store, p store.Partition) {
	t.Helper()
	const n = 256
	value := make([]byte, 4096)
	for _, remove := range []bool{false, true} {
		err := s.Update(context.Background(), p, func(tx store.Tx) error {
			for i := range n {
				id := fmt.Sprintf("filler-%03d", i)
				if remove {
					if err := tx.Delete("filler", id); err != nil {
						return err
					}
				} else if err := tx.Put("filler", id, value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
