package memstore

import (
	"github.com/google/btree"

	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// tx implements store.Tx. Writes go straight into the trees; each one first
// records what it replaced so that rollback can restore it.
type tx struct {
	reader
	undo []undoEntry
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
