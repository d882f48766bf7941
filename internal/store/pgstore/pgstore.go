// Package pgstore is a store.Store on PostgreSQL, for several workmaild
// processes (replicas) sharing one database.
//
// Layout: one table, workmaild_records(part, coll, id, v), all bytea, with
// the primary key (part, coll, id). part is Account + "\x00" + Region. bytea
// compares bytewise, so the primary key's order is Scan's order whatever the
// database's collation, and ids may hold any bytes (NUL, invalid UTF-8). The
// schema is created and migrated by Open (see schema.go).
//
// # Concurrency
//
// Writers are serialized per partition by a PostgreSQL advisory lock, and
// Views read a snapshot:
//
//   - Update runs in a READ COMMITTED transaction that first takes the
//     transaction-scoped advisory lock of its partition, and the lock of the
//     Global partition the first time the function calls Tx.Global. Every
//     writer of a partition, on any replica, holds that partition's lock, so
//     writers of one partition run one at a time and each statement of the
//     holder sees every earlier commit: the transactions are serial, as with
//     the embedded store's single writer. READ COMMITTED rather than
//     REPEATABLE READ because a snapshot would be taken before the lock wait
//     and miss the commit of the writer waited for.
//   - View runs in a REPEATABLE READ READ ONLY transaction: one snapshot,
//     no locks, never blocked by writers nor blocking them.
//   - Reset takes an exclusive lock that every Update holds shared, so it
//     comes before or after each Update as a whole.
//
// Why not SERIALIZABLE with retries: workmaild's Updates of one account
// read and write the same index records (names, addresses, the
// organization), so under load optimistic transactions would mostly abort
// and re-run handlers, and beyond a retry bound fail with ErrConflict, which
// clients see as errors. With the locks, an Update runs its function exactly
// once and never fails with ErrConflict. The price is that writes to one
// partition do not run in parallel across replicas; writes to different
// partitions do, except while two of them hold the Global lock.
//
// Deadlock freedom: locks are always taken in one order, the shared reset
// lock, then the partition's, then Global's; a transaction holding Global's
// lock waits for no other lock. Lock ids are 64-bit hashes of the partition
// name; a collision between two partitions only makes them share a lock
// (advisory locks are re-entrant within a transaction, so a partition that
// collides with Global is still safe). Rows are only ever written by the
// holder of their partition's lock, so no statement waits on a row lock.
//
// Durability: every session sets synchronous_commit to on, so a nil Update
// has reached PostgreSQL's write-ahead log on disk.
//
// Failures: an unreachable database or a lost connection is returned as an
// error matching no store sentinel (the service answers it with a 500) and
// showing no password. A dead pooled connection found at BEGIN makes the
// pool replace all its connections and BEGIN again, so a database restart
// costs no failed call once it is back; a failure after BEGIN is returned,
// not retried, since the function may have run. Ping (store.Pinger) tells
// a health check whether the database answers, and opening a connection
// gives up after defaultConnectTimeout unless connString says otherwise.
//
// Limits: PostgreSQL's B-tree index entries hold at most about 2.7 kB after
// compression, so an id or collection that long and incompressible is
// refused with store.ErrInvalidKey although it is within store.MaxKeyLen.
// workmaild's own ids are far shorter.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/internal/txn"
)

// lockClass is the first key of workmaild's two-key advisory locks, so that
// they cannot meet the one-key locks of partitions nor, most likely, the
// locks of another application sharing the database.
const lockClass = 0x776d6c64 // "wmld"

// The second keys of the two-key advisory locks.
const (
	lockReset   = 1 // held shared by every Update, exclusively by Reset
	lockMigrate = 2 // held by Open while it checks and migrates the schema
)

// defaultConnectTimeout bounds opening a connection when connString sets
// no connect_timeout.
const defaultConnectTimeout = 10 * time.Second

// Store is a store.Store on a PostgreSQL database. All methods are safe
// for concurrent use, and several Stores (in one process or many) may share
// the database.
//
// A transaction function must not call Update or View of the same Store:
// it holds one of the pool's connections and, in Update, a lock.
type Store struct {
	pool     *pgxpool.Pool
	password string // redacted from every error
	desc     string // the database, without secrets, for logs

	mu     sync.Mutex // guards closed
	closed bool
	// active counts running calls so that Close can wait for them; Add
	// happens under mu only while !closed.
	active sync.WaitGroup
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Pinger = (*Store)(nil)
)

