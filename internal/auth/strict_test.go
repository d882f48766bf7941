package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/workmaild/workmaild/internal/model"
)

var (
	testNow  = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	testCred = Credential{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Account: "111122223333"}
)

func newTestStrict(t testing.TB) *Strict {
	t.Helper()
	keys, err := NewKeyring([]Credential{testCred})
	if err != nil {
		t.Fatal(err)
	}
	return NewStrict(keys, func() time.Time { return testNow })
}

// serverRequest is what the server sees of a request a client signed:
// Host promoted out of the headers, as net/http does.
func serverRequest(client *http.Request, body []byte) *http.Request {
	r := httptest.NewRequest(client.Method, client.URL.RequestURI(), bytes.NewReader(body))
	r.Host = client.Host
	r.ContentLength = client.ContentLength
	for k, v := range client.Header {
		r.Header[k] = v
	}
	return r
}

func clientRequest(body string) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "http://workmail.local:4590/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "WorkMailService.ListOrganizations")
	return r
}

func hashOf(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

func creds(c Credential) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}
}

func TestStrictSigningVariants(t *testing.T) {
	s := newTestStrict(t)
	const body = `{"MaxResults":5}`
	sign := func(r *http.Request) *http.Request {
		if err := v4.NewSigner().SignHTTP(context.Background(), creds(testCred), r, hashOf(body), "workmail", "eu-central-1", testNow); err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		name   string
		client func() *http.Request
		code   model.ErrorCode // "" means accepted
	}{
		{"plain", func() *http.Request { return sign(clientRequest(body)) }, ""},
		{"content-length left unsigned (as botocore does)", func() *http.Request {
			r := clientRequest(body)
			r.ContentLength = 0
			sign(r)
			r.ContentLength = int64(len(body))
			return r
		}, ""},
		{"session token header signed", func() *http.Request {
			r := clientRequest(body)
			r.Header.Set("X-Amz-Security-Token", "token")
			return sign(r)
		}, ""},
		{"multi-valued header", func() *http.Request {
			r := clientRequest(body)
			r.Header.Add("X-Amz-Meta-Tag", "a")
			r.Header.Add("X-Amz-Meta-Tag", "b  c")
			return sign(r)
		}, ""},
		{"upper-case hex signature", func() *http.Request {
			r := sign(clientRequest(body))
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
			return r
		}, ""},
		{"signed headers out of order", func() *http.Request {
			r := sign(clientRequest(body))
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "content-length;content-type", "content-type;content-length", 1))
			return r
		}, model.ErrInvalidSignature},
		{"lists a header the signer never signs", func() *http.Request {
			r := sign(clientRequest(body))
			r.Header.Set("User-Agent", "x")
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-amz-target", ";user-agent;x-amz-target", 1))
			return r
		}, model.ErrInvalidSignature},
		{"another Host", func() *http.Request {
			r := sign(clientRequest(body))
			r.Host = "evil.example"
			return r
		}, model.ErrInvalidSignature},
		{"another path", func() *http.Request {
			r := sign(clientRequest(body))
			r.URL.Path = "/other"
			return r
		}, model.ErrInvalidSignature},
		{"undecodable query added", func() *http.Request {
			r := sign(clientRequest(body))
			r.URL.RawQuery = "%"
			return r
		}, model.ErrInvalidSignature},
		{"query added", func() *http.Request {
			r := sign(clientRequest(body))
			r.URL.RawQuery = "a=b"
			return r
		}, model.ErrInvalidSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client()
			p, err := s.Authenticate(serverRequest(c, []byte(body)), []byte(body))
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.code == "" && (p.Account != testCred.Account || p.Region != "eu-central-1" || p.AccessKeyID != testCred.AccessKeyID):
				t.Fatalf("principal %+v", p)
			case tc.code != "" && !errors.Is(err, tc.code):
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
}

func TestStrictPresignWithoutHoisting(t *testing.T) {
	s := newTestStrict(t)
	const body = `{}`
	for _, hoist := range []bool{true, false} {
		c := clientRequest(body)
		signedURL, headers, err := v4.NewSigner().PresignHTTP(context.Background(), creds(testCred), c, hashOf(body), "workmail", "us-east-1", testNow,
			func(o *v4.SignerOptions) { o.DisableHeaderHoisting = !hoist })
		if err != nil {
			t.Fatal(err)
		}
		sent, _ := http.NewRequest(http.MethodPost, signedURL, strings.NewReader(body))
		for k, v := range headers {
			sent.Header[k] = v
		}
		sent.Header.Set("X-Amz-Target", c.Header.Get("X-Amz-Target"))
		if _, err := s.Authenticate(serverRequest(sent, []byte(body)), []byte(body)); err != nil {
			t.Errorf("hoisting %v: %v", hoist, err)
		}
		if !hoist {
			sent.Header.Set("X-Amz-Target", "WorkMailService.DeleteOrganization")
			if _, err := s.Authenticate(serverRequest(sent, []byte(body)), []byte(body)); !errors.Is(err, model.ErrInvalidSignature) {
				t.Errorf("changed signed header on a presigned request: %v", err)
			}
		}
	}
}

