package server_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// loadModel is what one load-test client believes the server holds for
// the organizations and applications it created. Only its own goroutine
// touches it until the final check.
type loadModel struct {
	client int
	c      *workmail.Client
	orgs   map[string]*loadOrg // by id
	apps   []string
}

type loadOrg struct {
	alias     string
	contested bool
	deleted   bool
	config    *loadConfig // nil: nothing configured
	// mbx is nil until a mailbox step writes in the organization.
	mbx *loadMailboxes
	// settings is nil until a settings step writes in the organization.
	settings *loadSettings
}

type loadConfig struct {
	mode     types.IdentityProviderAuthenticationMode
	app      string
	status   types.PersonalAccessTokenConfigurationStatus
	lifetime int32
}

// contest tries to create every contested alias; losing is expected.
func (m *loadModel) contest(ctx context.Context) error {
	for k := range contestedAliases {
		alias := fmt.Sprintf("contested-%d", k)
		out, err := m.c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String(alias)})
		switch {
		case err == nil:
			m.orgs[aws.ToString(out.OrganizationId)] = &loadOrg{alias: alias, contested: true}
		case !isNameTaken(err):
			return fmt.Errorf("CreateOrganization %s: %w", alias, err)
		}
	}
	return nil
}

// step does one random operation and checks its answer against the model.
func (m *loadModel) step(ctx context.Context, rng *rand.Rand, step int) error {
	live := m.liveOrgs()
	if len(live) == 0 {
		return m.createOrg(ctx, step)
	}
	id := live[rng.IntN(len(live))]
	if step%5 == 4 { // every fifth step is a mailbox one (mailboxes_load_test.go)
		return m.mailboxStep(ctx, rng, id)
	}
	if step%5 == 2 { // and every fifth a retention-policy or tag one (settings_load_test.go)
		return m.settingsStep(ctx, rng, id)
	}
	switch n := rng.IntN(10); {
	case n < 2:
		return m.createOrg(ctx, step)
	case n < 3 || len(m.apps) == 0:
		return m.createApp(ctx)
	case n < 5:
		return m.put(ctx, rng, id)
	case n < 6:
		return m.deleteConfig(ctx, id)
	case n < 7 && !m.orgs[id].contested: // a deleted winner would free its alias for a second one
		return m.deleteOrg(ctx, id)
	case n < 8:
		return m.list(ctx)
	default:
		return m.orgs[id].check(ctx, m.c, id)
	}
}

// liveOrgs lists the client's not-deleted organizations in a fixed order,
// so that a seeded run repeats.
func (m *loadModel) liveOrgs() []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(m.orgs)) {
		if !m.orgs[id].deleted {
			ids = append(ids, id)
		}
	}
	return ids
}

func (m *loadModel) createOrg(ctx context.Context, step int) error {
	alias := fmt.Sprintf("load-%d-%d", m.client, step)
	out, err := m.c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String(alias)})
	if err != nil {
		return fmt.Errorf("CreateOrganization %s: %w", alias, err)
	}
	m.orgs[aws.ToString(out.OrganizationId)] = &loadOrg{alias: alias}
	return nil
}

func (m *loadModel) createApp(ctx context.Context) error {
	out, err := m.c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{
		Name: aws.String("WorkMail"), InstanceArn: aws.String(instanceArn),
	})
	if err != nil {
		return fmt.Errorf("CreateIdentityCenterApplication: %w", err)
	}
	m.apps = append(m.apps, aws.ToString(out.ApplicationArn))
	return nil
}

func (m *loadModel) put(ctx context.Context, rng *rand.Rand, id string) error {
	cfg := &loadConfig{
		mode:     types.IdentityProviderAuthenticationModeIdentityProviderOnly,
		app:      m.apps[rng.IntN(len(m.apps))],
		status:   types.PersonalAccessTokenConfigurationStatusActive,
		lifetime: 1 + rng.Int32N(3653),
	}
	if rng.IntN(2) == 0 {
		cfg.mode = types.IdentityProviderAuthenticationModeIdentityProviderAndDirectory
		cfg.status = types.PersonalAccessTokenConfigurationStatusInactive
	}
	_, err := m.c.PutIdentityProviderConfiguration(ctx, &workmail.PutIdentityProviderConfigurationInput{
		OrganizationId:     aws.String(id),
		AuthenticationMode: cfg.mode,
		IdentityCenterConfiguration: &types.IdentityCenterConfiguration{
			InstanceArn: aws.String(instanceArn), ApplicationArn: aws.String(cfg.app),
		},
		PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{
			Status: cfg.status, LifetimeInDays: aws.Int32(cfg.lifetime),
		},
	})
	if err != nil {
		return fmt.Errorf("PutIdentityProviderConfiguration %s: %w", id, err)
	}
	m.orgs[id].config = cfg
	return nil
}

func (m *loadModel) deleteConfig(ctx context.Context, id string) error {
	_, err := m.c.DeleteIdentityProviderConfiguration(ctx, &workmail.DeleteIdentityProviderConfigurationInput{OrganizationId: aws.String(id)})
	if err != nil {
		return fmt.Errorf("DeleteIdentityProviderConfiguration %s: %w", id, err)
	}
	m.orgs[id].config = nil
	return nil
}

func (m *loadModel) deleteOrg(ctx context.Context, id string) error {
	_, err := m.c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: aws.String(id), DeleteDirectory: true})
	if err != nil {
		return fmt.Errorf("DeleteOrganization %s: %w", id, err)
	}
	m.orgs[id].deleted = true
	return nil
}

// list pages through every organization while the other clients write:
// each of this client's live organizations must be there exactly once.
func (m *loadModel) list(ctx context.Context) error {
	listed, err := listAll(ctx, m.c)
	if err != nil {
		return err
	}
	for _, id := range m.liveOrgs() {
		if listed[id] != m.orgs[id].alias {
			return fmt.Errorf("ListOrganizations under load misses %s (%s)", id, m.orgs[id].alias)
		}
	}
	return nil
}

// check compares the organization's description and configuration with
// the model.
func (o *loadOrg) check(ctx context.Context, c *workmail.Client, id string) error {
	d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: aws.String(id)})
	wantState := "Active"
	if o.deleted {
		wantState = "Deleted"
	}
	if err != nil || aws.ToString(d.Alias) != o.alias || aws.ToString(d.State) != wantState {
		return fmt.Errorf("DescribeOrganization %s: %+v, %v; want alias %s, state %s", id, d, err, o.alias, wantState)
	}
	if o.deleted {
		return nil
	}
	if err := o.checkMailboxes(ctx, c, id); err != nil {
		return err
	}
	if err := o.checkSettings(ctx, c, id); err != nil {
		return err
	}
	got, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: aws.String(id)})
	var notFound *types.ResourceNotFoundException
	switch {
	case o.config == nil && errors.As(err, &notFound):
		return nil
	case o.config == nil || err != nil:
		return fmt.Errorf("DescribeIdentityProviderConfiguration %s: %v, want %+v", id, err, o.config)
	}
	have := loadConfig{mode: got.AuthenticationMode}
	if ic := got.IdentityCenterConfiguration; ic != nil && aws.ToString(ic.InstanceArn) == instanceArn {
		have.app = aws.ToString(ic.ApplicationArn)
	}
	if pat := got.PersonalAccessTokenConfiguration; pat != nil {
		have.status, have.lifetime = pat.Status, aws.ToInt32(pat.LifetimeInDays)
	}
	if have != *o.config {
		return fmt.Errorf("organization %s has configuration %+v, want %+v", id, have, *o.config)
	}
	return nil
}
