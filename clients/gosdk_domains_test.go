package clients_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// domainCalls are the answers the aliases and mail domains scenario makes
// the server give in every client's suite; scenarioCalls includes them.
var domainCalls = []string{
	"RegisterMailDomain", "RegisterMailDomain:MailDomainInUseException",
	"GetMailDomain", "GetMailDomain:MailDomainNotFoundException",
	"ListMailDomains",
	"UpdateDefaultMailDomain", "UpdateDefaultMailDomain:MailDomainNotFoundException", "UpdateDefaultMailDomain:MailDomainStateException",
	"DeregisterMailDomain", "DeregisterMailDomain:InvalidParameterException", "DeregisterMailDomain:MailDomainInUseException",
	"RegisterToWorkMail:MailDomainNotFoundException", "RegisterToWorkMail:MailDomainStateException",
	"CreateAlias", "CreateAlias:EmailAddressInUseException", "CreateAlias:MailDomainNotFoundException",
	"CreateAlias:MailDomainStateException",
	"ListAliases", "DeleteAlias", "DeleteAlias:InvalidParameterException",
	"UpdatePrimaryEmailAddress", "UpdatePrimaryEmailAddress:EmailAddressInUseException",
	"UpdatePrimaryEmailAddress:MailDomainStateException",
	"DescribeEntity", "DescribeEntity:EntityNotFoundException",
}

// domainStatus is the answer of workmaild's verification endpoint.
type domainStatus struct {
	Type                        string `json:"__type,omitempty"`
	Message                     string `json:",omitempty"`
	OwnershipVerificationStatus string `json:",omitempty"`
	DkimVerificationStatus      string `json:",omitempty"`
}

// setVerification tells workmaild's own endpoint what the DNS checks
// found (workmaild cannot look at DNS) and returns the HTTP status and
// the answer.
func setVerification(t *testing.T, url, account, org, domain, ownership, dkim string) (int, domainStatus) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{
		"Account": account, "Region": region, "OrganizationId": org, "DomainName": domain,
		"OwnershipVerificationStatus": ownership, "DkimVerificationStatus": dkim,
	})
	resp, err := http.Post(url+"/_workmaild/mail-domains/verification", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out domainStatus
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("the verification endpoint's answer: %v", err)
	}
	return resp.StatusCode, out
}