// Open connects to the database named by connString (a postgres:// or
// postgresql:// URL or a libpq key=value string; PG* environment variables
// such as PGPASSWORD fill in what it leaves out, as with libpq), creates or
// migrates the schema, and returns the open Store. The pool's size can be
// set in connString (pool_max_conns=N).
func Open(ctx context.Context, connString string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx masks passwords in its parse errors only on a best-effort
		// basis, so none of the string is repeated.
		return nil, errors.New("pgstore: the connection string cannot be parsed: want postgres://user:password@host:port/database?sslmode=... or key=value pairs such as host=... dbname=...")
	}
	// Durability does not depend on the server's or the role's default.
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without a bound, a database host that drops packets holds
		// every request for the system's TCP connect timeout (minutes);
		// connect_timeout in connString overrides this.
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	s := &Store{password: cfg.ConnConfig.Password, desc: describe(cfg.ConnConfig)}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, s.wrap("connecting", err)
	}
	s.pool = pool
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// String names the database without its password, for logs.
func (s *Store) String() string { return s.desc }

func describe(c *pgx.ConnConfig) string {
	u := url.URL{Scheme: "postgres", User: url.User(c.User), Host: fmt.Sprintf("%s:%d", c.Host, c.Port), Path: "/" + c.Database}
	if strings.HasPrefix(c.Host, "/") { // a Unix socket directory
		u.Host = ""
		u.RawQuery = url.Values{"host": {c.Host}, "port": {fmt.Sprint(c.Port)}}.Encode()
	}
	return u.String()
}

// wrap turns a driver error into the store's: context errors stay
// recognizable, everything else says what failed, and the password never
// appears in the text (pgx does not put it there; this makes sure).
func (s *Store) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return &dbError{msg: s.redact(fmt.Sprintf("pgstore: %s: %v", what, err)), err: err}
}

func (s *Store) redact(msg string) string {
	if s.password == "" {
		return msg
	}
	for _, pw := range []string{s.password, url.QueryEscape(s.password), url.PathEscape(s.password)} {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return msg
}

// dbError is a failure of the database or of the connection to it. It
// matches no store sentinel, so the service answers it with an internal
// error (HTTP 500); errors.Is still finds context.Canceled and the like.
type dbError struct {
	msg string
	err error
}

func (e *dbError) Error() string { return e.msg }
func (e *dbError) Unwrap() error { return e.err }

// partitionName is p's part column. txn.CheckPartition guarantees Account
// holds no NUL, so the name is unambiguous.
func partitionName(p store.Partition) []byte {
	name := make([]byte, 0, len(p.Account)+1+len(p.Region))
	name = append(name, p.Account...)
	name = append(name, 0)
	return append(name, p.Region...)
}

// lockKey is the one-key advisory lock of a partition.
func lockKey(part []byte) int64 {
	h := fnv.New64a()
	h.Write([]byte("workmaild partition\x00"))
	h.Write(part)
	return int64(h.Sum64())
}

var globalName = partitionName(store.Global)

// enter registers a running call, or fails with ErrClosed after Close.
func (s *Store) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	s.active.Add(1)
	return nil
}

func (s *Store) begin(ctx context.Context, p store.Partition) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := txn.CheckPartition(p); err != nil {
		return err
	}
	return s.enter()
}

// View runs fn in a REPEATABLE READ READ ONLY transaction. A panic in fn
// propagates after the transaction is released.
func (s *Store) View(ctx context.Context, p store.Partition, fn func(store.Reader) error) error {
	if err := s.begin(ctx, p); err != nil {
		return err
	}
	defer s.active.Done()
	pgtx, err := s.beginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.ctxOr(ctx, "beginning a read", err)
	}
	st := &txState{store: s, ctx: ctx, pgtx: pgtx}
	defer st.end()
	r := &reader{st: st, part: partitionName(p)}
	if err := fn(r); err != nil {
		return err
	}
	return st.err
}

// beginner offers beginTx to pgx.BeginTxFunc.
type beginner struct{ s *Store }

func (b beginner) BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	return b.s.beginTx(ctx, opts)
}

