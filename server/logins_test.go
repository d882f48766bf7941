package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

// loginCase is one POST to the login endpoint and what it must answer:
// status 200 with Method, or 403 with a refusal reason as __type.
type loginCase struct {
	name             string
	user, secret     string
	service, ip      string
	status           int
	reasonOrMethod   string
	wantUser, wantTo string // on 200: UserId, Email
}

func (tc loginCase) run(t *testing.T, url string) {
	t.Helper()
	status, out, _ := postInternal(t, url, "logins", map[string]any{
		"User": tc.user, "Secret": tc.secret, "Service": tc.service, "RemoteIp": tc.ip,
	})
	switch {
	case status != tc.status:
		t.Errorf("%s: %d %v, want %d %s", tc.name, status, out, tc.status, tc.reasonOrMethod)
	case status == http.StatusOK && (out["Result"] != "OK" || out["Method"] != tc.reasonOrMethod ||
		tc.wantUser != "" && out["UserId"] != tc.wantUser || tc.wantTo != "" && out["Email"] != tc.wantTo ||
		out["Mailbox"] != fmt.Sprintf("%s@%s.%s.%s.%s", out["UserId"], out["OrganizationId"], out["Account"], out["Region"], server.MailboxDomain)):
		t.Errorf("%s: accepted as %v, want %s %s %s", tc.name, out, tc.reasonOrMethod, tc.wantUser, tc.wantTo)
	case status != http.StatusOK && (out["__type"] != tc.reasonOrMethod || out["Message"] == ""):
		t.Errorf("%s: refused with %v, want %s", tc.name, out, tc.reasonOrMethod)
	}
}

// issueOverHTTP issues a token over the internal endpoint and returns its secret.
func issueOverHTTP(t *testing.T, url, org, user, expiresIn string, scopes ...string) (secret, id string) {
	t.Helper()
	status, out, _ := postInternal(t, url, "tokens", map[string]any{
		"Account": testAccount, "Region": testRegion, "OrganizationId": org, "User": user,
		"Name": "mail", "Scopes": scopes, "ExpiresIn": expiresIn,
	})
	if status != http.StatusOK {
		t.Fatalf("issue a token for %s: %d %v", user, status, out)
	}
	return out["Secret"].(string), out["PersonalAccessTokenId"].(string)
}

