package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

func createOrg(t *testing.T, c *workmail.Client, alias string) string {
	t.Helper()
	out, err := c.CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{Alias: aws.String(alias)})
	if err != nil {
		t.Fatalf("CreateOrganization %s: %v", alias, err)
	}
	return aws.ToString(out.OrganizationId)
}

func TestOrganizationLifecycle(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()

	id := createOrg(t, c, "example-corp")
	mustMatch(t, `^m-[0-9a-f]{32}$`, id)

	d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(d.ARN), "arn:aws:workmail:us-east-1:"+testAccount+":organization/"+id; got != want {
		t.Errorf("ARN %s, want %s", got, want)
	}
	if aws.ToString(d.State) != "Active" || aws.ToString(d.Alias) != "example-corp" ||
		aws.ToString(d.DirectoryType) != "WorkMailDirectory" || aws.ToString(d.DefaultMailDomain) != "example-corp.awsapps.com" ||
		d.CompletedDate == nil || d.DirectoryId != nil || d.InteroperabilityEnabled {
		t.Errorf("unexpected description: %+v", d)
	}
	if time.Since(*d.CompletedDate) > time.Minute || time.Until(*d.CompletedDate) > time.Second {
		t.Errorf("CompletedDate %v is not now", d.CompletedDate)
	}

	list, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.OrganizationSummaries) != 1 || aws.ToString(list.OrganizationSummaries[0].OrganizationId) != id ||
		aws.ToString(list.OrganizationSummaries[0].State) != "Active" || list.NextToken != nil {
		t.Fatalf("unexpected list: %+v", list)
	}

	del, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &id, DeleteDirectory: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(del.OrganizationId) != id || aws.ToString(del.State) != "Deleted" {
		t.Errorf("delete answered %+v", del)
	}
	// A deleted organization stays describable, leaves the list, and
	// refuses every operation that declares OrganizationStateException.
	d, err = c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &id})
	if err != nil || aws.ToString(d.State) != "Deleted" {
		t.Fatalf("describe after delete: %+v, %v", d, err)
	}
	list, err = c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil || len(list.OrganizationSummaries) != 0 {
		t.Fatalf("list after delete: %+v, %v", list, err)
	}
	_, err = c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &id, DeleteDirectory: true})
	wantAPIError(t, err, "OrganizationStateException", "Organization "+id+" is not Active, state: Deleted")
	_, err = c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: &id})
	wantAPIError(t, err, "OrganizationStateException", "state: Deleted")
	// The alias is free again.
	createOrg(t, c, "example-corp")
}

func TestCreateOrganizationOptions(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	out, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{
		Alias:                  aws.String("with-dir"),
		DirectoryId:            aws.String("d-0123456789"),
		EnableInteroperability: true,
		Domains:                []types.Domain{{DomainName: aws.String("example.com")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: out.OrganizationId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.DirectoryId) != "d-0123456789" || aws.ToString(d.DirectoryType) != "ADConnector" || !d.InteroperabilityEnabled {
		t.Errorf("unexpected description: %+v", d)
	}
	_, err = c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("other"), DirectoryId: aws.String("d-0123456789")})
	wantAPIError(t, err, "DirectoryInUseException", "d-0123456789")
	_, err = c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("with-dir")})
	wantAPIError(t, err, "NameAvailabilityException", "with-dir")

	// Neither failure created anything.
	list, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil || len(list.OrganizationSummaries) != 1 {
		t.Fatalf("failed creates left state behind: %+v, %v", list, err)
	}
}

func TestCreateOrganizationClientToken(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	in := &workmail.CreateOrganizationInput{Alias: aws.String("idem"), ClientToken: aws.String("token-1")}
	a, err := c.CreateOrganization(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateOrganization(ctx, in)
	if err != nil {
		t.Fatalf("retry with the same ClientToken: %v", err)
	}
	if aws.ToString(a.OrganizationId) != aws.ToString(b.OrganizationId) {
		t.Fatalf("retry created another organization: %s vs %s", aws.ToString(a.OrganizationId), aws.ToString(b.OrganizationId))
	}
	_, err = c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("idem-2"), ClientToken: aws.String("token-1")})
	wantAPIError(t, err, "InvalidParameterException", "ClientToken")
}

