package server_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
	"github.com/workmaild/workmaild/server"
)

// layout1 is what testdata/layout1/workmaild.db holds (see its README).
type layout1 struct {
	Account, Region                                string
	Now                                            time.Time
	Organization, DeletedOrganization, Application string
	Alice, Bob, Carol                              string
	TokenID, TokenSecret                           string
}

// A data file written before record layouts had versions opens with this
// release and keeps every organization, user, token and configuration;
// the new indexes (global addresses, deletion times, client tokens by
// organization) are built for it, and Purge then finds what it holds.
func TestLayout1DataFileMigrates(t *testing.T) {
	var want layout1
	raw, err := os.ReadFile("testdata/layout1/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, err := os.ReadFile("testdata/layout1/workmaild.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, server.DataFileName), db, 0o600); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: want.Now.Add(2 * time.Hour)}
	ts := startServer(t, server.Options{DataDir: dir, Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()

	orgs, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	if err != nil || len(orgs.OrganizationSummaries) != 1 || aws.ToString(orgs.OrganizationSummaries[0].OrganizationId) != want.Organization {
		t.Fatalf("ListOrganizations: %+v, %v", orgs, err)
	}
	org := &want.Organization
	for _, ident := range []string{want.Alice, "ALICE", "Alice@Legacy.awsapps.com"} {
		u, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: org, UserId: aws.String(ident)})
		if err != nil || aws.ToString(u.UserId) != want.Alice || aws.ToString(u.Email) != "alice@legacy.awsapps.com" || u.State != types.EntityStateEnabled ||
			aws.ToString(u.IdentityProviderUserId) == "" {
			t.Fatalf("DescribeUser %s: %+v, %v", ident, u, err)
		}
	}
	if u, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: org, UserId: &want.Bob}); err != nil || u.State != types.EntityStateDeleted {
		t.Fatalf("deleted bob: %+v, %v", u, err)
	}
	// The old name and address entries still claim what they claimed.
	_, err = c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: org, Name: aws.String("Carol"), DisplayName: aws.String("x")})
	wantAPIError(t, err, "NameAvailabilityException")
	_, err = c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: org, EntityId: &want.Carol, Email: aws.String("ALICE@legacy.awsapps.com")})
	wantAPIError(t, err, "EmailAddressInUseException")
	if _, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: org, Name: aws.String("bob"), DisplayName: aws.String("Bob again")}); err != nil {
		t.Fatalf("a deleted user's name is free: %v", err)
	}
	// Client tokens and the configuration survive.
	again, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("legacy"), ClientToken: aws.String("create-legacy")})
	if err != nil || aws.ToString(again.OrganizationId) != want.Organization {
		t.Fatalf("CreateOrganization retry: %+v, %v", again, err)
	}
	cfg, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: org})
	if err != nil || aws.ToString(cfg.IdentityCenterConfiguration.ApplicationArn) != want.Application || aws.ToInt32(cfg.PersonalAccessTokenConfiguration.LifetimeInDays) != 30 {
		t.Fatalf("configuration: %+v, %v", cfg, err)
	}
	info, err := ts.srv.CheckToken(ctx, server.TokenCheck{Account: want.Account, Region: want.Region, OrganizationID: want.Organization, User: "alice", Secret: want.TokenSecret})
	if err != nil || info.ID != want.TokenID {
		t.Fatalf("CheckToken: %+v, %v", info, err)
	}
	// An organization older than mobile device access rules has the default rule.
	rules, err := c.ListMobileDeviceAccessRules(ctx, &workmail.ListMobileDeviceAccessRulesInput{OrganizationId: org})
	if err != nil || len(rules.Rules) != 1 || aws.ToString(rules.Rules[0].MobileDeviceAccessRuleId) != "default" || rules.Rules[0].Effect != types.MobileDeviceAccessRuleEffectAllow {
		t.Fatalf("mobile device access rules of a layout-1 organization: %+v, %v", rules, err)
	}
	// The deleted organization's alias and directory are free.
	if _, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("gone"), DirectoryId: aws.String("d-1234567890")}); err != nil {
		t.Fatalf("reusing a deleted organization's alias and directory: %v", err)
	}

	// 31 days on, Purge removes the deleted organization and user.
	clock.Advance(31 * 24 * time.Hour)
	if err := ts.srv.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: org, UserId: &want.Bob}); err == nil {
		t.Fatal("bob is still describable")
	}
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(filepath.Join(dir, server.DataFileName), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := store.Partition{Account: want.Account, Region: want.Region}
	err = st.View(ctx, p, func(r store.Reader) error {
		if v, err := r.Get("meta", "schema"); err != nil || string(v) != "3" {
			t.Errorf("schema version: %q, %v", v, err)
		}
		for _, coll := range []string{"organization", "organization-alias", "organization-dir", "user", "entity-name", "entity-email",
			"user-idp", "user-deleted", "pat", "pat-user", "identity-provider", "client-token", "client-token-org"} {
			err := r.Scan(coll, "", "", 0, func(key string, value []byte) (bool, error) {
				for _, gone := range []string{want.DeletedOrganization, want.Bob} {
					if strings.Contains(key, gone) || strings.Contains(string(value), gone) {
						t.Errorf("%s %q = %q is left of %s", coll, key, value, gone)
					}
				}
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, store.Global, func(r store.Reader) error {
		var addresses []string
		err := r.Scan("address", "", "", 0, func(key string, _ []byte) (bool, error) {
			addresses = append(addresses, key)
			return true, nil
		})
		if w := "alice@legacy.awsapps.com/" + want.Account + "/" + want.Region + "/" + want.Organization; len(addresses) != 1 || addresses[0] != w {
			t.Errorf("global addresses %q, want [%s]", addresses, w)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