// byAddress sorts addresses as ListAliases does: without regard to case.
func byAddress(addresses ...string) []string {
	slices.SortFunc(addresses, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return addresses
}

// domainOrg is an organization of the scenario with the calls it makes.
type domainOrg struct {
	t    *testing.T
	c    *workmail.Client
	id   string
	test string // its test domain
}

func newDomainOrg(t *testing.T, c *workmail.Client, alias string) *domainOrg {
	return &domainOrg{t: t, c: c, id: goCreateOrg(t, c, alias), test: alias + ".awsapps.com"}
}

func (o *domainOrg) register(domain string) error {
	_, err := o.c.RegisterMailDomain(context.Background(), &workmail.RegisterMailDomainInput{OrganizationId: &o.id, DomainName: &domain})
	return err
}

func (o *domainOrg) deregister(domain string) error {
	_, err := o.c.DeregisterMailDomain(context.Background(), &workmail.DeregisterMailDomainInput{OrganizationId: &o.id, DomainName: &domain})
	return err
}

func (o *domainOrg) setDefault(domain string) error {
	_, err := o.c.UpdateDefaultMailDomain(context.Background(), &workmail.UpdateDefaultMailDomainInput{OrganizationId: &o.id, DomainName: &domain})
	return err
}

func (o *domainOrg) get(domain string) (*workmail.GetMailDomainOutput, error) {
	return o.c.GetMailDomain(context.Background(), &workmail.GetMailDomainInput{OrganizationId: &o.id, DomainName: &domain})
}

// statuses is GetMailDomain's answer but for the records.
func (o *domainOrg) statuses(domain string) string {
	o.t.Helper()
	d, err := o.get(domain)
	if err != nil {
		o.t.Fatal(err)
	}
	return fmt.Sprintf("%t %t %s %s", d.IsTestDomain, d.IsDefault, d.OwnershipVerificationStatus, d.DkimVerificationStatus)
}

// domains pages through ListMailDomains by hand (it has no paginator):
// "name" or "name*" for the default.
func (o *domainOrg) domains(pageSize int32) []string {
	o.t.Helper()
	var all []string
	var token *string
	for {
		out, err := o.c.ListMailDomains(context.Background(), &workmail.ListMailDomainsInput{OrganizationId: &o.id, MaxResults: &pageSize, NextToken: token})
		if err != nil {
			o.t.Fatal(err)
		}
		if len(out.MailDomains) > int(pageSize) {
			o.t.Fatalf("a page of %d for MaxResults %d", len(out.MailDomains), pageSize)
		}
		for _, d := range out.MailDomains {
			name := aws.ToString(d.DomainName)
			if d.DefaultDomain {
				name += "*"
			}
			all = append(all, name)
		}
		if token = out.NextToken; token == nil {
			return all
		}
	}
}

func (o *domainOrg) user(name, email string) string {
	o.t.Helper()
	out, err := o.c.CreateUser(context.Background(), &workmail.CreateUserInput{OrganizationId: &o.id, Name: &name, DisplayName: &name})
	if err != nil {
		o.t.Fatal(err)
	}
	if email != "" {
		o.enable(aws.ToString(out.UserId), email)
	}
	return aws.ToString(out.UserId)
}

func (o *domainOrg) enable(entity, email string) {
	o.t.Helper()
	if err := o.registerEntity(entity, email); err != nil {
		o.t.Fatal(err)
	}
}

func (o *domainOrg) registerEntity(entity, email string) error {
	_, err := o.c.RegisterToWorkMail(context.Background(), &workmail.RegisterToWorkMailInput{OrganizationId: &o.id, EntityId: &entity, Email: &email})
	return err
}

func (o *domainOrg) alias(entity, alias string) error {
	_, err := o.c.CreateAlias(context.Background(), &workmail.CreateAliasInput{OrganizationId: &o.id, EntityId: &entity, Alias: &alias})
	return err
}

func (o *domainOrg) unalias(entity, alias string) error {
	_, err := o.c.DeleteAlias(context.Background(), &workmail.DeleteAliasInput{OrganizationId: &o.id, EntityId: &entity, Alias: &alias})
	return err
}

func (o *domainOrg) primary(entity, email string) error {
	_, err := o.c.UpdatePrimaryEmailAddress(context.Background(), &workmail.UpdatePrimaryEmailAddressInput{OrganizationId: &o.id, EntityId: &entity, Email: &email})
	return err
}

// aliases reads an entity's aliases through the SDK's paginator, one a page.
func (o *domainOrg) aliases(entity string) []string {
	o.t.Helper()
	all := []string{}
	p := workmail.NewListAliasesPaginator(o.c, &workmail.ListAliasesInput{OrganizationId: &o.id, EntityId: &entity, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			o.t.Fatal(err)
		}
		all = append(all, page.Aliases...)
	}
	return all
}

// entity is DescribeEntity's answer for an address, or its error.
func (o *domainOrg) entity(email string) (string, error) {
	out, err := o.c.DescribeEntity(context.Background(), &workmail.DescribeEntityInput{OrganizationId: &o.id, Email: &email})
	if err != nil {
		return "", err
	}
	return fmt.Sprint(aws.ToString(out.EntityId), "/", aws.ToString(out.Name), "/", out.Type), nil
}

func (o *domainOrg) defaultDomain() string {
	o.t.Helper()
	d, err := o.c.DescribeOrganization(context.Background(), &workmail.DescribeOrganizationInput{OrganizationId: &o.id})
	if err != nil {
		o.t.Fatal(err)
	}
	return aws.ToString(d.DefaultMailDomain)
}

// wantRecords checks the eight records WorkMail asks to publish, in its order.
func wantRecords(t *testing.T, records []types.DnsRecord, domain string) {
	t.Helper()
	q := regexp.QuoteMeta(domain + ".")
	want := []string{
		`^MX ` + q + ` 10 inbound-smtp\.` + region + `\.amazonaws\.com\.$`,
		`^TXT _amazonses\.` + q + ` [A-Za-z0-9+/]{43}=$`,
		`^CNAME autodiscover\.` + q + ` autodiscover\.mail\.` + region + `\.awsapps\.com\.$`,
		`^CNAME ([a-z2-7]{32})\._domainkey\.` + q + ` ([a-z2-7]{32})\.dkim\.amazonses\.com\.$`,
		`^CNAME ([a-z2-7]{32})\._domainkey\.` + q + ` ([a-z2-7]{32})\.dkim\.amazonses\.com\.$`,
		`^CNAME ([a-z2-7]{32})\._domainkey\.` + q + ` ([a-z2-7]{32})\.dkim\.amazonses\.com\.$`,
		`^TXT ` + q + ` v=spf1 include:amazonses\.com ~all$`,
		`^TXT _dmarc\.` + q + ` v=DMARC1;p=quarantine;pct=100;fo=1$`,
	}
	if len(records) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(records), len(want), records)
	}
	tokens := map[string]bool{}
	for i, r := range records {
		got := aws.ToString(r.Type) + " " + aws.ToString(r.Hostname) + " " + aws.ToString(r.Value)
		m := regexp.MustCompile(want[i]).FindStringSubmatch(got)
		if m == nil {
			t.Errorf("record %d: %q does not match %s", i, got, want[i])
			continue
		}
		if len(m) == 3 {
			if m[1] != m[2] {
				t.Errorf("DKIM record %q: the host's and the value's tokens differ", got)
			}
			tokens[m[1]] = true
		}
	}
	if len(tokens) != 3 {
		t.Errorf("DKIM tokens %v, want 3 distinct", tokens)
	}
}

