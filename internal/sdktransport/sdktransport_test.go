package sdktransport

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// recorder is the transport below: it keeps the request it was given.
type recorder struct{ got *http.Request }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
}

func TestBodiesLoseWriteTo(t *testing.T) {
	base := &recorder{}
	// io.NopCloser keeps WriteTo when the reader has it, as smithy-go's
	// request bodies do.
	body := io.NopCloser(bytes.NewReader([]byte(`{"a":1}`)))
	if _, ok := body.(io.WriterTo); !ok {
		t.Fatal("the test body must have WriteTo")
	}
	req, err := http.NewRequest(http.MethodPost, "http://workmaild.test/", body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Transport(base).RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if _, ok := base.got.Body.(io.WriterTo); ok {
		t.Error("the body below still has WriteTo")
	}
	if req.Body != body {
		t.Error("the caller's request was changed")
	}
	b, err := io.ReadAll(base.got.Body)
	if err != nil || string(b) != `{"a":1}` {
		t.Errorf("body below: %q, %v", b, err)
	}
	if base.got.ContentLength != req.ContentLength || base.got.URL.String() != req.URL.String() {
		t.Errorf("request below differs: %d %s", base.got.ContentLength, base.got.URL)
	}
}

func TestOtherBodiesPassAsTheyAre(t *testing.T) {
	base := &recorder{}
	for _, body := range []io.ReadCloser{nil, http.NoBody, io.NopCloser(struct{ io.Reader }{strings.NewReader("x")})} {
		req, _ := http.NewRequest(http.MethodPost, "http://workmaild.test/", nil)
		req.Body = body
		if _, err := Transport(base).RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if base.got != req {
			t.Errorf("body %T: request was copied", body)
		}
	}
}
