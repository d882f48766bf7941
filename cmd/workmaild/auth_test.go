package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/smithy-go"

	"github.com/workmaild/workmaild/internal/sdktransport"
)

const credentialsJSON = `{"Credentials": [
  {"AccessKeyId": "AKIAFILEKEY", "SecretAccessKey": "file-secret", "Account": "111122223333"}
]}`

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseServeAuth(t *testing.T) {
	file := writeFile(t, credentialsJSON)
	c, err := parseServe([]string{"--in-memory", "--auth", "strict", "--credentials-file", file},
		envOf(map[string]string{credentialsEnv: "AKIAENVKEY:env:secret:444455556666", "WORKMAILD_ADMIN_TOKEN": "tok"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.credentials) != 2 || c.credentials[0].AccessKeyID != "AKIAFILEKEY" ||
		c.credentials[1].SecretAccessKey != "env:secret" || c.credentials[1].Account != "444455556666" || c.adminToken != "tok" {
		t.Fatalf("credentials from file and environment: %+v, admin %q", c.credentials, c.adminToken)
	}
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"strict without keys":           {[]string{"--auth", "strict"}, nil},
		"unknown mode":                  {[]string{"--auth", "paranoid"}, nil},
		"lenient with a file":           {[]string{"--credentials-file", file}, nil},
		"lenient with keys in env":      {nil, map[string]string{credentialsEnv: "K:S:111122223333"}},
		"missing file":                  {[]string{"--auth", "strict", "--credentials-file", file + ".nope"}, nil},
		"file not JSON":                 {[]string{"--auth", "strict", "--credentials-file", writeFile(t, "AKIA=secret")}, nil},
		"misspelt member":               {[]string{"--auth", "strict", "--credentials-file", writeFile(t, `{"Credentials":[{"AccessKeyId":"K","SecretKey":"S","Account":"111122223333"}]}`)}, nil},
		"bad account":                   {[]string{"--auth", "strict"}, map[string]string{credentialsEnv: "K:S:1234"}},
		"env entry without account":     {[]string{"--auth", "strict"}, map[string]string{credentialsEnv: "K-only"}},
		"same key in file and env":      {[]string{"--auth", "strict", "--credentials-file", file}, map[string]string{credentialsEnv: "AKIAFILEKEY:x:111122223333"}},
		"mode from the environment too": {nil, map[string]string{"WORKMAILD_AUTH": "strict"}},
	} {
		_, err := parseServe(append([]string{"--in-memory"}, tc.args...), envOf(tc.env), io.Discard)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%s: got %v, want a usage error", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows a secret: %v", name, err)
		}
	}
}

// runInProcess runs `workmaild serve args` until the test ends and returns
// its URL and a function that stops it and returns its log.
func runInProcess(t *testing.T, env map[string]string, args ...string) (string, func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	var logs strings.Builder
	var mu sync.Mutex
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--in-memory"}, args...), envOf(env), strings.NewReader(""), outW, lockedWriter{&mu, &logs})
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no listening line (exit %d)", <-done)
	}
	go io.Copy(io.Discard, outR)
	stop := func() string {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit status %d", code)
		}
		mu.Lock()
		defer mu.Unlock()
		return logs.String()
	}
	return strings.TrimPrefix(strings.TrimSpace(line), "workmaild listening on "), stop
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func clientFor(url, key, secret string) *workmail.Client {
	return workmail.New(workmail.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:  sdktransport.Client(nil),
	})
}

func TestServeStrict(t *testing.T) {
	file := writeFile(t, credentialsJSON)
	url, stop := runInProcess(t, map[string]string{"WORKMAILD_ADMIN_TOKEN": "tok"}, "--auth", "strict", "--credentials-file", file)
	ctx := context.Background()
	out, err := clientFor(url, "AKIAFILEKEY", "file-secret").CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("strict")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(out.OrganizationId), "m-") {
		t.Fatalf("no organization: %+v", out)
	}
	_, err = clientFor(url, "AKIAFILEKEY", "guess").ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidSignatureException" {
		t.Fatalf("wrong secret: %v", err)
	}
	for token, want := range map[string]int{"": http.StatusUnauthorized, "tok": http.StatusOK} {
		req, _ := http.NewRequest(http.MethodPost, url+"/_workmaild/reset", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("reset with token %q: %d, want %d", token, resp.StatusCode, want)
		}
	}
	logs := stop()
	if strings.Contains(logs, "NOT verified") || strings.Contains(logs, "file-secret") || strings.Contains(logs, "tok\"") {
		t.Fatalf("strict mode log warns of lenient mode or shows a secret:\n%s", logs)
	}
}

func TestServeLenientWarnsOnce(t *testing.T) {
	url, stop := runInProcess(t, nil)
	for range 2 {
		if _, err := clientFor(url, "anything", "anything").ListOrganizations(context.Background(), &workmail.ListOrganizationsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	logs := stop()
	if n := strings.Count(logs, "level=WARN msg=\"authentication is lenient"); n != 1 {
		t.Fatalf("%d lenient warnings, want 1:\n%s", n, logs)
	}
}
