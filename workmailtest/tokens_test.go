package workmailtest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
	"github.com/workmaild/workmaild/workmailtest"
)

// linkedUser creates an enabled user linked to Identity Center in an
// organization whose tokens live 30 days, and returns the organization.
func linkedUser(t *testing.T, srv *workmailtest.Server, name string) string {
	t.Helper()
	c, ctx := srv.Client(), t.Context()
	org := srv.CreateActiveOrganization("tokens")
	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(org, createApp(t, c))); err != nil {
		t.Fatal(err)
	}
	user, err := c.CreateUser(ctx, &workmail.CreateUserInput{
		OrganizationId: &org, Name: aws.String(name), DisplayName: aws.String(name),
		IdentityProviderUserId: aws.String("1234567890-aaaaaaaa-1111-2222-3333-444444444444"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{
		OrganizationId: &org, EntityId: user.UserId, Email: aws.String(name + "@tokens.awsapps.com"),
	}); err != nil {
		t.Fatal(err)
	}
	return org
}

func TestPersonalAccessTokens(t *testing.T) {
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	clock := workmailtest.NewClock(start)
	srv := workmailtest.NewServer(t, workmailtest.WithClock(clock))
	org := linkedUser(t, srv, "alice")

	tok := srv.IssuePersonalAccessToken(server.TokenRequest{OrganizationID: org, User: "alice", Name: "laptop", Scopes: []string{"IMAP"}})
	// The API sees the token as WorkMail shows one made in the web application.
	got, err := srv.Client().GetPersonalAccessTokenMetadata(t.Context(), &workmail.GetPersonalAccessTokenMetadataInput{
		OrganizationId: &org, PersonalAccessTokenId: &tok.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Name) != "laptop" || !aws.ToTime(got.DateCreated).Equal(start) ||
		!aws.ToTime(got.ExpiresTime).Equal(start.Add(30*24*time.Hour)) || !tok.ExpiresTime.Equal(start.Add(30*24*time.Hour)) {
		t.Fatalf("token metadata %+v, issued %+v", got, tok)
	}

	check := server.TokenCheck{OrganizationID: org, User: "alice", Secret: tok.Secret}
	if info, err := srv.CheckPersonalAccessToken(check); err != nil || info.ID != tok.ID {
		t.Fatalf("fresh token: %+v, %v", info, err)
	}
	// Moving the clock past the lifetime expires it.
	clock.Advance(30 * 24 * time.Hour)
	if _, err := srv.CheckPersonalAccessToken(check); !errors.Is(err, server.ErrTokenExpired) {
		t.Fatalf("after 30 days: %v, want ErrTokenExpired", err)
	}
	check.Secret += "x"
	if _, err := srv.CheckPersonalAccessToken(check); err == nil {
		t.Fatal("a wrong secret passed")
	}
}

// Tokens belong to the default client's account and region unless the
// request names others.
func TestPersonalAccessTokenAccount(t *testing.T) {
	srv := workmailtest.NewServer(t, workmailtest.WithAccount("111122223333"), workmailtest.WithRegion("eu-west-1"))
	org := linkedUser(t, srv, "bob")
	tok := srv.IssuePersonalAccessToken(server.TokenRequest{OrganizationID: org, User: "bob", Name: "phone", Scopes: []string{"SMTP"}})
	if _, err := srv.CheckPersonalAccessToken(server.TokenCheck{OrganizationID: org, User: "bob", Secret: tok.Secret}); err != nil {
		t.Fatalf("check in the default account: %v", err)
	}
	_, err := srv.CheckPersonalAccessToken(server.TokenCheck{Account: "444455556666", OrganizationID: org, User: "bob", Secret: tok.Secret})
	if err == nil {
		t.Fatal("another account accepted the token")
	}
}
