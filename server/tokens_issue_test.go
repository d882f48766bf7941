package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/server"
)

func TestIssueTokenRefusals(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	o := newTokenOrg(t, c, "refusals")
	req := func(edit func(*server.TokenRequest)) server.TokenRequest {
		r := server.TokenRequest{Account: testAccount, Region: testRegion, OrganizationID: o.ID, User: "alice", Name: "n", Scopes: []string{"IMAP"}}
		edit(&r)
		return r
	}
	unlinked := createUser(t, c, o.ID, "unlinked", "")
	register(t, c, o.ID, unlinked, "unlinked@refusals.awsapps.com")
	disabled := createUser(t, c, o.ID, "disabled", idpBob)

	for name, tc := range map[string]struct {
		edit func(*server.TokenRequest)
		want error
	}{
		"lifetime too long": {func(r *server.TokenRequest) { r.ExpiresIn = 31 * 24 * time.Hour }, server.ErrInvalidTokenRequest},
		"negative lifetime": {func(r *server.TokenRequest) { r.ExpiresIn = -time.Hour }, server.ErrInvalidTokenRequest},
		"no scopes":         {func(r *server.TokenRequest) { r.Scopes = nil }, server.ErrInvalidTokenRequest},
		"11 scopes":         {func(r *server.TokenRequest) { r.Scopes = strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",") }, server.ErrInvalidTokenRequest},
		"bad name":          {func(r *server.TokenRequest) { r.Name = "a<b" }, server.ErrInvalidTokenRequest},
		"long name":         {func(r *server.TokenRequest) { r.Name = strings.Repeat("é", 65) }, server.ErrInvalidTokenRequest},
		"bad scope":         {func(r *server.TokenRequest) { r.Scopes = []string{"a\nb"} }, server.ErrInvalidTokenRequest},
		"no account":        {func(r *server.TokenRequest) { r.Account = "" }, server.ErrInvalidTokenRequest},
		"NUL in account":    {func(r *server.TokenRequest) { r.Account = "1111\x002223333" }, server.ErrInvalidTokenRequest},
		"no region":         {func(r *server.TokenRequest) { r.Region = "" }, server.ErrInvalidTokenRequest},
		"unknown user":      {func(r *server.TokenRequest) { r.User = "ghost" }, model.ErrEntityNotFound},
		"unknown org":       {func(r *server.TokenRequest) { r.OrganizationID = "m-00000000000000000000000000000000" }, model.ErrOrganizationNotFound},
		"other account":     {func(r *server.TokenRequest) { r.Account = otherAccount }, model.ErrOrganizationNotFound},
		"not linked":        {func(r *server.TokenRequest) { r.User = unlinked }, server.ErrUserNotLinked},
		"not enabled":       {func(r *server.TokenRequest) { r.User = disabled }, server.ErrUserDisabled},
	} {
		if _, err := ts.srv.IssueToken(ctx, req(tc.edit)); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
	if n := len(listTokens(t, c, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID})); n != 0 {
		t.Fatalf("refused requests created %d tokens", n)
	}

	// A shorter lifetime than the organization's is honoured exactly.
	tok, err := ts.srv.IssueToken(ctx, req(func(r *server.TokenRequest) { r.ExpiresIn = 36 * time.Hour }))
	if err != nil {
		t.Fatal(err)
	}
	if !tok.ExpiresTime.Equal(tok.DateCreated.Add(36 * time.Hour)) {
		t.Fatalf("ExpiresTime %v, DateCreated %v", tok.ExpiresTime, tok.DateCreated)
	}
	// 256 random bits, and a different secret every time.
	if other := issue(t, ts, o.ID, "alice", "again"); other.Secret == tok.Secret || len(strings.TrimPrefix(tok.Secret, "wmpat_")) < 43 {
		t.Fatalf("weak secrets: %q, %q", tok.Secret, other.Secret)
	}

	inactive := putConfig(o.ID, o.AppArn)
	inactive.PersonalAccessTokenConfiguration.Status = types.PersonalAccessTokenConfigurationStatusInactive
	if _, err := c.PutIdentityProviderConfiguration(ctx, inactive); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.IssueToken(ctx, req(func(*server.TokenRequest) {})); !errors.Is(err, server.ErrTokenInactive) {
		t.Fatalf("INACTIVE: %v", err)
	}
	if _, err := c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &o.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.IssueToken(ctx, req(func(*server.TokenRequest) {})); !errors.Is(err, server.ErrNoIdentityProvider) {
		t.Fatalf("no configuration: %v", err)
	}
}

