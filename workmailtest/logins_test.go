package workmailtest_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
	"github.com/workmaild/workmaild/workmailtest"
)

// TestLogin: a test decides mail logins in process, the way the server's
// login endpoint does for Dovecot, with refusals as comparable errors.
func TestLogin(t *testing.T) {
	srv := workmailtest.NewServer(t)
	c := srv.Client()
	org := linkedUser(t, srv, "alice")
	tok := srv.IssuePersonalAccessToken(server.TokenRequest{OrganizationID: org, User: "alice", Name: "phone", Scopes: []string{"IMAP"}})
	ip := netip.MustParseAddr("192.0.2.7")

	login, err := srv.Login(server.LoginRequest{Name: "Alice@tokens.awsapps.com", Secret: tok.Secret, Protocol: "IMAP", IP: ip})
	if err != nil || login.Method != "PersonalAccessToken" || login.Email != "alice@tokens.awsapps.com" || login.OrganizationID != org {
		t.Fatalf("token login: %+v %v", login, err)
	}
	if _, err := srv.Login(server.LoginRequest{Name: "alice@tokens.awsapps.com", Secret: tok.Secret, Protocol: "SMTP", IP: ip}); !errors.Is(err, server.RefusedTokenScope) {
		t.Fatalf("IMAP-only token over SMTP: %v", err)
	}
	if _, err := c.PutAccessControlRule(t.Context(), &workmail.PutAccessControlRuleInput{
		OrganizationId: &org, Name: aws.String("deny-doc-net"), Description: aws.String("documentation range"),
		Effect: types.AccessControlRuleEffectDeny, IpRanges: []string{"192.0.2.0/24"},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = srv.Login(server.LoginRequest{Name: "alice@tokens.awsapps.com", Secret: tok.Secret, Protocol: "IMAP", IP: ip})
	var refusal server.LoginRefusal
	if !errors.As(err, &refusal) || refusal != server.RefusedByRule {
		t.Fatalf("login from a denied range: %v", err)
	}
	if _, err := srv.Login(server.LoginRequest{Name: "alice@tokens.awsapps.com", Secret: "nope", Protocol: "IMAP"}); !errors.Is(err, server.RefusedWrongSecret) {
		t.Fatalf("wrong secret: %v", err)
	}
}
