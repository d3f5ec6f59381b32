package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/familyhub/familyhub/db/dbtest"
)

// Benchmarks run real `familyhub serve` processes (built once) on one
// database, so that server memory is measured apart from the clients.
// Run them with `make bench`; results are in docs/benchmarks.md.

// BenchmarkWriteToDelivery: a REST write on replica A until the event
// arrives on a socket of the family on replica B, one write at a time.
// Reports p50/p99/max latency.
func BenchmarkWriteToDelivery(b *testing.B) {
	url := dbtest.URL(b)
	ra, rb := spawnReplica(b, url), spawnReplica(b, url)
	mb := newFamilyAt(b, ra.url, "bench@example.org")
	var list struct{ ID string }
	mb.call(b, ra.url, 201, "POST", "/api/shopping/lists", map[string]any{"name": "Bench"}, &list)
	conn := benchDial(b, rb.url, mb)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		mb.call(b, ra.url, 201, "POST", "/api/shopping/lists/"+list.ID+"/items", map[string]any{"name": "item " + strconv.Itoa(i)}, nil)
		if _, _, err := conn.Read(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkFanOut: one write on replica A reaches sockets on replica B
// of 50 families, while each family writes concurrently; measures
// write-to-delivery for every write under load.
func BenchmarkFanOutConcurrent(b *testing.B) {
	url := dbtest.URL(b)
	ra, rb := spawnReplica(b, url), spawnReplica(b, url)
	const families = 50
	type fam struct {
		mb   member
		list string
		conn *websocket.Conn
	}
	fams := make([]fam, families)
	for i := range fams {
		mb := newFamilyAt(b, ra.url, fmt.Sprintf("f%d@example.org", i))
		var list struct{ ID string }
		mb.call(b, ra.url, 201, "POST", "/api/shopping/lists", map[string]any{"name": "L"}, &list)
		fams[i] = fam{mb: mb, list: list.ID, conn: benchDial(b, rb.url, mb)}
	}
	var mu sync.Mutex
	var lat []time.Duration
	per := b.N/families + 1
	b.ResetTimer()
	var wg sync.WaitGroup
	for _, f := range fams {
		wg.Go(func() {
			local := make([]time.Duration, 0, per)
			for i := 0; i < per; i++ {
				start := time.Now()
				f.mb.call(b, ra.url, 201, "POST", "/api/shopping/lists/"+f.list+"/items", map[string]any{"name": "x"}, nil)
				if _, _, err := f.conn.Read(context.Background()); err != nil {
					b.Error(err)
					return
				}
				local = append(local, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	reportLatency(b, lat)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkIdleSocketMemory opens b.N idle sockets on one replica (one per
// iteration: run it with -benchtime 2000x or more) and reports the server's
// resident memory, Go heap and goroutines per socket.
func BenchmarkIdleSocketMemory(b *testing.B) {
	url := dbtest.URL(b)
	// b.N sockets over 20 members: beyond the per-user limit.
	r := spawnReplica(b, url, "FAMILYHUB_REALTIME_MAX_PER_USER=0")
	mbs := make([]member, 20)
	for i := range mbs {
		mbs[i] = newFamilyAt(b, r.url, fmt.Sprintf("idle%d@example.org", i))
	}
	// Warm up: one socket per member, so first-use allocations are not counted.
	for _, mb := range mbs {
		benchDial(b, r.url, mb)
	}
	time.Sleep(500 * time.Millisecond)
	rss0, heap0, gr0 := r.rssBytes(b), metricAt(b, r.url, "go_memstats_heap_inuse_bytes"), metricAt(b, r.url, "go_goroutines")
	b.ResetTimer()
	for i := range b.N {
		benchDial(b, r.url, mbs[i%len(mbs)])
	}
	b.StopTimer()
	time.Sleep(500 * time.Millisecond)
	n := float64(b.N)
	b.ReportMetric(float64(r.rssBytes(b)-rss0)/n, "rss-B/socket")
	b.ReportMetric((metricAt(b, r.url, "go_memstats_heap_inuse_bytes")-heap0)/n, "heap-B/socket")
	b.ReportMetric((metricAt(b, r.url, "go_goroutines")-gr0)/n, "goroutines/socket")
}

// benchDial opens a socket at base as mb and reads its hello.
func benchDial(tb testing.TB, base string, mb member) *websocket.Conn {
	tb.Helper()
	conn, _, err := dialAt(context.Background(), base, mb, "", nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.CloseNow() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := conn.Read(ctx); err != nil { // hello
		tb.Fatal(err)
	}
	return conn
}

// BenchmarkFanOutInProcess: one event (a row inserted as psql would) until
// all of 1,000 sockets of its family have it, with the server in this
// process so that -cpuprofile shows where the replica spends its time.
//
//	go run ./cmd/pgrun -- go test -run '^$' -bench FanOutInProcess -benchtime 500x -cpuprofile cpu.out ./cmd/familyhub/
func BenchmarkFanOutInProcess(b *testing.B) {
	url := dbtest.URL(b)
	m := NewMain(Config{DatabaseURL: url, Addr: "127.0.0.1:0", Signup: "open"}, testLogger())
	if err := m.Run(b.Context()); err != nil {
		m.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	mb := newFamilyAt(b, m.URL(), "fan@example.org")
	list := mb.newList(b, m.URL())
	pool := dbtest.PoolFor(b, url)
	const sockets = 1000
	var got sync.WaitGroup
	var mu sync.Mutex
	want := int64(0)
	seen := make([]int64, sockets)
	for i := range sockets {
		conn := benchDial(b, m.URL(), mb)
		go func() {
			for {
				_, data, err := conn.Read(context.Background())
				if err != nil {
					return
				}
				if !strings.Contains(string(data), `"op":"insert"`) {
					continue
				}
				mu.Lock()
				seen[i]++
				if seen[i] == want {
					got.Done()
				}
				mu.Unlock()
			}
		}()
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		mu.Lock()
		want++
		got.Add(sockets)
		mu.Unlock()
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, mb.familyID, list); err != nil {
			b.Fatal(err)
		}
		got.Wait()
	}
}

// BenchmarkWriteFanOut4InProcess: one shopping item added over REST until
// each of the family's 4 devices (sockets) has its event, with the server
// in this process: allocs/op and -cpuprofile show what one write costs the
// replica on the REST path and the event path together (the client's side,
// an HTTP request and 4 socket reads, is in the figures too and is the same
// for every build).
//
//	go run ./cmd/pgrun -- go test -run '^$' -bench WriteFanOut4InProcess -benchtime 2000x -benchmem -cpuprofile cpu.out ./cmd/familyhub/
func BenchmarkWriteFanOut4InProcess(b *testing.B) {
	url := dbtest.URL(b)
	// As the flags' defaults configure a replica: the session cache on.
	m := NewMain(Config{DatabaseURL: url, Addr: "127.0.0.1:0", Signup: "open", SessionCacheTTL: 30 * time.Second}, testLogger())
	if err := m.Run(b.Context()); err != nil {
		m.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	mb := newFamilyAt(b, m.URL(), "fan4@example.org")
	list := mb.newList(b, m.URL())
	const devices = 4
	conns := make([]*websocket.Conn, devices)
	for i := range conns {
		conns[i] = benchDial(b, m.URL(), mb)
	}
	path := "/api/shopping/lists/" + list + "/items"
	body := map[string]any{"name": "milk"}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		mb.call(b, m.URL(), 201, "POST", path, body, nil)
		for _, c := range conns {
			for {
				_, data, err := c.Read(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if strings.Contains(string(data), `"op":"insert"`) {
					break
				}
			}
		}
	}
}
