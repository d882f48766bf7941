package txn

import (
	"runtime/debug"

	"github.com/workmaild/workmaild/internal/store"
)

// Call runs a transaction function and turns a panic in it into a
// *store.PanicError, so that a bug in one request cannot take down the
// goroutine that runs it (for the persistent store, the shared writer).
func Call(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &store.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}
