// Package sigv4 parses the AWS Signature Version 4 parts of a request:
// the Authorization header or the presigned query string. It extracts the
// credential scope (who signs, for which region and service) so that the
// server can route the request to an account and region. Verifying the
// signature itself is the job of the auth package, which builds on this.
package sigv4

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// Algorithm is the only signing algorithm WorkMail accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// Signature is what a request says about its own signature.
type Signature struct {
	AccessKeyID   string
	Date          string // yyyymmdd from the credential scope
	Region        string
	Service       string
	SignedHeaders string // lower case, ';'-separated, as listed by the client
	Signature     string // hex
	Presigned     bool
	// AmzDate is X-Amz-Date from the query for presigned requests; for
	// header-signed requests the caller reads the X-Amz-Date header.
	AmzDate string
	// Expires is X-Amz-Expires of a presigned request, as sent.
	Expires string
}

// ErrMissing means the request carries no signature at all.
var ErrMissing = errors.New("sigv4: request is not signed")

// MalformedError explains why a signature could not be parsed. Its message
// is written for the client, as AWS words IncompleteSignatureException.
type MalformedError struct{ Reason string }

func (e *MalformedError) Error() string { return e.Reason }

// FromRequest reads the signature from an Authorization header value or,
// when that is empty, from a presigned query. It returns ErrMissing when
// neither is present and a *MalformedError when one is present but broken.
func FromRequest(authorization string, query url.Values) (Signature, error) {
	if authorization != "" {
		return ParseAuthorization(authorization)
	}
	if query.Has("X-Amz-Algorithm") || query.Has("X-Amz-Credential") || query.Has("X-Amz-Signature") {
		return ParseQuery(query)
	}
	return Signature{}, ErrMissing
}

// ParseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/workmail/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex".
// Parameters may come in any order, repeated (the last one counts),
// unknown, or spaced in any way. Its errors are the ones clients see.
func ParseAuthorization(header string) (Signature, error) {
	algorithm, params, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || algorithm != Algorithm {
		return Signature{}, &MalformedError{Reason: "Authorization header must use the " + Algorithm + " algorithm. Authorization=" + header}
	}
	var credential, signedHeaders, signature string
	var haveCredential, haveSignedHeaders, haveSignature bool
	for part := range strings.SplitSeq(params, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch key {
		case "Credential":
			credential, haveCredential = value, true
		case "SignedHeaders":
			signedHeaders, haveSignedHeaders = value, true
		case "Signature":
			signature, haveSignature = value, true
		}
	}
	var missing []string
	if !haveCredential {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSignature {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSignedHeaders {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(missing) > 0 {
		return Signature{}, &MalformedError{Reason: strings.Join(missing, " ") + " Authorization=" + header}
	}
	sig := Signature{Signature: signature}
	if err := sig.setCredential(credential); err != nil {
		return Signature{}, err
	}
	if err := sig.setSignedHeaders(signedHeaders); err != nil {
		return Signature{}, err
	}
	if err := checkHex(signature); err != nil {
		return Signature{}, err
	}
	return sig, nil
}

// ParseQuery parses a presigned request's X-Amz-* query parameters.
func ParseQuery(q url.Values) (Signature, error) {
	var missing []string
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(name) == "" {
			missing = append(missing, "AWS query-string parameters must include '"+name+"'.")
		}
	}
	if len(missing) > 0 {
		return Signature{}, &MalformedError{Reason: strings.Join(missing, " ") + " Re-examine the query-string parameters."}
	}
	if a := q.Get("X-Amz-Algorithm"); a != Algorithm {
		return Signature{}, &MalformedError{Reason: "X-Amz-Algorithm only supports " + Algorithm + ", got '" + a + "'."}
	}
	sig := Signature{Signature: q.Get("X-Amz-Signature"), Presigned: true, AmzDate: q.Get("X-Amz-Date"), Expires: q.Get("X-Amz-Expires")}
	if err := sig.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return Signature{}, err
	}
	if err := sig.setSignedHeaders(q.Get("X-Amz-SignedHeaders")); err != nil {
		return Signature{}, err
	}
	if err := checkHex(sig.Signature); err != nil {
		return Signature{}, err
	}
	return sig, nil
}

// setCredential parses "AKID/yyyymmdd/region/service/aws4_request".
func (s *Signature) setCredential(credential string) error {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return &MalformedError{Reason: "Credential should be scoped to a valid region, service and date, in the form <key>/<yyyymmdd>/<region>/<service>/aws4_request. Credential=" + credential}
	}
	for i, p := range parts {
		if p == "" {
			return &MalformedError{Reason: "Credential has an empty component at position " + strconv.Itoa(i+1) + ". Credential=" + credential}
		}
	}
	if !isDate(parts[1]) {
		return &MalformedError{Reason: "Credential should be scoped to a valid date in the form yyyymmdd, got '" + parts[1] + "'."}
	}
	s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func (s *Signature) setSignedHeaders(list string) error {
	if list == "" {
		return &MalformedError{Reason: "SignedHeaders must name at least one header."}
	}
	s.SignedHeaders = list
	return nil
}

// SignedHeaderNames returns the signed header names, in the client's order.
func (s Signature) SignedHeaderNames() []string { return strings.Split(s.SignedHeaders, ";") }

func checkHex(signature string) error {
	if signature == "" {
		return &MalformedError{Reason: "Signature must not be empty."}
	}
	if !isHex(signature) {
		return &MalformedError{Reason: "Signature must be hexadecimal."}
	}
	return nil
}

// isHex reports whether s is one or more hexadecimal digits, either case.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
