//go:build !linux

package realtime

import (
	"syscall"
	"time"
)

// setUserTimeout is Linux-only; elsewhere keepalives must do.
func setUserTimeout(time.Duration) func(network, address string, c syscall.RawConn) error {
	return nil
}
