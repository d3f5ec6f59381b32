//go:build linux

package http

import (
	"sync/atomic"
	"testing"
)

// TestWSFloodedSocketTakesTurns: with a single shared writer, a socket
// that gets a message during each of its batches (so it always has more
// waiting) does not keep the writer: another socket readied meanwhile gets
// its message while the flooded one is still being fed. Before, the
// writer looped on the flooded socket as long as messages kept coming,
// and the other socket got its message only once the flood stopped.
func TestWSFloodedSocketTakesTurns(t *testing.T) {
	env, rt, ana := oneWriter(t)
	conns := func() []*wsConn { return wsConns(rt) }
	other := ana.socket(t, "")
	other.want("hello", map[string]any{"type": "hello"})
	waitCond(t, "the other socket", func() bool { return len(conns()) == 1 })
	wo := conns()[0]
	var read atomic.Int64
	countingPeer(t, env, ana, func() { read.Add(1) })
	waitCond(t, "the flooded socket", func() bool { return len(conns()) == 2 && read.Load() == 1 })
	wf := conns()
	if wf[0] == wo {
		wf = wf[1:]
	}

	// Each batch written to the flooded socket queues one more message
	// for it, up to limit.
	const limit = 20_000
	var fed atomic.Int64
	var flooding atomic.Bool
	flooding.Store(true)
	f := func(w *wsConn, n, size int) {
		if w == wf[0] && n == size && flooding.Load() && fed.Add(1) < limit {
			wf[0].c.Reply([]byte(`{"type":"flood"}`))
		}
	}
	wsWroteHook.Store(&f)
	t.Cleanup(func() { wsWroteHook.Store(nil) })
	wf[0].c.Reply([]byte(`{"type":"flood"}`))
	waitCond(t, "the flood", func() bool { return fed.Load() >= 10 })

	wo.c.Reply([]byte(`{"type":"probe"}`))
	other.want("probe", map[string]any{"type": "probe"})
	flooding.Store(false)
	if n := fed.Load(); n >= limit {
		t.Fatalf("the other socket got its message only after the flood of %d batches ended", n)
	}
	waitCond(t, "the flood's end read", func() bool { return read.Load() == fed.Load()+2 }) // the hello, the first and one per batch
}
