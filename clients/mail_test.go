package clients_test

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestMailLogins runs the mail-login suite (clients/mail, Python's imaplib
// and smtplib) against real Dovecot and Postfix started by
// scripts/mailstack: one stack wired to a fresh workmaild, and one wired to
// an address where no workmaild runs, for the temporary failure.
// scripts/mailstack installs the Debian packages when it can (root with
// apt) and fails with the command to run otherwise; nothing is skipped.
func TestMailLogins(t *testing.T) {
	root := repoRoot(t)
	readInputs(t, root)
	bin := buildWorkmaild(t, root)
	env := clientEnv(t, root)
	python := tool(t, "WORKMAILD_PYTHON", "/usr/bin/python3", "Python 3: apt-get install python3")
	srv := startWorkmaild(t, bin)

	up := mailStack(t, root, srv.URL)
	down := mailStack(t, root, "http://"+freeAddr(t)) // no workmaild there
	runPythonTests(t, python, filepath.Join(root, "clients", "mail"), append(env,
		"WORKMAILD_ENDPOINT="+srv.URL,
		"MAIL_IMAP="+up.IMAP, "MAIL_SUBMISSION="+up.Submission,
		"MAIL_DOWN_IMAP="+down.IMAP, "MAIL_DOWN_SUBMISSION="+down.Submission,
	))

	// Not checkServerLog: it asserts that the API scenarios cover every
	// operation, which this suite does not set out to do.
	srv.Stop(t)
}

// mailStackAddrs are the listeners of a running mail stack.
type mailStackAddrs struct{ IMAP, Submission string }

// mailStack starts scripts/mailstack on free loopback ports, wired to
// workmaild at url, in a directory of its own that Dovecot's and Postfix's
// users can reach. It is stopped when the test ends; its logs are shown
// when the test fails.
func mailStack(t *testing.T, root, url string) mailStackAddrs {
	t.Helper()
	dir, err := os.MkdirTemp("", "workmaild-mail-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	addrs := mailStackAddrs{IMAP: freeAddr(t), Submission: freeAddr(t)}
	script := filepath.Join(root, "scripts", "mailstack")
	env := withoutPrefixes(os.Environ(), "WORKMAILD_")
	t.Cleanup(func() {
		if out, err := command(root, env, script, "down", "--dir", dir); err != nil {
			t.Errorf("mailstack down: %v\n%s", err, out)
		}
		if t.Failed() {
			for _, name := range []string{"dovecot.log", "postfix.log"} {
				b, _ := os.ReadFile(filepath.Join(dir, "log", name))
				t.Logf("%s of the stack wired to %s:\n%s", name, url, b)
			}
		}
		os.RemoveAll(dir)
	})
	out, err := command(root, env, script, "up", "--workmaild", url,
		"--imap", addrs.IMAP, "--submission", addrs.Submission, "--dir", dir)
	if err != nil {
		t.Fatalf("mailstack up: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	return addrs
}

// freeAddr is a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
