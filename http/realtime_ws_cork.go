package http

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// corkConn is a socket's connection under the WebSocket library. While
// held (wsConn.writeBatch, for a batch of more than one message) the
// frames the library writes and flushes one by one are gathered and go to
// the kernel in one write at release (or each time corkMax is reached):
// one system call per batch instead of one per message, which was half of
// a replica's CPU in fan-out (issue 20). Frames written meanwhile by other
// goroutines (a pong, a ping, a close) keep their place in the stream:
// every write goes through mu. The buffer is taken from a pool for the
// batch only: an idle socket holds none.
type corkConn struct {
	net.Conn
	rd   io.Reader // what Read reads (the pong filter over Conn); nil: Conn
	mu   sync.Mutex
	held *[]byte // frames waiting while held; nil when not held
}

// corkMax bounds what a held connection gathers before it writes.
const corkMax = 16 << 10

var corkBufs = sync.Pool{New: func() any { b := make([]byte, 0, corkMax); return &b }}

func (c *corkConn) Read(p []byte) (int, error) {
	if c.rd == nil {
		return c.Conn.Read(p)
	}
	return c.rd.Read(p)
}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held != nil {
		if len(*c.held)+len(p) > corkMax {
			if err := c.flushLocked(); err != nil {
				return 0, err
			}
		}
		if len(p) <= corkMax {
			*c.held = append(*c.held, p...)
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

// flushLocked writes what was gathered (c.mu held).
func (c *corkConn) flushLocked() error {
	b := *c.held
	*c.held = b[:0]
	if len(b) == 0 {
		return nil
	}
	_, err := c.Conn.Write(b)
	return err
}

// corkCloseWait bounds how long Close spends writing what was gathered.
const corkCloseWait = 250 * time.Millisecond

// Close writes what was gathered, then closes the connection. The
// WebSocket library closes the connection right after frames it counts as
// written: its answer to the peer's close frame, its 1009 for a message
// over the limit (the handler then returns and closes). Gathered, those
// frames were dropped with the connection, and the peer saw it drop
// without a close frame. The deadline also ends a write blocked on a peer
// that does not read (which holds mu), so the write timeout still cuts
// such a peer off, corkCloseWait later at most.
func (c *corkConn) Close() error {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(corkCloseWait))
	c.mu.Lock()
	if c.held != nil {
		_ = c.flushLocked()
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// hold gathers writes until release.
func (c *corkConn) hold() {
	c.mu.Lock()
	if c.held == nil {
		c.held = corkBufs.Get().(*[]byte)
	}
	c.mu.Unlock()
	if f := corkHeldHook.Load(); f != nil {
		(*f)(c)
	}
}

// corkHeldHook, set by tests only, runs on a batch's writer right after
// hold: a test parks the writer there to act while a batch is gathered.
var corkHeldHook atomic.Pointer[func(*corkConn)]

// release writes what was gathered since hold, and writes through again.
func (c *corkConn) release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held == nil {
		return nil
	}
	err := c.flushLocked()
	*c.held = (*c.held)[:0]
	corkBufs.Put(c.held)
	c.held = nil
	return err
}
