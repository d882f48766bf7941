package service

import (
	"context"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// ActivateOrganization ends the creation of an organization now, as if its
// Lifecycle.CreateDelay had already passed: its creation time moves back by
// the delay (so CompletedDate is now), and the record says it was
// activated, so that another server whose clock is behind sees it Active too.
// Tests use it to get an Active organization without waiting for the delay
// or moving a clock other records depend on. An Active organization is left
// as it is; a deleted one is refused with OrganizationStateException.
func (s *Service) ActivateOrganization(ctx context.Context, id string) error {
	return s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o, err := s.findOrganization(tx, orgRef{p, id})
		if err != nil {
			return err
		}
		now := s.now()
		switch st := o.state(now, s.lifecycle); st {
		case StateActive:
			return nil
		case StateRequested, StateCreating:
			o.CreatedAt = now.Add(-s.lifecycle.CreateDelay)
			o.Activated = true
			return organizations.put(tx, orgRef{Partition: p}, o)
		default:
			return model.ErrOrganizationState.Errorf("Organization %s cannot become Active, state: %s", id, st)
		}
	})
}
