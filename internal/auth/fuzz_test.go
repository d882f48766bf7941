package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/sigv4"
)

// FuzzStrictAuthenticate feeds strict mode hostile signatures: whatever
// the request says, the answer is an API error (never a panic, never a
// Go error that would become a 500), and nothing but the real signature
// of the real request is accepted.
func FuzzStrictAuthenticate(f *testing.F) {
	s := newTestStrict(f)
	good := clientRequest(`{}`)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds(testCred), good, hashOf(`{}`), "workmail", "us-east-1", testNow); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Header.Get("Authorization"), good.Header.Get("X-Amz-Date"), "", "/", `{}`)
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261126%2Fus-east-1%2Fworkmail%2Faws4_request&X-Amz-Date=20261126T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=x", "/", `{}`)
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/workmail/aws4_request, SignedHeaders=host;;x-amz-date, Signature=00", "20261126T120000Z", "a=%zz", "/%2F..", "")
	f.Fuzz(func(t *testing.T, authorization, amzDate, query, path, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.URL.Path, r.URL.RawQuery = path, query
		r.Host = good.Host
		for k, v := range good.Header {
			r.Header[k] = v
		}
		r.Header.Set("Authorization", authorization)
		r.Header.Set("X-Amz-Date", amzDate)
		_, err := s.Authenticate(r, []byte(body))
		var apiErr *model.Error
		if err != nil && !errors.As(err, &apiErr) {
			t.Fatalf("not an API error: %v", err)
		}
		same := sameSignature(authorization, good.Header.Get("Authorization")) && amzDate == good.Header.Get("X-Amz-Date") &&
			body == `{}` && (path == "/" || path == "") && (query == "" || isEmptyQuery(query))
		if err == nil && !same {
			t.Fatalf("accepted a request that was not signed: %q %q %q %q %q", authorization, amzDate, query, path, body)
		}
	})
}

// sameSignature reports whether two Authorization values say the same
// (spacing and hex case aside).
func sameSignature(a, b string) bool {
	sa, errA := sigv4.ParseAuthorization(a)
	sb, errB := sigv4.ParseAuthorization(b)
	sa.Signature, sb.Signature = strings.ToLower(sa.Signature), strings.ToLower(sb.Signature)
	return errA == nil && errB == nil && reflect.DeepEqual(sa, sb)
}

func isEmptyQuery(q string) bool {
	v, err := url.ParseQuery(q)
	return err == nil && len(v) == 0
}
