package workmailtest

import (
	"encoding/binary"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/workmaild/workmaild/server"
)

// Server is a running workmaild. Make one with NewServer.
type Server struct {
	// URL is the base endpoint, http://127.0.0.1:<port>, for any client:
	// an SDK's BaseEndpoint, the AWS CLI's --endpoint-url, plain HTTP.
	URL string

	t       testing.TB
	cfg     config
	clock   *Clock
	handler *server.Server
	http    *httptest.Server
	dataDir string // empty when in memory
}

// NewServer starts a workmaild for the test t and stops it, discarding its
// state, when t ends. It fails t if the options cannot work or the server
// cannot start. While it runs, anything the server logs as an error (an
// internal failure, an error code the model does not declare) fails t too:
// that is a workmaild bug, not something a test should pass with.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	var dataDir string
	if cfg.persistent {
		dataDir = t.TempDir()
	}
	s, err := start(t, cfg, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.close(); err != nil {
			t.Errorf("workmailtest: closing the server: %v", err)
		}
	})
	return s
}

// start assembles and starts a server; the caller closes it.
func start(t testing.TB, cfg config, dataDir string) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	clock := cfg.clock
	if clock == nil {
		clock = realClock()
	}
	var random io.Reader
	if cfg.seed != nil {
		random = seeded(*cfg.seed)
	}
	h, err := server.New(server.Options{
		DataDir:   dataDir,
		Logger:    slog.New(failOnError{t: t}),
		Now:       clock.Now,
		Random:    random,
		Lifecycle: cfg.lifecycle,

		AvailabilityTestCalls: cfg.availabilityCalls,

		// A test's temporary directory need not survive a machine crash:
		// skipping fsync keeps the same store code and file format and
		// makes a persistent server start and first write about 2.5 times
		// faster.
		NoSync: true,
	})
	if err != nil {
		return nil, err
	}
	hs := httptest.NewServer(h)
	return &Server{URL: hs.URL, t: t, cfg: cfg, clock: clock, handler: h, http: hs, dataDir: dataDir}, nil
}

// close waits for requests in flight, then closes the store.
func (s *Server) close() error {
	s.http.Close()
	return s.handler.Close()
}

// seeded returns a ChaCha8 stream keyed by seed.
func seeded(seed uint64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return rand.NewChaCha8(key)
}

// Clock returns the server's clock: the one given to WithClock, else one
// that follows the real time until moved.
func (s *Server) Clock() *Clock { return s.clock }
