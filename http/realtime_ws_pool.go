package http

import (
	"sync"
	"sync/atomic"

	"github.com/familyhub/familyhub/realtime"
)

// writerPool writes the sockets' queued messages on a few shared
// goroutines (as many as the replica has processors) instead of one
// goroutine per socket: an event to a family's 1,000 sockets readies
// 1,000 sockets here, which two workers write one after another, where a
// goroutine per socket was started or woken 1,000 times (issue 20: the
// writers' wake-ups and parks were 14-20 % of a replica's CPU in
// fan-out). Each socket still has one writer at a time (wsConn.flushing)
// and its batch still goes in one write.
//
// A shared writer must never wait for a peer, or one socket that does not
// read would hold back every other: its writes go only as far as the
// kernel takes them at once (corkConn.tryWrite). A batch the kernel does
// not take whole, and anything that may wait (reading the event log for
// a client that is behind, a heartbeat), is handed to a goroutine of the
// socket's own (wsConn.flush, as without the pool), which the write
// watchdog ends after the write timeout as before. The workers exist only
// while sockets are ready: the last to find the queue empty exits.
type writerPool struct {
	max     int // workers at most
	mu      sync.Mutex
	ready   []*wsConn // sockets to write, in order; ready[head:] waiting
	head    int
	running int // workers running
	// stalls counts the batches handed to a socket's own writer because
	// the peer did not take them at once (for tests).
	stalls atomic.Int64
}

// push readies w (w.flushing set by its caller, kick) and starts a
// worker if fewer than max run.
func (p *writerPool) push(w *wsConn) {
	p.mu.Lock()
	if len(p.ready) == cap(p.ready) && p.head >= len(p.ready)/2 {
		// Under a load that never lets the queue empty, the sockets
		// written would pile up before head and the slice grow forever:
		// the waiting ones move to the front instead.
		n := copy(p.ready, p.ready[p.head:])
		clear(p.ready[n:])
		p.ready, p.head = p.ready[:n], 0
	}
	p.ready = append(p.ready, w)
	start := p.running < p.max
	if start {
		p.running++
	}
	p.mu.Unlock()
	if start {
		w.rt.writersStarted.Add(1)
		w.rt.writers.Add(1)
		go p.work(w.rt)
	}
}

// work writes ready sockets until none is left.
func (p *writerPool) work(rt *realtimeState) {
	defer rt.writers.Add(-1)
	for w := p.pop(); w != nil; w = p.pop() {
		w.writePooled(p)
	}
}

// pop takes the next ready socket; nil when none is left: then the
// calling worker stops (counted out under mu, so that a push after it
// starts another).
func (p *writerPool) pop() *wsConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.head == len(p.ready) {
		p.ready, p.head = p.ready[:0], 0
		p.running--
		return nil
	}
	w := p.ready[p.head]
	p.ready[p.head] = nil
	p.head++
	return w
}

// pool returns the replica's shared writers when they write w's
// messages: nil when it has none, or when the socket's writes cannot be
// tried without waiting (no file descriptor: TLS).
func (w *wsConn) pool() *writerPool {
	if w.cork == nil || w.cork.raw == nil {
		return nil
	}
	return w.rt.pool
}

// writePooled writes one batch of w's queued messages on a shared
// writer; if more came meanwhile, w goes back to the end of the ready
// queue, else flushing is cleared, as flush does without lingering. What
// may wait goes to a goroutine of the socket's own (ownWriter).
func (w *wsConn) writePooled(p *writerPool) {
	for {
		if w.pingWant.Load() {
			w.ownWriter() // a ping may wait for the peer
			return
		}
		msgs, behind := w.c.NextLive()
		if behind {
			w.ownWriter() // pages from the log wait on the database
			return
		}
		if len(msgs) == 0 {
			if w.poolDone() {
				return
			}
			continue
		}
		stalled, err := w.tryBatch(msgs)
		if stalled {
			p.stalls.Add(1)
			w.ownWriter()
			return
		}
		if err != nil {
			w.end()
			return // flushing stays true: nothing more is written
		}
		w.c.Written(msgs)
		// One batch per turn: the socket goes to the back of the queue,
		// behind the sockets readied meanwhile, instead of holding this
		// writer while messages keep coming (with as many such sockets
		// as writers, every other socket waited). Its next turn looks
		// again: more messages, or the log (a burst that overflowed its
		// queue sets behind without a kick), or nothing, and it is done.
		p.push(w) // flushing stays true: still one writer at a time
		return
	}
}

// poolDone ends w's turn on the shared writers when no message arrived
// since its last take (kick sets again): flushing cleared, a later kick
// readies it anew. False, with again cleared, when more may be waiting.
func (w *wsConn) poolDone() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.again {
		w.again = false
		return false
	}
	w.flushing = false
	// Not Idle now: the socket's next event, often a moment away,
	// would allocate the slice a burst's batches reuse. The
	// watchdog calls it 2-3 ticks on (once per drain).
	w.drained.Store(w.rt.watchdog.now.Load())
	return true
}

// tryBatch is writeBatch on a shared writer, whose writes do not wait:
// stalled when the peer did not take the whole batch at once. Then the
// batch stays open (w.batch held, the watchdog counting, the rest
// gathered in the corkConn) and ownWriter hands it on.
func (w *wsConn) tryBatch(msgs []realtime.Message) (stalled bool, err error) {
	w.batch.Lock()
	w.rt.watchdog.begin(w)
	if !w.cork.tryHold() {
		// The library is writing a control frame, which may wait for
		// the peer: the whole batch goes to the socket's own writer.
		w.rt.watchdog.end(w)
		w.batch.Unlock()
		w.stalled = stalledBatch{msgs: msgs, unbegun: true}
		return true, nil
	}
	n, err := w.writeEach(msgs)
	stalled, rerr := w.cork.releaseTry()
	if stalled {
		w.stalled = stalledBatch{msgs: msgs, n: n, err: err}
		return true, nil
	}
	if rerr != nil {
		n = 0 // what was gathered may not have reached the peer
		if err == nil {
			err = rerr
		}
	}
	return false, w.endBatch(msgs, n, err)
}

// stalledBatch is a batch a shared writer began and the peer did not
// take whole: its own writer (flush) ends it.
type stalledBatch struct {
	msgs []realtime.Message
	n    int
	err  error
	// unbegun: nothing of it written (the socket's connection was busy
	// with a write of the library's); flush writes it whole.
	unbegun bool
}

// ownWriter starts a goroutine of w's own (flush) to go on where a
// shared writer stopped: the batch stalled (w.stalled), the log, a ping.
func (w *wsConn) ownWriter() {
	w.rt.writersStarted.Add(1)
	w.rt.writers.Add(1)
	go w.flushFn()
}

// finishStalled ends the batch a shared writer left stalled, waiting for
// the peer (bounded by the write watchdog); false when the connection
// ended.
func (w *wsConn) finishStalled() bool {
	b := w.stalled
	w.stalled = stalledBatch{}
	var err error
	if b.unbegun {
		err = w.writeBatch(b.msgs)
	} else {
		err = w.endBatch(b.msgs, b.n, b.err)
	}
	if err != nil {
		w.end()
		return false
	}
	w.c.Written(b.msgs)
	return true
}
