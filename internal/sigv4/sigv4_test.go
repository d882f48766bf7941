package sigv4

import (
	"errors"
	"net/url"
	"strings"
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

// trickyHeaders are headers in or near the SDKs' form, and whether the
// one-pass path takes them (the rest go through parseGeneral).
var trickyHeaders = []struct {
	header  string
	onePass bool
}{
	{sdkForm, true},
	{"AWS4-HMAC-SHA256 Credential=123456789012/20261126/eu-west-1/workmail/aws4_request, SignedHeaders=host, Signature=00", true},
	{"AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/workmail/aws4_request, SignedHeaders=host;x-amz-date, Signature=ABCDEF0123456789abcdef", true},
	// Values parseGeneral keeps as they are: spaces inside or in front, '=', non-ASCII, invalid UTF-8.
	{"AWS4-HMAC-SHA256 Credential=AK ID/20261126/us east 1/work mail/aws4_request, SignedHeaders=ho st, Signature=00", true},
	{"AWS4-HMAC-SHA256 Credential= AKID/20261126/r/s/aws4_request, SignedHeaders= host, Signature=00", true},
	{"AWS4-HMAC-SHA256 Credential=\u00a0AKID/20261126/r/s/aws4_request, SignedHeaders=\u00a0host, Signature=00", true},
	{"AWS4-HMAC-SHA256 Credential=AK=ID/20261126/r=1/s/aws4_request, SignedHeaders=host=x, Signature=00", true},
	{"AWS4-HMAC-SHA256 Credential=ключ/20261126/регион/s/aws4_request, SignedHeaders=hôst;x, Signature=00", true},
	{"AWS4-HMAC-SHA256 Credential=\xff/20261126/r/s/aws4_request, SignedHeaders=h\xffx, Signature=00", true},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=;, Signature=00", true},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\x7f, Signature=00", true},
	// A header list that ends in something TrimSpace removes, or might.
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host , Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\t, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\u00a0, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\u0085, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\u3000, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host\xc2, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders= , Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=, Signature=00", false},
	// Spacing other than the SDKs'.
	{" AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00 ", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00\n", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00\u00a0", false},
	{"AWS4-HMAC-SHA256  Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256\tCredential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request,SignedHeaders=host,Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request,  SignedHeaders=host,  Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request , SignedHeaders=host , Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential =a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	// Parameters in another order, repeated, unknown, empty, or missing.
	{"AWS4-HMAC-SHA256 SignedHeaders=host, Credential=a/20261126/r/s/aws4_request, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, Signature=00, SignedHeaders=host", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00, Signature=ff", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, SignedHeaders=date, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, Credential=b/20261127/q/t/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00, Extra=1", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00,", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, , Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, junk, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host,x, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a,b/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=0g", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00 11", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request", false},
	{"AWS4-HMAC-SHA256 Credential=", false},
	{"AWS4-HMAC-SHA256 ", false},
	{"AWS4-HMAC-SHA256", false},
	{"AWS4-HMAC-SHA1 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"aws4-hmac-sha256 Credential=a/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"", false},
	// Credential scopes the one-pass path must refuse as setCredential does.
	{"AWS4-HMAC-SHA256 Credential=/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126//s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r//aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a//r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws5_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/xaws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_requestx, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/x/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/b/20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=20261126/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/2026112/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/202611266/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/2026112x/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/2026-11-26/r/s/aws4_request, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request /, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126, SignedHeaders=host, Signature=00", false},
	{"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;, Signature=", false},
	{"AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request/, SignedHeaders=host, Signature=00", false},
}

// sameParse fails t unless ParseAuthorization gives header exactly the
// result of the general parser, which defines it: the same signature, or
// the same error text; and unless the one-pass path takes only what the
// general parser accepts, with the same result.
func sameParse(t *testing.T, header string) {
	t.Helper()
	want, wantErr := parseGeneral(header)
	got, err := ParseAuthorization(header)
	if got != want || errorText(err) != errorText(wantErr) {
		t.Fatalf("ParseAuthorization(%q)\n= %+v, %v\nwant %+v, %v", header, got, err, want, wantErr)
	}
	if err != nil {
		var m *MalformedError
		if !errors.As(err, &m) {
			t.Fatalf("ParseAuthorization(%q) failed with %T, want a *MalformedError", header, err)
		}
	}
	if fast, ok := parseSDKForm(header); ok && (wantErr != nil || fast != want) {
		t.Fatalf("parseSDKForm(%q) accepted %+v; parseGeneral gives %+v, %v", header, fast, want, wantErr)
	}
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestParseAuthorizationAgainstGeneral(t *testing.T) {
	for _, c := range trickyHeaders {
		sameParse(t, c.header)
		if _, ok := parseSDKForm(c.header); ok != c.onePass {
			t.Errorf("parseSDKForm(%q) took it: %v, want %v", c.header, ok, c.onePass)
		}
	}
}

// TestIsHex compares isHex, which reads eight bytes at a time, with a
// byte loop: every byte value at every position of strings
// of 1 to 17 digits, and every pair of byte values side by side in a word
// (a byte of 0x80 or more carries into the next one).
func TestIsHex(t *testing.T) {
	const digits = "0123456789abcdefABCDEF0"
	byteLoop := func(s []byte) bool {
		for _, c := range s {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return len(s) > 0
	}
	check := func(s []byte) {
		if got, want := isHex(string(s)), byteLoop(s); got != want {
			t.Fatalf("isHex(%q) = %v, want %v", s, got, want)
		}
	}
	for n := 1; n <= 17; n++ {
		for i := range n {
			for b := range 256 {
				s := []byte(digits[:n])
				s[i] = byte(b)
				check(s)
			}
		}
	}
	for i := range 7 {
		for b := range 256 * 256 {
			s := []byte(digits[:8])
			s[i], s[i+1] = byte(b), byte(b>>8)
			check(s)
		}
	}
	check(nil)
}

// FuzzParseAuthorization checks that any header either parses into a
// complete signature or fails with a *MalformedError (which the server
// answers as IncompleteSignatureException), never panics, and gets
// exactly the result of the general parser, on the one-pass path or
// not. The seed corpus is in testdata/fuzz/FuzzParseAuthorization.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=123456789012/20261126/eu-west-1/workmail/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;, Signature=")
	f.Add("")
	for _, c := range trickyHeaders {
		f.Add(c.header)
	}
	f.Fuzz(func(t *testing.T, h string) {
		sameParse(t, h)
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

// BenchmarkParseAuthorizationOtherForm measures a valid header the
// one-pass path declines (no spaces after the commas).
func BenchmarkParseAuthorizationOtherForm(b *testing.B) {
	h := strings.ReplaceAll(sdkForm, ", ", ",")
	for b.Loop() {
		if _, err := ParseAuthorization(h); err != nil {
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
