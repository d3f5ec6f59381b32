//go:build unix

package http

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The replica's shared socket writers (realtime_ws_pool.go).

// TestWSStalledSocketHoldsNoWriter: a socket whose peer stopped reading
// does not hold back the others, even with a single shared writer. Its
// batch, which the kernel did not take whole, goes to a goroutine of its
// own, blocked there until the write timeout (a minute here); meanwhile
// the next event reaches every other socket, while the stalled one is
// still in its batch. With writes on the shared writer that wait for the
// peer, the others waited for the write timeout.
func TestWSStalledSocketHoldsNoWriter(t *testing.T) {
	env, rt, ana := oneWriter(t)
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	var ws []*testSocket
	var last float64
	for range 5 {
		s := ana.socket(t, "")
		last = s.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
		ws = append(ws, s)
	}
	peer := stalledPeer(t, env, ana)
	pw := serverSide(t, rt, peer)

	// Bursts until a batch to the peer that does not read is blocked (the
	// kernel refused part of it and it went to the socket's own writer: a
	// batch merely being written when busy is read may still end at once);
	// the others read everything meanwhile.
	for i := 0; pw.busy.Load() == 0 || rt.pool.stalls.Load() == 0; i++ {
		if i == 100 {
			t.Fatal("no batch to the stalled peer blocked after 100 bursts")
		}
		upto := writeEvents(t, env, list.ID, 100)
		for _, s := range ws {
			s.wantInOrder(last, upto)
		}
		last = upto
	}
	began := pw.busy.Load()
	// The next event reaches the others while that batch still waits
	// for its peer.
	upto := writeEvents(t, env, list.ID, 1)
	for _, s := range ws {
		s.wantInOrder(last, upto)
	}
	if pw.busy.Load() != began {
		t.Fatal("the stalled socket's batch ended before the others were written: the test proves nothing")
	}
	if rt.pool.stalls.Load() == 0 {
		t.Error("the blocked batch was not handed to the socket's own writer")
	}
}

