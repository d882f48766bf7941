package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/internal/socketmap"
	"github.com/workmaild/workmaild/server"
)

// mailbox is the mailbox address of an entity of org in the test
// account and region.
func mailbox(org, entity string) string {
	return fmt.Sprintf("%s@%s.%s.%s.%s", entity, org, testAccount, testRegion, server.MailboxDomain)
}

// lookup asks MailLookup and returns the value, or "NOTFOUND".
func lookup(t *testing.T, ts *testServer, name, key string) string {
	t.Helper()
	v, err := ts.srv.MailLookup(context.Background(), name, key)
	if errors.Is(err, socketmap.ErrNotFound) {
		return "NOTFOUND"
	}
	if err != nil {
		t.Fatalf("MailLookup(%s, %q): %v", name, key, err)
	}
	return v
}

// sameSet compares comma-separated lists regardless of order, and fails
// on a repeated item.
func sameSet(got string, want ...string) bool {
	items := strings.Split(got, ",")
	slices.Sort(items)
	slices.Sort(want)
	return slices.Equal(items, want) && len(slices.Compact(slices.Clone(items))) == len(items)
}

func TestMailLookupRecipients(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "routing")
	user := func(name string) string { return mailboxUser(t, c, org, "routing", name) }
	alice, bob, carol, dave := user("alice"), user("bob"), user("carol"), user("dave")
	if _, err := c.CreateAlias(ctx, &workmail.CreateAliasInput{OrganizationId: &org, EntityId: &alice, Alias: aws.String("ali@routing.awsapps.com")}); err != nil {
		t.Fatal(err)
	}

	// A user: primary email and alias, in any case; its mailbox address.
	for _, key := range []string{"alice@routing.awsapps.com", "ALI@Routing.awsapps.com"} {
		if got := lookup(t, ts, server.MapRecipients, key); got != mailbox(org, alice) {
			t.Errorf("recipients %s = %q, want alice's mailbox", key, got)
		}
	}
	if got := lookup(t, ts, server.MapRecipients, mailbox(org, alice)); got != mailbox(org, alice) {
		t.Errorf("a mailbox address reaches %q, want itself", got)
	}

	// A group of three users, one of them disabled, and a nested group
	// holding a user who is also a direct member: each ENABLED user once.
	team := createGroup(t, c, org, "team")
	register(t, c, org, team, "team@routing.awsapps.com")
	inner := createGroup(t, c, org, "inner")
	register(t, c, org, inner, "inner@routing.awsapps.com")
	for _, m := range []string{alice, bob, carol, inner} {
		associate(t, c, org, team, m)
	}
	associate(t, c, org, inner, bob)
	associate(t, c, org, inner, dave)
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &carol}); err != nil {
		t.Fatal(err)
	}
	if got := lookup(t, ts, server.MapRecipients, "team@routing.awsapps.com"); !sameSet(got, mailbox(org, alice), mailbox(org, bob), mailbox(org, dave)) {
		t.Errorf("team reaches %q, want alice, bob and dave once each", got)
	}

	// Nobody: an unknown address, a deregistered user's, its mailbox
	// address, a group without enabled members, Postfix's @domain and
	// bare-name keys.
	empty := createGroup(t, c, org, "empty")
	register(t, c, org, empty, "empty@routing.awsapps.com")
	for _, key := range []string{"nobody@routing.awsapps.com", "carol@routing.awsapps.com", mailbox(org, carol),
		"empty@routing.awsapps.com", "@routing.awsapps.com", "alice", mailbox(org, "no-such-entity")} {
		if got := lookup(t, ts, server.MapRecipients, key); got != "NOTFOUND" {
			t.Errorf("recipients %s = %q, want NOTFOUND", key, got)
		}
	}

	// A resource receives in its own mailbox.
	room := createResource(t, c, org, "room", types.ResourceTypeRoom)
	register(t, c, org, room, "room@routing.awsapps.com")
	if got := lookup(t, ts, server.MapRecipients, "room@routing.awsapps.com"); got != mailbox(org, room) {
		t.Errorf("room reaches %q", got)
	}

	// A new primary email reaches the same mailbox: mail follows the id.
	if _, err := c.UpdatePrimaryEmailAddress(ctx, &workmail.UpdatePrimaryEmailAddressInput{OrganizationId: &org, EntityId: &bob, Email: aws.String("robert@routing.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	if got := lookup(t, ts, server.MapRecipients, "robert@routing.awsapps.com"); got != mailbox(org, bob) {
		t.Errorf("bob's new address reaches %q", got)
	}

	// mailboxes: a mailbox address while its entity is ENABLED.
	if got := lookup(t, ts, server.MapMailboxes, strings.ToUpper(mailbox(org, alice))); got != mailbox(org, alice) {
		t.Errorf("mailboxes alice = %q", got)
	}
	for _, key := range []string{mailbox(org, carol), "alice@routing.awsapps.com", "x@y.z." + server.MailboxDomain} {
		if got := lookup(t, ts, server.MapMailboxes, key); got != "NOTFOUND" {
			t.Errorf("mailboxes %s = %q, want NOTFOUND", key, got)
		}
	}

	// A deleted organization's addresses reach nobody.
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: true, ForceDelete: true}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"alice@routing.awsapps.com", mailbox(org, alice)} {
		if got := lookup(t, ts, server.MapRecipients, key); got != "NOTFOUND" {
			t.Errorf("after DeleteOrganization, recipients %s = %q", key, got)
		}
	}
	if got := lookup(t, ts, server.MapDomains, "routing.awsapps.com"); got != "NOTFOUND" {
		t.Errorf("after DeleteOrganization, domains = %q", got)
	}
}