// goDomains is Terraform's aws_workmail_domain and
// aws_workmail_default_domain, ListMailDomains, and what
// DeregisterMailDomain refuses. The binary runs with its default
// verification delay of 0: a registered domain is VERIFIED at once.
func goDomains(t *testing.T, c *workmail.Client) {
	o := newDomainOrg(t, c, "go-domains")
	if got := o.domains(1); !slices.Equal(got, []string{o.test + "*"}) {
		t.Errorf("a new organization's domains: %q", got)
	}
	test, err := o.get(o.test)
	if err != nil || test.Records == nil || len(test.Records) != 0 || o.statuses(o.test) != "true true VERIFIED VERIFIED" {
		t.Errorf("the test domain: %+v %v", test, err)
	}
	for _, d := range []string{"Mail.Example.com", "mail.example.com"} { // the second: no change
		if err := o.register(d); err != nil {
			t.Fatal(err)
		}
	}
	// Terraform polls GetMailDomain until VERIFIED; the first answer is.
	if got := o.statuses("MAIL.example.com"); got != "false false VERIFIED VERIFIED" {
		t.Errorf("just registered: %s", got)
	}
	d, err := o.get("mail.example.com")
	if err != nil {
		t.Fatal(err)
	}
	wantRecords(t, d.Records, "mail.example.com")
	if err := o.setDefault("mail.example.com"); err != nil {
		t.Fatal(err)
	}
	if got := o.defaultDomain(); got != "mail.example.com" {
		t.Errorf("DefaultMailDomain %s", got)
	}
	if err := o.register("second.example.net"); err != nil {
		t.Fatal(err)
	}
	want := []string{o.test, "mail.example.com*", "second.example.net"}
	for _, size := range []int32{1, 100} {
		if got := o.domains(size); !slices.Equal(got, want) {
			t.Errorf("ListMailDomains by %d: %q, want %q", size, got, want)
		}
	}
	ann := o.user("ann", "ann@mail.example.com")
	if got, err := o.entity("Ann@Mail.Example.com"); err != nil || got != ann+"/ann/USER" {
		t.Errorf("DescribeEntity: %s %v", got, err)
	}

	// Another organization of the account: the domain is taken, and not its own.
	p := newDomainOrg(t, c, "go-domains-other")
	wantError[*types.MailDomainInUseException](t, p.register("MAIL.example.com"), "The domain mail.example.com is in use by another organization in your account.")
	_, err = p.get("mail.example.com")
	wantError[*types.MailDomainNotFoundException](t, err, "The domain mail.example.com is not found in organization "+p.id+".")
	wantError[*types.MailDomainNotFoundException](t, p.setDefault("mail.example.com"), "The domain mail.example.com is not found in organization "+p.id+".")
	bob := p.user("bob", "")
	wantError[*types.MailDomainNotFoundException](t, p.registerEntity(bob, "bob@mail.example.com"),
		"The domain mail.example.com of bob@mail.example.com is not found in organization "+p.id+".")

	// Terraform's destroy, and what DeregisterMailDomain refuses.
	wantError[*types.InvalidParameterException](t, o.deregister(o.test),
		"The domain "+o.test+" is the test domain of organization "+o.id+" and cannot be deregistered.")
	wantError[*types.InvalidParameterException](t, o.deregister("Mail.example.com"),
		"The domain mail.example.com is the default mail domain of organization "+o.id+": make another domain the default first.")
	if err := o.setDefault(o.test); err != nil {
		t.Fatal(err)
	}
	inUse := "The domain mail.example.com is in use by ann@mail.example.com: remove every email address of WorkMail entities on it first."
	wantError[*types.MailDomainInUseException](t, o.deregister("mail.example.com"), inUse)
	// A new primary address keeps the old one as an alias, still on the domain.
	if err := o.primary(ann, "ann@"+o.test); err != nil {
		t.Fatal(err)
	}
	if got := o.aliases(ann); !slices.Equal(got, []string{"ann@mail.example.com"}) {
		t.Errorf("aliases after the new primary: %q", got)
	}
	wantError[*types.MailDomainInUseException](t, o.deregister("mail.example.com"), inUse)
	if err := o.unalias(ann, "ann@mail.example.com"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second: nothing to do
		if err := o.deregister("mail.example.com"); err != nil {
			t.Fatal(err)
		}
	}
	_, err = o.get("mail.example.com")
	wantError[*types.MailDomainNotFoundException](t, err, "The domain mail.example.com is not found in organization "+o.id+".")
	if got, want := o.domains(1), []string{o.test + "*", "second.example.net"}; !slices.Equal(got, want) {
		t.Errorf("after deregistering: %q, want %q", got, want)
	}
	// Freed, the domain can go to the other organization.
	if err := p.register("mail.example.com"); err != nil {
		t.Fatal(err)
	}
	p.enable(bob, "bob@mail.example.com")
}

