package respcache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/memstore"
)

var part = store.Partition{Account: "111122223333", Region: "us-east-1"}

func key(t *testing.T, op, body string) []byte {
	t.Helper()
	k, ok := AppendKey(nil, part, op, []byte(body))
	if !ok {
		t.Fatalf("AppendKey refused %q", body)
	}
	return k
}

func TestLookupAfterAdd(t *testing.T) {
	c := New[[]byte](nil)
	k := key(t, "Describe", `{"Id":"a"}`)
	tk := c.Begin()
	if _, ok := c.Lookup(tk, k); ok {
		t.Fatal("hit in an empty cache")
	}
	c.Add(tk, k, []byte(`{"A":1}`), 7, Window{})
	got, ok := c.Lookup(c.Begin(), k)
	if !ok || string(got) != `{"A":1}` {
		t.Fatalf("Lookup = %q, %v; want the added answer", got, ok)
	}
	if _, ok := c.Lookup(c.Begin(), key(t, "Describe", `{"Id":"b"}`)); ok {
		t.Fatal("hit for another body")
	}
	other, _ := AppendKey(nil, store.Partition{Account: "111122223333", Region: "eu-west-1"}, "Describe", []byte(`{"Id":"a"}`))
	if _, ok := c.Lookup(c.Begin(), other); ok {
		t.Fatal("hit for another partition")
	}
}

func TestKeysDoNotRunTogether(t *testing.T) {
	a, _ := AppendKey(nil, store.Partition{Account: "1", Region: "2"}, "3", []byte("4"))
	b, _ := AppendKey(nil, store.Partition{Account: "12", Region: ""}, "3", []byte("4"))
	if string(a) == string(b) {
		t.Fatalf("different requests share the key %q", a)
	}
	if _, ok := AppendKey(nil, part, "Op", make([]byte, maxKeyBytes)); ok {
		t.Fatal("an oversized request was given a key")
	}
}

// A write that starts voids every answer computed before it, and a read
// computed while it runs is not kept.
func TestWritesVoidAnswers(t *testing.T) {
	c := New[[]byte](nil)
	st := c.Store(memstore.New())
	ctx := context.Background()
	k := key(t, "Describe", "{}")

	before := c.Begin()
	c.Add(before, k, []byte("old"), 3, Window{})
	if err := st.Update(ctx, part, func(tx store.Tx) error { return tx.Put("c", "id", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup(c.Begin(), k); ok {
		t.Fatal("an answer from before a write was served after it")
	}

	// A ticket taken before the write cannot add an answer after it started.
	stale := c.Begin()
	_ = st.Update(ctx, part, func(store.Tx) error { return nil })
	c.Add(stale, k, []byte("stale"), 5, Window{})
	if got, ok := c.Lookup(c.Begin(), k); ok {
		t.Fatalf("an answer read before a write was kept: %q", got)
	}

	// While a write runs, tickets are void.
	inside := make(chan Ticket, 1)
	err := st.Update(ctx, part, func(store.Tx) error {
		inside <- c.Begin()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	during := <-inside
	c.Add(during, k, []byte("during"), 6, Window{})
	if _, ok := c.Lookup(during, k); ok {
		t.Fatal("a ticket taken during a write was served")
	}
	if _, ok := c.Lookup(c.Begin(), k); ok {
		t.Fatal("an answer computed during a write was kept")
	}

	// Failed writes and Reset count too: they may have changed something.
	c.Add(c.Begin(), k, []byte("x"), 1, Window{})
	_ = st.Update(ctx, part, func(store.Tx) error { return errors.New("fail") })
	if _, ok := c.Lookup(c.Begin(), k); ok {
		t.Fatal("an answer survived a failed write")
	}
	c.Add(c.Begin(), k, []byte("x"), 1, Window{})
	if err := st.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup(c.Begin(), k); ok {
		t.Fatal("an answer survived Reset")
	}
}

func TestWindow(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := New[[]byte](clock)
	k := key(t, "Describe", "{}")
	c.Add(c.Begin(), k, []byte("a"), 1, Window{From: now, Until: now.Add(time.Minute)})
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{now, true},
		{now.Add(time.Minute - 1), true},
		{now.Add(time.Minute), false},
		{now.Add(-1), false},
	} {
		now = tc.at
		if _, ok := c.Lookup(c.Begin(), k); ok != tc.want {
			t.Errorf("at %v: hit = %v, want %v", tc.at, ok, tc.want)
		}
	}
}

func TestDeclare(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	Declare(context.Background(), Window{}) // outside a declaration context: nothing happens

	ctx, d := WithDeclaration(context.Background())
	if _, ok := d.Cacheable(); ok {
		t.Fatal("cacheable before any declaration")
	}
	Declare(ctx, Window{From: t0})
	Declare(ctx, Window{Until: t0.Add(time.Hour)})
	Declare(ctx, Window{From: t0.Add(-time.Hour), Until: t0.Add(2 * time.Hour)})
	w, ok := d.Cacheable()
	if !ok || !w.From.Equal(t0) || !w.Until.Equal(t0.Add(time.Hour)) {
		t.Fatalf("Cacheable = %+v, %v; want [t0, t0+1h)", w, ok)
	}
}

func TestBounded(t *testing.T) {
	c := New[[]byte](nil)
	for i := range 3 * maxEntries {
		c.Add(c.Begin(), key(t, "Op", fmt.Sprint(i)), []byte("a"), 1, Window{})
	}
	c.mu.RLock()
	n := len(c.entries)
	c.mu.RUnlock()
	if n > maxEntries {
		t.Fatalf("%d entries kept, limit %d", n, maxEntries)
	}
	c.Add(c.Begin(), key(t, "Op", "big"), []byte("a"), maxAnswerBytes+1, Window{})
	if _, ok := c.Lookup(c.Begin(), key(t, "Op", "big")); ok {
		t.Fatal("an oversized answer was kept")
	}
}

// Readers compute "answers" from the store the way the server does
// (ticket, lookup, else read and add) while writers keep raising a
// counter. An answer must never be older than a write that finished
// before the read began.
func TestNoStaleAnswerUnderConcurrency(t *testing.T) {
	c := New[[]byte](nil)
	st := c.Store(memstore.New())
	ctx := context.Background()
	k := key(t, "Read", "{}")
	var acked atomic.Int64 // the highest value whose Update has returned

	// write raises the stored counter by one, inside the transaction, so
	// concurrent writers never store it out of order.
	write := func() {
		var n int64
		err := st.Update(ctx, part, func(tx store.Tx) error {
			n = 0
			if v, err := tx.Get("c", "n"); err == nil {
				fmt.Sscan(string(v), &n)
			}
			n++
			return tx.Put("c", "n", fmt.Append(nil, n))
		})
		if err != nil {
			t.Error(err)
			return
		}
		for {
			cur := acked.Load()
			if n <= cur || acked.CompareAndSwap(cur, n) {
				return
			}
		}
	}
	read := func() int64 {
		tk := c.Begin()
		if a, ok := c.Lookup(tk, k); ok {
			var n int64
			fmt.Sscan(string(a), &n)
			return n
		}
		var v []byte
		err := st.View(ctx, part, func(r store.Reader) error {
			got, err := r.Get("c", "n")
			v = append([]byte(nil), got...)
			return err
		})
		if err != nil {
			return 0
		}
		c.Add(tk, k, v, len(v), Window{})
		var n int64
		fmt.Sscan(string(v), &n)
		return n
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					write()
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := acked.Load()
				if got := read(); got < floor {
					t.Errorf("read %d after %d was acknowledged", got, floor)
					return
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
}
