package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

func registerDomain(t *testing.T, c *workmail.Client, org, domain string) {
	t.Helper()
	if _, err := c.RegisterMailDomain(context.Background(), &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: &domain}); err != nil {
		t.Fatalf("RegisterMailDomain %s: %v", domain, err)
	}
}

func getDomain(t *testing.T, c *workmail.Client, org, domain string) *workmail.GetMailDomainOutput {
	t.Helper()
	out, err := c.GetMailDomain(context.Background(), &workmail.GetMailDomainInput{OrganizationId: &org, DomainName: &domain})
	if err != nil {
		t.Fatalf("GetMailDomain %s: %v", domain, err)
	}
	return out
}

// listDomains pages through ListMailDomains by hand (botocore has no
// paginator for it) and returns "name" or "name*" for the default.
func listDomains(t *testing.T, c *workmail.Client, org string, pageSize int32) []string {
	t.Helper()
	var all []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListMailDomains(context.Background(), &workmail.ListMailDomainsInput{OrganizationId: &org, MaxResults: &pageSize, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.MailDomains) > int(pageSize) {
			t.Fatalf("a page of %d for MaxResults %d", len(out.MailDomains), pageSize)
		}
		for _, d := range out.MailDomains {
			name := aws.ToString(d.DomainName)
			if d.DefaultDomain {
				name += "*"
			}
			all = append(all, name)
		}
		if token = out.NextToken; token == nil {
			return all
		}
		if pages > 2000 {
			t.Fatal("paging does not end")
		}
	}
}

// Terraform's aws_workmail_domain and aws_workmail_default_domain:
// RegisterMailDomain, GetMailDomain until VERIFIED, then
// UpdateDefaultMailDomain, which fails with MailDomainStateException
// while the domain is PENDING.
func TestTerraformDomainSequence(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, Lifecycle: server.Lifecycle{DomainVerificationDelay: 10 * time.Minute}})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "tfdomain")
	if _, err := c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com"), ClientToken: aws.String("tf-1")}); err != nil {
		t.Fatal(err)
	}
	d := getDomain(t, c, org, "example.com")
	if d.OwnershipVerificationStatus != types.DnsRecordVerificationStatusPending || d.DkimVerificationStatus != types.DnsRecordVerificationStatusPending ||
		d.IsDefault || d.IsTestDomain || len(d.Records) != 8 {
		t.Fatalf("just registered: %+v", d)
	}
	_, err := c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com")})
	wantAPIError(t, err, "MailDomainStateException", "example.com", "verified")
	polls := 0
	for getDomain(t, c, org, "example.com").OwnershipVerificationStatus != types.DnsRecordVerificationStatusVerified {
		if polls++; polls > 20 {
			t.Fatal("the domain never became VERIFIED")
		}
		clock.Advance(time.Minute)
	}
	if polls != 10 {
		t.Fatalf("VERIFIED after %d minutes, want 10", polls)
	}
	if _, err := c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
	if err != nil || aws.ToString(desc.DefaultMailDomain) != "example.com" {
		t.Fatalf("DescribeOrganization: %v %v", desc, err)
	}
	if d := getDomain(t, c, org, "example.com"); !d.IsDefault {
		t.Fatal("GetMailDomain: not the default")
	}
	if got := listDomains(t, c, org, 100); !slices.Equal(got, []string{"example.com*", "tfdomain.awsapps.com"}) {
		t.Fatalf("ListMailDomains: %q", got)
	}
	// Destroying: the default goes back to the test domain, then the domain goes.
	_, err = c.DeregisterMailDomain(ctx, &workmail.DeregisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com")})
	wantAPIError(t, err, "InvalidParameterException", "default")
	if _, err := c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: aws.String("tfdomain.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeregisterMailDomain(ctx, &workmail.DeregisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetMailDomain(ctx, &workmail.GetMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com")})
	wantAPIError(t, err, "MailDomainNotFoundException", "example.com")
	// Terraform's destroy check swallows this; workmaild answers 200.
	if _, err := c.DeregisterMailDomain(ctx, &workmail.DeregisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com")}); err != nil {
		t.Fatalf("deregistering again: %v", err)
	}
}

