package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/workmaild/workmaild/internal/pgtest"
	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/pgstore"
	"github.com/workmaild/workmaild/internal/store/storetest"
)

// pg is the throwaway PostgreSQL of this test binary.
var pg pgtest.Server

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

func open(t testing.TB, dbURL string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func closeAtEnd(t testing.TB, s store.Store) {
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
}

// TestContract runs the suite on a fresh database per test. Writers take
// locks instead of retrying, so the store also promises CallsOnce.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pg.Database(t)) }, storetest.Options{CallsOnce: true})
}

// TestExport runs the Exporter tests (store copy).
func TestExport(t *testing.T) {
	storetest.RunExport(t, func(t *testing.T) store.Store { return open(t, pg.Database(t)) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) store.Store { return open(b, pg.Database(b)) })
}

var (
	pA = store.Partition{Account: "111111111111", Region: "us-east-1"}
	pB = store.Partition{Account: "222222222222", Region: "us-east-1"}
)

// increment adds one to the counter counters/id and returns the value
// it read.
func increment(tx store.Tx, id string) (int, error) {
	n := 0
	v, err := tx.Get("counters", id)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(v)); err != nil {
			return 0, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return 0, err
	}
	return n, tx.Put("counters", id, []byte(strconv.Itoa(n+1)))
}

