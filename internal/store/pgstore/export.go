package pgstore

import (
	"bytes"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/workmaild/workmaild/internal/store"
)

var _ store.Exporter = (*Store)(nil)

// exportPage is how many records Export fetches per round trip.
const exportPage = 1000

const (
	exportFirstSQL = `SELECT part, coll, id, v FROM workmaild_records ORDER BY part, coll, id LIMIT $1`
	// A row comparison the primary key's index answers.
	exportNextSQL = `SELECT part, coll, id, v FROM workmaild_records WHERE (part, coll, id) > ($1, $2, $3) ORDER BY part, coll, id LIMIT $4`
)

// Export reads every record in pages, all inside one REPEATABLE READ READ
// ONLY transaction: one snapshot of the whole table, which every committed
// Update (and Reset) is in entirely or not at all. bytea orders bytewise,
// and part is Account, NUL, Region, so the primary key's order is the
// order Exporter promises. Replicas writing meanwhile are not blocked;
// what they commit after the snapshot is not in it.
func (s *Store) Export(ctx context.Context, fn func(store.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.active.Done()
	pgtx, err := s.beginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.ctxOr(ctx, "beginning an export", err)
	}
	defer func() { _ = pgtx.Rollback(context.WithoutCancel(ctx)) }()

	type row struct{ part, coll, id, v []byte }
	var last *row
	for {
		var rows pgx.Rows
		if last == nil {
			rows, err = pgtx.Query(ctx, exportFirstSQL, exportPage)
		} else {
			rows, err = pgtx.Query(ctx, exportNextSQL, last.part, last.coll, last.id, exportPage)
		}
		if err != nil {
			return s.ctxOr(ctx, "exporting", err)
		}
		page := make([]row, 0, exportPage)
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.part, &r.coll, &r.id, &r.v); err != nil {
				rows.Close()
				return s.ctxOr(ctx, "exporting", err)
			}
			page = append(page, r)
		}
		if err := rows.Err(); err != nil {
			return s.ctxOr(ctx, "exporting", err)
		}
		for i := range page {
			r := &page[i]
			account, region, ok := bytes.Cut(r.part, []byte{0})
			if !ok {
				return fmt.Errorf("pgstore: export: partition %q has no NUL", r.part)
			}
			rec := store.Record{
				Partition:  store.Partition{Account: string(account), Region: string(region)},
				Collection: string(r.coll), ID: string(r.id), Value: r.v,
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			return nil
		}
		last = &page[len(page)-1]
	}
}
