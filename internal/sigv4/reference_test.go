package sigv4

import (
	"strconv"
	"strings"
)

// referenceParseAuthorization is ParseAuthorization as it was before the
// one-pass path for the SDKs' form, kept with its helpers exactly as they
// were: the differential tests and the fuzz target compare every result
// and every error message with it.
func referenceParseAuthorization(header string) (Signature, error) {
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
	if err := referenceSetCredential(&sig, credential); err != nil {
		return Signature{}, err
	}
	if signedHeaders == "" {
		return Signature{}, &MalformedError{Reason: "SignedHeaders must name at least one header."}
	}
	sig.SignedHeaders = signedHeaders
	if err := referenceCheckHex(signature); err != nil {
		return Signature{}, err
	}
	return sig, nil
}

func referenceSetCredential(s *Signature, credential string) error {
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
	if !referenceIsDate(parts[1]) {
		return &MalformedError{Reason: "Credential should be scoped to a valid date in the form yyyymmdd, got '" + parts[1] + "'."}
	}
	s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func referenceCheckHex(signature string) error {
	if signature == "" {
		return &MalformedError{Reason: "Signature must not be empty."}
	}
	for i := 0; i < len(signature); i++ {
		c := signature[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return &MalformedError{Reason: "Signature must be hexadecimal."}
		}
	}
	return nil
}

func referenceIsDate(s string) bool {
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
