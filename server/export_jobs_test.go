package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

const (
	exportKey  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	exportRole = "arn:aws:iam::111122223333:role/workmail-export"
)

// startExport starts a job; the SDK fills in the ClientToken.
func startExport(c *workmail.Client, org, entity string) (string, error) {
	out, err := c.StartMailboxExportJob(context.Background(), &workmail.StartMailboxExportJobInput{
		OrganizationId: &org, EntityId: &entity, Description: aws.String("archive"),
		RoleArn: aws.String(exportRole), KmsKeyArn: aws.String(exportKey), S3BucketName: aws.String("exports"), S3Prefix: aws.String("mail"),
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.JobId), nil
}

func describeExport(t *testing.T, c *workmail.Client, org, job string) *workmail.DescribeMailboxExportJobOutput {
	t.Helper()
	out, err := c.DescribeMailboxExportJob(context.Background(), &workmail.DescribeMailboxExportJobInput{OrganizationId: &org, JobId: &job})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// listExports pages by hand, checking every page's size, and returns
// "job STATE progress" per job.
func listExports(t *testing.T, c *workmail.Client, org string, pageSize int32) []string {
	t.Helper()
	var all []string
	var next *string
	for {
		out, err := c.ListMailboxExportJobs(context.Background(), &workmail.ListMailboxExportJobsInput{OrganizationId: &org, MaxResults: &pageSize, NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Jobs) > int(pageSize) {
			t.Fatalf("a page of %d for MaxResults %d", len(out.Jobs), pageSize)
		}
		for _, j := range out.Jobs {
			all = append(all, fmt.Sprintf("%s %s %d", aws.ToString(j.JobId), j.State, j.EstimatedProgress))
		}
		if next = out.NextToken; next == nil {
			return all
		}
	}
}

// TestMailboxExportJobs runs jobs on the server's clock over the wire:
// RUNNING with progress, COMPLETED, CANCELLED, the limits, and the list.
func TestMailboxExportJobs(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, Lifecycle: server.Lifecycle{ExportJobDuration: 10 * time.Minute}})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "exports")
	alice := mailboxUser(t, c, org, "exports", "alice")
	start := clock.Now()
	job, err := startExport(c, org, "alice")
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Minute)
	d := describeExport(t, c, org, job)
	got := fmt.Sprint(aws.ToString(d.EntityId), aws.ToString(d.Description), aws.ToString(d.RoleArn), aws.ToString(d.KmsKeyArn), aws.ToString(d.S3BucketName),
		aws.ToString(d.S3Prefix), aws.ToString(d.S3Path), d.State, d.EstimatedProgress, d.StartTime.UTC(), d.EndTime, d.ErrorInfo)
	want := fmt.Sprint(alice, "archive", exportRole, exportKey, "exports", "mail", "mail/"+job+".zip", types.MailboxExportJobStateRunning, int32(30), start, (*time.Time)(nil), (*string)(nil))
	if got != want {
		t.Errorf("running job\n got %s\nwant %s", got, want)
	}
	// The SDK retries with the same ClientToken; a new token is a new job,
	// which the per-mailbox limit refuses.
	_, err = startExport(c, org, alice)
	wantAPIError(t, err, "LimitExceededException", "one job per mailbox per 24 hours")
	clock.Advance(7 * time.Minute)
	d = describeExport(t, c, org, job)
	if d.State != types.MailboxExportJobStateCompleted || d.EstimatedProgress != 100 || !d.EndTime.Equal(start.Add(10*time.Minute)) {
		t.Errorf("completed job: %s %d %v", d.State, d.EstimatedProgress, d.EndTime)
	}

	// Ten running jobs per organization; cancel one and another may start.
	var jobs []string
	for i := range 11 {
		u := mailboxUser(t, c, org, "exports", fmt.Sprintf("user%02d", i))
		id, err := startExport(c, org, u)
		if i == 10 {
			wantAPIError(t, err, "LimitExceededException", "10 running mailbox export jobs")
			if _, err := c.CancelMailboxExportJob(ctx, &workmail.CancelMailboxExportJobInput{OrganizationId: &org, JobId: &jobs[0]}); err != nil {
				t.Fatal(err)
			}
			if id, err = startExport(c, org, u); err != nil {
				t.Fatal(err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, id)
	}
	clock.Advance(5 * time.Minute)
	got2 := listExports(t, c, org, 4)
	// In start order; the jobs started at one instant in id order.
	later := []string{jobs[0] + " CANCELLED 0"}
	for _, id := range jobs[1:] {
		later = append(later, id+" RUNNING 50")
	}
	slices.Sort(later)
	want2 := append([]string{job + " COMPLETED 100"}, later...)
	if fmt.Sprint(got2) != fmt.Sprint(want2) {
		t.Errorf("listed\n%v, want\n%v", got2, want2)
	}

	// Cancelling a finished job, twice, changes nothing; an unknown job is
	// EntityNotFoundException.
	for range 2 {
		if _, err := c.CancelMailboxExportJob(ctx, &workmail.CancelMailboxExportJobInput{OrganizationId: &org, JobId: &job}); err != nil {
			t.Fatal(err)
		}
	}
	if d := describeExport(t, c, org, job); d.State != types.MailboxExportJobStateCompleted {
		t.Errorf("cancelled after completion: %s", d.State)
	}
	_, err = c.CancelMailboxExportJob(ctx, &workmail.CancelMailboxExportJobInput{OrganizationId: &org, JobId: aws.String("no-such-job")})
	wantAPIError(t, err, "EntityNotFoundException", "no-such-job")
	_, err = c.DescribeMailboxExportJob(ctx, &workmail.DescribeMailboxExportJobInput{OrganizationId: &org, JobId: aws.String("no-such-job")})
	wantAPIError(t, err, "EntityNotFoundException", "no-such-job")
}

func TestMailboxExportJobErrors(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "exerr")
	never := createUser(t, c, org, "never", "")
	_, err := startExport(c, org, never)
	wantAPIError(t, err, "EntityNotFoundException", "has no mailbox to export")
	_, err = startExport(c, org, "nobody")
	wantAPIError(t, err, "EntityNotFoundException", "nobody")
	mailboxUser(t, c, org, "exerr", "alice")
	in := &workmail.StartMailboxExportJobInput{OrganizationId: &org, EntityId: aws.String("alice"), RoleArn: aws.String(exportRole),
		KmsKeyArn: aws.String("arn:aws:kms:eu-west-1:111122223333:key/1234"), S3BucketName: aws.String("exports"), S3Prefix: aws.String("mail")}
	_, err = c.StartMailboxExportJob(ctx, in)
	wantAPIError(t, err, "InvalidParameterException", "must be in the organization's region, us-east-1")
	// The model's patterns are enforced before anything else.
	in.KmsKeyArn, in.S3BucketName = aws.String(exportKey), aws.String("bad_bucket")
	_, err = c.StartMailboxExportJob(ctx, in)
	wantAPIError(t, err, "InvalidParameterException", "s3BucketName")
	in.S3BucketName = aws.String("exports")
	if _, err := c.StartMailboxExportJob(ctx, in); err != nil {
		t.Fatal(err)
	}
	// A retry with the same ClientToken returns the same job (not the
	// per-mailbox limit); the token with another input is refused.
	mailboxUser(t, c, org, "exerr", "bob")
	in.EntityId, in.ClientToken = aws.String("bob"), aws.String("fixed-token")
	first, err := c.StartMailboxExportJob(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.StartMailboxExportJob(ctx, in)
	if err != nil || aws.ToString(again.JobId) != aws.ToString(first.JobId) {
		t.Fatalf("retry: %v, %v", again, err)
	}
	in.Description = aws.String("another")
	_, err = c.StartMailboxExportJob(ctx, in)
	wantAPIError(t, err, "InvalidParameterException", "fixed-token")
}
