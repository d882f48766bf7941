package server_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
)

// Identity Store user ids of the documented form (optional 10-hex prefix).
const (
	idpAlice = "1234567890-aaaaaaaa-1111-2222-3333-444444444444"
	idpBob   = "bbbbbbbb-1111-2222-3333-444444444444"
)

const strongPassword = "Correct-Horse-9"

func createUser(t *testing.T, c *workmail.Client, org, name, idp string) string {
	t.Helper()
	in := &workmail.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: aws.String("User " + name)}
	if idp != "" {
		in.IdentityProviderUserId = &idp
	}
	out, err := c.CreateUser(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	return aws.ToString(out.UserId)
}

func register(t *testing.T, c *workmail.Client, org, entity, email string) {
	t.Helper()
	_, err := c.RegisterToWorkMail(context.Background(), &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &entity, Email: &email})
	if err != nil {
		t.Fatalf("RegisterToWorkMail %s as %s: %v", entity, email, err)
	}
}

func describeUser(t *testing.T, c *workmail.Client, org, ident string) *workmail.DescribeUserOutput {
	t.Helper()
	out, err := c.DescribeUser(context.Background(), &workmail.DescribeUserInput{OrganizationId: &org, UserId: &ident})
	if err != nil {
		t.Fatalf("DescribeUser %s: %v", ident, err)
	}
	return out
}

// tokenOrg is an Active organization with an identity-provider
// configuration (tokens ACTIVE, 30 days) and one ENABLED user "alice"
// linked to Identity Center, registered as alice@<alias>.awsapps.com.
type tokenOrg struct {
	ID, AppArn, Alice string
}

func newTokenOrg(t *testing.T, c *workmail.Client, alias string) tokenOrg {
	t.Helper()
	o := tokenOrg{ID: createOrg(t, c, alias), AppArn: createApp(t, c, "WorkMail")}
	if _, err := c.PutIdentityProviderConfiguration(context.Background(), putConfig(o.ID, o.AppArn)); err != nil {
		t.Fatal(err)
	}
	o.Alice = createUser(t, c, o.ID, "alice", idpAlice)
	register(t, c, o.ID, o.Alice, "alice@"+alias+".awsapps.com")
	return o
}

// tamper flips a bit in the last byte of a NextToken (the position it
// resumes after), keeping it well-formed base64.
func tamper(t *testing.T, token string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("NextToken %q is not base64: %v", token, err)
	}
	raw[len(raw)-1] ^= 1
	return base64.StdEncoding.EncodeToString(raw)
}