// TestTwoReplicasSerial has two Stores on one database, as two replicas,
// race read-modify-write Updates: on one partition, and on the Global
// partition from two different partitions. The history must be serial:
// every Update read a distinct predecessor, and the counters count them all.
func TestTwoReplicasSerial(t *testing.T) {
	dbURL := pg.Database(t)
	replicas := []*pgstore.Store{open(t, dbURL), open(t, dbURL)}
	for _, r := range replicas {
		closeAtEnd(t, r)
	}
	const workers, rounds = 8, 25
	ctx := context.Background()
	var mu sync.Mutex
	seenShared := map[int]int{} // value read of pA's counter -> times
	seenGlobal := map[int]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s := replicas[w%2]
			own := []store.Partition{pA, pB}[w%2]
			for range rounds {
				var shared, global int
				// Every worker increments pA's counter (both replicas on
				// one partition), then, from its own replica's partition,
				// Global's.
				err := s.Update(ctx, pA, func(tx store.Tx) (err error) {
					shared, err = increment(tx, "n")
					return err
				})
				if err == nil {
					err = s.Update(ctx, own, func(tx store.Tx) (err error) {
						if _, err := increment(tx, "own"); err != nil {
							return err
						}
						global, err = increment(tx.Global(), "g")
						return err
					})
				}
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				mu.Lock()
				seenShared[shared]++
				seenGlobal[global]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	const total = workers * rounds
	for name, seen := range map[string]map[int]int{"pA": seenShared, "Global": seenGlobal} {
		for i := range total {
			if seen[i] != 1 {
				t.Errorf("%s: %d Updates read the counter at %d, want exactly one (not serial)", name, seen[i], i)
			}
		}
	}
	want := map[store.Partition]map[string]string{
		pA:           {"n": strconv.Itoa(total), "own": strconv.Itoa(total / 2)},
		pB:           {"own": strconv.Itoa(total / 2)},
		store.Global: {"g": strconv.Itoa(total)},
	}
	for p, ids := range want {
		for id, v := range ids {
			for i, r := range replicas {
				if got := get(t, r, p, "counters", id); got != v {
					t.Errorf("replica %d: %v counters/%s = %q, want %q", i, p, id, got, v)
				}
			}
		}
	}
}

func get(t *testing.T, s store.Store, p store.Partition, coll, id string) string {
	t.Helper()
	var got string
	err := s.View(context.Background(), p, func(r store.Reader) error {
		v, err := r.Get(coll, id)
		got = string(v)
		return err
	})
	if err != nil {
		t.Fatalf("Get(%v, %s/%s): %v", p, coll, id, err)
	}
	return got
}

// TestTwoReplicasInsertUnique starts two Inserts of one address at the same
// moment, one per replica, many times: exactly one of each pair succeeds,
// in a partition and in Global (reached from two different partitions).
func TestTwoReplicasInsertUnique(t *testing.T) {
	dbURL := pg.Database(t)
	replicas := []*pgstore.Store{open(t, dbURL), open(t, dbURL)}
	for _, r := range replicas {
		closeAtEnd(t, r)
	}
	ctx := context.Background()
	for _, global := range []bool{false, true} {
		for round := range 40 {
			addr := fmt.Sprintf("addr-%v-%02d", global, round)
			start := make(chan struct{})
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, r := range replicas {
				p := pA
				if global && i == 1 {
					p = pB
				}
				wg.Go(func() {
					<-start
					errs[i] = r.Update(ctx, p, func(tx store.Tx) error {
						if global {
							tx = tx.Global()
						}
						return tx.Insert("index", addr, []byte(strconv.Itoa(i)))
					})
				})
			}
			close(start)
			wg.Wait()
			won := -1
			for i, err := range errs {
				switch {
				case err == nil && won < 0:
					won = i
				case err == nil:
					t.Fatalf("both Inserts of %s succeeded", addr)
				case !errors.Is(err, store.ErrExists):
					t.Fatalf("Insert of %s = %v, want nil or ErrExists", addr, err)
				}
			}
			if won < 0 {
				t.Fatalf("neither Insert of %s succeeded: %v", addr, errs)
			}
			where := pA
			if global {
				where = store.Global
			}
			if got := get(t, replicas[1-won], where, "index", addr); got != strconv.Itoa(won) {
				t.Fatalf("%s holds %q, want the winner's %d", addr, got, won)
			}
		}
	}
}

// TestOpenConcurrentlyOnFreshDatabase starts several Stores at the same
// moment on an empty database: one creates the schema, the others wait for
// it, and all work.
func TestOpenConcurrentlyOnFreshDatabase(t *testing.T) {
	dbURL := pg.Database(t)
	const n = 8
	stores := make([]*pgstore.Store, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = pgstore.Open(context.Background(), dbURL)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		closeAtEnd(t, stores[i])
	}
	for i, s := range stores {
		err := s.Update(context.Background(), pA, func(tx store.Tx) error {
			return tx.Insert("opened", strconv.Itoa(i), nil)
		})
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
	}
	var ids []string
	err := stores[0].View(context.Background(), pA, func(r store.Reader) error {
		return r.Scan("opened", "", "", 0, func(id string, _ []byte) (bool, error) {
			ids = append(ids, id)
			return true, nil
		})
	})
	if err != nil || len(ids) != n {
		t.Fatalf("one store sees %q (%v), want the %d stores' records", ids, err, n)
	}
	conn := connect(t, dbURL)
	var version, rows int
	if err := conn.QueryRow(context.Background(), "SELECT version, (SELECT count(*) FROM workmaild_schema) FROM workmaild_schema").Scan(&version, &rows); err != nil {
		t.Fatal(err)
	}
	if version != pgstore.SchemaVersion() || rows != 1 {
		t.Fatalf("schema version %d in %d rows, want %d in one", version, rows, pgstore.SchemaVersion())
	}
}

func connect(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestReopenKeepsRecords: the schema is not migrated again and the records
// are there.
func TestReopenKeepsRecords(t *testing.T) {
	dbURL := pg.Database(t)
	s := open(t, dbURL)
	if err := s.Update(context.Background(), pA, func(tx store.Tx) error { return tx.Put("c", "k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dbURL)
	closeAtEnd(t, s)
	if got := get(t, s, pA, "c", "k"); got != "v" {
		t.Fatalf("after reopening c/k = %q", got)
	}
}

func TestSchemaTooNew(t *testing.T) {
	dbURL := pg.Database(t)
	open(t, dbURL).Close()
	conn := connect(t, dbURL)
	if _, err := conn.Exec(context.Background(), "UPDATE workmaild_schema SET version = 999"); err != nil {
		t.Fatal(err)
	}
	s, err := pgstore.Open(context.Background(), dbURL)
	if !errors.Is(err, pgstore.ErrSchemaTooNew) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a database at version 999 = %v, want ErrSchemaTooNew", err)
	}
	if !strings.Contains(err.Error(), "999") {
		t.Errorf("the error does not say the version: %v", err)
	}
}

// withPassword returns dbURL with another password.
func withPassword(t *testing.T, dbURL, password string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String()
}

// TestPasswordNeverInErrors opens stores with a wrong password, at a port
// nobody listens on, and with broken connection strings, and uses one
// whose database went away: none of the errors shows the password.
func TestPasswordNeverInErrors(t *testing.T) {
	dbURL := pg.Database(t)
	const secret = "Sup3r-Secret-pw"
	u, _ := url.Parse(dbURL)
	db := strings.TrimPrefix(u.Path, "/")
	cases := map[string]string{
		"wrong password":     withPassword(t, dbURL, secret),
		"nobody listening":   fmt.Sprintf("postgres://workmaild:%s@127.0.0.1:1/%s?sslmode=disable&connect_timeout=5", secret, db),
		"broken URL":         fmt.Sprintf("postgres://workmaild:%s@127.0.0.1:%d/%s?sslmode=disable&pool_max_conns=many", secret, pg.Port(), db),
		"broken URL escapes": fmt.Sprintf("postgres://workmaild:%s%%zz@127.0.0.1:%d/%s", secret, pg.Port(), db),
		"key=value":          fmt.Sprintf("host=127.0.0.1 port=%d user=workmaild password=%s dbname=%s sslmode=disable", pg.Port(), secret, db),
		"broken key=value":   fmt.Sprintf("host=127.0.0.1 port=%d password='%s dbname=%s", pg.Port(), secret, db),
	}
	for name, conn := range cases {
		s, err := pgstore.Open(context.Background(), conn)
		if err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}

	// A store whose database is dropped under it fails every call with an
	// error that is no store sentinel (the service answers 500) and shows
	// no password.
	s := open(t, dbURL)
	closeAtEnd(t, s)
	if err := s.Update(context.Background(), pA, func(tx store.Tx) error { return tx.Put("c", "k", nil) }); err != nil {
		t.Fatal(err)
	}
	if err := pg.Admin(context.Background(), "DROP DATABASE "+db+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	errs := []error{
		s.Update(context.Background(), pA, func(tx store.Tx) error { return tx.Put("c", "k", nil) }),
		s.View(context.Background(), pA, func(r store.Reader) error { _, err := r.Get("c", "k"); return err }),
		s.Reset(context.Background()),
	}
	for i, err := range errs {
		switch {
		case err == nil:
			t.Errorf("call %d on a dropped database succeeded", i)
		case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrClosed), errors.Is(err, store.ErrConflict):
			t.Errorf("call %d on a dropped database = %v, a store sentinel", i, err)
		case strings.Contains(err.Error(), pg.Password()):
			t.Errorf("call %d: the error shows the password: %v", i, err)
		}
	}
	if str := s.String(); strings.Contains(str, pg.Password()) || !strings.Contains(str, db) {
		t.Errorf("String() = %q: want the database without the password", str)
	}
}

// TestPGPassword: a URL without a password takes it from PGPASSWORD, as
// libpq does, and the key=value form works too.
func TestPGPassword(t *testing.T) {
	dbURL := pg.Database(t)
	u, _ := url.Parse(dbURL)
	u.User = url.User(pgtest.User)
	t.Setenv("PGPASSWORD", pg.Password())
	kv := fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", pg.Host(), pg.Port(), pgtest.User, pgtest.DatabaseName(dbURL))
	for _, conn := range []string{u.String(), kv, strings.Replace(u.String(), "postgres://", "postgresql://", 1)} {
		s, err := pgstore.Open(context.Background(), conn)
		if err != nil {
			t.Fatalf("Open(%s) with PGPASSWORD: %v", conn, err)
		}
		if err := s.Update(context.Background(), pA, func(tx store.Tx) error { return tx.Put("c", "k", nil) }); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// TestDurableSettings: sessions commit synchronously whatever the server's
// default, and ids (bytea) sort bytewise, NUL and bytes above 0x7f included.
func TestDurableSettings(t *testing.T) {
	dbURL := pg.Database(t)
	conn := connect(t, dbURL)
	if _, err := conn.Exec(context.Background(), "ALTER DATABASE "+pgtest.DatabaseName(dbURL)+" SET synchronous_commit = off"); err != nil {
		t.Fatal(err)
	}
	s := open(t, dbURL)
	closeAtEnd(t, s)
	if setting := pgstore.SessionSetting(t, s, "synchronous_commit"); setting != "on" {
		t.Fatalf("synchronous_commit = %q in the store's sessions, want on", setting)
	}
	ids := []string{"b", "a", "B", "\xff", "é", "a\x00", "Z"}
	if err := s.Update(context.Background(), pA, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Put("c", id, nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	s.View(context.Background(), pA, func(r store.Reader) error {
		return r.Scan("c", "", "", 0, func(id string, _ []byte) (bool, error) { got = append(got, id); return true, nil })
	})
	want := slices.Sorted(slices.Values(ids))
	if !slices.Equal(got, want) {
		t.Fatalf("Scan order %q, want bytewise %q", got, want)
	}
}

// TestRecoversAfterConnectionsAreCut ends every session of the store, as a
// restart of the database would: the store replaces the dead connections
// before its next transaction, so no call after the cut fails.
func TestRecoversAfterConnectionsAreCut(t *testing.T) {
	dbURL := pg.Database(t)
	s := open(t, dbURL)
	closeAtEnd(t, s)
	ctx := context.Background()
	put := func(v string) error {
		return s.Update(ctx, pA, func(tx store.Tx) error { return tx.Put("c", "k", []byte(v)) })
	}
	for round := range 3 {
		// Several connections in the pool, so that more than one is cut.
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if err := put("before"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		conn := connect(t, dbURL)
		var cut int
		err := conn.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&cut)
		if err != nil || cut == 0 {
			t.Fatalf("cut %d sessions: %v", cut, err)
		}
		after := fmt.Sprint("after-", round)
		if err := put(after); err != nil {
			t.Fatalf("round %d: the first Update after the cut = %v", round, err)
		}
		if got := get(t, s, pA, "c", "k"); got != after {
			t.Fatalf("round %d: c/k = %q after the cut, want %q", round, got, after)
		}
	}
}

// TestPingFollowsTheDatabase: Ping answers nil while the database runs,
// an error matching no store sentinel while it is stopped, and nil again
// on the first call once it is back (the dead pooled connections are
// replaced, as at BEGIN); Update works again without reopening.
func TestPingFollowsTheDatabase(t *testing.T) {
	s := open(t, pg.Database(t))
	closeAtEnd(t, s)
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := pg.Halt(); err != nil {
		t.Fatal(err)
	}
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			pg.Resume()
		}
	})
	err := s.Ping(ctx)
	if err == nil || errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Ping with the database stopped = %v", err)
	}
	if err := s.Update(ctx, pA, func(tx store.Tx) error { return tx.Put("c", "k", []byte("down")) }); err == nil {
		t.Fatal("Update with the database stopped succeeded")
	}
	if err := pg.Resume(); err != nil {
		t.Fatal(err)
	}
	resumed = true
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("the first Ping after the database came back = %v", err)
	}
	if err := s.Update(ctx, pA, func(tx store.Tx) error { return tx.Put("c", "k", []byte("up")) }); err != nil {
		t.Fatalf("Update after the database came back = %v", err)
	}
	if got := get(t, s, pA, "c", "k"); got != "up" {
		t.Fatalf("c/k = %q, want up", got)
	}
}

// TestConnectTimeoutByDefault: without connect_timeout in the connection
// string, connecting is bounded all the same; with one, it is that.
func TestConnectTimeoutByDefault(t *testing.T) {
	dbURL := pg.Database(t)
	s := open(t, dbURL)
	closeAtEnd(t, s)
	if got := pgstore.ConnectTimeout(s); got != 10*time.Second {
		t.Fatalf("default connect timeout %v, want 10s", got)
	}
	s2 := open(t, dbURL+"&connect_timeout=3")
	closeAtEnd(t, s2)
	if got := pgstore.ConnectTimeout(s2); got != 3*time.Second {
		t.Fatalf("connect timeout %v, want the connection string's 3s", got)
	}
}
