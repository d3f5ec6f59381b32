package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db/dbtest"
)

// cluster is two replicas on one database, as in production.
type cluster struct {
	t    *testing.T
	url  string
	a, b *Main
	pool *pgxpool.Pool
}

func newCluster(t *testing.T, configure ...func(*Config)) *cluster {
	t.Helper()
	url := dbtest.URL(t)
	c := &cluster{t: t, url: url, a: startMain(t, url, configure...), b: startMain(t, url, configure...), pool: dbtest.PoolFor(t, url)}
	waitUntil(t, "both listeners connected", 10*time.Second, func() bool { return c.a.Listener.Connected() && c.b.Listener.Connected() })
	// A table standing in for the domain tables, with the production trigger.
	c.exec(`CREATE TABLE things (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
		family_id uuid NOT NULL REFERENCES families ON DELETE CASCADE, list_id uuid, name text);
		CREATE TRIGGER things_event AFTER INSERT OR UPDATE OR DELETE ON things FOR EACH ROW
		EXECUTE FUNCTION familyhub_capture_event('SHOPPING_ITEM_UPDATED', 'familyhub_shopping', 'list_id')`)
	return c
}

func (c *cluster) exec(sql string, args ...any) {
	c.t.Helper()
	if _, err := c.pool.Exec(context.Background(), sql, args...); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
}

// write inserts n things for family, as a DBA would from psql.
func (c *cluster) write(family string, n int) {
	c.t.Helper()
	c.exec(`INSERT INTO things (family_id, name) SELECT $1, 'x' FROM generate_series(1, $2)`, family, n)
}

func TestRealtimeAcrossReplicas(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.b, ana, "ben@example.org")
	other := newFamily(t, c.b, "zoe@example.org")

	benWS := dialWS(t, c.b, ben, "device_id=ben-phone")
	otherWS := dialWS(t, c.b, other, "")
	// Ben's joining was the family's last event (FAMILY_UPDATED).
	h := benWS.next(5 * time.Second)
	if h["type"] != "hello" || seqOf(h) == 0 {
		t.Fatalf("hello = %v", h)
	}
	otherWS.nextType("hello", 5*time.Second)

	// A write on replica A's database reaches B's socket, as a DBA's would.
	start := time.Now()
	c.write(ana.familyID, 3)
	for want := seqOf(h) + 1; want <= seqOf(h)+3; want++ {
		m := benWS.next(5 * time.Second)
		if m["type"] != "SHOPPING_ITEM_UPDATED" || seqOf(m) != want || m["op"] != "insert" || int64(m["prev_seq"].(float64)) != want-1 {
			t.Fatalf("event %d = %v", want, m)
		}
		if _, leaked := m["family_id"]; leaked {
			t.Fatal("family_id on the wire")
		}
	}
	t.Logf("write to delivery across replicas: %s", time.Since(start))

	// The other family hears nothing of it: its first event is its own.
	c.write(other.familyID, 1)
	if m := otherWS.next(5 * time.Second); m["type"] != "SHOPPING_ITEM_UPDATED" || seqOf(m) != 1 {
		t.Fatalf("other family got %v", m)
	}
	select {
	case m := <-otherWS.msgs:
		t.Fatalf("other family got a second message: %v", m)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestRealtimeUpgradeAuth(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")

	_, resp, err := dialAt(context.Background(), c.a.URL(), member{}, "", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no credentials: %v %v", err, resp)
	}
	_, resp, err = dialAt(context.Background(), c.a.URL(), ana, "", http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v %v", err, resp)
	}
	_, resp, err = dialAt(context.Background(), c.a.URL(), ana, "since=abc", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad since: %v %v", err, resp)
	}

	// A ticket from replica A opens a socket on replica B, once.
	r, err := ana.hc.Post(c.a.URL()+"/api/realtime/ticket", "application/json", nil)
	if err != nil || r.StatusCode != http.StatusCreated {
		t.Fatalf("ticket: %v %v", err, r)
	}
	var tk struct{ Ticket string }
	json.NewDecoder(r.Body).Decode(&tk)
	r.Body.Close()
	conn, _, err := dialAt(context.Background(), c.b.URL(), member{}, "ticket="+tk.Ticket, nil)
	if err != nil {
		t.Fatalf("ticket dial: %v", err)
	}
	startWSClient(t, conn).nextType("hello", 5*time.Second)
	_, resp, err = dialAt(context.Background(), c.b.URL(), member{}, "ticket="+tk.Ticket, nil)
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("reused ticket: %v %v", err, resp)
	}
}

