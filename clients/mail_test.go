package clients_test

import (
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// TestMailLogins runs the mail-login suite (clients/mail/logins, Python's imaplib
// and smtplib) against real Dovecot and Postfix started by
// scripts/mailstack, in both of the script's set-ups: as root (Dovecot for
// IMAP, Postfix for submission) and as an unprivileged user (Dovecot for
// both). Each set-up has one stack wired to a fresh workmaild and one wired
// to an address where no workmaild runs, for the temporary failure.
// scripts/mailstack installs the Debian packages when it can (root with
// apt) and fails with the command to run otherwise; nothing is skipped, so
// the test fails when it cannot run as root.
func TestMailLogins(t *testing.T) {
	root, bin, env, python := mailSuite(t, "the Postfix set-up of scripts/mailstack needs root")
	srv := startWorkmaild(t, bin)

	for _, setup := range []struct {
		name, user, submission, accounts string
	}{
		{"postfix", "", "postfix", "2222"},
		{"unprivileged", "nobody", "dovecot", "3333"},
	} {
		t.Run(setup.name, func(t *testing.T) {
			up := mailStack(t, root, setup.user, "--workmaild", srv.URL)
			down := mailStack(t, root, setup.user, "--workmaild", "http://"+freeAddr(t)) // no workmaild there
			runPythonTests(t, python, filepath.Join(root, "clients", "mail", "logins"), append(env,
				"WORKMAILD_ENDPOINT="+srv.URL,
				"MAIL_IMAP="+up.IMAP, "MAIL_SUBMISSION="+up.Submission,
				"MAIL_DOWN_IMAP="+down.IMAP, "MAIL_DOWN_SUBMISSION="+down.Submission,
				"MAIL_SUBMISSION_SERVER="+setup.submission,
				"MAIL_ACCOUNT_PREFIX="+setup.accounts,
			))
		})
	}

	// Not checkServerLog: it asserts that the API scenarios cover every
	// operation, which this suite does not set out to do.
	srv.Stop(t)
}

// TestMailDelivery runs the mail-delivery suite (clients/mail/delivery:
// smtplib sends, imaplib reads) against real Postfix and Dovecot started
// by scripts/mailstack as root, routed by a fresh workmaild's socketmap,
// which asks that Dovecot's doveadm for mailbox sizes.
func TestMailDelivery(t *testing.T) {
	root, bin, env, python := mailSuite(t, "mail delivery needs Postfix, which scripts/mailstack starts as root only")
	socketmap, milter, doveadm := freeAddr(t), freeAddr(t), freeAddr(t)
	const doveadmKey, adminToken = "mail-delivery-test-key", "mail-delivery-admin-token"
	// An admin token guards workmaild's internal endpoints here: Dovecot's
	// databases must send it (mailstack --admin-token).
	srv := startWorkmaild(t, bin, "--socketmap-addr", socketmap, "--milter-addr", milter, "--admin-token", adminToken,
		"--doveadm-url", "http://"+doveadm, "--doveadm-api-key", doveadmKey)
	stack := mailStack(t, root, "", "--workmaild", srv.URL, "--admin-token", adminToken,
		"--socketmap", socketmap, "--milter", milter, "--doveadm", doveadm, "--doveadm-key", doveadmKey)
	runPythonTests(t, python, filepath.Join(root, "clients", "mail", "delivery"), append(env,
		"WORKMAILD_ENDPOINT="+srv.URL,
		"MAIL_IMAP="+stack.IMAP, "MAIL_SUBMISSION="+stack.Submission, "MAIL_SMTP="+stack.SMTP,
	))
	srv.Stop(t) // not checkServerLog: see TestMailLogins
}

// mailSuite is what a mail suite needs, as root (why says why): the
// repository, the workmaild binary, the clients' environment and Python.
func mailSuite(t *testing.T, why string) (root, bin string, env []string, python string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal(why + ": run ./scripts/test as root")
	}
	root = repoRoot(t)
	readInputs(t, root)
	bin = buildWorkmaild(t, root)
	env = clientEnv(t, root)
	python = tool(t, "WORKMAILD_PYTHON", "/usr/bin/python3", "Python 3: apt-get install python3")
	return root, bin, env, python
}

// mailStackAddrs are the listeners of a running mail stack.
type mailStackAddrs struct{ IMAP, Submission, SMTP string }

// mailStack starts scripts/mailstack on free loopback ports with the given
// options (--workmaild URL, ...), in a directory of its own that Dovecot's
// and Postfix's users can reach; as the user asUser unless that is "". It
// is stopped when the test ends; its logs are shown when the test fails.
func mailStack(t *testing.T, root, asUser string, options ...string) mailStackAddrs {
	t.Helper()
	dir, err := os.MkdirTemp("", "workmaild-mail-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "scripts", "mailstack")
	run := func(args ...string) ([]byte, error) {
		env := withoutPrefixes(os.Environ(), "WORKMAILD_")
		if asUser == "" {
			return command(root, env, script, args...)
		}
		return command(root, env, "runuser", append([]string{"-u", asUser, "--", script}, args...)...)
	}
	if asUser != "" {
		u, err := user.Lookup(asUser)
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	addrs := mailStackAddrs{IMAP: freeAddr(t), Submission: freeAddr(t), SMTP: freeAddr(t)}
	t.Cleanup(func() {
		if out, err := run("down", "--dir", dir); err != nil {
			t.Errorf("mailstack down: %v\n%s", err, out)
		}
		if t.Failed() {
			for _, name := range []string{"dovecot.log", "postfix.log"} {
				if b, err := os.ReadFile(filepath.Join(dir, "log", name)); err == nil {
					t.Logf("%s of the stack %v:\n%s", name, options, b)
				}
			}
		}
		os.RemoveAll(dir)
	})
	out, err := run(append([]string{"up", "--imap", addrs.IMAP, "--submission", addrs.Submission, "--smtp", addrs.SMTP, "--dir", dir}, options...)...)
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
