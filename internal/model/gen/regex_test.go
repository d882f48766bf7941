package main

import (
	"regexp"
	"testing"

	"github.com/dlclark/regexp2"
)

// The translation must give ECMA-262's answers. Each case states the
// answer ECMA-262 gives (a value matching the pattern as a whole) and the
// engine the pattern should land on; every case that RE2 can run is also run
// on the regexp2 translation, so the two engines are checked against each
// other as well as against the stated answer.
func TestTranslatePattern(t *testing.T) {
	tests := []struct {
		pattern string
		engine  engine
		value   string
		want    bool
	}{
		// \s and \S use ECMA's whitespace, not RE2's or .NET's.
		{`\s`, engineRE2, "\u00a0", true},
		{`\s`, engineRE2, "\v", true},
		{`\s`, engineRE2, "\ufeff", true},
		{`\s`, engineRE2, "\u2029", true},
		{`\s`, engineRE2, "\u0085", false}, // NEL is not ECMA whitespace
		{`\s`, engineRE2, "\u180e", false}, // no longer whitespace since ES2016
		{`\S`, engineRE2, "a", true},
		{`\S`, engineRE2, "\u3000", false},
		{`\S`, engineRE2, "😀", true},
		{`[\s\S]`, engineRE2, "\n", true},
		{`[\S\s]+`, engineRE2, "a\u2028😀\x00", true},
		{`[^\s]`, engineRE2, " ", false},
		{`[^\S]`, engineRE2, " ", true},
		{`[^\S]`, engineRE2, "a", false},
		// '.' excludes exactly the four line terminators.
		{`a.c`, engineRE2, "abc", true},
		{`.`, engineRE2, "\n", false},
		{`.`, engineRE2, "\r", false},
		{`.`, engineRE2, "\u2028", false},
		{`.`, engineRE2, "\u0085", true},
		{`.`, engineRE2, "😀", true},
		{`[.]`, engineRE2, "a", false},
		// \uXXXX and \xXX.
		{`[\u0020-\u00FF]+`, engineRE2, "Grüße ÿ", true},
		{`[\u0020-\u00FF]+`, engineRE2, "Ā", false},
		{`[\u0020-\u00FF]+`, engineRE2, "\x1f", false},
		{`\x41\u0042`, engineRE2, "AB", true},
		{`[^\x00-\x1F\x7F]+`, engineRE2, "a\tb", false},
		// Whole-value matching, and ECMA's strict $.
		{`abc`, engineRE2, "xabc", false},
		{`a|ab`, engineRE2, "ab", true},
		{`^m-[0-9a-f]{2}$`, engineRE2, "m-0a\n", false},
		{`^$|^a$`, engineRE2, "", true},
		// \d and \w are ASCII-only in both dialects.
		{`\w+`, engineRE2, "é", false},
		{`\d`, engineRE2, "٣", false},
		// Annex B: identity escapes, '-' next to a class escape, empty classes.
		{`\p`, engineRE2, "p", true},
		{`[\w-.]+`, engineRE2, "a-.", true},
		{`[\w\-.]+`, engineRE2, "a-.", true},
		{`[[]`, engineRE2, "[", true},
		{`a[]`, engineRE2, "a", false},
		{`[^]`, engineRE2, "\n", true},
		{`[\b]`, engineRE2, "\b", true},
		// What RE2 lacks goes to regexp2.
		{`^(?!d-)([\da-zA-Z]+)([-][\da-zA-Z]+)*`, engineECMA, "d-foo", false},
		{`^(?!d-)([\da-zA-Z]+)([-][\da-zA-Z]+)*`, engineECMA, "foo-bar", true},
		{`^(?!d-)([\da-zA-Z]+)([-][\da-zA-Z]+)*`, engineECMA, "foo--bar", false},
		{`^(?!d-)([\da-zA-Z]+)([-][\da-zA-Z]+)*`, engineECMA, "foo\n", false},
		{`(?=a)\w`, engineECMA, "a", true},
		{`(a)\1`, engineECMA, "aa", true},
		{`(a)\1`, engineECMA, "ab", false},
		{`\bfoo\b`, engineECMA, "foo", true},
		{`[a-z]{0,1023}`, engineECMA, "", true},
		{`[a-z]{1,1024}`, engineECMA, "ab", true},
		{`[a-z]{1,1024}`, engineECMA, "a1", false},
		{`(?!x).\s`, engineECMA, "a\u00a0", true},
		{`(?!x).\s`, engineECMA, "a\u0085", false},
		{`(?!x).`, engineECMA, "\u2028", false},
		{`(?!x)[\S]`, engineECMA, "😀", true},
		{`(?!x)[\u0020-\u00FF]`, engineECMA, "Ā", false},
	}
	for _, tc := range tests {
		p, err := translatePattern(tc.pattern)
		if err != nil {
			t.Errorf("translatePattern(%q): %v", tc.pattern, err)
			continue
		}
		if p.engine != tc.engine {
			t.Errorf("translatePattern(%q) runs on engine %d, want %d", tc.pattern, p.engine, tc.engine)
		}
		if p.engine == engineRE2 {
			if got := re2Match(t, p.expr, tc.value); got != tc.want {
				t.Errorf("RE2 %q (from %q) on %q = %v, want %v", p.expr, tc.pattern, tc.value, got, tc.want)
			}
		}
		ecma, _ := translate(tc.pattern, engineECMA)
		if got := ecmaMatch(t, ecma, tc.value); got != tc.want {
			t.Errorf("regexp2 %q (from %q) on %q = %v, want %v", ecma, tc.pattern, tc.value, got, tc.want)
		}
	}
}

// These mirror the anchoring of package model's re2Pattern and ecmaPattern.
func re2Match(t *testing.T, expr, s string) bool {
	t.Helper()
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		t.Fatalf("regexp.Compile(%q): %v", expr, err)
	}
	return re.MatchString(s)
}

func ecmaMatch(t *testing.T, expr, s string) bool {
	t.Helper()
	re, err := regexp2.Compile(`^(?:`+expr+`)$`, regexp2.ECMAScript)
	if err != nil {
		t.Fatalf("regexp2.Compile(%q): %v", expr, err)
	}
	ok, err := re.MatchString(s)
	if err != nil {
		t.Fatalf("regexp2 match %q: %v", expr, err)
	}
	return ok
}

func TestComplement(t *testing.T) {
	got := complement([]runeRange{{0, 8}, {10, 10}, {0x10fff0, 0x10ffff}})
	want := []runeRange{{9, 9}, {11, 0x10ffef}}
	if len(got) != len(want) {
		t.Fatalf("complement = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("complement = %v, want %v", got, want)
		}
	}
}
