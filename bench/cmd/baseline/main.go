// Command baseline is the physical limit the benchmark compares workmaild
// with: a bare net/http server that drains each request body and answers
// with fixed response bytes and the same headers workmaild sends. Whatever
// workmaild costs above this is its own work.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	bodyFile := flag.String("body", "", "file holding the response body to send")
	contentType := flag.String("content-type", "application/x-amz-json-1.1", "response Content-Type")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The harness reads the address from this line, as it does workmaild's.
	fmt.Printf("baseline listening on http://%s\n", ln.Addr())
	length := strconv.Itoa(len(body))
	const requestID = "8c2f6e0a-3d41-4b6e-9f7a-2b5d1c0e4a77" // same length as workmaild's
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hdr := w.Header()
		hdr.Set("X-Amzn-Requestid", requestID)
		hdr.Set("Content-Type", *contentType)
		hdr.Set("Content-Length", length)
		_, _ = w.Write(body)
	})
	log.Fatal(http.Serve(ln, h))
}
