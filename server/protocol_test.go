package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
)

func TestWireSuccess(t *testing.T) {
	ts := startServer(t, server.Options{})
	r := ts.raw("CreateOrganization", `{"Alias":"wire"}`, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	wantProtocolHeaders(t, r)
	id, _ := r.Body["OrganizationId"].(string)
	r = ts.raw("DescribeOrganization", `{"OrganizationId":"`+id+`"}`, nil)
	// Timestamps are epoch seconds as JSON numbers.
	n, ok := r.Body["CompletedDate"].(json.Number)
	if !ok {
		t.Fatalf("CompletedDate is %T (%v), want a number", r.Body["CompletedDate"], r.Body["CompletedDate"])
	}
	if f, err := n.Float64(); err != nil || f < 1.7e9 {
		t.Fatalf("CompletedDate %v is not epoch seconds", n)
	}
	// Empty output is {}; an empty body means {}.
	r = ts.raw("DeleteIdentityProviderConfiguration", `{"OrganizationId":"`+id+`"}`, nil)
	if r.Status != http.StatusOK || string(r.Raw) != "{}" {
		t.Fatalf("empty output: %d %s", r.Status, r.Raw)
	}
	r = ts.raw("ListOrganizations", ``, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("empty body: %d %s", r.Status, r.Raw)
	}
}

func TestWireErrors(t *testing.T) {
	ts := startServer(t, server.Options{})
	const org = `"m-00000000000000000000000000000000"`
	cases := []struct {
		name   string
		op     string
		body   string
		edit   func(*http.Request)
		status int
		code   string
		wants  []string
	}{
		{"missing required member", "DescribeIdentityProviderConfiguration", `{}`, nil, 400, "InvalidParameterException",
			[]string{"1 validation error detected: Value null at 'organizationId' failed to satisfy constraint: Member must not be null"}},
		{"null required member", "DescribeIdentityProviderConfiguration", `{"OrganizationId":null}`, nil, 400, "InvalidParameterException",
			[]string{"Value null at 'organizationId'"}},
		{"missing nested required", "PutIdentityProviderConfiguration",
			`{"OrganizationId":` + org + `,"AuthenticationMode":"IDENTITY_PROVIDER_ONLY","IdentityCenterConfiguration":{},"PersonalAccessTokenConfiguration":{"Status":"ACTIVE"}}`,
			nil, 400, "InvalidParameterException", []string{"Value null at 'identityCenterConfiguration.instanceArn'", "Value null at 'identityCenterConfiguration.applicationArn'"}},
		{"missing required member in a list element", "CreateOrganization", `{"Alias":"ok","Domains":[{}]}`, nil, 400, "InvalidParameterException",
			[]string{"Value null at 'domains.1.member.domainName' failed to satisfy constraint: Member must not be null"}},
		{"wrong JSON type", "DescribeIdentityProviderConfiguration", `{"OrganizationId":42}`, nil, 400, "SerializationException", []string{"OrganizationId"}},
		{"wrong nested type", "PutIdentityProviderConfiguration", `{"PersonalAccessTokenConfiguration":{"LifetimeInDays":"ten"}}`, nil, 400, "SerializationException", []string{"LifetimeInDays"}},
		{"number too large", "ListOrganizations", `{"MaxResults":99999999999999999999}`, nil, 400, "SerializationException", nil},
		{"malformed JSON", "ListOrganizations", `{"MaxResults":`, nil, 400, "SerializationException", nil},
		{"not an object", "ListOrganizations", `[1,2]`, nil, 400, "SerializationException", nil},
		{"trailing data", "ListOrganizations", `{} {}`, nil, 400, "SerializationException", nil},
		{"invalid UTF-8", "CreateOrganization", "{\"Alias\":\"a\xff\"}", nil, 400, "SerializationException", nil},
		{"unknown operation", "FlyToTheMoon", `{}`, nil, 400, "UnknownOperationException", []string{"FlyToTheMoon"}},
		{"missing target", "", `{}`, nil, 400, "UnknownOperationException", []string{"X-Amz-Target"}},
		{"garbled target", "", `{}`, func(r *http.Request) { r.Header.Set("X-Amz-Target", "SomethingElse.ListOrganizations") }, 400, "UnknownOperationException", nil},
		{"no Authorization", "ListOrganizations", `{}`, func(r *http.Request) { r.Header.Del("Authorization") }, 400, "MissingAuthenticationTokenException", nil},
		{"malformed Authorization", "ListOrganizations", `{}`, func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Signature=abc") }, 400, "IncompleteSignatureException", []string{"Credential"}},
		{"wrong content type", "ListOrganizations", `{}`, func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, 400, "SerializationException", []string{"Content-Type"}},
		{"not implemented", "ListMailboxExportJobs", `{"OrganizationId":` + org + `}`, nil, 501, "NotImplemented", []string{"ListMailboxExportJobs", "not implemented"}},
		{"body too large", "ListOrganizations", `{"NextToken":"` + strings.Repeat("a", 2<<20) + `"}`, nil, 413, "RequestEntityTooLargeException", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantRawError(t, ts.raw(tc.op, tc.body, tc.edit), tc.status, tc.code, tc.wants...)
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/", nil)
		r := ts.do(req)
		wantRawError(t, r, http.StatusMethodNotAllowed, "UnknownOperationException", "GET")
	})
	t.Run("modeled errors are 400 with the model's Message member", func(t *testing.T) {
		r := ts.raw("DescribeOrganization", `{"OrganizationId":`+org+`}`, nil)
		wantRawError(t, r, 400, "OrganizationNotFoundException", "m-00000000000000000000000000000000")
	})
}

func TestHealth(t *testing.T) {
	ts := startServer(t, server.Options{})
	resp, err := http.Get(ts.URL + server.InternalPrefix + "health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health: %d", resp.StatusCode)
	}
}

func TestResetKeepsTokensValid(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	for i := range 3 {
		createOrg(t, c, fmt.Sprintf("before-reset-%d", i))
	}
	resp, err := http.Post(ts.URL+server.InternalPrefix+"reset", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %v %v", resp, err)
	}
	resp.Body.Close()
	list, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil || len(list.OrganizationSummaries) != 0 {
		t.Fatalf("reset left organizations: %+v, %v", list, err)
	}
	for i := range 3 {
		createOrg(t, c, fmt.Sprintf("after-reset-%d", i))
	}
	page, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(2)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("list: %+v, %v", page, err)
	}
	if _, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{NextToken: page.NextToken}); err != nil {
		t.Fatalf("NextToken after reset: %v", err)
	}
}
