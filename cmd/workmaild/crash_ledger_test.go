package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// putAttempt is one PutIdentityProviderConfiguration a writer sent: the
// values that identify it, and whether the server acknowledged it.
type putAttempt struct {
	mode     types.IdentityProviderAuthenticationMode
	status   types.PersonalAccessTokenConfigurationStatus
	lifetime int32
	acked    bool
}

func (p putAttempt) String() string {
	return fmt.Sprintf("%s/%s/%d", p.mode, p.status, p.lifetime)
}

// ledger records, across all rounds, every write the writers attempted
// and which of them the server acknowledged. It is what the store must
// agree with after each kill.
type ledger struct {
	mu        sync.Mutex
	attempted map[string]bool              // alias → true for every CreateOrganization sent
	orgs      map[string]string            // organization id → alias, acknowledged creates only
	puts      map[string][]*putAttempt     // organization id → its puts, in the order sent
	settings  map[string][]*settingAttempt // organization id → its policies and tags, in the order sent
}

// settingAttempt is one PutRetentionPolicy or TagResource a writer sent.
// Policies replace each other; tags add up (every key differs).
type settingAttempt struct {
	policy bool   // a PutRetentionPolicy, else a TagResource
	name   string // the policy's name, or the tag's key
	value  int32  // the policy's period, or the tag's value
	acked  bool
}

func newLedger() *ledger {
	return &ledger{attempted: map[string]bool{}, orgs: map[string]string{}, puts: map[string][]*putAttempt{},
		settings: map[string][]*settingAttempt{}}
}

func (l *ledger) attemptCreate(alias string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempted[alias] = true
}

func (l *ledger) ackCreate(id, alias string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.orgs[id] = alias
}

// attemptPut records a put before it is sent; ack marks it acknowledged.
func (l *ledger) attemptPut(org string, p putAttempt) (ack func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec := &p
	l.puts[org] = append(l.puts[org], rec)
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		rec.acked = true
	}
}

// attemptSetting records a retention policy or tag before it is sent.
func (l *ledger) attemptSetting(org string, a settingAttempt) (ack func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec := &a
	l.settings[org] = append(l.settings[org], rec)
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		rec.acked = true
	}
}

func (l *ledger) ackCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.orgs)
	for _, ps := range l.puts {
		for _, p := range ps {
			if p.acked {
				n++
			}
		}
	}
	for _, as := range l.settings {
		for _, a := range as {
			if a.acked {
				n++
			}
		}
	}
	return n
}

// unacknowledged counts the writes sent but never acknowledged: the ones
// in flight when a server was killed.
func (l *ledger) unacknowledged() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.attempted) - len(l.orgs)
	for _, ps := range l.puts {
		for _, p := range ps {
			if !p.acked {
				n++
			}
		}
	}
	for _, as := range l.settings {
		for _, a := range as {
			if !a.acked {
				n++
			}
		}
	}
	return n
}

// verify checks the server against the ledger: every acknowledged
// organization is describable and Active, nothing is listed that was never
// sent, and each organization's configuration is its last acknowledged put
// or one sent after it (a put in flight at the kill may or may not have
// committed). It returns every discrepancy it finds.
func (l *ledger) verify(ctx context.Context, c *workmail.Client) []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	listed, err := listAliases(ctx, c)
	if err != nil {
		return []error{fmt.Errorf("ListOrganizations: %w", err)}
	}
	for id, alias := range l.orgs {
		if listed[id] != alias {
			errs = append(errs, fmt.Errorf("acknowledged organization %s (%s) is not listed", id, alias))
		}
		d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: aws.String(id)})
		if err != nil || aws.ToString(d.Alias) != alias || aws.ToString(d.State) != "Active" {
			errs = append(errs, fmt.Errorf("acknowledged organization %s (%s) lost: %+v, %v", id, alias, d, err))
		}
	}
	for id, alias := range listed {
		if !l.attempted[alias] {
			errs = append(errs, fmt.Errorf("organization %s (%s) was never created", id, alias))
		}
	}
	for id, attempts := range l.puts {
		if err := checkConfiguration(ctx, c, id, attempts); err != nil {
			errs = append(errs, err)
		}
	}
	for id, attempts := range l.settings {
		errs = append(errs, checkSettings(ctx, c, id, attempts)...)
	}
	return errs
}

