package service

import (
	"context"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// Mailbox export jobs. workmaild has no S3 to write to, so a job only
// runs on the clock: RUNNING from its start for the configured
// ExportJobDuration, then COMPLETED, unless it was cancelled (CANCELLED)
// or its mailbox was deleted (FAILED) before. Nothing runs in the
// background: every answer derives the state from the record's times and
// the clock, so several processes on one store agree.
//
// Jobs live at "<org>/<job id>"; export-job-start ("<org>/<start
// time>/<job id>") orders them by start, for ListMailboxExportJobs (the
// last seven days) and for the limits, which look at the last day only.
var exportJobs = &table[exportJob]{
	codec: record.For[exportJob](),
	coll:  "mailbox-export-job",
	id:    func(j *exportJob) string { return j.ID },
	indexes: []indexOn[exportJob]{
		{exportJobStarts, func(j *exportJob) []string { return []string{deletedAtKey(j.StartedAt)} }},
	},
}

var exportJobStarts = &index{coll: "mailbox-export-job-start"}

type exportJob struct {
	ID          string    `json:"id"`
	EntityID    string    `json:"entityId"`
	Description string    `json:"description,omitempty"`
	RoleArn     string    `json:"roleArn"`
	KmsKeyArn   string    `json:"kmsKeyArn"`
	Bucket      string    `json:"bucket"`
	Prefix      string    `json:"prefix"`
	StartedAt   time.Time `json:"startedAt"`
	// CompletesAt is StartedAt plus the duration configured at the start,
	// so that changing the configuration does not move running jobs.
	CompletesAt time.Time `json:"completesAt"`
	// EndedAt is when the job was cancelled or failed; zero otherwise.
	EndedAt   time.Time `json:"endedAt,omitzero"`
	Cancelled bool      `json:"cancelled,omitempty"`
	ErrorInfo string    `json:"errorInfo,omitempty"` // why it failed
}

const (
	// DefaultExportJobDuration is how long an export job runs.
	DefaultExportJobDuration = 5 * time.Minute
	// maxRunningExports is WorkMail's limit of concurrent export jobs per
	// organization.
	maxRunningExports = 10
	// exportInterval is the time that must pass between two export jobs
	// of one mailbox.
	exportInterval = 24 * time.Hour
	// exportsListed is how far back ListMailboxExportJobs reaches.
	exportsListed = 7 * 24 * time.Hour
)

// exportStatus is a job as the clock sees it at one instant.
type exportStatus struct {
	State    model.MailboxExportJobState
	Progress int32
	EndTime  time.Time // zero while RUNNING
}

func (j *exportJob) status(now time.Time) exportStatus {
	progressAt := func(t time.Time) int32 {
		total := j.CompletesAt.Sub(j.StartedAt)
		if total <= 0 {
			return 100
		}
		return int32(max(0, min(99, 100*t.Sub(j.StartedAt)/total))) // 0 for a clock behind the start
	}
	switch {
	case !j.EndedAt.IsZero() && j.Cancelled:
		return exportStatus{model.MailboxExportJobStateCancelled, progressAt(j.EndedAt), j.EndedAt}
	case !j.EndedAt.IsZero():
		return exportStatus{model.MailboxExportJobStateFailed, progressAt(j.EndedAt), j.EndedAt}
	case !now.Before(j.CompletesAt):
		return exportStatus{model.MailboxExportJobStateCompleted, 100, j.CompletesAt}
	}
	return exportStatus{model.MailboxExportJobStateRunning, progressAt(now), time.Time{}}
}

// s3Path is the object the job exports to: <prefix>/<job id>.zip.
func (j *exportJob) s3Path() string {
	return strings.TrimSuffix(j.Prefix, "/") + "/" + j.ID + ".zip"
}

// exportSources are the kinds whose mailboxes can be exported.
var exportSources = []mailboxParty{userParty, resourceParty}

// StartMailboxExportJob implements WorkMailService.StartMailboxExportJob
// for a user or resource that has a mailbox (a group, a deleted entity or
// one never registered is EntityNotFoundException: the only entity error
// the model declares). The KMS key must be a key of the organization's
// region and the role an IAM role (InvalidParameterException). WorkMail's
// limits: one job per mailbox per 24 hours, whatever became of it, and
// ten running jobs per organization (LimitExceededException).
func (s *Service) StartMailboxExportJob(ctx context.Context, in *model.StartMailboxExportJobInput) (*model.StartMailboxExportJobOutput, error) {
	newID := s.ids.UUID() // drawn once, however often the transaction runs
	var jobID string
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		var err error
		jobID, err = idempotent(tx, "StartMailboxExportJob", in, in.ClientToken, func() (created, error) {
			if _, err := s.activeOrganization(tx, o); err != nil {
				return created{}, err
			}
			if err := checkExportArns(p, str(in.KmsKeyArn), str(in.RoleArn)); err != nil {
				return created{}, err
			}
			e, err := s.resolveMailboxEntity(tx, o, str(in.EntityId), exportSources)
			if err != nil {
				return created{}, err
			}
			if !e.Mailbox {
				return created{}, model.ErrEntityNotFound.Errorf("Entity %s has no mailbox to export: it is %s and %s.", e.ID, e.State, noMailboxReason(e))
			}
			now := s.now()
			if err := checkExportLimits(tx, o, e.ID, now); err != nil {
				return created{}, err
			}
			j := &exportJob{
				ID: newID, EntityID: e.ID, Description: str(in.Description),
				RoleArn: str(in.RoleArn), KmsKeyArn: str(in.KmsKeyArn), Bucket: str(in.S3BucketName), Prefix: str(in.S3Prefix),
				StartedAt: now, CompletesAt: now.Add(s.lifecycle.ExportJobDuration),
			}
			return created{Result: j.ID, Org: o.ID}, exportJobs.insert(tx, o, j)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.StartMailboxExportJobOutput{JobId: ptr(jobID)}, nil
}

// checkExportArns checks what the model's patterns leave open: the key is
// a KMS key (not an alias) in the caller's region, as WorkMail needs the
// organization, the key and the bucket in one region, and the role is an
// IAM role.
func checkExportArns(p store.Partition, kmsKey, role string) error {
	kms := strings.SplitN(kmsKey, ":", 6)
	if len(kms) < 6 || kms[3] != p.Region { // six parts, by the model's pattern
		return model.ErrInvalidParameter.Errorf("The KMS key %s must be in the organization's region, %s.", kmsKey, p.Region)
	}
	if !strings.HasPrefix(kms[5], "key/") {
		return model.ErrInvalidParameter.Errorf("KmsKeyArn %s must name a KMS key (key/<key id>).", kmsKey)
	}
	if iam := strings.SplitN(role, ":", 6); len(iam) < 6 || !strings.HasPrefix(iam[5], "role/") {
		return model.ErrInvalidParameter.Errorf("RoleArn %s must name an IAM role (role/<name>).", role)
	}
	return nil
}

// checkExportLimits answers LimitExceededException when the mailbox had
// a job started in the last 24 hours or the organization has the most
// running jobs it may have. Running jobs started less than a day ago
// (ExportJobDuration is at most a day), so the last day's jobs are all it
// reads.
func checkExportLimits(r store.Reader, o orgRef, entityID string, now time.Time) error {
	running := 0
	var limitErr error
	err := recentExports(r, o, now.Add(-exportInterval), func(j *exportJob) (bool, error) {
		if j.EntityID == entityID && now.Sub(j.StartedAt) < exportInterval {
			limitErr = model.ErrLimitExceeded.Errorf("The mailbox of %s has an export job started in the last 24 hours (%s): one job per mailbox per 24 hours.", entityID, j.ID)
			return false, nil
		}
		if j.status(now).State == model.MailboxExportJobStateRunning {
			running++
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if limitErr != nil {
		return limitErr
	}
	if running >= maxRunningExports {
		return model.ErrLimitExceeded.Errorf("Organization %s has %d running mailbox export jobs, the most it may have.", o.ID, maxRunningExports)
	}
	return nil
}

// recentExports calls fn with each job of the organization started at or
// after since, in start order, until fn reports false.
func recentExports(r store.Reader, o orgRef, since time.Time, fn func(*exportJob) (bool, error)) error {
	return r.Scan(exportJobStarts.coll, o.prefix(), exportStartsFrom(o, since), 0, func(key string, _ []byte) (bool, error) {
		j, err := exportJobs.get(r, o, key[strings.LastIndexByte(key, '/')+1:])
		if err != nil || j == nil {
			return err == nil, err
		}
		return fn(j)
	})
}

// exportStartsFrom is the scan position before the first start-index
// entry at or after t.
func exportStartsFrom(o orgRef, t time.Time) string { return o.prefix() + deletedAtKey(t) }

// findExportJob returns the job, or EntityNotFoundException (the code
// the model declares for an unknown job).
func findExportJob(r store.Reader, o orgRef, id string) (*exportJob, error) {
	j, err := exportJobs.get(r, o, id)
	if err == nil && j == nil {
		err = model.ErrEntityNotFound.Errorf("Mailbox export job %s does not exist in organization %s.", id, o.ID)
	}
	return j, err
}

// DescribeMailboxExportJob implements
// WorkMailService.DescribeMailboxExportJob: the job as the clock sees it
// now.
func (s *Service) DescribeMailboxExportJob(ctx context.Context, in *model.DescribeMailboxExportJobInput) (*model.DescribeMailboxExportJobOutput, error) {
	var out *model.DescribeMailboxExportJobOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		j, err := findExportJob(r, o, str(in.JobId))
		if err != nil {
			return err
		}
		st := j.status(s.now())
		out = &model.DescribeMailboxExportJobOutput{
			EntityId:          ptr(j.EntityID),
			Description:       optional(j.Description),
			RoleArn:           ptr(j.RoleArn),
			KmsKeyArn:         ptr(j.KmsKeyArn),
			S3BucketName:      ptr(j.Bucket),
			S3Prefix:          ptr(j.Prefix),
			S3Path:            ptr(j.s3Path()),
			EstimatedProgress: ptr(st.Progress),
			State:             ptr(st.State),
			ErrorInfo:         optional(j.ErrorInfo),
			StartTime:         timestamp(j.StartedAt),
			EndTime:           timestamp(st.EndTime),
		}
		return nil
	})
	return out, err
}

// CancelMailboxExportJob implements WorkMailService.CancelMailboxExportJob:
// a RUNNING job is CANCELLED now, at the progress it had; a job that has
// ended already (COMPLETED, FAILED, CANCELLED) is left as it is, and the
// call succeeds.
func (s *Service) CancelMailboxExportJob(ctx context.Context, in *model.CancelMailboxExportJobInput) (*model.CancelMailboxExportJobOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		_, err := idempotent(tx, "CancelMailboxExportJob", in, in.ClientToken, func() (created, error) {
			if _, err := s.activeOrganization(tx, o); err != nil {
				return created{}, err
			}
			j, err := findExportJob(tx, o, str(in.JobId))
			if err != nil {
				return created{}, err
			}
			c := created{Result: j.ID, Org: o.ID}
			now := s.now()
			if j.status(now).State != model.MailboxExportJobStateRunning {
				return c, nil
			}
			j.EndedAt, j.Cancelled = now, true
			return c, exportJobs.put(tx, o, j)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CancelMailboxExportJobOutput{}, nil
}

// ListMailboxExportJobs implements WorkMailService.ListMailboxExportJobs:
// the jobs started in the last seven days, oldest first.
func (s *Service) ListMailboxExportJobs(ctx context.Context, in *model.ListMailboxExportJobsInput) (*model.ListMailboxExportJobsOutput, error) {
	var out *model.ListMailboxExportJobsOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		pg, err := s.newPager("ListMailboxExportJobs", p, in.NextToken, in.MaxResults, o.ID)
		if err != nil {
			return err
		}
		now := s.now()
		// Older jobs are not listed: start the scan at the first of the week.
		if from := exportStartsFrom(o, now.Add(-exportsListed)); pg.after < from {
			pg.after = from
		}
		list, next, err := page(r, pg, exportJobStarts.coll, o.prefix(), func(key string, _ []byte) (model.MailboxExportJob, bool, error) {
			j, err := exportJobs.get(r, o, key[strings.LastIndexByte(key, '/')+1:])
			if err != nil || j == nil {
				return model.MailboxExportJob{}, false, err
			}
			st := j.status(now)
			return model.MailboxExportJob{
				JobId:             ptr(j.ID),
				EntityId:          ptr(j.EntityID),
				Description:       optional(j.Description),
				S3BucketName:      ptr(j.Bucket),
				S3Path:            ptr(j.s3Path()),
				EstimatedProgress: ptr(st.Progress),
				State:             ptr(st.State),
				StartTime:         timestamp(j.StartedAt),
				EndTime:           timestamp(st.EndTime),
			}, true, nil
		})
		out = &model.ListMailboxExportJobsOutput{Jobs: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// failExportJobs is entityRemoved's part for export jobs: a job still
// running on the deleted entity's mailbox fails now. Jobs are kept, as
// the organization's history, until the organization is purged.
func failExportJobs(tx store.Tx, o orgRef, ref entityRef, now time.Time) error {
	var failed []*exportJob
	err := recentExports(tx, o, now.Add(-exportInterval), func(j *exportJob) (bool, error) {
		if j.EntityID == ref.ID && j.status(now).State == model.MailboxExportJobStateRunning {
			failed = append(failed, j)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, j := range failed {
		j.EndedAt, j.ErrorInfo = now, "The mailbox of "+ref.ID+" was deleted while the job ran."
		if err := exportJobs.put(tx, o, j); err != nil {
			return err
		}
	}
	return nil
}
