package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/workmaild/workmaild/server"
)

// stringList is a repeatable string flag (--scope a --scope b).
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// tokenTarget is what every tokens subcommand needs: which server, which
// partition, which organization and user.
type tokenTarget struct {
	endpoint, adminToken, account, region, organizationID, user string
}

func (t *tokenTarget) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&t.endpoint, "endpoint", "http://127.0.0.1:4590", "URL of a running workmaild")
	fs.StringVar(&t.adminToken, "admin-token", getenv("WORKMAILD_ADMIN_TOKEN"), "the server's admin token, if it has one (default: $WORKMAILD_ADMIN_TOKEN)")
	fs.StringVar(&t.account, "account", "", "12-digit account id (required)")
	fs.StringVar(&t.region, "region", "", "region (required)")
	fs.StringVar(&t.organizationID, "organization-id", "", "organization id (required)")
	fs.StringVar(&t.user, "user", "", "user id, name or email (required)")
}

func (t *tokenTarget) missing() string {
	for _, f := range []struct{ name, value string }{
		{"--account", t.account}, {"--region", t.region}, {"--organization-id", t.organizationID}, {"--user", t.user},
	} {
		if f.value == "" {
			return f.name
		}
	}
	return ""
}

// tokens runs `workmaild tokens create|check`: it calls the internal token
// endpoints of a running server (which holds the store's lock).
func tokens(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{msg: "tokens: want a subcommand: create or check"}
	}
	var t tokenTarget
	fs := flag.NewFlagSet("workmaild tokens "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	t.register(fs, getenv)
	var path string
	var body func() (any, error)
	switch args[0] {
	case "create":
		var name, expiresIn string
		var scopes stringList
		fs.StringVar(&name, "name", "", "token name (required)")
		fs.Var(&scopes, "scope", "a scope; repeat for more (1 to 10)")
		fs.StringVar(&expiresIn, "expires-in", "", "lifetime, such as 720h or 30d; default: the organization's")
		path = "tokens"
		body = func() (any, error) {
			return map[string]any{"Account": t.account, "Region": t.region, "OrganizationId": t.organizationID,
				"User": t.user, "Name": name, "Scopes": []string(scopes), "ExpiresIn": expiresIn}, nil
		}
	case "check":
		path = "tokens/check"
		body = func() (any, error) {
			// The secret comes from standard input, never the command
			// line, where other users could read it.
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return map[string]any{"Account": t.account, "Region": t.region, "OrganizationId": t.organizationID,
				"User": t.user, "Secret": strings.TrimSpace(line)}, nil
		}
	default:
		return usageError{msg: fmt.Sprintf("tokens: unknown subcommand %q: want create or check", args[0])}
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{msg: err.Error()}
	}
	if m := t.missing(); m != "" {
		return usageError{msg: "tokens " + args[0] + ": " + m + " is required"}
	}
	payload, err := body()
	if err != nil {
		return err
	}
	return callInternal(ctx, strings.TrimSuffix(t.endpoint, "/")+server.InternalPrefix+path, t.adminToken, payload, stdout)
}

// callInternal posts payload and copies a successful answer to stdout; an
// error answer becomes the command's error.
func callInternal(ctx context.Context, url, adminToken string, payload any, stdout io.Writer) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+adminToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string
		}
		if json.Unmarshal(answer, &e) == nil && e.Type != "" {
			return fmt.Errorf("%s: %s", e.Type, e.Message)
		}
		return fmt.Errorf("%s: %s", resp.Status, answer)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, answer, "", "  ") != nil {
		pretty.Write(answer)
	}
	pretty.WriteByte('\n')
	_, err = stdout.Write(pretty.Bytes())
	return err
}
