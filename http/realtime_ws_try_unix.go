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
	t := &c.tw
	if t.fn == nil {
		t.fn = t.write // once per socket: a closure per write allocated three times per message
	}
	t.b, t.n, t.err = b, 0, nil
	err = c.raw.Write(t.fn)
	n, werr := t.n, t.err
	t.b = nil
	if err != nil {
		return n, err
	}
	return n, werr
}

// tryWriter is the state of a socket's tryWrite (corkConn.tw, guarded by
// its mu), with the function RawConn.Write calls, made once.
type tryWriter struct {
	b   []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

// write is called by RawConn.Write with the socket's descriptor; it
// always returns true: done, never wait for the socket to drain.
func (t *tryWriter) write(fd uintptr) bool {
	for t.n < len(t.b) {
		m, e := syscall.Write(int(fd), t.b[t.n:])
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			t.err = errWouldBlock
			return true
		case e != nil:
			t.err = e
			return true
		case m <= 0:
			t.err = errWouldBlock
			return true
		}
		t.n += m
	}
	return true
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