// goDomainVerification sets PENDING and FAILED through workmaild's
// endpoint and shows what an unverified domain refuses.
func goDomainVerification(t *testing.T, c *workmail.Client, url, account string) {
	o := newDomainOrg(t, c, "go-verify")
	if err := o.register("new.example.com"); err != nil {
		t.Fatal(err)
	}
	set := func(domain, ownership, dkim string) string {
		t.Helper()
		status, st := setVerification(t, url, account, o.id, domain, ownership, dkim)
		return fmt.Sprint(status, " ", st.Type, st.Message, st.OwnershipVerificationStatus, "/", st.DkimVerificationStatus)
	}
	if got := set("New.Example.com", "PENDING", "PENDING"); got != "200 PENDING/PENDING" {
		t.Errorf("setting PENDING: %s", got)
	}
	if got := o.statuses("new.example.com"); got != "false false PENDING PENDING" {
		t.Errorf("PENDING: %s", got)
	}
	d, err := o.get("new.example.com")
	if err != nil {
		t.Fatal(err)
	}
	wantRecords(t, d.Records, "new.example.com")
	wantError[*types.MailDomainStateException](t, o.setDefault("new.example.com"),
		"The domain new.example.com must be verified before it can be the default domain; its ownership verification status is PENDING.")
	pending := "The domain new.example.com must be verified before it can be used; its ownership verification status is PENDING."
	eve := o.user("eve", "")
	wantError[*types.MailDomainStateException](t, o.registerEntity(eve, "eve@new.example.com"), pending)
	o.enable(eve, "eve@"+o.test)
	wantError[*types.MailDomainStateException](t, o.alias(eve, "e@new.example.com"), pending)
	wantError[*types.MailDomainStateException](t, o.primary(eve, "eve@new.example.com"), pending)

	if got := set("new.example.com", "FAILED", ""); got != "200 FAILED/PENDING" {
		t.Errorf("setting FAILED: %s", got)
	}
	if got := o.statuses("new.example.com"); got != "false false FAILED PENDING" {
		t.Errorf("FAILED: %s", got)
	}
	wantError[*types.MailDomainStateException](t, o.alias(eve, "e@new.example.com"),
		"The domain new.example.com must be verified before it can be used; its ownership verification status is FAILED.")
	wantError[*types.MailDomainStateException](t, o.setDefault("new.example.com"),
		"The domain new.example.com must be verified before it can be the default domain; its ownership verification status is FAILED.")

	// The DNS checks pass: Terraform's poll ends, and the domain takes addresses.
	if got := set("new.example.com", "VERIFIED", "VERIFIED"); got != "200 VERIFIED/VERIFIED" {
		t.Errorf("setting VERIFIED: %s", got)
	}
	if got := o.statuses("new.example.com"); got != "false false VERIFIED VERIFIED" {
		t.Errorf("VERIFIED: %s", got)
	}
	if err := o.setDefault("new.example.com"); err != nil {
		t.Fatal(err)
	}
	if got := o.defaultDomain(); got != "new.example.com" {
		t.Errorf("DefaultMailDomain %s", got)
	}
	if err := o.alias(eve, "e@new.example.com"); err != nil {
		t.Fatal(err)
	}
	if got := o.aliases(eve); !slices.Equal(got, []string{"e@new.example.com"}) {
		t.Errorf("aliases: %q", got)
	}

	if got, want := set(o.test, "FAILED", ""), "400 InvalidParameterExceptionThe domain "+o.test+" is the test domain of organization "+o.id+", which is always verified./"; got != want {
		t.Errorf("the test domain:\n got %s\nwant %s", got, want)
	}
	if got, want := set("unknown.example.com", "VERIFIED", ""), "400 MailDomainNotFoundExceptionThe domain unknown.example.com is not found in organization "+o.id+"./"; got != want {
		t.Errorf("an unknown domain:\n got %s\nwant %s", got, want)
	}
}

