package service

import (
	"context"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// Mailbox quotas. WorkMail's mailboxes hold at most 50 GB (a hard limit)
// and a new mailbox's quota is that maximum, in megabytes.
const (
	maxMailboxQuota     = 51200
	defaultMailboxQuota = maxMailboxQuota
)

// mailboxQuotas holds the quota an administrator set on an entity's
// mailbox, keyed "<org>/<entity id>"; an entity without a record has the
// default quota. DeleteUser (entityRemoved) drops the record.
var mailboxQuotas = &table[mailboxQuota]{
	codec: record.For[mailboxQuota](),
	coll:  "mailbox-quota",
	id:    func(q *mailboxQuota) string { return q.EntityID },
}

type mailboxQuota struct {
	EntityID string `json:"entityId"`
	QuotaMB  int32  `json:"quotaMB"`
}

// mailboxParty is one kind of entity as the mailbox operations see it:
// how to read its state and what it may take part in. Adding a kind to
// the mailbox operations is one party here and one entry in each list
// below that accepts it.
type mailboxParty struct {
	kind   entityKind
	status func(r store.Reader, o orgRef, id string) (*entityStatus, error)
	// grantee is the GranteeType the kind is listed with when it holds a
	// permission; "" when it cannot hold one.
	grantee model.MemberType
	// fullAccess: its mailbox may be shared with FULL_ACCESS (a group has
	// no mailbox of its own, only an address to send as).
	fullAccess bool
}

// entityStatus is what the mailbox operations need to know of an entity.
type entityStatus struct {
	State     string // ENABLED, DISABLED or DELETED
	DeletedAt time.Time
	// Mailbox: the entity has a mailbox (it was registered to WorkMail
	// once and is not deleted; a deregistered one keeps its mailbox).
	Mailbox bool
}

var (
	userParty     = mailboxParty{kind: userKind, status: userStatus, grantee: model.MemberTypeUser, fullAccess: true}
	groupParty    = mailboxParty{kind: groupKind, status: groupStatus, grantee: model.MemberTypeGroup}
	resourceParty = mailboxParty{kind: resourceKind, status: resourceStatus, fullAccess: true}
)

// The kinds each mailbox operation accepts.
var (
	mailboxOwners   = []mailboxParty{userParty, groupParty, resourceParty} // EntityId of the permission operations
	mailboxGrantees = []mailboxParty{userParty, groupParty}                // GranteeId
	quotaHolders    = []mailboxParty{userParty}                            // UserId of GetMailboxDetails and UpdateMailboxQuota
)

func userStatus(r store.Reader, o orgRef, id string) (*entityStatus, error) {
	u, err := users.get(r, o, id)
	if err != nil || u == nil {
		return nil, err
	}
	return &entityStatus{State: u.State, DeletedAt: u.DeletedAt, Mailbox: u.hasMailbox()}, nil
}

// hasMailbox: the user was registered to WorkMail once and is not
// deleted (a deregistered user keeps its mailbox).
func (u *user) hasMailbox() bool { return u.State != userDeleted && !u.MailboxProvisionedAt.IsZero() }

func groupStatus(r store.Reader, o orgRef, id string) (*entityStatus, error) {
	g, err := groups.get(r, o, id)
	if err != nil || g == nil {
		return nil, err
	}
	return &entityStatus{State: g.State, DeletedAt: g.DeletedAt}, nil
}

func resourceStatus(r store.Reader, o orgRef, id string) (*entityStatus, error) {
	res, err := resources.get(r, o, id)
	if err != nil || res == nil {
		return nil, err
	}
	return &entityStatus{State: res.State, DeletedAt: res.DeletedAt, Mailbox: res.hasMailbox()}, nil
}

// hasMailbox: the resource was registered to WorkMail once and is not
// deleted.
func (res *resource) hasMailbox() bool { return res.State != resourceDeleted && !res.EnabledAt.IsZero() }

// mailboxEntity is a resolved entity of one of the mailbox parties.
type mailboxEntity struct {
	entityRef
	party *mailboxParty
	*entityStatus
}

// resolveMailboxEntity finds the entity ident names among parties (see
// resolveEntity). An unknown entity, or one deleted longer than the
// retention ago, is EntityNotFoundException; a deleted one within the
// retention is returned with State DELETED for the caller to judge.
func (s *Service) resolveMailboxEntity(r store.Reader, o orgRef, ident string, parties []mailboxParty) (*mailboxEntity, error) {
	kinds := make([]entityKind, len(parties))
	for i, p := range parties {
		kinds[i] = p.kind
	}
	ref, found, err := resolveEntity(r, o, ident, kinds...)
	if err != nil {
		return nil, err
	}
	var e *mailboxEntity
	if found {
		for i := range parties {
			if parties[i].kind.name == ref.Kind {
				st, err := parties[i].status(r, o, ref.ID)
				if err != nil {
					return nil, err
				}
				if st != nil {
					e = &mailboxEntity{ref, &parties[i], st}
				}
			}
		}
	}
	if e == nil || (e.State == userDeleted && !s.now().Before(e.DeletedAt.Add(DeletedUserRetention))) {
		return nil, model.ErrEntityNotFound.Errorf("Entity %s does not exist in organization %s.", ident, o.ID)
	}
	return e, nil
}

// GetMailboxDetails implements WorkMailService.GetMailboxDetails: the
// quota (the default until UpdateMailboxQuota sets one) and the size, in
// megabytes, as the mail store reports it (0 without one). A user has a
// mailbox once registered to WorkMail, and keeps it when deregistered; a
// user that never was, or is deleted, has none, and the model declares
// only EntityNotFoundException for either.
func (s *Service) GetMailboxDetails(ctx context.Context, in *model.GetMailboxDetailsInput) (*model.GetMailboxDetailsOutput, error) {
	var out *model.GetMailboxDetailsOutput
	var box MailboxRef
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		e, err := s.resolveMailboxEntity(r, o, str(in.UserId), quotaHolders)
		if err != nil {
			return err
		}
		if !e.Mailbox {
			return model.ErrEntityNotFound.Errorf("User %s has no mailbox: it is %s and %s.", e.ID, e.State, noMailboxReason(e))
		}
		quota, err := mailboxQuotaOf(r, o, e.ID)
		if err != nil {
			return err
		}
		out = &model.GetMailboxDetailsOutput{MailboxQuota: ptr(quota), MailboxSize: ptr(0.0)}
		box = mailboxOf(o, e.ID)
		return nil
	})
	if err != nil || s.mailboxSizes == nil {
		return out, err
	}
	// Asked outside the transaction: the mail store may be slow. When it
	// does not answer, the size is reported as 0 rather than failing a
	// call whose model declares no error for it.
	n, serr := s.mailboxSizes.StorageBytes(ctx, box.Address())
	if serr != nil {
		s.log.Warn("GetMailboxDetails: the mail store did not tell the mailbox's size; reporting 0", "mailbox", box.Address(), "error", serr)
		return out, nil
	}
	out.MailboxSize = ptr(float64(n) / (1 << 20))
	return out, nil
}

