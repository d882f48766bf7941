package model

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// fastPatterns are the model patterns matched without the regexp engine,
// each with the regexp it stands for, anchored as re2Pattern anchors it.
func fastPatterns(t testing.TB) map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for name, p := range modelPatterns() {
		if p.ascii != nil {
			out[name] = regexp.MustCompile(`^(?:` + p.expr + `)$`)
		}
	}
	if out["OrganizationId"] == nil {
		t.Fatal("the organization id pattern does not take the fast path")
	}
	return out
}

// TestASCIIPatternsAgreeWithRegexp checks every fast-path pattern against
// its regexp on values built from the pattern's own runs, one or two
// steps off in length or content, where a wrong answer would hide.
func TestASCIIPatternsAgreeWithRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, re := range fastPatterns(t) {
		p := modelPatterns()[name]
		matches := 0
		for range 2000 {
			v := nearValue(rng, p.ascii)
			want := re.MatchString(v)
			if got := p.match(v); got != want {
				t.Fatalf("pattern %s (%s) on %q: fast path says %v, regexp %v", name, p.expr, v, got, want)
			}
			if want {
				matches++
			}
		}
		// Values that match and values that do not must both be tried.
		if matches == 0 || matches == 2000 {
			t.Errorf("pattern %s: %d of 2000 values matched; the test did not try both answers", name, matches)
		}
	}
}

// nearValue builds a value from the runs: each run takes a count around
// its bounds, mostly of its own bytes, now and then of any byte, an
// ASCII byte or a multi-byte character.
func nearValue(rng *rand.Rand, steps []asciiStep) string {
	var b strings.Builder
	for _, st := range steps {
		hi := st.max
		if hi < 0 {
			hi = st.min + 3
		}
		n := st.min + rng.IntN(hi-st.min+1)
		if rng.IntN(8) == 0 {
			n += rng.IntN(3) - 1
		}
		for range max(n, 0) {
			b.WriteString(nearByte(rng, st))
		}
	}
	return b.String()
}

func nearByte(rng *rand.Rand, st asciiStep) string {
	switch rng.IntN(40) {
	case 0:
		return string(rune(rng.IntN(0x80)))
	case 1:
		return string([]byte{byte(rng.IntN(256))})
	case 2:
		return "é"
	}
	for {
		if c := byte(rng.IntN(0x80)); st.has(c) {
			return string(rune(c))
		}
	}
}

func FuzzASCIIPatterns(f *testing.F) {
	for _, s := range []string{"", "m-" + strings.Repeat("0a", 16), "d-0123456789", "a_b-C9", "a.b@c", "\xff", "abc\n"} {
		f.Add(s)
	}
	res := fastPatterns(f)
	patterns := modelPatterns()
	f.Fuzz(func(t *testing.T, v string) {
		for name, re := range res {
			if got, want := patterns[name].match(v), re.MatchString(v); got != want {
				t.Fatalf("pattern %s (%s) on %q: fast path says %v, regexp %v", name, patterns[name].expr, v, got, want)
			}
		}
	})
}

func BenchmarkOrganizationIdPattern(b *testing.B) {
	v := "m-" + strings.Repeat("0123456789abcdef", 2)
	b.Run("ascii", func(b *testing.B) {
		for b.Loop() {
			patternOrganizationId.match(v)
		}
	})
	b.Run("regexp", func(b *testing.B) {
		re := re2Pattern(patternOrganizationId.expr)
		for b.Loop() {
			re.match(v)
		}
	})
}
