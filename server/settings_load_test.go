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

// loadSettings is what a load-test client believes one organization's
// retention policy and tags are.
type loadSettings struct {
	policy *loadPolicy       // nil: none put, or deleted
	tags   map[string]string // key -> value
}

type loadPolicy struct {
	id, name string
	period   int32 // of DELETED_ITEMS, PERMANENTLY_DELETE
}

// settingsStep puts or deletes the retention policy of organization id,
// or tags or untags it; loadOrg.check reads them back.
func (m *loadModel) settingsStep(ctx context.Context, rng *rand.Rand, id string) error {
	o := m.orgs[id]
	if o.settings == nil {
		o.settings = &loadSettings{tags: map[string]string{}}
	}
	st := o.settings
	arn := loadOrgArn(id)
	switch n := rng.IntN(8); {
	case n < 3:
		pol := &loadPolicy{name: fmt.Sprintf("policy-%d", rng.IntN(1000)), period: 1 + rng.Int32N(730)}
		in := &workmail.PutRetentionPolicyInput{OrganizationId: &id, Name: &pol.name, FolderConfigurations: []types.FolderConfiguration{
			{Name: types.FolderNameDeletedItems, Action: types.RetentionActionPermanentlyDelete, Period: &pol.period},
		}}
		if st.policy != nil && rng.IntN(2) == 0 {
			in.Id = &st.policy.id
		}
		if _, err := m.c.PutRetentionPolicy(ctx, in); err != nil {
			return fmt.Errorf("PutRetentionPolicy %s: %w", id, err)
		}
		got, err := m.c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: &id})
		if err != nil {
			return fmt.Errorf("GetDefaultRetentionPolicy %s: %w", id, err)
		}
		pol.id = aws.ToString(got.Id)
		if st.policy != nil && pol.id != st.policy.id {
			return fmt.Errorf("PutRetentionPolicy %s replaced policy %s with %s", id, st.policy.id, pol.id)
		}
		st.policy = pol
	case n < 4:
		if st.policy == nil {
			return nil
		}
		if _, err := m.c.DeleteRetentionPolicy(ctx, &workmail.DeleteRetentionPolicyInput{OrganizationId: &id, Id: &st.policy.id}); err != nil {
			return fmt.Errorf("DeleteRetentionPolicy %s: %w", id, err)
		}
		st.policy = nil
	case n < 7:
		key, value := fmt.Sprintf("key-%d", rng.IntN(8)), fmt.Sprintf("value-%d", rng.IntN(1000))
		if _, err := m.c.TagResource(ctx, &workmail.TagResourceInput{ResourceARN: &arn, Tags: []types.Tag{{Key: &key, Value: &value}}}); err != nil {
			return fmt.Errorf("TagResource %s: %w", id, err)
		}
		st.tags[key] = value
	default:
		key := fmt.Sprintf("key-%d", rng.IntN(8))
		if _, err := m.c.UntagResource(ctx, &workmail.UntagResourceInput{ResourceARN: &arn, TagKeys: []string{key}}); err != nil {
			return fmt.Errorf("UntagResource %s: %w", id, err)
		}
		delete(st.tags, key)
	}
	return nil
}

func loadOrgArn(id string) string {
	return "arn:aws:workmail:" + testRegion + ":" + testAccount + ":organization/" + id
}

// checkSettings compares the organization's retention policy and tags
// with the model.
func (o *loadOrg) checkSettings(ctx context.Context, c *workmail.Client, id string) error {
	st := o.settings
	if st == nil {
		st = &loadSettings{}
	}
	got, err := c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: &id})
	var notFound *types.EntityNotFoundException
	switch {
	case st.policy == nil && errors.As(err, &notFound):
	case st.policy == nil || err != nil:
		return fmt.Errorf("GetDefaultRetentionPolicy %s: %+v, %v; want %+v", id, got, err, st.policy)
	default:
		have := loadPolicy{id: aws.ToString(got.Id), name: aws.ToString(got.Name)}
		if len(got.FolderConfigurations) == 1 {
			have.period = aws.ToInt32(got.FolderConfigurations[0].Period)
		}
		if have != *st.policy {
			return fmt.Errorf("organization %s has retention policy %+v, want %+v", id, have, *st.policy)
		}
	}
	arn := loadOrgArn(id)
	tags, err := c.ListTagsForResource(ctx, &workmail.ListTagsForResourceInput{ResourceARN: &arn})
	if err != nil {
		return fmt.Errorf("ListTagsForResource %s: %w", id, err)
	}
	have := map[string]string{}
	var keys []string
	for _, t := range tags.Tags {
		have[aws.ToString(t.Key)] = aws.ToString(t.Value)
		keys = append(keys, aws.ToString(t.Key))
	}
	if !slices.IsSorted(keys) || !maps.Equal(have, st.tags) {
		return fmt.Errorf("organization %s has tags %v, want %v", id, tags.Tags, st.tags)
	}
	return nil
}

// writeRestartSettings puts a retention policy, tags, an email monitoring
// configuration and the DMARC setting on org, for a restart to keep; check
// reads them back.
func writeRestartSettings(ctx context.Context, c *workmail.Client, org string) (*loadOrg, error) {
	o := &loadOrg{settings: &loadSettings{policy: &loadPolicy{id: "durable-policy", name: "durable", period: 90}, tags: map[string]string{"owner": "ops", "tier": ""}}}
	pol := o.settings.policy
	if _, err := c.PutRetentionPolicy(ctx, &workmail.PutRetentionPolicyInput{OrganizationId: &org, Id: &pol.id, Name: &pol.name,
		FolderConfigurations: []types.FolderConfiguration{{Name: types.FolderNameDeletedItems, Action: types.RetentionActionPermanentlyDelete, Period: &pol.period}}}); err != nil {
		return nil, err
	}
	arn := loadOrgArn(org)
	if _, err := c.TagResource(ctx, &workmail.TagResourceInput{ResourceARN: &arn, Tags: []types.Tag{
		{Key: aws.String("owner"), Value: aws.String("ops")}, {Key: aws.String("tier"), Value: aws.String("")}}}); err != nil {
		return nil, err
	}
	if _, err := c.PutEmailMonitoringConfiguration(ctx, &workmail.PutEmailMonitoringConfigurationInput{OrganizationId: &org, LogGroupArn: aws.String(restartLogGroup)}); err != nil {
		return nil, err
	}
	if _, err := c.PutInboundDmarcSettings(ctx, &workmail.PutInboundDmarcSettingsInput{OrganizationId: &org, Enforced: aws.Bool(false)}); err != nil {
		return nil, err
	}
	return o, nil
}

const restartLogGroup = "arn:aws:logs:" + testRegion + ":" + testAccount + ":log-group:durable:*"

// checkRestartSettings reads back what writeRestartSettings wrote.
func (o *loadOrg) checkRestartSettings(ctx context.Context, c *workmail.Client, org string) error {
	if err := o.checkSettings(ctx, c, org); err != nil {
		return err
	}
	mon, err := c.DescribeEmailMonitoringConfiguration(ctx, &workmail.DescribeEmailMonitoringConfigurationInput{OrganizationId: &org})
	if err != nil || aws.ToString(mon.LogGroupArn) != restartLogGroup {
		return fmt.Errorf("email monitoring after restart: %+v, %v", mon, err)
	}
	dmarc, err := c.DescribeInboundDmarcSettings(ctx, &workmail.DescribeInboundDmarcSettingsInput{OrganizationId: &org})
	if err != nil || dmarc.Enforced {
		return fmt.Errorf("DMARC setting after restart: %+v, %v", dmarc, err)
	}
	return nil
}
