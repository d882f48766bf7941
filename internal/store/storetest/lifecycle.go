package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/store"
)

func testPartitionIsolation(t *testing.T, s store.Store) {
	parts := []store.Partition{pA(), pB(), pC(),
		// Same concatenation of account and region, different split.
		{Account: "1", Region: "23"}, {Account: "12", Region: "3"},
	}
	for i, p := range parts {
		put(t, s, p, "users", "u1", string(rune('A'+i)))
	}
	for i, p := range parts {
		wantValue(t, s, p, "users", "u1", string(rune('A'+i)))
		if ids := scanIDs(t, s, p, "users", "", ""); len(ids) != 1 {
			t.Fatalf("partition %v sees %q", p, ids)
		}
	}
	del(t, s, pA(), "users", "u1")
	wantMissing(t, s, pA(), "users", "u1")
	for i, p := range parts[1:] {
		wantValue(t, s, p, "users", "u1", string(rune('B'+i)))
	}
}

func testReset(t *testing.T, s store.Store) {
	for _, p := range []store.Partition{pA(), pB(), pC()} {
		put(t, s, p, "users", "u1", "v")
		put(t, s, p, "groups", "g1", "v")
		wantValue(t, s, p, "users", "u1", "v") // as a store that caches reads would remember it
	}
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []store.Partition{pA(), pB(), pC()} {
		wantMissing(t, s, p, "users", "u1")
		if ids := scanIDs(t, s, p, "groups", "", ""); len(ids) != 0 {
			t.Fatalf("after Reset %v still has %q", p, ids)
		}
	}
	put(t, s, pA(), "users", "u1", "again")
	wantValue(t, s, pA(), "users", "u1", "again")
}

func testClose(t *testing.T, s store.Store) {
	put(t, s, pA(), "c", "k", "v")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := context.Background()
	ran := false
	if err := s.View(ctx, pA(), func(store.Reader) error { ran = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View after Close = %v", err)
	}
	if err := s.Update(ctx, pA(), func(store.Tx) error { ran = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close = %v", err)
	}
	if err := s.Reset(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Reset after Close = %v", err)
	}
	if err := s.Close(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("second Close = %v", err)
	}
	if ran {
		t.Error("a transaction function ran after Close")
	}
}

// testCloseWaitsForUpdate closes the store while an Update is inside its
// function: Close must wait for it, and the Update must succeed.
func testCloseWaitsForUpdate(t *testing.T, s store.Store) {
	inside := make(chan struct{})
	var once sync.Once
	release := make(chan struct{})
	updated := make(chan error, 1)
	go func() {
		updated <- s.Update(context.Background(), pA(), func(tx store.Tx) error {
			once.Do(func() { close(inside) })
			<-release
			return tx.Put("c", "k", []byte("v"))
		})
	}()
	<-inside
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()

	// A correct store cannot pass this point early; a wrong one is caught
	// unless the scheduler is slower than this grace period.
	select {
	case err := <-closed:
		close(release)
		t.Fatalf("Close returned (%v) while an Update was running", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-updated; err != nil {
		t.Fatalf("Update running during Close = %v, want nil", err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close = %v", err)
	}
}
