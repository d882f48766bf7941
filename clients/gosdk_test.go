package clients_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
	"github.com/aws/smithy-go"
)

const (
	instanceArn      = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
	otherInstanceArn = "arn:aws:sso:::instance/ssoins-fedcba0987654321"
	unknownOrg       = "m-00000000000000000000000000000000"
	enumModes        = "[IDENTITY_PROVIDER_ONLY, IDENTITY_PROVIDER_AND_DIRECTORY]"
	idpUser          = "12345678-1234-1234-1234-123456789012" // an Identity Store user id
)

// goScenario is the scenario of the other suites, through aws-sdk-go-v2
// against the binary at url. Each part uses its own account.
func goScenario(t *testing.T, url string) {
	newClient := func(account string) *workmail.Client {
		return workmail.New(workmail.Options{
			Region:           region,
			BaseEndpoint:     aws.String(url),
			Credentials:      credentials.NewStaticCredentialsProvider(account, "conformance-secret", ""),
			RetryMaxAttempts: 1,
			HTTPClient:       sdkHTTPClient(),
		})
	}
	t.Run("organization lifecycle", func(t *testing.T) { goLifecycle(t, newClient("444400000001"), "444400000001") })
	t.Run("ListOrganizations paginator", func(t *testing.T) { goPaginator(t, newClient("444400000002")) })
	t.Run("Identity Center application", func(t *testing.T) { goApplication(t, newClient("444400000003"), "444400000003") })
	t.Run("identity-provider configuration", func(t *testing.T) { goIdentityProvider(t, newClient("444400000004")) })
	t.Run("organization errors", func(t *testing.T) { goOrgErrors(t, newClient("444400000005"), newClient("444400000006")) })
	t.Run("users and personal access tokens", func(t *testing.T) { goUsersAndTokens(t, newClient("444400000007"), url, "444400000007") })
	t.Run("mailbox quota", func(t *testing.T) { goMailboxQuota(t, newClient("444400000051")) })             // gosdk_mailboxes_test.go
	t.Run("mailbox permissions", func(t *testing.T) { goMailboxPermissions(t, newClient("444400000052")) }) // gosdk_mailboxes_test.go
	t.Run("resources and delegates", func(t *testing.T) { goResources(t, newClient("444400000041")) })
	t.Run("availability configurations", func(t *testing.T) { goAvailability(t, newClient("444400000131"), "444400000131") }) // gosdk_availability_test.go
	t.Run("mailbox export", func(t *testing.T) { goMailboxExport(t, newClient("444400000132"), "444400000132") })             // gosdk_exports_test.go
	t.Run("mailbox export limit", func(t *testing.T) { goExportLimit(t, newClient("444400000133"), "444400000133") })         // gosdk_exports_test.go
	t.Run("access control case table", func(t *testing.T) { goAccessCases(t, newClient("444400000101")) })                    // gosdk_access_test.go
	t.Run("access control rules", func(t *testing.T) { goAccessRules(t, newClient("444400000102")) })
	t.Run("impersonation roles", func(t *testing.T) { goImpersonationRoles(t, newClient("444400000103")) })
	t.Run("retention policy", func(t *testing.T) { goRetention(t, newClient("444400000121")) })                            // gosdk_settings_test.go
	t.Run("email monitoring and DMARC", func(t *testing.T) { goMonitoring(t, newClient("444400000122"), "444400000122") }) // gosdk_settings_test.go
	t.Run("tags", func(t *testing.T) { goTags(t, newClient("444400000123"), newClient("444400000124")) })                  // gosdk_settings_test.go
	t.Run("mail domains", func(t *testing.T) { goDomains(t, newClient("444400000061")) })                                  // gosdk_domains_test.go
	t.Run("mail-domain verification", func(t *testing.T) { goDomainVerification(t, newClient("444400000062"), url, "444400000062") })
	t.Run("aliases", func(t *testing.T) { goAliases(t, newClient("444400000063")) })
	t.Run("mobile device access rules", func(t *testing.T) { goMobileRules(t, newClient("444400000111")) })         // gosdk_mobile_test.go
	t.Run("mobile device access overrides", func(t *testing.T) { goMobileOverrides(t, newClient("444400000112")) }) // gosdk_mobile_test.go
}

