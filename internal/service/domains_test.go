package service

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/paging"
	"github.com/workmaild/workmaild/internal/store"
)

// withDomainDelay gives the fixture a Service whose registered domains
// stay PENDING for delay.
func (f *fixture) withDomainDelay(delay time.Duration) *fixture {
	f.s = New(Config{Store: f.st, Now: f.clock.Now, Paging: paging.NewCodec([]byte("0123456789abcdef0123456789abcdef")),
		Lifecycle: Lifecycle{DomainVerificationDelay: delay}})
	return f
}

func (f *fixture) registerDomain(org, domain string) error {
	_, err := f.s.RegisterMailDomain(f.ctx, &model.RegisterMailDomainInput{OrganizationId: &org, DomainName: &domain})
	return err
}

func (f *fixture) getDomain(org, domain string) (*model.GetMailDomainOutput, error) {
	return f.s.GetMailDomain(f.ctx, &model.GetMailDomainInput{OrganizationId: &org, DomainName: &domain})
}

func (f *fixture) deregisterDomain(org, domain string) error {
	_, err := f.s.DeregisterMailDomain(f.ctx, &model.DeregisterMailDomainInput{OrganizationId: &org, DomainName: &domain})
	return err
}

func (f *fixture) defaultDomain(org, domain string) error {
	_, err := f.s.UpdateDefaultMailDomain(f.ctx, &model.UpdateDefaultMailDomainInput{OrganizationId: &org, DomainName: &domain})
	return err
}

func (f *fixture) domainNames(org string) []string {
	f.t.Helper()
	out, err := f.s.ListMailDomains(f.ctx, &model.ListMailDomainsInput{OrganizationId: &org})
	if err != nil {
		f.t.Fatal(err)
	}
	var names []string
	for _, d := range out.MailDomains {
		names = append(names, *d.DomainName)
	}
	return names
}

func (f *fixture) status(org, domain string) (ownership, dkim string) {
	f.t.Helper()
	out, err := f.getDomain(org, domain)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(*out.OwnershipVerificationStatus), string(*out.DkimVerificationStatus)
}

