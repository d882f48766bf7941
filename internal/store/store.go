// Package store defines the persistence contract of workmaild.
//
// Records are opaque byte values addressed by (Partition, collection, id).
// A Partition is one (account, region): nothing in one partition is visible
// from another, except that a write transaction on any partition may also
// read and write the Global partition (Tx.Global), for the few indexes that
// must span accounts. Handlers encode their records (JSON) and keep secondary
// indexes themselves as further records; the store only promises ordered,
// transactional, durable key-value access. That small contract is what lets
// the embedded store, the in-memory store and a networked SQL store be
// swapped without touching the handlers.
//
// The contract, version 2, which package storetest enforces for every
// implementation:
//
//   - Isolation: every transaction is serializable. A View sees one
//     snapshot; an Update sees its own writes.
//   - Conflicts: Update may call its function more than once, when the store
//     found that a concurrent transaction made the attempt's reads stale
//     (optimistic stores, such as one on PostgreSQL). Only the last call's
//     writes happen. So a transaction function must have no effect outside
//     the transaction other than assigning variables it assigns afresh on
//     every call. A store that gives up retrying returns an error matching
//     ErrConflict. The embedded and in-memory stores serialize writers and
//     call the function exactly once.
//   - Uniqueness: Insert writes only when no record exists at the address,
//     inside the transaction, so two transactions inserting the same
//     address cannot both succeed.
//   - Cascades: DeletePrefix removes every record of a collection whose id
//     starts with a prefix, in the transaction.
//   - Scans: ascending bytewise order of id, optionally bounded by a limit;
//     writes made through the Tx during a Scan follow Reader.Scan's rules.
//   - Durability: when Update returns nil its writes survive a crash of the
//     process.
package store

import (
	"context"
	"fmt"
)

// Partition isolates all state of one AWS account in one region.
type Partition struct {
	Account string
	Region  string
}

// Error is the type of the store's sentinel errors, comparable with errors.Is.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrNotFound is returned by Get when no record exists at the address.
	ErrNotFound Error = "store: record not found"
	// ErrClosed is returned by every method called after Close, and by the
	// methods of a Reader or Tx used after its transaction function returned.
	ErrClosed Error = "store: closed"
	// ErrInvalidKey is returned by Put and Insert when the collection or id is empty or
	// longer than MaxKeyLen bytes, and by View and Update when the
	// partition's Account contains a NUL byte (which would make partition
	// names ambiguous in stores that join Account and Region). Reads and
	// deletes of such keys inside a transaction simply find nothing.
	ErrInvalidKey Error = "store: invalid key"
	// ErrExists is returned by Insert when a record exists at the address.
	ErrExists Error = "store: record exists"
	// ErrConflict is returned (wrapped) by Update when concurrent
	// transactions kept conflicting with it and the store stopped retrying.
	// Nothing of the transaction was written; the caller may retry.
	ErrConflict Error = "store: transaction conflict"
)

// Global is the partition outside every account and region. Its account is
// not a 12-digit id, so no caller is ever mapped to it. It holds what must
// be found without knowing the account, such as the organization of a mail
// address; a write on any partition reaches it through Tx.Global.
var Global = Partition{Account: "global", Region: "global"}

// MaxKeyLen is the longest collection name or id, in bytes, that every
// implementation accepts (bbolt's limit, so the in-memory store rejects the
// same keys the persistent one does).
const MaxKeyLen = 32768

