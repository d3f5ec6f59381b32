package http

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/familyhub/familyhub/notify"
	"github.com/familyhub/familyhub/realtime"
)

// hardReadLimit is where a WebSocket connection itself is closed (1009);
// messages over realtime.MaxClientMessage are answered with an error and
// skipped, the connection lives on.
const hardReadLimit = 64 << 10

// handleWS serves GET /ws. Credentials and Origin are checked before the
// upgrade: no credentials is a plain 401, a foreign Origin a 403.
//
// An idle socket costs one goroutine, blocked reading. It is not this
// handler's: after the upgrade the connection is served by a new goroutine
// (wsConn.serve) and the handler returns, because the handler's stack has
// grown through the router and middlewares to 16 KiB and would stay that
// size for the socket's life, half of an idle socket's memory. Queued
// messages are written by the replica's few shared writers
// (realtime_ws_pool.go), whose writes never wait for a peer; what may
// wait (a batch the kernel did not take at once, a heartbeat, pages of
// the log) goes to a goroutine of the socket's own that exists only while
// it has something to write and for 100-200 ms after (wsConn.flush), as
// everything does on a socket without a file descriptor. Heartbeats are
// asked for by the replica's write watchdog (realtime_ws_watchdog.go),
// which keeps no timer per socket; a close requested by the server
// (logout, slow consumer, shutdown) runs in a context.AfterFunc.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	p := s.admit(w, r, "ws")
	if p == nil {
		return
	}
	j, err := s.rt.hub.Join(r.Context(), *p)
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	c := j.Client
	// The server's ReadTimeout set a deadline on the connection, and it
	// survives the hijack: clear it, or every socket dies after a minute.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	wc := &wsConn{rt: s.rt, c: c, wake: make(chan struct{}, 1)}
	sb := &smallBuffers{ResponseWriter: w, pong: wc.pong}
	conn, err := websocket.Accept(sb, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // Origin was checked by admit, with the same rule as the REST API
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		s.rt.hub.Leave(c)
		s.refuse(w, r, nil) // Accept wrote the HTTP error
		return
	}
	conn.SetReadLimit(hardReadLimit)
	// Not the request's context: it ends when this handler returns.
	wc.ctx, wc.cancel = context.WithCancel(context.Background())
	wc.conn, wc.cork = conn, sb.cork
	wc.flushFn = wc.flush
	go wc.serve(s, j.Messages(), j.From)
}

// The sizes of a socket's read and write buffers, which it keeps for its
// life. A notice is 250-400 bytes and goes out in one system call; a
// client's messages (presence, subscriptions) are under 200 bytes. A
// larger message costs one more system call, not an error.
const (
	wsReadBufferSize  = 256
	wsWriteBufferSize = 512
)

// smallBuffers hands the WebSocket library a hijacked connection with
// small buffers instead of net/http's 4 KiB reader and writer, which
// the library would keep for the socket's life: 6 KiB of an idle socket's
// memory (docs/benchmarks-history*.md, idle sockets). The connection it
// hands over is a corkConn (realtime_ws_cork.go), kept in cork; what the
// library reads from it passes a pongFilter (realtime_ws_pong.go), which
// calls pong for each of the peer's pongs.
type smallBuffers struct {
	http.ResponseWriter
	cork *corkConn
	pong func()
}

func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	raw, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	conn := &corkConn{Conn: raw, raw: rawConn(raw)}
	w.cork = conn
	if err := brw.Writer.Flush(); err != nil { // empty after a hijack; flushed in case
		conn.Close()
		return nil, nil, err
	}
	// What the library reads comes through conn.Read: it replaces the
	// reader handed over here with one on the connection (keeping only
	// the buffer), so the client's first frames, read with the request,
	// and the pong filter are the connection's.
	var r io.Reader = raw
	if n := brw.Reader.Buffered(); n > 0 { // the client's first frames, read with the request
		b, _ := brw.Reader.Peek(n)
		r = io.MultiReader(bytes.NewReader(bytes.Clone(b)), raw)
	}
	conn.rd = &pongFilter{r: r, pong: w.pong}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, wsReadBufferSize), bufio.NewWriterSize(conn, wsWriteBufferSize)), nil
}

