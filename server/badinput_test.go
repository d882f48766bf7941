package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/workmaild/workmaild/server"
)

// badInput is one row of docs/bad-input.md: a request that differs from a
// well-formed, signed WorkMail request in one way, and the answer it gets.
// The test sends exactly this request; the document is rendered from the
// same values, so the two cannot drift apart.
type badInput struct {
	name string
	// method is the HTTP method; empty means POST.
	method string
	// op is the operation in X-Amz-Target; the header is left out when
	// target is "-", and target, when set, replaces the whole header.
	op, target string
	body       string
	// shown describes body in the document when the body itself is too
	// long or not printable.
	shown string
	// headers are set after signing; an empty value removes the header.
	headers map[string]string
	// strict sends the row to a server in strict mode, where the request
	// is signed with strictKey; the others go to a lenient server.
	strict bool
	// accessKey and secret, when set, replace the signing key's.
	accessKey, secret string
	// skew signs the request that long after the server's clock.
	skew time.Duration
	// signedBody, when set, is the body the signature covers instead of
	// body.
	signedBody string
	// The answer: status, __type ("" for a success) and a fragment of the
	// message.
	status  int
	code    string
	message string
	// answerHeaders are headers the answer must carry.
	answerHeaders map[string]string
}

const orgMember = `"OrganizationId":"m-00000000000000000000000000000000"`

// The default limit is 1 MiB; both bodies are valid JSON.
var (
	bodyAtLimit   = `{"NextToken":"` + strings.Repeat("a", 1<<20-len(`{"NextToken":""}`)) + `"}`
	bodyOverLimit = `{"NextToken":"` + strings.Repeat("a", 1<<20+1-len(`{"NextToken":""}`)) + `"}`
	// awsjson.MaxJSONDepth is 64: the object is one level, the arrays the
	// others.
	nested64    = `{"Unknown":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}`
	nested65    = `{"Unknown":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`
	deepNesting = `{"Domains":` + strings.Repeat("[", 20000)
)

// badInputNow is the clock of both servers, so that strict mode's answers
// about signing times are the same on every run.
var badInputNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// wrongSignature is a well-formed Authorization header whose signature is
// not the request's.
const wrongSignature = "AWS4-HMAC-SHA256 Credential=AKIAWORKMAILDTEST001/20261126/us-east-1/workmail/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000"

