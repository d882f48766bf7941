package workmailtest_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
	"github.com/workmaild/workmaild/workmailtest"
)

func domainStatus(t *testing.T, c *workmail.Client, org, domain string) types.DnsRecordVerificationStatus {
	t.Helper()
	out, err := c.GetMailDomain(t.Context(), &workmail.GetMailDomainInput{OrganizationId: &org, DomainName: &domain})
	if err != nil {
		t.Fatal(err)
	}
	return out.OwnershipVerificationStatus
}

// WithDomainVerificationDelay keeps a domain PENDING until the clock has
// moved past the delay, or until VerifyMailDomain; it survives
// WithOrganizationDelays given after it.
func TestDomainVerificationDelay(t *testing.T) {
	srv := workmailtest.NewServer(t, workmailtest.WithClock(workmailtest.NewClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))),
		workmailtest.WithDomainVerificationDelay(time.Hour),
		workmailtest.WithOrganizationDelays(server.Lifecycle{CreateDelay: time.Minute}))
	c, ctx := srv.Client(), t.Context()
	org := srv.CreateActiveOrganization("domains")
	for _, d := range []string{"later.example", "now.example"} {
		if _, err := c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: aws.String(d)}); err != nil {
			t.Fatal(err)
		}
	}
	if st := domainStatus(t, c, org, "later.example"); st != types.DnsRecordVerificationStatusPending {
		t.Fatalf("just registered: %s", st)
	}
	srv.VerifyMailDomain(org, "now.example")
	if st := domainStatus(t, c, org, "now.example"); st != types.DnsRecordVerificationStatusVerified {
		t.Fatalf("after VerifyMailDomain: %s", st)
	}
	if _, err := c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: aws.String("now.example")}); err != nil {
		t.Fatal(err)
	}
	if st := srv.SetMailDomainVerification(org, "now.example", "", "FAILED"); st.Ownership != "VERIFIED" || st.DKIM != "FAILED" {
		t.Fatalf("statuses %+v", st)
	}
	srv.Clock().Advance(time.Hour)
	if st := domainStatus(t, c, org, "later.example"); st != types.DnsRecordVerificationStatusVerified {
		t.Fatalf("after the delay: %s", st)
	}
}
