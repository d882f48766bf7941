package clients_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// repoRoot is the directory holding go.mod (the test runs in clients/).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s: %v", root, err)
	}
	return root
}

// buildWorkmaild builds the real binary from cmd/workmaild.
func buildWorkmaild(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "workmaild")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/workmaild")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/workmaild: %v\n%s", err, out)
	}
	return bin
}

// workmaild is a running workmaild binary.
type workmaild struct {
	URL  string
	Log  *lockedBuffer // its JSON log, one record a line
	stop func() error  // SIGTERM, then wait; only the first call acts
}

// Stop stops the server and waits until it has exited and its whole log
// has been read. It fails the test unless the server exits cleanly.
func (w *workmaild) Stop(t *testing.T) {
	t.Helper()
	if err := w.stop(); err != nil {
		t.Error(err)
	}
}

// startWorkmaild runs `workmaild serve` on a free loopback port with a
// fresh data directory and returns once it listens. The server is stopped
// when the test ends if not before; its log is shown when the test fails.
func startWorkmaild(t *testing.T, bin string, extra ...string) *workmaild {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-format", "json"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = withoutPrefixes(os.Environ(), "WORKMAILD_")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	log := &lockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	w := &workmaild{Log: log}
	w.stop = sync.OnceValue(func() error {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return fmt.Errorf("stopping workmaild: %w", err)
		}
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("workmaild exited with %w", err)
			}
			return nil
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			return errors.New("workmaild did not stop within 15s of SIGTERM")
		}
	})
	t.Cleanup(func() {
		w.Stop(t)
		if t.Failed() {
			t.Logf("workmaild log:\n%s", log.String())
		}
	})
	lines := bufio.NewReader(stdout)
	line, err := lines.ReadString('\n')
	go func() {
		io.Copy(io.Discard, lines)
		done <- cmd.Wait()
	}()
	if err != nil {
		t.Fatalf("workmaild printed no listening line: %v\n%s", err, log.String())
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "workmaild listening on ")
	if !ok {
		t.Fatalf("unexpected first line from workmaild: %q", line)
	}
	w.URL = url
	return w
}

// withoutPrefixes is env without the variables whose names start with any
// of the prefixes.
func withoutPrefixes(env []string, prefixes ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}

// lockedBuffer collects a child's output written from another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
