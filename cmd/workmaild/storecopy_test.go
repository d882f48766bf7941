package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/internal/sdktransport"
	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
	"github.com/workmaild/workmaild/internal/store/pgstore"
	"github.com/workmaild/workmaild/server"
)

// copyClock is every copy test server's clock: standing still, so that
// answers holding times (a token's DateLastUsed) are the same on each.
var copyClock = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// copyServer is an in-process server on a data directory or a database.
type copyServer struct {
	srv *server.Server
	hs  *httptest.Server
}

func startCopyServer(t *testing.T, opts server.Options) *copyServer {
	t.Helper()
	opts.Now = func() time.Time { return copyClock }
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	cs := &copyServer{srv: srv, hs: httptest.NewServer(srv)}
	t.Cleanup(cs.stop)
	return cs
}

// stop closes the server, releasing its store; stopping twice is fine.
func (cs *copyServer) stop() {
	if cs.hs == nil {
		return
	}
	cs.hs.Close()
	cs.srv.Close()
	cs.hs = nil
}

func (cs *copyServer) client(region string) *workmail.Client {
	return workmail.New(workmail.Options{Region: region, BaseEndpoint: aws.String(cs.hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("123456789012", "secret", ""),
		HTTPClient:  sdktransport.Client(nil)})
}

// copyFixture is what fillStore made: an organization to check tokens
// in, a token's secret, and a NextToken handed out before the copy.
type copyFixture struct {
	org, secret string
	usersPage2  *workmail.ListUsersInput
}

const copyInstance = "arn:aws:sso:::instance/ssoins-1234567890abcdef"

// fillStore creates, through the API, some of everything workmaild
// keeps: organizations in two regions, users with passwords and personal
// access tokens, groups with members, aliases, mail domains, a resource,
// mailbox permissions and organization settings.
func fillStore(t *testing.T, cs *copyServer) copyFixture {
	t.Helper()
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var fx copyFixture
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		c := cs.client(region)
		o, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("copy-" + region)})
		must(o, err)
		org := o.OrganizationId
		app, err := c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{Name: aws.String("WorkMail"), InstanceArn: aws.String(copyInstance)})
		must(app, err)
		must(c.PutIdentityProviderConfiguration(ctx, &workmail.PutIdentityProviderConfigurationInput{
			OrganizationId: org, AuthenticationMode: types.IdentityProviderAuthenticationModeIdentityProviderAndDirectory,
			IdentityCenterConfiguration:      &types.IdentityCenterConfiguration{InstanceArn: aws.String(copyInstance), ApplicationArn: app.ApplicationArn},
			PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{Status: types.PersonalAccessTokenConfigurationStatusActive, LifetimeInDays: aws.Int32(30)},
		}))
		domain := "copy-" + region + ".example"
		must(c.RegisterMailDomain(ctx, &workmail.RegisterMailDomainInput{OrganizationId: org, DomainName: aws.String(domain)}))
		must(c.UpdateDefaultMailDomain(ctx, &workmail.UpdateDefaultMailDomainInput{OrganizationId: org, DomainName: aws.String(domain)}))
		var users []string
		for i, name := range []string{"alice", "bob", "carol", "dave"} {
			u, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: org, Name: aws.String(name), DisplayName: aws.String(strings.ToUpper(name)),
				Password: aws.String("Passw0rd-" + name), IdentityProviderUserId: aws.String(fmt.Sprintf("aaaaaaaa-1111-2222-3333-%012d", i))})
			must(u, err)
			must(c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: org, EntityId: u.UserId, Email: aws.String(name + "@" + domain)}))
			users = append(users, aws.ToString(u.UserId))
		}
		must(c.CreateAlias(ctx, &workmail.CreateAliasInput{OrganizationId: org, EntityId: &users[0], Alias: aws.String("al@" + domain)}))
		g, err := c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: org, Name: aws.String("staff")})
		must(g, err)
		must(c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: org, EntityId: g.GroupId, Email: aws.String("staff@" + domain)}))
		for _, u := range users[:2] {
			must(c.AssociateMemberToGroup(ctx, &workmail.AssociateMemberToGroupInput{OrganizationId: org, GroupId: g.GroupId, MemberId: aws.String(u)}))
		}
		r, err := c.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: org, Name: aws.String("room1"), Type: types.ResourceTypeRoom})
		must(r, err)
		must(c.PutMailboxPermissions(ctx, &workmail.PutMailboxPermissionsInput{OrganizationId: org, EntityId: &users[0], GranteeId: &users[1],
			PermissionValues: []types.PermissionType{types.PermissionTypeFullAccess}}))
		must(c.PutRetentionPolicy(ctx, &workmail.PutRetentionPolicyInput{OrganizationId: org, Name: aws.String("keep"),
			FolderConfigurations: []types.FolderConfiguration{{Name: types.FolderNameDeletedItems, Action: types.RetentionActionDelete, Period: aws.Int32(30)}}}))
		must(c.PutInboundDmarcSettings(ctx, &workmail.PutInboundDmarcSettingsInput{OrganizationId: org, Enforced: aws.Bool(true)}))
		d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: org})
		must(d, err)
		must(c.TagResource(ctx, &workmail.TagResourceInput{ResourceARN: d.ARN, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String(region)}}}))
		tok, err := cs.srv.IssueToken(ctx, server.TokenRequest{Account: "123456789012", Region: region, OrganizationID: aws.ToString(org),
			User: "alice", Name: "laptop", Scopes: []string{"IMAP"}})
		must(tok, err)
		if region == "us-east-1" {
			fx.org, fx.secret = aws.ToString(org), tok.Secret
			// Used once, so that the checks observe makes (on the
			// standing clock) change nothing.
			must(cs.srv.CheckToken(ctx, server.TokenCheck{Account: "123456789012", Region: region, OrganizationID: fx.org, User: "alice", Secret: fx.secret}))
			page, err := c.ListUsers(ctx, &workmail.ListUsersInput{OrganizationId: org, MaxResults: aws.Int32(2)})
			must(page, err)
			if page.NextToken == nil {
				t.Fatal("ListUsers of 4 users by 2 gave no NextToken")
			}
			fx.usersPage2 = &workmail.ListUsersInput{OrganizationId: org, MaxResults: aws.Int32(2), NextToken: page.NextToken}
		}
	}
	return fx
}

