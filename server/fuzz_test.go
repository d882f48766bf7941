package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/workmaild/workmaild/server"
)

// fuzzAuthorization is a well-formed (lenient-mode) Authorization header.
const fuzzAuthorization = "AWS4-HMAC-SHA256 Credential=111122223333/20261126/us-east-1/workmail/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef"

// FuzzServeHTTP drives the whole request path (method, X-Amz-Target,
// Content-Type, Authorization and body → authenticate → decode → validate
// → handler → encode) through the real server handler. Whatever arrives,
// the answer is AWS-shaped: never a 5xx other than 501 NotImplemented, a
// JSON object body, __type and X-Amzn-ErrorType on errors, and a request id
// always; and nothing logged at Error level (internal errors, recovered
// panics, error codes the operation does not declare). The seed corpus is
// in testdata/fuzz/FuzzServeHTTP.
func FuzzServeHTTP(f *testing.F) {
	const org = `"m-00000000000000000000000000000000"`
	f.Add("POST", "WorkMailService.ListOrganizations", "application/x-amz-json-1.1", fuzzAuthorization, []byte(`{}`))
	f.Add("POST", "WorkMailService.CreateOrganization", "application/x-amz-json-1.1", fuzzAuthorization, []byte(`{"Alias":"fuzz"}`))
	f.Add("POST", "WorkMailService.DescribeOrganization", "application/json", fuzzAuthorization, []byte(`{"OrganizationId":`+org+`}`))
	f.Add("GET", "WorkMailService.ListOrganizations", "", "", []byte(nil))
	f.Add("POST", "WorkMailService.ListMailboxExportJobs", "application/x-amz-json-1.0", fuzzAuthorization, []byte(`{"OrganizationId":`+org+`}`))
	errorsLogged := &errorCounter{}
	srv, err := server.New(server.Options{Logger: slog.New(errorsLogged)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	f.Fuzz(func(t *testing.T, method, target, contentType, authorization string, body []byte) {
		before := errorsLogged.n.Load()
		defer func() {
			// Internal errors, panics and undeclared error codes are logged
			// at Error level. The fuzz function runs one input at a time.
			if errorsLogged.n.Load() != before {
				t.Fatalf("the server logged an error for %s %q %q %q, body %.200q", method, target, contentType, authorization, body)
			}
		}()
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Method = method // NewRequest panics on methods that are not tokens; servers can receive them
		setHeader(req, "X-Amz-Target", target)
		setHeader(req, "Content-Type", contentType)
		setHeader(req, "Authorization", authorization)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		checkAWSShaped(t, rec)
	})
}

func setHeader(r *http.Request, name, value string) {
	if value != "" {
		r.Header.Set(name, value)
	}
}

// checkAWSShaped fails unless rec holds an answer AWS clients can read.
func checkAWSShaped(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("status %d: body is not a JSON object: %q", rec.Code, rec.Body.Bytes())
	}
	if rec.Header().Get("X-Amzn-RequestId") == "" {
		t.Fatalf("status %d: no x-amzn-RequestId", rec.Code)
	}
	if rec.Code == http.StatusOK {
		return
	}
	code, _ := body["__type"].(string)
	if code == "" || rec.Header().Get("X-Amzn-ErrorType") != code {
		t.Fatalf("status %d: error without __type/X-Amzn-ErrorType: %s", rec.Code, rec.Body.Bytes())
	}
	if _, ok := body["Message"].(string); !ok {
		t.Fatalf("status %d: error without a Message: %s", rec.Code, rec.Body.Bytes())
	}
	if rec.Code >= 500 && !(rec.Code == http.StatusNotImplemented && code == "NotImplemented") {
		t.Fatalf("status %d %s: a server error for client input: %s", rec.Code, code, rec.Body.Bytes())
	}
}

// errorCounter is a slog handler that counts records at Error level.
type errorCounter struct{ n atomic.Int64 }

func (c *errorCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (c *errorCounter) Handle(context.Context, slog.Record) error {
	c.n.Add(1)
	return nil
}

func (c *errorCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *errorCounter) WithGroup(string) slog.Handler      { return c }
