package workmailtest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
	"github.com/aws/smithy-go"
)

const instanceArn = "arn:aws:sso:::instance/ssoins-1234567890abcdef"

func createOrg(t *testing.T, c *workmail.Client, alias string) string {
	t.Helper()
	out, err := c.CreateOrganization(t.Context(), &workmail.CreateOrganizationInput{Alias: aws.String(alias)})
	if err != nil {
		t.Fatalf("CreateOrganization %s: %v", alias, err)
	}
	return aws.ToString(out.OrganizationId)
}

func createApp(t *testing.T, c *workmail.Client) string {
	t.Helper()
	out, err := c.CreateIdentityCenterApplication(t.Context(), &workmail.CreateIdentityCenterApplicationInput{
		Name: aws.String("WorkMail"), InstanceArn: aws.String(instanceArn),
	})
	if err != nil {
		t.Fatalf("CreateIdentityCenterApplication: %v", err)
	}
	return aws.ToString(out.ApplicationArn)
}

func putConfig(orgID, appArn string) *workmail.PutIdentityProviderConfigurationInput {
	return &workmail.PutIdentityProviderConfigurationInput{
		OrganizationId:     aws.String(orgID),
		AuthenticationMode: types.IdentityProviderAuthenticationModeIdentityProviderOnly,
		IdentityCenterConfiguration: &types.IdentityCenterConfiguration{
			InstanceArn: aws.String(instanceArn), ApplicationArn: aws.String(appArn),
		},
		PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{
			Status: types.PersonalAccessTokenConfigurationStatusActive, LifetimeInDays: aws.Int32(30),
		},
	}
}

// describe returns an organization's ARN, state and completion date.
func describe(t *testing.T, c *workmail.Client, id string) (arn, state string, completed *time.Time) {
	t.Helper()
	d, err := c.DescribeOrganization(t.Context(), &workmail.DescribeOrganizationInput{OrganizationId: &id})
	if err != nil {
		t.Fatalf("DescribeOrganization %s: %v", id, err)
	}
	return aws.ToString(d.ARN), aws.ToString(d.State), d.CompletedDate
}

func wantAPIError(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}
