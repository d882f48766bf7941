package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/google/pprof/profile"

	"github.com/workmaild/workmaild/internal/sdktransport"
)

// buildBinary builds workmaild once per test into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "workmaild")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// process is a running workmaild binary.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *strings.Builder // complete only once the process was waited for
}

// start runs the binary and waits for its "listening on" line.
func start(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &strings.Builder{}
	cmd.Stderr = stderr // read only after Wait, when the copying has stopped
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("workmaild %s stderr:\n%s", strings.Join(args, " "), stderr.String()[max(0, stderr.Len()-3000):])
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v", err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "workmaild listening on ")
	if !ok {
		t.Fatalf("unexpected first line %q", line)
	}
	go io.Copy(io.Discard, stdout)
	return &process{cmd: cmd, url: url, stderr: stderr}
}

func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("workmaild did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("workmaild did not stop within 10s of SIGTERM")
	}
}

func (p *process) client() *workmail.Client {
	return workmail.New(workmail.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(p.url),
		Credentials:  credentials.NewStaticCredentialsProvider("123456789012", "secret", ""),
		HTTPClient:   sdktransport.Client(nil),
	})
}

func TestServeRestartKeepsState(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	ctx := context.Background()

	p := start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	resp, err := http.Get(p.url + "/_workmaild/health")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()
	out, err := p.client().CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("survivor")})
	if err != nil {
		t.Fatal(err)
	}
	p.stop(t)

	// Flags from the environment: WORKMAILD_ADDR and WORKMAILD_DATA_DIR.
	p = start(t, bin, []string{"WORKMAILD_ADDR=127.0.0.1:0", "WORKMAILD_DATA_DIR=" + dir}, "serve")
	d, err := p.client().DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: out.OrganizationId})
	if err != nil || aws.ToString(d.Alias) != "survivor" {
		t.Fatalf("state lost across restart: %+v, %v", d, err)
	}
	p.stop(t)
	if _, err := os.Stat(filepath.Join(dir, "workmaild.db")); err != nil {
		t.Fatalf("no database in the data dir: %v", err)
	}
}

func TestServeInMemoryKeepsNothing(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	p := start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--in-memory", "--data-dir", dir)
	if _, err := p.client().CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{Alias: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	p.stop(t)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("--in-memory wrote %d files", len(entries))
	}
}

func TestParseServe(t *testing.T) {
	env := map[string]string{"HOME": "/home/u", "WORKMAILD_LOG_LEVEL": "warn", "WORKMAILD_ADDR": "0.0.0.0:1"}
	c, err := parseServe([]string{"--addr", "127.0.0.1:9"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != "127.0.0.1:9" || c.logLevel != "warn" || c.dataDir != filepath.Join("/home/u", ".local", "share", "workmaild") {
		t.Fatalf("flags/env/defaults wrong: %+v", c)
	}
	if c.inMemory {
		t.Fatal("the store is persistent by default")
	}
	c, err = parseServe(nil, func(k string) string {
		return map[string]string{"HOME": "/home/u", "WORKMAILD_IN_MEMORY": "true"}[k]
	}, io.Discard)
	if err != nil || !c.inMemory {
		t.Fatalf("WORKMAILD_IN_MEMORY=true: %+v, %v", c, err)
	}
	c, err = parseServe([]string{"--doveadm-url", "http://127.0.0.1:8080"}, func(k string) string {
		return map[string]string{"HOME": "/home/u", "WORKMAILD_DOVEADM_API_KEY": "key-from-env"}[k]
	}, io.Discard)
	if err != nil || c.doveadmAPIKey != "key-from-env" {
		t.Fatalf("--doveadm-url with WORKMAILD_DOVEADM_API_KEY: %+v, %v", c, err)
	}
	for _, bad := range [][]string{{"--default-account", "abc"}, {"--nope"}, {"extra"},
		{"--doveadm-url", "http://127.0.0.1:8080"}, {"--doveadm-url", "127.0.0.1:8080", "--doveadm-api-key", "k"}} {
		if _, err := parseServe(bad, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if code := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
}

// --cpu-profile writes a CPU profile of the run, finished on shutdown.
func TestServeWritesCPUProfile(t *testing.T) {
	bin := buildBinary(t)
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	p := start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--in-memory", "--cpu-profile", path)
	if _, err := p.client().CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{Alias: aws.String("profiled")}); err != nil {
		t.Fatal(err)
	}
	p.stop(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prof, err := profile.Parse(f)
	if err != nil {
		t.Fatalf("not a pprof profile: %v", err)
	}
	if len(prof.SampleType) == 0 || prof.SampleType[len(prof.SampleType)-1].Type != "cpu" {
		t.Fatalf("not a CPU profile: sample types %v", prof.SampleType)
	}
}

// A profile that cannot be written stops the server before it listens.
func TestServeRefusesAnUnwritableCPUProfile(t *testing.T) {
	var stdout, stderr strings.Builder
	path := filepath.Join(t.TempDir(), "missing", "cpu.pprof")
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--in-memory", "--cpu-profile", path},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "--cpu-profile") || strings.Contains(stdout.String(), "listening") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
