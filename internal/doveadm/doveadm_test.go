package doveadm_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/workmaild/workmaild/internal/doveadm"
)

// The answers are those Dovecot 2.3.19's doveadm HTTP API gave to
// quotaGet, for a user with 703 KiB stored and for an unknown user. The
// real API is driven end to end by the mail-delivery suite (clients/mail).
func TestStorageBytes(t *testing.T) {
	answers := map[string]string{
		"bob@x":     `[["doveadmResponse",[{"root":"User quota","type":"STORAGE","value":"703","limit":"1024","percent":"68"},{"root":"User quota","type":"MESSAGE","value":"1","limit":"-","percent":"0"}],"c"]]`,
		"nobody@x":  `[["error",{"type":"exitCode", "exitCode":67},"c"]]`,
		"broken@x":  `[["error",{"type":"exitCode", "exitCode":75},"c"]]`,
		"noquota@x": `[["doveadmResponse",[],"c"]]`,
		"garbage@x": `<html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/doveadm/v1" || r.Header.Get("Authorization") != "X-Dovecot-API "+base64.StdEncoding.EncodeToString([]byte("the-key")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var cmds [][]json.RawMessage
		var params struct{ User string }
		if json.Unmarshal(raw, &cmds) != nil || len(cmds) != 1 || string(cmds[0][0]) != `"quotaGet"` || json.Unmarshal(cmds[0][1], &params) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		io.WriteString(w, answers[params.User])
	}))
	defer srv.Close()
	c := &doveadm.Client{URL: srv.URL, APIKey: "the-key"}
	ctx := context.Background()

	if n, err := c.StorageBytes(ctx, "bob@x"); err != nil || n != 703*1024 {
		t.Errorf("bob: %d, %v; want %d", n, err, 703*1024)
	}
	if _, err := c.StorageBytes(ctx, "nobody@x"); !errors.Is(err, doveadm.ErrUnknownUser) {
		t.Errorf("unknown user: %v, want ErrUnknownUser", err)
	}
	for _, user := range []string{"broken@x", "noquota@x", "garbage@x"} {
		if n, err := c.StorageBytes(ctx, user); err == nil || errors.Is(err, doveadm.ErrUnknownUser) {
			t.Errorf("%s: %d, %v; want an error", user, n, err)
		}
	}
	wrongKey := &doveadm.Client{URL: srv.URL, APIKey: "other"}
	if _, err := wrongKey.StorageBytes(ctx, "bob@x"); err == nil {
		t.Error("a refused key gave no error")
	}
	down := &doveadm.Client{URL: "http://127.0.0.1:1"}
	if _, err := down.StorageBytes(ctx, "bob@x"); err == nil {
		t.Error("an unreachable doveadm gave no error")
	}
}