// Without a delay a registered domain is VERIFIED at once.
func TestDomainVerifiedAtOnceByDefault(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "atonce")
	registerDomain(t, c, org, "Example.ORG")
	d := getDomain(t, c, org, "example.org")
	if d.OwnershipVerificationStatus != types.DnsRecordVerificationStatusVerified || d.DkimVerificationStatus != types.DnsRecordVerificationStatusVerified {
		t.Fatalf("statuses %s/%s", d.OwnershipVerificationStatus, d.DkimVerificationStatus)
	}
	if _, err := c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: aws.String("EXAMPLE.org")}); err != nil {
		t.Fatal(err)
	}
	u := createUser(t, c, org, "ann", "")
	register(t, c, org, u, "ann@example.org")
	// The test domain: verified, no records to publish, not the default any more.
	test := getDomain(t, c, org, "atonce.awsapps.com")
	if !test.IsTestDomain || test.IsDefault || len(test.Records) != 0 ||
		test.OwnershipVerificationStatus != types.DnsRecordVerificationStatusVerified {
		t.Fatalf("test domain %+v", test)
	}
	// Domains given to CreateOrganization are registered too.
	out, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("withdomains"),
		Domains: []types.Domain{{DomainName: aws.String("given.example"), HostedZoneId: aws.String("Z123")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := listDomains(t, c, aws.ToString(out.OrganizationId), 1); !slices.Equal(got, []string{"given.example", "withdomains.awsapps.com*"}) {
		t.Fatalf("domains of an organization created with one: %q", got)
	}
	_, err = c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("clash"),
		Domains: []types.Domain{{DomainName: aws.String("example.org")}}})
	wantAPIError(t, err, "InvalidParameterException", "example.org", "in use")
}

// GetMailDomain's records: WorkMail's eight, with trailing dots and the
// region's endpoints, stable for the domain.
func TestMailDomainRecords(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.client(testAccount, "eu-west-1")
	org := createOrg(t, c, "recs")
	registerDomain(t, c, org, "mail.example.net")
	d := getDomain(t, c, org, "mail.example.net")
	var got []string
	for _, r := range d.Records {
		got = append(got, aws.ToString(r.Type)+" "+aws.ToString(r.Hostname)+" "+aws.ToString(r.Value))
	}
	want := []string{
		`^MX mail\.example\.net\. 10 inbound-smtp\.eu-west-1\.amazonaws\.com\.$`,
		`^TXT _amazonses\.mail\.example\.net\. [A-Za-z0-9+/]{43}=$`,
		`^CNAME autodiscover\.mail\.example\.net\. autodiscover\.mail\.eu-west-1\.awsapps\.com\.$`,
		`^CNAME ([a-z2-7]{32})\._domainkey\.mail\.example\.net\. [a-z2-7]{32}\.dkim\.amazonses\.com\.$`,
		`^CNAME ([a-z2-7]{32})\._domainkey\.mail\.example\.net\. [a-z2-7]{32}\.dkim\.amazonses\.com\.$`,
		`^CNAME ([a-z2-7]{32})\._domainkey\.mail\.example\.net\. [a-z2-7]{32}\.dkim\.amazonses\.com\.$`,
		`^TXT mail\.example\.net\. v=spf1 include:amazonses\.com ~all$`,
		`^TXT _dmarc\.mail\.example\.net\. v=DMARC1;p=quarantine;pct=100;fo=1$`,
	}
	if len(got) != len(want) {
		t.Fatalf("records %q", got)
	}
	for i := range want {
		mustMatch(t, want[i], got[i])
	}
	if got[3] == got[4] || got[4] == got[5] {
		t.Fatalf("DKIM tokens repeat: %q", got[3:6])
	}
	var again []string
	for _, r := range getDomain(t, c, org, "MAIL.example.net").Records {
		again = append(again, aws.ToString(r.Type)+" "+aws.ToString(r.Hostname)+" "+aws.ToString(r.Value))
	}
	if !slices.Equal(got, again) {
		t.Fatal("records changed between reads")
	}
	// The wire shape: Records, IsTestDomain, IsDefault and the statuses;
	// ListMailDomains' items say DefaultDomain.
	home := createOrg(t, ts.defaultClient(), "recs")
	r := ts.raw("ListMailDomains", `{"OrganizationId":"`+home+`"}`, nil)
	if r.Status != 200 || !strings.Contains(string(r.Raw), `"DefaultDomain":true`) || strings.Contains(string(r.Raw), "IsDefault") {
		t.Fatalf("ListMailDomains: %d %s", r.Status, r.Raw)
	}
}

