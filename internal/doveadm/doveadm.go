// Package doveadm asks Dovecot, through doveadm's HTTP API
// (POST /doveadm/v1), what only the mail store knows: how much a mailbox
// holds. workmaild reports it in GetMailboxDetails.
package doveadm

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// DefaultTimeout bounds one request when Client.HTTP is nil.
const DefaultTimeout = 5 * time.Second

// ErrUnknownUser is returned for a user Dovecot's user database does not
// know (doveadm's exit code 67, EX_NOUSER).
var ErrUnknownUser = errors.New("doveadm: unknown user")

// maxAnswer bounds the answer read.
const maxAnswer = 1 << 20

// Client is a client of one Dovecot's doveadm HTTP API.
type Client struct {
	URL    string // e.g. http://127.0.0.1:8080, without /doveadm/v1
	APIKey string // doveadm_api_key
	HTTP   *http.Client
}

// StorageBytes is the storage a user's mailbox uses, by its quota (the
// quota plugin must be loaded; a quota root without a limit still counts).
func (c *Client) StorageBytes(ctx context.Context, user string) (int64, error) {
	var roots []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	if err := c.call(ctx, "quotaGet", map[string]string{"user": user}, &roots); err != nil {
		return 0, err
	}
	var kib int64
	found := false
	for _, r := range roots {
		if r.Type != "STORAGE" {
			continue
		}
		v, err := strconv.ParseInt(r.Value, 10, 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("doveadm: quota get: storage %q is not a size", r.Value)
		}
		kib, found = max(kib, v), true
	}
	if !found {
		return 0, errors.New("doveadm: quota get answered no STORAGE quota (is the quota plugin loaded?)")
	}
	return kib * 1024, nil
}

// call runs one doveadm command and decodes its response into out.
func (c *Client) call(ctx context.Context, command string, params any, out any) error {
	body, err := json.Marshal([]any{[]any{command, params, "c"}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/doveadm/v1", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("doveadm: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "X-Dovecot-API "+base64.StdEncoding.EncodeToString([]byte(c.APIKey)))
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("doveadm: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("doveadm: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("doveadm: %s answered %d", command, resp.StatusCode)
	}
	// [[<"doveadmResponse" or "error">, <result>, <tag>]]
	var answer [][]json.RawMessage
	if err := json.Unmarshal(raw, &answer); err != nil || len(answer) != 1 || len(answer[0]) != 3 {
		return fmt.Errorf("doveadm: %s: unexpected answer %.200q", command, raw)
	}
	var kind string
	if err := json.Unmarshal(answer[0][0], &kind); err != nil {
		return fmt.Errorf("doveadm: %s: unexpected answer %.200q", command, raw)
	}
	switch kind {
	case "doveadmResponse":
		if err := json.Unmarshal(answer[0][1], out); err != nil {
			return fmt.Errorf("doveadm: %s: unexpected result %.200q", command, answer[0][1])
		}
		return nil
	case "error":
		var e struct {
			Type     string `json:"type"`
			ExitCode int    `json:"exitCode"`
		}
		_ = json.Unmarshal(answer[0][1], &e)
		if e.ExitCode == 67 {
			return ErrUnknownUser
		}
		return fmt.Errorf("doveadm: %s failed: %s, exit code %d", command, e.Type, e.ExitCode)
	}
	return fmt.Errorf("doveadm: %s: unexpected answer %.200q", command, raw)
}
