package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// errFinished is returned by a Reader or Tx used after its function returned.
var errFinished = fmt.Errorf("%w: transaction already finished", store.ErrClosed)

// Scan fetches pages of at most maxPage records, starting at firstPage and
// doubling: many scans stop after a few records, long ones should not pay
// a round trip per handful.
const (
	firstPage = 32
	maxPage   = 1024
)

const (
	getSQL = `SELECT v FROM workmaild_records WHERE part = $1 AND coll = $2 AND id = $3`
	// The range is [$3, $4) or [$3, ∞): bytea compares bytewise.
	pageSQL        = `SELECT id, v FROM workmaild_records WHERE part = $1 AND coll = $2 AND id >= $3 AND id < $4 ORDER BY id LIMIT $5`
	pageOpenSQL    = `SELECT id, v FROM workmaild_records WHERE part = $1 AND coll = $2 AND id >= $3 ORDER BY id LIMIT $4`
	putSQL         = `INSERT INTO workmaild_records (part, coll, id, v) VALUES ($1, $2, $3, $4) ON CONFLICT (part, coll, id) DO UPDATE SET v = EXCLUDED.v`
	insertSQL      = `INSERT INTO workmaild_records (part, coll, id, v) VALUES ($1, $2, $3, $4) ON CONFLICT (part, coll, id) DO NOTHING`
	deleteSQL      = `DELETE FROM workmaild_records WHERE part = $1 AND coll = $2 AND id = $3`
	deleteRangeSQL = `DELETE FROM workmaild_records WHERE part = $1 AND coll = $2 AND id >= $3 AND id < $4`
	deleteOpenSQL  = `DELETE FROM workmaild_records WHERE part = $1 AND coll = $2 AND id >= $3`
	lockSQL        = `SELECT pg_advisory_xact_lock($1)`
)

// txState is what a transaction's Reader or Tx and its Global part share.
type txState struct {
	store *Store
	ctx   context.Context
	pgtx  pgx.Tx
	done  bool // the function returned: every method refuses
	// err is the first failed statement's error. PostgreSQL aborts the
	// transaction then, so every later statement and the commit would fail.
	err error
	// writes counts the transaction's writes so that a Scan can notice
	// that its callback changed the data and fetch afresh.
	writes   uint64
	globalTx *tx // the Global part, once asked for
}

// end finishes the transaction: after a commit the rollback is a no-op.
func (st *txState) end() {
	st.done = true
	_ = st.pgtx.Rollback(context.WithoutCancel(st.ctx))
}

func (st *txState) usable() error {
	if st.done {
		return errFinished
	}
	return st.err
}

// fail records a failed statement and returns its error.
func (st *txState) fail(what string, err error) error {
	e := st.store.ctxOr(st.ctx, what, err)
	if isProgramLimit(err) {
		e = fmt.Errorf("%w: %v", store.ErrInvalidKey, e)
	}
	if st.err == nil {
		st.err = e
	}
	return e
}

// reader implements store.Reader on one partition of a transaction.
type reader struct {
	st   *txState
	part []byte
}

