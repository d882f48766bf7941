package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// resources is the table of the resource kind of entity (rooms and
// equipment). Records live under "<organization id>/<resource id>". While a
// resource is not deleted its name and addresses are in the shared entity
// indexes (entity.go). ListResources reads its own indexes, which hold
// resources only and keep a deleted resource until Purge, so that each
// filter pages through exactly the resources it shows:
//
//	resource-name     org/lower(name)/id
//	resource-email    org/lower(primary email)/id
//	resource-state    org/state/id
//	resource-deleted  org/deletion time/id, while deleted
var resources = &table[resource]{
	codec: record.For[resource](),
	coll:  "resource",
	id:    func(r *resource) string { return r.ID },
	indexes: []indexOn[resource]{
		{entityNames, func(r *resource) []string { return r.whileUndeleted(r.Name) }},
		{entityEmails, func(r *resource) []string {
			if r.State == resourceDeleted {
				return nil
			}
			return r.all()
		}},
		{resourceNames, func(r *resource) []string { return []string{r.Name} }},
		{resourceEmails, func(r *resource) []string { return nonEmpty(r.Email) }},
		{resourceStates, func(r *resource) []string { return []string{r.State} }},
		{deletedResources, func(r *resource) []string {
			if r.State != resourceDeleted {
				return nil
			}
			return []string{deletedAtKey(r.DeletedAt)}
		}},
	},
}

var (
	resourceNames    = &index{coll: "resource-name", fold: true}
	resourceEmails   = &index{coll: "resource-email", fold: true}
	resourceStates   = &index{coll: "resource-state"}
	deletedResources = &index{coll: "resource-deleted"}
	resourceKind     = kindOf(resources)
)

// Resource states are the entity states users have.
const (
	resourceEnabled  = userEnabled
	resourceDisabled = userDisabled
	resourceDeleted  = userDeleted
)

// DeletedResourceRetention is how long a deleted resource stays
// describable and listed with State DELETED: the users' 30 days.
const DeletedResourceRetention = DeletedUserRetention

// resource is the stored record. Timestamps are zero until the event happens.
type resource struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	addresses
	State   string  `json:"state"`
	Hidden  bool    `json:"hidden,omitempty"`
	Booking booking `json:"booking"`

	CreatedAt  time.Time `json:"createdAt"`
	EnabledAt  time.Time `json:"enabledAt,omitzero"`
	DisabledAt time.Time `json:"disabledAt,omitzero"`
	DeletedAt  time.Time `json:"deletedAt,omitzero"`
}

// booking are a resource's booking options.
type booking struct {
	AutoAccept             bool `json:"autoAccept"`
	AutoDeclineRecurring   bool `json:"autoDeclineRecurring"`
	AutoDeclineConflicting bool `json:"autoDeclineConflicting"`
}

// defaultBooking is how WorkMail describes a new resource.
var defaultBooking = booking{AutoAccept: true, AutoDeclineRecurring: false, AutoDeclineConflicting: true}

func (b booking) options() *model.BookingOptions {
	return &model.BookingOptions{
		AutoAcceptRequests:             ptr(b.AutoAccept),
		AutoDeclineRecurringRequests:   ptr(b.AutoDeclineRecurring),
		AutoDeclineConflictingRequests: ptr(b.AutoDeclineConflicting),
	}
}

func (r *resource) whileUndeleted(v string) []string {
	if r.State == resourceDeleted {
		return nil
	}
	return nonEmpty(v)
}

func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// resolveResource finds the resource an EntityIdentifier names: an id,
// else an email, else a name (see resolveEntity). A deleted resource
// answers by id only, until its retention ends.
func (s *Service) resolveResource(r store.Reader, o orgRef, ident string) (*resource, error) {
	ref, found, err := resolveEntity(r, o, ident, resourceKind)
	if err != nil {
		return nil, err
	}
	var res *resource
	if found {
		if res, err = resources.get(r, o, ref.ID); err != nil {
			return nil, err
		}
	}
	if res == nil || s.gone(res.State, res.DeletedAt) {
		return nil, model.ErrEntityNotFound.Errorf("Resource %s does not exist in organization %s.", ident, o.ID)
	}
	return res, nil
}

