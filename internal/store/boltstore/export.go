package boltstore

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/workmaild/workmaild/internal/store"
)

var _ store.Exporter = (*Store)(nil)

// Export walks every partition bucket in one bbolt read transaction, whose
// snapshot is consistent across partitions. bbolt orders buckets and keys
// bytewise, which is the order Exporter promises. A long Export delays a
// writer that needs to grow the file, so it is meant for a store no
// server is using (workmaild store copy).
func (s *Store) Export(ctx context.Context, fn func(store.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.isClosed() {
		return store.ErrClosed
	}
	return closedErr(s.db.View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, pb *bolt.Bucket) error {
			account, region, ok := bytes.Cut(name, []byte{0})
			if !ok {
				return fmt.Errorf("boltstore: export: top-level bucket %q is no partition", name)
			}
			rec := store.Record{Partition: store.Partition{Account: string(account), Region: string(region)}}
			return pb.ForEachBucket(func(coll []byte) error {
				rec.Collection = string(coll)
				cb := pb.Bucket(coll)
				c := cb.Cursor()
				for k, v := c.First(); k != nil; k, v = c.Next() {
					if v == nil {
						if cb.Bucket(k) != nil {
							continue // no nested buckets are written; skip rather than misreport
						}
						v = []byte{}
					}
					if err := ctx.Err(); err != nil {
						return err
					}
					rec.ID, rec.Value = string(k), v
					if err := fn(rec); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}))
}