// serve runs a connection until it ends; the hub waits for it (Leave) at
// shutdown. from is what the client has once first is written
// (realtime.Join.From).
func (w *wsConn) serve(s *Server, first []realtime.Message, from int64) {
	c, conn := w.c, w.conn
	defer s.rt.hub.Leave(c)
	// Before Leave (which ends the client's context, where presence
	// reads that the socket closed): the batch being written, whose
	// messages may have reached the peer, is counted first (writeBatch,
	// Seen). Bounded: the connection is closed by then, which ends a
	// write that waits.
	// The same wait comes before the device's push presence hears that
	// the socket is gone (Tracker.Close), whoever closed it: a close
	// the server asks for (Client.Close) ends the client's context at
	// once, in the middle of a batch perhaps.
	defer func() { w.batch.Lock(); w.batch.Unlock(); w.seen.Close() }()
	defer conn.CloseNow()
	defer w.cancel()
	defer func() {
		if v := recover(); v != nil {
			s.logger.Error("panic in websocket connection", "panic", v, "stack", string(debug.Stack()))
		}
	}()
	w.rt.watchdog.add(w)
	defer w.rt.watchdog.remove(w)
	if err := w.writeBatch(first); err != nil {
		return
	}
	// What this device was sent, for notify (http/push.go); set before
	// the writer starts, which writes a resuming client's catch-up.
	w.seen = s.pushTrack(c, from)
	// From here on, queued messages are written by w.flush.
	c.OnReady(w.kick)
	w.kick()
	w.rt.watchdog.startPings(w)
	stopClose := context.AfterFunc(c.Context(), func() {
		code, reason := c.CloseStatus()
		conn.Close(websocket.StatusCode(code), reason) // ends the read below
	})
	defer stopClose()

	wsRead(w.ctx, conn, c)
}

// wsConn writes a client's queued messages and heartbeats.
type wsConn struct {
	rt     *realtimeState // the hub's metrics, the heartbeat's timing
	conn   *websocket.Conn
	cork   *corkConn // under conn: gathers a batch's frames
	c      *realtime.Client
	ctx    context.Context
	cancel context.CancelFunc
	seen   *notify.Tracker // the events this device was sent, for notify
	// busy is the watchdog's tick when the batch being written began, 0
	// between batches (realtime_ws_watchdog.go).
	busy atomic.Int64
	// drained is the watchdog's tick when a shared writer last found
	// nothing more to write, 0 once the watchdog told the client it is
	// idle (realtime_ws_pool.go, realtime_ws_watchdog.go).
	drained atomic.Int64
	// The heartbeat (realtime_ws_watchdog.go, wsConn.heartbeat): pingDue
	// is the watchdog's tick when the next ping is due, 0 before the
	// first messages are written (guarded by the watchdog's mu); pingWant asks the writer for one; pingSent is the
	// tick the unanswered ping was written at, 0 once answered.
	pingDue  int64
	pingWant atomic.Bool
	pingSent atomic.Int64
	// batch is held by writeBatch until what it wrote is counted (Seen);
	// serve takes it before Leave (a device that closed right after
	// reading a message was recorded as not sent it, and pushed it).
	batch sync.Mutex

	wake chan struct{} // capacity 1: kick wakes a lingering flush
	// flushFn is flush, made once: go w.flush() allocates the call's
	// closure (the receiver) on every start of the writer, which
	// happens per event on a socket that gets one less often than its
	// writer lingers (under load, most sockets of a large family).
	flushFn func()
	// stalled is a batch a shared writer began and handed to flush
	// (realtime_ws_pool.go); msgs nil: none.
	stalled stalledBatch

	mu       sync.Mutex
	flushing bool // a flush goroutine is running (or lingering)
	again    bool // messages arrived while it ran
}

