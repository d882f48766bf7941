package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

// canonicalJSON re-encodes a response body with sorted keys and no
// spaces, so that a test can compare the whole wire form.
func canonicalJSON(t *testing.T, raw []byte) string {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("response body %q: %v", raw, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func putPolicy(c *workmail.Client, org string, id *string, name string, folders ...types.FolderConfiguration) error {
	_, err := c.PutRetentionPolicy(context.Background(), &workmail.PutRetentionPolicyInput{
		OrganizationId: &org, Id: id, Name: &name, FolderConfigurations: folders})
	return err
}

func TestRetentionPolicyOperations(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "retention")

	_, err := c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: &org})
	wantAPIError(t, err, "EntityNotFoundException", org, "no retention policy")

	deleted := types.FolderConfiguration{Name: types.FolderNameDeletedItems, Action: types.RetentionActionPermanentlyDelete, Period: aws.Int32(30)}
	junk := types.FolderConfiguration{Name: types.FolderNameJunkEmail, Action: types.RetentionActionDelete, Period: aws.Int32(730)}
	inbox := types.FolderConfiguration{Name: types.FolderNameInbox, Action: types.RetentionActionNone}
	if _, err := c.PutRetentionPolicy(ctx, &workmail.PutRetentionPolicyInput{OrganizationId: &org, Name: aws.String("standard"),
		Description: aws.String("Thirty days; junk two years."), FolderConfigurations: []types.FolderConfiguration{deleted, junk, inbox}}); err != nil {
		t.Fatal(err)
	}
	// The wire form, as the CLI prints it.
	r := ts.raw("GetDefaultRetentionPolicy", fmt.Sprintf(`{"OrganizationId":%q}`, org), nil)
	id, _ := r.Body["Id"].(string)
	mustMatch(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, id)
	want := fmt.Sprintf(`{"Description":"Thirty days; junk two years.","FolderConfigurations":[`+
		`{"Action":"PERMANENTLY_DELETE","Name":"DELETED_ITEMS","Period":30},`+
		`{"Action":"DELETE","Name":"JUNK_EMAIL","Period":730},`+
		`{"Action":"NONE","Name":"INBOX"}],"Id":%q,"Name":"standard"}`, id)
	if got := canonicalJSON(t, r.Raw); r.Status != 200 || got != want {
		t.Fatalf("GetDefaultRetentionPolicy: %d %s\nwant %s", r.Status, got, want)
	}

	// Replace with the same Id, or none; another Id is a second policy.
	if err := putPolicy(c, org, &id, "strict", junk); err != nil {
		t.Fatal(err)
	}
	if err := putPolicy(c, org, nil, "stricter", junk, deleted); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: &org})
	if err != nil || aws.ToString(got.Id) != id || aws.ToString(got.Name) != "stricter" || got.Description != nil || len(got.FolderConfigurations) != 2 {
		t.Fatalf("replaced policy %+v, %v", got, err)
	}
	wantAPIError(t, putPolicy(c, org, aws.String("second"), "second", junk), "LimitExceededException", id, "one retention policy")

	// The semantic rules, and the model's own.
	wantAPIError(t, putPolicy(c, org, nil, "twice", junk, junk), "InvalidParameterException", "JUNK_EMAIL", "more than once")
	wantAPIError(t, putPolicy(c, org, nil, "noperiod", types.FolderConfiguration{Name: types.FolderNameDrafts, Action: types.RetentionActionDelete}),
		"InvalidParameterException", "DRAFTS", "Period")
	wantAPIError(t, putPolicy(c, org, nil, "long", types.FolderConfiguration{Name: types.FolderNameDrafts, Action: types.RetentionActionDelete, Period: aws.Int32(731)}),
		"InvalidParameterException", "folderConfigurations.1.member.period")
	wantAPIError(t, putPolicy(c, org, nil, "has space", junk), "InvalidParameterException", "name")
	if got, _ := c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: &org}); aws.ToString(got.Name) != "stricter" {
		t.Fatalf("a refused Put changed the policy: %+v", got)
	}

	// Delete: another Id succeeds and changes nothing; the policy's Id removes it.
	for _, del := range []string{"other", id, id} {
		if _, err := c.DeleteRetentionPolicy(ctx, &workmail.DeleteRetentionPolicyInput{OrganizationId: &org, Id: &del}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: &org})
		if del == "other" && err != nil {
			t.Fatalf("deleting another Id removed the policy: %v", err)
		}
		if del == id {
			wantAPIError(t, err, "EntityNotFoundException")
		}
	}
	if err := putPolicy(c, org, aws.String("second"), "second", inbox); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: &org}); aws.ToString(got.Id) != "second" {
		t.Fatalf("a new policy with the caller's Id: %+v", got)
	}
}

