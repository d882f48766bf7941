package fastlog

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"
)

// slogChecker compares what fastlog and slog write for a string value,
// in text and JSON: slog's own quoting and
// escaping is the reference for the word-at-a-time scans.
type slogChecker struct {
	t         *testing.T
	names     []string
	got, want []*bytes.Buffer
	fast, std []slog.Handler
}

func newSlogChecker(t *testing.T) *slogChecker {
	c := &slogChecker{t: t}
	for name, pair := range handlerPairs() {
		got, want := new(bytes.Buffer), new(bytes.Buffer)
		c.names = append(c.names, name)
		c.got, c.want = append(c.got, got), append(c.want, want)
		c.fast, c.std = append(c.fast, pair[0](got, nil)), append(c.std, pair[1](want, nil))
	}
	return c
}

func (c *slogChecker) check(s string) {
	c.t.Helper()
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
	r.AddAttrs(slog.String("k", s)) // keys go through the same scans
	for i := range c.names {
		c.got[i].Reset()
		c.want[i].Reset()
		if err := c.fast[i].Handle(context.Background(), r); err != nil {
			c.t.Fatal(err)
		}
		if err := c.std[i].Handle(context.Background(), r); err != nil {
			c.t.Fatal(err)
		}
		if c.got[i].String() != c.want[i].String() {
			c.t.Fatalf("%s, %q:\n got %s\nwant %s", c.names[i], s, c.got[i], c.want[i])
		}
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
func TestScansMatchSlogAtEveryPosition(t *testing.T) {
	c := newSlogChecker(t)
	for _, fill := range []byte{'a', '~', '!', '\\'} {
		for n := range 26 {
			for pos := 0; pos <= n; pos++ {
				for _, in := range insertions() {
					base := make([]byte, n)
					for i := range base {
						base[i] = fill
					}
					c.check(string(base[:pos]) + in + string(base[pos:]))
				}
			}
			c.check(string(make([]byte, n)))
		}
	}
}

// Random strings of the bytes each scan treats differently from its
// neighbours.
func TestScansMatchSlogRandom(t *testing.T) {
	c := newSlogChecker(t)
	alphabet := []string{"a", "Z", " ", "!", "=", "<", ">", `"`, "#", `\`, "[", "]", "~", "\x7f", "\x00", "\x1f",
		"\n", "\t", "é", "\u2028", "\xff", "\x80", "\u00a0", "🙂"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		var b []byte
		for range rng.IntN(40) {
			if rng.IntN(4) == 0 {
				b = append(b, alphabet[rng.IntN(len(alphabet))]...)
			} else {
				b = append(b, 'a'+byte(rng.IntN(26)))
			}
		}
		c.check(string(b))
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