// kick makes sure the socket's messages are being written: it readies the
// socket for the shared writers, or starts its own flush goroutine, or
// wakes the one that lingers; it is called after every push.
func (w *wsConn) kick() {
	w.mu.Lock()
	if w.flushing {
		w.again = true
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default: // a wake is pending already
		}
		return
	}
	w.flushing = true
	w.mu.Unlock()
	if p := w.pool(); p != nil {
		p.push(w)
		return
	}
	w.rt.writersStarted.Add(1)
	w.rt.writers.Add(1)
	go w.flushFn()
}

// flush is the socket's own writer (where the shared writers do not write
// it, or after one handed it over: a stalled batch it finishes first, a
// ping, pages of the log). It writes queued messages (and, for a client
// behind the live stream, pages from the log) until nothing is waiting. Then, if it wrote
// anything, it lingers 1-2 ticks of the replica's linger clock
// (realtimeState.linger) for the next message before it exits: a socket that gets
// events often keeps its writer, instead of a new goroutine per event
// (issue 20: at 1,000 sockets × 50 events/s, 50,000 goroutines a second
// started by the dispatcher under the hub's lock). An idle socket still
// has none: its writer is gone at most 2 ticks after its last message.
// The clock wakes a lingering writer only when its linger ends: one that
// wrote since sleeps through the ticks.
func (w *wsConn) flush() {
	defer w.rt.writers.Add(-1)
	wrote, ended := false, false
	var linger <-chan struct{} // closed when the linger after the last write ends
	if w.stalled.msgs != nil {
		if !w.finishStalled() {
			return // flushing stays true: the connection ends
		}
		wrote = true
	}
	for {
		if w.pingWant.Swap(false) && !w.heartbeat() {
			return // flushing stays true: the connection ends
		}
		for {
			msgs, err := w.c.Next(w.ctx)
			if err != nil {
				if w.ctx.Err() == nil {
					// The log could not be read: end the connection; the
					// client resumes with since (on any replica).
					w.c.Close(int(websocket.StatusInternalError), "try again: reconnect with since")
				}
				return // flushing stays true: the connection ends
			}
			if len(msgs) == 0 {
				break
			}
			if err := w.writeBatch(msgs); err != nil {
				w.end() // a write that fails or times out ends the connection
				return  // flushing stays true: nothing more is written
			}
			w.c.Written(msgs)
			wrote, ended, linger = true, false, nil
		}
		w.mu.Lock()
		if w.again {
			w.again = false
			w.mu.Unlock()
			continue
		}
		if !wrote || ended || w.ctx.Err() != nil {
			w.flushing = false
			w.c.Idle() // under w.mu: a writer started after this one keeps its slice
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		if linger == nil {
			linger = w.rt.linger.after2()
		}
		// A kick from here on sets again and wakes us (w.wake holds one).
		w.rt.lingering.Add(1)
		select {
		case <-w.wake:
		case <-linger:
			ended = true
			w.rt.lingerWakes.Add(1)
		case <-w.ctx.Done():
		}
		w.rt.lingering.Add(-1)
	}
}

// lingerTick is the period of realtimeState.linger: a socket's writer
// lingers 1-2 ticks after its last message.
const lingerTick = 100 * time.Millisecond

// tickClock ends the lingers of the replica's socket writers: one timer
// for the replica instead of one per socket and batch, running only while
// a linger is pending. A writer that wrote takes the channel of the
// second tick from now (after2) and waits on it and on its kicks; a tick
// closes only the channel due then, so it wakes the writers whose linger
// ends, to exit, and no other. Before, a tick woke every lingering writer
// to count it: a socket that got an event every 100 ms or so was woken
// by every tick (10 times a second each) for nothing.
type tickClock struct {
	period  time.Duration
	mu      sync.Mutex
	now     int64            // ticks so far
	due     [3]chan struct{} // due[t%3] is closed at tick t (now+1, now+2); nil: none asked
	timer   *time.Timer      // runs while a channel is due
	running bool             // timer is pending or its tick is running
}

// after2 returns a channel closed at the second tick from now: 1-2
// periods away.
func (k *tickClock) after2() <-chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	i := (k.now + 2) % 3
	if k.due[i] == nil {
		k.due[i] = make(chan struct{})
	}
	if !k.running {
		k.running = true
		if k.timer == nil {
			k.timer = time.AfterFunc(k.period, k.fire)
		} else {
			k.timer.Reset(k.period)
		}
	}
	return k.due[i]
}

