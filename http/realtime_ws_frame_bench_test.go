package http

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub/realtime"
)

// syscallConn counts the writes that reach the socket, each one system
// call.
type syscallConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *syscallConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// processCPU returns the CPU time the process has used (user and system,
// every thread: the writer's and the peer's), in ns. On a shared machine
// it moves far less with the load than the time per op does.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// benchSocket is a server's socket (as handleWS makes it) with a peer that
// reads and discards everything, without allocating.
func benchSocket(b *testing.B) (*wsConn, *syscallConn, *atomic.Int64) {
	b.Helper()
	got := make(chan *wsConn, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sb := &smallBuffers{ResponseWriter: w, pong: func() {}}
		conn, err := websocket.Accept(sb, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
		if err != nil {
			b.Error(err)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		got <- &wsConn{conn: conn, cork: sb.cork, ctx: ctx, cancel: cancel}
	}))
	b.Cleanup(ts.Close)
	raw, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	io.WriteString(raw, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(raw)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		b.Fatal(resp, err)
	}
	w := <-got
	b.Cleanup(func() { w.conn.CloseNow() })
	metrics := realtime.NewMetrics(prometheus.NewRegistry(), nil)
	w.rt = &realtimeState{metrics: metrics, watchdog: newWriteWatchdog(time.Hour, time.Hour)}
	sc := &syscallConn{Conn: w.cork.Conn}
	w.cork.Conn = sc
	var read atomic.Int64
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := br.Read(buf)
			read.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	return w, sc, &read
}

// libraryBatch is writeBatch as it was before the frames were encoded
// here: each message through the library's Conn.Write, a batch of more
// than one gathered by the corkConn.
func (w *wsConn) libraryBatch(msgs []realtime.Message) error {
	w.batch.Lock()
	defer w.batch.Unlock()
	w.rt.watchdog.begin(w)
	defer w.rt.watchdog.end(w)
	if len(msgs) > 1 {
		w.cork.hold(false)
	}
	var err error
	for _, m := range msgs {
		if err = w.conn.Write(context.Background(), websocket.MessageText, m.Data); err != nil {
			break
		}
	}
	if rerr := w.cork.release(); err == nil {
		err = rerr
	}
	for _, m := range msgs {
		w.rt.metrics.ObserveDelivery(m)
	}
	return err
}

// BenchmarkWSWrite: a socket's writer writing batches of an event (300
// bytes, as a shopping notice) to a peer over loopback, through the
// WebSocket library as before ("library") and as frames encoded here
// ("frames"); per message: time, the process's CPU (the writer and the
// peer that reads), allocations and system calls.
//
//	go test -run '^$' -bench WSWrite -benchmem ./http/
func BenchmarkWSWrite(b *testing.B) {
	data := []byte(`{"type":"SHOPPING_ITEM_CREATED","seq":12345,"prev_seq":12344,` + strings.Repeat(`"x":"0123456789",`, 14) + `"at":"2026-12-04T13:00:00.123456Z"}`)
	for _, batch := range []int{1, 4} {
		msgs := make([]realtime.Message, batch)
		for i := range msgs {
			msgs[i] = realtime.Message{Data: data, At: time.Now(), Seq: int64(i + 1)}
		}
		for _, mode := range []string{"library", "frames"} {
			b.Run(mode+"/batch="+string(rune('0'+batch)), func(b *testing.B) {
				w, sc, read := benchSocket(b)
				write := w.writeBatch
				if mode == "library" {
					write = w.libraryBatch
				}
				var once sync.Once
				b.ReportAllocs()
				cpu0 := processCPU()
				b.ResetTimer()
				for range b.N {
					if err := write(msgs); err != nil {
						once.Do(func() { b.Fatal(err) })
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N*batch), "cpu-ns/msg")
				b.ReportMetric(float64(sc.writes.Load())/float64(b.N*batch), "syscalls/msg")
				want := int64(b.N * batch * (len(data) + 4))
				for deadline := time.Now().Add(10 * time.Second); read.Load() < want && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond) // the peer drains the socket
				}
				if got := read.Load(); got != want {
					b.Fatalf("peer read %d bytes, want %d", got, want)
				}
			})
		}
	}
}
