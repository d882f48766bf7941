package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
)

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	first, err := server.New(server.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t}
	hs := startListener(t, first)
	ts.URL = hs
	c := ts.defaultClient()
	org := createOrg(t, c, "durable")
	createOrg(t, c, "durable-2")
	app := createApp(t, c, "WorkMail")
	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(org, app)); err != nil {
		t.Fatal(err)
	}
	page, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(1)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("list: %+v, %v", page, err)
	}
	mailboxes, err := writeRestartMailboxes(ctx, c, org, "durable")
	if err != nil {
		t.Fatal(err)
	}
	settings, err := writeRestartSettings(ctx, c, org)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := server.New(server.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { second.Close() })
	ts.URL = startListener(t, second)
	c = ts.defaultClient()
	d, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: &org})
	if err != nil || aws.ToString(d.IdentityCenterConfiguration.ApplicationArn) != app {
		t.Fatalf("configuration lost across restart: %+v, %v", d, err)
	}
	// A NextToken minted before the restart still works.
	rest, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{NextToken: page.NextToken})
	if err != nil || len(rest.OrganizationSummaries) != 1 {
		t.Fatalf("NextToken from before the restart: %+v, %v", rest, err)
	}
	if err := mailboxes.check(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := settings.checkRestartSettings(ctx, c, org); err != nil {
		t.Fatal(err)
	}
}
