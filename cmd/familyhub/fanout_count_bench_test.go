package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// BenchmarkFanOutCounted: one event (a row updated as psql would) until
// every one of a family's sockets has it, with the server in this process
// and sockets read by minimal clients that allocate nothing and start no
// goroutine per message, so that the counts are the replica's own (plus a
// constant per event: the UPDATE's pgx call and the listener's decode).
// Reports, per socket and event, the allocations, the goroutines started
// (runtime/metrics /sched/goroutines-created) and the process's write
// system calls (/proc/self/io syscw; the client writes none but pongs):
// counted, not timed figures (docs/benchmarks-history-4.md, fourteenth round). With
// burst=N an iteration is N events committed one after the other, not
// waiting for their delivery in between, as under load; how many of them
// a socket's writer finds queued together depends on the machine's speed.
//
//	go run ./cmd/pgrun -- go test -run '^$' -bench FanOutCounted -benchtime 300x -benchmem ./cmd/familyhub/
func BenchmarkFanOutCounted(b *testing.B) {
	for _, sockets := range []int{1, 100, 1000} {
		b.Run("sockets="+strconv.Itoa(sockets), func(b *testing.B) { benchFanOutCounted(b, sockets, 1) })
	}
	b.Run("sockets=1000,burst=10", func(b *testing.B) { benchFanOutCounted(b, 1000, 10) })
}

func benchFanOutCounted(b *testing.B, sockets, burst int) {
	url := dbtest.URL(b)
	m := NewMain(Config{DatabaseURL: url, Addr: "127.0.0.1:0", Signup: "open"}, testLogger())
	if err := m.Run(b.Context()); err != nil {
		m.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	mb := newFamilyAt(b, m.URL(), "counted@example.org")
	list := mb.newList(b, m.URL())
	item := mb.addItem(b, m.URL(), list)
	pool := dbtest.PoolFor(b, url)
	var got, target atomic.Int64
	done := make(chan struct{}, 1)
	for range sockets {
		rawWSDial(b, m.URL(), mb.cookie(m.URL()), item, func() {
			if got.Add(1) >= target.Load() { // > after a stray event (the item's filing)
				select {
				case done <- struct{}{}:
				default:
				}
			}
		})
	}
	ctx := context.Background()
	n := 0
	event := func() {
		n++
		select { // a signal left by a stray event
		case <-done:
		default:
		}
		target.Add(int64(sockets * burst))
		for i := range burst {
			if _, err := pool.Exec(ctx, `UPDATE shopping_items SET note = $2 WHERE id = $1`, item, strconv.Itoa(n)+"."+strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Fatalf("%d of %d deliveries", got.Load(), target.Load())
		}
	}
	for range 20 { // warm up: first-use allocations, the queues' spare slices
		event()
	}
	runtime.GC()
	sample := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(sample)
	g0 := sample[0].Value.Uint64()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	a0, w0 := ms.Mallocs, writeSyscalls(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		event()
	}
	b.StopTimer()
	metrics.Read(sample)
	runtime.ReadMemStats(&ms)
	per := float64(b.N) * float64(sockets*burst)
	b.ReportMetric(float64(writeSyscalls(b)-w0)/per, "writes/delivery")
	b.ReportMetric(float64(sample[0].Value.Uint64()-g0)/per, "goroutines/delivery")
	b.ReportMetric(float64(ms.Mallocs-a0)/per, "allocs/delivery")
}

// writeSyscalls is the process's write system calls so far.
func writeSyscalls(tb testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		tb.Fatal("the write count needs /proc/self/io (Linux): ", err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	tb.Fatal("no syscw in /proc/self/io")
	return 0
}

// rawWSDial opens /ws at base with cookie by hand and reads its frames on
// one goroutine into a fixed buffer, calling onEvent for every event
// about item, and answering pings.
func rawWSDial(tb testing.TB, base, cookie, item string, onEvent func()) {
	tb.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	req := "GET /ws HTTP/1.1\r\nHost: " + strings.TrimPrefix(base, "http://") +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13" +
		"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: " + cookie + "\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		tb.Fatal(err)
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, " 101 ") {
		tb.Fatalf("upgrade: %q %v", status, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			tb.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
	}
	hello := make(chan struct{})
	want := []byte(`"id":"` + item + `"`)
	go func() {
		buf, h := make([]byte, 64<<10), make([]byte, 8)
		pong := make([]byte, 0, 2+4+125)
		first := true
		for {
			op, payload, err := readRawFrame(br, h, buf)
			if err != nil {
				return
			}
			switch {
			case op == 0x9: // ping: a masked pong with a zero key echoes it
				pong = append(pong[:0], 0x8A, 0x80|byte(len(payload)), 0, 0, 0, 0)
				pong = append(pong, payload...)
				if _, err := conn.Write(pong); err != nil {
					return
				}
			case op == 0x1 && first:
				first = false
				close(hello)
			case op == 0x1 && bytes.Contains(payload, want):
				onEvent()
			}
		}
	}()
	select {
	case <-hello:
	case <-time.After(10 * time.Second):
		tb.Fatal("no hello")
	}
}

// readRawFrame reads one unmasked server frame into buf (h: 8 bytes of
// scratch for the header, which would escape as a local array).
func readRawFrame(br *bufio.Reader, h, buf []byte) (op byte, payload []byte, err error) {
	if _, err := io.ReadFull(br, h[:2]); err != nil {
		return 0, nil, err
	}
	op, n := h[0]&0x0f, uint64(h[1]&0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(br, h[:2]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(br, h[:8]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	if n > uint64(len(buf)) {
		return 0, nil, io.ErrShortBuffer
	}
	if _, err := io.ReadFull(br, buf[:n]); err != nil {
		return 0, nil, err
	}
	return op, buf[:n], nil
}