func TestCreateOrganizationValidation(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	var sixDomains []types.Domain
	for i := range 6 {
		sixDomains = append(sixDomains, types.Domain{DomainName: aws.String(fmt.Sprintf("d%d.example.com", i))})
	}
	cases := []struct {
		name  string
		in    *workmail.CreateOrganizationInput
		wants []string
	}{
		{"look-ahead pattern", &workmail.CreateOrganizationInput{Alias: aws.String("d-reserved")},
			[]string{"Value 'd-reserved' at 'alias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?!d-)([\\da-zA-Z]+)([-][\\da-zA-Z]+)*"}},
		{"whole-value pattern", &workmail.CreateOrganizationInput{Alias: aws.String("two--dashes")}, []string{"'alias'", "regular expression pattern"}},
		{"max length", &workmail.CreateOrganizationInput{Alias: aws.String(fmt.Sprintf("%063d", 0))}, []string{"'alias'", "Member must have length less than or equal to 62"}},
		{"min length", &workmail.CreateOrganizationInput{Alias: aws.String("")}, []string{"'alias'", "Member must have length greater than or equal to 1"}},
		{"list max length", &workmail.CreateOrganizationInput{Alias: aws.String("ok"), Domains: sixDomains}, []string{"'domains'", "less than or equal to 5"}},
		{"list element pattern", &workmail.CreateOrganizationInput{Alias: aws.String("ok"), Domains: []types.Domain{{DomainName: aws.String("bad domain")}}},
			[]string{"Value 'bad domain' at 'domains.1.member.domainName'"}},
		{"directory pattern", &workmail.CreateOrganizationInput{Alias: aws.String("ok"), DirectoryId: aws.String("d-XYZ0123456")}, []string{"'directoryId'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateOrganization(ctx, tc.in)
			wantAPIError(t, err, "InvalidParameterException", tc.wants...)
		})
	}
	list, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil || len(list.OrganizationSummaries) != 0 {
		t.Fatalf("invalid creates left state behind: %+v, %v", list, err)
	}
}

func TestListOrganizationsPagination(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	want := map[string]bool{}
	for i := range 7 {
		want[createOrg(t, c, fmt.Sprintf("org-%d", i))] = true
	}
	seen, pages := map[string]bool{}, 0
	p := workmail.NewListOrganizationsPaginator(c, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.OrganizationSummaries) > 2 {
			t.Fatalf("page of %d > MaxResults", len(page.OrganizationSummaries))
		}
		for _, o := range page.OrganizationSummaries {
			id := aws.ToString(o.OrganizationId)
			if seen[id] {
				t.Fatalf("%s listed twice", id)
			}
			seen[id] = true
		}
	}
	if pages != 4 || len(seen) != len(want) {
		t.Fatalf("%d pages, %d organizations; want 4 pages, %d organizations", pages, len(seen), len(want))
	}

	_, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{NextToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	_, err = c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(0)})
	wantAPIError(t, err, "InvalidParameterException", "Value '0' at 'maxResults'", "greater than or equal to 1")
	_, err = c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(101)})
	wantAPIError(t, err, "InvalidParameterException", "'maxResults'", "less than or equal to 100")
}

func TestOrganizationLifecycleDelays(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, Lifecycle: server.Lifecycle{
		CreateDelay: 10 * time.Second, DeleteDelay: 4 * time.Second, DeletedRetention: time.Minute,
	}})
	c, ctx := ts.defaultClient(), context.Background()
	id := createOrg(t, c, "slow")
	state := func() string {
		t.Helper()
		d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &id})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(d.State)
	}
	if s := state(); s != "Requested" {
		t.Fatalf("state %s, want Requested", s)
	}
	clock.Advance(6 * time.Second)
	if s := state(); s != "Creating" {
		t.Fatalf("state %s, want Creating", s)
	}
	_, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: &id})
	wantAPIError(t, err, "OrganizationStateException", "Organization "+id+" is not Active, state: Creating")
	_, err = c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &id, DeleteDirectory: true})
	wantAPIError(t, err, "OrganizationStateException", "state: Creating")
	clock.Advance(4 * time.Second)
	if s := state(); s != "Active" {
		t.Fatalf("state %s, want Active", s)
	}
	del, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &id, DeleteDirectory: true})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("delete: %+v, %v", del, err)
	}
	list, _ := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if len(list.OrganizationSummaries) != 1 || aws.ToString(list.OrganizationSummaries[0].State) != "Deleting" {
		t.Fatalf("a Deleting organization is still listed: %+v", list.OrganizationSummaries)
	}
	clock.Advance(4 * time.Second)
	if s := state(); s != "Deleted" {
		t.Fatalf("state %s, want Deleted", s)
	}
	clock.Advance(time.Minute)
	_, err = c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &id})
	wantAPIError(t, err, "OrganizationNotFoundException", id)
}
