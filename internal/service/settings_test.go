package service

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

func folder(name model.FolderName, action model.RetentionAction, period int32) model.FolderConfiguration {
	c := model.FolderConfiguration{Name: &name, Action: &action}
	if period != 0 {
		c.Period = &period
	}
	return c
}

func (f *fixture) putRetention(org string, id *string, name string, folders ...model.FolderConfiguration) error {
	_, err := f.s.PutRetentionPolicy(f.ctx, &model.PutRetentionPolicyInput{OrganizationId: &org, Id: id, Name: &name, FolderConfigurations: folders})
	return err
}

func (f *fixture) retention(org string) (*model.GetDefaultRetentionPolicyOutput, error) {
	return f.s.GetDefaultRetentionPolicy(f.ctx, &model.GetDefaultRetentionPolicyInput{OrganizationId: &org})
}

// folders renders a policy's configurations as "NAME ACTION period".
func folders(cfgs []model.FolderConfiguration) []string {
	var all []string
	for _, c := range cfgs {
		p := "-"
		if c.Period != nil {
			p = fmt.Sprint(*c.Period)
		}
		all = append(all, string(*c.Name)+" "+string(*c.Action)+" "+p)
	}
	return all
}

func TestRetentionPolicy(t *testing.T) {
	f := newFixture(t)
	org := f.org("retain")
	_, err := f.retention(org)
	wantCode(t, err, model.ErrEntityNotFound)

	// No Id: the server draws one.
	if err := f.putRetention(org, nil, "standard",
		folder(model.FolderNameDeletedItems, model.RetentionActionPermanentlyDelete, 30),
		folder(model.FolderNameInbox, model.RetentionActionNone, 0)); err != nil {
		t.Fatal(err)
	}
	pol, err := f.retention(org)
	if err != nil || *pol.Name != "standard" || pol.Description != nil ||
		!slices.Equal(folders(pol.FolderConfigurations), []string{"DELETED_ITEMS PERMANENTLY_DELETE 30", "INBOX NONE -"}) {
		t.Fatalf("policy %+v, %v", pol, err)
	}
	id := *pol.Id
	if len(id) != 36 {
		t.Fatalf("generated id %q", id)
	}

	// Put with the policy's Id, or none, replaces it whole; another Id is
	// a second policy, which an organization cannot have.
	desc := "thirty days"
	if _, err := f.s.PutRetentionPolicy(f.ctx, &model.PutRetentionPolicyInput{OrganizationId: &org, Id: &id, Name: ptr("strict"), Description: &desc,
		FolderConfigurations: []model.FolderConfiguration{folder(model.FolderNameJunkEmail, model.RetentionActionDelete, 7)}}); err != nil {
		t.Fatal(err)
	}
	if pol, _ := f.retention(org); *pol.Id != id || *pol.Name != "strict" || str(pol.Description) != desc ||
		!slices.Equal(folders(pol.FolderConfigurations), []string{"JUNK_EMAIL DELETE 7"}) {
		t.Fatalf("replaced policy %+v", pol)
	}
	if err := f.putRetention(org, nil, "bare"); err != nil {
		t.Fatal(err)
	}
	if pol, _ := f.retention(org); *pol.Id != id || *pol.Name != "bare" || pol.Description != nil || pol.FolderConfigurations == nil || len(pol.FolderConfigurations) != 0 {
		t.Fatalf("policy after a Put without Id %+v", pol)
	}
	wantCode(t, f.putRetention(org, ptr("other"), "x"), model.ErrLimitExceeded)

	// Folder rules, checked before anything changes.
	wantCode(t, f.putRetention(org, nil, "twice",
		folder(model.FolderNameInbox, model.RetentionActionNone, 0),
		folder(model.FolderNameInbox, model.RetentionActionDelete, 5)), model.ErrInvalidParameter)
	wantCode(t, f.putRetention(org, nil, "noperiod", folder(model.FolderNameDrafts, model.RetentionActionDelete, 0)), model.ErrInvalidParameter)
	wantCode(t, f.putRetention(org, nil, "noperiod", folder(model.FolderNameDrafts, model.RetentionActionPermanentlyDelete, 0)), model.ErrInvalidParameter)
	if pol, _ := f.retention(org); *pol.Name != "bare" {
		t.Fatalf("a refused Put changed the policy: %+v", pol)
	}
	// NONE with a period keeps the period.
	if err := f.putRetention(org, nil, "kept", folder(model.FolderNameSentItems, model.RetentionActionNone, 730)); err != nil {
		t.Fatal(err)
	}
	if pol, _ := f.retention(org); !slices.Equal(folders(pol.FolderConfigurations), []string{"SENT_ITEMS NONE 730"}) {
		t.Fatalf("NONE with a period: %q", folders(pol.FolderConfigurations))
	}

	// Delete: another Id changes nothing; the policy's own removes it; then
	// again succeeds, and a new policy may have any Id.
	del := func(id string) error {
		_, err := f.s.DeleteRetentionPolicy(f.ctx, &model.DeleteRetentionPolicyInput{OrganizationId: &org, Id: &id})
		return err
	}
	if err := del("other"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.retention(org); err != nil {
		t.Fatalf("Delete of another Id removed the policy: %v", err)
	}
	for range 2 {
		if err := del(id); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.retention(org)
	wantCode(t, err, model.ErrEntityNotFound)
	if err := f.putRetention(org, ptr("my-policy_1"), "named"); err != nil {
		t.Fatal(err)
	}
	if pol, _ := f.retention(org); *pol.Id != "my-policy_1" {
		t.Fatalf("caller's Id: %+v", pol)
	}

	// Organization errors.
	wantCode(t, f.putRetention("m-00000000000000000000000000000000", nil, "x"), model.ErrOrganizationNotFound)
	f.deleteOrg(org)
	wantCode(t, f.putRetention(org, nil, "x"), model.ErrOrganizationState)
	_, err = f.retention(org)
	wantCode(t, err, model.ErrOrganizationState)
}

func (f *fixture) deleteOrg(org string) {
	f.t.Helper()
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: ptr(false)}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) putMonitoring(org string, role *string, logGroup string) error {
	_, err := f.s.PutEmailMonitoringConfiguration(f.ctx, &model.PutEmailMonitoringConfigurationInput{OrganizationId: &org, RoleArn: role, LogGroupArn: &logGroup})
	return err
}

func TestEmailMonitoring(t *testing.T) {
	f := newFixture(t)
	org := f.org("monitored")
	describe := func() (*model.DescribeEmailMonitoringConfigurationOutput, error) {
		return f.s.DescribeEmailMonitoringConfiguration(f.ctx, &model.DescribeEmailMonitoringConfigurationInput{OrganizationId: &org})
	}
	_, err := describe()
	wantCode(t, err, model.ErrResourceNotFound)

	logs := "arn:aws:logs:" + testRegion + ":" + testAccount + ":log-group:/aws/workmail/emailevents/monitored:*"
	if err := f.putMonitoring(org, nil, logs); err != nil {
		t.Fatal(err)
	}
	cfg, err := describe()
	slr := "arn:aws:iam::" + testAccount + ":role/aws-service-role/events.workmail.amazonaws.com/AWSServiceRoleForAmazonWorkMailEvents"
	if err != nil || *cfg.LogGroupArn != logs || *cfg.RoleArn != slr {
		t.Fatalf("configuration %+v, %v", cfg, err)
	}
	role := "arn:aws:iam::" + testAccount + ":role/path/WorkMailEvents"
	other := "arn:aws:logs:" + testRegion + ":" + testAccount + ":log-group:other:*"
	if err := f.putMonitoring(org, &role, other); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := describe(); *cfg.LogGroupArn != other || *cfg.RoleArn != role {
		t.Fatalf("replaced configuration %+v", cfg)
	}
	for _, bad := range []struct{ role, logs string }{
		{role, "arn:aws:logs:eu-west-1:" + testAccount + ":log-group:x:*"},
		{role, "arn:aws:logs::" + testAccount + ":log-group:x:*"},
		{role, "arn:aws:logs:" + testRegion + ":999988887777:log-group:x:*"},
		{"arn:aws:iam::999988887777:role/x", logs},
		{"arn:aws:iam:us-east-1:" + testAccount + ":role/x", logs},
		{"arn:aws:iam::" + testAccount + ":user/x", logs},
		{"arn:aws:iam::" + testAccount + ":role/", logs},
		{"arn:aws:iam::" + testAccount + ":role/bad:name", logs},
	} {
		wantCode(t, f.putMonitoring(org, &bad.role, bad.logs), model.ErrInvalidParameter)
	}
	if cfg, _ := describe(); *cfg.LogGroupArn != other {
		t.Fatalf("a refused Put changed the configuration: %+v", cfg)
	}
	for range 2 {
		if _, err := f.s.DeleteEmailMonitoringConfiguration(f.ctx, &model.DeleteEmailMonitoringConfigurationInput{OrganizationId: &org}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = describe()
	wantCode(t, err, model.ErrResourceNotFound)
}

func TestInboundDmarc(t *testing.T) {
	f := newFixture(t)
	org := f.org("dmarc")
	enforced := func() bool {
		t.Helper()
		out, err := f.s.DescribeInboundDmarcSettings(f.ctx, &model.DescribeInboundDmarcSettingsInput{OrganizationId: &org})
		if err != nil {
			t.Fatal(err)
		}
		return *out.Enforced
	}
	put := func(on bool) error {
		_, err := f.s.PutInboundDmarcSettings(f.ctx, &model.PutInboundDmarcSettingsInput{OrganizationId: &org, Enforced: &on})
		return err
	}
	if !enforced() {
		t.Fatal("a new organization does not enforce DMARC")
	}
	for _, on := range []bool{false, false, true, false} {
		if err := put(on); err != nil {
			t.Fatal(err)
		}
		if got := enforced(); got != on {
			t.Fatalf("Enforced %v after putting %v", got, on)
		}
	}
	// An organization with no stored setting (one created by an earlier
	// release) enforces, as a new one does.
	f.update(func(tx store.Tx) error { return inboundDmarc.delete(tx, orgRef{testPartition, org}, "") })
	if !enforced() {
		t.Fatal("an organization without a stored setting does not enforce DMARC")
	}
	f.deleteOrg(org)
	wantCode(t, put(true), model.ErrOrganizationState)
	_, err := f.s.DescribeInboundDmarcSettings(f.ctx, &model.DescribeInboundDmarcSettingsInput{OrganizationId: &org})
	wantCode(t, err, model.ErrOrganizationState)
}

func orgArn(org string) string {
	return "arn:aws:workmail:" + testRegion + ":" + testAccount + ":organization/" + org
}

func (f *fixture) tag(arn string, kv ...string) error {
	tags := []model.Tag{}
	for i := 0; i < len(kv); i += 2 {
		tags = append(tags, model.Tag{Key: &kv[i], Value: &kv[i+1]})
	}
	_, err := f.s.TagResource(f.ctx, &model.TagResourceInput{ResourceARN: &arn, Tags: tags})
	return err
}

func (f *fixture) untag(arn string, keys ...string) error {
	_, err := f.s.UntagResource(f.ctx, &model.UntagResourceInput{ResourceARN: &arn, TagKeys: keys})
	return err
}

// tags lists the resource's tags as "key=value".
func (f *fixture) tags(arn string) ([]string, error) {
	out, err := f.s.ListTagsForResource(f.ctx, &model.ListTagsForResourceInput{ResourceARN: &arn})
	if err != nil {
		return nil, err
	}
	all := []string{}
	for _, t := range out.Tags {
		all = append(all, *t.Key+"="+*t.Value)
	}
	return all, nil
}

func TestTags(t *testing.T) {
	f := newFixture(t)
	org := f.org("tagged")
	arn := orgArn(org)
	if got, err := f.tags(arn); err != nil || len(got) != 0 {
		t.Fatalf("a new organization's tags: %q, %v", got, err)
	}
	if err := f.tag(arn, "team", "mail", "Cost", "", "cost", "42"); err != nil {
		t.Fatal(err)
	}
	// An existing key takes the new value; keys are case-sensitive and sorted.
	if err := f.tag(arn, "team", "ops"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.tags(arn); !slices.Equal(got, []string{"Cost=", "cost=42", "team=ops"}) {
		t.Fatalf("tags %q", got)
	}
	wantCode(t, f.tag(arn, "aws:owner", "x"), model.ErrInvalidParameter)
	wantCode(t, f.tag(arn, "AWS:owner", "x"), model.ErrInvalidParameter)
	wantCode(t, f.tag(arn, "dup", "1", "dup", "2"), model.ErrInvalidParameter)
	if err := f.tag(arn, "awsome", "yes"); err != nil { // only the "aws:" prefix is reserved
		t.Fatal(err)
	}

	// 50 at most, counted after merging; a refused request adds none.
	var kv []string
	for i := range MaxTags - 4 {
		kv = append(kv, fmt.Sprintf("k%02d", i), "v")
	}
	if err := f.tag(arn, kv...); err != nil {
		t.Fatal(err)
	}
	if err := f.tag(arn, "team", "again", "k00", "again"); err != nil { // existing keys: still 50
		t.Fatal(err)
	}
	wantCode(t, f.tag(arn, "one-more", "x", "team", "x"), model.ErrTooManyTags)
	if got, _ := f.tags(arn); len(got) != MaxTags || slices.Contains(got, "team=x") {
		t.Fatalf("after a refused TagResource: %d tags %q", len(got), got)
	}

	// Untag: absent keys are ignored.
	if err := f.untag(arn, "team", "absent", "k00"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.tags(arn); len(got) != MaxTags-2 || slices.Contains(got, "team=again") {
		t.Fatalf("after UntagResource: %q", got)
	}
	if err := f.tag(arn, "one-more", "x", "two-more", "y"); err != nil {
		t.Fatal(err)
	}
	all, _ := f.tags(arn)
	var keys []string
	for _, kv := range all {
		keys = append(keys, strings.SplitN(kv, "=", 2)[0])
	}
	if err := f.untag(arn, keys...); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.tags(arn); len(got) != 0 {
		t.Fatalf("after removing every tag: %q", got)
	}
	f.view(testPartition, func(r store.Reader) error {
		if ok, err := orgTags.has(r, orgRef{testPartition, org}, ""); ok || err != nil {
			t.Errorf("an organization without tags keeps a record: %v %v", ok, err)
		}
		return nil
	})
}

// Every way an ARN can miss is ResourceNotFoundException, for the three
// operations alike; a deleted organization's tags are gone with it.
func TestTagsResourceNotFound(t *testing.T) {
	f := newFixture(t)
	org := f.org("tagged")
	if err := f.tag(orgArn(org), "a", "b"); err != nil {
		t.Fatal(err)
	}
	for _, arn := range []string{
		"arn:aws:workmail:" + testRegion + ":" + testAccount + ":organization/" + strings.ToUpper(org),
		"arn:aws:workmail:" + testRegion + ":" + testAccount + ":organization/m-1",
		"arn:aws:workmail:" + testRegion + ":" + testAccount + ":organization/" + org + "/user/x",
		"arn:aws:workmail:" + testRegion + ":" + testAccount + ":user/" + org,
		"arn:aws:workmail:" + testRegion + ":" + testAccount,
		"arn:aws:workmail:eu-west-1:" + testAccount + ":organization/" + org,
		"arn:aws:workmail:" + testRegion + ":999988887777:organization/" + org,
		"arn:aws:workmail:" + testRegion + ":" + testAccount + ":organization/m-00000000000000000000000000000000",
	} {
		wantCode(t, f.tag(arn, "a", "b"), model.ErrResourceNotFound)
		wantCode(t, f.untag(arn, "a"), model.ErrResourceNotFound)
		_, err := f.tags(arn)
		wantCode(t, err, model.ErrResourceNotFound)
	}
	f.deleteOrg(org)
	wantCode(t, f.tag(orgArn(org), "a", "b"), model.ErrResourceNotFound)
	wantCode(t, f.untag(orgArn(org), "a"), model.ErrResourceNotFound)
	_, err := f.tags(orgArn(org))
	wantCode(t, err, model.ErrResourceNotFound)
	f.view(testPartition, func(r store.Reader) error {
		if ok, err := orgTags.has(r, orgRef{testPartition, org}, ""); ok || err != nil {
			t.Errorf("a deleted organization keeps its tags: %v %v", ok, err)
		}
		return nil
	})
}

// An organization that is not Active yet can be listed and untagged but
// not tagged (TagResource is the one tag operation with a state error).
func TestTagsWhileCreating(t *testing.T) {
	f := newFixture(t)
	f.s.lifecycle.CreateDelay = time.Hour
	org := f.org("young")
	wantCode(t, f.tag(orgArn(org), "a", "b"), model.ErrOrganizationState)
	if got, err := f.tags(orgArn(org)); err != nil || len(got) != 0 {
		t.Fatalf("tags of a creating organization: %q, %v", got, err)
	}
	if err := f.untag(orgArn(org), "a"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	if err := f.tag(orgArn(org), "a", "b"); err != nil {
		t.Fatal(err)
	}
}

// Purging a deleted organization removes its policy, monitoring, DMARC
// setting and tags.
func TestSettingsPurgeWithOrganization(t *testing.T) {
	f := newFixture(t)
	org := f.org("purged")
	if err := f.putRetention(org, nil, "p", folder(model.FolderNameInbox, model.RetentionActionDelete, 1)); err != nil {
		t.Fatal(err)
	}
	if err := f.putMonitoring(org, nil, "arn:aws:logs:"+testRegion+":"+testAccount+":log-group:g:*"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.PutInboundDmarcSettings(f.ctx, &model.PutInboundDmarcSettingsInput{OrganizationId: &org, Enforced: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if err := f.tag(orgArn(org), "k", "v"); err != nil {
		t.Fatal(err)
	}
	keep := f.org("kept")
	if err := f.tag(orgArn(keep), "k", "v"); err != nil {
		t.Fatal(err)
	}
	f.deleteOrg(org)
	f.clock.Advance(DefaultDeletedRetention)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition, store.Global) {
		if strings.Contains(r, org) {
			t.Errorf("left of the purged organization: %s", r)
		}
	}
	if got, err := f.tags(orgArn(keep)); err != nil || !slices.Equal(got, []string{"k=v"}) {
		t.Fatalf("the other organization's tags: %q, %v", got, err)
	}
}