// observe returns what the API answers about everything fillStore made,
// each answer as JSON, listing by pages of 2 to cross NextTokens.
func observe(t *testing.T, cs *copyServer, fx copyFixture) map[string]string {
	t.Helper()
	ctx := context.Background()
	seen := map[string]string{}
	note := func(key string, out any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		raw, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		seen[key] = string(raw)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		c := cs.client(region)
		orgs, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
		note(region+" ListOrganizations", orgs.OrganizationSummaries, err)
		for _, o := range orgs.OrganizationSummaries {
			org := o.OrganizationId
			k := region + " " + aws.ToString(org) + " "
			d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: org})
			note(k+"DescribeOrganization", d, err)
			var users []types.User
			for p := workmail.NewListUsersPaginator(c, &workmail.ListUsersInput{OrganizationId: org, MaxResults: aws.Int32(2)}); p.HasMorePages(); {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				users = append(users, page.Users...)
			}
			note(k+"ListUsers", users, nil)
			for _, u := range users {
				du, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: org, UserId: u.Id})
				note(k+"DescribeUser "+aws.ToString(u.Id), du, err)
				al, err := c.ListAliases(ctx, &workmail.ListAliasesInput{OrganizationId: org, EntityId: u.Id})
				note(k+"ListAliases "+aws.ToString(u.Id), al.Aliases, err)
				mp, err := c.ListMailboxPermissions(ctx, &workmail.ListMailboxPermissionsInput{OrganizationId: org, EntityId: u.Id})
				note(k+"ListMailboxPermissions "+aws.ToString(u.Id), mp.Permissions, err)
			}
			groups, err := c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: org})
			note(k+"ListGroups", groups.Groups, err)
			for _, g := range groups.Groups {
				dg, err := c.DescribeGroup(ctx, &workmail.DescribeGroupInput{OrganizationId: org, GroupId: g.Id})
				note(k+"DescribeGroup "+aws.ToString(g.Id), dg, err)
				m, err := c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: org, GroupId: g.Id})
				note(k+"ListGroupMembers "+aws.ToString(g.Id), m.Members, err)
			}
			res, err := c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: org})
			note(k+"ListResources", res.Resources, err)
			doms, err := c.ListMailDomains(ctx, &workmail.ListMailDomainsInput{OrganizationId: org})
			note(k+"ListMailDomains", doms.MailDomains, err)
			for _, dm := range doms.MailDomains {
				gd, err := c.GetMailDomain(ctx, &workmail.GetMailDomainInput{OrganizationId: org, DomainName: dm.DomainName})
				note(k+"GetMailDomain "+aws.ToString(dm.DomainName), gd, err)
			}
			toks, err := c.ListPersonalAccessTokens(ctx, &workmail.ListPersonalAccessTokensInput{OrganizationId: org})
			note(k+"ListPersonalAccessTokens", toks.PersonalAccessTokenSummaries, err)
			idp, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: org})
			note(k+"DescribeIdentityProviderConfiguration", idp, err)
			rp, err := c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: org})
			note(k+"GetDefaultRetentionPolicy", rp, err)
			dm, err := c.DescribeInboundDmarcSettings(ctx, &workmail.DescribeInboundDmarcSettingsInput{OrganizationId: org})
			note(k+"DescribeInboundDmarcSettings", dm, err)
			tags, err := c.ListTagsForResource(ctx, &workmail.ListTagsForResourceInput{ResourceARN: d.ARN})
			note(k+"ListTagsForResource", tags.Tags, err)
		}
	}
	// The NextToken handed out before the copy still leads to page 2.
	page2, err := cs.client("us-east-1").ListUsers(ctx, fx.usersPage2)
	note("ListUsers page 2 by an old NextToken", page2.Users, err)
	// The token issued before the copy still checks.
	info, err := cs.srv.CheckToken(ctx, server.TokenCheck{Account: "123456789012", Region: "us-east-1", OrganizationID: fx.org, User: "alice", Secret: fx.secret})
	note("CheckToken", info, err)
	return seen
}

