package service

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

const (
	testKmsKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testRole   = "arn:aws:iam::111122223333:role/workmail-export"
)

// exportInput starts a job on entity's mailbox, with a fresh ClientToken.
func (f *fixture) exportInput(org, entity string) *model.StartMailboxExportJobInput {
	return &model.StartMailboxExportJobInput{
		ClientToken: ptr(f.s.ids.UUID()), OrganizationId: &org, EntityId: &entity,
		Description: ptr("archive"), RoleArn: ptr(testRole), KmsKeyArn: ptr(testKmsKey),
		S3BucketName: ptr("exports"), S3Prefix: ptr("workmail/"),
	}
}

func (f *fixture) startExport(org, entity string) (string, error) {
	out, err := f.s.StartMailboxExportJob(f.ctx, f.exportInput(org, entity))
	if err != nil {
		return "", err
	}
	return *out.JobId, nil
}

func (f *fixture) describeExport(org, job string) *model.DescribeMailboxExportJobOutput {
	f.t.Helper()
	out, err := f.s.DescribeMailboxExportJob(f.ctx, &model.DescribeMailboxExportJobInput{OrganizationId: &org, JobId: &job})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) cancelExport(org, job string) error {
	_, err := f.s.CancelMailboxExportJob(f.ctx, &model.CancelMailboxExportJobInput{OrganizationId: &org, JobId: &job, ClientToken: ptr(f.s.ids.UUID())})
	return err
}

// exportStates lists the organization's jobs page by page, as
// "job STATE progress".
func (f *fixture) exportStates(org string, pageSize int32) []string {
	f.t.Helper()
	var all []string
	var next *string
	for {
		out, err := f.s.ListMailboxExportJobs(f.ctx, &model.ListMailboxExportJobsInput{OrganizationId: &org, MaxResults: &pageSize, NextToken: next})
		if err != nil {
			f.t.Fatal(err)
		}
		if len(out.Jobs) > int(pageSize) {
			f.t.Fatalf("a page of %d for MaxResults %d", len(out.Jobs), pageSize)
		}
		for _, j := range out.Jobs {
			all = append(all, fmt.Sprintf("%s %s %d", *j.JobId, *j.State, *j.EstimatedProgress))
		}
		if next = out.NextToken; next == nil {
			return all
		}
	}
}

func exportState(d *model.DescribeMailboxExportJobOutput) string {
	return fmt.Sprintf("%s %d", *d.State, *d.EstimatedProgress)
}

func TestMailboxExportJobLifecycle(t *testing.T) {
	f := newFixture(t)
	org := f.org("export")
	alice := f.mailboxUser(org, "export", "alice")
	start := f.clock.Now()
	job, err := f.startExport(org, "alice@export.awsapps.com")
	if err != nil {
		t.Fatal(err)
	}
	d := f.describeExport(org, job)
	want := fmt.Sprint(alice, " archive ", testRole, " ", testKmsKey, " exports workmail/ workmail/", job, ".zip RUNNING 0 ", start.UTC(), " <nil> <nil>")
	got := fmt.Sprint(*d.EntityId, " ", *d.Description, " ", *d.RoleArn, " ", *d.KmsKeyArn, " ", *d.S3BucketName, " ", *d.S3Prefix, " ",
		*d.S3Path, " ", exportState(d), " ", d.StartTime.UTC(), " ", d.EndTime, " ", d.ErrorInfo)
	if got != want {
		t.Errorf("describe\n got %s\nwant %s", got, want)
	}
	// Progress follows the clock; the job completes after the duration.
	f.clock.Advance(DefaultExportJobDuration / 2)
	if got := exportState(f.describeExport(org, job)); got != "RUNNING 50" {
		t.Errorf("half way: %s", got)
	}
	f.clock.Advance(DefaultExportJobDuration/2 - time.Nanosecond)
	if got := exportState(f.describeExport(org, job)); got != "RUNNING 99" {
		t.Errorf("just before the end: %s", got)
	}
	f.clock.Advance(time.Nanosecond)
	d = f.describeExport(org, job)
	if exportState(d) != "COMPLETED 100" || d.EndTime == nil || !d.EndTime.Equal(start.Add(DefaultExportJobDuration)) {
		t.Errorf("completed: %s, end %v", exportState(d), d.EndTime)
	}
	// Cancelling a finished job changes nothing.
	if err := f.cancelExport(org, job); err != nil {
		t.Fatal(err)
	}
	if got := exportState(f.describeExport(org, job)); got != "COMPLETED 100" {
		t.Errorf("cancelled after completion: %s", got)
	}
	wantCode(t, f.cancelExport(org, "no-such-job"), model.ErrEntityNotFound)
	_, err = f.s.DescribeMailboxExportJob(f.ctx, &model.DescribeMailboxExportJobInput{OrganizationId: &org, JobId: ptr("no-such-job")})
	wantCode(t, err, model.ErrEntityNotFound)
}

