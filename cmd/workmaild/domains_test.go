package main

import (
	"io"
	"testing"
	"time"
)

// --domain-verification-delay (or WORKMAILD_DOMAIN_VERIFICATION_DELAY)
// reaches the server's lifecycle; a negative one is refused.
func TestParseServeDomainVerificationDelay(t *testing.T) {
	c, err := parseServe([]string{"--in-memory", "--domain-verification-delay", "90s"}, func(string) string { return "" }, io.Discard)
	if err != nil || c.domainDelay != 90*time.Second {
		t.Fatalf("flag: %+v, %v", c, err)
	}
	c, err = parseServe([]string{"--in-memory"}, func(k string) string {
		return map[string]string{"WORKMAILD_DOMAIN_VERIFICATION_DELAY": "2m"}[k]
	}, io.Discard)
	if err != nil || c.domainDelay != 2*time.Minute {
		t.Fatalf("environment: %+v, %v", c, err)
	}
	c, err = parseServe([]string{"--in-memory"}, func(string) string { return "" }, io.Discard)
	if err != nil || c.domainDelay != 0 {
		t.Fatalf("default: %+v, %v", c, err)
	}
	if _, err := parseServe([]string{"--in-memory", "--domain-verification-delay", "-1s"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Fatal("a negative delay was accepted")
	}
}