func TestRealtimeLogoutClosesSocketsOnEveryReplica(t *testing.T) {
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	onA := dialWS(t, c.a, ana, "")
	onB := dialWS(t, c.b, ana, "")
	onA.nextType("hello", 5*time.Second)
	onB.nextType("hello", 5*time.Second)

	// A refresh rotates the session: sockets stay open.
	resp, err := ana.hc.Post(c.a.URL()+"/api/auth/refresh", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %v %v", err, resp)
	}
	resp.Body.Close()
	c.write(ana.familyID, 1)
	onA.nextType("SHOPPING_ITEM_UPDATED", 5*time.Second)
	onB.nextType("SHOPPING_ITEM_UPDATED", 5*time.Second)

	start := time.Now()
	resp, err = ana.hc.Post(c.a.URL()+"/api/auth/logout", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %v %v", err, resp)
	}
	for name, ws := range map[string]*wsClient{"A": onA, "B": onB} {
		if code := ws.closeStatus(time.Second); code != 4001 {
			t.Fatalf("replica %s: close code %d, want 4001", name, code)
		}
	}
	t.Logf("logout to both sockets closed: %s", time.Since(start))
}

func TestRealtimeResume(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ws := dialWS(t, c.a, ana, "")
	ws.nextType("hello", 5*time.Second)
	c.write(ana.familyID, 2)
	ws.next(5 * time.Second)
	last := seqOf(ws.next(5 * time.Second))
	ws.conn.Close(websocket.StatusNormalClosure, "")

	c.write(ana.familyID, 3) // missed while away
	ws = dialWS(t, c.b, ana, fmt.Sprintf("since=%d", last))
	if h := ws.next(5 * time.Second); h["type"] != "hello" || seqOf(h) != last+3 {
		t.Fatalf("hello %v", h)
	}
	for want := last + 1; want <= last+3; want++ {
		if m := ws.next(5 * time.Second); seqOf(m) != want {
			t.Fatalf("replayed %v, want seq %d", m, want)
		}
	}
	c.write(ana.familyID, 1)
	if m := ws.next(5 * time.Second); seqOf(m) != last+4 {
		t.Fatalf("live after replay %v", m)
	}

	// Beyond retention: the log was pruned, the client must resync. The
	// resync names the seq the socket's events continue from (the
	// family's), so the client resumes from there next time: resuming
	// from its old since again would be answered resync again, and the
	// device would re-read everything on every reconnect.
	cur := last + 4
	c.exec(`DELETE FROM event_log WHERE seq <= 3`)
	ws = dialWS(t, c.a, ana, "since=1")
	ws.nextType("hello", 5*time.Second)
	if m := ws.next(5 * time.Second); m["type"] != "resync" || seqOf(m) != cur {
		t.Fatalf("want resync with seq %d, got %v", cur, m)
	}
	c.write(ana.familyID, 1)
	if m := ws.next(5 * time.Second); seqOf(m) != cur+1 || m["prev_seq"] != float64(cur) {
		t.Fatalf("the event after the resync: %v, want seq %d after %d", m, cur+1, cur)
	}
	ws = dialWS(t, c.b, ana, fmt.Sprintf("since=%d", cur))
	ws.nextType("hello", 5*time.Second)
	if m := ws.next(5 * time.Second); m["type"] == "resync" || seqOf(m) != cur+1 || m["prev_seq"] != float64(cur) {
		t.Fatalf("resuming from the resync's seq: %v, want the event %d replayed", m, cur+1)
	}

	// A since the family never reached (a database restored from a backup,
	// another family's seq): the resync names the hello's seq.
	ws = dialWS(t, c.a, ana, "since=999")
	h := ws.nextType("hello", 5*time.Second)
	if m := ws.next(5 * time.Second); m["type"] != "resync" || seqOf(h) != cur+1 || seqOf(m) != cur+1 {
		t.Fatalf("since=999: hello %v then %v, want both at seq %d", h, m, cur+1)
	}
}

