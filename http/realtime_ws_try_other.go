//go:build !unix

package http

import (
	"errors"
	"syscall"
)

var errWouldBlock = errors.New("write would block")

// tryWrite is never called here: rawConn gives no descriptor, so every
// socket has a writer goroutine of its own.
func (c *corkConn) tryWrite(b []byte) (int, error) { return 0, errWouldBlock }

func rawConn(any) syscall.RawConn { return nil }

type tryWriter struct{}
