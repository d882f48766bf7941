package boltstore_test

import (
	"context"
	"errors"
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
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, boltstore.Options{}) })
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