func sameAnswers(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: %s\n got %s\nwant %s", what, k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s answered, not before", what, k)
		}
	}
}

// storeCopy runs `workmaild store copy` in-process.
func storeCopy(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"store", "copy"}, args...), func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestStoreCopyRoundTrip fills an embedded store through the API, copies
// it (two regions, Global and the system partition) into PostgreSQL and
// serves it from there, then copies it back into a
// new data directory and serves that: every answer is the same, old
// NextTokens and tokens still work, and the records are byte for byte
// those of the original.
func TestStoreCopyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cs := startCopyServer(t, server.Options{DataDir: dir})
	fx := fillStore(t, cs)
	want := observe(t, cs, fx)
	cs.stop()

	dbURL := pg.Database(t)
	code, out, errOut := storeCopy("--from", dir, "--to", dbURL)
	if code != 0 || !strings.HasPrefix(out, "copied ") || !strings.Contains(out, " of 4 partitions ") {
		t.Fatalf("copy into PostgreSQL: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Contains(out+errOut, pg.Password()) {
		t.Errorf("the output shows the password: %q %q", out, errOut)
	}
	onPG := startCopyServer(t, server.Options{Postgres: dbURL})
	sameAnswers(t, "served from PostgreSQL", observe(t, onPG, fx), want)
	onPG.stop()

	back := filepath.Join(t.TempDir(), "back")
	if code, out, errOut := storeCopy("--from", dbURL, "--to", back); code != 0 {
		t.Fatalf("copy back: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	onBolt := startCopyServer(t, server.Options{DataDir: back})
	sameAnswers(t, "copied back into a data directory", observe(t, onBolt, fx), want)
	onBolt.stop()

	if a, b := boltRecords(t, dir), boltRecords(t, back); !reflect.DeepEqual(a, b) {
		t.Errorf("the round trip changed the records: %d before, %d after", len(a), len(b))
	}
}

// boltRecords returns every record of a data directory's store.
func boltRecords(t *testing.T, dir string) []string {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(dir, server.DataFileName), boltstore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return exportStrings(t, st)
}

func exportStrings(t *testing.T, ex store.Exporter) []string {
	t.Helper()
	var recs []string
	err := ex.Export(context.Background(), func(r store.Record) error {
		recs = append(recs, fmt.Sprintf("%q %q %q %q %x", r.Partition.Account, r.Partition.Region, r.Collection, r.ID, r.Value))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func pgRecords(t *testing.T, dbURL string) []string {
	t.Helper()
	st, err := pgstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return exportStrings(t, st)
}

// TestStoreCopyRefuses: a target that holds records is refused and left
// as it was (until --replace), a store a server is using is refused, and
// no message shows the database's password.
func TestStoreCopyRefuses(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	cs := startCopyServer(t, server.Options{DataDir: src})
	if _, err := cs.client("us-east-1").CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("source")}); err != nil {
		t.Fatal(err)
	}

	// In use: the running server holds the file's lock.
	dbURL := pg.Database(t)
	code, out, errOut := storeCopy("--from", src, "--to", dbURL)
	if code != 1 || !strings.Contains(errOut, "in use") || out != "" {
		t.Fatalf("copy of a store in use: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	cs.stop()

	// A PostgreSQL target a server has used holds records.
	other := startCopyServer(t, server.Options{Postgres: dbURL})
	if _, err := other.client("us-east-1").CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("target")}); err != nil {
		t.Fatal(err)
	}
	other.stop()
	before := pgRecords(t, dbURL)
	code, out, errOut = storeCopy("--from", src, "--to", dbURL)
	if code != 1 || !strings.Contains(errOut, "already holds records") || out != "" {
		t.Fatalf("copy into a non-empty database: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Contains(errOut, pg.Password()) {
		t.Errorf("the error shows the password: %q", errOut)
	}
	if after := pgRecords(t, dbURL); !reflect.DeepEqual(after, before) {
		t.Fatalf("a refused copy changed the target")
	}

	// The same the other way, into a data directory.
	dst := t.TempDir()
	used := startCopyServer(t, server.Options{DataDir: dst})
	used.stop()
	beforeDir := boltRecords(t, dst)
	if code, out, errOut := storeCopy("--from", dbURL, "--to", dst); code != 1 || !strings.Contains(errOut, "already holds records") || strings.Contains(out+errOut, pg.Password()) {
		t.Fatalf("copy into a non-empty data directory: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if !reflect.DeepEqual(boltRecords(t, dst), beforeDir) {
		t.Fatal("a refused copy changed the data directory")
	}

	// --replace: the target holds the source's records and nothing else.
	if code, out, errOut := storeCopy("--from", src, "--to", dbURL, "--replace"); code != 0 {
		t.Fatalf("--replace: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got, want := pgRecords(t, dbURL), boltRecords(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("after --replace the target holds %d records, the source %d", len(got), len(want))
	}
	onPG := startCopyServer(t, server.Options{Postgres: dbURL})
	orgs, err := onPG.client("us-east-1").ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil || len(orgs.OrganizationSummaries) != 1 || aws.ToString(orgs.OrganizationSummaries[0].Alias) != "source" {
		t.Fatalf("after --replace: %+v, %v", orgs, err)
	}
	onPG.stop()

	// Mistakes in the command line, and a source that is not a store.
	for _, args := range [][]string{{"--from", src}, {"--to", dst}, {"--from", src, "--to", src}, {"--from", src, "--to", dst, "extra"}} {
		if code, _, _ := storeCopy(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := storeCopy("--from", t.TempDir(), "--to", filepath.Join(t.TempDir(), "x")); code != 1 || !strings.Contains(errOut, "no workmaild store") {
		t.Errorf("copy from an empty directory: exit %d, %q", code, errOut)
	}
}