// Every declared error of the domain operations.
func TestMailDomainErrors(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, Lifecycle: server.Lifecycle{DomainVerificationDelay: time.Hour}})
	c, ctx := ts.defaultClient(), context.Background()
	org, other := createOrg(t, c, "errs"), createOrg(t, c, "errs-other")
	registerDomain(t, c, org, "taken.example")
	registerDomain(t, c, org, "taken.example") // the same organization again: no change

	_, err := c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &other, DomainName: aws.String("TAKEN.example")})
	wantAPIError(t, err, "MailDomainInUseException", "taken.example")
	_, err = c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &other, DomainName: aws.String("errs.awsapps.com")})
	wantAPIError(t, err, "InvalidParameterException", "awsapps.com")
	_, err = c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("bad domain")})
	wantAPIError(t, err, "InvalidParameterException")
	// Another account is another namespace.
	otherAccountOrg := createOrg(t, ts.client(otherAccount, testRegion), "errs")
	registerDomain(t, ts.client(otherAccount, testRegion), otherAccountOrg, "taken.example")
	// A ClientToken reused with other parameters.
	_, err = c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("a.example"), ClientToken: aws.String("tok")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("b.example"), ClientToken: aws.String("tok")})
	wantAPIError(t, err, "InvalidParameterException", "ClientToken")

	_, err = c.GetMailDomain(ctx, &workmail.GetMailDomainInput{OrganizationId: &other, DomainName: aws.String("taken.example")})
	wantAPIError(t, err, "MailDomainNotFoundException", "taken.example")

	_, err = c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &other, DomainName: aws.String("taken.example")})
	wantAPIError(t, err, "MailDomainNotFoundException", "taken.example")
	_, err = c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: aws.String("taken.example")})
	wantAPIError(t, err, "MailDomainStateException", "PENDING")

	_, err = c.DeregisterMailDomain(ctx, &workmail.DeregisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("errs.awsapps.com")})
	wantAPIError(t, err, "InvalidParameterException", "test domain")
	clock.Advance(time.Hour)
	u := createUser(t, c, org, "user", "")
	register(t, c, org, u, "user@errs.awsapps.com")
	if _, err := c.CreateAlias(ctx, &workmail.CreateAliasInput{OrganizationId: &org, EntityId: &u, Alias: aws.String("u@taken.example")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeregisterMailDomain(ctx, &workmail.DeregisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("taken.example")})
	wantAPIError(t, err, "MailDomainInUseException", "u@taken.example")

	// Quota: 1,000 registered domains.
	for i := range 999 {
		registerDomain(t, c, other, fmt.Sprintf("q%04d.example", i))
	}
	registerDomain(t, c, other, "q9999.example")
	registerDomain(t, c, other, "q9999.example") // one it has: still no change
	_, err = c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &other, DomainName: aws.String("over.example")})
	wantAPIError(t, err, "LimitExceededException", "1000")
}

// ListMailDomains pages through many domains, in name order, each once,
// whatever the page size; a NextToken is bound to its organization.
func TestListMailDomainsPaging(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org, other := createOrg(t, c, "pages"), createOrg(t, c, "pages-other")
	want := []string{}
	for i := range 150 {
		d := fmt.Sprintf("d%03d.example", i)
		registerDomain(t, c, org, d)
		want = append(want, d)
	}
	want = append(want, "pages.awsapps.com*")
	for _, size := range []int32{1, 7, 100} {
		if got := listDomains(t, c, org, size); !slices.Equal(got, want) {
			t.Fatalf("pages of %d: %d domains, want %d", size, len(got), len(want))
		}
	}
	out, err := c.ListMailDomains(ctx, &workmail.ListMailDomainsInput{OrganizationId: &org})
	if err != nil || len(out.MailDomains) != 100 || out.NextToken == nil {
		t.Fatalf("default page: %d, %v", len(out.MailDomains), err)
	}
	_, err = c.ListMailDomains(ctx, &workmail.ListMailDomainsInput{OrganizationId: &other, NextToken: out.NextToken})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	_, err = c.ListMailDomains(ctx, &workmail.ListMailDomainsInput{OrganizationId: &org, NextToken: aws.String(tamper(t, *out.NextToken))})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
}

// Every address and domain operation needs an Active organization.
func TestAddressOperationsNeedActiveOrganization(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, Lifecycle: server.Lifecycle{CreateDelay: time.Hour}})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "requested")
	id, d, e := aws.String("0c5a7bd7-54f4-4f2d-9b0a-0000000000aa"), aws.String("example.com"), aws.String("x@example.com")
	calls := map[string]func() error{
		"CreateAlias": func() error {
			_, err := c.CreateAlias(ctx, &workmail.CreateAliasInput{OrganizationId: &org, EntityId: id, Alias: e})
			return err
		},
		"DeleteAlias": func() error {
			_, err := c.DeleteAlias(ctx, &workmail.DeleteAliasInput{OrganizationId: &org, EntityId: id, Alias: e})
			return err
		},
		"ListAliases": func() error {
			_, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: id})
			return err
		},
		"UpdatePrimaryEmailAddress": func() error {
			_, err := c.UpdatePrimaryEmailAddress(ctx, &workmail.UpdatePrimaryEmailAddressInput{OrganizationId: &org, EntityId: id, Email: e})
			return err
		},
		"RegisterMailDomain": func() error {
			_, err := c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: d})
			return err
		},
		"DeregisterMailDomain": func() error {
			_, err := c.DeregisterMailDomain(ctx, &workmail.DeregisterMailDomainInput{OrganizationId: &org, DomainName: d})
			return err
		},
		"GetMailDomain": func() error {
			_, err := c.GetMailDomain(ctx, &workmail.GetMailDomainInput{OrganizationId: &org, DomainName: d})
			return err
		},
		"ListMailDomains": func() error {
			_, err := c.ListMailDomains(ctx, &workmail.ListMailDomainsInput{OrganizationId: &org})
			return err
		},
		"UpdateDefaultMailDomain": func() error {
			_, err := c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: d})
			return err
		},
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) { wantAPIError(t, call(), "OrganizationStateException", "Requested") })
	}
}

