package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/internal/sdktransport"
	"github.com/workmaild/workmaild/server"
)

// Strict-mode keys: one named after its account, one that is not (its
// account comes from the credential, never from the key's shape).
var (
	strictKey    = server.Credential{AccessKeyID: "AKIAWORKMAILDTEST001", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Account: testAccount}
	strictOther  = server.Credential{AccessKeyID: otherAccount, SecretAccessKey: "another+secret/with:colons", Account: "777788889999"}
	strictAdmin  = "admin-token-for-tests"
	testBodyJSON = `{"Alias":"presigned"}`
)

func startStrict(t *testing.T, opts server.Options) *testServer {
	t.Helper()
	opts.Auth = server.AuthStrict
	opts.Credentials = []server.Credential{strictKey, strictOther}
	return startServer(t, opts)
}

// skewSigner is the SDK's signer with the client's clock moved by skew.
type skewSigner struct {
	signer *v4.Signer
	skew   time.Duration
}

func (s skewSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, t time.Time, opts ...func(*v4.SignerOptions)) error {
	return s.signer.SignHTTP(ctx, creds, r, payloadHash, service, region, t.Add(s.skew), opts...)
}

// sdkClient is the real WorkMail client signing with key and secret.
func (ts *testServer) sdkClient(key, secret string, skew time.Duration) *workmail.Client {
	return workmail.New(workmail.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(ts.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
		HTTPSignerV4:     skewSigner{signer: v4.NewSigner(), skew: skew},
		HTTPClient:       sdktransport.Client(nil),
	})
}

func TestStrictAcceptsGoodSignatures(t *testing.T) {
	ts := startStrict(t, server.Options{})
	ctx := context.Background()
	for i, tc := range []struct {
		cred server.Credential
		skew time.Duration
	}{
		{strictKey, 0},
		{strictOther, 0},
		{strictKey, -14 * time.Minute}, // inside the window on both sides
		{strictKey, 14 * time.Minute},
	} {
		c := ts.sdkClient(tc.cred.AccessKeyID, tc.cred.SecretAccessKey, tc.skew)
		id := createOrg(t, c, fmt.Sprintf("good%d", i))
		d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &id})
		if err != nil {
			t.Fatalf("%s skew %v: %v", tc.cred.AccessKeyID, tc.skew, err)
		}
		// The account is the credential's, even for a 12-digit key id.
		if want := "arn:aws:workmail:" + testRegion + ":" + tc.cred.Account + ":organization/" + id; aws.ToString(d.ARN) != want {
			t.Fatalf("ARN %s, want %s", aws.ToString(d.ARN), want)
		}
	}
}

func TestStrictRejectsBadSignatures(t *testing.T) {
	ts := startStrict(t, server.Options{})
	ctx := context.Background()
	cases := []struct {
		name      string
		client    *workmail.Client
		code      string
		fragments []string
	}{
		{"wrong secret", ts.sdkClient(strictKey.AccessKeyID, "not-the-secret", 0), "InvalidSignatureException",
			[]string{"The request signature we calculated does not match the signature you provided."}},
		{"another key's secret", ts.sdkClient(strictKey.AccessKeyID, strictOther.SecretAccessKey, 0), "InvalidSignatureException",
			[]string{"does not match"}},
		{"unknown key", ts.sdkClient("AKIAUNKNOWNKEY000000", strictKey.SecretAccessKey, 0), "UnrecognizedClientException",
			[]string{"The security token included in the request is invalid."}},
		{"signed 16 minutes ago", ts.sdkClient(strictKey.AccessKeyID, strictKey.SecretAccessKey, -16*time.Minute), "InvalidSignatureException",
			[]string{"Signature expired: ", " is now earlier than ", " - 15 min.)"}},
		{"signed 16 minutes ahead", ts.sdkClient(strictKey.AccessKeyID, strictKey.SecretAccessKey, 16*time.Minute), "InvalidSignatureException",
			[]string{"Signature not yet current: ", " is still later than ", " + 15 min.)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("refused")})
			wantAPIError(t, err, tc.code, tc.fragments...)
		})
	}
	// A refused request changed nothing.
	list, err := ts.sdkClient(strictKey.AccessKeyID, strictKey.SecretAccessKey, 0).ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil || len(list.OrganizationSummaries) != 0 {
		t.Fatalf("refused requests left %+v (%v)", list, err)
	}
}

