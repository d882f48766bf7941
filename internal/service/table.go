package service

import (
	"fmt"
	"strings"

	"github.com/workmaild/workmaild/internal/record"

	"github.com/workmaild/workmaild/internal/store"
)

// A table stores one kind of record (in internal/record's form) and keeps the record's
// secondary indexes itself: every write diffs the index values of the
// record it replaces with those of the new one, claims what is new (with
// store Insert, so two transactions cannot both claim a value) and
// releases what is gone. Operations never write index entries by hand.
//
// Keys are scoped by organization: a record of organization o lives at
// "<o>/<id>", a unique index entry at "<o>/<value>" and a multi-value
// entry at "<o>/<value>/<id>" (or "<o>/<value>\x00<id>", see byValue),
// so that everything of an organization is one prefix of each collection
// (see deleteAll). Tables of records that belong to the partition rather
// than to an organization (organizations, Identity Center applications)
// are used with the empty organization id: their keys are the bare id and
// value. A singleton table holds one
// record per organization, keyed by the organization id alone.
type table[T any] struct {
	codec     record.Codec[T] // how records are stored (internal/record)
	coll      string          // the records' collection; also the kind written into unique entries
	id        func(*T) string // the record's id within its organization
	singleton bool            // one record per organization, keyed by the organization id
	indexes   []indexOn[T]
}

// index declares a secondary index. An index may be shared by several
// tables (the entity name and email indexes are shared by every entity
// kind): its unique entries name their holder as "<kind>/<id>".
type index struct {
	coll   string
	fold   bool // values compared without regard to case (stored lower-cased)
	unique bool // one holder per value; else one entry per (value, record)
	// byValue ends a multi-value entry's value with NUL rather than "/",
	// so that entries sort by value, then id, even where one value is a
	// prefix of another ("ann" before "ann smith"): for lists in the order
	// of a free-text value.
	byValue bool
	// conflict is the error a unique index raises when another record
	// holds a value (given as the claimant spelled it).
	conflict func(orgID, value string) error
	// global mirrors every entry in the global address index (see
	// entity.go), outside the account and region.
	global bool
}

// indexOn is an index as one table feeds it: the values a record holds.
// A record that holds no value (a deleted user's name) returns none.
type indexOn[T any] struct {
	*index
	values func(*T) []string
}

// orgRef names one organization: the partition it is in and its id. The
// empty id names the partition itself, for partition-level tables.
type orgRef struct {
	store.Partition
	ID string
}

// prefix is what every key of the organization starts with.
func (o orgRef) prefix() string {
	if o.ID == "" {
		return ""
	}
	return o.ID + "/"
}

func (t *table[T]) key(o orgRef, id string) string {
	if t.singleton {
		return o.ID
	}
	return o.prefix() + id
}

// get returns the record, or nil when there is none.
func (t *table[T]) get(r store.Reader, o orgRef, id string) (*T, error) {
	key := t.key(o, id)
	raw, err := r.Get(t.coll, key)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return t.decode(key, raw)
}