func noMailboxReason(e *mailboxEntity) string {
	if e.State == userDeleted {
		return "its mailbox was removed"
	}
	return "was never registered to WorkMail"
}

func mailboxQuotaOf(r store.Reader, o orgRef, id string) (int32, error) {
	q, err := mailboxQuotas.get(r, o, id)
	if err != nil || q == nil {
		return defaultMailboxQuota, err
	}
	return q.QuotaMB, nil
}

// UpdateMailboxQuota implements WorkMailService.UpdateMailboxQuota, for
// ENABLED users: at most 51200 MB (WorkMail's hard 50 GB), else
// InvalidParameterException; a user that is not ENABLED is
// EntityStateException.
func (s *Service) UpdateMailboxQuota(ctx context.Context, in *model.UpdateMailboxQuotaInput) (*model.UpdateMailboxQuotaOutput, error) {
	quota := *in.MailboxQuota // required, and at least 1, by validation
	if quota > maxMailboxQuota {
		return nil, model.ErrInvalidParameter.Errorf("MailboxQuota %d is larger than the maximum mailbox size, %d MB.", quota, maxMailboxQuota)
	}
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		e, err := s.resolveMailboxEntity(tx, o, str(in.UserId), quotaHolders)
		if err != nil {
			return err
		}
		if e.State != userEnabled {
			return model.ErrEntityState.Errorf("User %s is %s: only the mailbox of a user registered to WorkMail has a quota to change.", e.ID, e.State)
		}
		return mailboxQuotas.put(tx, o, &mailboxQuota{EntityID: e.ID, QuotaMB: quota})
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateMailboxQuotaOutput{}, nil
}

// dropMailboxes removes, when an entity is deleted, its quota, the
// permissions on its mailbox and those it holds on others'.
func dropMailboxes(tx store.Tx, o orgRef, ref entityRef) error {
	if err := mailboxQuotas.delete(tx, o, ref.ID); err != nil {
		return err
	}
	var grants []string
	prefix := o.prefix() + ref.ID + "/"
	err := tx.Scan(mailboxGrants.coll, prefix, "", 0, func(key string, _ []byte) (bool, error) {
		grants = append(grants, key[len(o.prefix()):])
		return true, nil
	})
	if err != nil {
		return err
	}
	held, err := mailboxGrants.ids(tx, o, grantsHeld, ref.ID)
	if err != nil {
		return err
	}
	for _, id := range append(grants, held...) {
		if err := mailboxGrants.delete(tx, o, id); err != nil {
			return err
		}
	}
	return nil
}