// fire is a tick: it closes the channel due now, and comes again while
// another is due.
func (k *tickClock) fire() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.now++
	if ch := k.due[k.now%3]; ch != nil {
		close(ch)
		k.due[k.now%3] = nil
	}
	switch {
	case k.due[(k.now+1)%3] != nil || k.due[(k.now+2)%3] != nil:
		if k.timer != nil {
			k.timer.Reset(k.period)
		}
	default:
		k.running = false
	}
}

// writeBatch writes msgs within one write timeout, in one system call
// (a batch of several gathered by the corkConn; more only past corkMax).
// The writes themselves take no context: the replica's write watchdog
// ends a socket whose batch is blocked for the write timeout, without a
// timer per socket or batch (realtime_ws_watchdog.go).
func (w *wsConn) writeBatch(msgs []realtime.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	w.beginBatch(len(msgs) > 1)
	n, err := w.writeEach(msgs)
	return w.endBatch(msgs, n, err)
}

// beginBatch takes the socket's batch (w.batch, the watchdog's watch);
// hold gathers its frames (a shared writer's batch: tryBatch).
func (w *wsConn) beginBatch(hold bool) {
	w.batch.Lock()
	w.rt.watchdog.begin(w) // only one goroutine writes at a time
	if hold && w.cork != nil {
		w.cork.hold(false)
	}
}

// endBatch writes what the batch gathered, waiting for the peer if it
// must, counts the n messages taken of msgs and ends the batch.
func (w *wsConn) endBatch(msgs []realtime.Message, n int, err error) error {
	defer w.batch.Unlock()
	defer w.rt.watchdog.end(w)
	if w.cork != nil {
		if rerr := w.cork.release(); rerr != nil {
			n = 0 // what was gathered may not have reached the peer
			if err == nil {
				err = rerr
			}
		}
	}
	// The messages written before a failure (the connection ended in the
	// middle of a batch) still reached the peer: counted as sent, or a
	// push would repeat what the device showed.
	for _, m := range msgs[:n] {
		w.rt.metrics.ObserveDelivery(m)
		w.seen.Seen(shownSeq(m))
	}
	return err
}

// writeEach writes msgs one by one as text frames, encoded here
// (corkConn.writeFrame), not by the library; n is how many were taken.
func (w *wsConn) writeEach(msgs []realtime.Message) (n int, err error) {
	for i, m := range msgs {
		if w.ctx.Err() != nil {
			return i, w.ctx.Err()
		}
		if w.cork != nil {
			err = w.cork.writeFrame(frameText, m.Data)
		} else {
			err = w.conn.Write(context.Background(), websocket.MessageText, m.Data)
		}
		if err != nil {
			return i, err
		}
		if f := wsWroteHook.Load(); f != nil {
			if w.cork != nil {
				if err := w.cork.flushHeld(); err != nil {
					return i + 1, err
				}
			}
			(*f)(w, i+1, len(msgs))
		}
	}
	return len(msgs), nil
}

