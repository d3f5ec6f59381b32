package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
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

var buildOnce struct {
	sync.Once
	path string
	err  error
}

func familyhubBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "familyhub-bench-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "familyhub")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		tb.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// replica is a familyhub serve process.
type replica struct {
	cmd *exec.Cmd
	url string
}

func startReplica(tb testing.TB, dbURL string) *replica {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(familyhubBinary(tb), "serve", "--addr", addr, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r := &replica{cmd: cmd, url: "http://" + addr}
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(r.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return r
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("replica %s not ready", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rssBytes returns the process's resident set size.
func (r *replica) rssBytes(tb testing.TB) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", r.cmd.Process.Pid))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	tb.Fatal("no VmRSS")
	return 0
}

// metric reads one unlabelled metric from /metrics.
func (r *replica) metric(tb testing.TB, name string) float64 {
	resp, err := http.Get(r.url + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	tb.Fatalf("metric %s not found", name)
	return 0
}

func benchSignup(tb testing.TB, r *replica, email string) member {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	body := fmt.Sprintf(`{"email":%q,"password":"correct horse","display_name":"B","family_name":"F"}`, email)
	resp, err := hc.Post(r.url+"/api/auth/signup", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != 201 {
		tb.Fatalf("signup: %v %v", err, resp)
	}
	resp.Body.Close()
	return member{hc: hc}
}

func benchDial(tb testing.TB, r *replica, mb member) *websocket.Conn {
	u := strings.Replace(r.url, "http", "ws", 1)
	var cookie []string
	for _, ck := range mb.hc.Jar.Cookies(mustURL(r.url)) {
		cookie = append(cookie, ck.Name+"="+ck.Value)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, u+"/ws", &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {strings.Join(cookie, "; ")}}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.CloseNow() })
	_, _, err = conn.Read(ctx) // hello
	if err != nil {
		tb.Fatal(err)
	}
	return conn
}

// BenchmarkWriteToDelivery: a REST write on replica A until the event
// arrives on a socket of the family on replica B, one write at a time.
// Reports p50/p99/max latency.
func BenchmarkWriteToDelivery(b *testing.B) {
	url := dbtest.URL(b)
	ra, rb := startReplica(b, url), startReplica(b, url)
	mb := benchSignup(b, ra, "bench@example.org")
	var list struct{ ID string }
	mb.call(b, ra.url, 201, "POST", "/api/shopping/lists", map[string]any{"name": "Bench"}, &list)
	conn := benchDial(b, rb, mb)
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
	ra, rb := startReplica(b, url), startReplica(b, url)
	const families = 50
	type fam struct {
		mb   member
		list string
		conn *websocket.Conn
	}
	fams := make([]fam, families)
	for i := range fams {
		mb := benchSignup(b, ra, fmt.Sprintf("f%d@example.org", i))
		var list struct{ ID string }
		mb.call(b, ra.url, 201, "POST", "/api/shopping/lists", map[string]any{"name": "L"}, &list)
		fams[i] = fam{mb: mb, list: list.ID, conn: benchDial(b, rb, mb)}
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
	r := startReplica(b, url)
	mbs := make([]member, 20)
	for i := range mbs {
		mbs[i] = benchSignup(b, r, fmt.Sprintf("idle%d@example.org", i))
	}
	// Warm up: one socket per member, so first-use allocations are not counted.
	for _, mb := range mbs {
		benchDial(b, r, mb)
	}
	time.Sleep(500 * time.Millisecond)
	rss0, heap0, gr0 := r.rssBytes(b), r.metric(b, "go_memstats_heap_inuse_bytes"), r.metric(b, "go_goroutines")
	b.ResetTimer()
	for i := range b.N {
		benchDial(b, r, mbs[i%len(mbs)])
	}
	b.StopTimer()
	time.Sleep(500 * time.Millisecond)
	n := float64(b.N)
	b.ReportMetric(float64(r.rssBytes(b)-rss0)/n, "rss-B/socket")
	b.ReportMetric((r.metric(b, "go_memstats_heap_inuse_bytes")-heap0)/n, "heap-B/socket")
	b.ReportMetric((r.metric(b, "go_goroutines")-gr0)/n, "goroutines/socket")
}

func mustURL(s string) *neturl.URL {
	u, err := neturl.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
