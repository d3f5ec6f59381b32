package http

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// corkConn is a socket's connection under the WebSocket library. While
// held (wsConn.writeBatch, for a batch of more than one message) the
// frames of a batch are gathered and go to the kernel in one write at
// release (or each time corkMax is reached):
// one system call per batch instead of one per message, which was half of
// a replica's CPU in fan-out (issue 20). Frames written meanwhile by other
// goroutines (a pong, a ping, a close) keep their place in the stream:
// every write goes through mu. The buffer is taken from a pool for the
// batch only: an idle socket holds none.
//
// The socket's data frames (and its pings) do not pass through the
// library: writeFrame encodes them itself, straight into the gathered
// batch (issue 20: the library's per-message locking, a select on its
// write lock and a flush of its own buffer were an eighth of a replica's
// CPU in fan-out). What the library still writes through Write are its
// control frames, each whole in one write (a pong, a close; under 140
// bytes, in its 512-byte buffer): so a close frame is seen here
// (closeSent), and no frame of ours follows it, as the library would
// refuse its own data after a close.
type corkConn struct {
	net.Conn
	rd        io.Reader // what Read reads (the pong filter over Conn); nil: Conn
	mu        sync.Mutex
	held      *[]byte // frames waiting while held; nil when not held
	closeSent bool    // the library wrote a close frame: nothing of ours follows
	// werr is the first write to Conn that failed: the stream may end
	// inside a frame, so nothing more is written, and release reports it
	// (frames gathered and dropped by a failed flush did not reach the peer).
	werr error
	// raw is Conn's file descriptor, for writes that must not wait
	// (tryWrite); nil when Conn has none: then every write may wait.
	raw syscall.RawConn
	tw  tryWriter // tryWrite's state
	// try: held by a shared writer (writerPool), whose writes must not
	// wait for a peer: what the kernel does not take at once stays
	// gathered (stalled) until release, which a goroutine of the socket's
	// own then calls and which waits (realtime_ws_pool.go).
	try, stalled bool
	// closing: Close took what was gathered and writes it outside mu;
	// nothing more is written.
	closing bool
	// closeWait bounds Close's write; 0 is corkCloseWait (tests set more).
	closeWait time.Duration
}

// WebSocket opcodes written by writeFrame, with the FIN bit set (RFC 6455 5.2).
const (
	frameText  = 0x81
	frameClose = 0x88
	framePing  = 0x89
)

// corkMax bounds what a held connection gathers before it writes.
const corkMax = 16 << 10

var corkBufs = sync.Pool{New: func() any { b := make([]byte, 0, corkMax); return &b }}

// frameBufs holds the buffers of single frames written at once
// (writeFrame, not held): the size of the socket's write buffer.
var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, wsWriteBufferSize); return &b }}

func (c *corkConn) Read(p []byte) (int, error) {
	if c.rd == nil {
		return c.Conn.Read(p)
	}
	return c.rd.Read(p)
}

// Write takes the library's writes: its control frames, each in one
// write (see corkConn).
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.werr != nil {
		return 0, c.werr
	}
	if c.closing {
		return 0, net.ErrClosed
	}
	if len(p) > 0 && p[0] == frameClose {
		c.closeSent = true
	}
	if c.held != nil {
		if len(*c.held)+len(p) > corkMax {
			if err := c.flushLocked(); err != nil {
				return 0, err
			}
		}
		if len(p) <= corkMax || c.stalled {
			*c.held = append(*c.held, p...)
			return len(p), nil
		}
	}
	n, err := c.Conn.Write(p)
	c.failed(err)
	return n, err
}

// failed notes err, a write to Conn's, when it is the first (c.mu held).
func (c *corkConn) failed(err error) {
	if err != nil && c.werr == nil {
		c.werr = err
	}
}

// errCloseSent is writeFrame's answer once the library sent a close frame.
var errCloseSent = fmt.Errorf("websocket close frame sent: %w", net.ErrClosed)

// writeFrame writes one unfragmented frame (op is its first byte: FIN and
// opcode) with payload p, unmasked, as a server sends it. While held it
// joins the batch gathered (no system call); otherwise it goes at once,
// header and payload in one write. After the library's close frame it
// writes nothing and fails.
func (c *corkConn) writeFrame(op byte, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	if c.closeSent {
		return errCloseSent
	}
	if c.closing {
		return net.ErrClosed
	}
	var hb [10]byte
	h := frameHeader(hb[:0], op, len(p))
	if c.held != nil && (c.try || c.stalled) {
		// Every frame joins the batch, whatever its size: a write on the
		// batch's writer must not wait for the peer. Past corkMax it goes
		// now, as far as the kernel takes it.
		if len(*c.held) > 0 && len(*c.held)+len(h)+len(p) > corkMax {
			if err := c.flushLocked(); err != nil {
				return err
			}
		}
		*c.held = append(append(*c.held, h...), p...)
		if len(*c.held) > corkMax {
			return c.flushLocked()
		}
		return nil
	}
	if c.held != nil && len(h)+len(p) <= corkMax {
		if len(*c.held)+len(h)+len(p) > corkMax {
			if err := c.flushLocked(); err != nil {
				return err
			}
		}
		*c.held = append(append(*c.held, h...), p...)
		return nil
	}
	if c.held == nil && len(h)+len(p) <= corkMax {
		// Header and payload together, in a buffer of a pool: a small one
		// for an event, as the library's write buffer was (a writer
		// blocked on a peer that does not read holds it meanwhile).
		pool := &frameBufs
		if len(h)+len(p) > wsWriteBufferSize {
			pool = &corkBufs
		}
		bp := pool.Get().(*[]byte)
		b := append(append((*bp)[:0], h...), p...)
		_, err := c.Conn.Write(b)
		*bp = b[:0]
		pool.Put(bp)
		c.failed(err)
		return err
	}
	if c.held != nil {
		if err := c.flushLocked(); err != nil {
			return err
		}
	}
	bufs := net.Buffers{bytes.Clone(h), p} // larger than a cork: one writev; h stays on the stack
	_, err := bufs.WriteTo(c.Conn)
	c.failed(err)
	return err
}

