package main

import (
	"fmt"
	"testing"
)

// Which patterns take the ASCII fast path: only rows of ASCII runs that a
// greedy scan decides exactly; everything else stays with the regexp.
func TestASCIIRuns(t *testing.T) {
	tests := []struct {
		expr string
		want string // the runs as ranges{min,max}, "" when refused
	}{
		{`^m-[0-9a-f]{32}$`, "mm{1,1} --{1,1} 09af{32,32}"},
		{`[a-zA-Z0-9_-]+`, "--09AZ__az{1,-1}"},
		{`\d{1,3}x?`, "09{1,3} xx{0,1}"},
		{`[a-z]*-\w+`, "az{0,-1} --{1,1} 09AZ__az{1,-1}"},
		{`ab`, "aa{1,1} bb{1,1}"},
		// Greedy would be wrong: the next run could take the same byte.
		{`[a-z]+a`, ""},
		{`[a-z]*-?[a-z]`, ""},
		{`\d+\d`, ""},
		// Outside the subset.
		{`[\x{20}-\x{ff}]+`, ""},
		{`é`, ""},
		{`(sso)?ins`, ""},
		{`^$|^a$`, ""},
		{`a.b`, ""},
		{`(?i)a`, ""},
		{`a^b`, ""},
	}
	for _, tt := range tests {
		runs, ok := asciiRuns(tt.expr)
		got := ""
		if ok {
			for i, r := range runs {
				if i > 0 {
					got += " "
				}
				got += fmt.Sprintf("%s{%d,%d}", r.ranges(), r.min, r.max)
			}
		}
		if got != tt.want {
			t.Errorf("asciiRuns(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}
