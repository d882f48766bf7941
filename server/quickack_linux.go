package server

import (
	"net"
	"syscall"
)

// setQuickAck asks Linux to acknowledge the next segments at once
// (TCP_QUICKACK); errors are ignored: it only saves time.
func setQuickAck(c *net.TCPConn) {
	raw, err := c.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
