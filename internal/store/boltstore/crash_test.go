package boltstore_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
)

const (
	crashChildEnv = "BOLTSTORE_CRASH_CHILD_DB"    // db path; set only in the child
	crashRoundEnv = "BOLTSTORE_CRASH_CHILD_ROUND" // distinguishes keys per round
	crashWriters  = 8
	crashRounds   = 5
	// companions are written with every acknowledged key in the same
	// Update, so the parent can check atomicity as well as durability.
	companions = 8
)

func crashPartition() store.Partition {
	return store.Partition{Account: "111111111111", Region: "us-east-1"}
}

// crashValue is large enough that commits span several pages, so a kill
// lands in the middle of writing them often.
func crashValue(key string) []byte {
	return bytes.Repeat([]byte(key+";"), 1+2000/(len(key)+1))
}

// crashChild runs in the re-executed test binary: concurrent writers Update
// forever and print "ack KEY" once each Update has returned nil. The parent
// kills the process with SIGKILL, so this returns only on failure.
func crashChild(path, round string) {
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return
	}
	var out sync.Mutex
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("r%s-w%d-%06d", round, w, i)
				err := s.Update(context.Background(), crashPartition(), func(tx store.Tx) error {
					for j := range companions {
						if err := tx.Put("companions", fmt.Sprintf("%s/%d", key, j), crashValue(key)); err != nil {
							return err
						}
					}
					return tx.Put("acked", key, crashValue(key))
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, "child update:", err)
					return
				}
				out.Lock()
				// One write(2) per line: a line is either whole or absent.
				_, err = os.Stdout.WriteString("ack " + key + "\n")
				out.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Go(func() { mailboxCrashWriter(s, round, &out) }) // crash_mailboxes_test.go
	wg.Wait()
}

// TestCrashKeepsAcknowledgedWrites SIGKILLs a writer process mid-stream,
// reopens the file and checks that every Update the child saw acknowledged
// is there in full, and that no Update is there in part. It repeats on the
// same file, so later rounds also open files left by earlier kills.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	var acked []string
	mailboxWrites := 0
	for round := range crashRounds {
		acked = append(acked, runCrashRound(t, path, round, 100+50*round)...)
		verifyAfterCrash(t, path, acked)
		mailboxWrites = verifyMailboxesAfterCrash(t, path, acked)
	}
	if mailboxWrites == 0 {
		t.Fatal("the child acknowledged no mailbox write")
	}
	t.Logf("%d mailbox writes acknowledged", mailboxWrites)
}

// runCrashRound starts a child writer, kills it after `after`
// acknowledgements and returns every key the child acknowledged.
func runCrashRound(t *testing.T, path string, round, after int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, fmt.Sprintf("%s=%d", crashRoundEnv, round))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Never wait on a child that stopped acknowledging.
	watchdog := time.AfterFunc(15*time.Second, func() { _ = cmd.Process.Kill() })
	defer watchdog.Stop()

	var keys []string
	killed := false
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		key, ok := strings.CutPrefix(lines.Text(), "ack ")
		if !ok {
			t.Fatalf("round %d: unexpected child output %q", round, lines.Text())
		}
		keys = append(keys, key)
		if len(keys) == after && !killed {
			// Keep reading after the kill: lines the child wrote before
			// dying were acknowledged too.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !killed || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("round %d: child was not killed by us after %d acks (wait: %v)\nstderr:\n%s", round, len(keys), err, stderr.String())
	}
	return keys
}

// verifyAfterCrash reopens the store and checks durability of every
// acknowledged key and atomicity of every Update that made it to disk.
func verifyAfterCrash(t *testing.T, path string, acked []string) {
	t.Helper()
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer mustClose(t, s)
	err = s.View(context.Background(), crashPartition(), func(r store.Reader) error {
		for _, key := range acked {
			if isMailboxAck(key) {
				continue
			}
			if v, err := r.Get("acked", key); err != nil || !bytes.Equal(v, crashValue(key)) {
				return fmt.Errorf("acknowledged %s: %d bytes, %v", key, len(v), err)
			}
		}
		// Every Update on disk, acknowledged or not, is there in full.
		err := r.Scan("acked", "", "", 0, func(key string, _ []byte) (bool, error) {
			for j := range companions {
				c, err := r.Get("companions", fmt.Sprintf("%s/%d", key, j))
				if err != nil || !bytes.Equal(c, crashValue(key)) {
					return false, fmt.Errorf("%s on disk without companion %d: %v", key, j, err)
				}
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		return r.Scan("companions", "", "", 0, func(id string, _ []byte) (bool, error) {
			key, _, _ := strings.Cut(id, "/")
			if _, err := r.Get("acked", key); err != nil {
				return false, fmt.Errorf("companion %s on disk without its key: %v", id, err)
			}
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
