package clients_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// issueToken asks workmaild's own endpoint for a personal access token
// (WorkMail has no API for it) and returns its id.
func issueToken(t *testing.T, url, account, org, user string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"Account": account, "Region": region, "OrganizationId": org, "User": user,
		"Name": "laptop", "Scopes": []string{"IMAP", "SMTP"},
	})
	resp, err := http.Post(url+"/_workmaild/tokens", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ PersonalAccessTokenId string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.PersonalAccessTokenId == "" {
		t.Fatalf("issuing a token: %d %+v %v", resp.StatusCode, out, err)
	}
	return out.PersonalAccessTokenId
}

func goUsersAndTokens(t *testing.T, c *workmail.Client, url, account string) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-users")
	app := goCreateApp(t, c, &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("WorkMail")})
	if _, err := c.PutIdentityProviderConfiguration(ctx, &workmail.PutIdentityProviderConfigurationInput{
		OrganizationId:                   &org,
		AuthenticationMode:               types.IdentityProviderAuthenticationModeIdentityProviderOnly,
		IdentityCenterConfiguration:      &types.IdentityCenterConfiguration{InstanceArn: aws.String(instanceArn), ApplicationArn: &app},
		PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{Status: types.PersonalAccessTokenConfigurationStatusActive, LifetimeInDays: aws.Int32(30)},
	}); err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String("alice"), DisplayName: aws.String("Alice"),
		IdentityProviderUserId: aws.String(idpUser)})
	if err != nil {
		t.Fatal(err)
	}
	user := aws.ToString(created.UserId)
	d, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: &user})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(aws.ToString(d.Name), aws.ToString(d.DisplayName), d.State, aws.ToString(d.IdentityProviderUserId)); got != fmt.Sprint("alice", "Alice", "DISABLED", idpUser) {
		t.Errorf("DescribeUser: %s", got)
	}
	if !regexp.MustCompile(`^d-[0-9a-f]{10}$`).MatchString(aws.ToString(d.IdentityProviderIdentityStoreId)) {
		t.Errorf("IdentityProviderIdentityStoreId %q", aws.ToString(d.IdentityProviderIdentityStoreId))
	}
	users, err := c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: &org, Filters: &types.ListUsersFilters{IdentityProviderUserIdPrefix: aws.String(idpUser[:8])}})
	if err != nil || len(users.Users) != 1 || aws.ToString(users.Users[0].Id) != user || aws.ToString(users.Users[0].IdentityProviderUserId) != idpUser {
		t.Errorf("ListUsers by IdentityProviderUserIdPrefix: %+v, %v", users, err)
	}
	if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &user, Email: aws.String("alice@go-users.awsapps.com")}); err != nil {
		t.Fatal(err)
	}

	token := issueToken(t, url, account, org, "alice")
	list, err := c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &org})
	if err != nil || len(list.PersonalAccessTokenSummaries) != 1 {
		t.Fatalf("ListPersonalAccessTokens: %+v, %v", list, err)
	}
	s := list.PersonalAccessTokenSummaries[0]
	if got := fmt.Sprint(aws.ToString(s.PersonalAccessTokenId), aws.ToString(s.UserId), aws.ToString(s.Name), s.Scopes, s.DateLastUsed); got != fmt.Sprint(token, user, "laptop", []string{"IMAP", "SMTP"}, (*time.Time)(nil)) {
		t.Errorf("token summary: %s", got)
	}
	if s.DateCreated == nil || s.ExpiresTime == nil || !s.ExpiresTime.Equal(s.DateCreated.AddDate(0, 0, 30)) {
		t.Errorf("token times: created %v, expires %v, want 30 days apart", s.DateCreated, s.ExpiresTime)
	}
	m, err := c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &org, PersonalAccessTokenId: &token})
	if err != nil || aws.ToString(m.Name) != "laptop" || aws.ToString(m.UserId) != user || !m.ExpiresTime.Equal(*s.ExpiresTime) {
		t.Errorf("GetPersonalAccessTokenMetadata: %+v, %v", m, err)
	}
	_, err = c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: &org, UserId: aws.String("nobody")})
	wantError[*types.EntityNotFoundException](t, err, "User nobody does not exist in organization "+org+".")
	for range 2 {
		if _, err := c.DeletePersonalAccessToken(ctx, &workmail.DeletePersonalAccessTokenInput{OrganizationId: &org, PersonalAccessTokenId: &token}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &org, PersonalAccessTokenId: &token})
	wantError[*types.ResourceNotFoundException](t, err, "Personal access token "+token+" does not exist in organization "+org+".")

	// "" clears the link.
	if _, err := c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &org, UserId: &user, IdentityProviderUserId: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: &user})
	if err != nil || d.IdentityProviderUserId != nil || aws.ToString(d.Name) != "alice" {
		t.Errorf("after clearing: %+v, %v", d, err)
	}
}
