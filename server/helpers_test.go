package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/smithy-go"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/sdktransport"
	"github.com/workmaild/workmaild/server"
)

const (
	testAccount  = "111122223333"
	otherAccount = "444455556666"
	testRegion   = "us-east-1"
	instanceArn  = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
)

// testServer is a real workmaild behind a real HTTP listener.
type testServer struct {
	t   *testing.T
	URL string
	srv *server.Server
}

func startServer(t *testing.T, opts server.Options) *testServer {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(failOnError{t: t})
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &testServer{t: t, URL: hs.URL, srv: srv}
}

// client returns the real aws-sdk-go-v2 WorkMail client for an access key
// and region. Retries are off so that every call is one request.
func (ts *testServer) client(accessKey, region string) *workmail.Client {
	return workmail.New(workmail.Options{
		Region:           region,
		BaseEndpoint:     aws.String(ts.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, "secret-key", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       sdktransport.Client(nil),
	})
}

func (ts *testServer) defaultClient() *workmail.Client { return ts.client(testAccount, testRegion) }

// rawResponse is a response read without any SDK in between.
type rawResponse struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// raw sends body as WorkMailService.<op>, signed with SigV4 for testAccount,
// after letting edit change the request (edit runs before signing when
// sign is true).
func (ts *testServer) raw(op, body string, edit func(*http.Request)) rawResponse {
	ts.t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if op != "" {
		req.Header.Set("X-Amz-Target", "WorkMailService."+op)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testAccount, SecretAccessKey: "secret-key"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "workmail", testRegion, time.Now()); err != nil {
		ts.t.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	return ts.do(req)
}

func (ts *testServer) do(req *http.Request) rawResponse {
	ts.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatalf("request failed (dropped connection?): %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	out := rawResponse{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&out.Body); err != nil {
			ts.t.Fatalf("response body is not a JSON object: %q", raw)
		}
	}
	return out
}

// wantAPIError checks that err is the AWS error code with a message
// containing every fragment.
func wantAPIError(t *testing.T, err error, code string, fragments ...string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("got error %s (%s), want %s", apiErr.ErrorCode(), apiErr.ErrorMessage(), code)
	}
	for _, f := range fragments {
		if !strings.Contains(apiErr.ErrorMessage(), f) {
			t.Fatalf("%s message %q does not contain %q", code, apiErr.ErrorMessage(), f)
		}
	}
	// A WorkMail error must be one the model declares for the operation.
	var opErr *smithy.OperationError
	if c := model.ErrorCode(code); model.IsModeled(c) && errors.As(err, &opErr) && !slices.Contains(model.DeclaredErrors(opErr.OperationName), c) {
		t.Fatalf("%s does not declare %s", opErr.OperationName, code)
	}
}

// wantRawError checks a raw response's status and AWS error envelope.
func wantRawError(t *testing.T, r rawResponse, status int, code string, fragments ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Raw)
	}
	if r.Body["__type"] != code {
		t.Fatalf("__type %v, want %s; body %s", r.Body["__type"], code, r.Raw)
	}
	if got := r.Header.Get("X-Amzn-ErrorType"); got != code {
		t.Fatalf("X-Amzn-ErrorType %q, want %q", got, code)
	}
	msg, _ := r.Body["Message"].(string)
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Fatalf("message %q does not contain %q", msg, f)
		}
	}
	wantProtocolHeaders(t, r)
}

var uuidPattern = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`

func wantProtocolHeaders(t *testing.T, r rawResponse) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Fatalf("Content-Type %q", ct)
	}
	mustMatch(t, uuidPattern, r.Header.Get("X-Amzn-RequestId"))
	if r.Header.Get("Date") == "" {
		t.Fatal("no Date header")
	}
}

// fakeClock is a movable clock for lifecycle tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func mustMatch(t *testing.T, pattern, s string) {
	t.Helper()
	if !regexp.MustCompile(pattern).MatchString(s) {
		t.Fatalf("%q does not match %s", s, pattern)
	}
}

// startListener serves srv on a fresh loopback listener and returns its URL.
func startListener(t *testing.T, srv *server.Server) string {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL
}

// failOnError is a slog handler that fails the test on every record at
// Error level: internal errors, panics and undeclared error codes are
// logged there, and no test should cause one.
type failOnError struct {
	t     *testing.T
	attrs []slog.Attr
}

func (h failOnError) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h failOnError) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.t.Errorf("server logged an error: %s", b.String())
	return nil
}

func (h failOnError) WithAttrs(as []slog.Attr) slog.Handler {
	return failOnError{t: h.t, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], as...)}
}

func (h failOnError) WithGroup(string) slog.Handler { return h }
