// Package txn holds the rules every store implementation must apply the same
// way — key validation, Scan bounds and panic recovery — so that the
// in-memory and persistent stores cannot drift apart on them.
package txn
