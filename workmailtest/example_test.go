package workmailtest_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
	"github.com/aws/smithy-go"

	"github.com/workmaild/workmaild/server"
	"github.com/workmaild/workmaild/workmailtest"
)

// A test starts a server, takes its client and uses the WorkMail API as
// against AWS. With a seed, the ids are the same on every run.
func Example() {
	inTest(func(t testing.TB) {
		srv := workmailtest.NewServer(t, workmailtest.WithSeed(1))
		c, ctx := srv.Client(), t.Context()

		org, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("example-corp")})
		if err != nil {
			t.Fatal(err)
		}
		instance := "arn:aws:sso:::instance/ssoins-1234567890abcdef"
		app, err := c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{
			Name: aws.String("WorkMail"), InstanceArn: aws.String(instance),
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.PutIdentityProviderConfiguration(ctx, &workmail.PutIdentityProviderConfigurationInput{
			OrganizationId:     org.OrganizationId,
			AuthenticationMode: types.IdentityProviderAuthenticationModeIdentityProviderOnly,
			IdentityCenterConfiguration: &types.IdentityCenterConfiguration{
				InstanceArn: aws.String(instance), ApplicationArn: app.ApplicationArn,
			},
			PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{
				Status: types.PersonalAccessTokenConfigurationStatusActive, LifetimeInDays: aws.Int32(30),
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		d, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{
			OrganizationId: org.OrganizationId,
		})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(aws.ToString(org.OrganizationId))
		fmt.Println(aws.ToString(d.IdentityCenterConfiguration.ApplicationArn))
		fmt.Println(d.AuthenticationMode, d.PersonalAccessTokenConfiguration.Status, aws.ToInt32(d.PersonalAccessTokenConfiguration.LifetimeInDays))
	})
	// Output:
	// m-12f4a4654efa2bd11e3a9e97e2e230e1
	// arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-0LCsSLODPOL5Av0j
	// IDENTITY_PROVIDER_ONLY ACTIVE 30
}

// With creation delays, organizations start Requested, as on AWS;
// CreateActiveOrganization gives a test one it can use at once.
func ExampleServer_CreateActiveOrganization() {
	inTest(func(t testing.TB) {
		srv := workmailtest.NewServer(t, workmailtest.WithOrganizationDelays(server.Lifecycle{CreateDelay: time.Minute}))
		c := srv.Client()

		ready := srv.CreateActiveOrganization("ready")
		fresh, err := c.CreateOrganization(t.Context(), &workmail.CreateOrganizationInput{Alias: aws.String("fresh")})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []*string{&ready, fresh.OrganizationId} {
			d, err := c.DescribeOrganization(t.Context(), &workmail.DescribeOrganizationInput{OrganizationId: id})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Println(aws.ToString(d.Alias), aws.ToString(d.State))
		}
	})
	// Output:
	// ready Active
	// fresh Requested
}

// A fixed clock makes timestamps exact and lets a test skip waiting.
func ExampleWithClock() {
	inTest(func(t testing.TB) {
		clock := workmailtest.NewClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
		srv := workmailtest.NewServer(t,
			workmailtest.WithClock(clock),
			workmailtest.WithOrganizationDelays(server.Lifecycle{CreateDelay: 10 * time.Minute}))
		c := srv.Client()

		org, err := c.CreateOrganization(t.Context(), &workmail.CreateOrganizationInput{Alias: aws.String("slow")})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			d, err := c.DescribeOrganization(t.Context(), &workmail.DescribeOrganizationInput{OrganizationId: org.OrganizationId})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Println(clock.Now().Format(time.Kitchen), aws.ToString(d.State), d.CompletedDate)
			clock.Advance(5 * time.Minute)
		}
	})
	// Output:
	// 9:00AM Requested <nil>
	// 9:05AM Creating <nil>
	// 9:10AM Active 2026-06-01 09:10:00 +0000 UTC
}

// Every account and region has its own state, as on AWS.
func ExampleServer_ClientFor() {
	inTest(func(t testing.TB) {
		srv := workmailtest.NewServer(t)
		mine := srv.CreateActiveOrganization("example-corp")

		other := srv.ClientFor("444455556666", "us-east-1")
		_, err := other.DescribeOrganization(t.Context(), &workmail.DescribeOrganizationInput{OrganizationId: &mine})
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			fmt.Println(apiErr.ErrorCode())
		}
	})
	// Output:
	// OrganizationNotFoundException
}

// URL is a real endpoint: any HTTP client, SDK or tool can reach it, and
// Config builds clients with options of your own.
func ExampleServer_URL() {
	inTest(func(t testing.TB) {
		srv := workmailtest.NewServer(t)

		resp, err := http.Get(srv.URL + "/_workmaild/health")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.Status)

		own := workmail.NewFromConfig(srv.Config(), func(o *workmail.Options) { o.AppID = "my-tool" })
		list, err := own.ListOrganizations(t.Context(), &workmail.ListOrganizationsInput{})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(len(list.OrganizationSummaries))
	})
	// Output:
	// 200 OK
	// 0
}

// Personal access tokens have no WorkMail API: users make them in the web
// application. A test issues one directly, then moves the clock to see it
// expire.
func ExampleServer_IssuePersonalAccessToken() {
	inTest(func(t testing.TB) {
		clock := workmailtest.NewClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
		srv := workmailtest.NewServer(t, workmailtest.WithClock(clock))
		c, ctx := srv.Client(), t.Context()

		// An organization with tokens enabled for 30 days, and a user
		// linked to Identity Center.
		org := srv.CreateActiveOrganization("example-corp")
		instance := "arn:aws:sso:::instance/ssoins-1234567890abcdef"
		app, err := c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{
			Name: aws.String("WorkMail"), InstanceArn: aws.String(instance),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutIdentityProviderConfiguration(ctx, &workmail.PutIdentityProviderConfigurationInput{
			OrganizationId:              &org,
			AuthenticationMode:          types.IdentityProviderAuthenticationModeIdentityProviderOnly,
			IdentityCenterConfiguration: &types.IdentityCenterConfiguration{InstanceArn: aws.String(instance), ApplicationArn: app.ApplicationArn},
			PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{
				Status: types.PersonalAccessTokenConfigurationStatusActive, LifetimeInDays: aws.Int32(30),
			},
		}); err != nil {
			t.Fatal(err)
		}
		user, err := c.CreateUser(ctx, &workmail.CreateUserInput{
			OrganizationId: &org, Name: aws.String("alice"), DisplayName: aws.String("Alice"),
			IdentityProviderUserId: aws.String("1234567890-aaaaaaaa-1111-2222-3333-444444444444"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{
			OrganizationId: &org, EntityId: user.UserId, Email: aws.String("alice@example-corp.awsapps.com"),
		}); err != nil {
			t.Fatal(err)
		}

		tok := srv.IssuePersonalAccessToken(server.TokenRequest{OrganizationID: org, User: "alice", Name: "laptop", Scopes: []string{"IMAP"}})
		fmt.Println("expires", tok.ExpiresTime)

		check := server.TokenCheck{OrganizationID: org, User: "alice", Secret: tok.Secret}
		_, err = srv.CheckPersonalAccessToken(check)
		fmt.Println("now:", err)
		clock.Advance(30 * 24 * time.Hour)
		_, err = srv.CheckPersonalAccessToken(check)
		fmt.Println("in 30 days:", errors.Is(err, server.ErrTokenExpired))
	})
	// Output:
	// expires 2026-07-01 09:00:00 +0000 UTC
	// now: <nil>
	// in 30 days: true
}