func TestMailboxExportJobCancel(t *testing.T) {
	f := newFixture(t)
	org := f.org("cancel")
	room := f.resource(org, "room")
	if err := f.register(org, room, "room@cancel.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	job, err := f.startExport(org, "room")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultExportJobDuration / 4)
	cancelledAt := f.clock.Now()
	if err := f.cancelExport(org, job); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultExportJobDuration)
	if err := f.cancelExport(org, job); err != nil {
		t.Fatal(err)
	}
	d := f.describeExport(org, job)
	if exportState(d) != "CANCELLED 25" || !d.EndTime.Equal(cancelledAt) || *d.EntityId != room {
		t.Errorf("cancelled: %s, end %v, entity %s", exportState(d), d.EndTime, *d.EntityId)
	}
	// The same ClientToken with another job is refused.
	in := &model.CancelMailboxExportJobInput{OrganizationId: &org, JobId: &job, ClientToken: ptr("same")}
	if _, err := f.s.CancelMailboxExportJob(f.ctx, in); err != nil {
		t.Fatal(err)
	}
	in.JobId = ptr("other-job")
	_, err = f.s.CancelMailboxExportJob(f.ctx, in)
	wantCode(t, err, model.ErrInvalidParameter)
}

func TestMailboxExportJobInputs(t *testing.T) {
	f := newFixture(t)
	org := f.org("exin")
	f.mailboxUser(org, "exin", "alice")
	never := f.user(org, "never")
	grp := f.group(org, "team")
	for _, entity := range []string{"nobody", never, grp, "team"} {
		_, err := f.startExport(org, entity)
		wantCode(t, err, model.ErrEntityNotFound)
	}
	for _, edit := range []func(*model.StartMailboxExportJobInput){
		func(in *model.StartMailboxExportJobInput) {
			in.KmsKeyArn = ptr(strings.Replace(testKmsKey, "us-east-1", "eu-west-1", 1))
		},
		func(in *model.StartMailboxExportJobInput) {
			in.KmsKeyArn = ptr("arn:aws:kms:us-east-1:111122223333:alias/export")
		},
		func(in *model.StartMailboxExportJobInput) { in.RoleArn = ptr("arn:aws:iam::111122223333:user/admin") },
	} {
		in := f.exportInput(org, "alice")
		edit(in)
		_, err := f.s.StartMailboxExportJob(f.ctx, in)
		wantCode(t, err, model.ErrInvalidParameter)
	}
	// A retry with the ClientToken returns the same job; another input with
	// it is refused.
	in := f.exportInput(org, "alice")
	first, err := f.s.StartMailboxExportJob(f.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.s.StartMailboxExportJob(f.ctx, in)
	if err != nil || *again.JobId != *first.JobId {
		t.Fatalf("retry: %v, %v", again, err)
	}
	in.Description = ptr("other")
	_, err = f.s.StartMailboxExportJob(f.ctx, in)
	wantCode(t, err, model.ErrInvalidParameter)
	if got := f.exportStates(org, 100); len(got) != 1 {
		t.Errorf("jobs %v, want one", got)
	}
}

func TestMailboxExportJobLimits(t *testing.T) {
	f := newFixture(t)
	org := f.org("limits")
	var users []string
	for i := range maxRunningExports + 1 {
		users = append(users, f.mailboxUser(org, "limits", fmt.Sprintf("user%02d", i)))
	}
	// One job per mailbox per 24 hours, whatever became of it.
	first, err := f.startExport(org, users[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cancelExport(org, first); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(exportInterval - time.Second)
	_, err = f.startExport(org, users[0])
	wantCode(t, err, model.ErrLimitExceeded)
	f.clock.Advance(time.Second)
	// Ten running jobs per organization.
	for _, u := range users[:maxRunningExports] {
		if _, err := f.startExport(org, u); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.startExport(org, users[maxRunningExports])
	wantCode(t, err, model.ErrLimitExceeded)
	// As jobs complete, others may start.
	f.clock.Advance(DefaultExportJobDuration)
	if _, err := f.startExport(org, users[maxRunningExports]); err != nil {
		t.Fatal(err)
	}
}

func TestListMailboxExportJobs(t *testing.T) {
	f := newFixture(t)
	org := f.org("listex")
	var jobs []string
	for i := range 5 {
		if i > 0 {
			f.clock.Advance(24 * time.Hour)
		}
		u := f.mailboxUser(org, "listex", fmt.Sprintf("user%d", i))
		job, err := f.startExport(org, u)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job)
	}
	// Started 96, 72, 48, 24 and 0 hours ago: all listed, oldest first,
	// on pages of two.
	got := f.exportStates(org, 2)
	want := []string{jobs[0] + " COMPLETED 100", jobs[1] + " COMPLETED 100", jobs[2] + " COMPLETED 100", jobs[3] + " COMPLETED 100", jobs[4] + " RUNNING 0"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("listed\n%v, want\n%v", got, want)
	}
	// Only the last seven days are listed: four days and a second on, the
	// first two jobs (started eight days and seven days and a second ago)
	// are not.
	f.clock.Advance(4*24*time.Hour + time.Second)
	got = f.exportStates(org, 100)
	want = []string{jobs[2] + " COMPLETED 100", jobs[3] + " COMPLETED 100", jobs[4] + " COMPLETED 100"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("a week later\n%v, want\n%v", got, want)
	}
	// Older jobs are still described.
	if got := exportState(f.describeExport(org, jobs[0])); got != "COMPLETED 100" {
		t.Errorf("describe of an old job: %s", got)
	}
}

// Deleting a user keeps its jobs; one still running fails.
func TestMailboxExportJobsOfDeletedUser(t *testing.T) {
	f := newFixture(t)
	org := f.org("exdel")
	alice := f.mailboxUser(org, "exdel", "alice")
	bob := f.mailboxUser(org, "exdel", "bob")
	done, err := f.startExport(org, alice)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultExportJobDuration)
	running, err := f.startExport(org, bob)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultExportJobDuration / 10)
	for _, u := range []string{alice, bob} {
		if err := f.deregister(org, u); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &u}); err != nil {
			t.Fatal(err)
		}
	}
	deletedAt := f.clock.Now()
	f.clock.Advance(DefaultExportJobDuration)
	if got := exportState(f.describeExport(org, done)); got != "COMPLETED 100" {
		t.Errorf("alice's finished job: %s", got)
	}
	d := f.describeExport(org, running)
	if exportState(d) != "FAILED 10" || !d.EndTime.Equal(deletedAt) || d.ErrorInfo == nil || !strings.Contains(*d.ErrorInfo, "deleted") {
		t.Errorf("bob's running job: %s, end %v, error %v", exportState(d), d.EndTime, d.ErrorInfo)
	}
	_, err = f.startExport(org, bob)
	wantCode(t, err, model.ErrEntityNotFound)
}

// A deregistered user keeps its mailbox, which can be exported.
func TestMailboxExportOfDeregisteredUser(t *testing.T) {
	f := newFixture(t)
	org := f.org("exdereg")
	alice := f.mailboxUser(org, "exdereg", "alice")
	if err := f.deregister(org, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := f.startExport(org, alice); err != nil {
		t.Fatal(err)
	}
}

func TestMailboxExportJobsPurgedWithOrganization(t *testing.T) {
	f := newFixture(t)
	org := f.org("expurge")
	alice := f.mailboxUser(org, "expurge", "alice")
	job, err := f.startExport(org, alice)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cancelExport(org, job); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultDeletedRetention)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition, store.Global) {
		if strings.Contains(r, org) || strings.Contains(r, "export") || strings.Contains(r, "Export") {
			t.Errorf("left of the purged organization: %s", r)
		}
	}
}