// frameHeader appends the header of an unmasked frame (RFC 6455 5.2).
func frameHeader(b []byte, op byte, n int) []byte {
	switch {
	case n <= 125:
		return append(b, op, byte(n))
	case n <= 0xffff:
		return append(b, op, 126, byte(n>>8), byte(n))
	default:
		return append(b, op, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// flushLocked writes what was gathered (c.mu held). Under try it writes
// only what the kernel takes at once and keeps the rest (stalled); once
// stalled, nothing more until release.
func (c *corkConn) flushLocked() error {
	b := *c.held
	if c.werr != nil {
		*c.held = b[:0]
		return c.werr
	}
	if len(b) == 0 || (c.stalled && c.try) {
		return nil
	}
	if c.closing {
		*c.held = b[:0]
		return net.ErrClosed
	}
	if c.try {
		n, err := c.tryWrite(b)
		if errors.Is(err, errWouldBlock) {
			*c.held = b[:copy(b, b[n:])]
			c.stalled = true
			return nil
		}
		*c.held = b[:0]
		c.failed(err)
		return err
	}
	*c.held = b[:0]
	c.stalled = false
	_, err := c.Conn.Write(b)
	c.failed(err)
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
//
// What was gathered is written outside mu: a shared writer in the middle
// of a batch takes mu for each frame and at release, and must not wait
// for a peer (up to corkCloseWait) behind a closing socket. Nothing is
// written after it (closing): a later frame fails at once. The batch's
// release finds nothing left to write, and its frames count as written,
// as when Close wrote them under mu.
func (c *corkConn) Close() error {
	wait := c.closeWait
	if wait == 0 {
		wait = corkCloseWait
	}
	_ = c.Conn.SetWriteDeadline(time.Now().Add(wait))
	c.mu.Lock()
	var b []byte
	if c.held != nil && c.werr == nil && !c.closing {
		b = bytes.Clone(*c.held)
		*c.held = (*c.held)[:0]
		c.stalled = false
	}
	c.closing = true
	c.mu.Unlock()
	if len(b) > 0 {
		_, _ = c.Conn.Write(b) // may wait for the peer, until the deadline
	}
	return c.Conn.Close()
}

// hold gathers writes until release; with try, on a shared writer: no
// write waits for the peer until release (see try).
func (c *corkConn) hold(try bool) {
	c.mu.Lock()
	c.holdLocked(try)
}

// tryHold is hold(true) on a shared writer, which must not wait for mu:
// false, and nothing held, when another goroutine has it. That is the
// library writing a control frame outside a batch (a pong, a close),
// which waits for a peer that does not read, up to its own 5 s timeout:
// a shared writer waiting behind it held back every other socket.
func (c *corkConn) tryHold() bool {
	if !c.mu.TryLock() {
		return false
	}
	c.holdLocked(true)
	return true
}

// holdLocked is hold with mu held; it unlocks mu.
func (c *corkConn) holdLocked(try bool) {
	if c.held == nil {
		c.held = corkBufs.Get().(*[]byte)
	}
	c.try = try && c.raw != nil
	c.mu.Unlock()
	if f := corkHeldHook.Load(); f != nil {
		(*f)(c)
	}
}

// flushHeld writes what was gathered so far, keeping the batch held
// (for wsWroteHook, tests only).
func (c *corkConn) flushHeld() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held == nil {
		return nil
	}
	return c.flushLocked()
}

// corkHeldHook, set by tests only, runs on a batch's writer right after
// hold: a test parks the writer there to act while a batch is gathered.
var corkHeldHook atomic.Pointer[func(*corkConn)]

// release writes what was gathered since hold, waiting for the peer if it
// must, and writes through again.
func (c *corkConn) release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.try = false
	if c.held == nil {
		return nil
	}
	err := c.flushLocked()
	c.putHeld()
	return err
}

// releaseTry is release on a shared writer: stalled when the kernel did
// not take all of the batch at once. Then the rest stays gathered, with
// whatever the library writes meanwhile after it, and the caller hands
// the socket to a goroutine of its own, which calls release.
func (c *corkConn) releaseTry() (stalled bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held == nil {
		c.try = false
		return false, nil
	}
	err = c.flushLocked()
	if err == nil && c.stalled {
		return true, nil
	}
	c.try = false
	c.putHeld()
	return false, err
}

// putHeld returns the batch's buffer to its pool (c.mu held); one grown
// far past corkMax by a stalled batch goes.
func (c *corkConn) putHeld() {
	c.stalled = false
	if cap(*c.held) <= 4*corkMax {
		*c.held = (*c.held)[:0]
		corkBufs.Put(c.held)
	}
	c.held = nil
}
