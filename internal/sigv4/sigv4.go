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
	"unicode/utf8"
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
//
// Every request comes through here, almost always in the form the AWS
// SDKs write, so that form is read in one pass (parseSDKForm). Anything
// else, every error included, is parseGeneral's, which defines the result.
func ParseAuthorization(header string) (Signature, error) {
	if sig, ok := parseSDKForm(header); ok {
		return sig, nil
	}
	return parseGeneral(header)
}

// parseSDKForm reads exactly the form the AWS SDKs write:
//
//	AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request, SignedHeaders=<list>, Signature=<hex>
//
// and reports false for anything else, valid or not. It accepts only
// what parseGeneral accepts, with the same result: each parameter once,
// in this order, no value holds a comma, and nothing is left for
// parseGeneral's TrimSpace to remove (the header starts with the
// algorithm and ends with a hex digit; the credential ends with
// "aws4_request"; the header list is checked to end in a byte that is
// not a space).
func parseSDKForm(header string) (Signature, bool) {
	rest, ok := strings.CutPrefix(header, Algorithm+" Credential=")
	if !ok {
		return Signature{}, false
	}
	comma := strings.IndexByte(rest, ',')
	if comma < 0 {
		return Signature{}, false
	}
	credential := rest[:comma]
	if rest, ok = strings.CutPrefix(rest[comma:], ", SignedHeaders="); !ok {
		return Signature{}, false
	}
	comma = strings.IndexByte(rest, ',')
	if comma < 0 {
		return Signature{}, false
	}
	signedHeaders := rest[:comma]
	signature, ok := strings.CutPrefix(rest[comma:], ", Signature=")
	if !ok || !endsInNonSpace(signedHeaders) || !isHex(signature) {
		return Signature{}, false
	}
	sig := Signature{SignedHeaders: signedHeaders, Signature: signature}
	if sig.AccessKeyID, sig.Date, sig.Region, sig.Service, ok = splitScope(credential); !ok {
		return Signature{}, false
	}
	return sig, true
}

// splitScope splits "<key>/<yyyymmdd>/<region>/<service>/aws4_request"
// into its four variable parts, reporting false wherever setCredential
// would fail.
func splitScope(credential string) (key, date, region, service string, ok bool) {
	scope, ok := strings.CutSuffix(credential, "/aws4_request")
	if !ok {
		return "", "", "", "", false
	}
	// The date has a fixed length: 8 digits, then a slash.
	slash := strings.IndexByte(scope, '/')
	if slash <= 0 || len(scope) <= slash+9 || scope[slash+9] != '/' || !isDate(scope[slash+1:slash+9]) {
		return "", "", "", "", false
	}
	key, date = scope[:slash], scope[slash+1:slash+9]
	region, service, ok = strings.Cut(scope[slash+10:], "/")
	if !ok || region == "" || service == "" || strings.IndexByte(service, '/') >= 0 {
		return "", "", "", "", false
	}
	return key, date, region, service, true
}

// endsInNonSpace reports whether s ends in a byte that TrimSpace surely
// keeps: printable ASCII other than the space. (Any Unicode space ends in
// a byte outside that range.)
func endsInNonSpace(s string) bool {
	if s == "" {
		return false
	}
	c := s[len(s)-1]
	return ' ' < c && c < utf8.RuneSelf
}

// parseGeneral parses any Authorization header: parameters in any order,
// repeated (the last one counts), unknown, or spaced in any way. Its
// errors are the ones clients see.
func parseGeneral(header string) (Signature, error) {
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
	// Cut into an array rather than Split: this runs on every request.
	var parts [5]string
	rest := credential
	for i := range parts[:4] {
		parts[i], rest, _ = strings.Cut(rest, "/")
	}
	parts[4] = rest
	if strings.Count(credential, "/") != 4 || parts[4] != "aws4_request" {
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
	s.SignedHeaders = list // split only by the strict check that needs it
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
// Every request's signature is 64 of them, so they are checked eight at a
// time as the bytes of a uint64, which takes half the time of a byte loop.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for ; len(s) >= 8; s = s[8:] {
		x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		if !eightHexDigits(x) {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// eightHexDigits reports whether every byte of x is a hexadecimal digit.
func eightHexDigits(x uint64) bool {
	lower := x | 0x20*oneBits // 'A'-'F' become 'a'-'f'; nothing else does
	digit := atLeast(x, '0') &^ atLeast(x, '9'+1)
	letter := atLeast(lower, 'a') &^ atLeast(lower, 'f'+1)
	// A byte of 0x80 or more fails here (&^ x), whatever its carry did to
	// the bytes above it.
	return (digit|letter)&^x&highBits == highBits
}

const (
	oneBits  = 0x0101010101010101 // the lowest bit of each byte of a uint64
	highBits = 0x8080808080808080 // the highest
)

// atLeast sets the high bit of each byte of x that is at least n. This
// holds for bytes below 0x80: such a byte plus 0x80-n stays below 0x100,
// so it carries nothing into the next byte.
func atLeast(x, n uint64) uint64 { return x + (0x80-n)*oneBits }

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
