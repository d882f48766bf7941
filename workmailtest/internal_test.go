package workmailtest

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
)

// recordingTB records failures instead of failing the real test, so that
// tests can check that workmailtest fails its caller's test when it must.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	failures []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) record(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, msg)
}

func (r *recordingTB) Errorf(format string, args ...any) { r.record(fmt.Sprintf(format, args...)) }
func (r *recordingTB) Fatal(args ...any)                 { r.record(fmt.Sprint(args...)); runtime.Goexit() }
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.record(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// failures runs f as a test body would run, and returns what it reported.
func (r *recordingTB) run(f func()) []string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures
}

func TestInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		opt    Option
		option string
	}{
		{WithAccount("not-an-account"), "WithAccount"},
		{WithAccount("12345678901"), "WithAccount"},
		{WithRegion(""), "WithRegion"},
	} {
		cfg := defaultConfig()
		tc.opt(&cfg)
		s, err := start(t, cfg, "")
		var optErr *OptionError
		if !errors.As(err, &optErr) || optErr.Option != tc.option {
			if s != nil {
				s.close()
			}
			t.Fatalf("start with a bad %s: %v, want an *OptionError", tc.option, err)
		}
	}
}

func TestClientForRefusesABadAccount(t *testing.T) {
	rec := &recordingTB{TB: t}
	s, err := start(rec, defaultConfig(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	failures := rec.run(func() { s.ClientFor("root", "us-east-1") })
	if len(failures) != 1 || !strings.Contains(failures[0], `"root" is not a 12-digit account id`) {
		t.Fatalf("ClientFor with a bad account reported %q", failures)
	}
}

func TestCreateActiveOrganizationFailsTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	s, err := start(rec, defaultConfig(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if failures := rec.run(func() { s.CreateActiveOrganization("taken") }); len(failures) != 0 {
		t.Fatalf("first organization: %q", failures)
	}
	failures := rec.run(func() { s.CreateActiveOrganization("taken") })
	if len(failures) != 1 || !strings.Contains(failures[0], "NameAvailabilityException") {
		t.Fatalf("a taken alias reported %q", failures)
	}
}

// A workmaild bug logged at Error level fails the test; quieter records do
// not.
func TestServerErrorsFailTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	log := slog.New(failOnError{t: rec}).With("request_id", "r-1")
	log.Info("request", "status", 200)
	log.Warn("slow")
	log.Error("panic serving request", "panic", "boom")
	failures := rec.run(func() {})
	if len(failures) != 1 || !strings.Contains(failures[0], "panic serving request request_id=r-1 panic=boom") {
		t.Fatalf("logged failures %q", failures)
	}
}

func TestPersistentStore(t *testing.T) {
	dir := t.TempDir()
	s, err := start(t, defaultConfig(), dir)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Client().CreateOrganization(t.Context(), &workmail.CreateOrganizationInput{Alias: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, server.DataFileName)); err != nil || fi.Size() == 0 {
		t.Fatalf("no database file: %v", err)
	}
	// A new server on the same directory finds what the first one stored.
	again, err := start(t, defaultConfig(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.close()
	if _, err := again.Client().DescribeOrganization(t.Context(), &workmail.DescribeOrganizationInput{OrganizationId: out.OrganizationId}); err != nil {
		t.Fatalf("organization lost with the server: %v", err)
	}
}

func TestWithPersistentStoreUsesTempDir(t *testing.T) {
	var dir string
	t.Run("test", func(t *testing.T) {
		s := NewServer(t, WithPersistentStore())
		s.CreateActiveOrganization("kept")
		dir = s.dataDir
		if _, err := os.Stat(filepath.Join(dir, server.DataFileName)); err != nil {
			t.Fatalf("no database in the test's temporary directory: %v", err)
		}
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the data directory outlived the test: %v", err)
	}
}

func TestIssuePersonalAccessTokenFailsTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	s, err := start(rec, defaultConfig(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	var org string
	rec.run(func() { org = s.CreateActiveOrganization("no-idp") })
	failures := rec.run(func() {
		s.IssuePersonalAccessToken(server.TokenRequest{OrganizationID: org, User: "alice", Name: "laptop", Scopes: []string{"IMAP"}})
	})
	if len(failures) != 1 || !strings.Contains(failures[0], `issuing token "laptop" for alice`) {
		t.Fatalf("issuing without an identity provider reported %q", failures)
	}
}
