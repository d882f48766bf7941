// Package boltstore is the embedded, persistent store.Store, on bbolt.
//
// Layout: one top-level bucket per partition, named Account + "\x00" +
// Region; inside it one bucket per collection; inside that, key = id.
//
// Reads run in bbolt read transactions, concurrently with each other and
// with the writer. Updates are group-committed: one writer goroutine runs
// every queued Update inside a single bbolt read-write transaction and pays
// one fsync for all of them (see writer.go).
//
// Every Update runs its function exactly once: the writer goroutine runs
// one function at a time, so there are no conflicts to retry.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// lockTimeout bounds how long Open waits for the file lock held by another
// process, so that a second server on the same file fails instead of
// hanging.
const lockTimeout = 5 * time.Second

// Options configures Open. The zero value is the safe default.
type Options struct {
	// NoSync skips fsync at commit. For benchmarks and tests only: a crash
	// of the machine (not just the process) may then lose acknowledged
	// writes or corrupt the file.
	NoSync bool
	// ReadOnly opens the file for reading only, under a shared lock: no
	// server can have it open meanwhile, and Update, Reset fail. For
	// copying a store out (workmaild store copy).
	ReadOnly bool
}

// ErrLocked is returned (wrapped) by Open when another process holds the
// file's lock: a server is using the store.
var ErrLocked = errors.New("boltstore: the store file is locked by another process (is a workmaild serving it?)")

// Store is a store.Store persisted in one bbolt file. Transaction
// functions must not call Update or Close on the same Store (they run on
// the writer goroutine, which would wait for itself); View is allowed.
type Store struct {
	db   *bolt.DB
	reqs chan *request // to the writer; closed by Close
	// commitMu keeps a Reset and a batch from interleaving their commits.
	commitMu sync.Mutex

	mu     sync.RWMutex // guards closed and sends on reqs
	closed bool

	writerDone chan struct{} // closed when the writer has drained reqs
}

var _ store.Store = (*Store)(nil)

// Open opens or creates the store file at path. It does no work
// proportional to the data, so opening a large store is fast; a file left
// behind by a killed process needs no repair (bbolt's meta pages make every
// commit atomic).
func Open(path string, opts Options) (*Store, error) {
	// Defaults otherwise: InitialMmapSize would inflate RSS for small
	// stores, and NoFreelistSync would make Open scan the whole file.
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:  lockTimeout,
		NoSync:   opts.NoSync,
		ReadOnly: opts.ReadOnly,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s := &Store{
		db:         db,
		reqs:       make(chan *request, maxBatch),
		writerDone: make(chan struct{}),
	}
	go s.writer()
	return s, nil
}

// isClosed is a fast pre-check; bbolt itself reports a race with Close as
// ErrDatabaseNotOpen, which closedErr maps to store.ErrClosed.
func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

func closedErr(err error) error {
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return store.ErrClosed
	}
	return err
}

// View runs fn in a bbolt read transaction: a consistent snapshot that
// never blocks, nor is blocked by, the writer. A panic in fn propagates
// after the transaction is released.
func (s *Store) View(ctx context.Context, p store.Partition, fn func(store.Reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := txn.CheckPartition(p); err != nil {
		return err
	}
	if s.isClosed() {
		return store.ErrClosed
	}
	return closedErr(s.db.View(func(btx *bolt.Tx) error {
		r := &reader{tx: btx, part: partitionName(p)}
		defer r.finish()
		return fn(r)
	}))
}

// Update queues fn for the writer and waits until its batch is committed
// (durable, unless Options.NoSync). If ctx ends before fn has started, fn
// is not run and ctx's error is returned; once started, fn's outcome is
// reported whatever happens to ctx, so a nil error always means committed.
func (s *Store) Update(ctx context.Context, p store.Partition, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := txn.CheckPartition(p); err != nil {
		return err
	}
	req := &request{ctx: ctx, part: partitionName(p), fn: fn, done: make(chan error, 1)}

	// The read lock keeps Close from closing reqs while we send on it.
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	return <-req.done
}

// Reset deletes every partition bucket in one committed transaction.
func (s *Store) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.isClosed() {
		return store.ErrClosed
	}
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	btx, err := s.db.Begin(true)
	if err != nil {
		return closedErr(err)
	}
	if err := deleteAllBuckets(btx); err != nil {
		_ = btx.Rollback()
		return err
	}
	return closedErr(btx.Commit())
}

func deleteAllBuckets(btx *bolt.Tx) error {
	// Collect first: deleting while ForEach iterates would move its cursor
	// under it.
	var names [][]byte
	err := btx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		names = append(names, append([]byte(nil), name...))
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := btx.DeleteBucket(name); err != nil {
			return fmt.Errorf("boltstore: reset: %w", err)
		}
	}
	return nil
}

// Close lets the writer finish every queued Update, then closes the file
// (bbolt waits for running Views). Later calls return store.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()

	<-s.writerDone
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}

// partitionName is the top-level bucket name of p. txn.CheckPartition
// guarantees Account holds no NUL, so the name is unambiguous.
func partitionName(p store.Partition) []byte {
	name := make([]byte, 0, len(p.Account)+1+len(p.Region))
	name = append(name, p.Account...)
	name = append(name, 0)
	return append(name, p.Region...)
}
