package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/db/pgcluster"
)

// Fault tests: real `familyhub serve` processes, real nginx, a real
// PostgreSQL restart. Each checks that devices that follow the protocol
// (reconnect, resume with since) miss nothing.

const wsConns = `familyhub_realtime_connections{transport="ws"}`

// TestFaultReplicaKilled: a replica dies with SIGKILL while writes go on
// through nginx; its devices reconnect through nginx to the other replica,
// resume with since and miss nothing.
func TestFaultReplicaKilled(t *testing.T) {
	skipInShortMode(t, "nginx")
	url := dbtest.URL(t)
	r1, r2 := spawnReplica(t, url), spawnReplica(t, url)
	ng := startNginx(t, r1, r2)
	ana := newFamilyAt(t, ng.url, "ana@example.org")
	list := ana.newList(t, ng.url)

	const devices = 6
	var rs []*resumer
	for i := range devices {
		rs = append(rs, startResumer(t, ng.url, ana, fmt.Sprintf("device_id=d%d", i)))
	}
	waitUntil(t, "all sockets registered", 10*time.Second, func() bool {
		return metricAt(t, r1.url, wsConns)+metricAt(t, r2.url, wsConns) == devices
	})
	// Kill the replica holding more of the sockets (round robin: half each).
	victim, survivor := r1, r2
	if metricAt(t, r2.url, wsConns) > metricAt(t, r1.url, wsConns) {
		victim, survivor = r2, r1
	}
	onVictim := int(metricAt(t, victim.url, wsConns))
	if onVictim == 0 {
		t.Fatal("nginx put no socket on either replica?")
	}

	// Writes through nginx, one every few milliseconds, before, during and
	// after the kill. A write in flight on the victim when it dies gets a
	// 502 from nginx (nginx does not retry a POST it already sent); it may
	// or may not have committed, and seq continuity covers both cases.
	hc := &http.Client{Jar: ana.hc.Jar, Timeout: 5 * time.Second}
	var ids []string
	var failed int
	for i := range 150 {
		if i == 30 {
			victim.cmd.Process.Signal(syscall.SIGKILL)
			<-exitedChan(victim.cmd)
			t.Logf("killed the replica holding %d of %d sockets after %d writes", onVictim, devices, i)
		}
		resp, err := hc.Post(ng.url+"/api/shopping/lists/"+list+"/items", "application/json", strings.NewReader(`{"name":"x"}`))
		if err != nil {
			t.Fatalf("write %d through nginx: %v", i, err)
		}
		var item struct{ ID string }
		json.NewDecoder(resp.Body).Decode(&item)
		resp.Body.Close()
		if resp.StatusCode == http.StatusCreated {
			ids = append(ids, item.ID)
		} else {
			failed++
		}
		time.Sleep(3 * time.Millisecond)
	}
	if failed > 3 {
		t.Errorf("%d writes failed through nginx; only those in flight at the kill may", failed)
	}
	// At least this far: background jobs may add events after it (milk is
	// filed by its insert, but a sweep or notice may still write), which
	// devices receive too.
	final := familySeq(t, ng.url, ana)
	for i, r := range rs {
		waitUntil(t, fmt.Sprintf("device %d caught up to seq %d", i, final), 15*time.Second, func() bool { return r.lastSeq() >= final })
		r.check(t, fmt.Sprintf("device %d", i))
		for _, id := range ids {
			if !r.saw(id) {
				t.Fatalf("device %d never saw item %s", i, id)
			}
		}
	}
	reconnected := 0
	for _, r := range rs {
		if r.connects() > 1 {
			reconnected++
		}
	}
	if reconnected < onVictim {
		t.Fatalf("%d devices reconnected, want at least the %d on the killed replica", reconnected, onVictim)
	}
	if got := metricAt(t, survivor.url, wsConns); got != devices {
		t.Fatalf("survivor holds %v sockets, want all %d", got, devices)
	}
	t.Logf("%d writes (%d failed at the kill), %d devices reconnected, all saw seq 1..%d", len(ids), failed, reconnected, final)
}

