// Package server assembles workmaild: the store, the WorkMail service, the
// awsJson1_1 protocol layer and the internal endpoints, as one
// http.Handler. The workmaild binary serves it on a listener; Go programs
// and the workmailtest package can use it in-process.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/awsjson"
	"github.com/workmaild/workmaild/internal/doveadm"
	"github.com/workmaild/workmaild/internal/ids"
	"github.com/workmaild/workmaild/internal/paging"
	"github.com/workmaild/workmaild/internal/service"
	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
	"github.com/workmaild/workmaild/internal/store/memstore"
	"github.com/workmaild/workmaild/internal/store/pgstore"
)

// InternalPrefix is the path prefix of workmaild's own endpoints (health,
// reset, token issuing), kept apart from the WorkMail API on POST /.
const InternalPrefix = "/_workmaild/"

// HealthPath is the readiness endpoint, the one internal endpoint that
// needs no admin token.
const HealthPath = InternalPrefix + "health"

// DataFileName is the database file inside the data directory.
const DataFileName = "workmaild.db"

// Lifecycle sets organization state transition delays; see the README.
type Lifecycle = service.Lifecycle

// Options configure a Server. The zero value is an in-memory server with
// lenient authentication.
type Options struct {
	// Auth is the authentication mode; empty means AuthLenient.
	Auth AuthMode
	// Credentials are the access keys strict mode accepts.
	Credentials []Credential
	// AdminToken guards the internal endpoints other than health: callers
	// send it as a bearer token. In lenient mode an empty token leaves them
	// open; in strict mode it disables them.
	AdminToken string
	// DataDir holds the persistent store; empty means in memory.
	DataDir string
	// Postgres is a PostgreSQL connection string (a postgres:// URL or
	// libpq key=value pairs). When set, the store is that database, which
	// several servers may share, and DataDir is not used.
	Postgres string
	// DefaultAccount receives access keys that are not 12-digit account
	// ids; empty means 000000000000.
	DefaultAccount string
	// Logger receives one line per request, written just after the
	// response has been sent; nil discards logs.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Random is the source of generated ids, of request ids and of the
	// key that signs NextTokens (drawn when a store is first used); nil
	// means crypto/rand. A seeded source (math/rand/v2's ChaCha8) makes
	// all of them the same on every run; servers sharing a PostgreSQL
	// database must not share a seed, or they would draw the same ids.
	Random io.Reader
	// Lifecycle sets organization state transition delays.
	Lifecycle Lifecycle
	// MaxBodyBytes bounds request bodies; 0 means 1 MiB.
	MaxBodyBytes int64
	// AvailabilityTestCalls lets TestAvailabilityConfiguration call the
	// EWS endpoint of the provider it tests, with the provider's
	// credentials. Without it the server makes no outbound call and the
	// test answers TestPassed false, saying why.
	AvailabilityTestCalls bool
	// NoSync skips fsync on commit: faster, but a machine crash (not a
	// process crash) may lose acknowledged writes. For benchmarks only.
	NoSync bool
	// LoginLimits bound repeated mail-login failures per login name and
	// per client address; zero fields take the defaults.
	LoginLimits LoginLimits
	// DoveadmURL is the doveadm HTTP API of the Dovecot that keeps the
	// mailboxes (http://HOST:PORT), asked by GetMailboxDetails for a
	// mailbox's size with DoveadmAPIKey; empty reports every mailbox
	// empty.
	DoveadmURL    string
	DoveadmAPIKey string
}

// Server is a complete workmaild. It is an http.Handler.
type Server struct {
	pagingKey []byte // re-stored after a reset so that no token format changes
	store     store.Store
	service   *service.Service
	api       *awsjson.Handler
	internal  *http.ServeMux
	admin     auth.AdminGuard
	log       *slog.Logger
	purger    *purger
}