// beginTx begins a transaction on a pooled connection. When the connection
// turns out to be dead (the database restarted, or cut the session), the
// pool's other idle connections most likely are too: they are all
// replaced and the BEGIN is sent once more, which is safe since nothing
// of the transaction has run. So a restart of the database fails no call
// made after it is back.
func (s *Store) beginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	pgtx, err := s.pool.BeginTx(ctx, opts)
	if err != nil && ctx.Err() == nil && isConnectionLoss(err) {
		s.pool.Reset()
		pgtx, err = s.pool.BeginTx(ctx, opts)
	}
	return pgtx, err
}

// isConnectionLoss reports whether err says the session is gone, rather
// than that the server refused a statement on a live session.
func isConnectionLoss(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		var ce *pgconn.ConnectError
		return !errors.As(err, &ce) // a new connection that failed is no stale one
	}
	// 08: connection exception; 57P01-57P05: the server ended the session.
	return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")
}

// ctxOr returns ctx's error when it ended (which is why err happened),
// else err wrapped.
func (s *Store) ctxOr(ctx context.Context, what string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return s.wrap(what, err)
}

// Update runs fn once in a READ COMMITTED transaction holding p's lock
// (see the package doc). If ctx ends while waiting for the lock, fn is not
// run. A nil error means committed and durable.
func (s *Store) Update(ctx context.Context, p store.Partition, fn func(store.Tx) error) error {
	if err := s.begin(ctx, p); err != nil {
		return err
	}
	defer s.active.Done()
	part := partitionName(p)
	// One round trip: the statements after BEGIN run inside the
	// transaction. The keys are numbers, so formatting them is safe.
	beginSQL := fmt.Sprintf("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE; SELECT pg_advisory_xact_lock_shared(%d, %d), pg_advisory_xact_lock(%d)",
		lockClass, lockReset, lockKey(part))
	pgtx, err := s.beginTx(ctx, pgx.TxOptions{BeginQuery: beginSQL})
	if err != nil {
		return s.ctxOr(ctx, "beginning a write", err)
	}
	st := &txState{store: s, ctx: ctx, pgtx: pgtx}
	// Deferred so that runtime.Goexit in fn still rolls back and returns
	// the connection.
	defer st.end()
	t := &tx{reader: reader{st: st, part: part}, isGlobal: bytesEqual(part, globalName)}
	if err := txn.Call(func() error { return fn(t) }); err != nil {
		return err
	}
	if st.err != nil {
		// fn ignored a failed statement; PostgreSQL has aborted the
		// transaction, so nothing can be committed.
		return st.err
	}
	st.done = true
	// Committing is not abandoned halfway because the caller went away:
	// then nobody could tell whether it happened.
	if err := pgtx.Commit(context.WithoutCancel(ctx)); err != nil {
		return s.wrap("committing", err)
	}
	return nil
}

// Reset deletes every record in one transaction holding the reset lock
// exclusively. DELETE rather than TRUNCATE: TRUNCATE is not MVCC-safe, so
// a View's snapshot taken before it could see the table empty.
func (s *Store) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.active.Done()
	err := pgx.BeginTxFunc(ctx, beginner{s}, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", lockClass, lockReset); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM workmaild_records")
		return err
	})
	if err != nil {
		return s.ctxOr(ctx, "reset", err)
	}
	return nil
}

// Ping runs one trivial statement, for health checks: nil means the
// database answers now. A dead pooled connection is replaced as at BEGIN,
// so the first Ping after the database came back does not fail.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.active.Done()
	ping := func() error {
		var one int
		return s.pool.QueryRow(ctx, "SELECT 1").Scan(&one)
	}
	err := ping()
	if err != nil && ctx.Err() == nil && isConnectionLoss(err) {
		s.pool.Reset()
		err = ping()
	}
	if err != nil {
		return s.ctxOr(ctx, "ping", err)
	}
	return nil
}

// Close waits for running calls, then closes the pool. Later calls return
// store.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	s.closed = true
	s.mu.Unlock()
	s.active.Wait()
	s.pool.Close()
	return nil
}

// isProgramLimit reports whether err is PostgreSQL refusing a value too
// large for an index entry.
func isProgramLimit(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "54000"
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }
