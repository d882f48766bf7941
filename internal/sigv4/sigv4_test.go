package sigv4

import (
	"errors"
	"net/url"
	"testing"
)

func TestParseAuthorization(t *testing.T) {
	h := "AWS4-HMAC-SHA256 Credential=123456789012/20261126/eu-west-1/workmail/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef"
	sig, err := ParseAuthorization(h)
	if err != nil {
		t.Fatal(err)
	}
	if sig.AccessKeyID != "123456789012" || sig.Region != "eu-west-1" || sig.Service != "workmail" || sig.Date != "20261126" {
		t.Fatalf("scope parsed wrong: %+v", sig)
	}
	if len(sig.SignedHeaderNames()) != 4 || sig.SignedHeaderNames()[1] != "host" || sig.Signature != "0123456789abcdef" {
		t.Fatalf("headers/signature parsed wrong: %+v", sig)
	}
}

func TestParseAuthorizationMalformed(t *testing.T) {
	for _, h := range []string{
		"garbage",
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA1 Credential=a/20260101/r/s/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/20260101/r/s/aws4_request, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/20260101/r/s/aws4_request, SignedHeaders=host",
		"AWS4-HMAC-SHA256 Credential=a/2026/r/s/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/20260101//s/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/20260101/r/s/aws5_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/20260101/r/s/aws4_request, SignedHeaders=, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/20260101/r/s/aws4_request, SignedHeaders=host, Signature=zz",
		"AWS4-HMAC-SHA256 Credential=a/20260101/r/s/aws4_request, SignedHeaders=host, Signature=",
	} {
		_, err := ParseAuthorization(h)
		var m *MalformedError
		if !errors.As(err, &m) || m.Reason == "" {
			t.Errorf("%q: got %v, want *MalformedError", h, err)
		}
	}
}

func TestFromRequest(t *testing.T) {
	if _, err := FromRequest("", url.Values{}); !errors.Is(err, ErrMissing) {
		t.Fatalf("unsigned: got %v", err)
	}
	q := url.Values{
		"X-Amz-Algorithm":     {Algorithm},
		"X-Amz-Credential":    {"AKIDEXAMPLE/20261126/us-west-2/workmail/aws4_request"},
		"X-Amz-Date":          {"20261126T120000Z"},
		"X-Amz-SignedHeaders": {"host"},
		"X-Amz-Signature":     {"abcdef"},
		"X-Amz-Expires":       {"300"},
	}
	sig, err := FromRequest("", q)
	if err != nil {
		t.Fatal(err)
	}
	if !sig.Presigned || sig.Region != "us-west-2" || sig.AccessKeyID != "AKIDEXAMPLE" || sig.AmzDate != "20261126T120000Z" || sig.Expires != "300" {
		t.Fatalf("presigned parsed wrong: %+v", sig)
	}
	q.Del("X-Amz-Date")
	var m *MalformedError
	if _, err := FromRequest("", q); !errors.As(err, &m) {
		t.Fatalf("presigned without date: got %v", err)
	}
}

// sdkForm is the form of the Authorization header every AWS SDK writes.
const sdkForm = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/workmail/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

// trickyHeaders are headers in or near the form the AWS SDKs write,
// valid or not: seeds for FuzzParseAuthorization.
var trickyHeaders = []string{
	sdkForm,
	"AWS4-HMAC-SHA256 Credential=123456789012/20261126/eu-west-1/workmail/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/workmail/aws4_request, SignedHeaders=host;x-amz-date, Signature=ABCDEF0123456789abcdef",
	// Values the parser keeps as they are: spaces inside or in front, '=', non-ASCII, invalid UTF-8.
	"AWS4-HMAC-SHA256 Credential=AK ID/20261126/us east 1/work mail/aws4_request, SignedHeaders=ho st, Signature=00",
	"AWS4-HMAC-SHA256 Credential= AKID/20261126/r/s/aws4_request, SignedHeaders= host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=\u00a0AKID/20261126/r/s/aws4_request, SignedHeaders=\u00a0host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=AK=ID/20261126/r=1/s/aws4_request, SignedHeaders=host=x, Signature=00",
	"AWS4-HMAC-SHA256 Credential=ключ/20261126/регион/s/aws4_request, SignedHeaders=hôst;x, Signature=00",
	"AWS4-HMAC-SHA256 Credential=\xff/20261126/r/s/aws4_request, SignedHeaders=h\xffx, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=;, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\x7f, Signature=00",
	// A header list that ends in something TrimSpace removes, or might.
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host , Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\t, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\u00a0, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\u0085, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\u3000, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\xc2, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders= , Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=, Signature=00",
	// Spacing other than the SDKs'.
	" AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00 ",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00\n",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00\u00a0",
	"AWS4-HMAC-SHA256  Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256\tCredential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request,SignedHeaders=host,Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request,  SignedHeaders=host,  Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request , SignedHeaders=host , Signature=00",
	"AWS4-HMAC-SHA256 Credential =a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	// Parameters in another order, repeated, unknown, empty, or missing.
	"AWS4-HMAC-SHA256 SignedHeaders=host, Credential=a/20261126/r/s/aws4_request, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, Signature=00, SignedHeaders=host",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00, Signature=ff",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, SignedHeaders=date, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, Credential=b/20261127/q/t/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00, Extra=1",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00,",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, , Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, junk, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host,x, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a,b/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=0g",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00 11",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request",
	"AWS4-HMAC-SHA256 Credential=",
	"AWS4-HMAC-SHA256 ",
	"AWS4-HMAC-SHA256",
	"AWS4-HMAC-SHA1 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"aws4-hmac-sha256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"",
	// Credential scopes setCredential refuses.
	"AWS4-HMAC-SHA256 Credential=/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126//s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r//aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a//r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws5_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/xaws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_requestx, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/x/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/b/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/2026112/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/202611266/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/2026112x/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/2026-11-26/r/s/aws4_request, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request /, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=a/20261126, SignedHeaders=host, Signature=00",
	"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;, Signature=",
	"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request/, SignedHeaders=host, Signature=00",
}

