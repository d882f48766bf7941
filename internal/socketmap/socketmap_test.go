package socketmap_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/socketmap"
)

// start serves a map of a few keys on a loopback listener.
func start(t *testing.T, s *socketmap.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; !errors.Is(err, socketmap.ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return ln.Addr().String()
}

func lookup(_ context.Context, name, key string) (string, error) {
	switch {
	case name == "users" && key == "alice@example.com":
		return "alice", nil
	case name == "users" && key == "big":
		return strings.Repeat("x", socketmap.MaxMessage), nil
	case name == "users" && key == "broken":
		return "", errors.New("database down")
	case name == "users" && key == "refused":
		return "", &socketmap.PermanentError{Reason: "no\nway"}
	}
	return "", socketmap.ErrNotFound
}

func TestRequestsOnOneConnection(t *testing.T) {
	addr := start(t, &socketmap.Server{Lookup: lookup})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, tc := range []struct{ req, want string }{
		{"users alice@example.com", "OK alice"},
		{"users bob@example.com", "NOTFOUND "},
		{"groups alice@example.com", "NOTFOUND "},
		{"users broken", "TEMP lookup failed; try again"},
		{"users refused", "PERM no way"},
		{"users big", "PERM reply too long"},
		{"nokey", "PERM request must be <name> <space> <key>"},
		{"users key with spaces", "NOTFOUND "},
	} {
		if err := socketmap.WriteNetstring(conn, tc.req); err != nil {
			t.Fatal(err)
		}
		got, err := socketmap.ReadNetstring(r)
		if err != nil || got != tc.want {
			t.Errorf("%q: %q %v, want %q", tc.req, got, err, tc.want)
		}
	}
}

// TestMalformedInput: a connection that sends something other than a
// netstring is closed; the server goes on serving others.
func TestMalformedInput(t *testing.T) {
	addr := start(t, &socketmap.Server{Lookup: lookup})
	for _, bad := range []string{
		"abc", "5:users;", "01:x,", "-1:x,", "999999999:", "23:users alice@example.com;",
		":x,", "3:abc", "\x00\x00",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, bad); err != nil {
			t.Fatal(err)
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			tcp.CloseWrite()
		}
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		rest, err := io.ReadAll(conn)
		conn.Close()
		if err != nil || len(rest) != 0 {
			t.Errorf("%q: answered %q (%v), want the connection closed", bad, rest, err)
		}
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	socketmap.WriteNetstring(conn, "users alice@example.com")
	if got, err := socketmap.ReadNetstring(bufio.NewReader(conn)); err != nil || got != "OK alice" {
		t.Fatalf("after malformed clients: %q %v", got, err)
	}
}

func TestIdleConnectionIsClosed(t *testing.T) {
	addr := start(t, &socketmap.Server{Lookup: lookup, IdleTimeout: 50 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: read %d, %v; want EOF", n, err)
	}
}

func TestReadNetstring(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{"0:,", "", false},
		{"3:abc,", "abc", false},
		{"3:abcd", "", true},
		{"100001:", "", true},
		{"x:", "", true},
		{"12", "", true},
	} {
		got, err := socketmap.ReadNetstring(bufio.NewReader(strings.NewReader(tc.in)))
		if tc.bad != errors.Is(err, socketmap.ErrMalformed) || got != tc.want {
			t.Errorf("%q: %q %v", tc.in, got, err)
		}
	}
}
