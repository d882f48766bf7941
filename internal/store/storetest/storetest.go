// Package storetest is the contract test suite every store.Store
// implementation runs, so that the in-memory and persistent stores (and any
// later one) are held to exactly the same behaviour.
package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

// Opener returns a fresh, empty, open store for one test. Run closes it
// when the test ends (ErrClosed from a test that closed it itself is fine).
type Opener func(t *testing.T) store.Store

// Options declares what a store promises beyond the contract, so that Run
// also checks it. The zero value asks for nothing more.
type Options struct {
	// CallsOnce declares that Update calls its function exactly once (the
	// store serializes writers and never retries).
	CallsOnce bool
}

// Run runs the whole contract suite against stores made by open.
func Run(t *testing.T, open Opener, opts Options) {
	type testCase = struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}
	cases := []testCase{
		{"GetMissing", testGetMissing},
		{"RoundTrip", testRoundTrip},
		{"EmptyValue", testEmptyValue},
		{"Overwrite", testOverwrite},
		{"PutCopiesValue", testPutCopiesValue},
		{"ValuesStableWithinTx", testValuesStableWithinTx},
		{"Delete", testDelete},
		{"DeleteMissing", testDeleteMissing},
		{"InvalidKeys", testInvalidKeys},
		{"ScanOrder", testScanOrder},
		{"ScanPrefixAfter", testScanPrefixAfter},
		{"ScanEarlyStop", testScanEarlyStop},
		{"ScanError", testScanError},
		{"ScanWritesDuringScan", testScanWritesDuringScan},
		{"ReadYourWrites", testReadYourWrites},
		{"FailedUpdateChangesNothing", testFailedUpdateChangesNothing},
		{"FailedUpdateInNewPartition", testFailedUpdateInNewPartition},
		{"PanicInUpdate", testPanicInUpdate},
		{"GoexitInUpdate", testGoexitInUpdate},
		{"CancelledContext", testCancelledContext},
		{"KeptTxIsDead", testKeptTxIsDead},
		{"PartitionIsolation", testPartitionIsolation},
		{"Reset", testReset},
		{"Close", testClose},
		{"CloseWaitsForUpdate", testCloseWaitsForUpdate},
		{"Concurrency", testConcurrency},
		{"SnapshotConsistency", testSnapshotConsistency},
	}
	cases = append(cases, v2Cases...)
	if opts.CallsOnce {
		cases = append(cases, testCase{"CallsOnce", testCallsOnce})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
					t.Errorf("Close: %v", err)
				}
			})
			c.fn(t, s)
		})
	}
}

// Partitions used by the tests. pB shares pA's account, pC its region.
func pA() store.Partition { return store.Partition{Account: "111111111111", Region: "us-east-1"} }
func pB() store.Partition { return store.Partition{Account: "111111111111", Region: "eu-west-1"} }
func pC() store.Partition { return store.Partition{Account: "222222222222", Region: "us-east-1"} }

// errTest is returned by transaction functions that must fail.
var errTest = errors.New("storetest: deliberate failure")

func put(t *testing.T, s store.Store, p store.Partition, collection, id, value string) {
	t.Helper()
	err := s.Update(context.Background(), p, func(tx store.Tx) error {
		return tx.Put(collection, id, []byte(value))
	})
	if err != nil {
		t.Fatalf("Put(%q, %q): %v", collection, id, err)
	}
}

func del(t *testing.T, s store.Store, p store.Partition, collection, id string) {
	t.Helper()
	err := s.Update(context.Background(), p, func(tx store.Tx) error {
		return tx.Delete(collection, id)
	})
	if err != nil {
		t.Fatalf("Delete(%q, %q): %v", collection, id, err)
	}
}

// get reads one record in its own View, copying the value out.
func get(t *testing.T, s store.Store, p store.Partition, collection, id string) (string, error) {
	t.Helper()
	var got string
	err := s.View(context.Background(), p, func(r store.Reader) error {
		v, err := r.Get(collection, id)
		got = string(v)
		return err
	})
	return got, err
}

func wantValue(t *testing.T, s store.Store, p store.Partition, collection, id, want string) {
	t.Helper()
	got, err := get(t, s, p, collection, id)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v, want %q", collection, id, err, want)
	}
	if got != want {
		t.Fatalf("Get(%q, %q) = %q, want %q", collection, id, got, want)
	}
}

func wantMissing(t *testing.T, s store.Store, p store.Partition, collection, id string) {
	t.Helper()
	got, err := get(t, s, p, collection, id)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q, %q) = %q, %v; want ErrNotFound", collection, id, got, err)
	}
}

// scanIDs returns the ids a Scan visits, in visiting order.
func scanIDs(t *testing.T, s store.Store, p store.Partition, collection, prefix, after string) []string {
	t.Helper()
	var ids []string
	err := s.View(context.Background(), p, func(r store.Reader) error {
		return r.Scan(collection, prefix, after, 0, func(id string, _ []byte) (bool, error) {
			ids = append(ids, id)
			return true, nil
		})
	})
	if err != nil {
		t.Fatalf("Scan(%q, %q, %q): %v", collection, prefix, after, err)
	}
	return ids
}
