package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/workmaild/workmaild/server"
)

// benchAuth is a well-formed SigV4 Authorization header; the default
// (lenient) server parses it without verifying it.
const benchAuth = "AWS4-HMAC-SHA256 Credential=" + testAccount + "/20261126/" + testRegion + "/workmail/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
	"Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

// benchServer is a server with the binary's defaults: the bbolt store and
// an info-level text log (written to io.Discard, so that formatting is
// measured but not the terminal).
func benchServer(b *testing.B) *server.Server { return benchServerWith(b, server.Options{}) }

// benchServerWith is benchServer with opts; its data directory and
// logger are set here.
func benchServerWith(b *testing.B, opts server.Options) *server.Server {
	b.Helper()
	opts.DataDir = b.TempDir()
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return srv
}

// benchRequest is a WorkMail request as an SDK sends it.
func benchRequest(op string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "WorkMailService."+op)
	r.Header.Set("X-Amz-Date", "20261126T120000Z")
	r.Header.Set("Authorization", benchAuth)
	return r
}

// benchCall serves one request in-process and returns its decoded output.
func benchCall(b *testing.B, h http.Handler, op string, in any) map[string]any {
	b.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, benchRequest(op, body))
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		b.Fatal(err)
	}
	return out
}

// configuredOrganization creates an organization with an identity-provider
// configuration and returns its id.
func configuredOrganization(b *testing.B, h http.Handler) string {
	b.Helper()
	org := benchCall(b, h, "CreateOrganization", map[string]any{"Alias": "bench"})["OrganizationId"].(string)
	app := benchCall(b, h, "CreateIdentityCenterApplication", map[string]any{"Name": "WorkMail", "InstanceArn": instanceArn})["ApplicationArn"].(string)
	benchCall(b, h, "PutIdentityProviderConfiguration", putConfigBody(org, app))
	return org
}

func putConfigBody(org, app string) map[string]any {
	return map[string]any{
		"OrganizationId":                   org,
		"AuthenticationMode":               "IDENTITY_PROVIDER_ONLY",
		"IdentityCenterConfiguration":      map[string]any{"InstanceArn": instanceArn, "ApplicationArn": app},
		"PersonalAccessTokenConfiguration": map[string]any{"Status": "ACTIVE", "LifetimeInDays": 30},
	}
}

// BenchmarkDescribeIdentityProviderConfiguration is the whole hot path
// below net/http: auth, protocol, decode, validate, store read, encode and
// the access log line.
func BenchmarkDescribeIdentityProviderConfiguration(b *testing.B) {
	srv := benchServer(b)
	org := configuredOrganization(b, srv)
	body := []byte(`{"OrganizationId":"` + org + `"}`)
	req := benchRequest("DescribeIdentityProviderConfiguration", body)
	b.ReportAllocs()
	for b.Loop() {
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkPutIdentityProviderConfiguration is a durable write (fsync)
// from 32 concurrent callers per CPU, which share commits.
func BenchmarkPutIdentityProviderConfiguration(b *testing.B) {
	srv := benchServer(b)
	org := configuredOrganization(b, srv)
	app := benchCall(b, srv, "CreateIdentityCenterApplication", map[string]any{"Name": "Other", "InstanceArn": instanceArn})["ApplicationArn"].(string)
	body, _ := json.Marshal(putConfigBody(org, app))
	b.SetParallelism(32)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, benchRequest("PutIdentityProviderConfiguration", body))
			if rec.Code != http.StatusOK {
				b.Errorf("%d %s", rec.Code, rec.Body)
				return
			}
		}
	})
}
