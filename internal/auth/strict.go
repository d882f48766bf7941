package auth

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/workmaild/workmaild/internal/model"
)

// SigningName is the SigV4 service name WorkMail requests are signed for.
const SigningName = "workmail"

// Strict verifies every request's SigV4 signature against a keyring, by
// recomputing it with the AWS SDK's signer. The account comes from the
// key's credential, the region from the signature's scope.
type Strict struct {
	keys   Keyring
	now    func() time.Time
	signer *v4.Signer // safe for concurrent use; caches derived keys
}

// NewStrict returns a Strict authenticator. now is the clock that the
// signature's time is checked against; nil means time.Now.
func NewStrict(keys Keyring, now func() time.Time) *Strict {
	if now == nil {
		now = time.Now
	}
	return &Strict{keys: keys, now: now, signer: v4.NewSigner()}
}

// Authenticate implements Authenticator. The checks run from the cheapest
// to the costliest; each failure is the error AWS sends for it.
func (s *Strict) Authenticate(r *http.Request, body []byte) (Principal, error) {
	sig, err := Parse(r)
	if err != nil {
		return Principal{}, err
	}
	cred, ok := s.keys.Lookup(sig.AccessKeyID)
	if !ok {
		return Principal{}, model.ErrUnrecognizedClient.Errorf("The security token included in the request is invalid.")
	}
	if sig.Service != SigningName {
		return Principal{}, model.ErrInvalidSignature.Errorf("Credential should be scoped to correct service: '%s'.", SigningName)
	}
	signedAt, validFor, err := signingTime(r, sig)
	if err != nil {
		return Principal{}, err
	}
	if err := checkWindow(signedAt, s.now(), validFor); err != nil {
		return Principal{}, err
	}
	// The signer reads the query leniently, dropping what it cannot decode:
	// such a query would pass for one the client never signed.
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return Principal{}, model.ErrInvalidSignature.Errorf("The query string is malformed, so its signature cannot be verified: %v", err)
	}
	hash, err := payloadHash(r, sig, body)
	if err != nil {
		return Principal{}, err
	}
	want, err := recompute(r.Context(), s.signer, r, sig, cred, signedAt, hash)
	if err != nil {
		return Principal{}, err
	}
	sameHeaders := want.signedHeaders == sig.SignedHeaders
	sameSignature := subtle.ConstantTimeCompare([]byte(want.signature), []byte(strings.ToLower(sig.Signature))) == 1
	if !sameHeaders || !sameSignature {
		return Principal{}, model.ErrInvalidSignature.Errorf("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return Principal{AccessKeyID: cred.AccessKeyID, Account: cred.Account, Region: sig.Region}, nil
}