func TestCheckWindow(t *testing.T) {
	for _, tc := range []struct {
		signedAt time.Time
		validFor time.Duration
		want     string
	}{
		{testNow.Add(-MaxClockSkew), MaxClockSkew, ""},
		{testNow.Add(MaxClockSkew), MaxClockSkew, ""},
		{testNow.Add(-MaxClockSkew - time.Second), MaxClockSkew, "Signature expired: 20261126T114459Z is now earlier than 20261126T114500Z (20261126T120000Z - 15 min.)"},
		{testNow.Add(MaxClockSkew + time.Second), MaxClockSkew, "Signature not yet current: 20261126T121501Z is still later than 20261126T121500Z (20261126T120000Z + 15 min.)"},
		{testNow.Add(-2 * time.Hour), 3 * time.Hour, ""},
		{testNow.Add(-31 * time.Second), 30 * time.Second, "(20261126T120000Z - 30 sec.)"},
	} {
		err := checkWindow(tc.signedAt, testNow.Add(300*time.Millisecond), tc.validFor)
		var apiErr *model.Error
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v within %v refused: %v", tc.signedAt, tc.validFor, err)
		case tc.want != "" && (!errors.As(err, &apiErr) || apiErr.Code != model.ErrInvalidSignature || !strings.Contains(apiErr.Message, tc.want)):
			t.Errorf("%v within %v: got %v, want %q", tc.signedAt, tc.validFor, err, tc.want)
		}
	}
}

func TestKeyring(t *testing.T) {
	good := Credential{AccessKeyID: "K", SecretAccessKey: "S", Account: "111122223333"}
	if k, err := NewKeyring([]Credential{good}); err != nil || k.Len() != 1 {
		t.Fatalf("%v %v", k, err)
	}
	for name, c := range map[string]Credential{
		"empty key":     {SecretAccessKey: "S", Account: "111122223333"},
		"slash in key":  {AccessKeyID: "K/1", SecretAccessKey: "S", Account: "111122223333"},
		"empty secret":  {AccessKeyID: "K", Account: "111122223333"},
		"short account": {AccessKeyID: "K", SecretAccessKey: "S", Account: "1111"},
	} {
		if _, err := NewKeyring([]Credential{c}); !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := NewKeyring([]Credential{good, good}); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("duplicate key: %v", err)
	}
}

func TestParseCredentials(t *testing.T) {
	got, err := ParseCredentialsList(" A:s:e:c:111122223333 ,, B:x:444455556666")
	if err != nil || len(got) != 2 || got[0] != (Credential{"A", "s:e:c", "111122223333"}) || got[1].AccessKeyID != "B" {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range []string{"A", "A:s", "A:s:111122223333,B"} {
		_, err := ParseCredentialsList(bad)
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%q: %v", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), ":s") {
			t.Errorf("%q: the error shows the secret: %v", bad, err)
		}
	}
	file, err := ParseCredentialsFile([]byte(`{"Credentials":[{"AccessKeyId":"A","SecretAccessKey":"s","Account":"111122223333"}]}`))
	if err != nil || len(file) != 1 || file[0].SecretAccessKey != "s" {
		t.Fatalf("%+v %v", file, err)
	}
	for _, bad := range []string{``, `[]`, `{"Credentials":[{"Secret":"s"}]}`, `{"Credentials":[]} {}`} {
		if _, err := ParseCredentialsFile([]byte(bad)); !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestAdminGuard(t *testing.T) {
	req := func(authz string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/_workmaild/reset", nil)
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		return r
	}
	for _, tc := range []struct {
		guard AdminGuard
		authz string
		want  error
	}{
		{AdminGuard{}, "", nil},
		{AdminGuard{Required: true}, "Bearer anything", ErrAdminDisabled},
		{AdminGuard{Token: "t0k"}, "Bearer t0k", nil},
		{AdminGuard{Token: "t0k", Required: true}, "Bearer t0k", nil},
		{AdminGuard{Token: "t0k"}, "", ErrAdminToken},
		{AdminGuard{Token: "t0k"}, "Bearer t0", ErrAdminToken},
		{AdminGuard{Token: "t0k"}, "Basic t0k", ErrAdminToken},
		{AdminGuard{Token: "t0k"}, "t0k", ErrAdminToken},
	} {
		if err := tc.guard.Check(req(tc.authz)); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%+v with %q: got %v, want %v", tc.guard, tc.authz, err, tc.want)
		}
	}
}

func TestStrictPresignedDeclaredBodyHash(t *testing.T) {
	s := newTestStrict(t)
	const body = `{}`
	for declared, want := range map[string]error{hashOf(body): nil, hashOf("{ }"): model.ErrInvalidSignature, "UNSIGNED-PAYLOAD": model.ErrInvalidSignature} {
		c := clientRequest(body)
		q := c.URL.Query()
		q.Set("X-Amz-Content-Sha256", declared)
		c.URL.RawQuery = q.Encode()
		signedURL, headers, err := v4.NewSigner().PresignHTTP(context.Background(), creds(testCred), c, declared, "workmail", "us-east-1", testNow)
		if err != nil {
			t.Fatal(err)
		}
		sent, _ := http.NewRequest(http.MethodPost, signedURL, strings.NewReader(body))
		for k, v := range headers {
			sent.Header[k] = v
		}
		_, err = s.Authenticate(serverRequest(sent, []byte(body)), []byte(body))
		if !errors.Is(err, want) || (want == nil && err != nil) {
			t.Errorf("declared %s: got %v, want %v", declared, err, want)
		}
		if want != nil && !strings.Contains(err.Error(), "x-amz-content-sha256") {
			t.Errorf("declared %s: %v does not name the hash", declared, err)
		}
	}
}
