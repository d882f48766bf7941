// Package connwatch enforces an HTTP server's connection timeouts (header
// read, whole request read, response write, keep-alive idle) from one
// sweeping goroutine, instead of through net/http's per-request socket
// deadlines.
//
// net/http implements its timeouts by setting read and write deadlines
// on the socket several times per request, and each of those is a runtime
// timer update; for a server answering small requests over keep-alive
// connections that is a measurable share of its CPU. Here each connection
// only records, with plain memory writes, which phase it is in and since
// when; a sweeper wakes a few times per shortest timeout and puts a past
// deadline on the sockets that have overstayed. The effect on a slow
// client is the one net/http's own timeouts have: its reads or writes
// fail and the server closes the connection. A timeout fires no earlier
// than configured and at most two sweeps later.
//
// Use it with http.Server's own timeouts left at zero: serve on
// Watcher.Listener and set http.Server.ConnState to Watcher.ConnState.
package connwatch

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Timeouts are the limits enforced; each must be positive.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers, from its first byte
	// (or from the connection's start, for its first request).
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included, from the same
	// start.
	Read time.Duration
	// Write bounds the time from the end of a request's headers to the
	// end of its response.
	Write time.Duration
	// Idle bounds the wait for the next request on a kept-alive
	// connection.
	Idle time.Duration
}

// Sweep interval bounds: a quarter of the shortest timeout, within these.
const (
	minSweep = 10 * time.Millisecond
	maxSweep = time.Second
)

// past is a deadline that has always passed.
var past = time.Unix(1, 0)

// Watcher watches the connections accepted through its listener.
type Watcher struct {
	net.Listener
	timeouts Timeouts
	sweep    time.Duration
	now      atomic.Int64 // unix nanoseconds, refreshed by every sweep

	mu    sync.Mutex
	conns map[*conn]struct{}

	stop     chan struct{}
	stopOnce sync.Once
}

// Listen wraps ln; its connections are timed out by t. Closing the
// returned listener stops the sweeper.
func Listen(ln net.Listener, t Timeouts) *Watcher {
	sweep := min(t.ReadHeader, t.Read, t.Write, t.Idle) / 4
	sweep = max(minSweep, min(sweep, maxSweep))
	w := &Watcher{
		Listener: ln,
		timeouts: t,
		sweep:    sweep,
		conns:    make(map[*conn]struct{}),
		stop:     make(chan struct{}),
	}
	w.now.Store(time.Now().UnixNano())
	go w.sweeper()
	return w
}

// Timeouts returns the limits w enforces.
func (w *Watcher) Timeouts() Timeouts { return w.timeouts }

// Accept implements net.Listener.
func (w *Watcher) Accept() (net.Conn, error) {
	nc, err := w.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &conn{Conn: nc, w: w}
	c.enter(phaseReading, w.now.Load())
	w.mu.Lock()
	w.conns[c] = struct{}{}
	w.mu.Unlock()
	return c, nil
}

// Close implements net.Listener; it also stops the sweeper.
func (w *Watcher) Close() error {
	w.stopOnce.Do(func() { close(w.stop) })
	return w.Listener.Close()
}

// ConnState is the http.Server.ConnState hook that tells w where each
// request is.
func (w *Watcher) ConnState(nc net.Conn, state http.ConnState) {
	c, ok := nc.(*conn)
	if !ok {
		return
	}
	switch state {
	case http.StateActive: // the headers have been read
		c.enter(phaseActive, w.now.Load())
	case http.StateIdle:
		c.enter(phaseIdle, w.now.Load())
	case http.StateHijacked, http.StateClosed:
		w.mu.Lock()
		delete(w.conns, c)
		w.mu.Unlock()
	}
}

func (w *Watcher) sweeper() {
	tick := time.NewTicker(w.sweep)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case t := <-tick.C:
			now := t.UnixNano()
			w.now.Store(now)
			w.expire(now)
		}
	}
}

// expire puts a past deadline on every connection that has overstayed
// its phase. The phase's start was read from the coarse clock, which
// lags by up to one sweep, hence the extra sweep of grace.
func (w *Watcher) expire(now int64) {
	grace := int64(w.sweep)
	t := w.timeouts
	w.mu.Lock()
	defer w.mu.Unlock()
	for c := range w.conns {
		c.mu.Lock()
		switch phase(c.phase.Load()) {
		case phaseReading:
			if over(now, c.requestStart, min(t.ReadHeader, t.Read), grace) {
				_ = c.Conn.SetReadDeadline(past)
			}
		case phaseActive:
			if over(now, c.requestStart, t.Read, grace) {
				_ = c.Conn.SetReadDeadline(past)
			}
			if over(now, c.phaseStart, t.Write, grace) {
				_ = c.Conn.SetWriteDeadline(past)
			}
		case phaseIdle:
			if over(now, c.phaseStart, t.Idle, grace) {
				_ = c.Conn.SetReadDeadline(past)
			}
		}
		c.mu.Unlock()
	}
}

func over(now, since int64, limit time.Duration, grace int64) bool {
	return now > since+int64(limit)+grace
}

type phase int32

const (
	phaseReading phase = iota // reading a request's headers
	phaseActive               // headers read; the handler runs
	phaseIdle                 // waiting for the next request
)

// conn is an accepted connection and where its current request is.
type conn struct {
	net.Conn
	w *Watcher

	phase atomic.Int32 // a phase; read without mu on every Read

	mu           sync.Mutex // guards the starts and orders phase changes with expire
	requestStart int64      // when the current request's first byte came
	phaseStart   int64
}

func (c *conn) enter(p phase, now int64) {
	c.mu.Lock()
	if p == phaseReading {
		c.requestStart = now
	}
	c.phaseStart = now
	c.phase.Store(int32(p))
	c.mu.Unlock()
}

// Read implements net.Conn. The first bytes after an idle wait start the
// next request's clock, as net/http starts its header timeout only once
// the next request begins to arrive.
func (c *conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && phase(c.phase.Load()) == phaseIdle {
		c.enter(phaseReading, c.w.now.Load())
	}
	return n, err
}
