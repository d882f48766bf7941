package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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

// An empty list is sent as [], not left out: boto3 and the CLI show the
// body as it came, so response['OrganizationSummaries'] must exist.
func TestWireEmptyList(t *testing.T) {
	ts := startServer(t, server.Options{})
	r := ts.raw("ListOrganizations", `{}`, nil)
	if r.Status != http.StatusOK || string(r.Raw) != `{"OrganizationSummaries":[]}` {
		t.Fatalf("empty list: %d %s", r.Status, r.Raw)
	}
}

// TestWireErrors covers errors that are not about malformed input; the
// malformed inputs are in badinput_test.go, which docs/bad-input.md lists.
func TestWireErrors(t *testing.T) {
	ts := startServer(t, server.Options{})
	const org = `"m-00000000000000000000000000000000"`
	cases := []struct {
		name   string
		op     string
		body   string
		status int
		code   string
		wants  []string
	}{
		{"missing nested required", "PutIdentityProviderConfiguration",
			`{"OrganizationId":` + org + `,"AuthenticationMode":"IDENTITY_PROVIDER_ONLY","IdentityCenterConfiguration":{},"PersonalAccessTokenConfiguration":{"Status":"ACTIVE"}}`,
			400, "InvalidParameterException", []string{"Value null at 'identityCenterConfiguration.instanceArn'", "Value null at 'identityCenterConfiguration.applicationArn'"}},
		{"missing required member in a list element", "CreateOrganization", `{"Alias":"ok","Domains":[{}]}`, 400, "InvalidParameterException",
			[]string{"Value null at 'domains.1.member.domainName' failed to satisfy constraint: Member must not be null"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantRawError(t, ts.raw(tc.op, tc.body, nil), tc.status, tc.code, tc.wants...)
		})
	}
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
