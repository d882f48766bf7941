package connwatch

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve runs an http.Server with h behind a Watcher with t.
func serve(tb testing.TB, t Timeouts, h http.Handler) (*Watcher, string) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	w := Listen(ln, t)
	srv := &http.Server{Handler: h, ConnState: w.ConnState}
	go srv.Serve(w)
	tb.Cleanup(func() { srv.Close() })
	return w, ln.Addr().String()
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, "ok")
})

func short(d time.Duration) Timeouts { return Timeouts{ReadHeader: d, Read: d, Write: d, Idle: d} }

// closed reports whether the server closes conn within d.
func closed(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// A connection that keeps working is never cut, however long it lives:
// every timeout measures one phase of one request, not the connection.
func TestBusyConnectionOutlivesEveryTimeout(t *testing.T) {
	_, addr := serve(t, short(100*time.Millisecond), ok)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	end := time.Now().Add(time.Second)
	n := 0
	for time.Now().Before(end) {
		if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
			t.Fatalf("request %d: %v", n, err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("request %d, %v into the connection: %v", n, time.Since(end.Add(-time.Second)), err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		n++
		time.Sleep(30 * time.Millisecond) // idle, but well within the idle timeout
	}
	if n < 10 {
		t.Fatalf("only %d requests in a second", n)
	}
}

// The header timeout of a kept-alive connection's next request starts
// with that request's first byte, not when the connection went idle.
func TestHeaderClockStartsWithTheRequest(t *testing.T) {
	to := Timeouts{ReadHeader: 300 * time.Millisecond, Read: time.Minute, Write: time.Minute, Idle: time.Minute}
	_, addr := serve(t, to, ok)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	get := func() error {
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	if err := get(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond) // idle for twice the header timeout
	if err := get(); err != nil {
		t.Fatalf("a request after an idle wait was cut: %v", err)
	}
	// Headers begun and never finished are cut.
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\n"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if !closed(conn, 3*time.Second) {
		t.Fatal("unfinished headers kept the connection")
	}
	if took := time.Since(start); took < to.ReadHeader {
		t.Fatalf("cut after %v, before the %v header timeout", took, to.ReadHeader)
	}
}

// A fresh connection that sends nothing is held to the header timeout.
func TestSilentConnectionIsCut(t *testing.T) {
	_, addr := serve(t, Timeouts{ReadHeader: 200 * time.Millisecond, Read: time.Minute, Write: time.Minute, Idle: time.Minute}, ok)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if !closed(conn, 3*time.Second) {
		t.Fatal("a connection that never sent a byte was kept")
	}
}

// Closed connections are forgotten, and closing the listener stops the
// sweeper.
func TestClosedConnectionsAreForgotten(t *testing.T) {
	w, addr := serve(t, short(time.Minute), ok)
	for range 20 {
		resp, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(3 * time.Second)
	for {
		w.mu.Lock()
		n := len(w.conns)
		w.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d closed connections still watched", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.stop:
	default:
		t.Fatal("closing the listener left the sweeper running")
	}
}

func TestSweepInterval(t *testing.T) {
	for _, tc := range []struct {
		t    Timeouts
		want time.Duration
	}{
		{Timeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Write: time.Minute, Idle: 2 * time.Minute}, time.Second},
		{short(200 * time.Millisecond), 50 * time.Millisecond},
		{short(time.Millisecond), minSweep},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		w := Listen(ln, tc.t)
		if w.sweep != tc.want {
			t.Errorf("%+v: sweep every %v, want %v", tc.t, w.sweep, tc.want)
		}
		w.Close()
	}
}