// wsWroteHook, set by tests only, runs on a batch's writer after each
// message taken: n of the batch's size. The message was handed to the
// kernel first (as far as it takes it at once on a shared writer, whose
// batches are always gathered): a test that holds the writer there until
// the client read the message would wait for it forever otherwise.
var wsWroteHook atomic.Pointer[func(w *wsConn, n, size int)]

// heartbeat writes a ping, which the write watchdog asked for (pingWant);
// false when the connection ended. A peer that does not answer it (pong)
// within the write timeout is ended by the watchdog. The frame is written
// here, not by the library's Conn.Ping: that allocates, per ping, a
// context with a 5 s timer, a context.AfterFunc for the write, a channel
// and a string, and blocks a goroutine until the pong, every 25 s on
// every idle socket: garbage that grew an idle replica's memory
// (docs/benchmarks.md, "Idle sockets"). The pong is taken out of the
// stream before the library reads it (pongFilter, which calls pong). The frame cannot land inside
// another: every data frame is written under batch, held here too, and
// the library writes the frames it sends by itself (a pong, a close) each
// in one write to the corkConn, which takes its lock per write; none
// follows the library's close frame (corkConn.closeSent).
func (w *wsConn) heartbeat() bool {
	if w.cork == nil || w.c.Context().Err() != nil {
		return true // a close frame is on its way: no ping after it
	}
	w.batch.Lock()
	defer w.batch.Unlock()
	w.rt.watchdog.begin(w) // a ping blocked for the write timeout ends the socket, as a batch would
	defer w.rt.watchdog.end(w)
	w.pingSent.Store(max(w.busy.Load(), 1)) // before the write: its pong may come at once
	if err := w.cork.writeFrame(framePing, nil); err != nil {
		if errors.Is(err, errCloseSent) {
			return true // the close handshake runs: the library ends it
		}
		w.end()
		return false
	}
	return true
}

// pong says the peer answered (pongFilter).
func (w *wsConn) pong() {
	w.pingSent.Store(0)
	w.rt.metrics.Pongs.Inc()
}

// end ends the connection at once.
func (w *wsConn) end() {
	w.cancel()
	w.conn.CloseNow()
}

// readBufs holds the buffers client messages are read into: taken while a
// message is being read, so an idle socket holds none (a per-socket buffer
// was a quarter of an idle socket's memory).
var readBufs = sync.Pool{New: func() any { b := make([]byte, realtime.MaxClientMessage+1); return &b }}

// wsRead handles client messages until the connection ends; ctx is the
// connection's, for replies. A bad message gets an error reply and is
// otherwise ignored. The read itself takes no context: one with a Done
// channel costs the library a context.AfterFunc for as long as the read
// waits, i.e. for an idle socket's whole life; whatever ends the
// connection closes it instead (wsConn.end, the close requested by the
// server in serve), which ends the read.
func wsRead(ctx context.Context, conn *websocket.Conn, c *realtime.Client) {
	for {
		typ, rd, err := conn.Reader(context.Background())
		if err != nil {
			return
		}
		bp := readBufs.Get().(*[]byte)
		reply, ok := readClientMessage(ctx, c, typ, rd, *bp)
		readBufs.Put(bp)
		if !ok {
			return
		}
		if reply != nil {
			c.Answer(ctx, reply)
		}
	}
}

// readClientMessage reads one message into buf and returns the reply; ok
// is false when the connection failed.
func readClientMessage(ctx context.Context, c *realtime.Client, typ websocket.MessageType, rd io.Reader, buf []byte) (reply []byte, ok bool) {
	n, err := io.ReadFull(rd, buf)
	if err == nil { // filled the buffer: over the limit
		if _, err := io.Copy(io.Discard, rd); err != nil {
			return nil, false
		}
		return realtime.TooLargeMessage(buf), true
	} else if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, false
	}
	if typ != websocket.MessageText {
		return realtime.ErrorMessage("malformed_request", "Send JSON text messages."), true
	}
	return c.HandleMessage(ctx, buf[:n]), true
}
