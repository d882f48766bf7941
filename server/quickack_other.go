//go:build !linux

package server

import "net"

// setQuickAck does nothing where TCP_QUICKACK does not exist.
func setQuickAck(*net.TCPConn) {}
