package awsjson

import (
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
)

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestReadBodyDoesNotTrustContentLength(t *testing.T) {
	h := &Handler{MaxBodyBytes: 8 << 20}
	for _, tc := range []struct {
		name      string
		announced int64
		code      model.ErrorCode
	}{
		{"announces the limit, sends 2 bytes", 8 << 20, ""},
		{"announces a terabyte", 1 << 40, model.ErrRequestEntityTooLarge},
	} {
		var err error
		n := allocated(func() {
			r, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			r.ContentLength = tc.announced
			_, err = h.readBody(r)
		})
		if tc.code == "" && err != nil || tc.code != "" && !errors.Is(err, tc.code) {
			t.Fatalf("%s: got %v, want %q", tc.name, err, tc.code)
		}
		if n > 2*maxPrealloc {
			t.Errorf("%s: allocated %d bytes before the body arrived", tc.name, n)
		}
	}
}

func TestReadBodyReadsLargeBodies(t *testing.T) {
	h := &Handler{MaxBodyBytes: 1 << 20}
	for _, size := range []int{0, 1, maxPrealloc, maxPrealloc + 1, 1 << 20} {
		body := strings.Repeat("a", size)
		r, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		got, err := h.readBody(r)
		if err != nil || string(got) != body {
			t.Fatalf("size %d: read %d bytes, %v", size, len(got), err)
		}
	}
	r, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("a", 1<<20+1)))
	r.ContentLength = -1 // chunked: the limit is found while reading
	if _, err := h.readBody(r); !errors.Is(err, model.ErrRequestEntityTooLarge) {
		t.Fatalf("one byte over the limit, chunked: %v", err)
	}
}