func TestMailLookupDomainsAndSenders(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "senders")
	if _, err := c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: &org, DomainName: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"senders.awsapps.com":         "senders.awsapps.com",
		"EXAMPLE.com":                 "example.com",
		"other.example":               "NOTFOUND",
		"awsapps.com":                 "NOTFOUND",
		server.MailboxDomain:          server.MailboxDomain,
		"a.b." + server.MailboxDomain: "a.b." + server.MailboxDomain,
	} {
		if got := lookup(t, ts, server.MapDomains, key); got != want {
			t.Errorf("domains %s = %q, want %q", key, got, want)
		}
	}

	user := func(name string) string {
		id := createUser(t, c, org, name, "")
		register(t, c, org, id, name+"@example.com")
		return id
	}
	alice, bob, carol := user("alice"), user("bob"), user("carol")
	sales := createGroup(t, c, org, "sales")
	register(t, c, org, sales, "sales@example.com")
	grant := func(entity, grantee string, perms ...types.PermissionType) {
		mustGrant(t, c, org, entity, grantee, perms...)
	}

	// Her own address is alice's; nobody may send as a group yet.
	if got := lookup(t, ts, server.MapSenders, "Alice@example.com"); got != mailbox(org, alice) {
		t.Errorf("senders alice = %q", got)
	}
	if got := lookup(t, ts, server.MapSenders, "sales@example.com"); got != "NOTFOUND" {
		t.Errorf("senders sales before any grant = %q", got)
	}
	// SEND_AS on the group for bob, on alice for carol; FULL_ACCESS or
	// SEND_ON_BEHALF alone does not let anyone send as the address.
	grant(sales, bob, types.PermissionTypeSendAs)
	grant(alice, carol, types.PermissionTypeSendAs)
	grant(bob, alice, types.PermissionTypeFullAccess, types.PermissionTypeSendOnBehalf)
	if got := lookup(t, ts, server.MapSenders, "sales@example.com"); got != mailbox(org, bob) {
		t.Errorf("senders sales = %q, want bob", got)
	}
	if got := lookup(t, ts, server.MapSenders, "alice@example.com"); !sameSet(got, mailbox(org, alice), mailbox(org, carol)) {
		t.Errorf("senders alice = %q, want alice and carol", got)
	}
	if got := lookup(t, ts, server.MapSenders, "bob@example.com"); got != mailbox(org, bob) {
		t.Errorf("senders bob = %q, want bob only", got)
	}
	// A grant to a group lets its ENABLED members send.
	team := createGroup(t, c, org, "team")
	register(t, c, org, team, "team@example.com")
	associate(t, c, org, team, carol)
	grant(bob, team, types.PermissionTypeSendAs)
	if got := lookup(t, ts, server.MapSenders, "bob@example.com"); !sameSet(got, mailbox(org, bob), mailbox(org, carol)) {
		t.Errorf("senders bob after a grant to team = %q, want bob and carol", got)
	}
	for _, key := range []string{"nobody@example.com", "not an address"} {
		if got := lookup(t, ts, server.MapSenders, key); got != "NOTFOUND" {
			t.Errorf("senders %q = %q, want NOTFOUND", key, got)
		}
	}
}