// undeletedResource resolves a resource for operations that change it or
// what hangs on it: a deleted resource is EntityStateException.
func (s *Service) undeletedResource(r store.Reader, o orgRef, ident string) (*resource, error) {
	res, err := s.resolveResource(r, o, ident)
	if err != nil {
		return nil, err
	}
	if res.State == resourceDeleted {
		return nil, model.ErrEntityState.Errorf("Resource %s is deleted.", res.ID)
	}
	return res, nil
}

func interoperabilityRefusal(o orgRef) error {
	return model.ErrUnsupportedOperation.Errorf("Resources can't be created or enabled while organization %s is in interoperability mode.", o.ID)
}

// CreateResource implements WorkMailService.CreateResource. The resource
// starts DISABLED with no email and WorkMail's default booking options;
// RegisterToWorkMail enables it. Organizations in interoperability mode
// refuse it (UnsupportedOperationException).
func (s *Service) CreateResource(ctx context.Context, in *model.CreateResourceInput) (*model.CreateResourceOutput, error) {
	res := &resource{
		ID:          "r-" + s.ids.Hex(32), // drawn once, however often the transaction runs
		Name:        str(in.Name),
		Type:        string(*in.Type),
		Description: str(in.Description),
		State:       resourceDisabled,
		Hidden:      in.HiddenFromGlobalAddressList != nil && *in.HiddenFromGlobalAddressList,
		Booking:     defaultBooking,
		CreatedAt:   s.now(),
	}
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		if org.Interoperability {
			return interoperabilityRefusal(o)
		}
		return resources.insert(tx, o, res)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateResourceOutput{ResourceId: &res.ID}, nil
}

// DescribeResource implements WorkMailService.DescribeResource.
func (s *Service) DescribeResource(ctx context.Context, in *model.DescribeResourceInput) (*model.DescribeResourceOutput, error) {
	var out *model.DescribeResourceOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		res, err := s.resolveResource(r, o, str(in.ResourceId))
		if err != nil {
			return err
		}
		out = &model.DescribeResourceOutput{
			ResourceId:                  ptr(res.ID),
			Email:                       optional(res.Email),
			Name:                        ptr(res.Name),
			Type:                        ptr(model.ResourceType(res.Type)),
			BookingOptions:              res.Booking.options(),
			State:                       ptr(model.EntityState(res.State)),
			EnabledDate:                 timestamp(res.EnabledAt),
			DisabledDate:                timestamp(res.DisabledAt),
			Description:                 optional(res.Description),
			HiddenFromGlobalAddressList: ptr(res.Hidden),
		}
		return nil
	})
	return out, err
}

// UpdateResource implements WorkMailService.UpdateResource: members that
// are present replace the stored ones (Description "" clears it);
// BookingOptions replaces all three options, an absent option being false
// (the Go SDK does not send false ones). Booking options that neither
// accept requests automatically nor leave a delegate to answer them are
// InvalidConfigurationException. A Name of the form name@domain names the
// resource's address too: its domain must be a mail domain of the
// organization, and a resource that has an email takes it as its new email.
func (s *Service) UpdateResource(ctx context.Context, in *model.UpdateResourceInput) (*model.UpdateResourceOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		org, err := s.activeOrganization(tx, o)
		if err != nil {
			return err
		}
		res, err := s.undeletedResource(tx, o, str(in.ResourceId))
		if err != nil {
			return err
		}
		if in.Name != nil {
			res.Name = *in.Name
			if strings.Contains(res.Name, "@") {
				if err := checkMailDomain(tx, o, org, res.Name); err != nil {
					return err
				}
				if res.Email != "" {
					res.Email = res.Name
				}
			}
		}
		if in.Type != nil {
			res.Type = string(*in.Type)
		}
		if in.Description != nil {
			res.Description = *in.Description
		}
		if in.HiddenFromGlobalAddressList != nil {
			res.Hidden = *in.HiddenFromGlobalAddressList
		}
		if b := in.BookingOptions; b != nil {
			res.Booking = booking{
				AutoAccept:             b.AutoAcceptRequests != nil && *b.AutoAcceptRequests,
				AutoDeclineRecurring:   b.AutoDeclineRecurringRequests != nil && *b.AutoDeclineRecurringRequests,
				AutoDeclineConflicting: b.AutoDeclineConflictingRequests != nil && *b.AutoDeclineConflictingRequests,
			}
			if !res.Booking.AutoAccept {
				has, err := hasDelegates(tx, o, res.ID)
				if err != nil {
					return err
				}
				if !has {
					return model.ErrInvalidConfiguration.Errorf("Resource %s must either accept requests automatically or have a delegate to answer them: associate a delegate before turning AutoAcceptRequests off.", res.ID)
				}
			}
		}
		return resources.put(tx, o, res) // claims a new name or email, releases the old one
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateResourceOutput{}, nil
}

