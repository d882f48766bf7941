package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/sigv4"
)

// computed is what the AWS signer produces for a request.
type computed struct {
	signature     string
	signedHeaders string
}

// payloadHash is the hex SHA-256 of body. A body hash the client declares
// (X-Amz-Content-Sha256, as a header or a presigned query parameter) must
// be that hash: WorkMail requests always sign their body.
func payloadHash(r *http.Request, sig sigv4.Signature, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	declared := r.Header.Get("X-Amz-Content-Sha256")
	if sig.Presigned && declared == "" {
		declared = r.URL.Query().Get("X-Amz-Content-Sha256")
	}
	if declared != "" && !strings.EqualFold(declared, hash) {
		return "", model.ErrInvalidSignature.Errorf("The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	return hash, nil
}

// recompute signs a copy of r with the AWS SDK's SigV4 signer, using the
// client's own time, scope and body hash. The copy carries only the
// headers the client says it signed, so that headers added on the way
// (proxies, User-Agent) do not change the result.
func recompute(ctx context.Context, signer *v4.Signer, r *http.Request, sig sigv4.Signature, cred Credential, signedAt time.Time, hash string) (computed, error) {
	req := signedCopy(r, sig)
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}
	if !sig.Presigned {
		if err := signer.SignHTTP(ctx, creds, req, hash, sig.Service, sig.Region, signedAt); err != nil {
			return computed{}, err
		}
		own, err := sigv4.ParseAuthorization(req.Header.Get("Authorization"))
		if err != nil {
			return computed{}, fmt.Errorf("auth: parsing the signer's own Authorization: %w", err)
		}
		return computed{signature: own.Signature, signedHeaders: own.SignedHeaders}, nil
	}
	// Headers the client hoisted into the query are in the query already;
	// the copy's headers are exactly the signed ones and must stay headers.
	signedURL, _, err := signer.PresignHTTP(ctx, creds, req, hash, sig.Service, sig.Region, signedAt,
		func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })
	if err != nil {
		return computed{}, err
	}
	u, err := url.Parse(signedURL)
	if err != nil {
		return computed{}, fmt.Errorf("auth: parsing the signer's own URL: %w", err)
	}
	q := u.Query()
	return computed{signature: q.Get("X-Amz-Signature"), signedHeaders: q.Get("X-Amz-SignedHeaders")}, nil
}

// signedCopy is r reduced to what the client signed: method, path, query
// (without the signature itself), Host and the listed headers.
func signedCopy(r *http.Request, sig sigv4.Signature) *http.Request {
	u := &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if sig.Presigned {
		q := r.URL.Query()
		q.Del("X-Amz-Signature")
		u.RawQuery = q.Encode()
	}
	names := sig.SignedHeaderNames()
	req := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: make(http.Header, len(names))}
	for _, name := range names {
		switch name {
		case "host": // the signer signs req.Host itself
		case "content-length": // the signer signs ContentLength itself
			req.ContentLength = r.ContentLength
		default:
			if values := r.Header.Values(name); len(values) > 0 {
				req.Header[http.CanonicalHeaderKey(name)] = values
			}
		}
	}
	return req
}
