package ids

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

func TestFormats(t *testing.T) {
	g := New(nil)
	checks := []struct {
		got     string
		pattern string
	}{
		{g.Hex(32), `^[0-9a-f]{32}$`},
		{g.Hex(7), `^[0-9a-f]{7}$`},
		{g.Alphanumeric(16), `^[a-zA-Z0-9]{16}$`},
		{g.UUID(), `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
	}
	for _, c := range checks {
		if !regexp.MustCompile(c.pattern).MatchString(c.got) {
			t.Errorf("%q does not match %s", c.got, c.pattern)
		}
	}
}

func TestSeededIsDeterministic(t *testing.T) {
	seed := [32]byte{1, 2, 3}
	a, b := New(rand.NewChaCha8(seed)), New(rand.NewChaCha8(seed))
	for range 10 {
		if x, y := a.UUID(), b.UUID(); x != y {
			t.Fatalf("same seed, different ids: %s vs %s", x, y)
		}
	}
	if New(nil).Hex(32) == New(nil).Hex(32) {
		t.Fatal("crypto/rand produced the same id twice")
	}
}
