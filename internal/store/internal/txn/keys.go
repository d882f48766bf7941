package txn

import (
	"fmt"
	"strings"

	"github.com/workmaild/workmaild/internal/store"
)

// CheckKey reports whether (collection, id) may be written: both must be
// non-empty and at most store.MaxKeyLen bytes. Reads do not call it: reading
// an address that cannot exist simply finds nothing.
func CheckKey(collection, id string) error {
	switch {
	case collection == "":
		return fmt.Errorf("%w: empty collection", store.ErrInvalidKey)
	case id == "":
		return fmt.Errorf("%w: empty id in collection %q", store.ErrInvalidKey, collection)
	case len(collection) > store.MaxKeyLen:
		return fmt.Errorf("%w: collection name is %d bytes, limit %d", store.ErrInvalidKey, len(collection), store.MaxKeyLen)
	case len(id) > store.MaxKeyLen:
		return fmt.Errorf("%w: id is %d bytes, limit %d", store.ErrInvalidKey, len(id), store.MaxKeyLen)
	}
	return nil
}

// CheckPartition reports whether p can be named unambiguously as
// Account + "\x00" + Region within store.MaxKeyLen bytes.
func CheckPartition(p store.Partition) error {
	if strings.IndexByte(p.Account, 0) >= 0 {
		return fmt.Errorf("%w: account contains a NUL byte", store.ErrInvalidKey)
	}
	if n := len(p.Account) + 1 + len(p.Region); n > store.MaxKeyLen {
		return fmt.Errorf("%w: partition name is %d bytes, limit %d", store.ErrInvalidKey, n, store.MaxKeyLen)
	}
	return nil
}
