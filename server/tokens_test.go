package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

func issue(t *testing.T, ts *testServer, org, user, name string) *server.IssuedToken {
	t.Helper()
	tok, err := ts.srv.IssueToken(context.Background(), server.TokenRequest{
		Account: testAccount, Region: testRegion, OrganizationID: org, User: user, Name: name, Scopes: []string{"IMAP", "SMTP"},
	})
	if err != nil {
		t.Fatalf("IssueToken %s for %s: %v", name, user, err)
	}
	return tok
}

func TestPersonalAccessTokens(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()
	o := newTokenOrg(t, c, "tokens")
	bob := createUser(t, c, o.ID, "bob", idpBob)
	register(t, c, o.ID, bob, "bob@tokens.awsapps.com")

	a := issue(t, ts, o.ID, "alice", "laptop")
	clock.Advance(time.Second)
	b := issue(t, ts, o.ID, "bob@tokens.awsapps.com", "phone")

	// Get shows the token with ExpiresTime = DateCreated + 30 days.
	got, err := c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &a.ID})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if aws.ToString(got.PersonalAccessTokenId) != a.ID || aws.ToString(got.UserId) != o.Alice || aws.ToString(got.Name) != "laptop" ||
		!aws.ToTime(got.DateCreated).Equal(created) || !aws.ToTime(got.ExpiresTime).Equal(created.Add(30*24*time.Hour)) ||
		got.DateLastUsed != nil || fmt.Sprint(got.Scopes) != "[IMAP SMTP]" {
		t.Fatalf("GetPersonalAccessTokenMetadata: %+v", got)
	}

	// The organization lists both; a user filter (id, name or email) one.
	all := listTokens(t, c, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, MaxResults: aws.Int32(1)})
	if len(all) != 2 || all[a.ID].UserId == nil || aws.ToString(all[b.ID].UserId) != bob ||
		!aws.ToTime(all[b.ID].ExpiresTime).Equal(aws.ToTime(all[b.ID].DateCreated).Add(30*24*time.Hour)) {
		t.Fatalf("organization list: %v", all)
	}
	for _, ident := range []string{o.Alice, "alice", "ALICE@tokens.awsapps.com"} {
		mine := listTokens(t, c, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: aws.String(ident)})
		if len(mine) != 1 || mine[a.ID].PersonalAccessTokenId == nil {
			t.Fatalf("tokens of %s: %v", ident, mine)
		}
	}

	// Errors the behaviour page specifies.
	_, err = c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: aws.String("ghost")})
	wantAPIError(t, err, "EntityNotFoundException", "ghost")
	_, err = c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, NextToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	_, err = c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "nope")
	if _, err := c.DeletePersonalAccessToken(ctx, &workmail.DeletePersonalAccessTokenInput{OrganizationId: &o.ID, PersonalAccessTokenId: aws.String("nope")}); err != nil {
		t.Fatalf("deleting an unknown token: %v", err)
	}
	_, err = c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: aws.String("m-00000000000000000000000000000000"), PersonalAccessTokenId: &a.ID})
	wantAPIError(t, err, "OrganizationNotFoundException")

	// With tokens INACTIVE, and then with no configuration at all, the
	// administrator still lists, gets and deletes.
	inactive := putConfig(o.ID, o.AppArn)
	inactive.PersonalAccessTokenConfiguration.Status = types.PersonalAccessTokenConfigurationStatusInactive
	if _, err := c.PutIdentityProviderConfiguration(ctx, inactive); err != nil {
		t.Fatal(err)
	}
	if n := len(listTokens(t, c, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID})); n != 2 {
		t.Fatalf("INACTIVE: %d tokens listed", n)
	}
	if _, err := c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &o.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &b.ID}); err != nil {
		t.Fatalf("Get without configuration: %v", err)
	}
	if _, err := c.DeletePersonalAccessToken(ctx, &workmail.DeletePersonalAccessTokenInput{OrganizationId: &o.ID, PersonalAccessTokenId: &b.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &b.ID})
	wantAPIError(t, err, "ResourceNotFoundException", b.ID)
	if n := len(listTokens(t, c, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: &bob})); n != 0 {
		t.Fatalf("deleted token still listed for its user (%d)", n)
	}

	// A disabled user's tokens cannot be listed by user; DeleteUser
	// removes them.
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &o.ID, EntityId: &o.Alice}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: &o.Alice})
	wantAPIError(t, err, "EntityStateException", "DISABLED")
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &o.ID, UserId: &o.Alice}); err != nil {
		t.Fatal(err)
	}
	if n := len(listTokens(t, c, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID})); n != 0 {
		t.Fatalf("DeleteUser left %d tokens", n)
	}
	_, err = c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &a.ID})
	wantAPIError(t, err, "ResourceNotFoundException")
	_, err = c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: &o.Alice})
	wantAPIError(t, err, "EntityStateException", "DELETED")
}

// listTokens walks the SDK paginator to the end, failing on a duplicate
// or an oversized page.
func listTokens(t *testing.T, c *workmail.Client, in *workmail.ListPersonalAccessTokensInput) map[string]types.PersonalAccessTokenSummary {
	t.Helper()
	out := map[string]types.PersonalAccessTokenSummary{}
	p := workmail.NewListPersonalAccessTokensPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && len(page.PersonalAccessTokenSummaries) > int(*in.MaxResults) {
			t.Fatalf("page of %d > MaxResults", len(page.PersonalAccessTokenSummaries))
		}
		for _, s := range page.PersonalAccessTokenSummaries {
			id := aws.ToString(s.PersonalAccessTokenId)
			if _, dup := out[id]; dup {
				t.Fatalf("token %s listed twice", id)
			}
			out[id] = s
		}
	}
	return out
}

func TestListPersonalAccessTokensPagination(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	o := newTokenOrg(t, c, "tokpages")
	before := map[string]bool{}
	for i := range 20 {
		before[issue(t, ts, o.ID, o.Alice, fmt.Sprintf("t%d", i)).ID] = true
	}
	for _, user := range []*string{nil, aws.String("alice")} {
		// A bounded number of inserts run alongside the walk (an unbounded
		// stream could outrun any walk).
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 30 {
				if _, err := ts.srv.IssueToken(ctx, server.TokenRequest{Account: testAccount, Region: testRegion,
					OrganizationID: o.ID, User: o.Alice, Name: "meanwhile", Scopes: []string{"IMAP"}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		got := listTokens(t, c, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: user, MaxResults: aws.Int32(3)})
		wg.Wait()
		for id := range before {
			if _, ok := got[id]; !ok {
				t.Fatalf("user %v: token %s missing from the walk", aws.ToString(user), id)
			}
		}
	}
	first, err := c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, MaxResults: aws.Int32(2)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v %v", err, first)
	}
	_, err = c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, NextToken: aws.String(tamper(t, *first.NextToken))})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	// A token of the organization's list is refused for one user's list.
	_, err = c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: &o.Alice, NextToken: first.NextToken})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	// The same user's list resumes whichever identifier names the user.
	byName, err := c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: aws.String("alice"), MaxResults: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID, UserId: &o.Alice, NextToken: byName.NextToken}); err != nil {
		t.Fatalf("resuming by id a list started by name: %v", err)
	}
}
