package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
)

func createAlias(t *testing.T, c *workmail.Client, org, entity, alias string) {
	t.Helper()
	if _, err := c.CreateAlias(context.Background(), &workmail.CreateAliasInput{OrganizationId: &org, EntityId: &entity, Alias: &alias}); err != nil {
		t.Fatalf("CreateAlias %s: %v", alias, err)
	}
}

// listAliases reads every alias through the SDK's paginator.
func listAliases(t *testing.T, c *workmail.Client, org, entity string, pageSize int32) []string {
	t.Helper()
	var all []string
	p := workmail.NewListAliasesPaginator(c, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &entity, MaxResults: &pageSize})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Aliases) > int(pageSize) {
			t.Fatalf("a page of %d for MaxResults %d", len(out.Aliases), pageSize)
		}
		all = append(all, out.Aliases...)
	}
	return all
}

// An administrator's session: aliases for a user, listed without its
// primary address, found by DescribeUser, moved by
// UpdatePrimaryEmailAddress, removed by DeleteAlias.
func TestAliasSession(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "aliases")
	registerDomain(t, c, org, "example.com")
	u := createUser(t, c, org, "alice", "")
	register(t, c, org, u, "alice@aliases.awsapps.com")
	createAlias(t, c, org, u, "Ally@example.com")
	createAlias(t, c, org, u, "a@aliases.awsapps.com")
	createAlias(t, c, org, u, "ally@EXAMPLE.com") // the same alias: no change
	if got := listAliases(t, c, org, u, 10); !slices.Equal(got, []string{"a@aliases.awsapps.com", "Ally@example.com"}) {
		t.Fatalf("aliases %q", got)
	}
	if aws.ToString(describeUser(t, c, org, "ally@example.com").UserId) != u {
		t.Fatal("the alias does not name the user")
	}
	if _, err := c.UpdatePrimaryEmailAddress(ctx, &workmail.UpdatePrimaryEmailAddressInput{OrganizationId: &org, EntityId: &u, Email: aws.String("ally@example.com")}); err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(describeUser(t, c, org, u).Email); got != "ally@example.com" {
		t.Fatalf("primary %s", got)
	}
	if got := listAliases(t, c, org, u, 10); !slices.Equal(got, []string{"a@aliases.awsapps.com", "alice@aliases.awsapps.com"}) {
		t.Fatalf("aliases after the swap %q", got)
	}
	if _, err := c.DeleteAlias(ctx, &workmail.DeleteAliasInput{OrganizationId: &org, EntityId: &u, Alias: aws.String("A@aliases.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAlias(ctx, &workmail.DeleteAliasInput{OrganizationId: &org, EntityId: &u, Alias: aws.String("a@aliases.awsapps.com")}); err != nil {
		t.Fatalf("deleting it again: %v", err)
	}
	if got := listAliases(t, c, org, u, 10); !slices.Equal(got, []string{"alice@aliases.awsapps.com"}) {
		t.Fatalf("aliases after delete %q", got)
	}
	// A freed alias is anyone's.
	v := createUser(t, c, org, "bob", "")
	register(t, c, org, v, "a@aliases.awsapps.com")
}

// Every declared error of the alias and primary-address operations.
func TestAliasErrors(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, Lifecycle: server.Lifecycle{DomainVerificationDelay: time.Hour}})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "aerr")
	registerDomain(t, c, org, "pending.example")
	u, v := createUser(t, c, org, "ursula", ""), createUser(t, c, org, "victor", "")
	alias := func(entity, a string) error {
		_, err := c.CreateAlias(ctx, &workmail.CreateAliasInput{OrganizationId: &org, EntityId: &entity, Alias: &a})
		return err
	}
	primary := func(entity, e string) error {
		_, err := c.UpdatePrimaryEmailAddress(ctx, &workmail.UpdatePrimaryEmailAddressInput{OrganizationId: &org, EntityId: &entity, Email: &e})
		return err
	}
	unalias := func(entity, a string) error {
		_, err := c.DeleteAlias(ctx, &workmail.DeleteAliasInput{OrganizationId: &org, EntityId: &entity, Alias: &a})
		return err
	}
	list := func(entity string) error {
		_, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &entity})
		return err
	}
	wantAPIError(t, alias(u, "u@aerr.awsapps.com"), "EntityStateException", "ENABLED")
	wantAPIError(t, primary(u, "u@aerr.awsapps.com"), "EntityStateException", "ENABLED")
	register(t, c, org, u, "ursula@aerr.awsapps.com")
	register(t, c, org, v, "victor@aerr.awsapps.com")
	createAlias(t, c, org, v, "vic@aerr.awsapps.com")

	wantAPIError(t, alias(u, "VICTOR@aerr.awsapps.com"), "EmailAddressInUseException", "VICTOR@aerr.awsapps.com")
	wantAPIError(t, alias(u, "vic@aerr.awsapps.com"), "EmailAddressInUseException")
	wantAPIError(t, alias(u, "ursula@aerr.awsapps.com"), "EmailAddressInUseException", "primary")
	wantAPIError(t, alias(u, "u@unknown.example"), "MailDomainNotFoundException", "unknown.example")
	wantAPIError(t, alias(u, "u@pending.example"), "MailDomainStateException", "pending.example")
	wantAPIError(t, alias("ffffffff-0000-0000-0000-000000000000", "u@aerr.awsapps.com"), "EntityNotFoundException")
	wantAPIError(t, primary(u, "vic@AERR.awsapps.com"), "EmailAddressInUseException")
	wantAPIError(t, primary(u, "u@unknown.example"), "MailDomainNotFoundException")
	wantAPIError(t, primary(u, "u@pending.example"), "MailDomainStateException")
	wantAPIError(t, primary("ffffffff-0000-0000-0000-000000000000", "u@aerr.awsapps.com"), "EntityNotFoundException")
	wantAPIError(t, unalias(u, "Ursula@aerr.awsapps.com"), "InvalidParameterException", "primary")
	wantAPIError(t, unalias("ffffffff-0000-0000-0000-000000000000", "u@aerr.awsapps.com"), "EntityNotFoundException")
	wantAPIError(t, list("ffffffff-0000-0000-0000-000000000000"), "EntityNotFoundException")
	_, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &u, NextToken: aws.String("bm90IGEgdG9rZW4=")})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")

	// Verified later, the domain takes addresses.
	clock.Advance(time.Hour)
	createAlias(t, c, org, u, "u@pending.example")

	// Quota: 100 aliases.
	for i := range 99 {
		createAlias(t, c, org, u, fmt.Sprintf("u%02d@aerr.awsapps.com", i))
	}
	wantAPIError(t, alias(u, "one-more@aerr.awsapps.com"), "LimitExceededException", "100")

	// Deleted: EntityStateException while describable.
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &v}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &v}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, alias(v, "v2@aerr.awsapps.com"), "EntityStateException")
	wantAPIError(t, unalias(v, "vic@aerr.awsapps.com"), "EntityStateException", "deleted")
	wantAPIError(t, list(v), "EntityStateException", "deleted")
	wantAPIError(t, primary(v, "v2@aerr.awsapps.com"), "EntityStateException")
	// A deleted user's addresses are free.
	if err := unalias(u, "u00@aerr.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	createAlias(t, c, org, u, "vic@aerr.awsapps.com")
}

