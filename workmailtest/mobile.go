package workmailtest

import "github.com/workmaild/workmaild/server"

// CheckMobileDevice asks whether a user's ActiveSync device may sync now,
// as WorkMail decides when the device connects: the user's override for
// the device wins over the organization's mobile device access rules
// (GetMobileDeviceAccessEffect, which names no user or device, sees only
// the rules). An empty Account or Region means the default client's. An
// unknown organization or user is an error, not a test failure.
func (s *Server) CheckMobileDevice(c server.MobileDeviceCheck) (server.MobileDeviceAccess, error) {
	c.Account, c.Region = s.orDefault(c.Account, c.Region)
	return s.handler.CheckMobileDevice(s.t.Context(), c)
}