func TestStrictExpiredMessageNamesTheTimes(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ts := startStrict(t, server.Options{Now: func() time.Time { return now }})
	r := ts.signedRaw(strictKey, "ListOrganizations", `{}`, now.Add(-20*time.Minute), nil)
	wantRawError(t, r, 400, "InvalidSignatureException",
		"Signature expired: 20261126T114000Z is now earlier than 20261126T114500Z (20261126T120000Z - 15 min.)")
	r = ts.signedRaw(strictKey, "ListOrganizations", `{}`, now.Add(20*time.Minute), nil)
	wantRawError(t, r, 400, "InvalidSignatureException",
		"Signature not yet current: 20261126T122000Z is still later than 20261126T121500Z (20261126T120000Z + 15 min.)")
}

// signedRaw sends body as op, header-signed with cred at signedAt; edit
// runs after signing.
func (ts *testServer) signedRaw(cred server.Credential, op, body string, signedAt time.Time, edit func(*http.Request)) rawResponse {
	ts.t.Helper()
	req := ts.newAPIRequest(op, body)
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), "workmail", testRegion, signedAt); err != nil {
		ts.t.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	return ts.do(req)
}

func (ts *testServer) newAPIRequest(op, body string) *http.Request {
	ts.t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "WorkMailService."+op)
	return req
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestStrictHonoursTheBody(t *testing.T) {
	ts := startStrict(t, server.Options{})
	now := time.Now()
	tamper := func(r *http.Request) {
		r.Body, r.ContentLength = readCloser(`{"Alias":"evil"}`), int64(len(`{"Alias":"ok12"}`))
	}
	r := ts.signedRaw(strictKey, "CreateOrganization", `{"Alias":"ok12"}`, now, tamper)
	wantRawError(t, r, 400, "InvalidSignatureException", "does not match")

	// A declared body hash must be the body's.
	declare := func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", sha256Hex(`{"Alias":"other"}`)) }
	req := ts.newAPIRequest("CreateOrganization", `{"Alias":"declared"}`)
	declare(req)
	creds := aws.Credentials{AccessKeyID: strictKey.AccessKeyID, SecretAccessKey: strictKey.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(`{"Alias":"other"}`), "workmail", testRegion, now); err != nil {
		t.Fatal(err)
	}
	wantRawError(t, ts.do(req), 400, "InvalidSignatureException", "'x-amz-content-sha256'")

	// The same header, true, is accepted.
	r = ts.signedRaw(strictKey, "CreateOrganization", `{"Alias":"declared"}`, now, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("good request: %d %s", r.Status, r.Raw)
	}
	list, err := ts.sdkClient(strictKey.AccessKeyID, strictKey.SecretAccessKey, 0).ListOrganizations(context.Background(), &workmail.ListOrganizationsInput{})
	if err != nil || len(list.OrganizationSummaries) != 1 || aws.ToString(list.OrganizationSummaries[0].Alias) != "declared" {
		t.Fatalf("tampered requests changed state: %+v %v", list, err)
	}
}