// PanicError is returned by Update when its transaction function panicked.
// The panic was recovered and none of the function's writes happened.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack, for diagnosis
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("store: transaction function panicked: %v", e.Value)
}

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Reader reads records inside a transaction. Every read sees one consistent
// snapshot, including the transaction's own earlier writes.
type Reader interface {
	// Get returns the value stored under (collection, id), or ErrNotFound.
	// The returned slice is valid only until the transaction function
	// returns and must not be modified; copy it to keep it.
	Get(collection, id string) ([]byte, error)

	// Scan calls fn for each record of collection whose id starts with
	// prefix and, when after is not empty, sorts strictly after `after`,
	// in ascending bytewise order of id. It stops after limit records when
	// limit > 0 (a store may fetch that many at once), and when fn returns
	// false or an error (which Scan returns). The value slice follows Get's
	// rules. Inside Update, fn may write through the Tx: Scan still visits
	// ids in strictly ascending order, never visits an id twice, never skips
	// a record that existed throughout, and never visits one deleted before
	// the scan reached it; a record inserted ahead of the scan's position
	// may or may not be visited.
	Scan(collection, prefix, after string, limit int, fn func(id string, value []byte) (more bool, err error)) error
}

// Tx is a read-write transaction.
type Tx interface {
	Reader
	// Put stores value under (collection, id), replacing any previous value.
	// The store keeps its own copy; the caller may reuse value.
	Put(collection, id string, value []byte) error
	// Insert stores value under (collection, id) only if no record is
	// there; otherwise it returns ErrExists and changes nothing. Uniqueness
	// (names, addresses, idempotency tokens) rests on it rather than on a
	// Get followed by a Put.
	Insert(collection, id string, value []byte) error
	// Delete removes the record; deleting a missing record is not an error.
	Delete(collection, id string) error
	// DeletePrefix removes every record of collection whose id starts with
	// prefix ("" removes the whole collection) and returns how many it
	// removed.
	DeletePrefix(collection, prefix string) (int, error)
	// Global returns the Global partition inside this same transaction:
	// its reads and writes commit or roll back with the rest. On a
	// transaction of the Global partition it returns the Tx itself.
	Global() Tx
}

// Store is a transactional, ordered key-value store partitioned by account
// and region. All methods are safe for concurrent use.
type Store interface {
	// View runs fn in a read-only transaction on partition p. fn must not
	// wait for an Update or Reset, neither by calling one nor by waiting
	// for another goroutine's: a store may need every open read
	// transaction to end before a write can finish (bbolt does when its
	// file grows), so such a wait can block forever.
	View(ctx context.Context, p Partition, fn func(Reader) error) error

	// Update runs fn in a serializable read-write transaction on partition
	// p. If fn returns an error (or panics) none of its writes happen and
	// Update returns that error (a panic is returned as an error). When
	// Update returns nil the writes are durable: they survive a crash of
	// the process (and, for stores that sync, of the machine). fn must not
	// keep the Tx after it returns. fn may be called more than once (see
	// the package doc on conflicts); only the last call's writes happen.
	Update(ctx context.Context, p Partition, fn func(Tx) error) error

	// Reset durably removes every record of every partition.
	Reset(ctx context.Context) error

	// Close releases the store. Pending Updates finish first; later calls
	// return ErrClosed.
	Close() error
}

// Pinger is implemented by stores that can be unreachable while the
// process runs (a database on another machine): Ping reports whether the
// store answers now, with a cheap round trip bounded by ctx. Stores in
// the process itself (embedded, in-memory) do not implement it; they are
// ready as long as they are open.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Record is one record with its whole address, as an Exporter yields it.
type Record struct {
	Partition  Partition
	Collection string
	ID         string
	// Value follows Reader.Get's rules: valid only until the callback
	// returns, and not to be modified.
	Value []byte
}

// Exporter is implemented by stores that can enumerate every record they
// hold, to copy a store into another (workmaild store copy). It is not
// part of the contract a server needs.
type Exporter interface {
	// Export calls fn for every record of every partition, Global
	// included, as of one consistent snapshot: a transaction committed on
	// any partition is in it entirely or not at all. Records come in
	// ascending bytewise order of (Account, NUL, Region), then collection,
	// then id. Export stops at the first error fn returns, and returns it.
	// fn must not call Update or Reset on the same store (a store may hold
	// locks or a connection while it runs).
	Export(ctx context.Context, fn func(Record) error) error
}
