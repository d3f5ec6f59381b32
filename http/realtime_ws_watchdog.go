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
type writeWatchdog struct {
	period time.Duration // the write timeout / watchdogTicks
	// now counts ticks from 1, so that 0 in wsConn.busy means "not writing".
	now atomic.Int64

	mu      sync.Mutex
	conns   map[*wsConn]struct{}
	timer   *time.Timer
	running bool // timer is pending or its tick is running
}

// watchdogTicks is how many ticks make a write timeout.
const watchdogTicks = 10

func newWriteWatchdog(timeout time.Duration) *writeWatchdog {
	d := &writeWatchdog{period: max(timeout/watchdogTicks, time.Millisecond), conns: map[*wsConn]struct{}{}}
	d.now.Store(1)
	return d
}

// add watches w's writes until remove; the ticks run while any is watched.
func (d *writeWatchdog) add(w *wsConn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conns[w] = struct{}{}
	if d.running {
		return
	}
	d.running = true
	if d.timer == nil {
		d.timer = time.AfterFunc(d.period, d.tick)
	} else {
		d.timer.Reset(d.period)
	}
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
// ticks, and comes again while any socket is watched.
func (d *writeWatchdog) tick() {
	now := d.now.Add(1)
	var stuck []*wsConn
	d.mu.Lock()
	for w := range d.conns {
		// The swap makes the end once: the socket stays watched until its
		// writer has seen the failed write and the connection ended.
		if b := w.busy.Load(); b != 0 && now-b > watchdogTicks && w.busy.CompareAndSwap(b, 0) {
			stuck = append(stuck, w)
		}
	}
	if len(d.conns) > 0 {
		d.timer.Reset(d.period)
	} else {
		d.running = false
	}
	d.mu.Unlock()
	for _, w := range stuck {
		w.rt.metrics.SlowDisconnects.Inc()
		w.conn.CloseNow() // the blocked write returns, and the writer ends the connection
	}
}
