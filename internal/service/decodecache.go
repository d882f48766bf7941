package service

import (
	"errors"
	"sync"

	"github.com/workmaild/workmaild/internal/store"
)

// decodeCacheSize bounds each cache; when full it is emptied and refills
// with whatever is hot, which costs less than tracking recency.
const decodeCacheSize = 4096

// decodeCache remembers decoded records by their stored bytes. Decoding
// JSON is most of the cost of a read, and the same few records (the
// caller's organization, its configuration) are read on every request.
// Keying by the bytes, not by the address, makes invalidation unnecessary:
// a changed record is different bytes, and identical bytes always decode
// to the same value.
type decodeCache[T any] struct {
	mu sync.RWMutex
	m  map[string]T
	// clone copies what a T shares by reference (slices), so that no
	// caller can change the cached value; nil when T shares nothing.
	clone func(T) T
}

func newDecodeCache[T any](clone func(T) T) *decodeCache[T] {
	return &decodeCache[T]{m: make(map[string]T), clone: clone}
}

// get is getRecord through the cache.
func (c *decodeCache[T]) get(r store.Reader, collection, id string, v *T) (bool, error) {
	raw, err := r.Get(collection, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.mu.RLock()
	cached, ok := c.m[string(raw)] // no allocation: the conversion is only a lookup key
	c.mu.RUnlock()
	if ok {
		*v = c.copy(cached)
		return true, nil
	}
	if err := decodeRecord(collection, id, raw, v); err != nil {
		return true, err
	}
	c.mu.Lock()
	if len(c.m) >= decodeCacheSize {
		clear(c.m)
	}
	c.m[string(raw)] = c.copy(*v)
	c.mu.Unlock()
	return true, nil
}

func (c *decodeCache[T]) copy(v T) T {
	if c.clone == nil {
		return v
	}
	return c.clone(v)
}