func goLifecycle(t *testing.T, c *workmail.Client, account string) {
	ctx := context.Background()
	start := time.Now().Truncate(time.Millisecond)
	org := goCreateOrg(t, c, "go-lifecycle")
	end := time.Now()

	d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
	if err != nil {
		t.Fatal(err)
	}
	if d.CompletedDate == nil || d.CompletedDate.Before(start) || d.CompletedDate.After(end) {
		t.Errorf("CompletedDate %v not within [%v, %v]", d.CompletedDate, start, end)
	}
	got := fmt.Sprint(aws.ToString(d.OrganizationId), aws.ToString(d.Alias), aws.ToString(d.State), aws.ToString(d.DirectoryType),
		aws.ToString(d.DefaultMailDomain), aws.ToString(d.ARN), d.InteroperabilityEnabled, d.DirectoryId, d.ErrorMessage, d.MigrationAdmin)
	want := fmt.Sprint(org, "go-lifecycle", "Active", "WorkMailDirectory", "go-lifecycle.awsapps.com",
		"arn:aws:workmail:"+region+":"+account+":organization/"+org, false, (*string)(nil), (*string)(nil), (*string)(nil))
	if got != want {
		t.Errorf("DescribeOrganization\n got %s\nwant %s", got, want)
	}
	if ids := goListAll(t, c, 100); !slices.Equal(ids, []string{org}) {
		t.Errorf("listed %v, want [%s]", ids, org)
	}
	_, err = c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("go-lifecycle")})
	wantError[*types.NameAvailabilityException](t, err, "Organization alias go-lifecycle is already in use.")

	del, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: false})
	if err != nil || aws.ToString(del.OrganizationId) != org || aws.ToString(del.State) != "Deleted" {
		t.Fatalf("DeleteOrganization: %+v, %v", del, err)
	}
	d, err = c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
	if err != nil || aws.ToString(d.State) != "Deleted" {
		t.Errorf("describe deleted: %v, %v", d, err)
	}
	list, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil || list.OrganizationSummaries == nil || len(list.OrganizationSummaries) != 0 || list.NextToken != nil {
		t.Errorf("empty list: %+v, %v", list, err)
	}
	_, err = c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org})
	wantError[*types.OrganizationStateException](t, err, "Organization "+org+" is not Active, state: Deleted")
}

func goPaginator(t *testing.T, c *workmail.Client) {
	var orgs []string
	for i := range 5 {
		orgs = append(orgs, goCreateOrg(t, c, fmt.Sprintf("go-page-%d", i)))
	}
	slices.Sort(orgs)
	if ids := goListAll(t, c, 1); !slices.Equal(ids, orgs) {
		t.Errorf("paginator walked %v, want %v", ids, orgs)
	}
	ctx := context.Background()
	_, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{NextToken: aws.String("not-a-token")})
	wantError[*types.InvalidParameterException](t, err, "The NextToken is invalid or was issued for a different request.")
	_, err = c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(101)})
	wantError[*types.InvalidParameterException](t, err,
		"1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100")
}

// goListAll walks the ListOrganizations paginator and returns the ids,
// checking that every page but the last has a NextToken and that there
// are exactly as many pages as the page size calls for.
func goListAll(t *testing.T, c *workmail.Client, pageSize int32) []string {
	t.Helper()
	p := workmail.NewListOrganizationsPaginator(c, &workmail.ListOrganizationsInput{MaxResults: &pageSize})
	var ids []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, s := range page.OrganizationSummaries {
			if aws.ToString(s.DefaultMailDomain) != aws.ToString(s.Alias)+".awsapps.com" || aws.ToString(s.State) != "Active" {
				t.Errorf("summary %+v", s)
			}
			ids = append(ids, aws.ToString(s.OrganizationId))
		}
	}
	if want := max(1, (len(ids)+int(pageSize)-1)/int(pageSize)); pages != want {
		t.Errorf("%d items in %d pages of %d, want %d pages", len(ids), pages, pageSize, want)
	}
	return ids
}

