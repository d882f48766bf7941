package server

import (
	"context"

	"github.com/workmaild/workmaild/internal/service"
)

// Mobile device access is decided when an ActiveSync device connects,
// which the WorkMail API cannot ask (GetMobileDeviceAccessEffect names no
// user or device, so it never sees overrides). CheckMobileDevice is the
// question a mail-login bridge asks, and what tests ask to see overrides
// at work.
type (
	// MobileDeviceCheck names the partition, organization, user (id, name
	// or email), device id and the properties the device reported ("" for
	// one it did not report).
	MobileDeviceCheck = service.MobileDeviceCheck
	// MobileDeviceAccess is the effect, and the override or the rules that
	// produced it.
	MobileDeviceAccess = service.MobileDeviceAccess
	// MobileDeviceMatchedRule names a rule that produced an effect.
	MobileDeviceMatchedRule = service.MobileDeviceMatchedRule
)

// CheckMobileDevice evaluates the organization's mobile device access
// rules and the user's override for the device, as WorkMail does when the
// device syncs: an override wins, else a matching DENY rule denies, else a
// matching ALLOW rule allows, else the device is denied. An unknown or
// inactive organization or an unknown user is a *model.Error with the
// WorkMail code.
func (s *Server) CheckMobileDevice(ctx context.Context, c MobileDeviceCheck) (MobileDeviceAccess, error) {
	return s.service.CheckMobileDevice(ctx, c)
}
