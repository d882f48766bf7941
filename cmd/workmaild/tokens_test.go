package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/internal/sdktransport"
	"github.com/workmaild/workmaild/server"
)

// tokenFixture is a running in-process server with an organization whose
// user "alice" may hold tokens.
func tokenFixture(t *testing.T) (url, org string) {
	t.Helper()
	srv, err := server.New(server.Options{AdminToken: "admin-secret"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	ctx := context.Background()
	c := workmail.New(workmail.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("123456789012", "secret", ""),
		HTTPClient:  sdktransport.Client(nil)})
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	o, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("cli")})
	must(o, err)
	instance := "arn:aws:sso:::instance/ssoins-1234567890abcdef"
	app, err := c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("WorkMail"), InstanceArn: &instance})
	must(app, err)
	must(c.PutIdentityProviderConfiguration(ctx, &workmail.PutIdentityProviderConfigurationInput{
		OrganizationId: o.OrganizationId, AuthenticationMode: types.IdentityProviderAuthenticationModeIdentityProviderOnly,
		IdentityCenterConfiguration:      &types.IdentityCenterConfiguration{InstanceArn: &instance, ApplicationArn: app.ApplicationArn},
		PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{Status: types.PersonalAccessTokenConfigurationStatusActive},
	}))
	u, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: o.OrganizationId, Name: aws.String("alice"), DisplayName: aws.String("Alice"),
		IdentityProviderUserId: aws.String("aaaaaaaa-1111-2222-3333-444444444444")})
	must(u, err)
	must(c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: o.OrganizationId, EntityId: u.UserId, Email: aws.String("alice@cli.awsapps.com")}))
	return hs.URL, aws.ToString(o.OrganizationId)
}

func TestTokensCommand(t *testing.T) {
	url, org := tokenFixture(t)
	common := []string{"--endpoint", url, "--account", "123456789012", "--region", "us-east-1", "--organization-id", org, "--user", "alice"}
	env := map[string]string{"WORKMAILD_ADMIN_TOKEN": "admin-secret"}
	cli := func(stdin string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	code, out, errOut := cli("", append([]string{"tokens", "create", "--name", "laptop", "--scope", "IMAP", "--scope", "SMTP", "--expires-in", "30d"}, common...)...)
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, errOut)
	}
	var issued struct {
		PersonalAccessTokenId, Secret string
		DateCreated, ExpiresTime      float64
	}
	if err := json.Unmarshal([]byte(out), &issued); err != nil || !strings.HasPrefix(issued.Secret, "wmpat_") || issued.ExpiresTime-issued.DateCreated != 30*24*3600 {
		t.Fatalf("create printed %q (%v)", out, err)
	}

	code, out, errOut = cli(issued.Secret+"\n", append([]string{"tokens", "check"}, common...)...)
	if code != 0 || !strings.Contains(out, issued.PersonalAccessTokenId) || strings.Contains(out, issued.Secret) {
		t.Fatalf("check: exit %d, %q, %q", code, out, errOut)
	}
	code, _, errOut = cli("wmpat_wrong\n", append([]string{"tokens", "check"}, common...)...)
	if code != 1 || !strings.Contains(errOut, "TokenUnknown") {
		t.Fatalf("wrong secret: exit %d, %q", code, errOut)
	}
	code, _, errOut = cli("", append([]string{"tokens", "create", "--name", "x", "--scope", "IMAP", "--expires-in", "400d"}, common...)...)
	if code != 1 || !strings.Contains(errOut, "InvalidTokenRequest") {
		t.Fatalf("too long a lifetime: exit %d, %q", code, errOut)
	}
	// The admin token comes from the environment or --admin-token.
	env = nil
	code, _, errOut = cli("", append([]string{"tokens", "create", "--name", "x", "--scope", "IMAP"}, common...)...)
	if code != 1 || !strings.Contains(errOut, "admin token") {
		t.Fatalf("without the admin token: exit %d, %q", code, errOut)
	}
	if code, _, errOut = cli("", append([]string{"tokens", "create", "--admin-token", "admin-secret", "--name", "x", "--scope", "IMAP"}, common...)...); code != 0 {
		t.Fatalf("--admin-token: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{{"tokens"}, {"tokens", "frob"}, {"tokens", "create", "--name", "x"}} {
		if code, _, _ := cli("", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
