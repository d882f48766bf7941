package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/dlclark/regexp2"
)

// The model's patterns are ECMA-262 regular expressions. Most can be run by
// Go's RE2 engine once the spots where the dialects disagree are rewritten;
// the rest (look-around, back-references, \b, counted repeats above RE2's
// limit of 1000) run on regexp2 in ECMAScript mode. Either way \s, \S and
// '.' are spelled out as explicit classes, because neither engine uses
// ECMA-262's set of whitespace and line terminators for them.

// engine says which library a translated pattern is for.
type engine int

const (
	engineRE2  engine = iota // regexp
	engineECMA               // regexp2 with regexp2.ECMAScript
)

// compiledPattern is a model pattern ready for one engine. The pattern is
// not anchored: package model wraps it as ^(?:...)$ because a value must
// match as a whole.
type compiledPattern struct {
	engine engine
	expr   string
}

// ecmaSpace is ECMA-262's WhiteSpace and LineTerminator code points, the
// set \s matches, sorted.
func ecmaSpace() []runeRange {
	return []runeRange{
		{0x09, 0x0d}, {0x20, 0x20}, {0xa0, 0xa0}, {0x1680, 0x1680},
		{0x2000, 0x200a}, {0x2028, 0x2029}, {0x202f, 0x202f}, {0x205f, 0x205f},
		{0x3000, 0x3000}, {0xfeff, 0xfeff},
	}
}

// ecmaLineTerminators is what ECMA-262's '.' does not match.
func ecmaLineTerminators() []runeRange {
	return []runeRange{{0x0a, 0x0a}, {0x0d, 0x0d}, {0x2028, 0x2029}}
}

type runeRange struct{ lo, hi rune }

func complement(rs []runeRange) []runeRange {
	var out []runeRange
	next := rune(0)
	for _, r := range rs {
		if r.lo > next {
			out = append(out, runeRange{next, r.lo - 1})
		}
		next = r.hi + 1
	}
	if next <= 0x10ffff {
		out = append(out, runeRange{next, 0x10ffff})
	}
	return out
}

// translatePattern picks the engine for an ECMA-262 pattern and rewrites it
// for that engine, checking that the result compiles.
func translatePattern(src string) (compiledPattern, error) {
	if expr, ok := translate(src, engineRE2); ok {
		if _, err := regexp.Compile(expr); err == nil {
			return compiledPattern{engineRE2, expr}, nil
		}
	}
	expr, _ := translate(src, engineECMA)
	if _, err := regexp2.Compile(expr, regexp2.ECMAScript); err != nil {
		return compiledPattern{}, fmt.Errorf("pattern %q: %w", src, err)
	}
	return compiledPattern{engineECMA, expr}, nil
}

// translate rewrites src for engine e. ok is false when src uses a feature
// RE2 lacks (the ECMA translation is always produced).
func translate(src string, e engine) (out string, ok bool) {
	t := translator{src: []rune(src), engine: e, ok: true}
	t.run()
	return t.out.String(), t.ok
}

type translator struct {
	src    []rune
	i      int
	engine engine
	out    strings.Builder
	ok     bool // false once a construct RE2 cannot run is seen
}

func (t *translator) peek(k int) rune {
	if t.i+k < len(t.src) {
		return t.src[t.i+k]
	}
	return -1
}

func (t *translator) run() {
	for t.i < len(t.src) {
		c := t.src[t.i]
		switch {
		case c == '\\':
			t.escape(false)
		case c == '.':
			t.class(ecmaLineTerminators(), true)
			t.i++
		case c == '[':
			t.charClass()
		case c == '(' && t.peek(1) == '?':
			if t.peek(2) != ':' {
				t.ok = false // (?= (?! (?<= (?<! (?<name>
			}
			t.out.WriteString("(?")
			t.i += 2
		default:
			t.out.WriteRune(c)
			t.i++
		}
	}
}

