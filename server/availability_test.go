package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

const (
	ewsPassword = "Free-Busy-Passw0rd"
	lambdaArn   = "arn:aws:lambda:us-east-1:111122223333:function:availability"
)

// fakeEWS is an EWS endpoint that lets svc/ewsPassword in and counts
// the requests it gets.
func fakeEWS(t *testing.T, calls *atomic.Int32) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if u, p, ok := r.BasicAuth(); !ok || u != "svc" || p != ewsPassword {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/EWS/Exchange.asmx"
}

func ewsProvider(endpoint, password string) *types.EwsAvailabilityProvider {
	return &types.EwsAvailabilityProvider{EwsEndpoint: &endpoint, EwsUsername: aws.String("svc"), EwsPassword: &password}
}

func testAvailability(t *testing.T, c *workmail.Client, in *workmail.TestAvailabilityConfigurationInput) (bool, string) {
	t.Helper()
	out, err := c.TestAvailabilityConfiguration(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.TestPassed, aws.ToString(out.FailureReason)
}

// TestAvailabilityConfigurations goes through the whole life of two
// configurations over the wire, with test calls allowed, and checks that
// the EWS password is in no response and no log line.
func TestAvailabilityConfigurations(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	logs := &syncBuffer{}
	ts := startServer(t, server.Options{Now: clock.Now, AvailabilityTestCalls: true,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "avail")
	var calls atomic.Int32
	endpoint := fakeEWS(t, &calls)

	_, err := c.CreateAvailabilityConfiguration(ctx, &workmail.CreateAvailabilityConfigurationInput{
		OrganizationId: &org, DomainName: aws.String("partner.example"), EwsProvider: ewsProvider(endpoint, ewsPassword)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAvailabilityConfiguration(ctx, &workmail.CreateAvailabilityConfigurationInput{
		OrganizationId: &org, DomainName: aws.String("Partner.Example"), LambdaProvider: &types.LambdaAvailabilityProvider{LambdaArn: aws.String(lambdaArn)}})
	wantAPIError(t, err, "NameAvailabilityException", "partner.example", org)
	_, err = c.CreateAvailabilityConfiguration(ctx, &workmail.CreateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("none.example")})
	wantAPIError(t, err, "InvalidParameterException", "Exactly one provider")
	_, err = c.CreateAvailabilityConfiguration(ctx, &workmail.CreateAvailabilityConfigurationInput{
		OrganizationId: &org, DomainName: aws.String("avail.awsapps.com"), LambdaProvider: &types.LambdaAvailabilityProvider{LambdaArn: aws.String(lambdaArn)}})
	wantAPIError(t, err, "InvalidParameterException", "is a mail domain of organization")
	clock.Advance(time.Minute)
	_, err = c.CreateAvailabilityConfiguration(ctx, &workmail.CreateAvailabilityConfigurationInput{
		OrganizationId: &org, DomainName: aws.String("lambda.example"), LambdaProvider: &types.LambdaAvailabilityProvider{LambdaArn: aws.String(lambdaArn)}})
	if err != nil {
		t.Fatal(err)
	}

	// The stored EWS provider passes; a wrong password does not.
	if passed, reason := testAvailability(t, c, &workmail.TestAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("partner.example")}); !passed || reason != "" || calls.Load() != 1 {
		t.Errorf("stored EWS provider: %v %q, %d calls", passed, reason, calls.Load())
	}
	passed, reason := testAvailability(t, c, &workmail.TestAvailabilityConfigurationInput{OrganizationId: &org, EwsProvider: ewsProvider(endpoint, "Wrong-Passw0rd")})
	if passed || reason != "The EWS endpoint refused the credentials of svc: HTTP 401." {
		t.Errorf("wrong password: %v %q", passed, reason)
	}
	passed, reason = testAvailability(t, c, &workmail.TestAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("lambda.example")})
	if passed || !strings.Contains(reason, "cannot invoke Lambda functions") {
		t.Errorf("lambda: %v %q", passed, reason)
	}
	_, err = c.TestAvailabilityConfiguration(ctx, &workmail.TestAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("unknown.example")})
	wantAPIError(t, err, "ResourceNotFoundException", "unknown.example")
	_, err = c.TestAvailabilityConfiguration(ctx, &workmail.TestAvailabilityConfigurationInput{OrganizationId: &org})
	wantAPIError(t, err, "InvalidParameterException", "DomainName or one provider")

	// The list shows the redacted provider: no password on the wire.
	r := ts.raw("ListAvailabilityConfigurations", `{"OrganizationId":"`+org+`","MaxResults":1}`, nil)
	if r.Status != 200 || strings.Contains(string(r.Raw), ewsPassword) || strings.Contains(string(r.Raw), "EwsPassword") {
		t.Errorf("first page: %d %s", r.Status, r.Raw)
	}
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
	if len(listed) != 2 {
		t.Fatalf("listed %+v", listed)
	}
	l, e := listed[0], listed[1]
	if aws.ToString(l.DomainName) != "lambda.example" || l.ProviderType != types.AvailabilityProviderTypeLambda || aws.ToString(l.LambdaProvider.LambdaArn) != lambdaArn ||
		l.EwsProvider != nil || !l.DateCreated.Equal(clock.Now()) || !l.DateModified.Equal(clock.Now()) {
		t.Errorf("lambda item: %+v", l)
	}
	if aws.ToString(e.DomainName) != "partner.example" || e.ProviderType != types.AvailabilityProviderTypeEws || aws.ToString(e.EwsProvider.EwsEndpoint) != endpoint ||
		aws.ToString(e.EwsProvider.EwsUsername) != "svc" || e.LambdaProvider != nil || !e.DateCreated.Equal(clock.Now().Add(-time.Minute)) {
		t.Errorf("EWS item: %+v", e)
	}

	// Update to Lambda and back; delete twice.
	clock.Advance(time.Minute)
	if _, err := c.UpdateAvailabilityConfiguration(ctx, &workmail.UpdateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("partner.example"),
		LambdaProvider: &types.LambdaAvailabilityProvider{LambdaArn: aws.String(lambdaArn)}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateAvailabilityConfiguration(ctx, &workmail.UpdateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("other.example"),
		LambdaProvider: &types.LambdaAvailabilityProvider{LambdaArn: aws.String(lambdaArn)}})
	wantAPIError(t, err, "ResourceNotFoundException", "other.example")
	for range 2 {
		if _, err := c.DeleteAvailabilityConfiguration(ctx, &workmail.DeleteAvailabilityConfigurationInput{OrganizationId: &org, DomainName: aws.String("lambda.example")}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.ListAvailabilityConfigurations(ctx, &workmail.ListAvailabilityConfigurationsInput{OrganizationId: &org})
	if err != nil || len(out.AvailabilityConfigurations) != 1 || out.AvailabilityConfigurations[0].ProviderType != types.AvailabilityProviderTypeLambda ||
		!out.AvailabilityConfigurations[0].DateModified.Equal(clock.Now()) {
		t.Errorf("after update and delete: %+v, %v", out, err)
	}
	if strings.Contains(logs.String(), ewsPassword) {
		t.Errorf("the EWS password is in the log:\n%s", logs.String())
	}
}

// Without AvailabilityTestCalls the server calls nothing and says so.
func TestAvailabilityTestCallsOff(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	org := createOrg(t, c, "nocalls")
	var calls atomic.Int32
	endpoint := fakeEWS(t, &calls)
	passed, reason := testAvailability(t, c, &workmail.TestAvailabilityConfigurationInput{OrganizationId: &org, EwsProvider: ewsProvider(endpoint, ewsPassword)})
	if passed || !strings.Contains(reason, "makes no outbound calls") || calls.Load() != 0 {
		t.Errorf("%v %q, %d calls", passed, reason, calls.Load())
	}
}