func TestEmailMonitoringOperations(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "monitoring")
	describe := func() (*workmail.DescribeEmailMonitoringConfigurationOutput, error) {
		return c.DescribeEmailMonitoringConfiguration(ctx, &workmail.DescribeEmailMonitoringConfigurationInput{OrganizationId: &org})
	}
	_, err := describe()
	wantAPIError(t, err, "ResourceNotFoundException", org)
	// Deleting nothing succeeds.
	if _, err := c.DeleteEmailMonitoringConfiguration(ctx, &workmail.DeleteEmailMonitoringConfigurationInput{OrganizationId: &org}); err != nil {
		t.Fatal(err)
	}

	logs := "arn:aws:logs:" + testRegion + ":" + testAccount + ":log-group:/aws/workmail/emailevents/monitoring:*"
	if _, err := c.PutEmailMonitoringConfiguration(ctx, &workmail.PutEmailMonitoringConfigurationInput{OrganizationId: &org, LogGroupArn: &logs}); err != nil {
		t.Fatal(err)
	}
	r := ts.raw("DescribeEmailMonitoringConfiguration", fmt.Sprintf(`{"OrganizationId":%q}`, org), nil)
	want := fmt.Sprintf(`{"LogGroupArn":%q,"RoleArn":"arn:aws:iam::%s:role/aws-service-role/events.workmail.amazonaws.com/AWSServiceRoleForAmazonWorkMailEvents"}`, logs, testAccount)
	if got := canonicalJSON(t, r.Raw); r.Status != 200 || got != want {
		t.Fatalf("DescribeEmailMonitoringConfiguration: %d %s\nwant %s", r.Status, got, want)
	}
	role := "arn:aws:iam::" + testAccount + ":role/WorkMailEventsToLogs"
	if _, err := c.PutEmailMonitoringConfiguration(ctx, &workmail.PutEmailMonitoringConfigurationInput{OrganizationId: &org, LogGroupArn: &logs, RoleArn: &role}); err != nil {
		t.Fatal(err)
	}
	if d, err := describe(); err != nil || aws.ToString(d.RoleArn) != role || aws.ToString(d.LogGroupArn) != logs {
		t.Fatalf("replaced configuration %+v, %v", d, err)
	}

	put := func(role, logs string) error {
		_, err := c.PutEmailMonitoringConfiguration(ctx, &workmail.PutEmailMonitoringConfigurationInput{OrganizationId: &org, LogGroupArn: &logs, RoleArn: &role})
		return err
	}
	wantAPIError(t, put(role, "arn:aws:logs:eu-west-1:"+testAccount+":log-group:x:*"), "InvalidParameterException", testRegion)
	wantAPIError(t, put(role, "arn:aws:logs:"+testRegion+":999988887777:log-group:x:*"), "InvalidParameterException", testAccount)
	wantAPIError(t, put("arn:aws:iam::999988887777:role/x", logs), "InvalidParameterException", testAccount)
	wantAPIError(t, put("arn:aws:iam::"+testAccount+":policy/x", logs), "InvalidParameterException", "IAM role")
	wantAPIError(t, put(role, "arn:aws:logs:"+testRegion+":"+testAccount+":log-group:x"), "InvalidParameterException", "logGroupArn")
	if d, _ := describe(); aws.ToString(d.RoleArn) != role {
		t.Fatalf("a refused Put changed the configuration: %+v", d)
	}
	if _, err := c.DeleteEmailMonitoringConfiguration(ctx, &workmail.DeleteEmailMonitoringConfigurationInput{OrganizationId: &org}); err != nil {
		t.Fatal(err)
	}
	_, err = describe()
	wantAPIError(t, err, "ResourceNotFoundException")
}

