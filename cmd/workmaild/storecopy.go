package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
	"github.com/workmaild/workmaild/internal/store/pgstore"
	"github.com/workmaild/workmaild/server"
)

// A copy writes the records of one partition in Update transactions of at
// most copyBatchRecords records or copyBatchBytes bytes of values: small
// enough to bound the target's transactions, large enough that a store of
// a million records takes a few thousand commits.
const (
	copyBatchRecords = 1000
	copyBatchBytes   = 4 << 20
)

// storeCmd runs `workmaild store copy`.
func storeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "copy" {
		return usageError{msg: "store: want a subcommand: copy"}
	}
	fs := flag.NewFlagSet("workmaild store copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var from, to string
	var replace bool
	fs.StringVar(&from, "from", "", "the store to copy: a data directory (the embedded store) or a PostgreSQL connection string (required)")
	fs.StringVar(&to, "to", "", "the store to copy into: a data directory or a PostgreSQL connection string (required)")
	fs.BoolVar(&replace, "replace", false, "delete every record the target holds before copying (without it, a target holding records is refused)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{msg: err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{msg: fmt.Sprintf("store copy: unexpected arguments (%d)", fs.NArg())}
	case from == "":
		return usageError{msg: "store copy: --from is required"}
	case to == "":
		return usageError{msg: "store copy: --to is required"}
	}
	if !isPostgres(from) && !isPostgres(to) {
		// Checked before opening: the second open would wait for the
		// first one's lock.
		a, errA := filepath.Abs(from)
		b, errB := filepath.Abs(to)
		if errA == nil && errB == nil && a == b {
			return usageError{msg: "store copy: --from and --to are the same data directory"}
		}
	}
	src, srcName, err := openCopyStore(ctx, from, true)
	if err != nil {
		return fmt.Errorf("store copy: --from: %w", err)
	}
	defer src.Close()
	dst, dstName, err := openCopyStore(ctx, to, false)
	if err != nil {
		return fmt.Errorf("store copy: --to: %w", err)
	}
	defer dst.Close()
	if srcName == dstName {
		return usageError{msg: "store copy: --from and --to are the same store (" + srcName + ")"}
	}
	n, parts, err := copyStore(ctx, src.(store.Exporter), dst, replace)
	if err != nil {
		return fmt.Errorf("store copy from %s to %s: %w", srcName, dstName, err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("store copy: closing %s: %w", dstName, err)
	}
	fmt.Fprintf(stdout, "copied %d records of %d partitions from %s to %s\n", n, parts, srcName, dstName)
	return nil
}

// openCopyStore opens a data directory's embedded store (read-only for
// the source, which must exist) or a PostgreSQL database, and names it
// without any password. A store a running server holds is refused: for
// the embedded store, bbolt's file lock tells.
func openCopyStore(ctx context.Context, where string, source bool) (store.Store, string, error) {
	if isPostgres(where) {
		st, err := pgstore.Open(ctx, where)
		if err != nil {
			return nil, "", err // pgstore's errors show no password
		}
		return st, st.String(), nil
	}
	dir, err := filepath.Abs(where)
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, server.DataFileName)
	if source {
		if _, err := os.Stat(path); err != nil {
			return nil, "", fmt.Errorf("no workmaild store in %s: %w", dir, err)
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	st, err := boltstore.Open(path, boltstore.Options{ReadOnly: source})
	if errors.Is(err, boltstore.ErrLocked) {
		return nil, "", fmt.Errorf("%s is in use: a workmaild serving it holds its lock; stop it first", dir)
	}
	if err != nil {
		return nil, "", err
	}
	return st, dir, nil
}

// errHasRecords stops the export that looks for any record.
var errHasRecords = errors.New("the store holds records")

// copyStore copies every record of src into dst, which must be empty
// unless replace, and then checks that dst holds exactly what src held
// and that src did not change meanwhile (a server writing to a shared
// database would make the copy miss its writes).
func copyStore(ctx context.Context, src store.Exporter, dst store.Store, replace bool) (records, partitions int, err error) {
	dstEx := dst.(store.Exporter)
	err = dstEx.Export(ctx, func(store.Record) error { return errHasRecords })
	switch {
	case errors.Is(err, errHasRecords) && !replace:
		return 0, 0, errors.New("the target already holds records; nothing was written (--replace deletes them first)")
	case errors.Is(err, errHasRecords):
		if err := dst.Reset(ctx); err != nil {
			return 0, 0, fmt.Errorf("emptying the target: %w", err)
		}
	case err != nil:
		return 0, 0, fmt.Errorf("reading the target: %w", err)
	}

	sum := newRecordDigest()
	var batch []store.Record
	batchBytes := 0
	var lastPart store.Partition
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := dst.Update(ctx, batch[0].Partition, func(tx store.Tx) error {
			for _, r := range batch {
				if err := tx.Put(r.Collection, r.ID, r.Value); err != nil {
					return err
				}
			}
			return nil
		})
		batch, batchBytes = batch[:0], 0
		return err
	}
	err = src.Export(ctx, func(r store.Record) error {
		if len(batch) > 0 && (batch[0].Partition != r.Partition || len(batch) == copyBatchRecords || batchBytes+len(r.Value) > copyBatchBytes) {
			if err := flush(); err != nil {
				return fmt.Errorf("writing the target: %w", err)
			}
		}
		if records == 0 || r.Partition != lastPart {
			partitions++
			lastPart = r.Partition
		}
		sum.add(r)
		records++
		r.Value = append([]byte(nil), r.Value...) // valid only during the callback
		batch = append(batch, r)
		batchBytes += len(r.Value)
		return nil
	})
	if err == nil {
		err = flush()
		if err != nil {
			err = fmt.Errorf("writing the target: %w", err)
		}
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%w; the target holds part of the copy (copy again with --replace)", err)
	}
	if records == 0 {
		return 0, 0, errors.New("the source holds no records: nothing to copy (is it the right store?)")
	}

	copied, err := digestOf(ctx, dstEx)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the target back: %w", err)
	}
	if copied != sum.sum() {
		return 0, 0, errors.New("the target does not hold what was copied: is a server writing to it? Stop it and copy again with --replace")
	}
	again, err := digestOf(ctx, src)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the source again: %w", err)
	}
	if again != sum.sum() {
		return 0, 0, errors.New("the source changed while it was copied: a server is writing to it. Stop every server using it and copy again with --replace")
	}
	return records, partitions, nil
}

// recordDigest hashes a stream of records unambiguously (every field
// length-prefixed), to compare two stores' contents.
type recordDigest struct{ h hash.Hash }

func newRecordDigest() *recordDigest { return &recordDigest{h: sha256.New()} }

func (d *recordDigest) add(r store.Record) {
	for _, f := range [][]byte{[]byte(r.Partition.Account), []byte(r.Partition.Region), []byte(r.Collection), []byte(r.ID), r.Value} {
		d.h.Write(binary.AppendUvarint(nil, uint64(len(f))))
		d.h.Write(f)
	}
}

func (d *recordDigest) sum() [sha256.Size]byte { return [sha256.Size]byte(d.h.Sum(nil)) }

func digestOf(ctx context.Context, ex store.Exporter) ([sha256.Size]byte, error) {
	d := newRecordDigest()
	err := ex.Export(ctx, func(r store.Record) error { d.add(r); return nil })
	return d.sum(), err
}