func TestMailLookupUnknownMap(t *testing.T) {
	ts := startServer(t, server.Options{})
	_, err := ts.srv.MailLookup(context.Background(), "aliases", "a@b.c")
	var perm *socketmap.PermanentError
	if !errors.As(err, &perm) || !strings.Contains(perm.Reason, server.MapRecipients) {
		t.Fatalf("an unknown map: %v, want a permanent error naming the maps", err)
	}
}

// TestSocketmapServer: the lookups over the socketmap protocol, as Postfix
// asks them.
func TestSocketmapServer(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := ts.defaultClient()
	org := createOrg(t, c, "wire")
	alice := createUser(t, c, org, "alice", "")
	register(t, c, org, alice, "alice@wire.awsapps.com")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sm := ts.srv.NewSocketmapServer()
	go sm.Serve(ln)
	t.Cleanup(func() { sm.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	ask := func(req string) string {
		t.Helper()
		if err := socketmap.WriteNetstring(conn, req); err != nil {
			t.Fatal(err)
		}
		answer, err := socketmap.ReadNetstring(r)
		if err != nil {
			t.Fatal(err)
		}
		return answer
	}
	for req, want := range map[string]string{
		"recipients alice@wire.awsapps.com": "OK " + mailbox(org, alice),
		"recipients bob@wire.awsapps.com":   "NOTFOUND ",
		"domains wire.awsapps.com":          "OK wire.awsapps.com",
		"aliases alice@wire.awsapps.com":    "PERM",
	} {
		if got := ask(req); !strings.HasPrefix(got, want) {
			t.Errorf("%q answered %q, want %q", req, got, want)
		}
	}
}

// TestMailboxEndpoint: the mail store's question, whether a mailbox
// exists and its quota, over POST /_workmaild/mailboxes.
func TestMailboxEndpoint(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "store")
	alice := createUser(t, c, org, "alice", "")
	register(t, c, org, alice, "alice@store.awsapps.com")
	never := createUser(t, c, org, "never", "")
	room := createResource(t, c, org, "room", types.ResourceTypeRoom)
	register(t, c, org, room, "room@store.awsapps.com")

	ask := func(address string) (int, map[string]any) {
		t.Helper()
		status, out, _ := postInternal(t, ts.URL, "mailboxes", map[string]any{"Mailbox": address})
		return status, out
	}
	details, err := c.GetMailboxDetails(ctx, &workmail.GetMailboxDetailsInput{OrganizationId: &org, UserId: &alice})
	if err != nil {
		t.Fatal(err)
	}
	status, out := ask(strings.ToUpper(mailbox(org, alice)))
	if status != 200 || out["Mailbox"] != mailbox(org, alice) || out["Kind"] != "USER" || out["Email"] != "alice@store.awsapps.com" ||
		out["QuotaMB"] != float64(aws.ToInt32(details.MailboxQuota)) {
		t.Fatalf("alice: %d %v, want her mailbox with quota %d", status, out, aws.ToInt32(details.MailboxQuota))
	}
	if _, err := c.UpdateMailboxQuota(ctx, &workmail.UpdateMailboxQuotaInput{OrganizationId: &org, UserId: &alice, MailboxQuota: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &alice}); err != nil {
		t.Fatal(err)
	}
	// Deregistered, she keeps her mailbox and its quota.
	if status, out := ask(mailbox(org, alice)); status != 200 || out["QuotaMB"] != 3.0 {
		t.Errorf("deregistered alice: %d %v, want her mailbox with quota 3", status, out)
	}
	if status, out := ask(mailbox(org, room)); status != 200 || out["Kind"] != "RESOURCE" || out["QuotaMB"] != 0.0 {
		t.Errorf("room: %d %v", status, out)
	}
	for _, address := range []string{mailbox(org, never), mailbox(org, "no-such-user"), "alice@store.awsapps.com", ""} {
		if status, out := ask(address); status != 404 || out["__type"] != "NoSuchMailbox" {
			t.Errorf("%q: %d %v, want 404 NoSuchMailbox", address, status, out)
		}
	}
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &alice}); err != nil {
		t.Fatal(err)
	}
	if status, _ := ask(mailbox(org, alice)); status != 404 {
		t.Errorf("deleted alice: %d, want 404", status)
	}
	resp, err := http.Post(ts.URL+server.MailboxesPath, "application/json", strings.NewReader("{not json"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("a body that is not JSON: %d, want 400", resp.StatusCode)
	}
}