func goApplication(t *testing.T, c *workmail.Client, account string) {
	ctx := context.Background()
	arn := goCreateApp(t, c, &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("WorkMail")})
	if !regexp.MustCompile(`^arn:aws:sso::` + account + `:application/ssoins-1234567890abcdef/apl-[a-zA-Z0-9]{16}$`).MatchString(arn) {
		t.Errorf("application ARN %s", arn)
	}
	idem := &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("Idem"), ClientToken: aws.String("go-token-1")}
	again := goCreateApp(t, c, idem)
	if second := goCreateApp(t, c, idem); second != again || again == arn {
		t.Errorf("ClientToken: %s then %s (first app %s)", again, second, arn)
	}
	_, err := c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{
		Name: aws.String("Changed"), InstanceArn: aws.String(instanceArn), ClientToken: aws.String("go-token-1")})
	wantError[*types.InvalidParameterException](t, err, "ClientToken go-token-1 was already used for CreateIdentityCenterApplication with different parameters.")
	_, err = c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("has space"), InstanceArn: aws.String(instanceArn)})
	wantError[*types.InvalidParameterException](t, err,
		`1 validation error detected: Value 'has space' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\w+=,.@-]+$`)
	for range 2 {
		if _, err := c.DeleteIdentityCenterApplication(ctx, &workmail.DeleteIdentityCenterApplicationInput{ApplicationArn: &again}); err != nil {
			t.Errorf("DeleteIdentityCenterApplication: %v", err)
		}
	}
}

func goIdentityProvider(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-idp")
	app := goCreateApp(t, c, &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("WorkMail")})
	missing := "Organization " + org + " has no identity provider configuration."
	describe := func() (*workmail.DescribeIdentityProviderConfigurationOutput, error) {
		return c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: &org})
	}
	put := func(edit func(*workmail.PutIdentityProviderConfigurationInput)) error {
		in := &workmail.PutIdentityProviderConfigurationInput{
			OrganizationId:                   aws.String(org),
			AuthenticationMode:               types.IdentityProviderAuthenticationModeIdentityProviderOnly,
			IdentityCenterConfiguration:      &types.IdentityCenterConfiguration{InstanceArn: aws.String(instanceArn), ApplicationArn: aws.String(app)},
			PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{Status: types.PersonalAccessTokenConfigurationStatusActive, LifetimeInDays: aws.Int32(30)},
		}
		if edit != nil {
			edit(in)
		}
		_, err := c.PutIdentityProviderConfiguration(ctx, in)
		return err
	}
	_, err := describe()
	wantError[*types.ResourceNotFoundException](t, err, missing)

	wantError[*types.InvalidParameterException](t, put(func(in *workmail.PutIdentityProviderConfigurationInput) { in.AuthenticationMode = "BOGUS" }),
		"1 validation error detected: Value 'BOGUS' at 'authenticationMode' failed to satisfy constraint: Member must satisfy enum value set: "+enumModes)
	wantError[*types.InvalidParameterException](t, put(func(in *workmail.PutIdentityProviderConfigurationInput) {
		in.PersonalAccessTokenConfiguration.LifetimeInDays = aws.Int32(3654)
	}), "1 validation error detected: Value '3654' at 'personalAccessTokenConfiguration.lifetimeInDays' failed to satisfy constraint: Member must have value less than or equal to 3653")
	unknownApp := app[:len(app)-16] + "0000000000000000"
	wantError[*types.ResourceNotFoundException](t, put(func(in *workmail.PutIdentityProviderConfigurationInput) {
		in.IdentityCenterConfiguration.ApplicationArn = &unknownApp
	}), "Identity Center application "+unknownApp+" does not exist in this account and region.")
	wantError[*types.InvalidParameterException](t, put(func(in *workmail.PutIdentityProviderConfigurationInput) {
		in.IdentityCenterConfiguration.InstanceArn = aws.String(otherInstanceArn)
	}), "InstanceArn "+otherInstanceArn+" is not the Identity Center instance of application "+app+" ("+instanceArn+").")
	wantError[*types.OrganizationNotFoundException](t, put(func(in *workmail.PutIdentityProviderConfigurationInput) {
		in.OrganizationId = aws.String(unknownOrg)
	}), "Organization "+unknownOrg+" does not exist.")
	_, err = describe()
	wantError[*types.ResourceNotFoundException](t, err, missing)

	if err := put(nil); err != nil {
		t.Fatal(err)
	}
	wantConfig(t, describe, "IDENTITY_PROVIDER_ONLY", app, "ACTIVE", aws.Int32(30))
	if err := put(func(in *workmail.PutIdentityProviderConfigurationInput) {
		in.AuthenticationMode = types.IdentityProviderAuthenticationModeIdentityProviderAndDirectory
		in.PersonalAccessTokenConfiguration = &types.PersonalAccessTokenConfiguration{Status: types.PersonalAccessTokenConfigurationStatusInactive}
	}); err != nil {
		t.Fatal(err)
	}
	wantConfig(t, describe, "IDENTITY_PROVIDER_AND_DIRECTORY", app, "INACTIVE", nil)
	_, err = c.DeleteIdentityCenterApplication(ctx, &workmail.DeleteIdentityCenterApplicationInput{ApplicationArn: &app})
	wantError[*types.OrganizationStateException](t, err,
		"Application "+app+" is used by the identity provider configuration of organization "+org+"; delete that configuration first.")

	for range 2 {
		if _, err := c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &org}); err != nil {
			t.Fatal(err)
		}
		_, err = describe()
		wantError[*types.ResourceNotFoundException](t, err, missing)
	}

	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org}); err != nil {
		t.Fatal(err)
	}
	deleted := "Organization " + org + " is not Active, state: Deleted"
	_, err = describe()
	wantError[*types.OrganizationStateException](t, err, deleted)
	_, err = c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &org})
	wantError[*types.OrganizationStateException](t, err, deleted)
	wantError[*types.OrganizationStateException](t, put(nil), deleted)
}

