package clients_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// goExportInput is a job on entity's mailbox to a bucket of account's
// region; the SDK fills in the ClientToken.
func goExportInput(org, account, entity string) *workmail.StartMailboxExportJobInput {
	return &workmail.StartMailboxExportJobInput{
		OrganizationId: &org, EntityId: &entity, Description: aws.String("archive"),
		RoleArn:      aws.String("arn:aws:iam::" + account + ":role/workmail-export"),
		KmsKeyArn:    aws.String("arn:aws:kms:" + region + ":" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		S3BucketName: aws.String("exports"), S3Prefix: aws.String("mail"),
	}
}

// goMailboxExport: an administrator exports a mailbox, watches the job,
// cancels it, and meets the per-mailbox limit. The suites' server runs a
// job for five minutes, so it is RUNNING throughout.
func goMailboxExport(t *testing.T, c *workmail.Client, account string) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-export")
	alice := goMailboxUser(t, c, org, "go-export", "alice")
	before := time.Now().Truncate(time.Millisecond)
	started, err := c.StartMailboxExportJob(ctx, goExportInput(org, account, "alice@go-export.awsapps.com"))
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	job := aws.ToString(started.JobId)
	d, err := c.DescribeMailboxExportJob(ctx, &workmail.DescribeMailboxExportJobInput{OrganizationId: &org, JobId: &job})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(aws.ToString(d.EntityId), " ", aws.ToString(d.Description), " ", aws.ToString(d.S3BucketName), " ", aws.ToString(d.S3Prefix), " ",
		aws.ToString(d.S3Path), " ", d.State, " ", d.EndTime, " ", d.ErrorInfo)
	want := fmt.Sprint(alice, " archive exports mail mail/", job, ".zip RUNNING <nil> <nil>")
	if got != want || d.EstimatedProgress < 0 || d.EstimatedProgress > 99 || d.StartTime == nil || d.StartTime.Before(before) || d.StartTime.After(after) {
		t.Errorf("describe\n got %s (progress %d, start %v)\nwant %s", got, d.EstimatedProgress, d.StartTime, want)
	}
	_, err = c.StartMailboxExportJob(ctx, goExportInput(org, account, alice))
	wantError[*types.LimitExceededException](t, err, "The mailbox of "+alice+" has an export job started in the last 24 hours ("+job+"): one job per mailbox per 24 hours.")

	for range 2 {
		if _, err := c.CancelMailboxExportJob(ctx, &workmail.CancelMailboxExportJobInput{OrganizationId: &org, JobId: &job}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := c.ListMailboxExportJobs(ctx, &workmail.ListMailboxExportJobsInput{OrganizationId: &org})
	if err != nil || len(list.Jobs) != 1 || list.NextToken != nil {
		t.Fatalf("ListMailboxExportJobs: %+v, %v", list, err)
	}
	j := list.Jobs[0]
	if aws.ToString(j.JobId) != job || j.State != types.MailboxExportJobStateCancelled || j.EndTime == nil || aws.ToString(j.S3Path) != "mail/"+job+".zip" {
		t.Errorf("listed %+v", j)
	}

	_, err = c.StartMailboxExportJob(ctx, goExportInput(org, account, "nobody"))
	wantError[*types.EntityNotFoundException](t, err, "Entity nobody does not exist in organization "+org+".")
	in := goExportInput(org, account, alice)
	in.KmsKeyArn = aws.String("arn:aws:kms:us-west-2:" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab")
	_, err = c.StartMailboxExportJob(ctx, in)
	wantError[*types.InvalidParameterException](t, err, "The KMS key "+aws.ToString(in.KmsKeyArn)+" must be in the organization's region, "+region+".")
	_, err = c.DescribeMailboxExportJob(ctx, &workmail.DescribeMailboxExportJobInput{OrganizationId: &org, JobId: aws.String("no-such-job")})
	wantError[*types.EntityNotFoundException](t, err, "Mailbox export job no-such-job does not exist in organization "+org+".")
	_, err = c.CancelMailboxExportJob(ctx, &workmail.CancelMailboxExportJobInput{OrganizationId: &org, JobId: aws.String("no-such-job")})
	wantError[*types.EntityNotFoundException](t, err, "Mailbox export job no-such-job does not exist in organization "+org+".")
}

// goExportLimit: ten running jobs per organization, listed through the
// SDK's paginator three a page.
func goExportLimit(t *testing.T, c *workmail.Client, account string) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-exports")
	jobs := map[string]bool{}
	for i := range 11 {
		u := goMailboxUser(t, c, org, "go-exports", fmt.Sprintf("user%02d", i))
		out, err := c.StartMailboxExportJob(ctx, goExportInput(org, account, u))
		if i == 10 {
			wantError[*types.LimitExceededException](t, err, "Organization "+org+" has 10 running mailbox export jobs, the most it may have.")
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		jobs[aws.ToString(out.JobId)] = true
	}
	listed := map[string]bool{}
	p := workmail.NewListMailboxExportJobsPaginator(c, &workmail.ListMailboxExportJobsInput{OrganizationId: &org, MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Jobs) > 3 {
			t.Fatalf("a page of %d for MaxResults 3", len(page.Jobs))
		}
		for _, j := range page.Jobs {
			if listed[aws.ToString(j.JobId)] || j.State != types.MailboxExportJobStateRunning {
				t.Errorf("listed %+v (again?)", j)
			}
			listed[aws.ToString(j.JobId)] = true
		}
	}
	if fmt.Sprint(listed) != fmt.Sprint(jobs) {
		t.Errorf("listed %v, want %v", listed, jobs)
	}
}