// TestMailboxEndpointFullAccess: the mailboxes a user may open besides its
// own, by FULL_ACCESS held directly or through ENABLED groups.
func TestMailboxEndpointFullAccess(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "shared")
	user := func(name string) string { return mailboxUser(t, c, org, "shared", name) }
	alice, bob, carol, dave := user("alice"), user("bob"), user("carol"), user("dave")
	room := createResource(t, c, org, "room", types.ResourceTypeRoom)
	register(t, c, org, room, "room@shared.awsapps.com")
	grant := func(entity, grantee string, perms ...types.PermissionType) {
		mustGrant(t, c, org, entity, grantee, perms...)
	}
	shared := func(user string) []string {
		t.Helper()
		status, out, raw := postInternal(t, ts.URL, "mailboxes", map[string]any{"Mailbox": mailbox(org, user), "FullAccess": true})
		if status != 200 {
			t.Fatalf("%d %s", status, raw)
		}
		var emails []string
		list, _ := out["FullAccess"].([]any)
		for _, item := range list {
			m := item.(map[string]any)
			emails = append(emails, m["Email"].(string))
			if !strings.HasSuffix(m["Mailbox"].(string), "."+server.MailboxDomain) {
				t.Errorf("%v is not a mailbox address", m["Mailbox"])
			}
		}
		return emails
	}

	grant(alice, bob, types.PermissionTypeFullAccess)
	grant(room, bob, types.PermissionTypeFullAccess, types.PermissionTypeSendAs)
	grant(dave, bob, types.PermissionTypeSendAs) // not FULL_ACCESS
	// carol through two nested groups, the outer one ENABLED
	outer := createGroup(t, c, org, "outer")
	register(t, c, org, outer, "outer@shared.awsapps.com")
	inner := createGroup(t, c, org, "inner")
	register(t, c, org, inner, "inner@shared.awsapps.com")
	associate(t, c, org, outer, inner)
	associate(t, c, org, inner, carol)
	grant(dave, outer, types.PermissionTypeFullAccess)

	if got := shared(bob); !slices.Equal(got, []string{"alice@shared.awsapps.com", "room@shared.awsapps.com"}) {
		t.Errorf("bob opens %v, want alice's and room's mailboxes", got)
	}
	if got := shared(carol); !slices.Equal(got, []string{"dave@shared.awsapps.com"}) {
		t.Errorf("carol opens %v, want dave's through her groups", got)
	}
	if got := shared(alice); len(got) != 0 {
		t.Errorf("alice opens %v, want none", got)
	}
	// Without asking, no list.
	if _, out, _ := postInternal(t, ts.URL, "mailboxes", map[string]any{"Mailbox": mailbox(org, bob)}); out["FullAccess"] != nil {
		t.Errorf("FullAccess listed unasked: %v", out)
	}
	// A disabled group passes nothing on; a disabled owner is not opened.
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &inner}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &alice}); err != nil {
		t.Fatal(err)
	}
	if got := shared(carol); len(got) != 0 {
		t.Errorf("carol opens %v through a disabled group", got)
	}
	if got := shared(bob); !slices.Equal(got, []string{"room@shared.awsapps.com"}) {
		t.Errorf("bob opens %v, want room's only once alice is disabled", got)
	}
	// Revoked, gone.
	if _, err := c.DeleteMailboxPermissions(ctx, &workmail.DeleteMailboxPermissionsInput{OrganizationId: &org, EntityId: &room, GranteeId: &bob}); err != nil {
		t.Fatal(err)
	}
	if got := shared(bob); len(got) != 0 {
		t.Errorf("bob opens %v after the revocation", got)
	}
}

