//go:build unix

package http

import (
	"errors"
	"syscall"
)

// errWouldBlock: the kernel took only part of a write (or none) and would
// have the writer wait for the peer.
var errWouldBlock = errors.New("write would block")

// tryWrite writes b as far as the kernel takes it now, without waiting
// for the peer: n bytes went, and errWouldBlock says the rest would wait
// (c.raw set; c.mu held).
func (c *corkConn) tryWrite(b []byte) (n int, err error) {
	var werr error
	err = c.raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, e := syscall.Write(int(fd), b[n:])
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				werr = errWouldBlock
				return true // done: do not wait for the socket to drain
			case e != nil:
				werr = e
				return true
			case m <= 0:
				werr = errWouldBlock
				return true
			}
			n += m
		}
		return true
	})
	if err != nil {
		return n, err
	}
	return n, werr
}

// rawConn returns what tryWrite writes through: nil when conn has no
// file descriptor (its writes may wait, and no shared writer takes it).
func rawConn(conn any) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