// TestMailLogins walks the login endpoint through every reason a login
// is accepted or refused, changing the organization through the API in
// between, as an administrator would.
func TestMailLogins(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	logs := &syncBuffer{}
	ts := startServer(t, server.Options{Now: clock.Now, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	c, ctx := ts.defaultClient(), context.Background()
	o := newTokenOrg(t, c, "logins") // mode IDENTITY_PROVIDER_ONLY, tokens ACTIVE
	alice, aliceMail := o.Alice, "alice@logins.awsapps.com"
	if _, err := c.CreateAlias(ctx, &workmail.CreateAliasInput{OrganizationId: &o.ID, EntityId: &alice, Alias: aws.String("al@logins.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	bob := createUser(t, c, o.ID, "bob", "") // not linked to Identity Center
	register(t, c, o.ID, bob, "bob@logins.awsapps.com")
	carol := createUser(t, c, o.ID, "carol", idpBob)
	register(t, c, o.ID, carol, "carol@logins.awsapps.com")
	for _, u := range []string{alice, bob, carol} {
		if _, err := c.ResetPassword(ctx, &workmail.ResetPasswordInput{OrganizationId: &o.ID, UserId: &u, Password: aws.String(strongPassword)}); err != nil {
			t.Fatal(err)
		}
	}
	both, bothID := issueOverHTTP(t, ts.URL, o.ID, alice, "", "IMAP", "SMTP")
	imapOnly, _ := issueOverHTTP(t, ts.URL, o.ID, alice, "", "imap")
	short, _ := issueOverHTTP(t, ts.URL, o.ID, alice, "1d", "IMAP")
	carolTok, _ := issueOverHTTP(t, ts.URL, o.ID, carol, "", "IMAP")
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &o.ID, EntityId: &carol}); err != nil {
		t.Fatal(err)
	}
	const tok, pw = "PersonalAccessToken", "DirectoryPassword"
	step := func(cases ...loginCase) {
		t.Helper()
		for _, tc := range cases {
			tc.run(t, ts.URL)
		}
	}

	step(
		loginCase{"token over IMAP", aliceMail, both, "imap", "192.0.2.1", 200, tok, alice, aliceMail},
		loginCase{"token over SMTP by an alias", "al@logins.awsapps.com", both, "submission", "192.0.2.1", 200, tok, alice, aliceMail},
		loginCase{"login name in another case", "ALICE@Logins.AWSAPPS.com", both, "smtp", "", 200, tok, alice, ""},
		loginCase{"wrong secret", aliceMail, both + "x", "imap", "192.0.2.2", 403, "WrongSecret", "", ""},
		loginCase{"empty secret", aliceMail, "", "imap", "192.0.2.2", 403, "WrongSecret", "", ""},
		loginCase{"unknown address", "nobody@logins.awsapps.com", both, "imap", "192.0.2.3", 403, "UnknownUser", "", ""},
		loginCase{"a token of another user", "bob@logins.awsapps.com", both, "imap", "192.0.2.3", 403, "WrongSecret", "", ""},
		loginCase{"scope names IMAP only", aliceMail, imapOnly, "submission", "", 403, "TokenScopeNotAllowed", "", ""},
		loginCase{"scope in lower case", aliceMail, imapOnly, "imap", "", 200, tok, alice, ""},
		loginCase{"disabled user's token", "carol@logins.awsapps.com", carolTok, "imap", "", 403, "UserDisabled", "", ""},
		loginCase{"directory password under IDENTITY_PROVIDER_ONLY", aliceMail, strongPassword, "imap", "", 403, "DirectoryPasswordNotAllowed", "", ""},
		loginCase{"unlinked user's password under IDENTITY_PROVIDER_ONLY", "bob@logins.awsapps.com", strongPassword, "imap", "", 403, "DirectoryPasswordNotAllowed", "", ""},
	)
	meta, err := c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &bothID})
	if err != nil || meta.DateLastUsed == nil || !meta.DateLastUsed.Equal(clock.Now()) {
		t.Fatalf("DateLastUsed after logins: %v %v", meta, err)
	}

	// IDENTITY_PROVIDER_AND_DIRECTORY: directory passwords work too.
	cfg := putConfig(o.ID, o.AppArn)
	cfg.AuthenticationMode = types.IdentityProviderAuthenticationModeIdentityProviderAndDirectory
	if _, err := c.PutIdentityProviderConfiguration(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	step(
		loginCase{"directory password under IDENTITY_PROVIDER_AND_DIRECTORY", aliceMail, strongPassword, "imap", "", 200, pw, alice, aliceMail},
		loginCase{"unlinked user's password", "bob@logins.awsapps.com", strongPassword, "submission", "", 200, pw, bob, ""},
		loginCase{"wrong password", "bob@logins.awsapps.com", strongPassword + "!", "imap", "192.0.2.4", 403, "WrongSecret", "", ""},
		loginCase{"disabled user's password", "carol@logins.awsapps.com", strongPassword, "imap", "", 403, "UserDisabled", "", ""},
		loginCase{"token still works", aliceMail, both, "imap", "", 200, tok, alice, ""},
	)

	// An access rule denying IMAP from one range leaves SMTP, and IMAP
	// from elsewhere, alone.
	if _, err := c.PutAccessControlRule(ctx, &workmail.PutAccessControlRuleInput{
		OrganizationId: &o.ID, Name: aws.String("no-imap-from-lab"), Description: aws.String("lab"),
		Effect: types.AccessControlRuleEffectDeny, Actions: []string{"IMAP"}, IpRanges: []string{"10.1.0.0/16"},
	}); err != nil {
		t.Fatal(err)
	}
	step(
		loginCase{"IMAP from the denied range", aliceMail, both, "imap", "10.1.2.3", 403, "DeniedByRule", "", ""},
		loginCase{"IMAP-mapped IPv6 form of the range", aliceMail, both, "imap", "::ffff:10.1.2.3", 403, "DeniedByRule", "", ""},
		loginCase{"password, IMAP from the denied range", aliceMail, strongPassword, "imap", "10.1.9.9", 403, "DeniedByRule", "", ""},
		loginCase{"a wrong secret from the range is just wrong", aliceMail, "guess-Guess-1", "imap", "10.1.9.8", 403, "WrongSecret", "", ""},
		loginCase{"SMTP from the denied range", aliceMail, both, "submission", "10.1.2.3", 200, tok, alice, ""},
		loginCase{"IMAP from elsewhere", aliceMail, both, "imap", "10.2.0.1", 200, tok, alice, ""},
	)

	// Unlinking the user stops its tokens, not its password.
	if _, err := c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &o.ID, UserId: &alice, IdentityProviderUserId: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	step(
		loginCase{"unlinked user's token", aliceMail, both, "imap", "", 403, "UserNotLinked", "", ""},
		loginCase{"unlinked user's password", aliceMail, strongPassword, "imap", "", 200, pw, alice, ""},
	)
	if _, err := c.UpdateUser(ctx, &workmail.UpdateUserInput{OrganizationId: &o.ID, UserId: &alice, IdentityProviderUserId: aws.String(idpAlice)}); err != nil {
		t.Fatal(err)
	}

	// Expiry, then tokens INACTIVE, then no configuration at all.
	clock.Advance(25 * time.Hour)
	step(
		loginCase{"expired token", aliceMail, short, "imap", "", 403, "TokenExpired", "", ""},
		loginCase{"unexpired token", aliceMail, both, "imap", "", 200, tok, alice, ""},
	)
	cfg.PersonalAccessTokenConfiguration = &types.PersonalAccessTokenConfiguration{Status: types.PersonalAccessTokenConfigurationStatusInactive}
	if _, err := c.PutIdentityProviderConfiguration(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	step(loginCase{"tokens INACTIVE", aliceMail, both, "imap", "", 403, "TokensInactive", "", ""})
	if _, err := c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: &o.ID}); err != nil {
		t.Fatal(err)
	}
	step(
		loginCase{"no identity-provider configuration: token", aliceMail, both, "imap", "", 403, "TokensInactive", "", ""},
		loginCase{"no identity-provider configuration: password", "bob@logins.awsapps.com", strongPassword, "imap", "", 200, pw, bob, ""},
	)
	if _, err := c.PutIdentityProviderConfiguration(ctx, putConfig(o.ID, o.AppArn)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePersonalAccessToken(ctx, &workmail.DeletePersonalAccessTokenInput{OrganizationId: &o.ID, PersonalAccessTokenId: &bothID}); err != nil {
		t.Fatal(err)
	}
	step(loginCase{"deleted token", aliceMail, both, "imap", "", 403, "WrongSecret", "", ""})

	// A deleted user's address is gone; so is a deleted organization's.
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &o.ID, UserId: &carol}); err != nil {
		t.Fatal(err)
	}
	step(loginCase{"deleted user", "carol@logins.awsapps.com", strongPassword, "imap", "", 403, "UnknownUser", "", ""})
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &o.ID, DeleteDirectory: true}); err != nil {
		t.Fatal(err)
	}
	step(loginCase{"deleted organization", "bob@logins.awsapps.com", strongPassword, "imap", "", 403, "UnknownUser", "", ""})

	for _, secret := range []string{both, imapOnly, short, carolTok, strongPassword} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret is in the log")
		}
	}
	if !strings.Contains(logs.String(), "reason=DeniedByRule") || !strings.Contains(logs.String(), "reason=WrongSecret") {
		t.Fatalf("refusals are not logged with their reason:\n%s", logs)
	}
}