func TestCheckToken(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()
	o := newTokenOrg(t, c, "checks")
	tok := issue(t, ts, o.ID, o.Alice, "laptop")
	check := func(user, secret string) (server.TokenInfo, error) {
		return ts.srv.CheckToken(ctx, server.TokenCheck{Account: testAccount, Region: testRegion, OrganizationID: o.ID, User: user, Secret: secret})
	}
	wantCheck := func(user, secret string, want error) {
		t.Helper()
		if _, err := check(user, secret); !errors.Is(err, want) {
			t.Fatalf("CheckToken(%s): got %v, want %v", user, err, want)
		}
	}
	lastUsed := func() *time.Time {
		got, err := c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &tok.ID})
		if err != nil {
			t.Fatal(err)
		}
		return got.DateLastUsed
	}

	// A valid check names the token and records its use.
	clock.Advance(time.Hour)
	info, err := check("alice@checks.awsapps.com", tok.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != tok.ID || info.UserID != o.Alice || info.Name != "laptop" || !info.DateLastUsed.Equal(clock.Now()) {
		t.Fatalf("TokenInfo %+v", info)
	}
	if got := lastUsed(); got == nil || !got.Equal(clock.Now()) {
		t.Fatalf("DateLastUsed %v, want %v", got, clock.Now())
	}

	// A wrong secret, even one differing only in its last character, or
	// another user's name, is unknown; a failed check records nothing.
	clock.Advance(time.Hour)
	last := tok.Secret[len(tok.Secret)-1]
	wantCheck("alice", tok.Secret[:len(tok.Secret)-1]+string(last^1), server.ErrTokenUnknown)
	wantCheck("alice", "", server.ErrTokenUnknown)
	if _, err := ts.srv.CheckToken(ctx, server.TokenCheck{Account: "x\x00", Region: testRegion, OrganizationID: o.ID, User: "alice", Secret: tok.Secret}); !errors.Is(err, server.ErrInvalidTokenRequest) {
		t.Fatalf("a malformed account: %v", err)
	}
	wantCheck("ghost", tok.Secret, server.ErrTokenUnknown)
	bob := createUser(t, c, o.ID, "bob", idpBob)
	register(t, c, o.ID, bob, "bob@checks.awsapps.com")
	wantCheck("bob", tok.Secret, server.ErrTokenUnknown)
	if got := lastUsed(); !got.Equal(clock.Now().Add(-time.Hour)) {
		t.Fatalf("a failed check changed DateLastUsed to %v", got)
	}

	// Token status, the user's link and state, and expiry all count.
	inactive := putConfig(o.ID, o.AppArn)
	inactive.PersonalAccessTokenConfiguration.Status = types.PersonalAccessTokenConfigurationStatusInactive
	mustDo(t, func() error { _, err := c.PutIdentityProviderConfiguration(ctx, inactive); return err })
	wantCheck("alice", tok.Secret, server.ErrTokenInactive)
	mustDo(t, func() error {
		_, err := c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &o.ID})
		return err
	})
	wantCheck("alice", tok.Secret, server.ErrTokenInactive)
	mustDo(t, func() error { _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(o.ID, o.AppArn)); return err })
	if _, err := check("alice", tok.Secret); err != nil {
		t.Fatalf("active again: %v", err)
	}

	mustDo(t, func() error {
		_, err := c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &o.ID, UserId: &o.Alice, IdentityProviderUserId: aws.String("")})
		return err
	})
	wantCheck("alice", tok.Secret, server.ErrUserNotLinked)
	mustDo(t, func() error {
		_, err := c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &o.ID, UserId: &o.Alice, IdentityProviderUserId: aws.String(idpAlice)})
		return err
	})

	clock.Advance(30 * 24 * time.Hour)
	wantCheck("alice", tok.Secret, server.ErrTokenExpired)
	// Expired tokens stay listed until deleted.
	if n := len(listTokens(t, c, &workmail.ListPersonalAccessTokensInput{OrganizationId: &o.ID})); n != 1 {
		t.Fatalf("%d tokens listed after expiry", n)
	}

	fresh := issue(t, ts, o.ID, "alice", "fresh")
	mustDo(t, func() error {
		_, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &o.ID, EntityId: &o.Alice})
		return err
	})
	wantCheck(o.Alice, fresh.Secret, server.ErrUserDisabled)
	mustDo(t, func() error {
		_, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &o.ID, UserId: &o.Alice})
		return err
	})
	wantCheck(o.Alice, fresh.Secret, server.ErrTokenUnknown)
}

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}