func TestCheckHeaderSenders(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "headers")
	user := func(name string) string { return mailboxUser(t, c, org, "headers", name) }
	alice, bob, carol, dave := user("alice"), user("bob"), user("carol"), user("dave")
	sales := createGroup(t, c, org, "sales")
	register(t, c, org, sales, "sales@headers.awsapps.com")
	grant := func(entity, grantee string, perms ...types.PermissionType) {
		mustGrant(t, c, org, entity, grantee, perms...)
	}
	grant(sales, bob, types.PermissionTypeSendAs)
	grant(alice, carol, types.PermissionTypeSendOnBehalf)
	a := func(name string) string { return name + "@headers.awsapps.com" }
	for _, tc := range []struct {
		login        string
		from, sender []string
		ok           bool
	}{
		{alice, []string{a("alice")}, nil, true},
		{alice, []string{a("Alice")}, nil, true},
		{alice, nil, nil, true},
		{alice, []string{a("bob")}, nil, false},
		{alice, []string{"someone@example.net"}, nil, false},
		{alice, []string{a("alice")}, []string{a("bob")}, false},
		{bob, []string{a("sales")}, nil, true},
		{carol, []string{a("sales")}, nil, false},
		{carol, []string{a("alice")}, nil, false},                 // on behalf needs a Sender
		{carol, []string{a("alice")}, []string{a("carol")}, true}, // SEND_ON_BEHALF
		{carol, []string{a("alice")}, []string{a("dave")}, false},
		{dave, []string{a("alice")}, []string{a("dave")}, false},
		{alice, []string{a("alice"), a("bob")}, nil, false},
	} {
		err := ts.srv.CheckHeaderSenders(ctx, mailbox(org, tc.login), tc.from, tc.sender)
		switch {
		case tc.ok && err != nil, !tc.ok && !errors.Is(err, server.ErrSenderRefused):
			t.Errorf("login %s, From %v, Sender %v: %v, want ok=%v", tc.login, tc.from, tc.sender, err, tc.ok)
		}
	}
}

// TestMilterIdleTimeout: a milter connection that sends nothing is closed.
func TestMilterIdleTimeout(t *testing.T) {
	ts := startServer(t, server.Options{})
	ms := ts.srv.NewMilterServer()
	ms.IdleTimeout = 100 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ms.Serve(ln)
	t.Cleanup(func() { ms.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("an idle milter connection: %v, want it closed (EOF)", err)
	}
	if waited := time.Since(start); waited > 4*time.Second {
		t.Fatalf("closed after %v", waited)
	}
}

// mustGrant puts grantee's permissions on entity's mailbox, or fails the
// test.
func mustGrant(t *testing.T, c *workmail.Client, org, entity, grantee string, perms ...types.PermissionType) {
	t.Helper()
	if err := putPermissions(c, org, entity, grantee, perms...); err != nil {
		t.Fatalf("PutMailboxPermissions %s on %s: %v", grantee, entity, err)
	}
}
