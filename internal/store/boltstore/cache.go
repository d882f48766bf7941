package boltstore

import "sync"

// Bounds of the read cache. When a fill would pass either, the cache is
// emptied and refills with whatever is hot, which costs less than tracking
// recency. Larger values are never cached: each would push out a good part
// of the hot set.
const (
	cacheMaxEntries  = 4096
	cacheMaxBytes    = 8 << 20
	cacheMaxValueLen = 64 << 10
)

// address names one record: partition bucket name, collection, id.
type address struct {
	partition, collection, id string
}

// cached is a record's latest committed value and the oldest snapshot (bbolt
// transaction id) that sees it.
type cached struct {
	value     []byte // the cache's own copy, never modified
	validFrom int
}

// readCache holds the latest committed values of recently read records, so
// that Get in a read-only transaction skips bbolt's bucket opens and cursor
// seeks. The rules that keep every View on one snapshot are in the package
// doc; in short: an entry is valid for snapshots from validFrom on for as
// long as it exists, a commit removes the entries of what it wrote before
// it can become visible, and a reader fills an entry only when its snapshot
// is provably the latest.
//
// Its lock is never held while calling into bbolt: bbolt's remap waits for
// open read transactions, and those may be waiting for this lock.
type readCache struct {
	mu      sync.RWMutex
	entries map[address]cached
	bytes   int // sum of entrySize over entries

	// latest is the id of the newest write transaction whose commit has
	// finished, successfully or not. Only a snapshot equal to it may fill.
	latest int
	// pending holds what the commit in flight wrote, and pendingAll is set
	// while a Reset commits: nobody may fill those entries until the
	// commit has finished and latest has moved past the old snapshot.
	pending    map[address]struct{}
	pendingAll bool
}

// newReadCache returns an empty cache for a database whose newest committed
// transaction is latest.
func newReadCache(latest int) *readCache {
	return &readCache{entries: make(map[address]cached), latest: latest}
}

func entrySize(a address, value []byte) int {
	return len(a.partition) + len(a.collection) + len(a.id) + len(value)
}

// get returns the cached value of the record for a reader of snapshot, if
// there is one that snapshot sees. It does not allocate.
func (c *readCache) get(partition []byte, collection, id string, snapshot int) ([]byte, bool) {
	c.mu.RLock()
	e, ok := c.entries[address{string(partition), collection, id}]
	c.mu.RUnlock()
	if !ok || e.validFrom > snapshot {
		return nil, false
	}
	return e.value, true
}

// fill offers value, read from bbolt at snapshot, as the record's cached
// value. It is taken only when it is provably the latest committed value:
// snapshot is the latest commit, and no commit in flight wrote the record.
// An existing entry is left alone: it is at least as new.
func (c *readCache) fill(partition []byte, collection, id string, value []byte, snapshot int) {
	if len(value) > cacheMaxValueLen {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if snapshot != c.latest || c.pendingAll {
		return
	}
	if _, ok := c.pending[address{string(partition), collection, id}]; ok {
		return
	}
	if _, ok := c.entries[address{string(partition), collection, id}]; ok {
		return
	}
	// Own copies: bbolt's value lives only as long as its transaction, and
	// the caller's strings may be slices of something much larger. One
	// string holds the whole address.
	key := string(partition) + collection + id
	collStart, idStart := len(partition), len(partition)+len(collection)
	a := address{key[:collStart], key[collStart:idStart], key[idStart:]}
	size := entrySize(a, value)
	if len(c.entries) >= cacheMaxEntries || c.bytes+size > cacheMaxBytes {
		clear(c.entries)
		c.bytes = 0
	}
	c.entries[a] = cached{value: clone(value), validFrom: snapshot}
	c.bytes += size
}

// beginCommit is called by the writer before committing a transaction that
// wrote the records in written (which the cache keeps until endCommit):
// their entries go, and nobody may fill them until endCommit.
func (c *readCache) beginCommit(written map[address]struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for a := range written {
		if e, ok := c.entries[a]; ok {
			c.bytes -= entrySize(a, e.value)
			delete(c.entries, a)
		}
	}
	c.pending = written
}

// beginReset is beginCommit for a transaction that removes every record.
func (c *readCache) beginReset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.bytes = 0
	c.pendingAll = true
}

// endCommit is called once the commit of transaction txid has returned. A
// failed commit counts as done too: bbolt may have written its meta page
// before failing (on fsync), which makes it visible to new readers; so only
// snapshots of txid or later may fill from now on.
func (c *readCache) endCommit(txid int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latest = txid
	c.pending = nil
	c.pendingAll = false
}
