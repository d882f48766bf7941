package memstore

import (
	"sync"

	"github.com/google/btree"

	"github.com/workmaild/workmaild/internal/store"
)

// degree is the B-tree branching factor; 32 keeps nodes within a few cache
// lines of pointers while making trees of 100k records only 3-4 levels deep.
const degree = 32

// record is one stored value. value is never modified after the record is
// inserted (Put stores a fresh copy), which is why readers may be handed the
// slice itself.
type record struct {
	id    string
	value []byte
}

func byID(a, b record) bool { return a.id < b.id }

// partition holds the collections of one store.Partition.
type partition struct {
	mu sync.RWMutex // guards everything below
	// retired is set by Reset once the partition has been removed from the
	// store's map; a caller that locks a retired partition must look the
	// partition up again.
	retired bool
	colls   map[string]*btree.BTreeG[record]
	// global is the Global partition of the same generation of the
	// store's map (nil for Global itself). A Tx reaches Global through it
	// rather than through the current map, so that a Reset that replaced
	// the map meanwhile removes both or neither of a transaction's parts.
	global *partition
}

func newPartition(global *partition) *partition {
	return &partition{colls: make(map[string]*btree.BTreeG[record]), global: global}
}

// newParts returns a fresh map of partitions holding its Global partition,
// which Reset retires after every other one.
func newParts() map[store.Partition]*partition {
	return map[store.Partition]*partition{store.Global: newPartition(nil)}
}

// lockGlobalOf write-locks the Global partition of part's generation. The
// caller holds part's lock, so Reset has not retired part, and Reset
// retires Global only after every other partition: it is not retired.
func (s *Store) lockGlobalOf(part *partition) *partition {
	g := part.global
	g.mu.Lock()
	return g
}

// retire empties the partition for Reset. The caller holds mu.
func (p *partition) retire() {
	p.retired = true
	p.colls = nil
}

// rlock returns p's partition read-locked, or nil (and no lock) when the
// partition does not exist: a View must not allocate a partition, or reads
// of arbitrary accounts would grow memory.
func (s *Store) rlock(p store.Partition) *partition {
	for {
		s.mu.Lock()
		part := s.parts[p]
		s.mu.Unlock()
		if part == nil {
			return nil
		}
		part.mu.RLock()
		if !part.retired {
			return part
		}
		part.mu.RUnlock()
	}
}

// lock returns p's partition write-locked, creating it if needed.
func (s *Store) lock(p store.Partition) *partition {
	for {
		s.mu.Lock()
		part := s.parts[p]
		if part == nil {
			part = newPartition(s.parts[store.Global])
			s.parts[p] = part
		}
		s.mu.Unlock()
		part.mu.Lock()
		if !part.retired {
			return part
		}
		part.mu.Unlock()
	}
}
