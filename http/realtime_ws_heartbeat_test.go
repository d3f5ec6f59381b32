package http

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// The heartbeat (realtime_ws_watchdog.go, wsConn.heartbeat): pings ride
// on the write watchdog's ticks and are written by the socket's writer,
// which exists only while it writes; a peer that leaves a ping unanswered
// for the write timeout is ended.

// readFrame reads one server frame (unmasked) from conn and returns its
// opcode.
func readFrame(t *testing.T, conn net.Conn) byte {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var h [2]byte
	if _, err := io.ReadFull(conn, h[:]); err != nil {
		t.Fatalf("read a frame: %v", err)
	}
	n := int64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(conn, b[:]); err != nil {
			t.Fatal(err)
		}
		n = int64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(conn, b[:]); err != nil {
			t.Fatal(err)
		}
		n = int64(binary.BigEndian.Uint64(b[:]))
	}
	if _, err := io.CopyN(io.Discard, conn, n); err != nil {
		t.Fatal(err)
	}
	return h[0] & 0x0f
}

// waitPinged reads conn's frames until a ping (opcode 9), which it leaves
// unanswered.
func waitPinged(t *testing.T, conn net.Conn) {
	t.Helper()
	for readFrame(t, conn) != 9 {
	}
}

// TestWSHeartbeatKeepsNoGoroutinePerSocket: 40 peers that read but never
// answer a ping; once each was pinged and the writers that sent the pings
// are gone, the replica runs no more goroutines than before the pings.
// Before, every socket's ping ran on a goroutine of its own timer that
// waited in the library's Ping for the pong (here: for the write timeout),
// one per socket whose pong was outstanding.
func TestWSHeartbeatKeepsNoGoroutinePerSocket(t *testing.T) {
	const sockets = 40
	// A write timeout long enough that no silent socket is ended while
	// the test counts (ticks of 2 s: the pings come within 4 s).
	env := newTestEnv(t, Config{RealtimePing: 300 * time.Millisecond, RealtimeWriteTimeout: 20 * time.Second})
	hub := startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Ana's")
	conns := make([]net.Conn, sockets)
	for i := range conns {
		conns[i] = dialStuck(t, ana) // its hello was read with the upgrade's answer
	}
	waitCond(t, "every socket open", func() bool { return hub.ConnectionCount() == sockets })
	waitCond(t, "no writer", func() bool { return env.server.rt.writers.Load() == 0 })
	before := runtime.NumGoroutine()
	for _, c := range conns {
		waitPinged(t, c)
	}
	waitCond(t, "no writer after the pings", func() bool { return env.server.rt.writers.Load() == 0 })
	after := runtime.NumGoroutine()
	if hub.ConnectionCount() != sockets {
		t.Fatalf("%d sockets open, want %d: a silent one was ended before the write timeout", hub.ConnectionCount(), sockets)
	}
	if after-before >= sockets/2 {
		t.Fatalf("goroutines %d before the pings, %d with %d pings unanswered: one per socket", before, after, sockets)
	}
	t.Logf("goroutines: %d before the pings, %d after", before, after)
}

// TestWSHeartbeatEndsSilentPeer: a peer that never answers a ping is
// ended within the ping interval plus the write timeout (and a tick of
// the watchdog, a tenth of it), not before; a peer that answers stays.
func TestWSHeartbeatEndsSilentPeer(t *testing.T) {
	const ping, timeout = 500 * time.Millisecond, 2 * time.Second
	const tick = timeout / watchdogTicks
	env := newTestEnv(t, Config{RealtimePing: ping, RealtimeWriteTimeout: timeout})
	hub := startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Ana's")
	answering := ana.socket(t, "")
	answering.want("hello", map[string]any{"type": "hello"})
	answering.conn.CloseRead(context.Background()) // reads on, and so answers pings
	waitCond(t, "one socket", func() bool { return hub.ConnectionCount() == 1 })

	start := time.Now()
	silent := dialStuck(t, ana) // never reads: its pings stay unanswered
	waitCond(t, "two sockets", func() bool { return hub.ConnectionCount() == 2 })
	waitCond(t, "the silent socket ended", func() bool { return hub.ConnectionCount() == 1 })
	took := time.Since(start)
	_ = silent
	if took < ping+timeout-tick {
		t.Errorf("the silent socket was ended after %s, before its ping (%s) went unanswered for %s", took, ping, timeout)
	}
	// The bound: the ping is due a tick late at most, and its answer is
	// missed a tick late at most; a second of slack for a loaded machine.
	if limit := ping + timeout + 2*tick + time.Second; took > limit {
		t.Errorf("the silent socket was ended after %s, later than %s", took, limit)
	}
	t.Logf("silent socket ended after %s", took.Round(10*time.Millisecond))
	// The answering socket saw as many pings and stays.
	waitCond(t, "the answering socket pinged", func() bool { return env.server.rt.watchdog.now.Load() > 1+2*int64((ping+timeout)/tick) })
	if n := hub.ConnectionCount(); n != 1 {
		t.Fatalf("%d sockets open, want the answering one", n)
	}
}