// DeleteResource implements WorkMailService.DeleteResource. Only a
// DISABLED resource can be deleted; an unknown or already deleted one
// succeeds (the model declares no EntityNotFoundException). The name and
// email become free, its delegates are dropped, and the record stays
// describable by id with State DELETED for DeletedResourceRetention.
func (s *Service) DeleteResource(ctx context.Context, in *model.DeleteResourceInput) (*model.DeleteResourceOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		res, err := s.resolveResource(tx, o, str(in.ResourceId))
		if errors.Is(err, model.ErrEntityNotFound) || (err == nil && res.State == resourceDeleted) {
			return nil
		}
		if err != nil {
			return err
		}
		if res.State != resourceDisabled {
			return model.ErrEntityState.Errorf("Resource %s is %s: deregister it from WorkMail before deleting it.", res.ID, res.State)
		}
		if err := entityRemoved(tx, o, entityRef{resourceKind.name, res.ID}, s.now()); err != nil {
			return err
		}
		res.State, res.DeletedAt = resourceDeleted, s.now()
		return resources.put(tx, o, res)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteResourceOutput{}, nil
}

// registerResource is RegisterToWorkMail of a resource: a DISABLED
// resource becomes ENABLED with the email, under the user rules
// (RegisterToWorkMail of users). Organizations in interoperability mode
// refuse it (UnsupportedOperationException).
func (s *Service) registerResource(tx store.Tx, o orgRef, org *organization, r *resource, email string) error {
	switch {
	case r.State == resourceDeleted:
		return model.ErrEntityState.Errorf("Resource %s is deleted.", r.ID)
	case r.State == resourceEnabled && strings.EqualFold(r.Email, email):
		return nil
	case r.State == resourceEnabled:
		return model.ErrEntityAlreadyRegistered.Errorf("Resource %s is already registered to WorkMail as %s.", r.ID, r.Email)
	case org.Interoperability:
		return interoperabilityRefusal(o)
	}
	if err := checkMailDomain(tx, o, org, email); err != nil {
		return err
	}
	r.State, r.Email, r.EnabledAt, r.DisabledAt = resourceEnabled, email, s.now(), time.Time{}
	return resources.put(tx, o, r) // claims the email, releases the old one
}

// deregisterResource is DeregisterFromWorkMail of a resource: an ENABLED
// resource becomes DISABLED and keeps its email until deleted.
func (s *Service) deregisterResource(tx store.Tx, o orgRef, r *resource) error {
	if r.State != resourceEnabled {
		return model.ErrEntityState.Errorf("Resource %s is %s, not registered to WorkMail.", r.ID, r.State)
	}
	r.State, r.DisabledAt = resourceDisabled, s.now()
	return resources.put(tx, o, r)
}

// purgeResource removes a deleted resource past its retention. Its
// delegations went when it was deleted.
func purgeResource(tx store.Tx, o orgRef, id string) error {
	return resources.delete(tx, o, id)
}
