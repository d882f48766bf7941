package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migrations are the schema's versions: migrations[i] takes the schema from
// version i to i+1. Append only; a released step never changes.
var migrations = []string{
	// 1: the records.
	`CREATE TABLE workmaild_records (
		part bytea NOT NULL,
		coll bytea NOT NULL,
		id   bytea NOT NULL,
		v    bytea NOT NULL,
		PRIMARY KEY (part, coll, id)
	)`,
}

// SchemaVersion is the version of the schema this package reads and writes.
func SchemaVersion() int { return len(migrations) }

// ErrSchemaTooNew is returned by Open when the database was migrated by a
// later workmaild, whose records this one might misread.
var ErrSchemaTooNew = errors.New("pgstore: the database's schema is newer than this workmaild supports")

// migrate brings the schema to SchemaVersion in one transaction holding the
// migration lock, so that processes starting at the same moment on a fresh
// database migrate it once: the others wait, then find it current. The
// version table is created under the lock too, since two concurrent
// CREATE TABLE IF NOT EXISTS can both try and one fail on the catalog.
func (s *Store) migrate(ctx context.Context) error {
	err := pgx.BeginTxFunc(ctx, beginner{s}, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", lockClass, lockMigrate); err != nil {
			return s.wrap("locking the schema", err)
		}
		// Looked up first rather than CREATE TABLE IF NOT EXISTS, which
		// needs the right to create tables even when the table exists.
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT to_regclass('workmaild_schema') IS NOT NULL").Scan(&exists); err != nil {
			return s.wrap("looking up the schema version table", err)
		}
		if !exists {
			if _, err := tx.Exec(ctx, `CREATE TABLE workmaild_schema (
				one     boolean PRIMARY KEY DEFAULT true CHECK (one),
				version integer NOT NULL
			)`); err != nil {
				return s.wrap("creating the schema version table", err)
			}
		}
		version := 0
		err := tx.QueryRow(ctx, "SELECT version FROM workmaild_schema").Scan(&version)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return s.wrap("reading the schema version", err)
		}
		if version > len(migrations) {
			return fmt.Errorf("%w: it is at version %d, this workmaild knows versions up to %d", ErrSchemaTooNew, version, len(migrations))
		}
		for v := version; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return s.wrap(fmt.Sprintf("migrating the schema to version %d", v+1), err)
			}
		}
		if version == len(migrations) {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO workmaild_schema (version) VALUES ($1)
			ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version`, len(migrations))
		return s.wrap("recording the schema version", err)
	})
	if err != nil {
		var de *dbError
		if errors.As(err, &de) || errors.Is(err, ErrSchemaTooNew) {
			return err
		}
		return s.ctxOr(ctx, "migrating the schema", err) // begin or commit
	}
	return nil
}