func TestStrictChecksWhatWasSigned(t *testing.T) {
	ts := startStrict(t, server.Options{})
	now := time.Now()
	cases := []struct {
		name  string
		edit  func(*http.Request)
		code  string
		wants []string
	}{
		{"signed header changed", func(r *http.Request) { r.Header.Set("X-Amz-Target", "WorkMailService.DeleteOrganization") }, "InvalidSignatureException", []string{"does not match"}},
		{"signed header removed", func(r *http.Request) { r.Header.Del("Content-Type") }, "InvalidSignatureException", []string{"does not match"}},
		{"scope for another service", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/workmail/", "/s3/", 1))
		}, "InvalidSignatureException", []string{"Credential should be scoped to correct service: 'workmail'."}},
		{"scope date not the signing date", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), now.UTC().Format("/20060102/"), "/20200101/", 1))
		}, "InvalidSignatureException", []string{"Date in Credential scope does not match", "'20200101'"}},
		{"no X-Amz-Date", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, "IncompleteSignatureException", []string{"X-Amz-Date"}},
		{"garbled X-Amz-Date", func(r *http.Request) { r.Header.Set("X-Amz-Date", "yesterday") }, "IncompleteSignatureException", []string{"'yesterday'"}},
		{"no signature at all", func(r *http.Request) { r.Header.Del("Authorization") }, "MissingAuthenticationTokenException", nil},
		{"malformed Authorization", func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Signature=00") }, "IncompleteSignatureException", []string{"Credential"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.signedRaw(strictKey, "ListOrganizations", `{}`, now, tc.edit)
			wantRawError(t, r, 400, tc.code, tc.wants...)
		})
	}
	t.Run("unsigned headers may be added", func(t *testing.T) {
		r := ts.signedRaw(strictKey, "ListOrganizations", `{}`, now, func(r *http.Request) {
			r.Header.Set("User-Agent", "changed-by-a-proxy")
			r.Header.Set("X-Forwarded-For", "10.0.0.1")
		})
		if r.Status != http.StatusOK {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
}

// presign returns a presigned POST for op with body, valid for expires
// (0: no X-Amz-Expires), made at signedAt.
func (ts *testServer) presign(cred server.Credential, op, body string, expires time.Duration, signedAt time.Time) *http.Request {
	ts.t.Helper()
	req := ts.newAPIRequest(op, body)
	if expires > 0 {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
		req.URL.RawQuery = q.Encode()
	}
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}
	signedURL, signed, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, sha256Hex(body), "workmail", testRegion, signedAt)
	if err != nil {
		ts.t.Fatal(err)
	}
	out, err := http.NewRequest(http.MethodPost, signedURL, strings.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	for k, v := range signed {
		if k != "Host" {
			out.Header[k] = v
		}
	}
	// The server reads the operation from the header; the presigned query
	// carries a hoisted copy that the signature covers.
	out.Header.Set("X-Amz-Target", "WorkMailService."+op)
	out.Header.Set("Content-Type", "application/x-amz-json-1.1")
	return out
}

func TestStrictPresigned(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ts := startStrict(t, server.Options{Now: func() time.Time { return now }})

	r := ts.do(ts.presign(strictKey, "CreateOrganization", testBodyJSON, 0, now.Add(-time.Minute)))
	if r.Status != http.StatusOK {
		t.Fatalf("presigned request: %d %s", r.Status, r.Raw)
	}
	if !strings.HasPrefix(r.Body["OrganizationId"].(string), "m-") {
		t.Fatalf("no organization: %s", r.Raw)
	}
	// X-Amz-Expires is honoured: an hour's validity covers 50 minutes ago.
	r = ts.do(ts.presign(strictKey, "ListOrganizations", `{}`, time.Hour, now.Add(-50*time.Minute)))
	if r.Status != http.StatusOK {
		t.Fatalf("presigned with an hour's validity: %d %s", r.Status, r.Raw)
	}

	cases := []struct {
		name  string
		req   func() *http.Request
		code  string
		wants []string
	}{
		{"past X-Amz-Expires", func() *http.Request {
			return ts.presign(strictKey, "ListOrganizations", `{}`, 90*time.Second, now.Add(-2*time.Minute))
		}, "InvalidSignatureException", []string{"Signature expired: 20261126T115800Z is now earlier than 20261126T115830Z (20261126T120000Z - 90 sec.)"}},
		{"past 15 minutes without X-Amz-Expires", func() *http.Request {
			return ts.presign(strictKey, "ListOrganizations", `{}`, 0, now.Add(-16*time.Minute))
		}, "InvalidSignatureException", []string{"Signature expired", "- 15 min.)"}},
		{"X-Amz-Expires over 7 days", func() *http.Request {
			return ts.presign(strictKey, "ListOrganizations", `{}`, 8*24*time.Hour, now)
		}, "IncompleteSignatureException", []string{"X-Amz-Expires", "604800"}},
		{"tampered body", func() *http.Request {
			req := ts.presign(strictKey, "CreateOrganization", `{"Alias":"aaaa"}`, 0, now)
			req.Body = readCloser(`{"Alias":"bbbb"}`)
			return req
		}, "InvalidSignatureException", []string{"does not match"}},
		{"tampered query", func() *http.Request {
			req := ts.presign(strictKey, "ListOrganizations", `{}`, 0, now)
			q := req.URL.Query()
			q.Set("X-Amz-Target", "WorkMailService.DeleteOrganization")
			req.URL.RawQuery = q.Encode()
			return req
		}, "InvalidSignatureException", []string{"does not match"}},
		{"wrong secret", func() *http.Request {
			bad := strictKey
			bad.SecretAccessKey = "wrong"
			return ts.presign(bad, "ListOrganizations", `{}`, 0, now)
		}, "InvalidSignatureException", []string{"does not match"}},
		{"unknown key", func() *http.Request {
			return ts.presign(server.Credential{AccessKeyID: "AKIANOBODY", SecretAccessKey: "x"}, "ListOrganizations", `{}`, 0, now)
		}, "UnrecognizedClientException", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantRawError(t, ts.do(tc.req()), 400, tc.code, tc.wants...)
		})
	}
}

