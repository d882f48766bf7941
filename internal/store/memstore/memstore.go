// Package memstore is an in-memory store.Store for tests and throwaway
// servers. Records live in one ordered tree per (partition, collection), so
// Scan costs O(log n + k) like the persistent store.
//
// Writes are durable only for the life of the process: a returned Update is
// visible to every later transaction, and nothing survives a restart.
package memstore

import (
	"context"
	"sync"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// Store is an in-memory store.Store. Transactions on one partition are
// serialized by that partition's RWMutex (View shares it, Update holds it
// exclusively); different partitions never contend beyond a map lookup.
//
// A transaction function must not call methods of the same Store on the
// same partition: the locks are not reentrant and it would deadlock.
type Store struct {
	mu     sync.Mutex // guards parts and closed
	parts  map[store.Partition]*partition
	closed bool
	// active counts running View, Update and Reset calls so that Close can
	// wait for them; Add happens under mu only while !closed, which keeps
	// it from racing with Close's Wait.
	active sync.WaitGroup
}

var _ store.Store = (*Store)(nil)

// New returns an empty, open Store.
func New() *Store {
	return &Store{parts: newParts()}
}

// enter registers a running call, or fails with ErrClosed after Close.
// The caller must call s.active.Done when it finishes.
func (s *Store) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	s.active.Add(1)
	return nil
}

// begin admits a transaction on p: ctx is live, p is valid and the store
// is open. On success the caller must call s.active.Done when finished.
func (s *Store) begin(ctx context.Context, p store.Partition) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := txn.CheckPartition(p); err != nil {
		return err
	}
	return s.enter()
}

// View runs fn under p's read lock. A panic in fn propagates (only Update
// promises to turn panics into errors); the lock is released either way.
func (s *Store) View(ctx context.Context, p store.Partition, fn func(store.Reader) error) error {
	if err := s.begin(ctx, p); err != nil {
		return err
	}
	defer s.active.Done()

	part := s.rlock(p)
	if part != nil {
		defer part.mu.RUnlock()
	}
	r := &reader{part: part}
	defer r.finish()
	return fn(r)
}

// Update runs fn under p's write lock (and the Global partition's, once fn
// asks for it), calling fn exactly once and undoing all of fn's writes if it
// returns an error, panics, or exits its goroutine.
func (s *Store) Update(ctx context.Context, p store.Partition, fn func(store.Tx) error) error {
	if err := s.begin(ctx, p); err != nil {
		return err
	}
	defer s.active.Done()

	part := s.lock(p)
	defer part.mu.Unlock()
	t := &tx{reader: reader{part: part}, store: s, partition: p}
	committed := false
	// Deferred rather than inline so that runtime.Goexit in fn (which
	// recover cannot see) still leaves the partition unchanged.
	defer func() { t.end(committed) }()
	if err := txn.Call(func() error { return fn(t) }); err != nil {
		return err
	}
	committed = true
	return nil
}

// Reset removes every partition. Calls already holding a partition finish
// against it before it is emptied; calls that find it emptied retry on the
// fresh map, so no write is left behind in a discarded partition.
func (s *Store) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.active.Done()

	s.mu.Lock()
	old := s.parts
	s.parts = newParts()
	s.mu.Unlock()
	// Global last: a transaction holding another partition of this
	// generation may still reach it.
	for p, part := range old {
		if p != store.Global {
			part.mu.Lock()
			part.retire()
			part.mu.Unlock()
		}
	}
	g := old[store.Global]
	g.mu.Lock()
	g.retire()
	g.mu.Unlock()
	return nil
}

// Close waits for running calls, then drops all data. Later calls,
// including Close, return store.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	s.closed = true
	s.mu.Unlock()

	s.active.Wait()
	s.mu.Lock()
	s.parts = nil
	s.mu.Unlock()
	return nil
}