func wantConfig(t *testing.T, describe func() (*workmail.DescribeIdentityProviderConfigurationOutput, error), mode, app, status string, lifetime *int32) {
	t.Helper()
	d, err := describe()
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(d.AuthenticationMode, aws.ToString(d.IdentityCenterConfiguration.InstanceArn), aws.ToString(d.IdentityCenterConfiguration.ApplicationArn),
		d.PersonalAccessTokenConfiguration.Status, aws.ToInt32(d.PersonalAccessTokenConfiguration.LifetimeInDays), d.PersonalAccessTokenConfiguration.LifetimeInDays == nil)
	want := fmt.Sprint(mode, instanceArn, app, status, aws.ToInt32(lifetime), lifetime == nil)
	if got != want {
		t.Errorf("DescribeIdentityProviderConfiguration\n got %s\nwant %s", got, want)
	}
}

func goOrgErrors(t *testing.T, c, other *workmail.Client) {
	ctx := context.Background()
	_, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: aws.String(unknownOrg)})
	wantError[*types.OrganizationNotFoundException](t, err, "Organization "+unknownOrg+" does not exist.")
	// aws-sdk-go-v2 checks only required members; the rest reaches the server.
	_, err = c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: aws.String("m-0")})
	wantError[*types.InvalidParameterException](t, err,
		"2 validation errors detected: Value 'm-0' at 'organizationId' failed to satisfy constraint: Member must have length greater than or equal to 34; "+
			"Value 'm-0' at 'organizationId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^m-[0-9a-f]{32}$")
	org := goCreateOrg(t, c, "go-private")
	_, err = other.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
	wantError[*types.OrganizationNotFoundException](t, err, "Organization "+org+" does not exist.")
}

func goCreateOrg(t *testing.T, c *workmail.Client, alias string) string {
	t.Helper()
	out, err := c.CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{Alias: &alias})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.OrganizationId)
}

func goCreateApp(t *testing.T, c *workmail.Client, in *workmail.CreateIdentityCenterApplicationInput) string {
	t.Helper()
	in.InstanceArn = aws.String(instanceArn)
	out, err := c.CreateIdentityCenterApplication(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ApplicationArn)
}

// wantError checks that err is the modeled error type E (which the SDK
// picks from the error code) with exactly this message.
func wantError[E smithy.APIError](t *testing.T, err error, message string) {
	t.Helper()
	var modeled E
	if !errors.As(err, &modeled) {
		t.Errorf("got %v, want %T", err, modeled)
		return
	}
	if modeled.ErrorMessage() != message {
		t.Errorf("%s message\n got %q\nwant %q", modeled.ErrorCode(), modeled.ErrorMessage(), message)
	}
	if modeled.ErrorFault() != smithy.FaultClient {
		t.Errorf("%s fault %v, want client", modeled.ErrorCode(), modeled.ErrorFault())
	}
}