func TestLenientModeSaysSoOnceAtStart(t *testing.T) {
	for _, tc := range []struct {
		opts  server.Options
		warns int
	}{
		{server.Options{}, 1},
		{server.Options{Auth: server.AuthLenient}, 1},
		{server.Options{Auth: server.AuthStrict, Credentials: []server.Credential{strictKey}}, 0},
	} {
		logs := &lines{} // written by request goroutines too
		tc.opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
		ts := startServer(t, tc.opts)
		ts.signedRaw(strictKey, "ListOrganizations", `{}`, time.Now(), nil)
		ts.signedRaw(strictKey, "ListOrganizations", `{}`, time.Now(), nil)
		if got := strings.Count(logs.String(), "level=WARN msg=\"authentication is lenient: request signatures are parsed but NOT verified"); got != tc.warns {
			t.Errorf("mode %q: %d lenient warnings, want %d:\n%s", tc.opts.Auth, got, tc.warns, logs.String())
		}
	}
}

func TestStrictNeedsCredentials(t *testing.T) {
	if _, err := server.New(server.Options{Auth: server.AuthStrict}); !errors.Is(err, server.ErrNoCredentials) {
		t.Fatalf("strict without credentials: %v", err)
	}
	bad := strictKey
	bad.Account = "not-an-account"
	if _, err := server.New(server.Options{Auth: server.AuthStrict, Credentials: []server.Credential{bad}}); err == nil {
		t.Fatal("strict with a bad account accepted")
	}
	if _, err := server.New(server.Options{Auth: "paranoid"}); err == nil {
		t.Fatal("unknown mode accepted")
	}
}

func readCloser(s string) *readCloserString { return &readCloserString{strings.NewReader(s)} }

type readCloserString struct{ *strings.Reader }

func (readCloserString) Close() error { return nil }

// internalCall sends method path with an optional bearer token.
func (ts *testServer) internalCall(method, path, token string) rawResponse {
	ts.t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return ts.do(req)
}

func TestAdminToken(t *testing.T) {
	reset := server.InternalPrefix + "reset"
	cases := []struct {
		name   string
		opts   server.Options
		token  string
		path   string
		status int
		code   string
	}{
		{"strict without a token configured: disabled", server.Options{}, strictAdmin, reset, 403, "AccessDeniedException"},
		{"strict: no token sent", server.Options{AdminToken: strictAdmin}, "", reset, 401, "UnauthorizedException"},
		{"strict: wrong token", server.Options{AdminToken: strictAdmin}, strictAdmin + "x", reset, 401, "UnauthorizedException"},
		{"strict: a prefix of the token", server.Options{AdminToken: strictAdmin}, strictAdmin[:5], reset, 401, "UnauthorizedException"},
		{"strict: unknown endpoints are guarded too", server.Options{AdminToken: strictAdmin}, "", server.InternalPrefix + "nothing-here", 401, "UnauthorizedException"},
		{"strict: right token", server.Options{AdminToken: strictAdmin}, strictAdmin, reset, 200, ""},
		{"strict: health needs nothing", server.Options{}, "", server.HealthPath, 200, ""},
		{"lenient with a token: enforced", server.Options{Auth: server.AuthLenient, AdminToken: strictAdmin}, "nope", reset, 401, "UnauthorizedException"},
		{"lenient without a token: open", server.Options{Auth: server.AuthLenient}, "", reset, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ts *testServer
			if tc.opts.Auth == server.AuthLenient {
				ts = startServer(t, tc.opts)
			} else {
				ts = startStrict(t, tc.opts)
			}
			c := ts.sdkClient(strictKey.AccessKeyID, strictKey.SecretAccessKey, 0)
			createOrg(t, c, "survives")
			method := http.MethodPost
			if tc.path == server.HealthPath {
				method = http.MethodGet
			}
			r := ts.internalCall(method, tc.path, tc.token)
			if r.Status != tc.status || (tc.code != "" && r.Body["__type"] != tc.code) {
				t.Fatalf("got %d %s, want %d %s", r.Status, r.Raw, tc.status, tc.code)
			}
			if tc.status == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("401 without a Bearer challenge: %v", r.Header)
			}
			list, err := c.ListOrganizations(context.Background(), &workmail.ListOrganizationsInput{})
			if err != nil {
				t.Fatal(err)
			}
			resetDone := tc.path == reset && tc.status == 200
			if survived := len(list.OrganizationSummaries) == 1; survived == resetDone {
				t.Fatalf("reset done: %v, organizations left: %d", resetDone, len(list.OrganizationSummaries))
			}
		})
	}
}
