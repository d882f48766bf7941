package service

import (
	"context"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/policy"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// mobileOverrides decide one user's one device whatever the rules say, at
// "<org>/<user id>/<lower(device id)>": a user's overrides are one prefix,
// in device id order. DeviceId is case-insensitive, so the key folds it;
// the record keeps the spelling of the first Put. mobile-override-device
// ("<org>/<lower(device id)>/<user id>/<lower(device id)>") lists a
// device's overrides across users.
var mobileOverrides = &table[mobileOverride]{
	codec: record.For[mobileOverride](),
	coll:  "mobile-override",
	id:    func(m *mobileOverride) string { return mobileOverrideID(m.UserID, m.DeviceID) },
	indexes: []indexOn[mobileOverride]{
		{overrideDevices, func(m *mobileOverride) []string { return []string{m.DeviceID} }},
	},
}

var overrideDevices = &index{coll: "mobile-override-device", fold: true}

func mobileOverrideID(userID, deviceID string) string {
	return userID + "/" + strings.ToLower(deviceID)
}

type mobileOverride struct {
	UserID      string    `json:"userId"`
	DeviceID    string    `json:"deviceId"`
	Effect      string    `json:"effect"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	ModifiedAt  time.Time `json:"modifiedAt"`
}

// overrideUser resolves the user an override operation names. The model
// declares no EntityStateException for Get, Delete and List, and a
// deleted user has no overrides left: it is EntityNotFoundException there.
func (s *Service) overrideUser(r store.Reader, o orgRef, ident string) (*user, error) {
	u, err := s.resolveUser(r, o, ident)
	if err != nil {
		return nil, err
	}
	if u.State == userDeleted {
		return nil, model.ErrEntityNotFound.Errorf("User %s is deleted.", u.ID)
	}
	return u, nil
}

// PutMobileDeviceAccessOverride implements
// WorkMailService.PutMobileDeviceAccessOverride: it creates the override
// of the user's device, or replaces its effect and description (keeping
// its creation date and the device id's first spelling). The user must be
// ENABLED: only a user with a mailbox has devices to sync.
func (s *Service) PutMobileDeviceAccessOverride(ctx context.Context, in *model.PutMobileDeviceAccessOverrideInput) (*model.PutMobileDeviceAccessOverrideOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		u, err := s.undeletedUser(tx, o, str(in.UserId))
		if err != nil {
			return err
		}
		if u.State != userEnabled {
			return model.ErrEntityState.Errorf("User %s is %s: register it to WorkMail before overriding its devices' access.", u.ID, u.State)
		}
		now := s.now()
		m := &mobileOverride{UserID: u.ID, DeviceID: str(in.DeviceId), Effect: string(*in.Effect), Description: str(in.Description),
			CreatedAt: now, ModifiedAt: now}
		old, err := mobileOverrides.get(tx, o, mobileOverrides.id(m))
		if err != nil {
			return err
		}
		if old != nil {
			m.DeviceID, m.CreatedAt = old.DeviceID, old.CreatedAt
		}
		return mobileOverrides.put(tx, o, m)
	})
	if err != nil {
		return nil, err
	}
	return &model.PutMobileDeviceAccessOverrideOutput{}, nil
}

// GetMobileDeviceAccessOverride implements
// WorkMailService.GetMobileDeviceAccessOverride. A user without an
// override for the device is ResourceNotFoundException.
func (s *Service) GetMobileDeviceAccessOverride(ctx context.Context, in *model.GetMobileDeviceAccessOverrideInput) (*model.GetMobileDeviceAccessOverrideOutput, error) {
	var out *model.GetMobileDeviceAccessOverrideOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		u, err := s.overrideUser(r, o, str(in.UserId))
		if err != nil {
			return err
		}
		m, err := mobileOverrides.get(r, o, mobileOverrideID(u.ID, str(in.DeviceId)))
		if err != nil {
			return err
		}
		if m == nil {
			return model.ErrResourceNotFound.Errorf("User %s has no mobile device access override for device %s.", u.ID, str(in.DeviceId))
		}
		item := overrideItem(m)
		out = &model.GetMobileDeviceAccessOverrideOutput{
			UserId: item.UserId, DeviceId: item.DeviceId, Effect: item.Effect, Description: item.Description,
			DateCreated: item.DateCreated, DateModified: item.DateModified,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteMobileDeviceAccessOverride implements
// WorkMailService.DeleteMobileDeviceAccessOverride: an override that does
// not exist succeeds; an unknown user does not.
func (s *Service) DeleteMobileDeviceAccessOverride(ctx context.Context, in *model.DeleteMobileDeviceAccessOverrideInput) (*model.DeleteMobileDeviceAccessOverrideOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		u, err := s.overrideUser(tx, o, str(in.UserId))
		if err != nil {
			return err
		}
		return mobileOverrides.delete(tx, o, mobileOverrideID(u.ID, str(in.DeviceId)))
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteMobileDeviceAccessOverrideOutput{}, nil
}

// ListMobileDeviceAccessOverrides implements
// WorkMailService.ListMobileDeviceAccessOverrides: the organization's
// overrides, a user's, a device's across users, or one user's device
// (filters combine), in user id then device id order; 100 a page unless
// MaxResults says otherwise.
func (s *Service) ListMobileDeviceAccessOverrides(ctx context.Context, in *model.ListMobileDeviceAccessOverridesInput) (*model.ListMobileDeviceAccessOverridesOutput, error) {
	var out *model.ListMobileDeviceAccessOverridesOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		userPrefix := ""
		if in.UserId != nil {
			u, err := s.overrideUser(r, o, *in.UserId)
			if err != nil {
				return err
			}
			userPrefix = u.ID + "/"
		}
		coll, prefix := mobileOverrides.coll, o.prefix()+userPrefix
		if in.DeviceId != nil {
			coll, prefix = overrideDevices.coll, overrideDevices.entryKey(o, strings.ToLower(*in.DeviceId), userPrefix)
		}
		// The scope binds the resolved list, not the spelling of UserId.
		pg, err := s.newPager("ListMobileDeviceAccessOverrides", p, in.NextToken, in.MaxResults, coll, prefix)
		if err != nil {
			return err
		}
		list, next, err := page(r, pg, coll, prefix, func(key string, raw []byte) (model.MobileDeviceAccessOverride, bool, error) {
			var m *mobileOverride
			var err error
			if coll == mobileOverrides.coll {
				m, err = mobileOverrides.decode(key, raw)
			} else {
				m, err = mobileOverrides.get(r, o, key[len(overrideDevices.entryKey(o, strings.ToLower(*in.DeviceId), "")):])
			}
			if err != nil || m == nil {
				return model.MobileDeviceAccessOverride{}, false, err
			}
			return overrideItem(m), true, nil
		})
		out = &model.ListMobileDeviceAccessOverridesOutput{Overrides: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func overrideItem(m *mobileOverride) model.MobileDeviceAccessOverride {
	return model.MobileDeviceAccessOverride{
		UserId:       ptr(m.UserID),
		DeviceId:     ptr(m.DeviceID),
		Effect:       ptr(model.MobileDeviceAccessRuleEffect(m.Effect)),
		Description:  optional(m.Description),
		DateCreated:  timestamp(m.CreatedAt),
		DateModified: timestamp(m.ModifiedAt),
	}
}

// dropMobileOverrides removes a deleted user's overrides.
func dropMobileOverrides(tx store.Tx, o orgRef, ref entityRef) error {
	if ref.Kind != users.coll {
		return nil
	}
	var ids []string
	err := tx.Scan(mobileOverrides.coll, o.prefix()+ref.ID+"/", "", 0, func(key string, _ []byte) (bool, error) {
		ids = append(ids, key[len(o.prefix()):])
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := mobileOverrides.delete(tx, o, id); err != nil {
			return err
		}
	}
	return nil
}

// MobileDeviceCheck asks whether a user's ActiveSync device may sync now:
// what the mail-login bridge will ask when a device connects. User is an
// id, name or email; the device properties are as the device reported
// them ("" for one it did not report).
type MobileDeviceCheck struct {
	Account, Region, OrganizationID string
	User                            string
	DeviceID                        string
	DeviceType, DeviceModel         string
	DeviceOperatingSystem           string
	DeviceUserAgent                 string
}

// MobileDeviceAccess is the answer to a MobileDeviceCheck: the effect,
// and either the override that decided it or the rules that did (as
// GetMobileDeviceAccessEffect names them).
type MobileDeviceAccess struct {
	Effect       string // ALLOW or DENY
	UserID       string
	ByOverride   bool
	MatchedRules []MobileDeviceMatchedRule
}

// MobileDeviceMatchedRule names a rule that produced an effect.
type MobileDeviceMatchedRule struct{ ID, Name string }

// CheckMobileDevice evaluates the organization's rules and the user's
// overrides for a device. The organization must be Active and the user
// known (a *model.Error with the WorkMail code otherwise); a user that is
// not ENABLED has no mailbox to sync and is denied.
func (s *Service) CheckMobileDevice(ctx context.Context, c MobileDeviceCheck) (MobileDeviceAccess, error) {
	var access MobileDeviceAccess
	if c.Account == "" || c.Region == "" || c.OrganizationID == "" || c.User == "" {
		return access, model.ErrInvalidParameter.Errorf("A mobile device check needs an account, a region, an organization and a user.")
	}
	o := orgRef{store.Partition{Account: c.Account, Region: c.Region}, c.OrganizationID}
	err := s.viewIn(ctx, o.Partition, func(r store.Reader) error {
		org, err := s.activeOrganization(r, o)
		if err != nil {
			return err
		}
		u, err := s.overrideUser(r, o, c.User)
		if err != nil {
			return err
		}
		access = MobileDeviceAccess{Effect: string(policy.MobileDeny), UserID: u.ID, MatchedRules: []MobileDeviceMatchedRule{}}
		if u.State != userEnabled {
			return nil
		}
		rules, err := loadMobileRules(r, o, org)
		if err != nil {
			return err
		}
		var overrides []policy.MobileOverride
		if c.DeviceID != "" {
			m, err := mobileOverrides.get(r, o, mobileOverrideID(u.ID, c.DeviceID))
			if err != nil {
				return err
			}
			if m != nil {
				overrides = append(overrides, policy.MobileOverride{UserID: m.UserID, DeviceID: m.DeviceID, Effect: policy.MobileEffect(m.Effect)})
			}
		}
		d := policy.MobileAccess(policyRules(rules), overrides, policy.MobileRequest{
			UserID: u.ID, DeviceID: c.DeviceID,
			Device: policy.MobileDevice{Type: c.DeviceType, Model: c.DeviceModel, OperatingSystem: c.DeviceOperatingSystem, UserAgent: c.DeviceUserAgent},
		})
		access.Effect, access.ByOverride = string(d.Effect), d.Override != nil
		for _, m := range d.Matched {
			access.MatchedRules = append(access.MatchedRules, MobileDeviceMatchedRule{ID: m.ID, Name: m.Name})
		}
		return nil
	})
	return access, err
}
