package clients_test

import (
	"io"
	"net/http"
)

// sdkHTTPClient is net/http's default client with request bodies reduced to
// io.ReadCloser. It avoids a race inside aws-sdk-go-v2 (smithy-go's body
// answers io.EOF from WriteTo once the SDK has closed it, and the transport
// then closes the connection while the response is still arriving); the
// main module's internal/sdktransport explains it and tests the same few
// lines. The request and response bytes are the SDK's own.
func sdkHTTPClient() *http.Client {
	return &http.Client{Transport: plainBodies{http.DefaultTransport}}
}

type plainBodies struct{ base http.RoundTripper }

type readCloser struct{ io.ReadCloser }

func (p plainBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if _, ok := r.Body.(io.WriterTo); !ok {
		return p.base.RoundTrip(r)
	}
	clone := r.Clone(r.Context())
	clone.Body = readCloser{r.Body}
	return p.base.RoundTrip(clone)
}
