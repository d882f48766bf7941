package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
)

func TestAccountAndRegionIsolation(t *testing.T) {
	ts := startServer(t, server.Options{})
	ctx := context.Background()
	owner := ts.client(testAccount, "eu-west-1")
	org := createOrg(t, owner, "isolated")
	app := createApp(t, owner, "WorkMail")
	if _, err := owner.PutIdentityProviderConfiguration(ctx, putConfig(org, app)); err != nil {
		t.Fatal(err)
	}
	d, err := owner.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
	if err != nil || aws.ToString(d.ARN) != "arn:aws:workmail:eu-west-1:"+testAccount+":organization/"+org {
		t.Fatalf("owner describe: %+v, %v", d, err)
	}

	for name, c := range map[string]*workmail.Client{
		"other account":        ts.client(otherAccount, "eu-west-1"),
		"other region":         ts.client(testAccount, "us-east-1"),
		"non-numeric key":      ts.client("AKIAIOSFODNN7EXAMPLE", "eu-west-1"),
		"other account+region": ts.client(otherAccount, "us-west-2"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
			wantAPIError(t, err, "OrganizationNotFoundException", org)
			_, err = c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: &org})
			wantAPIError(t, err, "OrganizationNotFoundException", org)
			_, err = c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: true})
			wantAPIError(t, err, "OrganizationNotFoundException", org)
			list, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
			if err != nil || len(list.OrganizationSummaries) != 0 {
				t.Fatalf("list shows another partition: %+v, %v", list, err)
			}
			// The application is invisible too: it cannot be used elsewhere.
			mine := createOrg(t, c, "mine")
			_, err = c.PutIdentityProviderConfiguration(ctx, putConfig(mine, app))
			wantAPIError(t, err, "ResourceNotFoundException", app)
		})
	}
	// The same alias is free in another partition, and keys that are not
	// account ids share the default account.
	createOrg(t, ts.client(otherAccount, "eu-west-1"), "isolated")
	a := ts.client("AKIAIOSFODNN7EXAMPLE", "eu-west-1")
	b := ts.client("000000000000", "eu-west-1")
	shared := createOrg(t, a, "shared")
	if _, err := b.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &shared}); err != nil {
		t.Fatalf("default account not shared: %v", err)
	}
	// A NextToken from one account is refused in another.
	for range 2 {
		createOrg(t, owner, "page-"+randomSuffix())
	}
	page, err := owner.ListOrganizations(ctx, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(1)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("expected a NextToken: %+v, %v", page, err)
	}
	_, err = ts.client(otherAccount, "eu-west-1").ListOrganizations(ctx, &workmail.ListOrganizationsInput{NextToken: page.NextToken})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
}
