package clients_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// goRetention: a retention policy put, replaced, refused and deleted.
func goRetention(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-retention")
	get := func() (*workmail.GetDefaultRetentionPolicyOutput, error) {
		return c.GetDefaultRetentionPolicy(ctx, &workmail.GetDefaultRetentionPolicyInput{OrganizationId: &org})
	}
	_, err := get()
	wantError[*types.EntityNotFoundException](t, err, "Organization "+org+" has no retention policy.")
	put := func(id *string, name string, folders ...types.FolderConfiguration) error {
		_, err := c.PutRetentionPolicy(ctx, &workmail.PutRetentionPolicyInput{OrganizationId: &org, Id: id, Name: &name, FolderConfigurations: folders})
		return err
	}
	deleted := types.FolderConfiguration{Name: types.FolderNameDeletedItems, Action: types.RetentionActionPermanentlyDelete, Period: aws.Int32(30)}
	inbox := types.FolderConfiguration{Name: types.FolderNameInbox, Action: types.RetentionActionNone}
	if err := put(nil, "standard", deleted, inbox); err != nil {
		t.Fatal(err)
	}
	pol, err := get()
	if err != nil || !uuidPattern.MatchString(aws.ToString(pol.Id)) || aws.ToString(pol.Name) != "standard" || len(pol.FolderConfigurations) != 2 ||
		pol.FolderConfigurations[0].Name != types.FolderNameDeletedItems || aws.ToInt32(pol.FolderConfigurations[0].Period) != 30 ||
		pol.FolderConfigurations[1].Action != types.RetentionActionNone || pol.FolderConfigurations[1].Period != nil {
		t.Fatalf("GetDefaultRetentionPolicy: %+v, %v", pol, err)
	}
	id := aws.ToString(pol.Id)
	if _, err := c.PutRetentionPolicy(ctx, &workmail.PutRetentionPolicyInput{OrganizationId: &org, Id: &id, Name: aws.String("strict"),
		Description:          aws.String("deleted items go after a week"),
		FolderConfigurations: []types.FolderConfiguration{{Name: types.FolderNameDeletedItems, Action: types.RetentionActionDelete, Period: aws.Int32(7)}}}); err != nil {
		t.Fatal(err)
	}
	if pol, err := get(); err != nil || aws.ToString(pol.Id) != id || aws.ToString(pol.Description) != "deleted items go after a week" || len(pol.FolderConfigurations) != 1 {
		t.Fatalf("replaced policy: %+v, %v", pol, err)
	}
	wantError[*types.LimitExceededException](t, put(aws.String("second"), "second", inbox),
		"Organization "+org+" already has retention policy "+id+"; an organization has one retention policy.")
	wantError[*types.InvalidParameterException](t, put(nil, "twice", inbox, inbox),
		"Folder INBOX is configured more than once; give each folder one configuration.")
	wantError[*types.InvalidParameterException](t, put(nil, "noperiod", types.FolderConfiguration{Name: types.FolderNameDrafts, Action: types.RetentionActionDelete}),
		"Folder DRAFTS has action DELETE but no Period; actions other than NONE need a period in days.")
	for _, del := range []string{"other", id, id} {
		if _, err := c.DeleteRetentionPolicy(ctx, &workmail.DeleteRetentionPolicyInput{OrganizationId: &org, Id: &del}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = get()
	wantError[*types.EntityNotFoundException](t, err, "Organization "+org+" has no retention policy.")
}

// goMonitoring: email monitoring with the service-linked role and with a
// role of the account's own, and the inbound DMARC switch.
func goMonitoring(t *testing.T, c *workmail.Client, account string) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-monitoring")
	describe := func() (*workmail.DescribeEmailMonitoringConfigurationOutput, error) {
		return c.DescribeEmailMonitoringConfiguration(ctx, &workmail.DescribeEmailMonitoringConfigurationInput{OrganizationId: &org})
	}
	_, err := describe()
	wantError[*types.ResourceNotFoundException](t, err, "Organization "+org+" has no email monitoring configuration.")
	logs := "arn:aws:logs:" + region + ":" + account + ":log-group:/aws/workmail/emailevents/go-monitoring:*"
	if _, err := c.PutEmailMonitoringConfiguration(ctx, &workmail.PutEmailMonitoringConfigurationInput{OrganizationId: &org, LogGroupArn: &logs}); err != nil {
		t.Fatal(err)
	}
	slr := "arn:aws:iam::" + account + ":role/aws-service-role/events.workmail.amazonaws.com/AWSServiceRoleForAmazonWorkMailEvents"
	if d, err := describe(); err != nil || aws.ToString(d.LogGroupArn) != logs || aws.ToString(d.RoleArn) != slr {
		t.Fatalf("DescribeEmailMonitoringConfiguration: %+v, %v", d, err)
	}
	role := "arn:aws:iam::" + account + ":role/WorkMailEvents"
	if _, err := c.PutEmailMonitoringConfiguration(ctx, &workmail.PutEmailMonitoringConfigurationInput{OrganizationId: &org, LogGroupArn: &logs, RoleArn: &role}); err != nil {
		t.Fatal(err)
	}
	if d, err := describe(); err != nil || aws.ToString(d.RoleArn) != role {
		t.Fatalf("DescribeEmailMonitoringConfiguration with a role: %+v, %v", d, err)
	}
	east := "arn:aws:logs:us-east-1:" + account + ":log-group:x:*"
	_, err = c.PutEmailMonitoringConfiguration(ctx, &workmail.PutEmailMonitoringConfigurationInput{OrganizationId: &org, LogGroupArn: &east})
	wantError[*types.InvalidParameterException](t, err, "LogGroupArn "+east+" must name a log group in account "+account+" and region "+region+".")
	foreign := "arn:aws:iam::999988887777:role/x"
	_, err = c.PutEmailMonitoringConfiguration(ctx, &workmail.PutEmailMonitoringConfigurationInput{OrganizationId: &org, LogGroupArn: &logs, RoleArn: &foreign})
	wantError[*types.InvalidParameterException](t, err, "RoleArn "+foreign+" must name a role in account "+account+".")
	for range 2 {
		if _, err := c.DeleteEmailMonitoringConfiguration(ctx, &workmail.DeleteEmailMonitoringConfigurationInput{OrganizationId: &org}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = describe()
	wantError[*types.ResourceNotFoundException](t, err, "Organization "+org+" has no email monitoring configuration.")

	enforced := func() bool {
		t.Helper()
		d, err := c.DescribeInboundDmarcSettings(ctx, &workmail.DescribeInboundDmarcSettingsInput{OrganizationId: &org})
		if err != nil {
			t.Fatal(err)
		}
		return d.Enforced
	}
	if !enforced() {
		t.Error("a new organization does not enforce DMARC")
	}
	for _, on := range []bool{false, true} {
		if _, err := c.PutInboundDmarcSettings(ctx, &workmail.PutInboundDmarcSettingsInput{OrganizationId: &org, Enforced: aws.Bool(on)}); err != nil {
			t.Fatal(err)
		}
		if enforced() != on {
			t.Errorf("Enforced is not %v after putting it", on)
		}
	}
}

// goTags: an organization's tags through its ARN, the 50-tag limit, and
// ARNs that name nothing.
func goTags(t *testing.T, c, other *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-tags")
	d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &org})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(d.ARN)
	tag := func(arn string, kv ...string) error {
		var tags []types.Tag
		for i := 0; i < len(kv); i += 2 {
			tags = append(tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := c.TagResource(ctx, &workmail.TagResourceInput{ResourceARN: &arn, Tags: tags})
		return err
	}
	list := func() []string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &workmail.ListTagsForResourceInput{ResourceARN: &arn})
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, tg := range out.Tags {
			all = append(all, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return all
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("a new organization's tags: %q", got)
	}
	if err := tag(arn, "priority", "1", "Owner", "mail"); err != nil {
		t.Fatal(err)
	}
	if err := tag(arn, "priority", "2", "empty", ""); err != nil {
		t.Fatal(err)
	}
	if got := list(); !slices.Equal(got, []string{"Owner=mail", "empty=", "priority=2"}) {
		t.Fatalf("tags %q", got)
	}
	wantError[*types.InvalidParameterException](t, tag(arn, "aws:owner", "x"), "Tag key aws:owner starts with aws:, which is reserved for AWS.")
	var kv []string
	for i := range 48 {
		kv = append(kv, fmt.Sprintf("k%02d", i), "v")
	}
	wantError[*types.TooManyTagsException](t, tag(arn, kv...), "Resource "+arn+" would have 51 tags; a resource can have up to 50 user-applied tags.")
	if _, err := c.UntagResource(ctx, &workmail.UntagResourceInput{ResourceARN: &arn, TagKeys: []string{"empty", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if err := tag(arn, kv...); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 50 {
		t.Fatalf("%d tags, want 50", len(got))
	}

	_, err = other.ListTagsForResource(ctx, &workmail.ListTagsForResourceInput{ResourceARN: &arn})
	wantError[*types.ResourceNotFoundException](t, err, "Resource "+arn+" not found in account 444400000124, region "+region+".")
	group := "arn:aws:workmail:" + region + ":444400000123:group/" + org
	_, err = c.UntagResource(ctx, &workmail.UntagResourceInput{ResourceARN: &group, TagKeys: []string{"k"}})
	wantError[*types.ResourceNotFoundException](t, err, "Resource "+group+" is not a WorkMail organization; only organizations (arn:aws:workmail:<region>:<account>:organization/<id>) carry tags.")
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: true}); err != nil {
		t.Fatal(err)
	}
	wantError[*types.ResourceNotFoundException](t, tag(arn, "k", "v"), "Resource "+arn+" not found.")
}
