package http

import (
	"fmt"
	"time"
)

// SSE streams ping on the write watchdog's tick (realtime_ws_watchdog.go),
// as WebSockets do: one timer for the replica while any stream or socket
// is open, none per stream. Before, each stream had a time.Ticker of its
// own for its ping (docs/benchmarks.md, "Idle sockets").
//
// The ping is a named event, "event: ping" with the interval in its data
// ({"type":"ping","interval_ms":25000}), which an EventSource hands to
// addEventListener('ping') and not to onmessage: the PWA takes a stream
// that heard nothing for 2.5 intervals for dead and reconnects
// (web/static/js/realtime-transports.js). Before, it was a ": ping"
// comment, which EventSource never shows to JavaScript: a stream a proxy
// held open but no longer forwarded said live, deaf, for minutes or ever.

// sseBeat is an SSE stream's place on the watchdog: a tick that finds its
// ping due sends on ping, which the stream's own goroutine waits on beside
// its queue and writes event.
type sseBeat struct {
	due   int64         // the tick its next ping is due at (guarded by the watchdog's mu)
	ping  chan struct{} // capacity 1: a ping not yet written is not asked twice
	event []byte        // the ping event, with the interval (set by addSSE)
}

// ssePingEvent is the ping event of a stream pinged every interval.
func ssePingEvent(every time.Duration) []byte {
	return fmt.Appendf(nil, "event: ping\ndata: {\"type\":\"ping\",\"interval_ms\":%d}\n\n", every.Milliseconds())
}

// addSSE has b pinged every ping interval from now until removeSSE; the
// ticks run while any stream or socket is watched.
func (d *writeWatchdog) addSSE(b *sseBeat) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sse == nil {
		d.sse = map[*sseBeat]struct{}{}
	}
	// The interval the ticks make (the ping interval rounded up to a
	// tick), as the client is told it.
	b.event = ssePingEvent(time.Duration(d.pingTicks) * d.period)
	b.due = d.now.Load() + d.pingTicks
	d.sse[b] = struct{}{}
	d.startLocked()
}

func (d *writeWatchdog) removeSSE(b *sseBeat) {
	d.mu.Lock()
	delete(d.sse, b)
	d.mu.Unlock()
}

// startLocked starts the ticks unless they run; d.mu is held.
func (d *writeWatchdog) startLocked() {
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

// tickSSE asks the streams whose ping is due at tick now for one; d.mu is
// held. The send does not block: a stream busy writing finds it after.
func (d *writeWatchdog) tickSSE(now int64) {
	for b := range d.sse {
		if now >= b.due {
			b.due = now + d.pingTicks
			select {
			case b.ping <- struct{}{}:
			default:
			}
		}
	}
}

// watching reports whether any socket or stream is watched; d.mu is held.
func (d *writeWatchdog) watching() bool { return len(d.conns)+len(d.sse) > 0 }