func TestRealtimeClientMessages(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ws := dialWS(t, c.a, ana, "")
	ws.nextType("hello", 5*time.Second)

	ws.send(`{"type":"ping"}`)
	if m := ws.next(5 * time.Second); m["type"] != "pong" {
		t.Fatalf("ping → %v", m)
	}
	ws.send(`{"type":"ping","pad":"` + strings.Repeat("x", 10000) + `"}`)
	if m := ws.next(5 * time.Second); m["type"] != "error" || m["code"] != "too_large" {
		t.Fatalf("oversized → %v", m)
	}
	ws.send(`nonsense`)
	if m := ws.next(5 * time.Second); m["type"] != "error" {
		t.Fatalf("nonsense → %v", m)
	}
	ws.send(`{"type":"launch"}`)
	if m := ws.next(5 * time.Second); m["code"] != "unknown_type" {
		t.Fatalf("unknown → %v", m)
	}
	ws.send(`{"type":"subscribe","topics":["warp"]}`)
	if m := ws.next(5 * time.Second); m["code"] != "invalid" {
		t.Fatalf("bad topic → %v", m)
	}
	// Subscribed to one list: events of other lists are skipped, prev_seq
	// tells the skip from a loss.
	list := "7f1e0c1e-3d4f-4f6e-9a59-3f2d6b7c8d90"
	ws.send(`{"type":"subscribe","topics":["shopping-list:` + list + `"]}`)
	if m := ws.next(5 * time.Second); m["type"] != "subscribed" {
		t.Fatalf("subscribe → %v", m)
	}
	c.write(ana.familyID, 2) // no list
	c.exec(`INSERT INTO things (family_id, list_id, name) VALUES ($1, $2, 'milk')`, ana.familyID, list)
	m := ws.next(5 * time.Second)
	if seqOf(m) != 3 || m["prev_seq"].(float64) != 0 || m["list_id"] != list {
		t.Fatalf("filtered event %v", m)
	}
	// The connection still works after all that.
	ws.send(`{"type":"ping"}`)
	ws.nextType("pong", 5*time.Second)
}

