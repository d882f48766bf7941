package workmailtest

import (
	"encoding/binary"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
)

// secretKey signs every client's requests. workmaild reads the account
// from the access key id and, like a default workmaild, does not verify
// signatures, so any secret works.
const secretKey = "workmailtest-secret"

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

// Client returns an aws-sdk-go-v2 WorkMail client for the default account
// and region (WithAccount, WithRegion). It reads no environment variable
// and no shared config or credentials file, and it does not retry, so every
// call is exactly one request.
func (s *Server) Client() *workmail.Client { return workmail.NewFromConfig(s.Config()) }

// Config returns the aws.Config of Client, for building other clients
// from it.
func (s *Server) Config() aws.Config { return s.config(s.cfg.account, s.cfg.region) }

// ClientFor returns a client like Client's for another account (a 12-digit
// id) and region; each account and region sees only its own state. It
// fails the test that made the server if account is not an account id.
func (s *Server) ClientFor(account, region string) *workmail.Client {
	s.t.Helper()
	return workmail.NewFromConfig(s.ConfigFor(account, region))
}

// ConfigFor returns the aws.Config of ClientFor(account, region).
func (s *Server) ConfigFor(account, region string) aws.Config {
	s.t.Helper()
	other := s.cfg
	other.account, other.region = account, region
	if err := other.validate(); err != nil {
		s.t.Fatal(err)
	}
	return s.config(account, region)
}

func (s *Server) config(account, region string) aws.Config {
	return clientConfig(s.URL, s.http.Client(), account, region)
}

// clientConfig is built field by field, never from the environment, so
// that a developer's AWS profile, AWS_ENDPOINT_URL or AWS_CA_BUNDLE cannot
// change what a test talks to. The access key id is the account: workmaild
// maps a 12-digit key id to that account.
func clientConfig(url string, hc aws.HTTPClient, account, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(account, secretKey, ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   hc,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}
