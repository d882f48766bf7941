package workmailtest

import (
	"sync"
	"time"
)

// Clock is a server's time, movable from the test. It is safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	// fixed clocks stand still at at; the others follow the real time
	// shifted by offset.
	fixed  bool
	at     time.Time
	offset time.Duration
}

// NewClock returns a clock that stands still at start until moved. Pass it
// to WithClock; share it with the code under test when that code must agree
// with the server about the time.
func NewClock(start time.Time) *Clock { return &Clock{fixed: true, at: start} }

// realClock follows the real time until moved; a server made without
// WithClock uses one, so that Advance works on every server.
func realClock() *Clock { return &Clock{} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed {
		return c.at
	}
	return time.Now().Add(c.offset)
}

// Advance moves the clock by d (backwards when d is negative). Everything
// the server derives from time follows at once: organization states,
// retention of deleted organizations, expiry dates.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}