// checkSettings compares one organization's retention policy and tags with
// the writes sent for it: the policy is the last acknowledged put or a
// later one; every acknowledged tag is there, and every tag there was sent.
func checkSettings(ctx context.Context, c *workmail.Client, org string, attempts []*settingAttempt) []error {
	var errs []error
	var policies []*settingAttempt
	sent := map[string]*settingAttempt{}
	for _, a := range attempts {
		if a.policy {
			policies = append(policies, a)
		} else {
			sent[a.name] = a
		}
	}
	lastAcked := -1
	for i, p := range policies {
		if p.acked {
			lastAcked = i
		}
	}
	pol, err := c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: aws.String(org)})
	var notFound *types.EntityNotFoundException
	switch {
	case errors.As(err, &notFound) && lastAcked < 0:
	case err != nil:
		errs = append(errs, fmt.Errorf("organization %s: retention policy after %d acknowledged puts: %w", org, lastAcked+1, err))
	default:
		var period int32
		if len(pol.FolderConfigurations) == 1 {
			period = aws.ToInt32(pol.FolderConfigurations[0].Period)
		}
		name := aws.ToString(pol.Name)
		if !slices.ContainsFunc(policies[max(lastAcked, 0):], func(p *settingAttempt) bool { return p.name == name && p.value == period }) {
			errs = append(errs, fmt.Errorf("organization %s: retention policy %s/%d is neither the last acknowledged put nor a later one", org, name, period))
		}
	}
	arn := "arn:aws:workmail:" + crashRegion + ":" + crashAccount + ":organization/" + org
	tags, err := c.ListTagsForResource(ctx, &workmail.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return append(errs, fmt.Errorf("organization %s: ListTagsForResource: %w", org, err))
	}
	have := map[string]bool{}
	for _, t := range tags.Tags {
		key, value := aws.ToString(t.Key), aws.ToString(t.Value)
		have[key] = true
		if a := sent[key]; a == nil || value != fmt.Sprint(a.value) {
			errs = append(errs, fmt.Errorf("organization %s: tag %s=%s was never sent", org, key, value))
		}
	}
	for key, a := range sent {
		if a.acked && !have[key] {
			errs = append(errs, fmt.Errorf("organization %s: acknowledged tag %s lost", org, key))
		}
	}
	return errs
}

// checkConfiguration compares one organization's stored configuration with
// the puts sent for it.
func checkConfiguration(ctx context.Context, c *workmail.Client, org string, attempts []*putAttempt) error {
	lastAcked := -1
	for i, p := range attempts {
		if p.acked {
			lastAcked = i
		}
	}
	d, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: aws.String(org)})
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) && lastAcked < 0 {
		return nil // no put was acknowledged, and none committed
	}
	if err != nil {
		return fmt.Errorf("organization %s: configuration after %d acknowledged puts: %w", org, lastAcked+1, err)
	}
	got := putAttempt{mode: d.AuthenticationMode}
	if pat := d.PersonalAccessTokenConfiguration; pat != nil {
		got.status, got.lifetime = pat.Status, aws.ToInt32(pat.LifetimeInDays)
	}
	allowed := attempts[max(lastAcked, 0):]
	if !slices.ContainsFunc(allowed, func(p *putAttempt) bool { return p.String() == got.String() }) {
		return fmt.Errorf("organization %s: configuration %s is neither the last acknowledged put nor a later one (%v)", org, got, allowed)
	}
	return nil
}

// listAliases returns every listed organization's alias by id.
func listAliases(ctx context.Context, c *workmail.Client) (map[string]string, error) {
	out := map[string]string{}
	p := workmail.NewListOrganizationsPaginator(c, &workmail.ListOrganizationsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.OrganizationSummaries {
			out[aws.ToString(o.OrganizationId)] = aws.ToString(o.Alias)
		}
	}
	return out, nil
}