// TestFaultPostgresRestart stops PostgreSQL under two replicas and starts
// it again on the same data directory and port: readiness goes red then
// green, writes during the outage fail quickly with 503 and a JSON error,
// the pool and the listener reconnect, and no event is lost for the sockets.
func TestFaultPostgresRestart(t *testing.T) {
	skipInShortMode(t, "a PostgreSQL restart")
	// Its own cluster: stopping the shared test server would break every
	// other test. Under os.TempDir(), which the postgres user can reach.
	dir, err := os.MkdirTemp("", "familyhub-pgfault-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx := context.Background()
	pg, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() }) // pg is reassigned on restart
	if err := pg.CreateDatabase(ctx, "familyhub"); err != nil {
		t.Fatal(err)
	}
	url := pg.URL("familyhub")
	r1, r2 := spawnReplica(t, url), spawnReplica(t, url)
	ana := newFamilyAt(t, r1.url, "ana@example.org")
	list := ana.newList(t, r1.url)
	rs := []*resumer{startResumer(t, r1.url, ana, "device_id=a"), startResumer(t, r2.url, ana, "device_id=b")}
	for range 5 {
		ana.addItem(t, r1.url, list)
	}
	// Background jobs may add events of their own: wait for whatever the
	// family's seq is.
	for _, r := range rs {
		waitUntil(t, "events before the outage", 10*time.Second, func() bool {
			return r.lastSeq() >= 6 && r.lastSeq() == familySeq(t, r1.url, ana)
		})
	}

	down := time.Now()
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*replica{r1, r2} {
		waitUntil(t, r.url+" not ready", 10*time.Second, func() bool { return readyz(r.url) == http.StatusServiceUnavailable })
	}
	t.Logf("readiness red %s after PostgreSQL stopped", time.Since(down))

	// Writes during the outage: a clean 503 with a JSON error, quickly.
	hc := &http.Client{Jar: ana.hc.Jar, Timeout: 10 * time.Second}
	var slowest time.Duration
	for i := range 6 {
		base := []*replica{r1, r2}[i%2].url
		start := time.Now()
		resp, err := hc.Post(base+"/api/shopping/lists/"+list+"/items", "application/json", strings.NewReader(`{"name":"x"}`))
		elapsed := time.Since(start)
		slowest = max(slowest, elapsed)
		if err != nil {
			t.Fatalf("write during the outage did not answer: %v after %s", err, elapsed)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var body struct{ Error struct{ Code string } }
		if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(b, &body) != nil || body.Error.Code != "unavailable" {
			t.Fatalf("write during the outage: %d %s, want 503 with a JSON unavailable error", resp.StatusCode, b)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After")
		}
		if elapsed > 2*time.Second {
			t.Fatalf("write during the outage took %s", elapsed)
		}
	}
	t.Logf("writes during the outage: 503 within %s", slowest)

	up := time.Now()
	pg, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: pg.Port(), Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*replica{r1, r2} {
		waitUntil(t, r.url+" ready again", 30*time.Second, func() bool { return readyz(r.url) == http.StatusOK })
	}
	t.Logf("readiness green %s after PostgreSQL started again (outage %s)", time.Since(up), up.Sub(down))

	// Writes work again (a pooled connection that died with the server may
	// fail one write with 503: retry, as clients do).
	var ids []string
	for i := range 10 {
		base := []*replica{r1, r2}[i%2].url
		for attempt := 0; ; attempt++ {
			resp, err := hc.Post(base+"/api/shopping/lists/"+list+"/items", "application/json", strings.NewReader(`{"name":"y"}`))
			if err != nil {
				t.Fatal(err)
			}
			var item struct{ ID string }
			json.NewDecoder(resp.Body).Decode(&item)
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				ids = append(ids, item.ID)
				break
			}
			if resp.StatusCode != http.StatusServiceUnavailable || attempt == 3 {
				t.Fatalf("write after the restart: %d", resp.StatusCode)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	final := familySeq(t, r1.url, ana)
	for i, r := range rs {
		waitUntil(t, fmt.Sprintf("device %d caught up to seq %d", i, final), 15*time.Second, func() bool { return r.lastSeq() >= final })
		r.check(t, fmt.Sprintf("device %d", i))
		for _, id := range ids {
			if !r.saw(id) {
				t.Fatalf("device %d never saw item %s", i, id)
			}
		}
	}
	if n := metricAt(t, r1.url, "familyhub_realtime_listener_reconnects_total"); n < 1 {
		t.Errorf("listener reconnects = %v, want ≥ 1", n)
	}
}

// TestFaultAbusiveClients: a client that stops reading, 1,000 sockets
// opened and dropped, oversized and malformed messages and a flood of
// pings. Meanwhile a REST call keeps answering quickly; afterwards the
// server's goroutines and heap return to their baseline.
func TestFaultAbusiveClients(t *testing.T) {
	skipInShortMode(t, "hundreds of abusive clients")
	url := dbtest.URL(t)
	// A low GOGC makes the heap in use track live memory closely, so a leak
	// shows and garbage does not look like one.
	// One job worker: the jobs engine's goroutines (River: maintenance
	// services, workers) come and go on their own schedule and are not
	// what this test measures.
	r := spawnReplica(t, url, "GOGC=20", "FAMILYHUB_JOB_WORKERS=1")
	ana := newFamilyAt(t, r.url, "ana@example.org")
	pool := dbtest.PoolFor(t, url)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE things (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
		family_id uuid NOT NULL REFERENCES families ON DELETE CASCADE, list_id uuid, name text);
		CREATE TRIGGER things_event AFTER INSERT OR UPDATE OR DELETE ON things FOR EACH ROW
		EXECUTE FUNCTION familyhub_capture_event('SHOPPING_ITEM_UPDATED', 'familyhub_shopping', 'list_id')`); err != nil {
		t.Fatal(err)
	}
	write := func(n int) {
		if _, err := pool.Exec(ctx, `INSERT INTO things (family_id, name) SELECT $1, 'x' FROM generate_series(1, $2)`, ana.familyID, n); err != nil {
			t.Fatal(err)
		}
	}
	dial := func() *websocket.Conn {
		t.Helper()
		conn, _, err := dialAt(ctx, r.url, ana, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}

	// Warm up (first-use allocations, pools), then take the baseline.
	for range 20 {
		c := dial()
		c.Read(ctx)
		c.Close(websocket.StatusNormalClosure, "")
	}
	write(10)
	waitUntil(t, "no sockets", 10*time.Second, func() bool { return metricAt(t, r.url, wsConns) == 0 })
	// The baseline, once the goroutine count holds still: the jobs engine
	// (River) starts its maintenance goroutines a moment after start-up.
	g0 := stableGoroutines(t, r.url)
	h0 := metricAt(t, r.url, "go_memstats_heap_inuse_bytes")
	rss0 := r.rssBytes(t)

	// The probe: a REST call every 50 ms; the slowest answer counts.
	var slowest atomic.Int64
	probeCtx, stopProbe := context.WithCancel(ctx)
	var probe sync.WaitGroup
	defer probe.Wait()
	defer stopProbe()
	probe.Go(func() {
		hc := &http.Client{Jar: ana.hc.Jar, Timeout: 10 * time.Second}
		for probeCtx.Err() == nil {
			start := time.Now()
			resp, err := hc.Get(r.url + "/api/me")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("probe: %v %v", err, resp)
				return
			}
			resp.Body.Close()
			if d := time.Since(start); d > time.Duration(slowest.Load()) {
				slowest.Store(int64(d))
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	// 1. A client that stops reading: a tiny receive buffer, never read.
	dialer := &net.Dialer{}
	slowHC := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err == nil {
			conn.(*net.TCPConn).SetReadBuffer(4096)
		}
		return conn, err
	}}}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	slow, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(r.url, "http")+"/ws",
		&websocket.DialOptions{HTTPClient: slowHC, HTTPHeader: http.Header{"Cookie": {ana.cookie(r.url)}}})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer slow.CloseNow()
	waitUntil(t, "the slow socket registered", 5*time.Second, func() bool { return metricAt(t, r.url, wsConns) == 1 })
	// Once the kernel's buffers are full (megabytes on loopback) a write
	// to it blocks, and the server cuts it off after its write timeout
	// (10 s): write until then. The wait after the last write is longer
	// than that timeout (a write that blocked only at the end of the
	// loop is still cut off within it).
	cutOff := func() bool { return metricAt(t, r.url, "familyhub_realtime_slow_consumer_disconnects_total") > 0 }
	written := 0
	for ; written < 60000 && !cutOff(); written += 2000 {
		write(2000)
		time.Sleep(50 * time.Millisecond) // let the hub fan out
	}
	waitUntil(t, fmt.Sprintf("the client that stopped reading cut off (after %d events)", written), 30*time.Second, cutOff)

	t.Logf("after the slow reader (%d events): heap in use %.1f MiB", written, metricAt(t, r.url, "go_memstats_heap_inuse_bytes")/(1<<20))

	// 2. 1,000 sockets opened and dropped: half abruptly, half politely.
	var churn sync.WaitGroup
	var churnErr atomic.Value
	for range 10 {
		churn.Go(func() {
			for i := range 100 {
				conn, _, err := dialAt(ctx, r.url, ana, "", nil)
				if err != nil {
					churnErr.Store(err)
					return
				}
				if i%2 == 0 {
					rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					conn.Read(rctx) // hello
					cancel()
					conn.Close(websocket.StatusNormalClosure, "")
				} else {
					conn.CloseNow()
				}
			}
		})
	}
	churn.Wait()
	if err, _ := churnErr.Load().(error); err != nil {
		t.Fatalf("churn: %v", err)
	}

	t.Logf("after 1,000 sockets opened and dropped: heap in use %.1f MiB, goroutines %v",
		metricAt(t, r.url, "go_memstats_heap_inuse_bytes")/(1<<20), metricAt(t, r.url, "go_goroutines"))

	// 3. Oversized and malformed messages.
	conn := dial()
	ws := startWSClient(t, conn)
	ws.nextType("hello", 5*time.Second)
	for _, msg := range []string{strings.Repeat("x", 10<<10), "nonsense", "\xff\xfe", `{"type":"ping","extra":1}`, `{"type":"subscribe","topics":[` + strings.Repeat(`"tasks",`, 400) + `"tasks"]}`} {
		ws.send(msg)
		if m := ws.next(5 * time.Second); m["type"] != "error" {
			t.Fatalf("%.40q → %v, want an error reply", msg, m)
		}
	}
	if err := conn.Write(ctx, websocket.MessageBinary, []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if m := ws.next(5 * time.Second); m["type"] != "error" {
		t.Fatalf("binary → %v", m)
	}
	ws.send(`{"type":"ping"}`)
	ws.nextType("pong", 5*time.Second)
	// Beyond the hard limit (64 KiB) the server closes the connection with
	// 1009, possibly before it has read the whole message: our write may
	// then fail with a reset and the close frame be lost with it.
	conn.Write(ctx, websocket.MessageText, []byte(strings.Repeat("y", 100<<10)))
	if code := ws.closeStatus(5 * time.Second); code != websocket.StatusMessageTooBig && code != -1 {
		t.Fatalf("oversized message: close %d, want 1009", code)
	}

	// 4. A flood of pings: application pings on 5 sockets (pongs read),
	// protocol pings on 5 others.
	var flood sync.WaitGroup
	for i := range 10 {
		conn := dial()
		ws := startWSClient(t, conn)
		ws.nextType("hello", 5*time.Second)
		flood.Go(func() {
			defer conn.CloseNow()
			if i%2 == 0 {
				for range 2000 {
					if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
						t.Errorf("ping flood: %v", err)
						return
					}
				}
				deadline := time.After(20 * time.Second)
				for n := 0; n < 2000; {
					select {
					case m, ok := <-ws.msgs:
						if !ok {
							t.Errorf("ping flood socket closed after %d pongs", n)
							return
						}
						if m["type"] == "pong" {
							n++
						}
					case <-deadline:
						t.Errorf("ping flood: only %d pongs", n)
						return
					}
				}
				return
			}
			for range 500 {
				pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				err := conn.Ping(pctx)
				cancel()
				if err != nil {
					t.Errorf("protocol ping: %v", err)
					return
				}
			}
		})
	}
	flood.Wait()
	stopProbe()
	probe.Wait()
	t.Logf("slowest REST answer meanwhile: %s", time.Duration(slowest.Load()))
	if d := time.Duration(slowest.Load()); d > 2*time.Second {
		t.Errorf("a REST call took %s while under abuse", d)
	}

	// Everything gone: sockets, goroutines, memory.
	waitUntil(t, "all sockets gone", 20*time.Second, func() bool { return metricAt(t, r.url, wsConns) == 0 })
	// Margins: River's leader-only maintenance services and periodic job
	// runs come and go on its own schedule (about 15 goroutines, seen in
	// goroutine dumps of this test), plus idle HTTP keep-alive connections
	// (ours); the heap in use also holds garbage until the next collection.
	// A per-socket leak of the 1,000+ sockets above would be far beyond both.
	var g, h float64
	const heapSlack, goroutineSlack = 6 << 20, 30
	deadline := time.Now().Add(20 * time.Second)
	for {
		g, h = metricAt(t, r.url, "go_goroutines"), metricAt(t, r.url, "go_memstats_heap_inuse_bytes")
		if g <= g0+goroutineSlack && h <= h0+heapSlack {
			break
		}
		if time.Now().After(deadline) {
			// A goroutine dump of the replica (on this test's stderr) shows
			// what is left over.
			r.cmd.Process.Signal(syscall.SIGQUIT)
			<-exitedChan(r.cmd)
			t.Fatalf("no return to baseline: goroutines %v (baseline %v), heap in use %.1f MiB (baseline %.1f MiB)", g, g0, h/(1<<20), h0/(1<<20))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("goroutines %v → %v; heap in use %.1f → %.1f MiB; RSS %.1f → %.1f MiB",
		g0, g, h0/(1<<20), h/(1<<20), float64(rss0)/(1<<20), float64(r.rssBytes(t))/(1<<20))
}

// stableGoroutines waits (up to 10 s) until base's goroutine count is the
// same for three reads 300 ms apart, and returns it.
func stableGoroutines(tb testing.TB, base string) float64 {
	tb.Helper()
	// Held for 2.4 s: River starts its maintenance services only once the
	// replica wins leadership, which can come a few seconds after start-up;
	// a baseline taken before that makes River's goroutines look leaked.
	prev, same := -1.0, 0
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		g := metricAt(tb, base, "go_goroutines")
		if g == prev {
			if same++; same == 8 {
				return g
			}
		} else {
			prev, same = g, 0
		}
	}
	return prev
}

// TestFaultSubscriptionFlood: 1,000 subscribe messages on one socket, each
// naming 64 new topics, sent without reading the replies. The server's
// heap grows by under 20 MiB and the socket's topics stay capped: one
// message is accepted, the rest are refused.
func TestFaultSubscriptionFlood(t *testing.T) {
	parallelInQuickLoop(t)
	url := dbtest.URL(t)
	r := spawnReplica(t, url, "GOGC=20", "FAMILYHUB_JOB_WORKERS=1")
	ana := newFamilyAt(t, r.url, "ana@example.org")
	ctx := context.Background()
	conn, _, err := dialAt(ctx, r.url, ana, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 30)
	if _, _, err := conn.Read(ctx); err != nil { // hello
		t.Fatal(err)
	}
	h0 := metricAt(t, r.url, "go_memstats_heap_inuse_bytes")
	const n = 1000
	for range n {
		topics := make([]string, 64)
		for i := range topics {
			topics[i] = "shopping-list:" + uuid.NewString()
		}
		b, _ := json.Marshal(map[string]any{"type": "subscribe", "topics": topics})
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	// The replies wait unread; the heap is sampled meanwhile.
	peak := h0
	for range 20 {
		peak = max(peak, metricAt(t, r.url, "go_memstats_heap_inuse_bytes"))
		time.Sleep(50 * time.Millisecond) // sampling interval, not a wait for a condition
	}
	subscribed, refused := 0, 0
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Type, Code string
			Added      []string
			Count      int
		}
		json.Unmarshal(b, &m)
		switch {
		case m.Type == "subscribed":
			subscribed++
			if len(m.Added) != 64 || m.Count != 64 {
				t.Fatalf("subscribed reply %s", b)
			}
		case m.Type == "error" && m.Code == "too_many_topics":
			refused++
		case m.Type == "pong":
			if subscribed != 1 || refused != n-1 {
				t.Fatalf("%d subscribed, %d refused; want 1 and %d", subscribed, refused, n-1)
			}
			t.Logf("heap in use %.1f → peak %.1f MiB", h0/(1<<20), peak/(1<<20))
			if peak-h0 > 20<<20 {
				t.Fatalf("heap grew by %.1f MiB", (peak-h0)/(1<<20))
			}
			return
		default:
			t.Fatalf("unexpected reply %s", b)
		}
	}
}

// TestFaultFrozenListener: a replica's listening backend is stopped
// (SIGSTOP: the same as a half-open connection or a frozen proxy) while
// writes go on through another replica. The frozen replica's socket still
// gets every event within 10 s of its write, /readyz is red meanwhile and
// green again after.
func TestFaultFrozenListener(t *testing.T) {
	skipInShortMode(t, "a frozen listening connection")
	url := dbtest.URL(t)
	pool := dbtest.PoolFor(t, url)
	ctx := context.Background()
	victim := spawnReplica(t, url, "FAMILYHUB_JOB_WORKERS=1")
	// The victim's is the only listener so far.
	var pid int
	if err := pool.QueryRow(ctx, `SELECT pid FROM pg_stat_activity
		WHERE application_name = 'familyhub-listener' AND datname = current_database()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	writer := spawnReplica(t, url, "FAMILYHUB_JOB_WORKERS=1")
	ana := newFamilyAt(t, writer.url, "ana@example.org")
	list := ana.newList(t, writer.url)
	conn, _, err := dialAt(ctx, victim.url, ana, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws := startWSClient(t, conn)
	hello := ws.nextType("hello", 5*time.Second)

	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
	var sawRed atomic.Bool
	watchCtx, stopWatch := context.WithCancel(ctx)
	var watch sync.WaitGroup
	watch.Go(func() {
		for watchCtx.Err() == nil {
			if readyz(victim.url) != http.StatusOK {
				sawRed.Store(true)
			}
			time.Sleep(20 * time.Millisecond) // polling interval
		}
	})

	// 40 items over about four seconds, each through the other replica.
	written := map[string]time.Time{}
	var order []string
	for range 40 {
		id := ana.addItem(t, writer.url, list)
		written[id] = time.Now()
		order = append(order, id)
		time.Sleep(100 * time.Millisecond) // the write rate
	}
	got := map[string]bool{}
	prev := seqOf(hello)
	for len(got) < len(order) {
		m := ws.next(15 * time.Second)
		if int64(m["prev_seq"].(float64)) != prev {
			t.Fatalf("gap: %v after seq %d", m, prev)
		}
		prev = seqOf(m)
		id, _ := m["id"].(string)
		if at, ok := written[id]; ok && m["op"] == "insert" {
			if late := time.Since(at); late > 10*time.Second {
				t.Fatalf("item %s arrived %s after its write", id, late)
			}
			got[id] = true
		}
	}
	waitUntil(t, "readyz green again", 10*time.Second, func() bool { return readyz(victim.url) == http.StatusOK })
	stopWatch()
	watch.Wait()
	if !sawRed.Load() {
		t.Fatal("/readyz never went red while the listener was frozen")
	}
}
