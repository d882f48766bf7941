package fastlog

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"unicode"
	"unicode/utf8"
)

// needsQuotingReference is needsQuoting a byte at a time, as slog's
// TextHandler decides it.
func needsQuotingReference(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != '\\' && (c == ' ' || c == '=' || !safe(c)) {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendJSONStringReference is appendJSONString a byte at a time.
func appendJSONStringReference(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safe(c) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func checkStringAgainstReference(t *testing.T, s string) {
	t.Helper()
	if got, want := needsQuoting(s), needsQuotingReference(s); got != want {
		t.Fatalf("needsQuoting(%q) = %v, want %v", s, got, want)
	}
	if got, want := string(appendJSONString([]byte("x"), s)), string(appendJSONStringReference([]byte("x"), s)); got != want {
		t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
	}
}

// insertions are every byte, and runes and broken sequences beyond ASCII.
func insertions() []string {
	var ins []string
	for c := range 256 {
		ins = append(ins, string([]byte{byte(c)}))
	}
	return append(ins, "é", "\u00a0", "\u2028", "\u2029", "\u200b", "🙂", "\ufffd", "\xe2\x80", "\xf0\x9f\x99", "\xc0\x80")
}

// Every byte and rune, at every position of words and tails, in strings
// otherwise all of one harmless byte.
func TestScansMatchReferenceAtEveryPosition(t *testing.T) {
	for _, fill := range []byte{'a', '~', '!', '\\'} {
		for n := range 26 {
			for pos := 0; pos <= n; pos++ {
				for _, in := range insertions() {
					base := make([]byte, n)
					for i := range base {
						base[i] = fill
					}
					checkStringAgainstReference(t, string(base[:pos])+in+string(base[pos:]))
				}
			}
			checkStringAgainstReference(t, string(make([]byte, n)))
		}
	}
}

// Random strings of the bytes each scan treats differently from its
// neighbours.
func TestScansMatchReferenceRandom(t *testing.T) {
	alphabet := []string{"a", "Z", " ", "!", "=", "<", ">", `"`, "#", `\`, "[", "]", "~", "\x7f", "\x00", "\x1f",
		"\n", "\t", "é", "\u2028", "\xff", "\x80", "\u00a0", "🙂"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		var b []byte
		for range rng.IntN(40) {
			if rng.IntN(4) == 0 {
				b = append(b, alphabet[rng.IntN(len(alphabet))]...)
			} else {
				b = append(b, 'a'+byte(rng.IntN(26)))
			}
		}
		checkStringAgainstReference(t, string(b))
	}
}

// The word tests agree with testing each byte, for every byte value in
// every position.
func TestWordTestsMatchByteTests(t *testing.T) {
	for c := range 256 {
		for fill := range 256 {
			for pos := range 8 {
				var w [8]byte
				for i := range w {
					w[i] = byte(fill)
				}
				w[pos] = byte(c)
				s := string(w[:])
				var quoted, unsafe bool
				for i := range 8 {
					quoted = quoted || s[i] >= utf8.RuneSelf || quotedASCII[s[i]]
					unsafe = unsafe || !safe(s[i])
				}
				if got := mayNeedQuoting(load8(s, 0)); got != quoted {
					t.Fatalf("mayNeedQuoting(%s) = %v, want %v", strconv.Quote(s), got, quoted)
				}
				if got := jsonSafe(load8(s, 0)); got == unsafe {
					t.Fatalf("jsonSafe(%s) = %v, want %v", strconv.Quote(s), got, !unsafe)
				}
			}
		}
	}
}

// loadShort's word holds every byte of the string and no other.
func TestLoadShortHoldsEveryByte(t *testing.T) {
	const distinct = "ABCDEFG"
	for n := 1; n <= len(distinct); n++ {
		s := distinct[:n]
		w := loadShort(s)
		held := map[byte]bool{}
		for i := range 8 {
			held[byte(w>>(8*i))] = true
		}
		for i := range n {
			if !held[s[i]] {
				t.Errorf("loadShort(%q) = %#x: no %q", s, w, s[i])
			}
			delete(held, s[i])
		}
		if len(held) > 0 {
			t.Errorf("loadShort(%q) = %#x: bytes not in the string", s, w)
		}
	}
}
