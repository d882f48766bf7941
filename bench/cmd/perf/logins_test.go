package main

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	var xs []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		xs = append(xs, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.50, 51 * time.Millisecond}, {0.99, 100 * time.Millisecond}, {1, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := quantile(xs, c.q); got != c.want {
			t.Errorf("quantile(1..100 ms, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	if xs[0] != 100*time.Millisecond {
		t.Error("quantile sorted its argument")
	}
	if got := quantile(nil, 0.5); got != 0 {
		t.Errorf("quantile(nil) = %v, want 0", got)
	}
}

func TestIMAPQuote(t *testing.T) {
	if got, want := imapQuote(`a"b\c`), `"a\"b\\c"`; got != want {
		t.Errorf("imapQuote = %s, want %s", got, want)
	}
}

func TestReadTagged(t *testing.T) {
	ok := "* CAPABILITY IMAP4rev1\r\na OK [CAPABILITY IMAP4rev1] Logged in\r\n"
	if err := readTagged(bufio.NewReader(strings.NewReader(ok)), "a"); err != nil {
		t.Errorf("readTagged(OK) = %v", err)
	}
	no := "* OK still here\r\na NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
	if err := readTagged(bufio.NewReader(strings.NewReader(no)), "a"); err == nil || !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") {
		t.Errorf("readTagged(NO) = %v, want the refusal", err)
	}
	if err := readTagged(bufio.NewReader(strings.NewReader("* BYE\r\n")), "a"); err == nil {
		t.Error("readTagged without a tagged answer succeeded")
	}
}
