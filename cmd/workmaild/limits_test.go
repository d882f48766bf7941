package main

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveLimited serves h with l on a loopback listener and returns its
// address.
func serveLimited(t *testing.T, l httpLimits, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := l.server(h, slog.New(slog.DiscardHandler))
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// testLimits are long enough never to fire in a test; each test shortens
// the one it checks, so that it fails if that one is not applied.
func testLimits() httpLimits {
	const long = time.Minute
	return httpLimits{maxHeaderBytes: 1 << 10, readHeaderTimeout: long, readTimeout: long, writeTimeout: long, idleTimeout: long}
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.WriteHeader(http.StatusOK)
})

// closedWithin reports whether the server closes conn within d (reading
// whatever it sends first).
func closedWithin(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func TestMaxHeaderBytes(t *testing.T) {
	addr := serveLimited(t, testLimits(), okHandler)
	get := func(headerSize int) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", headerSize))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(100); s != http.StatusOK {
		t.Fatalf("small headers: %d", s)
	}
	// Go allows 4 KiB of slack over MaxHeaderBytes; 64 KiB is far over.
	if s := get(64 << 10); s != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("huge headers: %d, want 431", s)
	}
}

func TestReadHeaderTimeoutClosesSlowClients(t *testing.T) {
	l := testLimits()
	l.readHeaderTimeout = 200 * time.Millisecond
	addr := serveLimited(t, l, okHandler)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers that never end.
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	if !closedWithin(conn, 2*time.Second) {
		t.Fatal("a client that never finishes its headers kept the connection")
	}
}

func TestReadTimeoutStopsSlowBodies(t *testing.T) {
	l := testLimits()
	l.readTimeout = 300 * time.Millisecond
	bodyErr := make(chan error, 1)
	addr := serveLimited(t, l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		bodyErr <- err
	}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A body announced but never sent.
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-bodyErr:
		if err == nil {
			t.Fatal("reading a body that never came succeeded")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the handler still waits for a body past the read timeout")
	}
}

func TestWriteTimeoutCutsSlowResponses(t *testing.T) {
	l := testLimits()
	l.writeTimeout = 200 * time.Millisecond
	addr := serveLimited(t, l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(600 * time.Millisecond)
		w.WriteHeader(http.StatusOK)
	}))
	resp, err := http.Get("http://" + addr + "/")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a response written after the write timeout arrived: %d", resp.StatusCode)
	}
}

func TestIdleTimeoutClosesKeepAlives(t *testing.T) {
	l := testLimits()
	l.idleTimeout = 200 * time.Millisecond
	addr := serveLimited(t, l, okHandler)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("first request: %v %v", resp, err)
	}
	resp.Body.Close()
	if !closedWithin(conn, 2*time.Second) {
		t.Fatal("an idle keep-alive connection outlived the idle timeout")
	}
}

func TestLimitFlags(t *testing.T) {
	c, err := parseServe([]string{"--in-memory", "--max-header-bytes", "2048", "--read-header-timeout", "1s",
		"--read-timeout", "2s", "--write-timeout", "3s", "--idle-timeout", "4s"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := c.limits.server(okHandler, slog.New(slog.DiscardHandler))
	if srv.MaxHeaderBytes != 2048 || srv.ReadHeaderTimeout != time.Second || srv.ReadTimeout != 2*time.Second ||
		srv.WriteTimeout != 3*time.Second || srv.IdleTimeout != 4*time.Second {
		t.Fatalf("flags not applied: %+v", srv)
	}
	for _, bad := range [][]string{
		{"--max-header-bytes", "0"}, {"--read-header-timeout", "0s"}, {"--read-timeout", "-1s"},
		{"--write-timeout", "0"}, {"--idle-timeout", "0s"}, {"--max-body-bytes", "0"},
	} {
		if _, err := parseServe(append([]string{"--in-memory"}, bad...), func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// The binary holds its connections to the timeout flags: a client that
// never finishes its headers, or idles after a request, is disconnected.
func TestServeAppliesTimeoutFlags(t *testing.T) {
	bin := buildBinary(t)
	p := start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--in-memory",
		"--read-header-timeout", "200ms", "--idle-timeout", "200ms")
	addr := strings.TrimPrefix(p.url, "http://")

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if _, err := io.WriteString(slow, "POST / HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	if !closedWithin(slow, 3*time.Second) {
		t.Fatal("a client that never finishes its headers kept the connection")
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if _, err := io.WriteString(idle, "GET /_workmaild/health HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !closedWithin(idle, 3*time.Second) {
		t.Fatal("an idle keep-alive connection outlived --idle-timeout")
	}
}
