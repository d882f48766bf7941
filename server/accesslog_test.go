package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/smithy-go/middleware"

	"github.com/workmaild/workmaild/internal/sdktransport"
	"github.com/workmaild/workmaild/server"
)

// lines collects JSON log lines.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitRequests returns the access-log records once there are n: a
// request's line is written just after its response has been sent.
func (l *lines) waitRequests(t *testing.T, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		recs := l.requests(t)
		if len(recs) >= n || time.Now().After(deadline) {
			return recs
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// requests returns the access-log records, in order.
func (l *lines) requests(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(l.buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "request" {
			out = append(out, rec)
		}
	}
	return out
}

// requestID is the x-amzn-RequestId of an SDK call's response.
func requestID(t *testing.T, md middleware.Metadata) string {
	t.Helper()
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok {
		t.Fatal("the SDK found no request id in the response")
	}
	return id
}

func TestAccessLogLine(t *testing.T) {
	logs := &lines{}
	ts := startServer(t, server.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	c, ctx := ts.defaultClient(), context.Background()

	out, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	okID := requestID(t, out.ResultMetadata)
	_, err = c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: aws.String("m-00000000000000000000000000000000")})
	wantAPIError(t, err, "OrganizationNotFoundException")

	recs := logs.waitRequests(t, 2)
	if len(recs) != 2 {
		t.Fatalf("%d request lines, want 2: %v", len(recs), recs)
	}
	want := map[string]any{"level": "INFO", "request_id": okID, "operation": "ListOrganizations", "status": 200.0, "account": testAccount, "region": testRegion}
	for k, v := range want {
		if recs[0][k] != v {
			t.Errorf("success line: %s = %v, want %v (%v)", k, recs[0][k], v, recs[0])
		}
	}
	if d, ok := recs[0]["duration"].(float64); !ok || d <= 0 {
		t.Errorf("success line: duration %v, want a positive number of nanoseconds", recs[0]["duration"])
	}
	if _, ok := recs[0]["time"]; !ok {
		t.Error("success line has no time")
	}
	if _, ok := recs[0]["error"]; ok {
		t.Errorf("success line has an error: %v", recs[0])
	}
	if recs[1]["operation"] != "DescribeOrganization" || recs[1]["status"] != 400.0 || recs[1]["error"] != "OrganizationNotFoundException" {
		t.Errorf("error line: %v", recs[1])
	}
}

// Nothing a client sends in a body or as a credential reaches the log, at
// any level and in either format: not a member value, not the signature,
// not the secret key, not a bad request's body.
func TestLogShowsNoBodiesOrCredentials(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			logs := &lines{}
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var h slog.Handler = slog.NewJSONHandler(logs, opts)
			if format == "text" {
				h = slog.NewTextHandler(logs, opts)
			}
			ts := startServer(t, server.Options{
				Logger:      slog.New(h),
				Auth:        server.AuthStrict,
				Credentials: []server.Credential{strictKey},
			})
			const marker = "body-marker-7f3a"
			c := workmail.New(workmail.Options{
				Region:           testRegion,
				BaseEndpoint:     aws.String(ts.URL),
				Credentials:      credentials.NewStaticCredentialsProvider(strictKey.AccessKeyID, strictKey.SecretAccessKey, ""),
				RetryMaxAttempts: 1,
				HTTPClient:       sdktransport.Client(nil),
			})
			ctx := context.Background()
			if _, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String(marker)}); err != nil {
				t.Fatal(err)
			}
			_, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: aws.String("m-" + marker)})
			wantAPIError(t, err, "InvalidParameterException")
			bad := ts.raw("CreateOrganization", `{"Alias":"`+marker+`",`, func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=0", 1))
			})
			if bad.Status < 400 {
				t.Fatalf("a bad request answered %d", bad.Status)
			}
			logged := logs.String()
			if !strings.Contains(logged, "CreateOrganization") {
				t.Fatalf("no access lines:\n%s", logged)
			}
			for _, secret := range []string{marker, strictKey.SecretAccessKey, "Signature", "AWS4-HMAC-SHA256"} {
				if strings.Contains(logged, secret) {
					t.Errorf("the log shows %q:\n%s", secret, logged)
				}
			}
		})
	}
}
