// Package service implements the WorkMail operations as typed handlers:
// each takes the generated input struct (already decoded and validated) and
// returns the generated output struct or a *model.Error. Protocol, auth and
// validation happen below this package; storage is behind store.Store.
package service

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/ids"
	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/paging"
	"github.com/workmaild/workmaild/internal/store"
)

// Lifecycle sets how long organizations take to change state. The zero
// value makes a new organization Active before CreateOrganization returns
// and a deleted one Deleted before DeleteOrganization returns.
type Lifecycle struct {
	// CreateDelay is the time from CreateOrganization to Active; the first
	// half is spent Requested, the second Creating.
	CreateDelay time.Duration
	// DeleteDelay is the time an organization spends Deleting.
	DeleteDelay time.Duration
	// DeletedRetention is how long a Deleted organization stays
	// describable; 0 means DefaultDeletedRetention.
	DeletedRetention time.Duration
	// DomainVerificationDelay is the time a registered mail domain stays
	// PENDING before it is VERIFIED; 0 means at once.
	DomainVerificationDelay time.Duration
	// ExportJobDuration is the time a mailbox export job stays RUNNING
	// before it is COMPLETED; 0 means DefaultExportJobDuration. It is at
	// most a day (the interval WorkMail requires between two exports of a
	// mailbox); longer is a day.
	ExportJobDuration time.Duration
}

// DefaultDeletedRetention is how long DescribeOrganization still answers
// for a deleted organization.
const DefaultDeletedRetention = time.Hour

// Config is what a Service needs.
type Config struct {
	Store     store.Store
	Now       func() time.Time // nil means time.Now
	IDs       *ids.Generator   // nil means crypto/rand
	Lifecycle Lifecycle
	// Paging signs NextTokens; its key should persist with the store.
	Paging paging.Codec
	Log    *slog.Logger // nil means slog.Default()
	// AvailabilityTestCalls lets TestAvailabilityConfiguration call the
	// EWS endpoint it tests; without it the service makes no outbound call.
	AvailabilityTestCalls bool
	// LoginLimits bound repeated mail-login failures.
	LoginLimits LoginLimits
	// MailboxSizes tells how much a mailbox holds (the mail store knows,
	// through doveadm); nil reports every mailbox empty.
	MailboxSizes MailboxSizer
}

// MailboxSizer tells how many bytes the mailbox of a mailbox address
// (MailboxRef.Address) holds.
type MailboxSizer interface {
	StorageBytes(ctx context.Context, mailbox string) (int64, error)
}

// Service implements model.Handlers. Operations it does not override
// answer NotImplemented through the embedded UnimplementedHandlers.
type Service struct {
	model.UnimplementedHandlers
	store     store.Store
	now       func() time.Time
	ids       *ids.Generator
	lifecycle Lifecycle
	paging    paging.Codec
	log       *slog.Logger
	passwords passwordHasher
	// loginLimits bound repeated mail-login failures (logins.go).
	loginLimits LoginLimits
	// availabilityCalls allows EWS test calls, made with probe.
	availabilityCalls bool
	probe             *http.Client
	mailboxSizes      MailboxSizer // or nil
}

var _ model.Handlers = (*Service)(nil)

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{
		store: cfg.Store, now: cfg.Now, ids: cfg.IDs, lifecycle: cfg.Lifecycle, paging: cfg.Paging, log: cfg.Log,
		passwords:         newPasswordHasher(),
		loginLimits:       cfg.LoginLimits.withDefaults(),
		availabilityCalls: cfg.AvailabilityTestCalls,
		probe:             newProbeClient(),
		mailboxSizes:      cfg.MailboxSizes,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ids == nil {
		s.ids = ids.New(nil)
	}
	if s.lifecycle.DeletedRetention <= 0 {
		s.lifecycle.DeletedRetention = DefaultDeletedRetention
	}
	if s.lifecycle.ExportJobDuration <= 0 {
		s.lifecycle.ExportJobDuration = DefaultExportJobDuration
	}
	s.lifecycle.ExportJobDuration = min(s.lifecycle.ExportJobDuration, exportInterval)
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// partition returns the caller's account and region. The protocol layer
// always sets the principal; its absence is a wiring bug.
func partition(ctx context.Context) (store.Partition, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return store.Partition{}, errors.New("service: request has no principal")
	}
	return store.Partition{Account: p.Account, Region: p.Region}, nil
}

// view runs fn in a read transaction on the caller's partition.
func (s *Service) view(ctx context.Context, fn func(p store.Partition, r store.Reader) error) error {
	p, err := partition(ctx)
	if err != nil {
		return err
	}
	return s.viewIn(ctx, p, func(r store.Reader) error { return fn(p, r) })
}

// update runs fn in a write transaction on the caller's partition.
func (s *Service) update(ctx context.Context, fn func(p store.Partition, tx store.Tx) error) error {
	p, err := partition(ctx)
	if err != nil {
		return err
	}
	return s.updateIn(ctx, p, func(tx store.Tx) error { return fn(p, tx) })
}

// viewIn runs fn in a read transaction on p, once p's records have the
// current schema (see schema.go).
func (s *Service) viewIn(ctx context.Context, p store.Partition, fn func(r store.Reader) error) error {
	for range 2 {
		err := s.store.View(ctx, p, func(r store.Reader) error {
			if err := checkSchema(r); err != nil {
				return err
			}
			return fn(r)
		})
		if !errors.Is(err, errSchemaOld) {
			return err
		}
		if err := s.store.Update(ctx, p, func(tx store.Tx) error { return migrate(tx, p) }); err != nil {
			return err
		}
	}
	return errSchemaOld
}

// updateIn runs fn in a write transaction on p, migrating p's records to
// the current schema first in the same transaction if they need it.
func (s *Service) updateIn(ctx context.Context, p store.Partition, fn func(tx store.Tx) error) error {
	return s.store.Update(ctx, p, func(tx store.Tx) error {
		if err := migrate(tx, p); err != nil {
			return err
		}
		return fn(tx)
	})
}

// str dereferences an optional string.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ptr returns a pointer to v; outputs use pointers for optional members.
func ptr[T any](v T) *T { return &v }

// optional returns nil for the zero value, so that empty members are
// omitted from outputs as AWS omits them.
func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