func badInputs() []badInput {
	return []badInput{
		// The body.
		{name: "empty body", op: "ListOrganizations", body: "", status: 200},
		{name: "body of white space only", op: "ListOrganizations", body: " \r\n\t", shown: "space, CR, LF, tab", status: 200},
		{name: "not JSON", op: "ListOrganizations", body: "hello", status: 400, code: "SerializationException", message: "Request body is not valid JSON: invalid character 'h' looking for beginning of value (at byte 1)."},
		{name: "truncated JSON", op: "ListOrganizations", body: `{"MaxResults":`, status: 400, code: "SerializationException", message: "Request body is not valid JSON: unexpected end of JSON input"},
		{name: "JSON array instead of an object", op: "ListOrganizations", body: `[1,2]`, status: 400, code: "SerializationException", message: "Request body must be a JSON object, not an array."},
		{name: "JSON null instead of an object", op: "ListOrganizations", body: `null`, status: 400, code: "SerializationException", message: "Request body must be a JSON object, not null."},
		{name: "JSON string instead of an object", op: "ListOrganizations", body: `"{}"`, status: 400, code: "SerializationException", message: "Request body must be a JSON object, not a string."},
		{name: "trailing data after the object", op: "ListOrganizations", body: `{} {}`, status: 400, code: "SerializationException", message: "Request body is not valid JSON"},
		{name: "string for an integer", op: "ListOrganizations", body: `{"MaxResults":"5"}`, status: 400, code: "SerializationException", message: "Member 'MaxResults' must be an integer from -2147483648 to 2147483647, not a string."},
		{name: "number for a string", op: "DescribeOrganization", body: `{"OrganizationId":42}`, status: 400, code: "SerializationException", message: "Member 'OrganizationId' must be a string, not a number."},
		{name: "object for a string", op: "DescribeOrganization", body: `{"OrganizationId":{}}`, status: 400, code: "SerializationException", message: "Member 'OrganizationId' must be a string, not an object."},
		{name: "string for a boolean", op: "DeleteOrganization", body: `{` + orgMember + `,"DeleteDirectory":"yes"}`, status: 400, code: "SerializationException", message: "Member 'DeleteDirectory' must be a boolean, not a string."},
		{name: "string for a nested integer", op: "PutIdentityProviderConfiguration", body: `{"PersonalAccessTokenConfiguration":{"LifetimeInDays":"ten"}}`, status: 400, code: "SerializationException", message: "Member 'PersonalAccessTokenConfiguration.LifetimeInDays' must be an integer"},
		{name: "object for a list", op: "CreateOrganization", body: `{"Alias":"ok","Domains":{}}`, status: 400, code: "SerializationException", message: "Member 'Domains' must be an array, not an object."},
		{name: "null for a required member", op: "DescribeOrganization", body: `{"OrganizationId":null}`, status: 400, code: "InvalidParameterException", message: "1 validation error detected: Value null at 'organizationId' failed to satisfy constraint: Member must not be null"},
		{name: "required member missing", op: "DescribeOrganization", body: `{}`, status: 400, code: "InvalidParameterException", message: "Value null at 'organizationId' failed to satisfy constraint: Member must not be null"},
		{name: "null for an optional member (treated as absent)", op: "ListOrganizations", body: `{"MaxResults":null}`, status: 200},
		{name: "unknown member (ignored)", op: "ListOrganizations", body: `{"Unknown":{"a":[1]}}`, status: 200},
		{name: "member name in another case (matched regardless of case: AWS would ignore it)", op: "DescribeOrganization", body: `{"organizationid":"m-00000000000000000000000000000000"}`, status: 400, code: "OrganizationNotFoundException", message: "Organization m-00000000000000000000000000000000 does not exist."},
		{name: "duplicate key, the last one valid (the last one wins)", op: "ListOrganizations", body: `{"MaxResults":0,"MaxResults":1}`, status: 200},
		{name: "duplicate key, the last one invalid (the last one wins)", op: "ListOrganizations", body: `{"MaxResults":1,"MaxResults":0}`, status: 400, code: "InvalidParameterException", message: "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{name: "integer beyond 64 bits", op: "ListOrganizations", body: `{"MaxResults":99999999999999999999}`, status: 400, code: "SerializationException", message: "Member 'MaxResults' must be an integer from -2147483648 to 2147483647, not the number 99999999999999999999."},
		{name: "integer beyond 32 bits", op: "ListOrganizations", body: `{"MaxResults":2147483648}`, status: 400, code: "SerializationException", message: "not the number 2147483648."},
		{name: "number beyond float64", op: "ListOrganizations", body: `{"MaxResults":1e400}`, status: 400, code: "SerializationException", message: "not the number 1e400."},
		{name: "fraction for an integer", op: "ListOrganizations", body: `{"MaxResults":1.5}`, status: 400, code: "SerializationException", message: "not the number 1.5."},
		{name: "integer out of the model's range", op: "ListOrganizations", body: `{"MaxResults":-1}`, status: 400, code: "InvalidParameterException", message: "Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{name: "invalid UTF-8 in a string", op: "CreateOrganization", body: "{\"Alias\":\"a\xff\"}", shown: "`{\"Alias\":\"a` then byte 0xFF then `\"}`", status: 400, code: "SerializationException", message: "Request body is not valid UTF-8."},
		{name: "escaped lone surrogate", op: "CreateOrganization", body: `{"Alias":"a\ud800"}`, status: 400, code: "InvalidParameterException", message: "at 'alias' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{name: "NUL character in a string", op: "CreateOrganization", body: `{"Alias":"a\u0000b"}`, status: 400, code: "InvalidParameterException", message: "at 'alias' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{name: "JSON nested 64 levels deep (the limit)", op: "ListOrganizations", body: nested64, shown: "`{\"Unknown\":` then 63 `[`, 63 `]` and `}`", status: 200},
		{name: "JSON nested 65 levels deep", op: "ListOrganizations", body: nested65, shown: "`{\"Unknown\":` then 64 `[`, 64 `]` and `}`", status: 400, code: "SerializationException", message: "Request body nests objects and arrays deeper than 64 levels."},
		{name: "JSON nested 20,000 levels deep, unterminated", op: "CreateOrganization", body: deepNesting, shown: "`{\"Domains\":` then 20,000 `[`", status: 400, code: "SerializationException", message: "Request body nests objects and arrays deeper than 64 levels."},
		{name: "body of exactly the limit (1 MiB)", op: "ListOrganizations", body: bodyAtLimit, shown: "`{\"NextToken\":\"aaa…\"}`, 1,048,576 bytes", status: 400, code: "InvalidParameterException", message: "at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to"},
		{name: "body one byte over the limit", op: "ListOrganizations", body: bodyOverLimit, shown: "`{\"NextToken\":\"aaa…\"}`, 1,048,577 bytes", status: 413, code: "RequestEntityTooLargeException", message: "Request body is larger than the 1048576 bytes this server accepts."},

		// The method and the headers.
		{name: "GET", method: http.MethodGet, op: "ListOrganizations", body: `{}`, answerHeaders: map[string]string{"Allow": "POST"}, status: 405, code: "UnknownOperationException", message: "Method GET is not supported: WorkMail requests are POST / with an X-Amz-Target header."},
		{name: "PUT", method: http.MethodPut, op: "ListOrganizations", body: `{}`, answerHeaders: map[string]string{"Allow": "POST"}, status: 405, code: "UnknownOperationException", message: "Method PUT is not supported"},
		{name: "Content-Type text/plain", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Content-Type": "text/plain"}, status: 400, code: "SerializationException", message: `Unsupported Content-Type "text/plain": send application/x-amz-json-1.1.`},
		{name: "Content-Type application/xml", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Content-Type": "application/xml"}, status: 400, code: "SerializationException", message: "Unsupported Content-Type"},
		{name: "Content-Type absent", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Content-Type": ""}, status: 200},
		{name: "Content-Type application/json", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Content-Type": "application/json"}, status: 200},
		{name: "Content-Type with parameters", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Content-Type": "application/x-amz-json-1.1; charset=utf-8"}, status: 200},
		{name: "X-Amz-Target missing", target: "-", body: `{}`, status: 400, code: "UnknownOperationException", message: "Missing X-Amz-Target header; expected WorkMailService.<Operation>."},
		{name: "X-Amz-Target of another service", target: "AWSIdentityStore.ListUsers", body: `{}`, status: 400, code: "UnknownOperationException", message: `Operation "AWSIdentityStore.ListUsers" is not supported`},
		{name: "X-Amz-Target without an operation", target: "WorkMailService.", body: `{}`, status: 400, code: "UnknownOperationException", message: `Operation "WorkMailService." is not supported`},
		{name: "X-Amz-Target in lower case", target: "workmailservice.listorganizations", body: `{}`, status: 400, code: "UnknownOperationException", message: "is not supported"},
		{name: "X-Amz-Target naming an unknown operation", target: "WorkMailService.FlyToTheMoon", body: `{}`, status: 400, code: "UnknownOperationException", message: "FlyToTheMoon"},
		{name: "Authorization missing", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": ""}, status: 400, code: "MissingAuthenticationTokenException", message: "Missing Authentication Token"},
		{name: "Authorization without Credential and SignedHeaders", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Signature=abc"}, status: 400, code: "IncompleteSignatureException", message: "Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{name: "Authorization of another scheme", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": "Bearer abc"}, status: 400, code: "IncompleteSignatureException", message: "Authorization header must use the AWS4-HMAC-SHA256 algorithm."},
		{name: "Authorization with a malformed credential scope", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=111122223333/us-east-1/workmail/aws4_request, SignedHeaders=host, Signature=00"}, status: 400, code: "IncompleteSignatureException", message: "Credential should be scoped to a valid region, service and date"},
		{name: "Authorization with a non-hex signature", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=111122223333/20261126/us-east-1/workmail/aws4_request, SignedHeaders=host, Signature=xyz"}, status: 400, code: "IncompleteSignatureException", message: "Signature must be hexadecimal."},
		{name: "signed 20 minutes ago (lenient mode verifies nothing)", op: "ListOrganizations", body: `{}`, skew: -20 * time.Minute, status: 200},
		{name: "wrong signature (lenient mode verifies nothing)", op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": wrongSignature}, status: 200},

		// Signatures in strict mode.
		{name: "well signed", strict: true, op: "ListOrganizations", body: `{}`, status: 200},
		{name: "Authorization missing", strict: true, op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": ""}, status: 400, code: "MissingAuthenticationTokenException", message: "Missing Authentication Token"},
		{name: "Authorization without Credential", strict: true, op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"}, status: 400, code: "IncompleteSignatureException", message: "Authorization header requires 'Credential' parameter."},
		{name: "unknown access key", strict: true, accessKey: "AKIAUNKNOWNKEY000000", op: "ListOrganizations", body: `{}`, status: 400, code: "UnrecognizedClientException", message: "The security token included in the request is invalid."},
		{name: "wrong secret", strict: true, secret: "not-the-secret", op: "ListOrganizations", body: `{}`, status: 400, code: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided."},
		{name: "wrong signature", strict: true, op: "ListOrganizations", body: `{}`, headers: map[string]string{"Authorization": wrongSignature}, status: 400, code: "InvalidSignatureException", message: "does not match the signature you provided"},
		{name: "body changed after signing", strict: true, op: "ListOrganizations", signedBody: `{}`, body: `{"MaxResults":1}`, status: 400, code: "InvalidSignatureException", message: "does not match the signature you provided"},
		{name: "signed 20 minutes ago (expired)", strict: true, op: "ListOrganizations", body: `{}`, skew: -20 * time.Minute, status: 400, code: "InvalidSignatureException", message: "Signature expired: 20261126T114000Z is now earlier than 20261126T114500Z (20261126T120000Z - 15 min.)"},
		{name: "signed 20 minutes ahead", strict: true, op: "ListOrganizations", body: `{}`, skew: 20 * time.Minute, status: 400, code: "InvalidSignatureException", message: "Signature not yet current: 20261126T122000Z is still later than 20261126T121500Z (20261126T120000Z + 15 min.)"},
		{name: "signed 14 minutes ago (inside the window)", strict: true, op: "ListOrganizations", body: `{}`, skew: -14 * time.Minute, status: 200},
		// The order of the checks: size, then signature, then the rest.
		{name: "bad body, well signed", strict: true, op: "ListOrganizations", body: `{"MaxResults":"5"}`, status: 400, code: "SerializationException", message: "Member 'MaxResults' must be an integer"},
		{name: "bad body and a wrong secret (the signature is checked first)", strict: true, secret: "not-the-secret", op: "ListOrganizations", body: `{"MaxResults":"5"}`, status: 400, code: "InvalidSignatureException", message: "does not match the signature you provided"},
		{name: "body over the limit and no Authorization (the size is checked first)", strict: true, op: "ListOrganizations", body: bodyOverLimit, shown: "`{\"NextToken\":\"aaa…\"}`, 1,048,577 bytes", headers: map[string]string{"Authorization": ""}, status: 413, code: "RequestEntityTooLargeException", message: "Request body is larger than the 1048576 bytes this server accepts."},
	}
}

// TestBadInput sends every row of docs/bad-input.md to a real server over
// HTTP and checks the answer.
func TestBadInput(t *testing.T) {
	clock := func() time.Time { return badInputNow }
	lenient := startServer(t, server.Options{Now: clock})
	strict := startStrict(t, server.Options{Now: clock})
	for _, tc := range badInputs() {
		name := tc.name
		if tc.strict {
			name = "strict/" + name
		}
		t.Run(name, func(t *testing.T) {
			ts := lenient
			if tc.strict {
				ts = strict
			}
			r := ts.do(tc.request(t, ts.URL))
			for name, want := range tc.answerHeaders {
				if got := r.Header.Get(name); got != want {
					t.Errorf("answer header %s: %q, want %q", name, got, want)
				}
			}
			if tc.code == "" {
				if r.Status != tc.status || r.Body["__type"] != nil {
					t.Fatalf("status %d, want %d; body %s", r.Status, tc.status, r.Raw)
				}
				wantProtocolHeaders(t, r)
				return
			}
			wantRawError(t, r, tc.status, tc.code, tc.message)
		})
	}
}

// request builds the row's request: signed with SigV4 like an SDK would,
// then changed as the row says.
func (tc badInput) request(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(tc.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	switch {
	case tc.target == "-":
	case tc.target != "":
		req.Header.Set("X-Amz-Target", tc.target)
	default:
		req.Header.Set("X-Amz-Target", "WorkMailService."+tc.op)
	}
	creds := aws.Credentials{AccessKeyID: testAccount, SecretAccessKey: "secret-key"}
	if tc.strict {
		creds = aws.Credentials{AccessKeyID: strictKey.AccessKeyID, SecretAccessKey: strictKey.SecretAccessKey}
	}
	if tc.accessKey != "" {
		creds.AccessKeyID = tc.accessKey
	}
	if tc.secret != "" {
		creds.SecretAccessKey = tc.secret
	}
	signed := tc.body
	if tc.signedBody != "" {
		signed = tc.signedBody
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(signed), "workmail", testRegion, badInputNow.Add(tc.skew)); err != nil {
		t.Fatal(err)
	}
	if tc.method != "" {
		req.Method = tc.method
	}
	for name, value := range tc.headers {
		if value == "" {
			req.Header.Del(name)
		} else {
			req.Header.Set(name, value)
		}
	}
	return req
}
