package main

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// balancer spreads TCP connections over backends, round-robin, and
// copies bytes both ways: a layer-4 load balancer, as HAProxy in TCP
// mode is. A keep-alive HTTP connection stays on the backend it was
// given, so wrk's connections are split evenly between them. It runs in
// the harness's process; Linux splices the bytes between the two sockets
// without copying them through it.
type balancer struct {
	ln       net.Listener
	backends []string // host:port
	next     atomic.Uint64

	mu     sync.Mutex
	conns  map[net.Conn]bool // open, both sides
	closed bool
	wg     sync.WaitGroup
}

// newBalancer listens on a free loopback port and spreads connections
// over backends.
func newBalancer(backends []string) (*balancer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &balancer{ln: ln, backends: backends, conns: map[net.Conn]bool{}}
	b.wg.Go(b.accept)
	return b, nil
}

func (b *balancer) url() string { return "http://" + b.ln.Addr().String() }

// pick is the backend of the next connection.
func (b *balancer) pick() string {
	return b.backends[(b.next.Add(1)-1)%uint64(len(b.backends))]
}

func (b *balancer) accept() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return // closed
		}
		b.wg.Go(func() { b.proxy(c) })
	}
}

// proxy connects c to the next backend; a backend that cannot be reached
// closes c, as a dead replica behind a TCP balancer would.
func (b *balancer) proxy(c net.Conn) {
	d, err := net.Dial("tcp", b.pick())
	if err != nil {
		c.Close()
		return
	}
	if !b.track(c, d) {
		c.Close()
		d.Close()
		return
	}
	defer b.untrack(c, d)
	done := make(chan struct{})
	go func() {
		copyHalf(d, c) // requests
		close(done)
	}()
	copyHalf(c, d) // answers
	<-done
}

// copyHalf copies from src to dst until src ends, then closes dst for
// writing so that the peer sees the end too.
func copyHalf(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	} else {
		dst.Close()
	}
}

func (b *balancer) track(cs ...net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	for _, c := range cs {
		b.conns[c] = true
	}
	return true
}

func (b *balancer) untrack(cs ...net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(b.conns, c)
	}
}

// close stops accepting, cuts every open connection and waits for the
// copies to end.
func (b *balancer) close() {
	b.ln.Close()
	b.mu.Lock()
	b.closed = true
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
}