// TestRealtimeSurvivesTerminatedBackends kills every backend of the database
// (the listeners' and the pools') while writes go on: every event still
// arrives, each once, in order.
func TestRealtimeSurvivesTerminatedBackends(t *testing.T) {
	skipInShortMode(t, "PostgreSQL backends terminated under the replicas")
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	wsA := dialWS(t, c.a, ana, "")
	wsB := dialWS(t, c.b, ana, "")
	wsA.nextType("hello", 5*time.Second)
	wsB.nextType("hello", 5*time.Second)

	const total = 300
	writerDone := make(chan error, 1)
	go func() {
		// Its own connection per write, retried: the killer ends it too.
		for i := 0; i < total; {
			conn, err := pgx.Connect(context.Background(), c.url)
			if err == nil {
				_, err = conn.Exec(context.Background(), `INSERT INTO things (family_id, name) VALUES ($1, 'x')`, ana.familyID)
				conn.Close(context.Background())
			}
			if err == nil {
				i++
			}
			time.Sleep(2 * time.Millisecond)
		}
		writerDone <- nil
	}()
	var kills sync.WaitGroup
	kills.Go(func() {
		for range 5 {
			time.Sleep(50 * time.Millisecond)
			conn, err := pgx.Connect(context.Background(), c.url)
			if err != nil {
				continue
			}
			conn.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`)
			conn.Close(context.Background())
		}
	})
	kills.Wait()
	<-writerDone
	for name, ws := range map[string]*wsClient{"A": wsA, "B": wsB} {
		for want := int64(1); want <= total; want++ {
			m := ws.next(15 * time.Second)
			if seqOf(m) != want {
				t.Fatalf("replica %s: got %v, want seq %d", name, m, want)
			}
		}
	}
	if c.a.Listener.Connected() == false && c.b.Listener.Connected() == false {
		t.Fatal("listeners did not come back")
	}
}

// TestRealtimeSlowConsumer: a client that never reads is cut off (its
// blocked write times out) while a reading client of the same family gets
// every event promptly, never cut off by the bursts.
func TestRealtimeSlowConsumer(t *testing.T) {
	skipInShortMode(t, "megabytes of events to a socket that never reads")
	// The write bound at 4 s, not the real 10 s: the cut is the same,
	// 6 s sooner. The reading client is never near it: it is at most one
	// transaction (1,000 events, well within its kernel buffers) behind.
	c := newCluster(t, func(c *Config) { c.RealtimeWriteTimeout = 4 * time.Second })
	ana := newFamily(t, c.a, "ana@example.org")
	fast := dialWS(t, c.a, ana, "")
	fast.nextType("hello", 5*time.Second)

	// The slow client: a tiny receive buffer, and it never reads.
	dialer := &net.Dialer{Control: nil}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err == nil {
			conn.(*net.TCPConn).SetReadBuffer(4096)
		}
		return conn, err
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	slow, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.a.URL(), "http")+"/ws",
		&websocket.DialOptions{HTTPClient: hc, HTTPHeader: http.Header{"Cookie": {ana.cookie(c.a.URL())}}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.CloseNow()
	waitUntil(t, "two sockets", 10*time.Second, func() bool { return c.a.Hub.ConnectionCount() == 2 })

	// Transactions of 1,000 events until the slow client is cut off; the
	// reading client must get every one of them, in order. The cut comes
	// once the slow socket's kernel buffers are full and a write then
	// blocks for the write timeout (10 s then: 30,000 events, 29 s, on a
	// loaded machine); the bound leaves room for one twice as slow.
	start := time.Now()
	var total int64
	for c.a.Hub.ConnectionCount() == 2 && time.Since(start) < 120*time.Second {
		c.write(ana.familyID, 1000)
		for range 1000 {
			total++
			if m := fast.next(10 * time.Second); seqOf(m) != total {
				t.Fatalf("fast client got %v, want seq %d", m, total)
			}
		}
	}
	if c.a.Hub.ConnectionCount() != 1 {
		t.Fatalf("the slow client was not cut off after %d events", total)
	}
	t.Logf("fast client got %d events in %s; slow one cut off", total, time.Since(start))
	// The close frame (4008) sits behind megabytes the slow client never
	// read, so it cannot see it; the server drops the connection when its
	// blocked write times out. The hub no longer holds it either way.
}

func TestRealtimeFallbacks(t *testing.T) {
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	c.write(ana.familyID, 2)

	// Delta catch-up.
	var delta struct {
		Seq    int64
		Events []map[string]any
		Resync bool
	}
	getJSON(t, ana.hc, c.b.URL()+"/api/realtime/events?since=1", &delta)
	if delta.Seq != 2 || len(delta.Events) != 1 || seqOf(delta.Events[0]) != 2 {
		t.Fatalf("delta %+v", delta)
	}
	getJSON(t, ana.hc, c.b.URL()+"/api/realtime/events?since=99", &delta)
	if !delta.Resync {
		t.Fatalf("since beyond the family's seq must resync: %+v", delta)
	}

	// Long poll: waits for the next event, written on the other replica.
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(200 * time.Millisecond)
		c.write(ana.familyID, 1)
	}()
	start := time.Now()
	getJSON(t, ana.hc, c.a.URL()+"/api/realtime/poll?since=2&timeout=10", &delta)
	<-done
	if len(delta.Events) != 1 || seqOf(delta.Events[0]) != 3 || time.Since(start) > 5*time.Second {
		t.Fatalf("poll %+v after %s", delta, time.Since(start))
	}

	// SSE with Last-Event-ID resume.
	req, _ := http.NewRequest("GET", c.b.URL()+"/sse", nil)
	req.Header.Set("Last-Event-ID", "1")
	resp, err := ana.hc.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("sse: %v %v", err, resp)
	}
	defer resp.Body.Close()
	buf := make([]byte, 0, 4096)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(string(buf), "id: 3\n") && time.Now().Before(deadline) {
		chunk := make([]byte, 1024)
		n, err := resp.Body.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if err != nil {
			break
		}
	}
	s := string(buf)
	if !strings.Contains(s, `"type":"hello"`) || !strings.Contains(s, "id: 2\n") || !strings.Contains(s, "id: 3\n") || strings.Contains(s, "id: 1\n") {
		t.Fatalf("sse stream:\n%s", s)
	}
}

func getJSON(t *testing.T, hc *http.Client, url string, v any) {
	t.Helper()
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestRealtimeGracefulShutdown(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ws := dialWS(t, c.a, ana, "")
	ws.nextType("hello", 5*time.Second)
	closed := make(chan error, 1)
	go func() { closed <- c.a.Close() }()
	if code := ws.closeStatus(5 * time.Second); code != websocket.StatusServiceRestart {
		t.Fatalf("close code %d, want 1012", code)
	}
	select {
	case err := <-closed:
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}

// TestRealtimeDeviceMessages: a message on familyhub_device reaches only
// the named device of the named family, on whichever replica it is.
func TestRealtimeDeviceMessages(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.a, ana, "ben@example.org")
	phone := dialWS(t, c.b, ana, "device_id=ana-phone")
	laptop := dialWS(t, c.a, ana, "device_id=ana-laptop")
	bens := dialWS(t, c.a, ben, "device_id=ana-phone-not")
	for _, ws := range []*wsClient{phone, laptop, bens} {
		ws.nextType("hello", 5*time.Second)
	}
	c.exec(`SELECT pg_notify('familyhub_device', json_build_object('family_id', $1::uuid, 'device_id', 'ana-phone',
		'message', json_build_object('type', 'AI_INTENT_EXECUTED', 'intent', 'shopping.add_items', 'command_id', 'c1'))::text)`, ana.familyID)
	if m := phone.next(5 * time.Second); m["type"] != "AI_INTENT_EXECUTED" || m["command_id"] != "c1" || m["seq"] != nil {
		t.Fatalf("phone got %v", m)
	}
	// The others get the next family event, not the device message.
	c.write(ana.familyID, 1)
	for _, ws := range []*wsClient{laptop, bens} {
		if m := ws.next(5 * time.Second); m["type"] != "SHOPPING_ITEM_UPDATED" {
			t.Fatalf("another device got %v", m)
		}
	}
}

// TestRealtimeExpiryAndRemovalClose4001: a socket closes with 4001 when its
// session expires, and when its user is removed from the family (here by a
// DBA), on every replica.
func TestRealtimeExpiryAndRemovalClose4001(t *testing.T) {
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.a, ana, "ben@example.org")

	c.exec(`UPDATE sessions SET expires_at = now() + interval '1 second' WHERE user_id = $1`, ana.userID)
	expiring := dialWS(t, c.b, ana, "")
	expiring.nextType("hello", 5*time.Second)
	if code := expiring.closeStatus(5 * time.Second); code != 4001 {
		t.Fatalf("expired session: close code %d, want 4001", code)
	}

	onA := dialWS(t, c.a, ben, "")
	onB := dialWS(t, c.b, ben, "")
	onA.nextType("hello", 5*time.Second)
	onB.nextType("hello", 5*time.Second)
	start := time.Now()
	c.exec(`DELETE FROM memberships WHERE user_id = $1`, ben.userID)
	for name, ws := range map[string]*wsClient{"A": onA, "B": onB} {
		if code := ws.closeStatus(time.Second); code != 4001 {
			t.Fatalf("removed member on replica %s: close code %d, want 4001", name, code)
		}
	}
	t.Logf("removal to both sockets closed: %s", time.Since(start))
}

// TestRealtimeBurst: a 20,000-row INSERT (as from psql) reaches a reading
// socket whole and in order, with no 4008 and no resync; a socket that
// resumes from before the burst gets it too, read from the log in pages.
func TestRealtimeBurst(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	fast := dialWS(t, c.b, ana, "")
	fast.nextType("hello", 5*time.Second)
	const n = 20000
	c.write(ana.familyID, n)
	for want := int64(1); want <= n; want++ {
		m := fast.next(15 * time.Second)
		if seqOf(m) != want || int64(m["prev_seq"].(float64)) != want-1 {
			t.Fatalf("fast reader got %v, want seq %d", m, want)
		}
	}
	resumed := dialWS(t, c.a, ana, "since=0")
	if h := resumed.next(5 * time.Second); h["type"] != "hello" || seqOf(h) != n {
		t.Fatalf("hello %v", h)
	}
	for want := int64(1); want <= n; want++ {
		if m := resumed.next(15 * time.Second); seqOf(m) != want {
			t.Fatalf("resumed socket got %v, want seq %d", m, want)
		}
	}
	c.write(ana.familyID, 1) // and both are live again
	for _, ws := range []*wsClient{fast, resumed} {
		if m := ws.next(5 * time.Second); seqOf(m) != n+1 {
			t.Fatalf("live after the burst: %v", m)
		}
	}
}

// TestRealtimeDeviceNoticeForItsMember: a device id is not a secret and a
// shared tablet is used by several members, so anyone may connect with any
// device id; a device notice that names a member reaches only that member's
// sockets of the device, on every replica.
func TestRealtimeDeviceNoticeForItsMember(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.a, ana, "ben@example.org")
	anas := dialWS(t, c.a, ana, "device_id=tablet")
	anas.nextType("hello", 5*time.Second)
	bens := dialWS(t, c.b, ben, "device_id=tablet") // the same shared tablet
	bens.nextType("hello", 5*time.Second)
	c.exec(`SELECT pg_notify('familyhub_device', json_build_object('family_id', $1::uuid, 'device_id', 'tablet',
		'user_id', $2::uuid, 'message', json_build_object('type', 'AI_INTENT_EXECUTED', 'command_id', 'c1'))::text)`, ana.familyID, ana.userID)
	if m := anas.nextType("AI_INTENT_EXECUTED", 5*time.Second); m["command_id"] != "c1" {
		t.Fatalf("ana's socket got %v", m)
	}
	c.write(ana.familyID, 1)
	if m := bens.next(5 * time.Second); m["type"] != "SHOPPING_ITEM_UPDATED" {
		t.Fatalf("ben's socket got %v, not the next event", m)
	}
}

// TestRealtimeAnnounceAfterCommit: the application's writes are announced
// after their commit, still readable by a DBA's LISTEN; and an event whose
// announcement never came (the process died between commit and announce)
// still reaches every socket, through the replicas' seq cross-check.
func TestRealtimeAnnounceAfterCommit(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ws := dialWS(t, c.b, ana, "")
	ws.nextType("hello", 5*time.Second)

	dba, err := pgx.Connect(context.Background(), c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer dba.Close(context.Background())
	if _, err := dba.Exec(context.Background(), "LISTEN familyhub_shopping"); err != nil {
		t.Fatal(err)
	}
	list := ana.newList(t, c.a.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := dba.WaitForNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal([]byte(n.Payload), &payload); err != nil || payload["id"] != list || payload["seq"] != 1.0 || payload["actor"] != ana.userID {
		t.Fatalf("DBA's notice %q: %v", n.Payload, err)
	}
	if m := ws.next(5 * time.Second); m["id"] != list || seqOf(m) != 1 {
		t.Fatalf("socket got %v", m)
	}

	// A transaction that asks for announcement after commit and never
	// announces: no NOTIFY at all, yet the socket gets the event.
	tx, err := c.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tx.Exec(context.Background(), "SELECT set_config('familyhub.announce', 'after_commit', true)")
	tx.Exec(context.Background(), `INSERT INTO things (family_id, name) VALUES ($1, 'lost notice')`, ana.familyID)
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if m := ws.next(10 * time.Second); seqOf(m) != 2 || int64(m["prev_seq"].(float64)) != 1 {
		t.Fatalf("unannounced event: %v", m)
	}
	t.Logf("unannounced event delivered by the cross-check after %s", time.Since(start))
}

// TestRealtimePresence: a device's view reaches the family's devices on
// the other replica within a second, and a device that leaves disappears.
func TestRealtimePresence(t *testing.T) {
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.a, ana, "ben@example.org")
	list := ana.newList(t, c.a.URL())
	anas := dialWS(t, c.a, ana, "device_id=ana-phone")
	bens := dialWS(t, c.b, ben, "device_id=ben-phone")
	anas.nextType("hello", 5*time.Second)
	bens.nextType("hello", 5*time.Second)

	bens.send(`{"type":"presence","view":"tasks"}`)
	start := time.Now()
	anas.send(`{"type":"presence","view":"shopping-list:` + strings.ToUpper(list) + `"}`)
	view := func(m map[string]any, device string) (string, bool) {
		members, _ := m["members"].([]any)
		for _, x := range members {
			d := x.(map[string]any)
			if d["device_id"] == device {
				return d["view"].(string), true
			}
		}
		return "", false
	}
	for {
		m := bens.nextType("presence", 5*time.Second)
		if v, ok := view(m, "ana-phone"); ok && v == "shopping-list:"+list {
			if _, ok := view(m, "ben-phone"); !ok {
				t.Fatalf("ben's own device missing: %v", m)
			}
			break
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("presence took %s across replicas", d)
	}
	bens.send(`{"type":"presence","view":"nowhere"}`)
	if m := bens.nextType("error", 5*time.Second); m["code"] != "invalid" {
		t.Fatalf("bad view: %v", m)
	}

	anas.conn.Close(websocket.StatusNormalClosure, "")
	for {
		m := bens.nextType("presence", 5*time.Second)
		if _, ok := view(m, "ana-phone"); !ok {
			break
		}
	}
}