// New opens the store and assembles a Server. Close it when done.
func New(opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	authn, admin, err := newAuth(opts, log)
	if err != nil {
		return nil, err
	}
	st, err := openStore(opts)
	if err != nil {
		return nil, err
	}
	gen := ids.New(opts.Random)
	var requestIDs *ids.Generator // nil: random
	if opts.Random != nil {
		// A stream of their own, so that the ids operations draw do not
		// depend on how many requests came before.
		requestIDs = ids.New(rand.NewChaCha8([32]byte(gen.Bytes(32))))
	}
	key, err := pagingKey(st, gen)
	if err != nil {
		st.Close()
		return nil, err
	}
	var sizes service.MailboxSizer
	if opts.DoveadmURL != "" {
		sizes = &doveadm.Client{URL: strings.TrimSuffix(opts.DoveadmURL, "/"), APIKey: opts.DoveadmAPIKey}
	}
	svc := service.New(service.Config{
		Store:     st,
		Now:       opts.Now,
		IDs:       gen,
		Lifecycle: opts.Lifecycle,
		Paging:    paging.NewCodec(key),
		Log:       log,

		AvailabilityTestCalls: opts.AvailabilityTestCalls,
		LoginLimits:           opts.LoginLimits,
		MailboxSizes:          sizes,
	})
	s := &Server{store: st, service: svc, admin: admin, log: log, pagingKey: key}
	s.api = &awsjson.Handler{
		Auth:         authn,
		Service:      svc,
		Log:          log,
		RequestIDs:   requestIDs,
		MaxBodyBytes: opts.MaxBodyBytes,
	}
	s.internal = s.internalRoutes()
	s.purger = startPurger(svc, log)
	return s, nil
}

// postgresOpenTimeout bounds connecting to PostgreSQL and migrating its
// schema at start.
const postgresOpenTimeout = time.Minute

func openStore(opts Options) (store.Store, error) {
	if opts.Postgres != "" {
		// Bounded, so that an unreachable database fails the start rather
		// than hanging it.
		ctx, cancel := context.WithTimeout(context.Background(), postgresOpenTimeout)
		defer cancel()
		st, err := pgstore.Open(ctx, opts.Postgres)
		if err != nil {
			return nil, fmt.Errorf("server: opening store: %w", err)
		}
		return st, nil
	}
	if opts.DataDir == "" {
		return memstore.New(), nil
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("server: creating data directory: %w", err)
	}
	st, err := boltstore.Open(filepath.Join(opts.DataDir, DataFileName), boltstore.Options{NoSync: opts.NoSync})
	if err != nil {
		return nil, fmt.Errorf("server: opening store: %w", err)
	}
	return st, nil
}

// ServeHTTP routes internal endpoints and the WorkMail API. Every
// internal endpoint but health passes the admin guard first, so endpoints
// added later are guarded without saying so.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, InternalPrefix) {
		if r.URL.Path != HealthPath && s.checkAdmin(w, r) {
			return
		}
		s.internal.ServeHTTP(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// StoreName describes the store for logs: "in-memory", "embedded", or the
// PostgreSQL database without its password.
func (s *Server) StoreName() string {
	switch st := s.store.(type) {
	case *pgstore.Store:
		return st.String()
	case *memstore.Store:
		return "in-memory"
	}
	return "embedded"
}

// Close closes the store after pending writes finish.
func (s *Server) Close() error {
	s.purger.stop()
	return s.store.Close()
}

// systemPartition holds workmaild's own records. Its account is not a
// 12-digit id, so no caller can ever be mapped to it.
var systemPartition = store.Partition{Account: "workmaild", Region: "system"}

// The paging key's address in the system partition.
const (
	metaCollection = "meta"
	pagingKeyID    = "paging-key"
)

// pagingKey returns the key that signs NextTokens, drawing it from gen on
// first use, so tokens stay valid across restarts on the same data.
func pagingKey(st store.Store, gen *ids.Generator) ([]byte, error) {
	var key []byte
	err := st.Update(context.Background(), systemPartition, func(tx store.Tx) error {
		stored, err := tx.Get(metaCollection, pagingKeyID)
		if err == nil {
			key = append([]byte(nil), stored...)
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		key = gen.Bytes(32)
		return tx.Put(metaCollection, pagingKeyID, key)
	})
	if err != nil {
		return nil, fmt.Errorf("server: loading paging key: %w", err)
	}
	return key, nil
}