// Get returns a fresh slice: pgx copies bytea values out of its buffer.
func (r *reader) Get(collection, id string) ([]byte, error) {
	if err := r.st.usable(); err != nil {
		return nil, err
	}
	var v []byte
	err := r.st.pgtx.QueryRow(r.st.ctx, getSQL, r.part, []byte(collection), []byte(id)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, r.st.fail("get", err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

type row struct {
	id string
	v  []byte
}

// Scan reads keyset pages: each page is a new statement, which inside an
// Update sees the transaction's own writes. When fn writes, the rest of the
// page is dropped and the next page starts strictly after the id just
// visited, so every id is visited at most once, in ascending order, and
// records deleted ahead of the scan are not visited.
func (r *reader) Scan(collection, prefix, after string, limit int, fn func(id string, value []byte) (bool, error)) error {
	if err := r.st.usable(); err != nil {
		return err
	}
	start, exclusive := txn.ScanStart(prefix, after)
	from := []byte(start)
	if exclusive {
		from = append(from, 0) // the least id sorting after start
	}
	end, bounded := prefixEnd(prefix)
	coll := []byte(collection)
	size, visited := firstPage, 0
	for {
		n := size
		if limit > 0 {
			n = min(limit-visited, maxPage)
		}
		page, err := r.page(coll, from, end, bounded, n)
		if err != nil {
			return err
		}
		refetch := false
		for _, rec := range page {
			writes := r.st.writes
			more, err := fn(rec.id, rec.v)
			if err != nil {
				return err
			}
			visited++
			if !more || (limit > 0 && visited == limit) {
				return nil
			}
			if r.st.writes != writes {
				from, refetch = append([]byte(rec.id), 0), true
				break
			}
		}
		if !refetch {
			if len(page) < n {
				return nil
			}
			from = append([]byte(page[len(page)-1].id), 0)
		}
		size = min(2*size, maxPage)
	}
}

func (r *reader) page(coll, from, end []byte, bounded bool, n int) ([]row, error) {
	if err := r.st.usable(); err != nil {
		return nil, err
	}
	var rows pgx.Rows
	var err error
	if bounded {
		rows, err = r.st.pgtx.Query(r.st.ctx, pageSQL, r.part, coll, from, end, n)
	} else {
		rows, err = r.st.pgtx.Query(r.st.ctx, pageOpenSQL, r.part, coll, from, n)
	}
	if err != nil {
		return nil, r.st.fail("scan", err)
	}
	// The whole page is read before fn runs: fn may issue statements on
	// the same connection, which cannot interleave with an open result.
	var page []row
	var id, v []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &v}, func() error {
		if v == nil {
			v = []byte{}
		}
		page = append(page, row{id: string(id), v: v})
		v = nil // the next row gets its own slice
		return nil
	})
	if err != nil {
		return nil, r.st.fail("scan", err)
	}
	return page, nil
}

// prefixEnd returns the least id sorting after every id with the prefix,
// or false when there is none (an empty prefix, or only 0xff bytes).
func prefixEnd(prefix string) ([]byte, bool) {
	b := []byte(prefix)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return nil, false
	}
	b[len(b)-1]++
	return b, true
}

// tx implements store.Tx on one partition of an Update's transaction.
type tx struct {
	reader
	isGlobal bool // the Global partition: Global returns the tx itself
}

func (t *tx) write(what, sql string, args ...any) (int64, error) {
	if err := t.st.usable(); err != nil {
		return 0, err
	}
	tag, err := t.st.pgtx.Exec(t.st.ctx, sql, args...)
	if err != nil {
		return 0, t.st.fail(what, err)
	}
	n := tag.RowsAffected()
	if n > 0 {
		t.st.writes++
	}
	return n, nil
}

func (t *tx) Put(collection, id string, value []byte) error {
	if err := t.st.usable(); err != nil {
		return err
	}
	if err := txn.CheckKey(collection, id); err != nil {
		return err
	}
	_, err := t.write("put", putSQL, t.part, []byte(collection), []byte(id), nonNil(value))
	return err
}

func (t *tx) Insert(collection, id string, value []byte) error {
	if err := t.st.usable(); err != nil {
		return err
	}
	if err := txn.CheckKey(collection, id); err != nil {
		return err
	}
	n, err := t.write("insert", insertSQL, t.part, []byte(collection), []byte(id), nonNil(value))
	if err == nil && n == 0 {
		return store.ErrExists
	}
	return err
}

func (t *tx) Delete(collection, id string) error {
	_, err := t.write("delete", deleteSQL, t.part, []byte(collection), []byte(id))
	return err
}

func (t *tx) DeletePrefix(collection, prefix string) (int, error) {
	end, bounded := prefixEnd(prefix)
	var n int64
	var err error
	if bounded {
		n, err = t.write("delete prefix", deleteRangeSQL, t.part, []byte(collection), []byte(prefix), end)
	} else {
		n, err = t.write("delete prefix", deleteOpenSQL, t.part, []byte(collection), []byte(prefix))
	}
	return int(n), err
}

// Global takes the Global partition's lock the first time it is asked for,
// after the partition's own (the order every transaction follows). A
// failure to take it fails every later statement and the Update.
func (t *tx) Global() store.Tx {
	if t.isGlobal {
		return t
	}
	st := t.st
	if st.globalTx == nil {
		st.globalTx = &tx{reader: reader{st: st, part: globalName}, isGlobal: true}
		// A kept Tx must not take the lock: it would be released only
		// with a transaction that has already ended.
		if st.usable() == nil {
			if _, err := st.pgtx.Exec(st.ctx, lockSQL, lockKey(globalName)); err != nil {
				st.fail("locking the Global partition", err)
			}
		}
	}
	return st.globalTx
}

// nonNil keeps an empty value from being sent as NULL, which is how pgx
// encodes a nil slice.
func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}