// The parser takes any spacing and order of the parameters; a repeated
// one counts as its last value; an unknown one is ignored.
func TestParseAuthorizationForms(t *testing.T) {
	want := Signature{AccessKeyID: "a", Date: "20261126", Region: "r", Service: "s", SignedHeaders: "host", Signature: "00"}
	for _, h := range []string{
		"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request,SignedHeaders=host,Signature=00",
		" AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request ,  SignedHeaders=host , Signature=00\n",
		"AWS4-HMAC-SHA256 Signature=00, SignedHeaders=host, Credential=a/20261126/r/s/aws4_request",
		"AWS4-HMAC-SHA256 Credential=b/20261127/q/t/aws4_request, Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=ff, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, Extra=1, junk, , SignedHeaders=host, Signature=00,",
	} {
		got, err := ParseAuthorization(h)
		if err != nil || got != want {
			t.Errorf("ParseAuthorization(%q) = %+v, %v; want %+v", h, got, err, want)
		}
	}
}

// Values are kept as sent: the parser checks the scope's shape, the date's
// digits and the signature's hex, nothing else.
func TestParseAuthorizationKeepsValues(t *testing.T) {
	h := "AWS4-HMAC-SHA256 Credential=AK=ID/20261126/us east 1/s/aws4_request, SignedHeaders=ho st;x, Signature=ABCdef09"
	got, err := ParseAuthorization(h)
	want := Signature{AccessKeyID: "AK=ID", Date: "20261126", Region: "us east 1", Service: "s", SignedHeaders: "ho st;x", Signature: "ABCdef09"}
	if err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
}

func TestIsHex(t *testing.T) {
	for s, want := range map[string]bool{"": false, "0": true, "09afAF": true, "0g": false, "00 11": false, "\xff": false, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7": true} {
		if got := isHex(s); got != want {
			t.Errorf("isHex(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzParseAuthorization checks that any header either parses into a
// complete signature or fails with a *MalformedError (which the server
// answers as IncompleteSignatureException), and never panics. The seed corpus is in testdata/fuzz/FuzzParseAuthorization.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=123456789012/20261126/eu-west-1/workmail/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;, Signature=")
	f.Add("")
	for _, h := range trickyHeaders {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		sig, err := ParseAuthorization(h)
		if err != nil {
			var m *MalformedError
			if !errors.As(err, &m) || m.Reason == "" {
				t.Fatalf("ParseAuthorization(%q) failed with %v, want a *MalformedError with a reason", h, err)
			}
			return
		}
		if sig.Region == "" || sig.AccessKeyID == "" || sig.Service == "" || !isDate(sig.Date) || sig.Signature == "" || len(sig.SignedHeaders) == 0 {
			t.Fatalf("accepted %q with an empty part: %+v", h, sig)
		}
		if sig.Presigned {
			t.Fatalf("a header signature marked presigned: %+v", sig)
		}
	})
}

func BenchmarkParseAuthorization(b *testing.B) {
	for b.Loop() {
		if _, err := ParseAuthorization(sdkForm); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzFromRequest covers the presigned path too: whatever the header and
// the raw query, FromRequest returns a complete signature, ErrMissing, or a
// *MalformedError, and never panics. The seed corpus is in
// testdata/fuzz/FuzzFromRequest.
func FuzzFromRequest(f *testing.F) {
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261126%2Fus-west-2%2Fworkmail%2Faws4_request&X-Amz-Date=20261126T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef&X-Amz-Expires=300")
	f.Add("AWS4-HMAC-SHA256 Credential=123456789012/20261126/eu-west-1/workmail/aws4_request, SignedHeaders=host, Signature=00", "")
	f.Add("", "X-Amz-Signature=&X-Amz-Algorithm=AWS4-HMAC-SHA1")
	f.Fuzz(func(t *testing.T, authorization, rawQuery string) {
		query, _ := url.ParseQuery(rawQuery) // keeps what parses, as the server does
		sig, err := FromRequest(authorization, query)
		var m *MalformedError
		switch {
		case errors.Is(err, ErrMissing):
			if authorization != "" {
				t.Fatalf("an Authorization header %q reported as missing", authorization)
			}
		case errors.As(err, &m):
			if m.Reason == "" {
				t.Fatal("a *MalformedError without a reason")
			}
		case err != nil:
			t.Fatalf("FromRequest(%q, %q) failed with %v, want ErrMissing or a *MalformedError", authorization, rawQuery, err)
		case sig.Region == "" || sig.AccessKeyID == "" || sig.Service == "" || !isDate(sig.Date) || sig.Signature == "" || len(sig.SignedHeaders) == 0:
			t.Fatalf("accepted (%q, %q) with an empty part: %+v", authorization, rawQuery, sig)
		case sig.Presigned != (authorization == "") || sig.Presigned && sig.AmzDate == "":
			t.Fatalf("(%q, %q) parsed as presigned=%v with X-Amz-Date %q", authorization, rawQuery, sig.Presigned, sig.AmzDate)
		}
	})
}
