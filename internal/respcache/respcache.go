// Package respcache remembers the encoded answers of read operations, so
// that a read repeated while nothing changes (a test polling
// DescribeIdentityProviderConfiguration, a dashboard refreshing) skips
// decoding, the store and encoding.
//
// An answer is reused only when two things still hold:
//
//   - No write has started since it was computed. The Cache wraps the
//     store (Store) and counts every Update and Reset: it raises a
//     write epoch before each one starts, and keeps a count of those in
//     flight. A read takes a Ticket before it touches the store; the
//     ticket is void while a write is in flight, and an answer is served
//     only to a ticket of the epoch it was computed in. A write that has
//     started therefore voids every earlier answer before any of its data
//     can be seen, and a read is never answered from before a write that
//     another request has already seen.
//   - The clock is inside the window the operation declared (Declare):
//     answers that depend on time, such as an organization's state, say
//     over which instants they stay true. An operation that declares
//     nothing is never cached, so caching is opt-in per operation.
//
// Only successful answers are kept. The cache is bounded and simply
// emptied when full.
package respcache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/workmaild/workmaild/internal/store"
)

// Limits on what is kept: small requests with small answers are what is
// read in loops, and bounding both bounds the memory (maxEntries ×
// (maxKeyBytes + maxAnswerBytes) = 20 MiB at worst).
const (
	maxEntries     = 1024
	maxKeyBytes    = 4 << 10
	maxAnswerBytes = 16 << 10
)

// Cache holds answers of type V (the server keeps them encoded, ready to
// send). Its zero value is not usable; call New.
type Cache[V any] struct {
	now func() time.Time

	// epoch rises when a write starts; inflight counts running writes.
	// A write increments inflight before epoch, and a ticket reads epoch
	// before inflight, so a ticket that sees no write in flight has an
	// epoch no later write has passed.
	epoch    atomic.Uint64
	inflight atomic.Int64

	mu      sync.RWMutex
	entries map[string]entry[V]
}

type entry[V any] struct {
	epoch  uint64
	window Window
	answer V
}

// New returns an empty cache reading time from now (time.Now when nil).
func New[V any](now func() time.Time) *Cache[V] {
	if now == nil {
		now = time.Now
	}
	return &Cache[V]{now: now, entries: make(map[string]entry[V])}
}

// Ticket is a read's view of the write epoch, taken before it reads.
type Ticket struct {
	epoch uint64
	valid bool // no write was in flight
}

// Begin takes a ticket for a read about to start.
func (c *Cache[V]) Begin() Ticket {
	e := c.epoch.Load()
	return Ticket{epoch: e, valid: c.inflight.Load() == 0}
}

// Lookup returns the answer remembered under key, if it was computed in
// t's epoch and the clock is inside its window. The answer is shared:
// the caller must not modify it.
func (c *Cache[V]) Lookup(t Ticket, key []byte) (V, bool) {
	var none V
	if !t.valid {
		return none, false
	}
	c.mu.RLock()
	e, ok := c.entries[string(key)] // no allocation: the conversion is only a lookup key
	c.mu.RUnlock()
	if !ok || e.epoch != t.epoch || !e.window.Contains(c.now()) {
		return none, false
	}
	return e.answer, true
}

// Add remembers answer, of size bytes, under key for reads of t's epoch
// within w. It keeps answer itself, so the caller must not modify it
// afterwards; key is copied.
func (c *Cache[V]) Add(t Ticket, key []byte, answer V, size int, w Window) {
	if !t.valid || len(key) > maxKeyBytes || size > maxAnswerBytes || c.epoch.Load() != t.epoch {
		return // a write started meanwhile: the answer may already be old
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxEntries {
		clear(c.entries)
	}
	c.entries[string(key)] = entry[V]{epoch: t.epoch, window: w, answer: answer}
}

// AppendKey appends the cache key of an operation called with body in
// partition p, and reports false when the request is too large to cache.
func AppendKey(b []byte, p store.Partition, operation string, body []byte) ([]byte, bool) {
	n := len(p.Account) + len(p.Region) + len(operation) + len(body) + 3
	if n > maxKeyBytes {
		return b, false
	}
	// NUL cannot occur in an account id (the store refuses it), a region
	// or an operation name, so the parts cannot run into each other.
	b = append(b, p.Account...)
	b = append(b, 0)
	b = append(b, p.Region...)
	b = append(b, 0)
	b = append(b, operation...)
	b = append(b, 0)
	return append(b, body...), true
}

// Store wraps s so that every Update and Reset voids the tickets and
// answers taken before it starts.
func (c *Cache[V]) Store(s store.Store) store.Store {
	return &trackedStore{Store: s, epoch: &c.epoch, inflight: &c.inflight}
}

type trackedStore struct {
	store.Store
	epoch    *atomic.Uint64
	inflight *atomic.Int64
}

// write brackets a write: whatever it does becomes visible only after the
// epoch has moved on, and reads taken while it runs are not cached.
func (s *trackedStore) write(fn func() error) error {
	s.inflight.Add(1)
	s.epoch.Add(1)
	defer s.inflight.Add(-1)
	return fn()
}

func (s *trackedStore) Update(ctx context.Context, p store.Partition, fn func(store.Tx) error) error {
	return s.write(func() error { return s.Store.Update(ctx, p, fn) })
}

func (s *trackedStore) Reset(ctx context.Context) error {
	return s.write(func() error { return s.Store.Reset(ctx) })
}
