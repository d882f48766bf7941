package workmailtest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/workmailtest"
)

// WithAvailabilityTestCalls lets an EWS test reach an endpoint of the
// test's own; without it the server calls nothing.
func TestAvailabilityTestCalls(t *testing.T) {
	ews := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "svc" || p != "Free-Busy-Passw0rd" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write([]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`))
	}))
	defer ews.Close()
	in := func(org string) *workmail.TestAvailabilityConfigurationInput {
		return &workmail.TestAvailabilityConfigurationInput{OrganizationId: &org, EwsProvider: &types.EwsAvailabilityProvider{
			EwsEndpoint: aws.String(ews.URL + "/EWS/Exchange.asmx"), EwsUsername: aws.String("svc"), EwsPassword: aws.String("Free-Busy-Passw0rd")}}
	}
	for _, allowed := range []bool{true, false} {
		opts := []workmailtest.Option{}
		if allowed {
			opts = append(opts, workmailtest.WithAvailabilityTestCalls())
		}
		srv := workmailtest.NewServer(t, opts...)
		out, err := srv.Client().TestAvailabilityConfiguration(t.Context(), in(srv.CreateActiveOrganization("avail")))
		if err != nil {
			t.Fatal(err)
		}
		if out.TestPassed != allowed || (!allowed && !strings.Contains(aws.ToString(out.FailureReason), "no outbound calls")) {
			t.Errorf("allowed %v: %v %q", allowed, out.TestPassed, aws.ToString(out.FailureReason))
		}
	}
}

// An export job runs on the server's clock: RUNNING until the clock has
// moved five minutes on, then COMPLETED.
func TestExportJobOnTheClock(t *testing.T) {
	srv := workmailtest.NewServer(t, workmailtest.WithClock(workmailtest.NewClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))))
	c, ctx := srv.Client(), t.Context()
	org := srv.CreateActiveOrganization("export")
	user, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String("alice"), DisplayName: aws.String("Alice")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: user.UserId, Email: aws.String("alice@export.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	job, err := c.StartMailboxExportJob(ctx, &workmail.StartMailboxExportJobInput{OrganizationId: &org, EntityId: user.UserId,
		RoleArn:      aws.String("arn:aws:iam::" + workmailtest.DefaultAccount + ":role/export"),
		KmsKeyArn:    aws.String("arn:aws:kms:" + workmailtest.DefaultRegion + ":" + workmailtest.DefaultAccount + ":key/1234"),
		S3BucketName: aws.String("exports"), S3Prefix: aws.String("mail")})
	if err != nil {
		t.Fatal(err)
	}
	state := func() types.MailboxExportJobState {
		d, err := c.DescribeMailboxExportJob(ctx, &workmail.DescribeMailboxExportJobInput{OrganizationId: &org, JobId: job.JobId})
		if err != nil {
			t.Fatal(err)
		}
		return d.State
	}
	if st := state(); st != types.MailboxExportJobStateRunning {
		t.Fatalf("just started: %s", st)
	}
	srv.Clock().Advance(5 * time.Minute)
	if st := state(); st != types.MailboxExportJobStateCompleted {
		t.Fatalf("five minutes on: %s", st)
	}
}