// TestMailLoginFailureLimits: failures count against the login name and
// the client's address, a limited login is refused even with the right
// secret, and the window's end (or Purge after it) lifts the limit.
func TestMailLoginFailureLimits(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, LoginLimits: server.LoginLimits{PerName: 3, PerIP: 5, Window: time.Minute}})
	c := ts.defaultClient()
	o := newTokenOrg(t, c, "limits")
	secret, _ := issueOverHTTP(t, ts.URL, o.ID, o.Alice, "", "IMAP")
	alice := "alice@limits.awsapps.com"
	ok := func(name, ip string) loginCase {
		return loginCase{name, alice, secret, "imap", ip, 200, "PersonalAccessToken", o.Alice, ""}
	}
	limited := func(name, user, ip string) loginCase {
		return loginCase{name, user, secret, "imap", ip, 403, "TooManyFailures", "", ""}
	}
	for i, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		loginCase{"wrong secret " + string(rune('1'+i)), alice, "guess", "imap", ip, 403, "WrongSecret", "", ""}.run(t, ts.URL)
	}
	limited("the name's failures are used up", alice, "192.0.2.9").run(t, ts.URL)
	limited("from an address never seen", alice, "").run(t, ts.URL)
	clock.Advance(61 * time.Second)
	ok("after the window", "192.0.2.9").run(t, ts.URL)

	// Five unknown names from one address use up the address.
	for i := range 5 {
		loginCase{"unknown name", "ghost" + string(rune('a'+i)) + "@limits.awsapps.com", "x", "imap", "198.51.100.7", 403, "UnknownUser", "", ""}.run(t, ts.URL)
	}
	limited("the address's failures are used up", alice, "198.51.100.7").run(t, ts.URL)
	ok("the same name from another address", "198.51.100.8").run(t, ts.URL)

	clock.Advance(61 * time.Second)
	if err := ts.srv.Purge(context.Background()); err != nil {
		t.Fatal(err)
	}
	ok("after purge", "198.51.100.7").run(t, ts.URL)
}

