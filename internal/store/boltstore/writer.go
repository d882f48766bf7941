package boltstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// maxBatch caps how many Updates share one bbolt transaction, bounding the
// latency a request waits behind others and the size of one commit.
const maxBatch = 256

// request is one queued Update.
type request struct {
	ctx  context.Context
	part []byte // partition bucket name
	fn   func(store.Tx) error
	done chan error // buffered; receives exactly one reply
}

// errGoexit replaces the outcome of a batch whose transaction function
// called runtime.Goexit (for example t.FailNow in a test).
var errGoexit = errors.New("boltstore: a transaction function exited its goroutine; batch rolled back")

// writer is the only goroutine that writes to the database. It takes the
// first queued request, drains whatever else is already queued without
// waiting for more (an idle store commits a lone request at once; a busy
// one naturally batches), and commits the batch. It closes writerDone once
// Close has closed reqs and every queued request has been answered.
func (s *Store) writer() {
	finished := false
	defer func() {
		if finished {
			close(s.writerDone)
			return
		}
		// A transaction function called runtime.Goexit on this goroutine,
		// which recover cannot stop; commitBatch has answered its batch,
		// so hand the queue to a fresh writer rather than hang every
		// later Update.
		go s.writer()
	}()

	batch := make([]*request, 0, maxBatch)
	for first := range s.reqs {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.commitBatch(batch)
		clear(batch) // release requests (and what their closures hold)
	}
	finished = true
}

// commitBatch runs every request's fn once in one read-write transaction.
// A fn that fails has its writes undone before the next fn runs, so the
// others commit as if it had never run. Each request gets fn's own error,
// or else the error of the commit.
func (s *Store) commitBatch(batch []*request) {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	errs := make([]error, len(batch))
	replied := false
	reply := func() {
		replied = true
		for i, r := range batch {
			r.done <- errs[i]
		}
	}
	// failRest sets err for every request that has no error of its own.
	failRest := func(err error) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}

	btx, err := s.db.Begin(true)
	if err != nil {
		failRest(fmt.Errorf("boltstore: begin: %w", closedErr(err)))
		reply()
		return
	}
	defer func() {
		if !replied { // only on runtime.Goexit from a fn
			_ = btx.Rollback()
			failRest(errGoexit)
			reply()
		}
	}()

	wrote := false
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		t := newTx(btx, r.part)
		err := txn.Call(func() error { return r.fn(t) })
		t.finish()
		if err == nil {
			wrote = wrote || t.wrote()
			continue
		}
		errs[i] = err
		if uerr := t.rollback(); uerr != nil {
			// The transaction now holds part of a failed fn's writes and
			// cannot be committed; nothing in the batch happens.
			_ = btx.Rollback()
			failRest(fmt.Errorf("boltstore: batch rolled back: undoing a failed transaction: %w", uerr))
			reply()
			return
		}
	}

	if !wrote {
		// Nothing to make durable (read-only or failed fns): skip the fsync.
		_ = btx.Rollback()
		reply()
		return
	}
	if err := btx.Commit(); err != nil {
		failRest(fmt.Errorf("boltstore: commit: %w", err))
	}
	reply()
}
