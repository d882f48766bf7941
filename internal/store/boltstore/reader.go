package boltstore

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// errFinished is returned by a Reader or Tx used after its function
// returned (bbolt would otherwise panic or touch a finished transaction).
var errFinished = fmt.Errorf("%w: transaction already finished", store.ErrClosed)

// reader implements store.Reader over one partition of a bbolt transaction.
type reader struct {
	tx   *bolt.Tx
	part []byte // partition bucket name
	done bool
	// writes counts the transaction's writes so that a Scan can notice its
	// callback changed the bucket: bbolt cursors must be repositioned after
	// a mutation.
	// It is shared with the transaction's Global part, nil in a View.
	writes *uint64
	// partition caches the partition bucket of a read-only transaction,
	// which bbolt would otherwise look up again for every read. (A
	// writable transaction caches buckets itself, and may drop or create
	// the partition bucket, so it is not cached here.)
	partition *bolt.Bucket
}

func (r *reader) finish() { r.done = true }

func (r *reader) writeCount() uint64 {
	if r.writes == nil {
		return 0
	}
	return *r.writes
}

// bucket returns the collection's bucket, or nil if it does not exist.
func (r *reader) bucket(collection string) *bolt.Bucket {
	pb := r.partition
	if pb == nil {
		pb = r.tx.Bucket(r.part)
		if !r.tx.Writable() {
			r.partition = pb
		}
	}
	if pb == nil {
		return nil
	}
	return pb.Bucket([]byte(collection))
}

// Get looks the id up with a cursor rather than Bucket.Get so that an empty
// value is told apart from a missing key by the key itself.
func (r *reader) Get(collection, id string) ([]byte, error) {
	if r.done {
		return nil, errFinished
	}
	b := r.bucket(collection)
	if b == nil {
		return nil, store.ErrNotFound
	}
	v, ok := lookup(b, []byte(id))
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

// lookup returns key's value in b and whether the key exists. A present
// key always has a non-nil value.
func lookup(b *bolt.Bucket, key []byte) ([]byte, bool) {
	k, v := b.Cursor().Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil, false
	}
	if v == nil {
		v = []byte{}
	}
	return v, true
}

// Scan walks a bbolt cursor. If fn writes (through the enclosing Tx), the
// cursor is re-seeked strictly after the last visited id, so every id is
// visited at most once and records deleted ahead of it are skipped.
func (r *reader) Scan(collection, prefix, after string, limit int, fn func(id string, value []byte) (bool, error)) error {
	if r.done {
		return errFinished
	}
	b := r.bucket(collection)
	if b == nil {
		return nil
	}
	start, exclusive := txn.ScanStart(prefix, after)
	c := b.Cursor()
	k, v := seekAfter(c, []byte(start), exclusive)
	pfx := []byte(prefix)
	for visited := 1; k != nil && bytes.HasPrefix(k, pfx); visited++ {
		if v == nil {
			v = []byte{}
		}
		id := string(k)
		writes := r.writeCount()
		more, err := fn(id, v)
		if err != nil || !more || visited == limit {
			return err
		}
		if r.writeCount() != writes {
			c = b.Cursor()
			k, v = seekAfter(c, []byte(id), true)
			continue
		}
		k, v = c.Next()
	}
	return nil
}

// seekAfter positions c at the first key >= key, or > key when exclusive.
func seekAfter(c *bolt.Cursor, key []byte, exclusive bool) ([]byte, []byte) {
	k, v := c.Seek(key)
	if exclusive && k != nil && bytes.Equal(k, key) {
		k, v = c.Next()
	}
	return k, v
}
