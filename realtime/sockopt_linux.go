package realtime

import (
	"syscall"
	"time"
)

// tcpUserTimeout is TCP_USER_TIMEOUT (linux/tcp.h), absent from package syscall.
const tcpUserTimeout = 0x12

// setUserTimeout returns a net.Dialer Control that makes the kernel give up
// on a connection whose sent data stays unacknowledged for d.
func setUserTimeout(d time.Duration) func(network, address string, c syscall.RawConn) error {
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpUserTimeout, int(d.Milliseconds()))
		})
		if err != nil {
			return err
		}
		if serr == syscall.ENOPROTOOPT || serr == syscall.EOPNOTSUPP {
			return nil // a Unix socket: nothing to time out
		}
		return serr
	}
}
