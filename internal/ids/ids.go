// Package ids makes the identifiers WorkMail hands out (organization ids,
// application ARNs, user ids, token ids) from one source of randomness, so
// that tests can seed it and get the same ids every run.
package ids

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"sync"
)

// Generator draws ids from a random source. It is safe for concurrent use.
type Generator struct {
	mu  sync.Mutex
	src io.Reader
}

// New returns a Generator reading src; nil means crypto/rand. A seeded
// source (math/rand/v2's ChaCha8) gives deterministic ids.
func New(src io.Reader) *Generator {
	if src == nil {
		src = rand.Reader
	}
	return &Generator{src: src}
}

// Bytes returns n random bytes.
func (g *Generator) Bytes(n int) []byte {
	b := make([]byte, n)
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, err := io.ReadFull(g.src, b); err != nil {
		// crypto/rand and ChaCha8 never fail; a custom source that does
		// is a programming error the caller cannot handle.
		panic("ids: random source failed: " + err.Error())
	}
	return b
}

// Hex returns n lower-case hex digits.
func (g *Generator) Hex(n int) string {
	return hex.EncodeToString(g.Bytes((n + 1) / 2))[:n]
}

const alphanumerics = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Alphanumeric returns n characters from [a-zA-Z0-9].
func (g *Generator) Alphanumeric(n int) string {
	out := make([]byte, n)
	for i := 0; i < n; {
		for _, b := range g.Bytes(n) {
			// 248 = 4*62: rejecting the rest keeps every character equally likely.
			if b < 248 && i < n {
				out[i] = alphanumerics[int(b)%len(alphanumerics)]
				i++
			}
		}
	}
	return string(out)
}

// UUID returns a random (version 4) UUID in lower case.
func (g *Generator) UUID() string {
	b := g.Bytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
