package memstore

import (
	"strings"

	"github.com/google/btree"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// tx implements store.Tx. Writes go straight into the trees; each one first
// records what it replaced so that rollback can restore it.
type tx struct {
	reader
	undo []undoEntry
	// store and partition let Global lock the Global partition on first
	// use; global is that partition's tx, finished with this one.
	store     *Store
	partition store.Partition
	global    *tx
}

// undoEntry restores one write. newTree marks the creation of the
// collection's tree, undone by dropping the tree.
type undoEntry struct {
	collection string
	id         string
	prev       record
	existed    bool
	newTree    bool
}

func (t *tx) Put(collection, id string, value []byte) error {
	if t.done {
		return errFinished
	}
	if err := txn.CheckKey(collection, id); err != nil {
		return err
	}
	tree := t.part.colls[collection]
	if tree == nil {
		tree = btree.NewG(degree, byID)
		t.part.colls[collection] = tree
		t.undo = append(t.undo, undoEntry{collection: collection, newTree: true})
	}
	stored := make([]byte, len(value))
	copy(stored, value)
	prev, existed := tree.ReplaceOrInsert(record{id: id, value: stored})
	t.undo = append(t.undo, undoEntry{collection: collection, id: id, prev: prev, existed: existed})
	t.writes++
	return nil
}

func (t *tx) Insert(collection, id string, value []byte) error {
	if t.done {
		return errFinished
	}
	if _, err := t.Get(collection, id); err == nil {
		return store.ErrExists
	}
	return t.Put(collection, id, value)
}

func (t *tx) DeletePrefix(collection, prefix string) (int, error) {
	if t.done {
		return 0, errFinished
	}
	tree := t.part.colls[collection]
	if tree == nil {
		return 0, nil
	}
	var doomed []record
	tree.AscendGreaterOrEqual(record{id: prefix}, func(rec record) bool {
		if !strings.HasPrefix(rec.id, prefix) {
			return false
		}
		doomed = append(doomed, rec)
		return true
	})
	for _, rec := range doomed {
		tree.Delete(rec)
		t.undo = append(t.undo, undoEntry{collection: collection, id: rec.id, prev: rec, existed: true})
	}
	if len(doomed) > 0 {
		t.writes++
	}
	return len(doomed), nil
}

// Global locks the Global partition the first time it is asked for. Locks
// are always taken partition first, Global second (a transaction of the
// Global partition takes no other), so no two transactions wait for each
// other.
func (t *tx) Global() store.Tx {
	if t.partition == store.Global {
		return t
	}
	if t.global == nil && t.done {
		// A kept Tx must not take the lock: nothing would release it.
		return &tx{reader: reader{done: true}, store: t.store, partition: store.Global}
	}
	if t.global == nil {
		part := t.store.lockGlobalOf(t.part)
		t.global = &tx{reader: reader{part: part, done: t.done}, store: t.store, partition: store.Global}
	}
	return t.global
}

// end finishes the transaction and its Global part, rolling both back
// unless committed, and releases the Global partition's lock.
func (t *tx) end(committed bool) {
	t.finish()
	if !committed {
		t.rollback()
	}
	if g := t.global; g != nil {
		g.finish()
		if !committed {
			g.rollback()
		}
		g.part.mu.Unlock()
	}
}

func (t *tx) Delete(collection, id string) error {
	if t.done {
		return errFinished
	}
	tree := t.part.colls[collection]
	if tree == nil {
		return nil
	}
	prev, existed := tree.Delete(record{id: id})
	if existed {
		t.undo = append(t.undo, undoEntry{collection: collection, id: id, prev: prev, existed: true})
		t.writes++
	}
	return nil
}

// rollback replays the undo log newest first, which restores each key to
// its value before the transaction even if it was written several times.
func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		e := t.undo[i]
		if e.newTree {
			delete(t.part.colls, e.collection)
			continue
		}
		tree := t.part.colls[e.collection]
		if e.existed {
			tree.ReplaceOrInsert(e.prev)
		} else {
			tree.Delete(record{id: e.id})
		}
	}
	t.undo = nil
}
