package storetest

import (
	"context"
	"errors"
	"maps"
	"runtime"
	"slices"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

func testReadYourWrites(t *testing.T, s store.Store) {
	put(t, s, pA(), "c", "old", "old")
	err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
		if err := tx.Put("c", "new", []byte("new")); err != nil {
			return err
		}
		if err := tx.Delete("c", "old"); err != nil {
			return err
		}
		if v, err := tx.Get("c", "new"); err != nil || string(v) != "new" {
			t.Errorf("Get of own Put = %q, %v", v, err)
		}
		if _, err := tx.Get("c", "old"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get of own Delete = %v, want ErrNotFound", err)
		}
		var ids []string
		err := tx.Scan("c", "", "", 0, func(id string, _ []byte) (bool, error) {
			ids = append(ids, id)
			return true, nil
		})
		if err != nil || !slices.Equal(ids, []string{"new"}) {
			t.Errorf("Scan inside Update = %q, %v; want [new]", ids, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, s, pA(), "c", "new", "new")
	wantMissing(t, s, pA(), "c", "old")
}

// snapshot returns every record of the given collections of p.
func snapshot(t *testing.T, s store.Store, p store.Partition, collections ...string) map[string]string {
	t.Helper()
	all := make(map[string]string)
	err := s.View(context.Background(), p, func(r store.Reader) error {
		for _, c := range collections {
			err := r.Scan(c, "", "", 0, func(id string, v []byte) (bool, error) {
				all[c+"/"+id] = string(v)
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// churn overwrites, deletes, re-creates and adds records, some several
// times, in an existing collection and a new one.
func churn(tx store.Tx) error {
	steps := []func() error{
		func() error { return tx.Put("c", "x", []byte("x2")) },
		func() error { return tx.Put("c", "x", []byte("x3")) },
		func() error { return tx.Delete("c", "y") },
		func() error { return tx.Delete("c", "z") },
		func() error { return tx.Put("c", "z", []byte("z2")) },
		func() error { return tx.Put("c", "w", []byte("w1")) },
		func() error { return tx.Delete("c", "w") },
		func() error { return tx.Put("c", "w", []byte("w2")) },
		func() error { return tx.Put("fresh", "f", []byte("f1")) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func seedChurn(t *testing.T, s store.Store) map[string]string {
	t.Helper()
	for _, id := range []string{"x", "y", "z"} {
		put(t, s, pA(), "c", id, id+"1")
	}
	return snapshot(t, s, pA(), "c", "fresh")
}

func testFailedUpdateChangesNothing(t *testing.T, s store.Store) {
	before := seedChurn(t, s)
	err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
		if err := churn(tx); err != nil {
			return err
		}
		return errTest
	})
	if !errors.Is(err, errTest) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if after := snapshot(t, s, pA(), "c", "fresh"); !maps.Equal(before, after) {
		t.Fatalf("failed Update changed the store:\nbefore %v\nafter  %v", before, after)
	}
	// The same writes succeed when fn does: the rollback was not an accident
	// of the writes themselves failing.
	if err := s.Update(context.Background(), pA(), churn); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"c/x": "x3", "c/z": "z2", "c/w": "w2", "fresh/f": "f1"}
	if after := snapshot(t, s, pA(), "c", "fresh"); !maps.Equal(want, after) {
		t.Fatalf("successful churn left %v, want %v", after, want)
	}
}

func testFailedUpdateInNewPartition(t *testing.T, s store.Store) {
	err := s.Update(context.Background(), pB(), func(tx store.Tx) error {
		if err := tx.Put("c", "k", []byte("v")); err != nil {
			return err
		}
		return errTest
	})
	if !errors.Is(err, errTest) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	wantMissing(t, s, pB(), "c", "k")
	if ids := scanIDs(t, s, pB(), "c", "", ""); len(ids) != 0 {
		t.Fatalf("Scan after failed Update = %q", ids)
	}
}

func testPanicInUpdate(t *testing.T, s store.Store) {
	before := seedChurn(t, s)
	err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
		if err := churn(tx); err != nil {
			return err
		}
		panic("boom")
	})
	var pe *store.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Update returned %v, want *store.PanicError", err)
	}
	if pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Fatalf("PanicError = {%v, %d bytes of stack}, want {boom, a stack}", pe.Value, len(pe.Stack))
	}
	if after := snapshot(t, s, pA(), "c", "fresh"); !maps.Equal(before, after) {
		t.Fatalf("panicking Update changed the store:\nbefore %v\nafter  %v", before, after)
	}

	// panic(err) stays recognizable.
	err = s.Update(context.Background(), pA(), func(store.Tx) error { panic(errTest) })
	if !errors.Is(err, errTest) {
		t.Fatalf("Update after panic(err) returned %v, want it to wrap err", err)
	}

	// The store still works.
	put(t, s, pA(), "c", "after", "ok")
	wantValue(t, s, pA(), "c", "after", "ok")
}

func testCancelledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.Update(ctx, pA(), func(tx store.Tx) error {
		ran = true
		return tx.Put("c", "k", []byte("v"))
	})
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("Update with cancelled context = %v (fn ran: %v), want context.Canceled without running fn", err, ran)
	}
	err = s.View(ctx, pA(), func(store.Reader) error {
		ran = true
		return nil
	})
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("View with cancelled context = %v (fn ran: %v)", err, ran)
	}
	if err := s.Reset(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Reset with cancelled context = %v", err)
	}
	wantMissing(t, s, pA(), "c", "k")
}

// testKeptTxIsDead uses a Tx and a Reader after their functions returned,
// which the contract forbids; the store must refuse rather than write
// outside any transaction or crash.
func testKeptTxIsDead(t *testing.T, s store.Store) {
	put(t, s, pA(), "c", "k", "v")
	var kept store.Tx
	if err := s.Update(context.Background(), pA(), func(tx store.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := kept.Put("c", "late", []byte("v")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Put on a finished Tx = %v, want ErrClosed", err)
	}
	if err := kept.Delete("c", "k"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Delete on a finished Tx = %v, want ErrClosed", err)
	}
	if _, err := kept.Get("c", "k"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get on a finished Tx = %v, want ErrClosed", err)
	}
	var keptR store.Reader
	if err := s.View(context.Background(), pA(), func(r store.Reader) error { keptR = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := keptR.Get("c", "k"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get on a finished Reader = %v, want ErrClosed", err)
	}
	err := keptR.Scan("c", "", "", 0, func(string, []byte) (bool, error) { return true, nil })
	if !errors.Is(err, store.ErrClosed) {
		t.Errorf("Scan on a finished Reader = %v, want ErrClosed", err)
	}
	wantMissing(t, s, pA(), "c", "late")
	wantValue(t, s, pA(), "c", "k", "v")
}

// testGoexitInUpdate ends fn with runtime.Goexit (what t.FailNow does),
// which recover cannot catch. Update may then never return on the calling
// goroutine or may return an error, but the writes must be undone and the
// store must keep working.
func testGoexitInUpdate(t *testing.T, s store.Store) {
	before := seedChurn(t, s)
	returned := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		returned <- s.Update(context.Background(), pA(), func(tx store.Tx) error {
			if err := churn(tx); err != nil {
				return err
			}
			runtime.Goexit()
			return nil
		})
	}()
	<-exited
	select {
	case err := <-returned:
		if err == nil {
			t.Fatal("Update whose fn called Goexit returned nil")
		}
	default: // Goexit ended the caller too
	}
	if after := snapshot(t, s, pA(), "c", "fresh"); !maps.Equal(before, after) {
		t.Fatalf("Goexit in Update changed the store:\nbefore %v\nafter  %v", before, after)
	}
	put(t, s, pA(), "c", "after", "ok")
	wantValue(t, s, pA(), "c", "after", "ok")
}