// TestMailLoginAmbiguousAddress: two accounts may each have the address;
// a login cannot tell them apart and is refused until one is gone.
func TestMailLoginAmbiguousAddress(t *testing.T) {
	ts := startServer(t, server.Options{})
	mine, theirs := ts.defaultClient(), ts.client(otherAccount, testRegion)
	o := newTokenOrg(t, mine, "twin")
	secret, _ := issueOverHTTP(t, ts.URL, o.ID, o.Alice, "", "IMAP")
	other := newTokenOrg(t, theirs, "twin")
	loginCase{"one address in two accounts", "alice@twin.awsapps.com", secret, "imap", "", 403, "UnknownUser", "", ""}.run(t, ts.URL)
	if _, err := theirs.DeleteOrganization(context.Background(), &workmail.DeleteOrganizationInput{OrganizationId: &other.ID, DeleteDirectory: true}); err != nil {
		t.Fatal(err)
	}
	loginCase{"the other organization deleted", "alice@twin.awsapps.com", secret, "imap", "", 200, "PersonalAccessToken", o.Alice, ""}.run(t, ts.URL)
}

// TestMailLoginBadRequests: a request the endpoint cannot decide is a 400
// naming what is wrong, never a refusal or a 500.
func TestMailLoginBadRequests(t *testing.T) {
	ts := startServer(t, server.Options{})
	for _, tc := range []struct {
		name string
		body string
		code string
	}{
		{"not JSON", `{"User":`, "SerializationException"},
		{"wrong type", `{"User":5,"Secret":"x","Service":"imap"}`, "SerializationException"},
		{"no service", `{"User":"a@b.c","Secret":"x"}`, "InvalidLoginRequest"},
		{"POP3 (WorkMail has none)", `{"User":"a@b.c","Secret":"x","Service":"pop3"}`, "InvalidLoginRequest"},
		{"bad address", `{"User":"a@b.c","Secret":"x","Service":"imap","RemoteIp":"10.0.0.300"}`, "InvalidLoginRequest"},
		{"no login name", `{"User":"","Secret":"x","Service":"imap"}`, "InvalidLoginRequest"},
		{"login name with a slash", `{"User":"a/b@c.d","Secret":"x","Service":"imap"}`, "InvalidLoginRequest"},
		{"login name too long", `{"User":"` + strings.Repeat("a", 250) + `@b.cd","Secret":"x","Service":"imap"}`, "InvalidLoginRequest"},
		{"secret too long", `{"User":"a@b.c","Secret":"` + strings.Repeat("s", 1025) + `","Service":"imap"}`, "InvalidLoginRequest"},
	} {
		resp, err := http.Post(ts.URL+server.LoginsPath, "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusBadRequest || out["__type"] != tc.code || out["Message"] == "" {
			t.Errorf("%s: %d %v %v, want 400 %s", tc.name, resp.StatusCode, out, err, tc.code)
		}
	}
}

// TestMailLoginReplicas: two replicas on one PostgreSQL database share
// the failure counters, and a login on one records DateLastUsed for both.
func TestMailLoginReplicas(t *testing.T) {
	limits := server.LoginLimits{PerName: 2, PerIP: 50, Window: time.Hour}
	rs := startReplicas(t, server.Options{LoginLimits: limits}, server.Options{LoginLimits: limits})
	c, ctx := rs[0].defaultClient(), context.Background()
	o := newTokenOrg(t, c, "replicas-login")
	secret, id := issueOverHTTP(t, rs[0].URL, o.ID, o.Alice, "", "IMAP")
	alice := "alice@replicas-login.awsapps.com"
	loginCase{"token on the other replica", alice, secret, "imap", "", 200, "PersonalAccessToken", o.Alice, ""}.run(t, rs[1].URL)
	meta, err := c.GetPersonalAccessTokenMetadata(ctx, &workmail.GetPersonalAccessTokenMetadataInput{OrganizationId: &o.ID, PersonalAccessTokenId: &id})
	if err != nil || meta.DateLastUsed == nil {
		t.Fatalf("DateLastUsed recorded by replica 1, read on replica 0: %v %v", meta, err)
	}
	loginCase{"a failure on replica 0", alice, "guess", "imap", "", 403, "WrongSecret", "", ""}.run(t, rs[0].URL)
	loginCase{"a failure on replica 1", alice, "guess", "imap", "", 403, "WrongSecret", "", ""}.run(t, rs[1].URL)
	loginCase{"limited on replica 0", alice, secret, "imap", "", 403, "TooManyFailures", "", ""}.run(t, rs[0].URL)
}
