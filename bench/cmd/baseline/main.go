// Command baseline is the physical limit the benchmark compares workmaild
// with: a bare net/http server that drains each request body and answers
// with fixed response bytes and the same headers workmaild sends. Whatever
// workmaild costs above this is its own work.
//
// With -body it answers every request with the same bytes. With -answers
// it answers each request with the bytes workmaild answered the same
// request with (a JSON line per request: Target, Body, Answer), found by
// its X-Amz-Target and body, so that a mix of requests gets answers of the
// same sizes; a request it does not know is a 500.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
)

// answer is a response body and its Content-Length.
type answer struct {
	body   []byte
	length string
}

func newAnswer(b []byte) answer { return answer{body: b, length: strconv.Itoa(len(b))} }

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	bodyFile := flag.String("body", "", "file holding the response body to send to every request")
	answersFile := flag.String("answers", "", "file of JSON lines {Target, Body, Answer}: the answer to send to each request")
	contentType := flag.String("content-type", "application/x-amz-json-1.1", "response Content-Type")
	flag.Parse()
	var fixed answer
	var answers map[string]map[string]answer // target, body: answer
	var err error
	switch {
	case *answersFile != "":
		answers, err = readAnswers(*answersFile)
	case *bodyFile != "":
		var b []byte
		b, err = os.ReadFile(*bodyFile)
		fixed = newAnswer(b)
	default:
		err = fmt.Errorf("-body or -answers is required")
	}
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The harness reads the address from this line, as it does workmaild's.
	fmt.Printf("baseline listening on http://%s\n", ln.Addr())
	const requestID = "8c2f6e0a-3d41-4b6e-9f7a-2b5d1c0e4a77" // same length as workmaild's
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := fixed
		if answers != nil {
			buf := bufs.Get().(*bytes.Buffer)
			buf.Reset()
			_, _ = buf.ReadFrom(r.Body)
			var ok bool
			a, ok = answers[r.Header.Get("X-Amz-Target")][string(buf.Bytes())]
			bufs.Put(buf)
			if !ok {
				http.Error(w, "baseline: no recorded answer for this request", http.StatusInternalServerError)
				return
			}
		} else {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		hdr := w.Header()
		hdr.Set("X-Amzn-Requestid", requestID)
		hdr.Set("Content-Type", *contentType)
		hdr.Set("Content-Length", a.length)
		_, _ = w.Write(a.body)
	})
	log.Fatal(http.Serve(ln, h))
}

func readAnswers(path string) (map[string]map[string]answer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]map[string]answer{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var rec struct{ Target, Body, Answer string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if out[rec.Target] == nil {
			out[rec.Target] = map[string]answer{}
		}
		out[rec.Target][rec.Body] = newAnswer([]byte(rec.Answer))
	}
	return out, sc.Err()
}
