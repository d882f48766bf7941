package memstore

import (
	"fmt"
	"strings"

	"github.com/google/btree"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// errFinished is returned by a Reader or Tx used after its function returned.
var errFinished = fmt.Errorf("%w: transaction already finished", store.ErrClosed)

// reader implements store.Reader over a partition whose lock the caller
// holds for as long as the transaction function runs.
type reader struct {
	part *partition // nil: the partition does not exist (read-only views)
	done bool       // set when the function returned; guards against a kept Reader
	// writes counts the transaction's writes so that a Scan can notice that
	// its callback changed the tree and re-seek instead of iterating a tree
	// modified under it.
	writes uint64
}

func (r *reader) finish() { r.done = true }

func (r *reader) tree(collection string) *btree.BTreeG[record] {
	if r.part == nil {
		return nil
	}
	return r.part.colls[collection]
}

// Get returns the stored slice itself: it is never modified after Put, so
// handing it out cannot expose later writes.
func (r *reader) Get(collection, id string) ([]byte, error) {
	if r.done {
		return nil, errFinished
	}
	t := r.tree(collection)
	if t == nil {
		return nil, store.ErrNotFound
	}
	rec, ok := t.Get(record{id: id})
	if !ok {
		return nil, store.ErrNotFound
	}
	return rec.value, nil
}

// Scan visits ids in ascending order. If fn writes (through the enclosing
// Tx), iteration restarts strictly after the last visited id, so every id is
// visited at most once and records deleted ahead of the cursor are skipped.
func (r *reader) Scan(collection, prefix, after string, limit int, fn func(id string, value []byte) (bool, error)) error {
	if r.done {
		return errFinished
	}
	visited := 0
	start, exclusive := txn.ScanStart(prefix, after)
	for {
		t := r.tree(collection)
		if t == nil {
			return nil
		}
		var fnErr error
		reseek := false
		t.AscendGreaterOrEqual(record{id: start}, func(rec record) bool {
			if exclusive && rec.id == start {
				return true
			}
			if !strings.HasPrefix(rec.id, prefix) {
				return false
			}
			writes := r.writes
			more, err := fn(rec.id, rec.value)
			if err != nil {
				fnErr = err
				return false
			}
			visited++
			if !more || (limit > 0 && visited == limit) {
				return false
			}
			if r.writes != writes {
				start, exclusive, reseek = rec.id, true, true
				return false
			}
			return true
		})
		if !reseek {
			return fnErr
		}
	}
}