// charClass copies a [...] class, rewriting escapes inside it.
func (t *translator) charClass() {
	t.i++ // '['
	negate := t.peek(0) == '^'
	if negate {
		t.i++
	}
	if t.peek(0) == ']' {
		// ECMA's [] never matches and [^] matches anything, while RE2 would
		// read the ']' as a literal: spell both out.
		t.class([]runeRange{{0, 0x10ffff}}, !negate)
		t.i++
		return
	}
	t.out.WriteByte('[')
	if negate {
		t.out.WriteByte('^')
	}
	afterClassEscape := false
	for t.i < len(t.src) && t.src[t.i] != ']' {
		c := t.src[t.i]
		switch {
		case c == '\\':
			afterClassEscape = t.escape(true)
			continue
		case c == '-' && (afterClassEscape || isClassEscape(t.peek(1), t.peek(2))):
			// ECMA (Annex B) reads [\w-.] as \w, '-', '.': say so explicitly.
			t.out.WriteString(`\-`)
		case c == '[':
			t.out.WriteString(`\[`) // literal in ECMA; RE2 might see [:alpha:]
		default:
			t.out.WriteRune(c)
		}
		afterClassEscape = false
		t.i++
	}
	t.out.WriteByte(']')
	t.i++
}

func isClassEscape(backslash, letter rune) bool {
	return backslash == '\\' && strings.ContainsRune("dDwWsS", letter)
}

// escape copies one backslash escape and reports whether it stands for a
// class of characters (\d, \s, ...) rather than a single one.
func (t *translator) escape(inClass bool) bool {
	c := t.peek(1)
	t.i += 2
	switch {
	case c == 's' || c == 'S':
		set := ecmaSpace()
		if c == 'S' {
			set = complement(set)
		}
		if inClass {
			t.ranges(set)
		} else {
			t.class(set, false)
		}
		return true
	case strings.ContainsRune("dDwW", c):
		// ASCII-only in both ECMA-262 (without the u flag) and RE2.
		t.out.WriteString(`\` + string(c))
		return true
	case c == 'b' && inClass: // backspace inside a class
		t.codePoint(0x08)
	case c == 'u' && isHex(t.src, t.i, 4):
		r, _ := strconv.ParseUint(string(t.src[t.i:t.i+4]), 16, 32)
		t.i += 4
		t.codePoint(rune(r))
	case c == 'x' && isHex(t.src, t.i, 2):
		t.out.WriteString(`\x` + string(t.src[t.i:t.i+2]))
		t.i += 2
	case strings.ContainsRune("tnrfv", c):
		t.out.WriteString(`\` + string(c))
	case c == -1:
		t.ok = false // a trailing backslash: let regexp2 report it
		t.out.WriteByte('\\')
	case c >= '0' && c <= '9' || strings.ContainsRune("bBck", c):
		// \b \B, back-references, \0, \c and \k: regexp2 implements them.
		t.ok = false
		t.out.WriteString(`\` + string(c))
	case c < 0x80 && unicode.IsLetter(c):
		// An identity escape (Annex B): \p is 'p', \u not followed by four
		// hex digits is 'u'. RE2 would read \p as a Unicode class.
		t.out.WriteRune(c)
	case c < 0x80:
		t.out.WriteString(`\` + string(c)) // escaped punctuation: same in both
	default:
		t.codePoint(c) // ECMA identity escape of a non-ASCII character
	}
	return false
}

func isHex(src []rune, i, n int) bool {
	if i+n > len(src) {
		return false
	}
	for _, r := range src[i : i+n] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// class writes a bracketed class of the ranges (negated if asked).
func (t *translator) class(rs []runeRange, negate bool) {
	t.out.WriteByte('[')
	if negate {
		t.out.WriteByte('^')
	}
	t.ranges(rs)
	t.out.WriteByte(']')
}

func (t *translator) ranges(rs []runeRange) {
	for _, r := range rs {
		t.codePoint(r.lo)
		if r.hi != r.lo {
			t.out.WriteByte('-')
			t.codePoint(r.hi)
		}
	}
}

// codePoint writes one code point in the engine's escape syntax. regexp2
// has no escape for code points above U+FFFF, but reads them literally.
func (t *translator) codePoint(r rune) {
	switch {
	case t.engine == engineRE2:
		fmt.Fprintf(&t.out, `\x{%x}`, r)
	case r <= 0xffff:
		fmt.Fprintf(&t.out, `\u%04X`, r)
	default:
		t.out.WriteRune(r)
	}
}
