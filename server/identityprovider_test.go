package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

func createApp(t *testing.T, c *workmail.Client, name string) string {
	t.Helper()
	out, err := c.CreateIdentityCenterApplication(context.Background(), &workmail.CreateIdentityCenterApplicationInput{
		Name: aws.String(name), InstanceArn: aws.String(instanceArn),
	})
	if err != nil {
		t.Fatal(err)
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

func TestIdentityCenterApplication(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	arn := createApp(t, c, "WorkMail")
	mustMatch(t, `^arn:aws:sso::`+testAccount+`:application/ssoins-1234567890abcdef/apl-[a-zA-Z0-9]{16}$`, arn)

	in := &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("Idem"), InstanceArn: aws.String(instanceArn), ClientToken: aws.String("tok")}
	a, err := c.CreateIdentityCenterApplication(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateIdentityCenterApplication(ctx, in)
	if err != nil || aws.ToString(a.ApplicationArn) != aws.ToString(b.ApplicationArn) {
		t.Fatalf("same ClientToken, same input: %v, %v vs %v", err, aws.ToString(a.ApplicationArn), aws.ToString(b.ApplicationArn))
	}
	in.Name = aws.String("Changed")
	_, err = c.CreateIdentityCenterApplication(ctx, in)
	wantAPIError(t, err, "InvalidParameterException", "ClientToken tok")

	_, err = c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("x"), InstanceArn: aws.String("arn:aws:sso:::instance/bad")})
	wantAPIError(t, err, "InvalidParameterException", "'instanceArn'")
	_, err = c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("has space"), InstanceArn: aws.String(instanceArn)})
	wantAPIError(t, err, "InvalidParameterException", "Value 'has space' at 'name'")

	// Unknown applications delete fine; used ones are refused.
	unknown := "arn:aws:sso::" + testAccount + ":application/ssoins-1234567890abcdef/apl-0000000000000000"
	if _, err := c.DeleteIdentityCenterApplication(ctx, &workmail.DeleteIdentityCenterApplicationInput{ApplicationArn: &unknown}); err != nil {
		t.Fatalf("deleting an unknown application: %v", err)
	}
	org := createOrg(t, c, "uses-app")
	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(org, arn)); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteIdentityCenterApplication(ctx, &workmail.DeleteIdentityCenterApplicationInput{ApplicationArn: &arn})
	wantAPIError(t, err, "OrganizationStateException", org)
	if _, err := c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &org}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteIdentityCenterApplication(ctx, &workmail.DeleteIdentityCenterApplicationInput{ApplicationArn: &arn}); err != nil {
		t.Fatalf("deleting an unused application: %v", err)
	}
	_, err = c.PutIdentityProviderConfiguration(ctx, putConfig(org, arn))
	wantAPIError(t, err, "ResourceNotFoundException", arn)
}

func TestIdentityProviderConfiguration(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "idp")
	app := createApp(t, c, "WorkMail")
	describe := func() (*workmail.DescribeIdentityProviderConfigurationOutput, error) {
		return c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: &org})
	}

	_, err := describe()
	wantAPIError(t, err, "ResourceNotFoundException", org)

	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(org, app)); err != nil {
		t.Fatal(err)
	}
	d, err := describe()
	if err != nil {
		t.Fatal(err)
	}
	if d.AuthenticationMode != types.IdentityProviderAuthenticationModeIdentityProviderOnly ||
		aws.ToString(d.IdentityCenterConfiguration.InstanceArn) != instanceArn ||
		aws.ToString(d.IdentityCenterConfiguration.ApplicationArn) != app ||
		d.PersonalAccessTokenConfiguration.Status != types.PersonalAccessTokenConfigurationStatusActive ||
		aws.ToInt32(d.PersonalAccessTokenConfiguration.LifetimeInDays) != 30 {
		t.Fatalf("describe differs from put: %+v %+v %+v", d, d.IdentityCenterConfiguration, d.PersonalAccessTokenConfiguration)
	}

	// Put is a full replace; an omitted lifetime is omitted on describe.
	replace := putConfig(org, app)
	replace.AuthenticationMode = types.IdentityProviderAuthenticationModeIdentityProviderAndDirectory
	replace.PersonalAccessTokenConfiguration = &types.PersonalAccessTokenConfiguration{Status: types.PersonalAccessTokenConfigurationStatusInactive}
	if _, err := c.PutIdentityProviderConfiguration(ctx, replace); err != nil {
		t.Fatal(err)
	}
	d, err = describe()
	if err != nil {
		t.Fatal(err)
	}
	if d.AuthenticationMode != types.IdentityProviderAuthenticationModeIdentityProviderAndDirectory ||
		d.PersonalAccessTokenConfiguration.Status != types.PersonalAccessTokenConfigurationStatusInactive ||
		d.PersonalAccessTokenConfiguration.LifetimeInDays != nil {
		t.Fatalf("replace not applied exactly: %+v %+v", d, d.PersonalAccessTokenConfiguration)
	}

	// Failed puts change nothing.
	badInstance := putConfig(org, app)
	badInstance.IdentityCenterConfiguration.InstanceArn = aws.String("arn:aws:sso:::instance/ssoins-ffffffffffffffff")
	_, err = c.PutIdentityProviderConfiguration(ctx, badInstance)
	wantAPIError(t, err, "InvalidParameterException", "ssoins-ffffffffffffffff")
	missingApp := putConfig(org, "arn:aws:sso::"+testAccount+":application/ssoins-1234567890abcdef/apl-0000000000000000")
	_, err = c.PutIdentityProviderConfiguration(ctx, missingApp)
	wantAPIError(t, err, "ResourceNotFoundException", "apl-0000000000000000")
	if d2, err := describe(); err != nil || d2.AuthenticationMode != d.AuthenticationMode || d2.PersonalAccessTokenConfiguration.Status != d.PersonalAccessTokenConfiguration.Status {
		t.Fatalf("a failed put changed the configuration: %+v, %v", d2, err)
	}

	unknownOrg := "m-00000000000000000000000000000000"
	_, err = c.PutIdentityProviderConfiguration(ctx, putConfig(unknownOrg, app))
	wantAPIError(t, err, "OrganizationNotFoundException", unknownOrg)
	_, err = c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: &unknownOrg})
	wantAPIError(t, err, "OrganizationNotFoundException", unknownOrg)
	_, err = c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &unknownOrg})
	wantAPIError(t, err, "OrganizationNotFoundException", unknownOrg)

	if _, err := c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &org}); err != nil {
		t.Fatal(err)
	}
	_, err = describe()
	wantAPIError(t, err, "ResourceNotFoundException")
	if _, err := c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &org}); err != nil {
		t.Fatalf("deleting an absent configuration: %v", err)
	}
}

