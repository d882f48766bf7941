package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// backend answers its name to every request.
func backend(t *testing.T, name string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		io.WriteString(w, name+":"+string(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, c *http.Client, url, body string) string {
	t.Helper()
	resp, err := c.Post(url, "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// Each new connection goes to the next backend; a keep-alive connection
// stays on its own.
func TestBalancerRoundRobinByConnection(t *testing.T) {
	a, b := backend(t, "a"), backend(t, "b")
	lb, err := newBalancer([]string{strings.TrimPrefix(a.URL, "http://"), strings.TrimPrefix(b.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	defer lb.close()
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var got []string
	for i := range 4 {
		got = append(got, get(t, fresh, lb.url(), strings.Repeat("x", i)))
	}
	if want := []string{"a:", "b:x", "a:xx", "b:xxx"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("new connections answered %q, want %q", got, want)
	}
	kept := &http.Client{Transport: &http.Transport{}}
	first := get(t, kept, lb.url(), "")
	for range 5 {
		if again := get(t, kept, lb.url(), ""); again != first {
			t.Fatalf("a keep-alive connection moved from %q to %q", first, again)
		}
	}
	kept.CloseIdleConnections()
}

// A body larger than a socket buffer crosses whole, both ways.
func TestBalancerCopiesLargeBodies(t *testing.T) {
	a := backend(t, "a")
	lb, err := newBalancer([]string{strings.TrimPrefix(a.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	defer lb.close()
	body := strings.Repeat("0123456789", 100000)
	if got := get(t, http.DefaultClient, lb.url(), body); got != "a:"+body {
		t.Errorf("answer of %d bytes, want %d", len(got), len(body)+2)
	}
}

// close cuts the connections open through the balancer and refuses new ones.
func TestBalancerClose(t *testing.T) {
	a := backend(t, "a")
	lb, err := newBalancer([]string{strings.TrimPrefix(a.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	kept := &http.Client{Transport: &http.Transport{}}
	get(t, kept, lb.url(), "")
	lb.close() // returns: the kept connection was cut
	if _, err := kept.Post(lb.url(), "text/plain", nil); err == nil {
		t.Error("a request through a closed balancer succeeded")
	}
}

// A backend that is gone closes the client's connection.
func TestBalancerDeadBackend(t *testing.T) {
	a := backend(t, "a")
	addr := strings.TrimPrefix(a.URL, "http://")
	a.Close()
	lb, err := newBalancer([]string{addr})
	if err != nil {
		t.Fatal(err)
	}
	defer lb.close()
	if _, err := http.Post(lb.url(), "text/plain", nil); err == nil {
		t.Error("a request to a dead backend succeeded")
	}
}
