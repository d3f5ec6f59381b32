package http

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The write watchdog (realtime_ws_watchdog.go) ends a socket whose peer
// stopped reading once a write has been blocked for the write timeout,
// while the family's other sockets get every event, as the per-batch
// timer it replaced did; and it ticks only while sockets are open.

// dialStuck opens /ws as c over a connection with a 4 KiB receive buffer
// (set before connecting, so the window stays small) and never reads from
// it after the upgrade: the server's writes to it soon block.
func dialStuck(t *testing.T, c *client) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); err != nil {
			return err
		}
		return serr
	}}
	host := strings.TrimPrefix(c.env.ts.URL, "http://")
	conn, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req := "GET /ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13" +
		"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: " + c.cookieHeader().Get("Cookie") + "\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 256), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return conn
}

// TestWSWatchdogEndsStuckWriter: a socket that never reads is ended by the
// write timeout (not before it), counted as a slow disconnect, while a reading socket of the family gets every
// event in order; once no socket is open the watchdog stops ticking, and
// it starts again with the next socket.
func TestWSWatchdogEndsStuckWriter(t *testing.T) {
	// 2 s, not 500 ms: the reading socket is under the same timeout, and under
	// a loaded CI (2 cores, -race, browser tests beside it) it was once cut
	// off while the test had not read a burst yet.
	const timeout = 2 * time.Second
	env := newTestEnv(t, Config{RealtimeWriteTimeout: timeout})
	hub := startTestHub(t, env, 0)
	reg := prometheus.NewRegistry()
	reg.MustRegister(env.server.rt.metrics.SlowDisconnects)
	slowDisconnects := func() float64 {
		mfs, err := reg.Gather()
		if err != nil || len(mfs) != 1 {
			t.Fatal(mfs, err)
		}
		return mfs[0].GetMetric()[0].GetCounter().GetValue()
	}
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	fast := ana.socket(t, "")
	last := fast.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
	dialStuck(t, ana)
	waitCond(t, "two sockets", func() bool { return hub.ConnectionCount() == 2 })
	before := slowDisconnects()

	// Bursts larger than the stuck socket's queue (it reads on from the
	// log) until its writer blocks and the watchdog ends it.
	start := time.Now()
	for hub.ConnectionCount() == 2 {
		if time.Since(start) > 30*time.Second {
			t.Fatal("the socket that never reads was not ended")
		}
		last = fast.wantInOrder(last, writeEvents(t, env, list.ID, 1000))
	}
	if d := time.Since(start); d < timeout {
		t.Fatalf("the socket that never reads was ended %s after the first event, before the write timeout (%s)", d, timeout)
	}
	if got := slowDisconnects() - before; got != 1 {
		t.Fatalf("%v slow disconnects counted, want 1", got)
	}
	fast.wantInOrder(last, writeEvents(t, env, list.ID, 1))

	// No socket: the ticks stop; a new socket starts them again.
	fast.conn.CloseNow()
	waitCond(t, "no sockets", func() bool { return hub.ConnectionCount() == 0 })
	running := func() bool {
		d := env.server.rt.watchdog
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.running
	}
	waitCond(t, "the watchdog stopped", func() bool { return !running() })
	ana.socket(t, "").want("hello", map[string]any{"type": "hello"})
	if !running() {
		t.Fatal("the watchdog does not tick for a new socket")
	}
}