// ListAliases pages through an entity's 100 aliases in address order,
// each once, with the SDK's paginator and by hand; a NextToken is bound
// to its entity.
func TestListAliasesPaging(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "apages")
	u, v := createUser(t, c, org, "many", ""), createUser(t, c, org, "few", "")
	register(t, c, org, u, "many@apages.awsapps.com")
	register(t, c, org, v, "few@apages.awsapps.com")
	var want []string
	for i := 99; i >= 0; i-- {
		a := fmt.Sprintf("Alias%02d@apages.awsapps.com", i)
		createAlias(t, c, org, u, a)
		want = append(want, a)
	}
	slices.SortFunc(want, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	for _, size := range []int32{1, 9, 100} {
		if got := listAliases(t, c, org, u, size); !slices.Equal(got, want) {
			t.Fatalf("pages of %d: %d aliases, want %d", size, len(got), len(want))
		}
	}
	out, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &u, MaxResults: aws.Int32(10)})
	if err != nil || len(out.Aliases) != 10 || out.NextToken == nil {
		t.Fatalf("first page: %v %v", out, err)
	}
	_, err = c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &v, NextToken: out.NextToken})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	// An alias deleted between pages is not listed; none other is skipped.
	if _, err := c.DeleteAlias(ctx, &workmail.DeleteAliasInput{OrganizationId: &org, EntityId: &u, Alias: aws.String(want[10])}); err != nil {
		t.Fatal(err)
	}
	next, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: &org, EntityId: &u, MaxResults: aws.Int32(10), NextToken: out.NextToken})
	if err != nil || next.Aliases[0] != want[11] {
		t.Fatalf("after a delete: %v %v", next, err)
	}
	empty := listAliases(t, c, org, v, 5)
	if len(empty) != 0 {
		t.Fatalf("few's aliases: %q", empty)
	}
	r := ts.raw("ListAliases", `{"OrganizationId":"`+org+`","EntityId":"`+v+`"}`, nil)
	if r.Status != 200 || string(r.Raw) != `{"Aliases":[]}` {
		t.Fatalf("no aliases on the wire: %d %s", r.Status, r.Raw)
	}
}
