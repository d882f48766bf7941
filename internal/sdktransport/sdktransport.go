// Package sdktransport works around a client-side race in aws-sdk-go-v2
// that a fast local server like workmaild makes likely.
//
// smithy-go wraps every request body in a reader whose WriteTo answers
// io.EOF once the body is closed, and the SDK closes the body as soon as
// the response headers arrive. net/http's transport writes the body
// straight to the socket and then reads it once more to check that it is
// empty; when the server answers inside that window, the final read goes
// through WriteTo, gets io.EOF as an error, and the transport closes the
// connection while the response body is still arriving. The call then
// fails with "use of closed network connection" on any response larger
// than the client's read buffer (4 KiB). Against AWS the network's latency
// hides the window; against a server on loopback, under the race
// detector, it shows within a few hundred list calls.
//
// Transport hides WriteTo, so the final read is a plain Read, which
// answers (0, io.EOF) as it should.
package sdktransport

import (
	"io"
	"net/http"
)

// Transport returns base (http.DefaultTransport when nil) with request
// bodies reduced to io.ReadCloser.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return plainBodies{base}
}

// Client returns an *http.Client on Transport(base).
func Client(base http.RoundTripper) *http.Client {
	return &http.Client{Transport: Transport(base)}
}

type plainBodies struct{ base http.RoundTripper }

// readCloser has only Read and Close, whatever the value inside has.
type readCloser struct{ io.ReadCloser }

func (p plainBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return p.base.RoundTrip(r)
	}
	if _, ok := r.Body.(io.WriterTo); !ok {
		return p.base.RoundTrip(r)
	}
	// A RoundTripper must not change the caller's request.
	clone := r.Clone(r.Context())
	clone.Body = readCloser{r.Body}
	return p.base.RoundTrip(clone)
}
