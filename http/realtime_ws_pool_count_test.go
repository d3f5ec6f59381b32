//go:build linux

package http

import (
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

// BenchmarkWSPoolCounted counts, in one process, what an event fanned
// out to 1,000 loopback sockets costs the replica with the shared writers
// (realtime_ws_pool.go) and with a writer goroutine per socket, in
// alternating rounds over the same sockets (3 of each): the process's CPU
// time, the goroutines started, the allocations and the write system
// calls, per message delivered (reported as metrics; an op is one event).
// The sockets are read by minimal clients (one goroutine each, a fixed
// buffer), whose cost both ways share. Run (docs/benchmarks.md):
//
//	go run ./cmd/pgrun -- go test -run '^$' -bench BenchmarkWSPoolCounted -benchtime 200x -count=1 ./http/
func BenchmarkWSPoolCounted(b *testing.B) {
	const sockets, rounds = 1000, 3
	env := newTestEnv(b, Config{})
	startTestHub(b, env, 0)
	rt := env.server.rt
	pool := rt.pool
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(b, &list)
	var got, want atomic.Int64
	done := make(chan struct{}, 1)
	for range sockets {
		countingPeer(b, env, ana, func() {
			if got.Add(1) == want.Load() {
				done <- struct{}{}
			}
		})
	}
	waitCond(b, "every hello", func() bool { return got.Load() == sockets })
	got.Store(0)
	event := func(b *testing.B) {
		want.Add(sockets)
		writeEvents(b, env, list.ID, 1)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Fatalf("%d of %d deliveries", got.Load(), want.Load())
		}
	}
	created := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	for range rounds {
		for _, mode := range []struct {
			name string
			pool *writerPool
		}{{"per-socket", nil}, {"shared", pool}} {
			b.Run(mode.name, func(b *testing.B) {
				rt.pool = mode.pool
				for range 20 {
					event(b)
				}
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				metrics.Read(created)
				a0, g0, w0, c0 := ms.Mallocs, created[0].Value.Uint64(), procWriteCalls(b), time.Duration(processCPU())
				b.ResetTimer()
				for range b.N {
					event(b)
				}
				b.StopTimer()
				c1, w1 := time.Duration(processCPU()), procWriteCalls(b)
				metrics.Read(created)
				runtime.ReadMemStats(&ms)
				n := float64(sockets * b.N)
				b.ReportMetric(float64((c1-c0).Nanoseconds())/1e3/n, "cpu-us/msg")
				b.ReportMetric(float64(created[0].Value.Uint64()-g0)/n, "goroutines/msg")
				b.ReportMetric(float64(ms.Mallocs-a0)/n, "allocs/msg")
				b.ReportMetric(float64(w1-w0)/n, "writes/msg")
			})
		}
	}
}

// procWriteCalls is the process's write system calls so far (Linux).
func procWriteCalls(t testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Fatal("needs /proc/self/io: ", err)
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
func countingPeer(t testing.TB, env *testEnv, c *client, onText func()) {
	t.Helper()
	addr := strings.TrimPrefix(env.ts.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	br := wsUpgrade(t, conn, addr, c, 64<<10)
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