func TestInboundDmarcOperations(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "dmarc")
	r := ts.raw("DescribeInboundDmarcSettings", fmt.Sprintf(`{"OrganizationId":%q}`, org), nil)
	if r.Status != 200 || canonicalJSON(t, r.Raw) != `{"Enforced":true}` {
		t.Fatalf("a new organization's DMARC settings: %d %s", r.Status, r.Raw)
	}
	if _, err := c.PutInboundDmarcSettings(ctx, &workmail.PutInboundDmarcSettingsInput{OrganizationId: &org, Enforced: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	// false is sent, not left out.
	r = ts.raw("DescribeInboundDmarcSettings", fmt.Sprintf(`{"OrganizationId":%q}`, org), nil)
	if r.Status != 200 || canonicalJSON(t, r.Raw) != `{"Enforced":false}` {
		t.Fatalf("after turning enforcement off: %d %s", r.Status, r.Raw)
	}
	// Enforced is required.
	r = ts.raw("PutInboundDmarcSettings", fmt.Sprintf(`{"OrganizationId":%q}`, org), nil)
	wantRawError(t, r, 400, "InvalidParameterException", "enforced")
	_, err := c.DescribeInboundDmarcSettings(ctx, &workmail.DescribeInboundDmarcSettingsInput{OrganizationId: aws.String(unknownOrg)})
	wantAPIError(t, err, "OrganizationNotFoundException")
}

func tagOrg(c *workmail.Client, arn string, kv ...string) error {
	var tags []types.Tag
	for i := 0; i < len(kv); i += 2 {
		tags = append(tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	_, err := c.TagResource(context.Background(), &workmail.TagResourceInput{ResourceARN: &arn, Tags: tags})
	return err
}

// listTags returns the resource's tags as "key=value", in the order sent.
func listTags(c *workmail.Client, arn string) ([]string, error) {
	out, err := c.ListTagsForResource(context.Background(), &workmail.ListTagsForResourceInput{ResourceARN: &arn})
	if err != nil {
		return nil, err
	}
	all := []string{}
	for _, t := range out.Tags {
		all = append(all, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return all, nil
}

// byKey orders "key=value" strings by key.
func byKey(a, b string) int {
	return strings.Compare(strings.SplitN(a, "=", 2)[0], strings.SplitN(b, "=", 2)[0])
}

func describeArn(t *testing.T, c *workmail.Client, org string) string {
	t.Helper()
	d, err := c.DescribeOrganization(context.Background(), &workmail.DescribeOrganizationInput{OrganizationId: &org})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(d.ARN)
}

func TestTagOperations(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "tags")
	arn := describeArn(t, c, org)

	r := ts.raw("ListTagsForResource", fmt.Sprintf(`{"ResourceARN":%q}`, arn), nil)
	if r.Status != 200 || canonicalJSON(t, r.Raw) != `{"Tags":[]}` {
		t.Fatalf("tags of a new organization: %d %s", r.Status, r.Raw)
	}
	if err := tagOrg(c, arn, "priority", "1", "Owner", "mail-team", "empty", ""); err != nil {
		t.Fatal(err)
	}
	if err := tagOrg(c, arn, "priority", "2"); err != nil {
		t.Fatal(err)
	}
	r = ts.raw("ListTagsForResource", fmt.Sprintf(`{"ResourceARN":%q}`, arn), nil)
	if want := `{"Tags":[{"Key":"Owner","Value":"mail-team"},{"Key":"empty","Value":""},{"Key":"priority","Value":"2"}]}`; r.Status != 200 || canonicalJSON(t, r.Raw) != want {
		t.Fatalf("ListTagsForResource: %d %s\nwant %s", r.Status, r.Raw, want)
	}

	wantAPIError(t, tagOrg(c, arn, "aws:createdBy", "x"), "InvalidParameterException", "aws:")
	wantAPIError(t, tagOrg(c, arn, "Aws:CreatedBy", "x"), "InvalidParameterException", "aws:")
	wantAPIError(t, tagOrg(c, arn, "k", "1", "k", "2"), "InvalidParameterException", "more than once")
	// The model's bounds: 50 per request, keys 1 to 128, values to 256.
	var many []string
	for i := range 51 {
		many = append(many, fmt.Sprintf("k%d", i), "v")
	}
	wantAPIError(t, tagOrg(c, arn, many...), "InvalidParameterException", "tags")
	wantAPIError(t, tagOrg(c, arn, string(make([]byte, 129)), "v"), "InvalidParameterException", "tags.1.member.key")
	wantAPIError(t, tagOrg(c, arn, "", "v"), "InvalidParameterException", "tags.1.member.key")
	long := fmt.Sprintf("%0257d", 0)
	wantAPIError(t, tagOrg(c, arn, "k", long), "InvalidParameterException", "tags.1.member.value")

	// 50 on the organization, counted after merging.
	if err := tagOrg(c, arn, many[:2*47]...); err != nil { // 3 + 47 = 50
		t.Fatal(err)
	}
	if err := tagOrg(c, arn, "priority", "3"); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, tagOrg(c, arn, "one-too-many", "x"), "TooManyTagsException", "50")
	if got, _ := listTags(c, arn); len(got) != 50 || !slices.IsSortedFunc(got, byKey) {
		t.Fatalf("%d tags after a refused TagResource: %q", len(got), got)
	}
	if _, err := c.UntagResource(ctx, &workmail.UntagResourceInput{ResourceARN: &arn, TagKeys: []string{"priority", "absent", "aws:x"}}); err != nil {
		t.Fatal(err)
	}
	if err := tagOrg(c, arn, "one-more", "x"); err != nil {
		t.Fatal(err)
	}
	if got, _ := listTags(c, arn); len(got) != 50 || slices.Contains(got, "priority=3") {
		t.Fatalf("after untag and tag: %q", got)
	}
}

// Every ARN that does not name a live organization of the caller's
// account and region is ResourceNotFoundException, for all three operations.
func TestTagsOfUnknownResources(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, Lifecycle: server.Lifecycle{CreateDelay: time.Minute}})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "young")
	arn := describeArn(t, c, org)
	// TagResource alone declares OrganizationStateException: a Requested
	// organization has no tags yet and can be listed and untagged.
	wantAPIError(t, tagOrg(c, arn, "k", "v"), "OrganizationStateException", "Requested")
	if got, err := listTags(c, arn); err != nil || len(got) != 0 {
		t.Fatalf("tags of a Requested organization: %q, %v", got, err)
	}
	clock.Advance(time.Minute)
	if err := tagOrg(c, arn, "k", "v"); err != nil {
		t.Fatal(err)
	}

	check := func(c *workmail.Client, arn string, fragments ...string) {
		t.Helper()
		wantAPIError(t, tagOrg(c, arn, "k", "v"), "ResourceNotFoundException", fragments...)
		_, err := c.UntagResource(ctx, &workmail.UntagResourceInput{ResourceARN: &arn, TagKeys: []string{"k"}})
		wantAPIError(t, err, "ResourceNotFoundException", fragments...)
		_, err = c.ListTagsForResource(ctx, &workmail.ListTagsForResourceInput{ResourceARN: &arn})
		wantAPIError(t, err, "ResourceNotFoundException", fragments...)
	}
	check(c, "arn:aws:workmail:"+testRegion+":"+testAccount+":organization/"+unknownOrg, unknownOrg)
	check(c, "arn:aws:workmail:"+testRegion+":"+testAccount+":group/"+org, "only organizations")
	check(c, "arn:aws:workmail:"+testRegion+":"+testAccount+":organization/"+org+"/x", "only organizations")
	check(ts.client("999988887777", testRegion), arn, "999988887777")
	check(ts.client(testAccount, "eu-west-1"), arn, "eu-west-1")
	// An ARN the model's pattern refuses is a validation error, for
	// TagResource, which declares InvalidParameterException, and the other
	// two alike.
	for _, op := range []string{"TagResource", "UntagResource", "ListTagsForResource"} {
		r := ts.raw(op, `{"ResourceARN":"arn:aws:s3:::bucket","Tags":[],"TagKeys":[]}`, nil)
		wantRawError(t, r, 400, "InvalidParameterException", "1 validation error detected", "arn:aws:s3:::bucket")
	}

	// Deleted: the tags go with the organization.
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: true}); err != nil {
		t.Fatal(err)
	}
	check(c, arn, org)
}
