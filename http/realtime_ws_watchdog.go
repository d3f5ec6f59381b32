package http

import (
	"sync"
	"sync/atomic"
	"time"
)

// writeWatchdog ends the sockets whose write has been blocked for the
// write timeout: a peer that does not read for this long is gone. One
// timer for the replica, ticking every watchdogTicks-th of the timeout
// while any socket is open, does it for all of them. Before, each socket
// armed a timer of its own for every batch and stopped it after (two
// timer operations per socket per event, issue 20). A writer notes the
// tick its batch began at (wsConn.busy, an atomic store) and clears it
// after; each tick ends the sockets whose batch began more than
// watchdogTicks ticks ago. So a blocked socket is ended after the write
// timeout, never before, and at most a tick later; an idle replica with
// open sockets pays one tick per period, whatever its events.
//
// The same ticks drive the heartbeat: a socket is pinged every pingTicks
// ticks (the ping interval, 25 s by default), by its writer (wsConn.heartbeat),
// which the tick starts as a message would; a ping that stays unanswered
// for more than watchdogTicks ticks (the write timeout) ends the socket.
// Before, every socket had a timer of its own for the next ping and one for
// its answer, and a goroutine waited in the library's Ping for each pong.
type writeWatchdog struct {
	period    time.Duration // the write timeout / watchdogTicks
	pingTicks int64         // ticks between two pings of a socket
	// now counts ticks from 1, so that 0 in wsConn.busy means "not writing".
	now atomic.Int64

	mu      sync.Mutex
	conns   map[*wsConn]struct{}
	sse     map[*sseBeat]struct{} // SSE streams, pinged on the same ticks (realtime_sse_tick.go)
	timer   *time.Timer
	running bool // timer is pending or its tick is running

	// Used by tick only (tickMu): the sockets it ends or pings, kept
	// between ticks so that a tick allocates nothing.
	tickMu      sync.Mutex
	stuck, ping []*wsConn
	silent      []*wsConn
	idle        []*wsConn
}

// watchdogTicks is how many ticks make a write timeout.
const watchdogTicks = 10

// newWriteWatchdog returns the watchdog of a replica's sockets: writes
// blocked for timeout end them, and they are pinged every ping.
func newWriteWatchdog(timeout, ping time.Duration) *writeWatchdog {
	d := &writeWatchdog{period: max(timeout/watchdogTicks, time.Millisecond), conns: map[*wsConn]struct{}{}}
	d.pingTicks = max(int64((ping+d.period-1)/d.period), 1)
	d.now.Store(1)
	return d
}

// add watches w's writes until remove; the ticks run while any is watched.
func (d *writeWatchdog) add(w *wsConn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conns[w] = struct{}{}
	d.startLocked()
}

// startPings has w pinged from now on, every ping interval; call it once
// its writer may run (before, a ping's writer could write the queue ahead
// of the connection's first messages).
func (d *writeWatchdog) startPings(w *wsConn) {
	d.mu.Lock()
	w.pingDue = d.now.Load() + d.pingTicks
	d.mu.Unlock()
}

func (d *writeWatchdog) remove(w *wsConn) {
	d.mu.Lock()
	delete(d.conns, w)
	d.mu.Unlock()
}

// begin marks the start of a write on w; end its end.
func (d *writeWatchdog) begin(w *wsConn) { w.busy.Store(d.now.Load()) }
func (d *writeWatchdog) end(w *wsConn)   { w.busy.Store(0) }

// tick ends the sockets stuck in a write for more than watchdogTicks
// ticks and those whose ping went unanswered as long, starts the pings
// that are due, and comes again while any socket is watched.
func (d *writeWatchdog) tick() {
	d.tickMu.Lock()
	defer d.tickMu.Unlock()
	now := d.now.Add(1)
	stuck, ping, silent, idle := d.stuck[:0], d.ping[:0], d.silent[:0], d.idle[:0]
	d.mu.Lock()
	for w := range d.conns {
		// Last drained by a shared writer 2-3 ticks ago: the client's
		// queue keeps no burst's slice (Client.Idle; see below).
		if t := w.drained.Load(); t != 0 && now-t >= 2 && w.drained.CompareAndSwap(t, 0) {
			idle = append(idle, w)
		}
		// The swap makes the end once: the socket stays watched until its
		// writer has seen the failed write and the connection ended.
		if b := w.busy.Load(); b != 0 && now-b > watchdogTicks && w.busy.CompareAndSwap(b, 0) {
			stuck = append(stuck, w)
			continue
		}
		switch sent := w.pingSent.Load(); {
		case sent != 0:
			if now-sent > watchdogTicks && w.pingSent.CompareAndSwap(sent, 0) {
				silent = append(silent, w)
			}
		case w.pingDue != 0 && now >= w.pingDue: // 0: not yet (startPings)
			w.pingDue = now + d.pingTicks
			ping = append(ping, w)
		}
	}
	d.tickSSE(now)
	if d.watching() {
		d.timer.Reset(d.period)
	} else {
		d.running = false
	}
	d.mu.Unlock()
	for _, w := range stuck {
		w.rt.metrics.SlowDisconnects.Inc()
		w.conn.CloseNow() // the blocked write returns, and the writer ends the connection
	}
	for _, w := range silent {
		w.rt.metrics.Unanswered.Inc()
		w.end() // gone: its read ends, and so does the connection
	}
	for _, w := range ping {
		w.pingWant.Store(true)
		w.kick()
	}
	for _, w := range idle {
		// Without w.mu, unlike flush's Idle: Idle only drops the queue's
		// spare slice, under the queue's own lock. If a shared writer
		// took the socket again since it drained, its burst allocates
		// one slice more; nothing is lost or written out of turn.
		w.c.Idle()
	}
	clear(stuck)
	clear(ping)
	clear(silent)
	clear(idle)
	d.stuck, d.ping, d.silent, d.idle = stuck[:0], ping[:0], silent[:0], idle[:0]
}
