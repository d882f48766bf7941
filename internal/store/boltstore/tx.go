package boltstore

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// tx implements store.Tx. Writes go straight into the shared bbolt
// transaction; each one first records what it replaces so that rollback
// can take back this fn's writes without disturbing the rest of the batch.
// The Tx of the Global partition that Global returns shares the log, so
// one rollback undoes both.
type tx struct {
	reader
	log    *undoLog
	global *tx
}

// undoLog is what one transaction function wrote, oldest first.
type undoLog struct {
	entries []undoEntry
}

func newTx(btx *bolt.Tx, part []byte) *tx {
	return &tx{reader: reader{tx: btx, part: part, writes: new(uint64)}, log: &undoLog{}}
}

type undoKind uint8

const (
	undoKey           undoKind = iota // restore (collection, id) to prev/absent
	undoNewPartition                  // drop the partition bucket this tx created
	undoNewCollection                 // drop the collection bucket this tx created
)

type undoEntry struct {
	kind       undoKind
	part       []byte // the partition bucket written
	collection string
	id         string
	prev       []byte // our own copy: bbolt keeps referencing Put values until commit
	existed    bool
}

func (t *tx) record(e undoEntry) {
	e.part = t.part
	t.log.entries = append(t.log.entries, e)
}

// wrote reports whether the function wrote anything at all.
func (t *tx) wrote() bool { return len(t.log.entries) > 0 }

func (t *tx) Put(collection, id string, value []byte) error {
	if t.done {
		return errFinished
	}
	if err := txn.CheckKey(collection, id); err != nil {
		return err
	}
	b, err := t.createBucket(collection)
	if err != nil {
		return err
	}
	key := []byte(id)
	prev, existed := lookup(b, key)
	if existed {
		prev = clone(prev)
	}
	// bbolt keeps a reference to value until commit, and our caller may
	// reuse it, hence the copy.
	if err := b.Put(key, clone(value)); err != nil {
		return fmt.Errorf("boltstore: put: %w", err)
	}
	t.record(undoEntry{kind: undoKey, collection: collection, id: id, prev: prev, existed: existed})
	*t.writes++
	return nil
}

func (t *tx) Insert(collection, id string, value []byte) error {
	if t.done {
		return errFinished
	}
	if b := t.bucket(collection); b != nil {
		if _, existed := lookup(b, []byte(id)); existed {
			return store.ErrExists
		}
	}
	return t.Put(collection, id, value)
}

func (t *tx) Delete(collection, id string) error {
	if t.done {
		return errFinished
	}
	b := t.bucket(collection)
	if b == nil {
		return nil
	}
	key := []byte(id)
	prev, existed := lookup(b, key)
	if !existed {
		return nil
	}
	prev = clone(prev)
	if err := b.Delete(key); err != nil {
		return fmt.Errorf("boltstore: delete: %w", err)
	}
	t.record(undoEntry{kind: undoKey, collection: collection, id: id, prev: prev, existed: true})
	*t.writes++
	return nil
}

// DeletePrefix deletes through a cursor, re-seeking after each deletion as
// bbolt requires after a mutation.
func (t *tx) DeletePrefix(collection, prefix string) (int, error) {
	if t.done {
		return 0, errFinished
	}
	b := t.bucket(collection)
	if b == nil {
		return 0, nil
	}
	pfx := []byte(prefix)
	n := 0
	for {
		k, v := b.Cursor().Seek(pfx)
		if k == nil || !bytes.HasPrefix(k, pfx) {
			break
		}
		id := string(k)
		prev := clone(v)
		if err := b.Delete(k); err != nil {
			return n, fmt.Errorf("boltstore: delete: %w", err)
		}
		t.record(undoEntry{kind: undoKey, collection: collection, id: id, prev: prev, existed: true})
		n++
	}
	if n > 0 {
		*t.writes++
	}
	return n, nil
}

// Global returns a tx on the Global partition's bucket in the same bbolt
// transaction, sharing the undo log and the write counter (so that a Scan
// in one re-seeks after writes in the other).
func (t *tx) Global() store.Tx {
	global := partitionName(store.Global)
	if bytes.Equal(t.part, global) {
		return t
	}
	if t.global == nil {
		t.global = &tx{reader: reader{tx: t.tx, part: global, done: t.done, writes: t.writes}, log: t.log}
	}
	return t.global
}

func (t *tx) finish() {
	t.reader.finish()
	if t.global != nil {
		t.global.reader.finish()
	}
}

// createBucket returns the collection's bucket, creating it (and the
// partition's) if needed and logging each creation for rollback.
func (t *tx) createBucket(collection string) (*bolt.Bucket, error) {
	pb := t.tx.Bucket(t.part)
	if pb == nil {
		var err error
		if pb, err = t.tx.CreateBucket(t.part); err != nil {
			return nil, fmt.Errorf("boltstore: create partition bucket: %w", err)
		}
		t.record(undoEntry{kind: undoNewPartition})
	}
	name := []byte(collection)
	if b := pb.Bucket(name); b != nil {
		return b, nil
	}
	b, err := pb.CreateBucket(name)
	if err != nil {
		return nil, fmt.Errorf("boltstore: create collection bucket: %w", err)
	}
	t.record(undoEntry{kind: undoNewCollection, collection: collection})
	return b, nil
}

// rollback replays the undo log newest first. An error leaves the bbolt
// transaction holding a partial undo; the caller must then abandon it.
func (t *tx) rollback() error {
	for i := len(t.log.entries) - 1; i >= 0; i-- {
		if err := apply(t.tx, t.log.entries[i]); err != nil {
			return err
		}
	}
	t.log.entries = nil
	return nil
}

func apply(btx *bolt.Tx, e undoEntry) error {
	if e.kind == undoNewPartition {
		return btx.DeleteBucket(e.part)
	}
	pb := btx.Bucket(e.part)
	if pb == nil {
		return fmt.Errorf("boltstore: undo: partition bucket vanished")
	}
	if e.kind == undoNewCollection {
		return pb.DeleteBucket([]byte(e.collection))
	}
	b := pb.Bucket([]byte(e.collection))
	if b == nil {
		return fmt.Errorf("boltstore: undo: collection %q vanished", e.collection)
	}
	if e.existed {
		return b.Put([]byte(e.id), e.prev)
	}
	return b.Delete([]byte(e.id))
}

// clone returns a copy of b that is never nil, so an empty value stays
// distinguishable from "no value" everywhere it travels.
func clone(b []byte) []byte {
	c := make([]byte, len(b))
	copy(c, b)
	return c
}
