package memstore

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/workmaild/workmaild/internal/store"
)

var _ store.Exporter = (*Store)(nil)

// Export copies out every record under the read locks of all partitions
// at once, then calls fn with the locks released (values are never
// modified after a Put, so the copies share them).
func (s *Store) Export(ctx context.Context, fn func(store.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.active.Done()
	for _, rec := range s.snapshot() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

// snapshot returns every record as of one moment. It read-locks every
// partition, Global last (the order Updates take them in, so no lock
// cycle), then checks that no partition appeared or was replaced by a
// Reset meanwhile; if one was, it lets go and tries again, since the
// newcomer may have written to Global before Global was locked.
func (s *Store) snapshot() []store.Record {
	for {
		s.mu.Lock()
		parts := maps.Clone(s.parts)
		s.mu.Unlock()
		names := make(map[store.Partition]string, len(parts))
		order := slices.Collect(maps.Keys(parts))
		for _, p := range order {
			names[p] = p.Account + "\x00" + p.Region
		}
		slices.SortFunc(order, func(a, b store.Partition) int {
			switch {
			case a == store.Global:
				return 1
			case b == store.Global:
				return -1
			}
			return strings.Compare(names[a], names[b])
		})
		for _, p := range order {
			parts[p].mu.RLock()
		}
		s.mu.Lock()
		stable := maps.Equal(parts, s.parts)
		s.mu.Unlock()
		var recs []store.Record
		if stable {
			slices.SortFunc(order, func(a, b store.Partition) int { return strings.Compare(names[a], names[b]) })
			for _, p := range order {
				recs = appendPartition(recs, p, parts[p])
			}
		}
		for _, part := range parts {
			part.mu.RUnlock()
		}
		if stable {
			return recs
		}
	}
}

func appendPartition(recs []store.Record, p store.Partition, part *partition) []store.Record {
	for _, coll := range slices.Sorted(maps.Keys(part.colls)) {
		part.colls[coll].Ascend(func(r record) bool {
			recs = append(recs, store.Record{Partition: p, Collection: coll, ID: r.id, Value: r.value})
			return true
		})
	}
	return recs
}
