package main

import (
	"io"
	"testing"
)

// --availability-test-calls (or WORKMAILD_AVAILABILITY_TEST_CALLS) allows
// outbound test calls; the default makes none.
func TestParseServeAvailabilityTestCalls(t *testing.T) {
	none := func(string) string { return "" }
	c, err := parseServe([]string{"--in-memory"}, none, io.Discard)
	if err != nil || c.availabilityTest {
		t.Fatalf("default: %+v, %v", c, err)
	}
	c, err = parseServe([]string{"--in-memory", "--availability-test-calls"}, none, io.Discard)
	if err != nil || !c.availabilityTest {
		t.Fatalf("flag: %+v, %v", c, err)
	}
	c, err = parseServe([]string{"--in-memory"}, func(k string) string {
		return map[string]string{"WORKMAILD_AVAILABILITY_TEST_CALLS": "true"}[k]
	}, io.Discard)
	if err != nil || !c.availabilityTest {
		t.Fatalf("environment: %+v, %v", c, err)
	}
	c, err = parseServe([]string{"--in-memory", "--availability-test-calls=false"}, func(k string) string {
		return map[string]string{"WORKMAILD_AVAILABILITY_TEST_CALLS": "true"}[k]
	}, io.Discard)
	if err != nil || c.availabilityTest {
		t.Fatalf("the command line does not win over the environment: %+v, %v", c, err)
	}
}
