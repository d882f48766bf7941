package fastlog

import (
	"encoding/binary"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// safe reports whether an ASCII byte may stand in a JSON string as it is.
func safe(c byte) bool { return c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf }

// appendTextString writes s as slog's TextHandler does: as it is, or
// quoted with strconv.Quote when it is empty or holds a space, '=', a
// quote, a control character or anything not printable.
func appendTextString(b []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// needsQuoting reports whether slog's TextHandler quotes s: a word at a
// time while no byte of a word may need it.
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if mayNeedQuoting(load8(s, i)) {
			return needsQuotingRunes(s[i:])
		}
	}
	return i < len(s) && mayNeedQuoting(loadShort(s[i:])) && needsQuotingRunes(s[i:])
}

// quotedASCII marks the ASCII bytes that make slog's TextHandler quote a
// string: space, '=', '"' and control characters (not DEL). It is never
// written after initialisation.
var quotedASCII = func() (t [utf8.RuneSelf]bool) {
	for c := range byte(utf8.RuneSelf) {
		t[c] = c != '\\' && (c == ' ' || c == '=' || !safe(c))
	}
	return t
}()

// needsQuotingRunes is needsQuoting, the empty string aside, a byte or
// rune at a time.
func needsQuotingRunes(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if quotedASCII[c] {
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

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string as slog's JSONHandler does:
// invalid UTF-8 becomes U+FFFD, and U+2028 and U+2029 are escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; ; {
		i = skipJSONSafe(s, i)
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
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

// skipJSONSafe returns the index of the first byte of s from i on that is
// not safe ASCII, or len(s): a word at a time while words are all safe.
func skipJSONSafe(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if !jsonSafe(load8(s, i)) {
			return skipSafeBytes(s, i)
		}
	}
	if i < len(s) && jsonSafe(loadShort(s[i:])) {
		return len(s)
	}
	return skipSafeBytes(s, i)
}

// skipSafeBytes is skipJSONSafe a byte at a time.
func skipSafeBytes(s string, i int) int {
	for ; i < len(s) && safe(s[i]); i++ {
	}
	return i
}

// Eight bytes at a time (SWAR): the functions below look at the bytes of a
// uint64 at once. Each answers exactly whether some byte matches, though
// not which one (a borrow can mark bytes after the first that matches),
// which is all the callers ask: a word that matches is looked at again a
// byte at a time.
const (
	ones  = 0x0101010101010101 // 0x01 in every byte
	highs = 0x8080808080808080 // the high bit of every byte
)

// load8 reads the eight bytes of s from i as one word.
func load8(s string, i int) uint64 {
	return binary.LittleEndian.Uint64([]byte(s[i : i+8]))
}

// loadShort returns a word of the bytes of s, which has one to seven:
// every byte of s is in it, some twice, and no other.
func loadShort(s string) uint64 {
	if len(s) >= 4 { // two halves, which may overlap
		lo := binary.LittleEndian.Uint32([]byte(s[:4]))
		hi := binary.LittleEndian.Uint32([]byte(s[len(s)-4:]))
		return uint64(lo) | uint64(hi)<<32
	}
	// The first, middle and last bytes are every byte of one to three.
	w := uint64(s[0]) | uint64(s[len(s)/2])<<8 | uint64(s[len(s)-1])<<16
	return w | w<<24 | w<<48
}

// below has the high bit set in some byte if and only if a byte of w is
// below n, which is at most 0x80.
func below(w uint64, n byte) uint64 { return (w - ones*uint64(n)) &^ w & highs }

// equal has the high bit set in some byte if and only if a byte of w is c.
func equal(w uint64, c byte) uint64 { return below(w^(ones*uint64(c)), 1) }

// mayNeedQuoting reports whether a byte of w is one of quotedASCII's, or
// is not ASCII: false means no byte of w makes slog's text handler quote.
func mayNeedQuoting(w uint64) bool {
	return (w&highs | below(w, ' '+1) | equal(w, '=') | equal(w, '"')) != 0
}

// jsonSafe reports whether every byte of w is safe.
func jsonSafe(w uint64) bool {
	return (w&highs | below(w, 0x20) | equal(w, '"') | equal(w, '\\')) == 0
}