// A registered domain is PENDING for the delay, counted on the clock from
// its registration, then VERIFIED; addresses and the default domain need
// it VERIFIED.
func TestMailDomainVerificationDelay(t *testing.T) {
	f := newFixture(t).withDomainDelay(time.Hour)
	org := f.org("delay")
	if err := f.registerDomain(org, "Example.COM"); err != nil {
		t.Fatal(err)
	}
	if o, d := f.status(org, "example.com"); o != domainPending || d != domainPending {
		t.Fatalf("just registered: %s/%s", o, d)
	}
	wantCode(t, f.defaultDomain(org, "example.com"), model.ErrMailDomainState)
	u := f.user(org, "alice")
	wantCode(t, f.register(org, u, "alice@example.com"), model.ErrMailDomainState)
	wantCode(t, f.register(org, u, "alice@unknown.example"), model.ErrMailDomainNotFound)
	f.clock.Advance(time.Hour - time.Second)
	if o, _ := f.status(org, "example.com"); o != domainPending {
		t.Fatalf("before the delay: %s", o)
	}
	f.clock.Advance(time.Second)
	if o, d := f.status(org, "EXAMPLE.com"); o != domainVerified || d != domainVerified {
		t.Fatalf("after the delay: %s/%s", o, d)
	}
	if err := f.register(org, u, "alice@Example.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.defaultDomain(org, "example.com"); err != nil {
		t.Fatal(err)
	}
	desc, err := f.s.DescribeOrganization(f.ctx, &model.DescribeOrganizationInput{OrganizationId: &org})
	if err != nil || *desc.DefaultMailDomain != "example.com" {
		t.Fatalf("default after update: %v %v", desc, err)
	}
	// The test domain can be the default again; the other one is then no longer.
	if err := f.defaultDomain(org, "delay.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	out, _ := f.getDomain(org, "example.com")
	if *out.IsDefault || *out.IsTestDomain {
		t.Fatalf("example.com: %+v", out)
	}
}

// The internal setter overrides the delay, FAILED included; the test
// domain cannot be set.
func TestSetDomainVerification(t *testing.T) {
	f := newFixture(t).withDomainDelay(time.Hour)
	org := f.org("setter")
	if err := f.registerDomain(org, "example.com"); err != nil {
		t.Fatal(err)
	}
	set := func(domain, own, dkim string) (DomainStatus, error) {
		return f.s.SetDomainVerification(f.ctx, DomainVerification{Account: testAccount, Region: testRegion,
			OrganizationID: org, DomainName: domain, Ownership: own, DKIM: dkim})
	}
	st, err := set("example.com", "", domainFailed)
	if err != nil || st != (DomainStatus{domainPending, domainFailed}) {
		t.Fatalf("DKIM failed: %+v %v", st, err)
	}
	if st, err = set("EXAMPLE.com", domainVerified, ""); err != nil || st != (DomainStatus{domainVerified, domainFailed}) {
		t.Fatalf("ownership verified: %+v %v", st, err)
	}
	if o, d := f.status(org, "example.com"); o != domainVerified || d != domainFailed {
		t.Fatalf("GetMailDomain: %s/%s", o, d)
	}
	if err := f.defaultDomain(org, "example.com"); err != nil {
		t.Fatalf("ownership verified, DKIM failed: %v", err)
	}
	if _, err := set("example.com", domainFailed, ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour) // a set status does not follow the delay
	if o, _ := f.status(org, "example.com"); o != domainFailed {
		t.Fatalf("after the delay: %s", o)
	}
	u := f.user(org, "bob")
	wantCode(t, f.register(org, u, "bob@example.com"), model.ErrMailDomainState)
	_, err = set("setter.awsapps.com", domainFailed, "")
	wantCode(t, err, model.ErrInvalidParameter)
	_, err = set("other.example", domainVerified, "")
	wantCode(t, err, model.ErrMailDomainNotFound)
	_, err = set("example.com", "DONE", "")
	wantCode(t, err, model.ErrInvalidParameter)
	_, err = f.s.SetDomainVerification(f.ctx, DomainVerification{Account: testAccount, Region: testRegion, OrganizationID: "m-00000000000000000000000000000000", DomainName: "example.com", Ownership: domainVerified})
	wantCode(t, err, model.ErrOrganizationNotFound)
}

// A domain belongs to one organization of the partition at a time; the
// same organization registering it again changes nothing; awsapps.com
// domains are WorkMail's. A deleted organization's domains are free at
// once.
func TestMailDomainOwnership(t *testing.T) {
	f := newFixture(t).withDomainDelay(time.Hour)
	a, b := f.org("owner-a"), f.org("owner-b")
	if err := f.registerDomain(a, "shared.example"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(30 * time.Minute)
	if err := f.registerDomain(a, "SHARED.example"); err != nil {
		t.Fatalf("again in the same organization: %v", err)
	}
	f.clock.Advance(30 * time.Minute)
	if o, _ := f.status(a, "shared.example"); o != domainVerified {
		t.Fatalf("registering again restarted the delay: %s", o)
	}
	wantCode(t, f.registerDomain(b, "Shared.Example"), model.ErrMailDomainInUse)
	wantCode(t, f.registerDomain(b, "other.awsapps.com"), model.ErrInvalidParameter)
	if err := f.registerDomain(b, "owner-b.awsapps.com"); err != nil {
		t.Fatalf("its own test domain: %v", err)
	}
	// CreateOrganization's domains are registered the same way.
	_, err := f.s.CreateOrganization(f.ctx, &model.CreateOrganizationInput{Alias: ptr("owner-c"),
		Domains: []model.Domain{{DomainName: ptr("shared.example")}}})
	wantCode(t, err, model.ErrInvalidParameter)
	out, err := f.s.CreateOrganization(f.ctx, &model.CreateOrganizationInput{Alias: ptr("owner-c"),
		Domains: []model.Domain{{DomainName: ptr("c.example")}, {DomainName: ptr("C.example")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.domainNames(*out.OrganizationId); !slices.Equal(got, []string{"c.example", "owner-c.awsapps.com"}) {
		t.Fatalf("domains of owner-c: %q", got)
	}
	if o, _ := f.status(*out.OrganizationId, "c.example"); o != domainPending {
		t.Fatalf("a creation domain follows the delay: %s", o)
	}
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &a}); err != nil {
		t.Fatal(err)
	}
	if err := f.registerDomain(b, "shared.example"); err != nil {
		t.Fatalf("a deleted organization's domain: %v", err)
	}
	// Another account may register the same name.
	other := f.otherAccount("222233334444")
	otherOrg := other.org("elsewhere")
	if err := other.registerDomain(otherOrg, "shared.example"); err != nil {
		t.Fatalf("another account: %v", err)
	}
}

// otherAccount is the fixture's Service as seen by another account.
func (f *fixture) otherAccount(account string) *fixture {
	g := *f
	g.ctx = contextFor(f.ctx, account)
	return &g
}

// Deregistering refuses the test domain, the default domain and a domain
// an address of any entity uses (a disabled user's included); an unknown
// domain succeeds.
func TestDeregisterMailDomain(t *testing.T) {
	f := newFixture(t)
	org := f.org("dereg")
	for _, d := range []string{"used.example", "default.example", "free.example"} {
		if err := f.registerDomain(org, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.defaultDomain(org, "default.example"); err != nil {
		t.Fatal(err)
	}
	u := f.user(org, "carol")
	if err := f.register(org, u, "carol@dereg.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CreateAlias(f.ctx, &model.CreateAliasInput{OrganizationId: &org, EntityId: &u, Alias: ptr("C@Used.example")}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.deregisterDomain(org, "dereg.awsapps.com"), model.ErrInvalidParameter)
	wantCode(t, f.deregisterDomain(org, "Default.example"), model.ErrInvalidParameter)
	wantCode(t, f.deregisterDomain(org, "used.example"), model.ErrMailDomainInUse)
	if err := f.deregisterDomain(org, "never.example"); err != nil {
		t.Fatalf("unknown domain: %v", err)
	}
	if err := f.deregisterDomain(org, "FREE.example"); err != nil {
		t.Fatal(err)
	}
	_, err := f.getDomain(org, "free.example")
	wantCode(t, err, model.ErrMailDomainNotFound)
	// A disabled user keeps its address, which keeps the domain in use.
	if _, err := f.s.UpdatePrimaryEmailAddress(f.ctx, &model.UpdatePrimaryEmailAddressInput{OrganizationId: &org, EntityId: &u, Email: ptr("carol@used.example")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteAlias(f.ctx, &model.DeleteAliasInput{OrganizationId: &org, EntityId: &u, Alias: ptr("c@used.example")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeregisterFromWorkMail(f.ctx, &model.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &u}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.deregisterDomain(org, "used.example"), model.ErrMailDomainInUse)
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &u}); err != nil {
		t.Fatal(err)
	}
	if err := f.deregisterDomain(org, "used.example"); err != nil {
		t.Fatalf("after the user is deleted: %v", err)
	}
}

// An organization stored before domains had records keeps the domains
// given at its creation in its own record: they are read as verified
// domains, listed, usable and deregistrable, and the setter gives one a
// record of its own.
func TestLegacyCreationDomains(t *testing.T) {
	f := newFixture(t).withDomainDelay(time.Hour)
	org := f.org("legacy")
	f.update(func(tx store.Tx) error {
		rec, err := organizations.get(tx, orgRef{Partition: testPartition}, org)
		if err != nil {
			return err
		}
		rec.Domains = []string{"Old.example", "kept.example"}
		return organizations.put(tx, orgRef{Partition: testPartition}, rec)
	})
	if got := f.domainNames(org); !slices.Equal(got, []string{"kept.example", "legacy.awsapps.com", "old.example"}) {
		t.Fatalf("domains: %q", got)
	}
	if o, d := f.status(org, "old.example"); o != domainVerified || d != domainVerified {
		t.Fatalf("legacy domain: %s/%s", o, d)
	}
	u := f.user(org, "dave")
	if err := f.register(org, u, "dave@old.example"); err != nil {
		t.Fatal(err)
	}
	if err := f.registerDomain(org, "OLD.example"); err != nil {
		t.Fatalf("registering a legacy domain again: %v", err)
	}
	wantCode(t, f.deregisterDomain(org, "old.example"), model.ErrMailDomainInUse)
	if err := f.deregisterDomain(org, "kept.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetDomainVerification(f.ctx, DomainVerification{Account: testAccount, Region: testRegion, OrganizationID: org, DomainName: "old.example", DKIM: domainFailed}); err != nil {
		t.Fatal(err)
	}
	if o, d := f.status(org, "old.example"); o != domainVerified || d != domainFailed {
		t.Fatalf("after the setter: %s/%s", o, d)
	}
	if got := f.domainNames(org); !slices.Equal(got, []string{"legacy.awsapps.com", "old.example"}) {
		t.Fatalf("domains after: %q", got)
	}
}

// GetMailDomain lists the records to publish, stable and in WorkMail's
// order; the test domain has none.
func TestMailDomainRecords(t *testing.T) {
	f := newFixture(t)
	org := f.org("records")
	if err := f.registerDomain(org, "example.com"); err != nil {
		t.Fatal(err)
	}
	out, err := f.getDomain(org, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.Records {
		got = append(got, *r.Type+" "+*r.Hostname)
	}
	if len(got) != 8 || got[0] != "MX example.com." || got[1] != "TXT _amazonses.example.com." ||
		got[2] != "CNAME autodiscover.example.com." || !strings.HasSuffix(got[3], "._domainkey.example.com.") ||
		got[6] != "TXT example.com." || got[7] != "TXT _dmarc.example.com." {
		t.Fatalf("records: %q", got)
	}
	if v := *out.Records[0].Value; v != "10 inbound-smtp."+testRegion+".amazonaws.com." {
		t.Fatalf("MX: %s", v)
	}
	if v := *out.Records[1].Value; len(v) != 44 {
		t.Fatalf("ownership token %q", v)
	}
	tok, _, _ := strings.Cut(*out.Records[3].Hostname, ".")
	if len(tok) != 32 || *out.Records[3].Value != tok+".dkim.amazonses.com." {
		t.Fatalf("DKIM record %s -> %s", *out.Records[3].Hostname, *out.Records[3].Value)
	}
	again, _ := f.getDomain(org, "EXAMPLE.com")
	flat := func(rs []model.DnsRecord) (s []string) {
		for _, r := range rs {
			s = append(s, *r.Type+" "+*r.Hostname+" "+*r.Value)
		}
		return s
	}
	if !slices.Equal(flat(again.Records), flat(out.Records)) {
		t.Fatal("records changed between reads")
	}
	test, err := f.getDomain(org, "records.awsapps.com")
	if err != nil || len(test.Records) != 0 || test.Records == nil || !*test.IsTestDomain || !*test.IsDefault {
		t.Fatalf("test domain: %+v %v", test, err)
	}
}

// ListMailDomains pages through many domains in name order, each once;
// RegisterMailDomain stops at the quota.
func TestListMailDomainsPagesAndQuota(t *testing.T) {
	f := newFixture(t)
	org := f.org("many")
	var want []string
	for i := range MaxMailDomains {
		d := fmt.Sprintf("d%04d.example", i)
		want = append(want, d)
		if err := f.registerDomain(org, d); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, f.registerDomain(org, "one-too-many.example"), model.ErrLimitExceeded)
	if err := f.registerDomain(org, "d0007.example"); err != nil {
		t.Fatalf("a domain it has, at the quota: %v", err)
	}
	want = append(want, "many.awsapps.com")
	var got []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := f.s.ListMailDomains(f.ctx, &model.ListMailDomainsInput{OrganizationId: &org, MaxResults: ptr(int32(37)), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range out.MailDomains {
			got = append(got, *d.DomainName)
			if *d.DefaultDomain != (*d.DomainName == "many.awsapps.com") {
				t.Fatalf("DefaultDomain of %s", *d.DomainName)
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
		if pages > 100 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d domains, want %d", len(got), len(want))
	}
}

// Purging a deleted organization leaves no domain record behind.
func TestPurgeRemovesMailDomains(t *testing.T) {
	f := newFixture(t)
	org := f.org("purged")
	if err := f.registerDomain(org, "purged.example"); err != nil {
		t.Fatal(err)
	}
	// As an organization deleted before DeleteOrganization freed its domains.
	f.update(func(tx store.Tx) error {
		rec, err := organizations.get(tx, orgRef{Partition: testPartition}, org)
		if err != nil {
			return err
		}
		rec.DeleteRequestedAt = f.clock.Now()
		return organizations.put(tx, orgRef{Partition: testPartition}, rec)
	})
	f.clock.Advance(2 * DefaultDeletedRetention)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition) {
		if strings.Contains(r, " mail-domain") {
			t.Errorf("left after the purge: %s", r)
		}
	}
}