// TestWSTryWriteAllocatesNothing: a batch written on a shared writer
// (hold with try, a frame, releaseTry) allocates nothing. A closure for
// RawConn.Write per write allocated three times per message.
func TestWSTryWriteAllocatesNothing(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	raw, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	c := &corkConn{Conn: raw, raw: rawConn(raw)}
	if c.raw == nil {
		t.Fatal("no file descriptor to try writes on (unix TCP always has one)")
	}
	payload := []byte(strings.Repeat("x", 300))
	allocs := testing.AllocsPerRun(200, func() {
		c.hold(true)
		if err := c.writeFrame(frameText, payload); err != nil {
			t.Fatal(err)
		}
		if stalled, err := c.releaseTry(); stalled || err != nil {
			t.Fatal(stalled, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per batch on a shared writer, want 0", allocs)
	}
}

// TestWSPongBlockedHoldsNoWriter: a socket whose library is blocked
// writing a pong (its peer sends pings and reads nothing) does not hold
// back the others with a single shared writer: its batch goes to its own
// writer. A shared writer that waited for the socket's connection waited
// for the pong's write, up to the library's 5 s timeout, and every other
// socket with it.
func TestWSPongBlockedHoldsNoWriter(t *testing.T) {
	env, rt, ana := oneWriter(t)
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	s := ana.socket(t, "")
	last := s.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
	peer := stalledPeer(t, env, ana)
	pw := serverSide(t, rt, peer)

	// Pings (masked, 125 bytes each) until the server stops reading them
	// (not a byte taken for half a second): its reader is blocked writing
	// a pong to a peer that does not read.
	ping := append([]byte{0x89, 0x80 | 125, 0, 0, 0, 0}, bytes.Repeat([]byte("p"), 125)...)
	pings := bytes.Repeat(ping, 512)
	for i, off := 0, 0; ; i++ {
		if i == 2000 {
			t.Fatal("the server read 2,000 bursts of pings from a peer that reads nothing")
		}
		_ = peer.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
		n, err := peer.Write(pings[off:])
		off = (off + n) % len(ping) // the next write goes on inside the frame cut
		if err == nil {
			continue
		}
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	// Two events: whichever socket the shared writer takes first, the
	// second event to s comes after the blocked one's batch.
	for range 2 {
		upto := writeEvents(t, env, list.ID, 1)
		last = s.wantInOrder(last, upto)
	}
	if pw.cork.mu.TryLock() {
		pw.cork.mu.Unlock()
		t.Fatal("the other socket was written only once the blocked pong's write ended: the shared writer waited for it")
	}
}

// TestWSPoolQueueBounded: under a load that never lets the shared
// writers' queue empty, its slice stays the size of what waits. Sockets
// written piled up before its head, and it grew by every socket readied
// since it was last empty.
func TestWSPoolQueueBounded(t *testing.T) {
	p := &writerPool{}          // max 0: no worker; the test pops
	ws := []*wsConn{{}, {}, {}} // readied in turn, each once at a time
	p.push(ws[0])
	p.push(ws[1])
	for i := range 100_000 {
		p.push(ws[(i+2)%3])
		if w := p.pop(); w != ws[i%3] {
			t.Fatalf("pop %d: got socket %p, want %p (the order readied)", i, w, ws[i%3])
		}
	}
	if c := cap(p.ready); c > 64 {
		t.Errorf("queue of %d sockets waiting has a slice of %d", len(p.ready)-p.head, c)
	}
}

// oneWriter starts a replica whose sockets share a single writer (and a
// write timeout of a minute), with Ana signed up: rt is its realtime state.
func oneWriter(t *testing.T) (env *testEnv, rt *realtimeState, ana *client) {
	t.Helper()
	env = newTestEnv(t, Config{RealtimeWriteTimeout: time.Minute})
	startTestHub(t, env, 0)
	rt = env.server.rt
	rt.pool = &writerPool{max: 1}
	ana, _ = env.signup("ana@example.org", "Ana's")
	return env, rt, ana
}

// wsConns returns the replica's open sockets.
func wsConns(rt *realtimeState) []*wsConn {
	rt.watchdog.mu.Lock()
	defer rt.watchdog.mu.Unlock()
	ws := make([]*wsConn, 0, len(rt.watchdog.conns))
	for w := range rt.watchdog.conns {
		ws = append(ws, w)
	}
	return ws
}

// serverSide is the server's socket of the stalled peer, with a send
// buffer of 4 KiB: the kernel holds little for a peer that does not read.
func serverSide(t *testing.T, rt *realtimeState, peer net.Conn) *wsConn {
	t.Helper()
	var pw *wsConn
	waitCond(t, "the stalled peer's socket", func() bool {
		for _, w := range wsConns(rt) {
			if w.cork.RemoteAddr().String() == peer.LocalAddr().String() {
				pw = w
			}
		}
		return pw != nil
	})
	if err := pw.cork.Conn.(*net.TCPConn).SetWriteBuffer(4096); err != nil {
		t.Fatal(err)
	}
	return pw
}

// stalledPeer opens /ws as c with a receive buffer of 4 KiB and never
// reads past the upgrade's answer; it returns the connection.
func stalledPeer(t *testing.T, env *testEnv, c *client) net.Conn {
	t.Helper()
	addr := strings.TrimPrefix(env.ts.URL, "http://")
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	wsUpgrade(t, conn, addr, c, 16)
	return conn
}

// wsUpgrade asks for a WebSocket upgrade on conn as c and reads the
// answer's header through a reader of size bytes, which it returns (it may
// hold the first frames).
func wsUpgrade(t testing.TB, conn net.Conn, addr string, c *client, size int) *bufio.Reader {
	t.Helper()
	req := "GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13" +
		"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: " + strings.Join(c.cookieHeader()["Cookie"], "; ") + "\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(conn, size)
	if status, err := br.ReadString('\n'); err != nil || !strings.Contains(status, " 101 ") {
		t.Fatalf("upgrade: %q %v", status, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(line) == "" {
			return br
		}
	}
}

// TestCorkConnStalledKeepsOrder: a frame the kernel takes only part of
// on a shared writer (hold with try), a close frame the library writes
// meanwhile, then the socket's own writer's release: the peer gets the
// frame whole, then the close frame, each once, nothing in between and
// nothing after. A frame of ours after the library's close is refused.
func TestCorkConnStalledKeepsOrder(t *testing.T) {
	c, peer := stalledCork(t)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB: more than the kernel takes at once
	closeFrame := []byte{frameClose, 2, 0x03, 0xe8}

	c.hold(true)
	if err := c.writeFrame(frameText, payload); err != nil {
		t.Fatal(err)
	}
	if !c.stalled {
		t.Fatal("the kernel took 1 MiB at once: the test proves nothing")
	}
	if n, err := c.Write(closeFrame); n != len(closeFrame) || err != nil { // as the library writes it
		t.Fatal(n, err)
	}
	if err := c.writeFrame(frameText, []byte("after")); err == nil {
		t.Fatal("a frame after the library's close frame was taken")
	}
	if stalled, err := c.releaseTry(); !stalled || err != nil {
		t.Fatal(stalled, err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(peer)
		got <- b
	}()
	if err := c.release(); err != nil { // the socket's own writer: waits for the peer
		t.Fatal(err)
	}
	c.Close()
	want := append(frameHeader(nil, frameText, len(payload)), payload...)
	want = append(want, closeFrame...)
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("peer got %d bytes, want %d (the frame, then the close frame)", len(b), len(want))
	}
}

// stalledCork is a corkConn on a loopback connection with small buffers
// both ways (4 KiB), and the peer's end, which reads nothing unless told.
func stalledCork(t *testing.T) (*corkConn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	peer, err := d.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	raw, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if err := raw.(*net.TCPConn).SetWriteBuffer(4096); err != nil {
		t.Fatal(err)
	}
	return &corkConn{Conn: raw, raw: rawConn(raw)}, peer
}
