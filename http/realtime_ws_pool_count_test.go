package http

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestWSPoolCounted counts, in one process, what an event fanned out to
// 1,000 loopback sockets costs the replica with the shared writers
// (realtime_ws_pool.go) and with a writer goroutine per socket, in
// alternating rounds over the same sockets: the process's CPU time, the
// goroutines started, the allocations and the write system calls, per
// message delivered. The sockets are read by minimal clients (one
// goroutine each, a fixed buffer), whose cost both ways share. Counted,
// not timed; run by hand (docs/benchmarks.md):
//
//	FAMILYHUB_COUNT_POOL=1 go run ./cmd/pgrun -- go test -run TestWSPoolCounted -count=1 -v ./http/
func TestWSPoolCounted(t *testing.T) {
	if os.Getenv("FAMILYHUB_COUNT_POOL") == "" {
		t.Skip("a count run by hand: set FAMILYHUB_COUNT_POOL=1")
	}
	const sockets, events, rounds = 1000, 200, 6
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	rt := env.server.rt
	pool := rt.pool
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	var got, want atomic.Int64
	done := make(chan struct{}, 1)
	for range sockets {
		countingPeer(t, env, ana, func() {
			if got.Add(1) == want.Load() {
				done <- struct{}{}
			}
		})
	}
	waitCond(t, "every hello", func() bool { return got.Load() == sockets })
	got.Store(0)
	event := func() {
		want.Add(sockets)
		writeEvents(t, env, list.ID, 1)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d deliveries", got.Load(), want.Load())
		}
	}
	created := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	for r := range rounds {
		name := "goroutine per socket"
		rt.pool = nil
		if r%2 == 1 {
			name, rt.pool = "shared writers", pool
		}
		for range 20 {
			event()
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		metrics.Read(created)
		a0, g0, w0, c0 := ms.Mallocs, created[0].Value.Uint64(), procWriteCalls(t), time.Duration(processCPU())
		for range events {
			event()
		}
		c1, w1 := time.Duration(processCPU()), procWriteCalls(t)
		metrics.Read(created)
		runtime.ReadMemStats(&ms)
		n := float64(sockets * events)
		t.Logf("%-20s CPU %5.2f µs, goroutines %.4f, allocations %.4f, writes %.3f per message",
			name, float64((c1-c0).Microseconds())/n, float64(created[0].Value.Uint64()-g0)/n, float64(ms.Mallocs-a0)/n, float64(w1-w0)/n)
	}
}

// procWriteCalls is the process's write system calls so far (Linux).
func procWriteCalls(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Skip("needs /proc/self/io: ", err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	t.Fatal("no syscw in /proc/self/io")
	return 0
}

// countingPeer opens /ws as c and reads its frames on one goroutine into
// a fixed buffer, calling onText for each text frame and answering pings.
func countingPeer(t *testing.T, env *testEnv, c *client, onText func()) {
	t.Helper()
	addr := strings.TrimPrefix(env.ts.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req := "GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13" +
		"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: " + strings.Join(c.cookieHeader()["Cookie"], "; ") + "\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	if status, err := br.ReadString('\n'); err != nil || !strings.Contains(status, " 101 ") {
		t.Fatalf("upgrade: %q %v", status, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(line) == "" {
			break
		}
	}
	go func() {
		buf := make([]byte, 64<<10)
		var h [8]byte
		for {
			if _, err := io.ReadFull(br, h[:2]); err != nil {
				return
			}
			op, n := h[0]&0x0f, int(h[1]&0x7f)
			switch n {
			case 126:
				if _, err := io.ReadFull(br, h[:2]); err != nil {
					return
				}
				n = int(binary.BigEndian.Uint16(h[:2]))
			case 127:
				if _, err := io.ReadFull(br, h[:8]); err != nil {
					return
				}
				n = int(binary.BigEndian.Uint64(h[:8]))
			}
			if n > len(buf) {
				return
			}
			if _, err := io.ReadFull(br, buf[:n]); err != nil {
				return
			}
			switch op {
			case 1:
				onText()
			case 9: // a ping: pong, masked with a zero key, or the replica ends the socket
				if _, err := conn.Write([]byte{0x8a, 0x80, 0, 0, 0, 0}); err != nil {
					return
				}
			}
		}
	}()
}
