package boltstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

// TestGroupCommit queues requests behind a blocked one and checks that they
// then run in queue order inside one bbolt transaction, that a failing or
// panicking request there is undone without disturbing its neighbours, and
// that a request whose context ended while queued is not run.
func TestGroupCommit(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "store.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	p := store.Partition{Account: "111111111111", Region: "us-east-1"}
	errFail := errors.New("deliberate")

	inside, release := make(chan struct{}), make(chan struct{})
	blocker := make(chan error, 1)
	go func() {
		blocker <- s.Update(ctx, p, func(store.Tx) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside

	// enqueue starts an Update and waits until it is in the queue, so the
	// queue order is the order of the calls.
	var results []chan error
	enqueue := func(ctx context.Context, fn func(store.Tx) error) {
		res := make(chan error, 1)
		results = append(results, res)
		go func() { res <- s.Update(ctx, p, fn) }()
		for len(s.reqs) < len(results) {
			runtime.Gosched()
		}
	}
	var txIDs []int
	get := func(tx store.Tx, id string) string {
		v, err := tx.Get("c", id)
		if err != nil {
			return err.Error()
		}
		return string(v)
	}
	enqueue(ctx, func(tx store.Tx) error {
		txIDs = append(txIDs, batchID(tx))
		return tx.Put("c", "k", []byte("1"))
	})
	enqueue(ctx, func(tx store.Tx) error {
		txIDs = append(txIDs, batchID(tx))
		if got := get(tx, "k"); got != "1" {
			t.Errorf("second request sees k=%q, want the first's 1", got)
		}
		if err := tx.Put("c", "k", []byte("2")); err != nil {
			return err
		}
		if err := tx.Put("other", "x", []byte("x")); err != nil {
			return err
		}
		return errFail
	})
	enqueue(ctx, func(tx store.Tx) error {
		txIDs = append(txIDs, batchID(tx))
		if got := get(tx, "k"); got != "1" {
			t.Errorf("third request sees k=%q after the failed second", got)
		}
		if err := tx.Put("c", "k", []byte("3")); err != nil {
			return err
		}
		panic("boom")
	})
	cancelled, cancel := context.WithCancel(ctx)
	ranCancelled := false
	enqueue(cancelled, func(tx store.Tx) error {
		ranCancelled = true
		return tx.Put("c", "cancelled", []byte("x"))
	})
	const extra = 40
	for i := range extra {
		enqueue(ctx, func(tx store.Tx) error {
			txIDs = append(txIDs, batchID(tx))
			if got := get(tx, "k"); got != "1" {
				t.Errorf("extra request sees k=%q", got)
			}
			return tx.Put("c", fmt.Sprintf("extra-%02d", i), []byte("ok"))
		})
	}
	cancel()
	close(release)
	if err := <-blocker; err != nil {
		t.Fatal(err)
	}

	var pe *store.PanicError
	for i, res := range results {
		err := <-res
		switch {
		case i == 1 && !errors.Is(err, errFail),
			i == 2 && !errors.As(err, &pe),
			i == 3 && !errors.Is(err, context.Canceled),
			(i == 0 || i > 3) && err != nil:
			t.Errorf("request %d returned %v", i, err)
		}
	}
	if ranCancelled {
		t.Error("a request whose context ended in the queue was run")
	}
	if len(txIDs) != 3+extra {
		t.Fatalf("%d functions ran, want %d", len(txIDs), 3+extra)
	}
	for _, id := range txIDs {
		if id != txIDs[0] {
			t.Fatalf("queued requests ran in bbolt transactions %v, want one", txIDs)
		}
	}

	err = s.View(ctx, p, func(r store.Reader) error {
		if v, err := r.Get("c", "k"); err != nil || string(v) != "1" {
			t.Errorf("committed k = %q, %v; want 1", v, err)
		}
		if _, err := r.Get("other", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("failed request's write survived: %v", err)
		}
		n := 0
		err := r.Scan("c", "extra-", "", 0, func(string, []byte) (bool, error) { n++; return true, nil })
		if n != extra {
			t.Errorf("%d extra records committed, want %d", n, extra)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// batchID identifies the bbolt transaction a request's fn runs in.
func batchID(t store.Tx) int { return t.(*tx).tx.ID() }

// runBatch runs fns as one batch, in order: it holds the writer in another
// Update until all of them are queued. It returns their errors.
func runBatch(t *testing.T, s *Store, p store.Partition, fns ...func(store.Tx) error) []error {
	t.Helper()
	ctx := context.Background()
	inside, release := make(chan struct{}), make(chan struct{})
	blocker := make(chan error, 1)
	go func() {
		blocker <- s.Update(ctx, p, func(store.Tx) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	results := make([]chan error, len(fns))
	for i, fn := range fns {
		results[i] = make(chan error, 1)
		go func() { results[i] <- s.Update(ctx, p, fn) }()
		for len(s.reqs) < i+1 {
			runtime.Gosched()
		}
	}
	close(release)
	if err := <-blocker; err != nil {
		t.Fatal(err)
	}
	errs := make([]error, len(fns))
	for i, res := range results {
		errs[i] = <-res
	}
	return errs
}

// TestFailedFnInBatchLeavesNoValue commits a batch in which one fn's
// writes are undone: afterwards a View reads only what was committed.
func TestFailedFnInBatchLeavesNoValue(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "store.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	p := store.Partition{Account: "111111111111", Region: "us-east-1"}
	errFail := errors.New("deliberate")
	put := func(id, value string) func(store.Tx) error {
		return func(tx store.Tx) error { return tx.Put("c", id, []byte(value)) }
	}
	read := func() map[string]string {
		got := make(map[string]string)
		err := s.View(ctx, p, func(r store.Reader) error {
			for _, id := range []string{"a", "b", "c"} {
				v, err := r.Get("c", id)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				got[id] = string(v)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	if err := s.Update(ctx, p, put("a", "old")); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, p, put("b", "old")); err != nil {
		t.Fatal(err)
	}

	errs := runBatch(t, s, p,
		put("a", "new"),
		func(tx store.Tx) error {
			for _, id := range []string{"a", "b", "c"} {
				if err := tx.Put("c", id, []byte("undone")); err != nil {
					return err
				}
			}
			return errFail
		},
	)
	if errs[0] != nil || !errors.Is(errs[1], errFail) {
		t.Fatalf("batch returned %v", errs)
	}
	want := map[string]string{"a": "new", "b": "old"}
	if got := read(); !maps.Equal(got, want) {
		t.Fatalf("View after the batch reads %v, want %v", got, want)
	}
}
