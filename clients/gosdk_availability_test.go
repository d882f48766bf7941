package clients_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// notTested is the FailureReason of an EWS test on a server started
// without --availability-test-calls, as the suites' server is.
const notTested = "This workmaild makes no outbound calls (start it with --availability-test-calls to allow them), so the EWS provider was not tested."

// goAvailability: an administrator configures free/busy providers for two
// external domains, tests them, lists, updates and deletes them.
func goAvailability(t *testing.T, c *workmail.Client, account string) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-avail")
	lambdaArn := "arn:aws:lambda:" + region + ":" + account + ":function:availability"
	ews := &types.EwsAvailabilityProvider{EwsEndpoint: aws.String("https://mail.partner.example/EWS/Exchange.asmx"),
		EwsUsername: aws.String("svc"), EwsPassword: aws.String("Free-Busy-Passw0rd")}
	create := func(domain string, e *types.EwsAvailabilityProvider, l *types.LambdaAvailabilityProvider) error {
		_, err := c.CreateAvailabilityConfiguration(ctx, &workmail.CreateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: &domain, EwsProvider: e, LambdaProvider: l})
		return err
	}
	if err := create("partner.example", ews, nil); err != nil {
		t.Fatal(err)
	}
	if err := create("lambda.example", nil, &types.LambdaAvailabilityProvider{LambdaArn: &lambdaArn}); err != nil {
		t.Fatal(err)
	}
	wantError[*types.NameAvailabilityException](t, create("Partner.Example", ews, nil),
		"An availability configuration for the domain partner.example already exists in organization "+org+".")
	wantError[*types.InvalidParameterException](t, create("go-avail.awsapps.com", ews, nil),
		"The domain go-avail.awsapps.com is a mail domain of organization "+org+": availability providers are for external domains.")
	wantError[*types.InvalidParameterException](t, create("none.example", nil, nil), "Exactly one provider, EwsProvider or LambdaProvider, must be given.")

	var listed []types.AvailabilityConfiguration
	p := workmail.NewListAvailabilityConfigurationsPaginator(c, &workmail.ListAvailabilityConfigurationsInput{OrganizationId: &org, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.AvailabilityConfigurations) > 1 {
			t.Fatalf("a page of %d for MaxResults 1", len(page.AvailabilityConfigurations))
		}
		listed = append(listed, page.AvailabilityConfigurations...)
	}
	if len(listed) != 2 || aws.ToString(listed[0].DomainName) != "lambda.example" || aws.ToString(listed[0].LambdaProvider.LambdaArn) != lambdaArn ||
		aws.ToString(listed[1].DomainName) != "partner.example" || listed[1].ProviderType != types.AvailabilityProviderTypeEws ||
		aws.ToString(listed[1].EwsProvider.EwsEndpoint) != aws.ToString(ews.EwsEndpoint) || aws.ToString(listed[1].EwsProvider.EwsUsername) != "svc" ||
		listed[1].DateCreated == nil || listed[1].DateModified == nil {
		t.Errorf("listed %+v", listed)
	}

	test := func(in *workmail.TestAvailabilityConfigurationInput) (*workmail.TestAvailabilityConfigurationOutput, error) {
		in.OrganizationId = &org
		return c.TestAvailabilityConfiguration(ctx, in)
	}
	out, err := test(&workmail.TestAvailabilityConfigurationInput{DomainName: aws.String("partner.example")})
	if err != nil || out.TestPassed || aws.ToString(out.FailureReason) != notTested {
		t.Errorf("EWS test: %+v, %v", out, err)
	}
	out, err = test(&workmail.TestAvailabilityConfigurationInput{LambdaProvider: &types.LambdaAvailabilityProvider{LambdaArn: &lambdaArn}})
	if err != nil || out.TestPassed || aws.ToString(out.FailureReason) != "workmaild cannot invoke Lambda functions, so the Lambda provider "+lambdaArn+" was not tested." {
		t.Errorf("Lambda test: %+v, %v", out, err)
	}
	_, err = test(&workmail.TestAvailabilityConfigurationInput{DomainName: aws.String("unknown.example")})
	wantError[*types.ResourceNotFoundException](t, err, "No availability configuration exists for the domain unknown.example in organization "+org+".")
	_, err = test(&workmail.TestAvailabilityConfigurationInput{})
	wantError[*types.InvalidParameterException](t, err, "Give either DomainName or one provider, EwsProvider or LambdaProvider.")

	if _, err := c.UpdateAvailabilityConfiguration(ctx, &workmail.UpdateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("partner.example"),
		LambdaProvider: &types.LambdaAvailabilityProvider{LambdaArn: &lambdaArn}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.DeleteAvailabilityConfiguration(ctx, &workmail.DeleteAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("lambda.example")}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.ListAvailabilityConfigurations(ctx, &workmail.ListAvailabilityConfigurationsInput{OrganizationId: &org})
	if err != nil || len(all.AvailabilityConfigurations) != 1 || all.AvailabilityConfigurations[0].ProviderType != types.AvailabilityProviderTypeLambda ||
		all.AvailabilityConfigurations[0].EwsProvider != nil || all.NextToken != nil {
		t.Errorf("after update and delete: %+v, %v", all, err)
	}
	_, err = c.UpdateAvailabilityConfiguration(ctx, &workmail.UpdateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("lambda.example"), EwsProvider: ews})
	wantError[*types.ResourceNotFoundException](t, err, "No availability configuration exists for the domain lambda.example in organization "+org+".")
}