// POST /_workmaild/mail-domains/verification sets what DNS checks found,
// FAILED included; GetMailDomain and the address rules follow it.
func TestDomainVerificationEndpoint(t *testing.T) {
	ts := startServer(t, server.Options{Lifecycle: server.Lifecycle{DomainVerificationDelay: 24 * time.Hour}})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "endpoint")
	registerDomain(t, c, org, "example.com")
	post := func(body string) rawResponse {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, ts.URL+server.InternalPrefix+"mail-domains/verification", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return ts.do(req)
	}
	sel := `"Account":"` + testAccount + `","Region":"` + testRegion + `","OrganizationId":"` + org + `"`
	r := post(`{` + sel + `,"DomainName":"Example.com","OwnershipVerificationStatus":"VERIFIED","DkimVerificationStatus":"FAILED"}`)
	if r.Status != 200 || r.Body["OwnershipVerificationStatus"] != "VERIFIED" || r.Body["DkimVerificationStatus"] != "FAILED" {
		t.Fatalf("setting: %d %s", r.Status, r.Raw)
	}
	d := getDomain(t, c, org, "example.com")
	if d.OwnershipVerificationStatus != types.DnsRecordVerificationStatusVerified || d.DkimVerificationStatus != types.DnsRecordVerificationStatusFailed {
		t.Fatalf("GetMailDomain: %s/%s", d.OwnershipVerificationStatus, d.DkimVerificationStatus)
	}
	if _, err := c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	r = post(`{` + sel + `,"DomainName":"example.com","OwnershipVerificationStatus":"FAILED"}`)
	if r.Status != 200 || r.Body["OwnershipVerificationStatus"] != "FAILED" || r.Body["DkimVerificationStatus"] != "FAILED" {
		t.Fatalf("failing ownership: %d %s", r.Status, r.Raw)
	}
	u := createUser(t, c, org, "eve", "")
	_, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &u, Email: aws.String("eve@example.com")})
	wantAPIError(t, err, "MailDomainStateException", "FAILED")

	for _, tc := range []struct{ body, code string }{
		{`{` + sel + `,"DomainName":"unknown.example","OwnershipVerificationStatus":"VERIFIED"}`, "MailDomainNotFoundException"},
		{`{` + sel + `,"DomainName":"endpoint.awsapps.com","OwnershipVerificationStatus":"FAILED"}`, "InvalidParameterException"},
		{`{` + sel + `,"DomainName":"example.com","OwnershipVerificationStatus":"MAYBE"}`, "InvalidParameterException"},
		{`{"Account":"nope","Region":"` + testRegion + `","OrganizationId":"` + org + `","DomainName":"example.com"}`, "InvalidParameterException"},
		{`{"Account":"` + testAccount + `","Region":"` + testRegion + `","OrganizationId":"m-00000000000000000000000000000000","DomainName":"example.com"}`, "OrganizationNotFoundException"},
		{`not json`, "SerializationException"},
	} {
		r := post(tc.body)
		if r.Status != 400 || r.Body["__type"] != tc.code {
			t.Errorf("%s: %d %s, want 400 %s", tc.body, r.Status, r.Raw, tc.code)
		}
	}
}

// The endpoint is guarded by the admin token like the other internal ones.
func TestDomainVerificationEndpointNeedsAdminToken(t *testing.T) {
	ts := startServer(t, server.Options{AdminToken: "s3cret-admin-token"})
	r := ts.internalCall(http.MethodPost, server.InternalPrefix+"mail-domains/verification", "")
	if r.Status != 401 {
		t.Fatalf("without the token: %d %s", r.Status, r.Raw)
	}
	r = ts.internalCall(http.MethodPost, server.InternalPrefix+"mail-domains/verification", "s3cret-admin-token")
	if r.Status != 400 || r.Body["__type"] != "SerializationException" {
		t.Fatalf("with the token, no body: %d %s", r.Status, r.Raw)
	}
}
