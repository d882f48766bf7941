package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
)

// syncBuffer collects log output written from request goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// postInternal sends a JSON body to an internal endpoint.
func postInternal(t *testing.T, url, path string, body any) (int, map[string]any, []byte) {
	t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(url+server.InternalPrefix+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(answer, &out); err != nil {
		t.Fatalf("%s answered %q", path, answer)
	}
	return resp.StatusCode, out, answer
}

// TestTokenEndpoints drives the internal endpoints over HTTP, then checks
// that the secret appears in the issuing response and nowhere else: not in
// the log (at debug level), not in any later response, not in the store.
func TestTokenEndpoints(t *testing.T) {
	logs := &syncBuffer{}
	dir := t.TempDir()
	srv, err := server.New(server.Options{DataDir: dir, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	ts := &testServer{t: t, URL: hs.URL, srv: srv}
	c, ctx := ts.defaultClient(), context.Background()
	o := newTokenOrg(t, c, "endpoints")
	target := map[string]any{"Account": testAccount, "Region": testRegion, "OrganizationId": o.ID, "User": "alice"}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range target {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	status, issued, _ := postInternal(t, hs.URL, "tokens", with(map[string]any{"Name": "cli", "Scopes": []string{"IMAP"}, "ExpiresIn": "7d"}))
	if status != http.StatusOK {
		t.Fatalf("issue: %d %v", status, issued)
	}
	secret, id := issued["Secret"].(string), issued["PersonalAccessTokenId"].(string)
	created, expires := issued["DateCreated"].(float64), issued["ExpiresTime"].(float64)
	if !strings.HasPrefix(secret, "wmpat_") || expires-created != 7*24*3600 {
		t.Fatalf("issued %v", issued)
	}

	// Refusals come in the {"__type","Message"} envelope.
	for _, tc := range []struct {
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{"tokens", with(map[string]any{"Name": "x", "Scopes": []string{"IMAP"}, "ExpiresIn": "31d"}), 400, "InvalidTokenRequest"},
		{"tokens", with(map[string]any{"Name": "x", "Scopes": []string{"IMAP"}, "ExpiresIn": "soon"}), 400, "InvalidTokenRequest"},
		{"tokens", with(map[string]any{"User": "ghost", "Name": "x", "Scopes": []string{"IMAP"}}), 400, "EntityNotFoundException"},
		{"tokens/check", with(map[string]any{"Secret": secret + "x"}), 401, "TokenUnknown"},
		{"tokens/check", with(map[string]any{"OrganizationId": "m-00000000000000000000000000000000", "Secret": secret}), 400, "OrganizationNotFoundException"},
	} {
		status, out, _ := postInternal(t, hs.URL, tc.path, tc.body)
		if status != tc.status || out["__type"] != tc.code || out["Message"] == "" {
			t.Errorf("%s %v: %d %v, want %d %s", tc.path, tc.body, status, out, tc.status, tc.code)
		}
	}
	resp, err := http.Post(hs.URL+server.InternalPrefix+"tokens", "application/json", strings.NewReader("{"))
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed body: %v %v", err, resp)
	}
	resp.Body.Close()

	status, checked, _ := postInternal(t, hs.URL, "tokens/check", with(map[string]any{"Secret": secret}))
	if status != http.StatusOK || checked["Valid"] != true || checked["PersonalAccessTokenId"] != id || checked["DateLastUsed"] == nil {
		t.Fatalf("check: %d %v", status, checked)
	}

	// After creation the secret is in no API response.
	var later [][]byte
	for _, r := range []rawResponse{
		ts.raw("ListPersonalAccessTokens", `{"OrganizationId":"`+o.ID+`"}`, nil),
		ts.raw("ListPersonalAccessTokens", `{"OrganizationId":"`+o.ID+`","UserId":"alice"}`, nil),
		ts.raw("GetPersonalAccessTokenMetadata", `{"OrganizationId":"`+o.ID+`","PersonalAccessTokenId":"`+id+`"}`, nil),
		ts.raw("DescribeUser", `{"OrganizationId":"`+o.ID+`","UserId":"alice"}`, nil),
	} {
		if r.Status != http.StatusOK {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
		later = append(later, r.Raw)
	}
	_, _, checkedRaw := postInternal(t, hs.URL, "tokens/check", with(map[string]any{"Secret": secret}))
	later = append(later, checkedRaw)
	if _, err := c.ResetPassword(ctx, &workmail.ResetPasswordInput{OrganizationId: &o.ID, UserId: &o.Alice, Password: aws.String(strongPassword)}); err != nil {
		t.Fatal(err)
	}

	hs.Close() // waits for every request, and its log line, to finish
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	for _, raw := range later {
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(secret[6:20])) {
			t.Fatalf("secret in a later response: %s", raw)
		}
	}
	if !strings.Contains(logs.String(), id) {
		t.Fatalf("the log does not mention token %s; is it capturing?\n%s", id, logs.String())
	}
	for what, s := range map[string]string{"secret": secret[6:], "password": strongPassword} {
		if strings.Contains(logs.String(), s) {
			t.Fatalf("%s in the log:\n%s", what, logs.String())
		}
		db, err := os.ReadFile(filepath.Join(dir, server.DataFileName))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(db, []byte(s)) {
			t.Fatalf("%s stored in clear", what)
		}
	}
}

// TestTokensSurviveRestart: an issued token is still valid after the
// server restarts on the same data.
func TestTokensSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.New(server.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	ts := &testServer{t: t, URL: hs.URL, srv: srv}
	o := newTokenOrg(t, ts.defaultClient(), "restart")
	tok := issue(t, ts, o.ID, "alice", "kept")
	hs.Close()
	srv.Close()

	srv, err = server.New(server.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	info, err := srv.CheckToken(context.Background(), server.TokenCheck{Account: testAccount, Region: testRegion, OrganizationID: o.ID, User: "alice", Secret: tok.Secret})
	if err != nil || info.ID != tok.ID || time.Until(info.ExpiresTime) < 29*24*time.Hour {
		t.Fatalf("after restart: %+v, %v", info, err)
	}
}