// goAliases gives a user and a group aliases, moves their primary
// addresses, finds them by alias, and meets addresses every kind of
// entity holds.
func goAliases(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	o := newDomainOrg(t, c, "go-aliases")
	at := func(local string) string { return local + "@" + o.test }
	if err := o.register("example.org"); err != nil {
		t.Fatal(err)
	}
	ann := o.user("ann", at("ann"))
	g, err := c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: &o.id, Name: aws.String("team")})
	if err != nil {
		t.Fatal(err)
	}
	team := aws.ToString(g.GroupId)
	o.enable(team, at("team"))
	r, err := c.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: &o.id, Name: aws.String("room-1"), Type: types.ResourceTypeRoom})
	if err != nil {
		t.Fatal(err)
	}
	o.enable(aws.ToString(r.ResourceId), at("room-1"))

	for _, a := range []string{"Ann.Smith@example.org", at("a"), "ann.smith@EXAMPLE.org"} { // the last: the same alias, no change
		if err := o.alias(ann, a); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := o.aliases(ann), byAddress(at("a"), "Ann.Smith@example.org"); !slices.Equal(got, want) {
		t.Errorf("ann's aliases %q, want %q", got, want)
	}
	first, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &o.id, EntityId: &ann, MaxResults: aws.Int32(1)})
	if err != nil || len(first.Aliases) != 1 || first.Aliases[0] != byAddress(at("a"), "Ann.Smith@example.org")[0] || first.NextToken == nil {
		t.Errorf("a first page of one: %+v %v", first, err)
	}
	if got, err := o.entity("ANN.SMITH@example.org"); err != nil || got != ann+"/ann/USER" {
		t.Errorf("DescribeEntity by a user's alias: %s %v", got, err)
	}
	for _, a := range []string{at("crew"), "Crew@example.org"} {
		if err := o.alias(team, a); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := o.aliases(team), byAddress(at("crew"), "Crew@example.org"); !slices.Equal(got, want) {
		t.Errorf("team's aliases %q, want %q", got, want)
	}
	if got, err := o.entity("crew@example.org"); err != nil || got != team+"/team/GROUP" {
		t.Errorf("DescribeEntity by a group's alias: %s %v", got, err)
	}

	// Addresses taken: the entity's own primary, another entity's of every kind, an alias.
	wantError[*types.EmailAddressInUseException](t, o.alias(ann, at("ann")), "The email address "+at("ann")+" is the primary address of entity "+ann+".")
	inUse := func(a string) string {
		return "The email address " + a + " is already used by another user, group or resource."
	}
	for _, taken := range []string{at("TEAM"), at("room-1"), at("crew")} {
		wantError[*types.EmailAddressInUseException](t, o.alias(ann, taken), inUse(taken))
	}
	wantError[*types.EmailAddressInUseException](t, o.alias(team, at("A")), inUse(at("A")))
	dan := o.user("dan", "")
	wantError[*types.EmailAddressInUseException](t, o.registerEntity(dan, "Crew@example.org"), inUse("Crew@example.org"))
	wantError[*types.EntityStateException](t, o.alias(dan, at("dan")), "Entity "+dan+" is DISABLED: it must be registered to WorkMail (ENABLED) to get an address.")
	wantError[*types.MailDomainNotFoundException](t, o.alias(ann, "ann@nowhere.example"),
		"The domain nowhere.example of ann@nowhere.example is not found in organization "+o.id+".")

	// UpdatePrimaryEmailAddress: to its own alias (they swap), to a new address, not to one in use.
	email := func(get func() (*string, error)) string {
		t.Helper()
		e, err := get()
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(e)
	}
	userEmail := func() (*string, error) {
		u, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &o.id, UserId: &ann})
		if err != nil {
			return nil, err
		}
		return u.Email, nil
	}
	if err := o.primary(ann, "Ann.Smith@example.org"); err != nil {
		t.Fatal(err)
	}
	if got := email(userEmail); got != "Ann.Smith@example.org" {
		t.Errorf("primary after the swap: %s", got)
	}
	if got, want := o.aliases(ann), byAddress(at("a"), at("ann")); !slices.Equal(got, want) {
		t.Errorf("aliases after the swap %q, want %q", got, want)
	}
	for _, id := range []string{"ann", ann} { // the second: no change
		if err := o.primary(id, "ann.new@example.org"); err != nil {
			t.Fatal(err)
		}
	}
	if got := email(userEmail); got != "ann.new@example.org" {
		t.Errorf("primary after the move: %s", got)
	}
	if got, want := o.aliases(ann), byAddress(at("a"), "Ann.Smith@example.org", at("ann")); !slices.Equal(got, want) {
		t.Errorf("aliases after the move %q, want %q", got, want)
	}
	wantError[*types.EmailAddressInUseException](t, o.primary(ann, at("crew")), inUse(at("crew")))
	wantError[*types.EmailAddressInUseException](t, o.primary(ann, at("room-1")), inUse(at("room-1")))
	if err := o.primary(team, "team@example.org"); err != nil {
		t.Fatal(err)
	}
	groupEmail := func() (*string, error) {
		d, err := c.DescribeGroup(ctx, &workmail.DescribeGroupInput{OrganizationId: &o.id, GroupId: &team})
		if err != nil {
			return nil, err
		}
		return d.Email, nil
	}
	if got := email(groupEmail); got != "team@example.org" {
		t.Errorf("the group's primary: %s", got)
	}
	if got, want := o.aliases(team), byAddress(at("crew"), "Crew@example.org", at("team")); !slices.Equal(got, want) {
		t.Errorf("team's aliases after the move %q, want %q", got, want)
	}

	// DeleteAlias: an alias goes, an absent one is no error, the primary address stays.
	for _, a := range []string{at("A"), at("a")} { // the second: nothing to do
		if err := o.unalias(ann, a); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := o.aliases(ann), byAddress("Ann.Smith@example.org", at("ann")); !slices.Equal(got, want) {
		t.Errorf("aliases after DeleteAlias %q, want %q", got, want)
	}
	wantError[*types.InvalidParameterException](t, o.unalias(ann, "ANN.NEW@example.org"),
		"The email address ANN.NEW@example.org is the primary address of entity "+ann+" and cannot be deleted as an alias.")
	_, err = o.entity(at("a"))
	wantError[*types.EntityNotFoundException](t, err, "No user, group or resource has the address "+at("a")+" in organization "+o.id+".")
	o.enable(dan, at("a")) // a freed alias is anyone's
	if got, err := o.entity(at("a")); err != nil || got != dan+"/dan/USER" {
		t.Errorf("DescribeEntity of the freed alias: %s %v", got, err)
	}
	if got := o.aliases(dan); len(got) != 0 {
		t.Errorf("dan's aliases: %q", got)
	}
}
