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
// # Read cache
//
// A few records (an organization, its configuration) are read by nearly
// every request, and opening their nested buckets costs more than the rest
// of a Get. So Get in a View first looks in a bounded cache of committed
// values (cache.go), which must still show each View one snapshot. Versions
// are bbolt transaction ids: a View's snapshot is its read transaction's
// id, the id of the newest commit it sees. The rules:
//
//   - An entry holds a record's value and validFrom, a transaction id; it
//     is served to snapshots >= validFrom only. While it exists, no commit
//     newer than validFrom has written the record.
//   - That holds because a commit first removes the entries of every record
//     it wrote (a Reset: all of them) and marks them pending, then commits,
//     then (endCommit) clears pending and records its id as the latest,
//     even if the commit failed (it may have become visible regardless).
//     Failed functions' writes are undone before the commit, so they change
//     no committed value and need nothing.
//   - A View that missed fills an entry with what bbolt gave it only if its
//     snapshot is the latest, the record is not pending, and there is no
//     entry yet. Then a newer commit that wrote the record either finished
//     (so the snapshot is not the latest), or is pending, or has yet to
//     remove the entry. validFrom is the snapshot.
//   - Commits and their cache bookkeeping run one at a time (commitMu), so
//     latest never goes back and pending belongs to one commit.
//
// The cache's lock is never held while calling into bbolt, whose remap
// waits for open read transactions. Scans and read-write transactions do
// not use the cache, and a View fills at most a few entries: one that reads
// many records is not reading the hot few.
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
}

// Store is a store.Store persisted in one bbolt file. Transaction
// functions must not call Update or Close on the same Store (they run on
// the writer goroutine, which would wait for itself); View is allowed.
type Store struct {
	db    *bolt.DB
	reqs  chan *request // to the writer; closed by Close
	cache *readCache

	// commitMu makes each commit and its cache bookkeeping one step, so
	// that a Reset and a batch cannot interleave theirs.
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
		Timeout: lockTimeout,
		NoSync:  opts.NoSync,
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	var latest int
	if err := db.View(func(btx *bolt.Tx) error { latest = btx.ID(); return nil }); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s := &Store{
		db:         db,
		reqs:       make(chan *request, maxBatch),
		cache:      newReadCache(latest),
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
// never blocks, nor is blocked by, the writer. Its Gets may be served from
// the read cache (see the package doc). A panic in fn propagates after the
// transaction is released.
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
		r := &reader{tx: btx, part: partitionName(p), cache: s.cache, snapshot: btx.ID()}
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
	txid := btx.ID()
	s.cache.beginReset()
	err = btx.Commit()
	s.cache.endCommit(txid)
	return closedErr(err)
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