func TestIdentityProviderValidation(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "valid")
	app := createApp(t, c, "WorkMail")
	cases := []struct {
		name  string
		edit  func(*workmail.PutIdentityProviderConfigurationInput)
		wants []string
	}{
		{"pattern", func(in *workmail.PutIdentityProviderConfigurationInput) { in.OrganizationId = aws.String("m-ABC") },
			[]string{"Value 'm-ABC' at 'organizationId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^m-[0-9a-f]{32}$"}},
		{"length", func(in *workmail.PutIdentityProviderConfigurationInput) { in.OrganizationId = aws.String("m-abc") },
			[]string{"at 'organizationId' failed to satisfy constraint: Member must have length greater than or equal to 34"}},
		{"enum", func(in *workmail.PutIdentityProviderConfigurationInput) { in.AuthenticationMode = "BOGUS" },
			[]string{"Value 'BOGUS' at 'authenticationMode' failed to satisfy constraint: Member must satisfy enum value set: [IDENTITY_PROVIDER_ONLY, IDENTITY_PROVIDER_AND_DIRECTORY]"}},
		{"range low", func(in *workmail.PutIdentityProviderConfigurationInput) {
			in.PersonalAccessTokenConfiguration.LifetimeInDays = aws.Int32(0)
		}, []string{"Value '0' at 'personalAccessTokenConfiguration.lifetimeInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"}},
		{"range high", func(in *workmail.PutIdentityProviderConfigurationInput) {
			in.PersonalAccessTokenConfiguration.LifetimeInDays = aws.Int32(3654)
		}, []string{"'personalAccessTokenConfiguration.lifetimeInDays'", "Member must have value less than or equal to 3653"}},
		{"nested pattern", func(in *workmail.PutIdentityProviderConfigurationInput) {
			in.IdentityCenterConfiguration.ApplicationArn = aws.String("arn:aws:sso::123:application/nope")
		}, []string{"'identityCenterConfiguration.applicationArn'"}},
		{"nested enum", func(in *workmail.PutIdentityProviderConfigurationInput) {
			in.PersonalAccessTokenConfiguration.Status = "ON"
		}, []string{"Value 'ON' at 'personalAccessTokenConfiguration.status'", "[ACTIVE, INACTIVE]"}},
		{"two violations", func(in *workmail.PutIdentityProviderConfigurationInput) {
			in.AuthenticationMode = "X"
			in.PersonalAccessTokenConfiguration.LifetimeInDays = aws.Int32(-1)
		}, []string{"2 validation errors detected: ", "'authenticationMode'", "; Value '-1' at 'personalAccessTokenConfiguration.lifetimeInDays'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := putConfig(org, app)
			tc.edit(in)
			_, err := c.PutIdentityProviderConfiguration(ctx, in)
			wantAPIError(t, err, "InvalidParameterException", tc.wants...)
		})
	}
	_, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: &org})
	wantAPIError(t, err, "ResourceNotFoundException")
}

func TestDeleteOrganizationDeletesApplication(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	keep, drop := createOrg(t, c, "keep"), createOrg(t, c, "drop")
	appKept, appDropped := createApp(t, c, "Kept"), createApp(t, c, "Dropped")
	for org, app := range map[string]string{keep: appKept, drop: appDropped} {
		if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(org, app)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &drop, DeleteDirectory: true, DeleteIdentityCenterApplication: true}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutIdentityProviderConfiguration(ctx, putConfig(keep, appDropped))
	wantAPIError(t, err, "ResourceNotFoundException", appDropped)
	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(keep, appKept)); err != nil {
		t.Fatalf("the other organization's application went too: %v", err)
	}

	// Without the flag the application stays, and is no longer in use.
	other := createOrg(t, c, "other")
	appOther := createApp(t, c, "Other")
	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(other, appOther)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &other, DeleteDirectory: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(keep, appOther)); err != nil {
		t.Fatalf("application of a deleted organization (without the flag) is gone: %v", err)
	}
}
