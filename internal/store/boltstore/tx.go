package boltstore

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// tx implements store.Tx. Writes go straight into the shared bbolt
// transaction; each one first records what it replaces so that rollback
// can take back this fn's writes without disturbing the rest of the batch.
type tx struct {
	reader
	undo []undoEntry
}

type undoKind uint8

const (
	undoKey           undoKind = iota // restore (collection, id) to prev/absent
	undoNewPartition                  // drop the partition bucket this tx created
	undoNewCollection                 // drop the collection bucket this tx created
)

type undoEntry struct {
	kind       undoKind
	collection string
	id         string
	prev       []byte // our own copy: bbolt keeps referencing Put values until commit
	existed    bool
}

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
	t.undo = append(t.undo, undoEntry{kind: undoKey, collection: collection, id: id, prev: prev, existed: existed})
	t.writes++
	return nil
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
	t.undo = append(t.undo, undoEntry{kind: undoKey, collection: collection, id: id, prev: prev, existed: true})
	t.writes++
	return nil
}

// addWritten adds the records this fn wrote to written. Only key writes
// count: the buckets it created hold nothing else.
func (t *tx) addWritten(written map[address]struct{}) {
	if len(t.undo) == 0 {
		return
	}
	part := string(t.part)
	for _, e := range t.undo {
		if e.kind == undoKey {
			written[address{part, e.collection, e.id}] = struct{}{}
		}
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
		t.undo = append(t.undo, undoEntry{kind: undoNewPartition})
	}
	name := []byte(collection)
	if b := pb.Bucket(name); b != nil {
		return b, nil
	}
	b, err := pb.CreateBucket(name)
	if err != nil {
		return nil, fmt.Errorf("boltstore: create collection bucket: %w", err)
	}
	t.undo = append(t.undo, undoEntry{kind: undoNewCollection, collection: collection})
	return b, nil
}

// rollback replays the undo log newest first. An error leaves the bbolt
// transaction holding a partial undo; the caller must then abandon it.
func (t *tx) rollback() error {
	for i := len(t.undo) - 1; i >= 0; i-- {
		if err := t.apply(t.undo[i]); err != nil {
			return err
		}
	}
	t.undo = nil
	return nil
}

func (t *tx) apply(e undoEntry) error {
	switch e.kind {
	case undoNewPartition:
		return t.tx.DeleteBucket(t.part)
	case undoNewCollection:
		pb := t.tx.Bucket(t.part)
		if pb == nil {
			return fmt.Errorf("boltstore: undo: partition bucket vanished")
		}
		return pb.DeleteBucket([]byte(e.collection))
	}
	b := t.bucket(e.collection)
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