// has reports whether a record exists.
func (t *table[T]) has(r store.Reader, o orgRef, id string) (bool, error) {
	_, err := r.Get(t.coll, t.key(o, id))
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

func (t *table[T]) decode(key string, raw []byte) (*T, error) {
	v := new(T)
	if err := t.codec.Decode(raw, v); err != nil {
		return nil, fmt.Errorf("service: corrupt %s record %q: %w", t.coll, key, err)
	}
	return v, nil
}

// insert writes a new record, or answers the conflict error of the first
// unique index whose value is taken. A record already at the id is
// store.ErrExists.
func (t *table[T]) insert(tx store.Tx, o orgRef, rec *T) error {
	if ok, err := t.has(tx, o, t.id(rec)); err != nil || ok {
		if ok {
			err = fmt.Errorf("service: %s %s: %w", t.coll, t.id(rec), store.ErrExists)
		}
		return err
	}
	return t.write(tx, o, nil, rec)
}

// put writes rec in place of the record with its id, if any, keeping the
// indexes: values only the new record holds are claimed (the first taken
// one answers its conflict error), values only the old one held are
// released.
func (t *table[T]) put(tx store.Tx, o orgRef, rec *T) error {
	old, err := t.get(tx, o, t.id(rec))
	if err != nil {
		return err
	}
	return t.write(tx, o, old, rec)
}

// delete removes the record and every index entry it holds; a missing
// record is not an error.
func (t *table[T]) delete(tx store.Tx, o orgRef, id string) error {
	old, err := t.get(tx, o, id)
	if err != nil || old == nil {
		return err
	}
	for _, ix := range t.indexes {
		for v := range ix.held(old) {
			if err := t.release(tx, o, ix.index, v, id); err != nil {
				return err
			}
		}
	}
	return tx.Delete(t.coll, t.key(o, id))
}

func (t *table[T]) write(tx store.Tx, o orgRef, old, rec *T) error {
	id := t.id(rec)
	for _, ix := range t.indexes {
		was, now := ix.held(old), ix.held(rec)
		claimed := make(map[string]bool, len(now))
		for _, spelled := range ix.values(rec) { // in the record's order, so the first conflict is always the same
			v := ix.folded(spelled)
			if _, held := was[v]; held || claimed[v] {
				continue
			}
			claimed[v] = true
			if err := t.claim(tx, o, ix.index, v, spelled, id); err != nil {
				return err
			}
		}
		for v := range was {
			if _, ok := now[v]; !ok {
				if err := t.release(tx, o, ix.index, v, id); err != nil {
					return err
				}
			}
		}
	}
	return tx.Put(t.coll, t.key(o, id), t.codec.Append(nil, rec))
}

// reindex claims every index value rec holds that is not claimed yet (and
// its global entry): for a migration that adds an index or an entry kind.
func (t *table[T]) reindex(tx store.Tx, o orgRef, rec *T) error {
	for _, ix := range t.indexes {
		for v, spelled := range ix.held(rec) {
			if err := t.claim(tx, o, ix.index, v, spelled, t.id(rec)); err != nil {
				return err
			}
		}
	}
	return nil
}

// held returns the folded values rec holds in the index, each with its
// spelling; nil rec holds none.
func (ix indexOn[T]) held(rec *T) map[string]string {
	if rec == nil {
		return nil
	}
	vals := ix.values(rec)
	m := make(map[string]string, len(vals))
	for _, v := range vals {
		m[ix.folded(v)] = v
	}
	return m
}

func (ix *index) folded(v string) string {
	if ix.fold {
		return strings.ToLower(v)
	}
	return v
}

// entryKey is where the index keeps value (already folded) for record id.
func (ix *index) entryKey(o orgRef, value, id string) string {
	if ix.unique {
		return o.prefix() + value
	}
	if ix.byValue {
		return o.prefix() + value + "\x00" + id
	}
	return o.prefix() + value + "/" + id
}

// entryID is the id of the record a multi-value entry of a byValue index
// is for: what follows the last NUL (ids hold none).
func entryID(key string) string { return key[strings.LastIndexByte(key, 0)+1:] }

// holder is what a unique entry stores: the kind and id of the record.
func (t *table[T]) holder(id string) string { return t.coll + "/" + id }

// parseHolder splits a unique entry's value into kind and id.
func parseHolder(v []byte) (kind, id string) {
	kind, id, _ = strings.Cut(string(v), "/")
	return kind, id
}

func (t *table[T]) claim(tx store.Tx, o orgRef, ix *index, value, spelled, id string) error {
	key := ix.entryKey(o, value, id)
	if !ix.unique {
		return tx.Put(ix.coll, key, nil)
	}
	err := tx.Insert(ix.coll, key, []byte(t.holder(id)))
	if isExists(err) {
		held, err := tx.Get(ix.coll, key)
		if err != nil {
			return err
		}
		if string(held) != t.holder(id) {
			return ix.conflict(o.ID, spelled)
		}
	} else if err != nil {
		return err
	}
	if ix.global {
		return putGlobalAddress(tx, o, value, t.coll, id)
	}
	return nil
}

// release removes the entry for value if record id holds it.
func (t *table[T]) release(tx store.Tx, o orgRef, ix *index, value, id string) error {
	key := ix.entryKey(o, value, id)
	if !ix.unique {
		return tx.Delete(ix.coll, key)
	}
	held, err := tx.Get(ix.coll, key)
	if isNotFound(err) {
		return nil
	}
	if err != nil || string(held) != t.holder(id) {
		return err
	}
	if err := tx.Delete(ix.coll, key); err != nil {
		return err
	}
	if ix.global {
		return deleteGlobalAddress(tx, o, value)
	}
	return nil
}

// ids returns, in order, the ids of the records that hold value in a
// multi-value index.
func (t *table[T]) ids(r store.Reader, o orgRef, ix *index, value string) ([]string, error) {
	prefix := ix.entryKey(o, ix.folded(value), "")
	var ids []string
	err := r.Scan(ix.coll, prefix, "", 0, func(key string, _ []byte) (bool, error) {
		ids = append(ids, key[len(prefix):])
		return true, nil
	})
	return ids, err
}

// deleteAll removes every record of the organization, the entries they
// hold in the table's indexes and their global entries. Shared unique
// indexes lose only the entries this table's records hold.
func (t *table[T]) deleteAll(tx store.Tx, o orgRef) error {
	if o.ID == "" {
		return fmt.Errorf("service: deleteAll of %s needs an organization", t.coll)
	}
	for _, ix := range t.indexes {
		if !ix.unique {
			if _, err := tx.DeletePrefix(ix.coll, o.prefix()); err != nil {
				return err
			}
			continue
		}
		err := tx.Scan(ix.coll, o.prefix(), "", 0, func(key string, held []byte) (bool, error) {
			if kind, _ := parseHolder(held); kind != t.coll {
				return true, nil
			}
			if ix.global {
				if err := deleteGlobalAddress(tx, o, key[len(o.prefix()):]); err != nil {
					return false, err
				}
			}
			return true, tx.Delete(ix.coll, key)
		})
		if err != nil {
			return err
		}
	}
	if t.singleton {
		return tx.Delete(t.coll, o.ID)
	}
	_, err := tx.DeletePrefix(t.coll, o.prefix())
	return err
}

// each calls fn with every record of the organization, in id order.
func (t *table[T]) each(r store.Reader, o orgRef, fn func(*T) error) error {
	if t.singleton {
		rec, err := t.get(r, o, "")
		if err != nil || rec == nil {
			return err
		}
		return fn(rec)
	}
	return r.Scan(t.coll, o.prefix(), "", 0, func(key string, raw []byte) (bool, error) {
		rec, err := t.decode(key, raw)
		if err != nil {
			return false, err
		}
		return true, fn(rec)
	})
}
