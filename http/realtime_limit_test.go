package http

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/realtime"
)

// The bound on one user's open realtime connections per replica
// (realtime.Hub.MaxPerUser), over real sockets on loopback.

// startTestHub mounts the realtime endpoints over a running hub and its
// listener (session notices close sockets), as cmd/familyhub does.
func startTestHub(t testing.TB, env *testEnv, maxPerUser int) *realtime.Hub {
	t.Helper()
	return startTestHubWith(t, env, func(h *realtime.Hub) { h.MaxPerUser = maxPerUser })
}

// startTestHubWith is startTestHub with the hub's settings made by set
// before it runs.
func startTestHubWith(t testing.TB, env *testEnv, set func(*realtime.Hub)) *realtime.Hub {
	t.Helper()
	store := db.NewStore(env.pool)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics := realtime.NewMetrics(prometheus.NewRegistry(), store)
	hub := realtime.NewHub(store, logger, metrics)
	set(hub)
	l := &realtime.Listener{ConnString: env.pool.Config().ConnString(), Hub: hub, Logger: logger, Metrics: metrics}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { hub.Run(ctx); done <- struct{}{} }()
	go func() { l.Run(ctx); done <- struct{}{} }()
	// Registered before newTestEnv's server close runs (cleanups run in
	// reverse): the hub closes its sockets, then the server shuts down.
	t.Cleanup(func() {
		sctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		hub.Shutdown(sctx)
		cancel()
		<-done
		<-done
	})
	env.server.MountRealtime(hub, metrics)
	waitCond(t, "the listener connected", l.Connected)
	return hub
}

func waitCond(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// cookieHeader is what c's jar sends to the test server.
func (c *client) cookieHeader() http.Header {
	req, _ := http.NewRequest("GET", c.env.ts.URL, nil)
	h := http.Header{}
	for _, ck := range c.hc.Jar.Cookies(req.URL) {
		h.Add("Cookie", ck.String())
	}
	return h
}

// hostCookieHeader is cookieHeader with the session cookie under its
// __Host- name, as a browser at an https public URL holds it: a request
// at that name is HTTPS (isHTTPS), where the old name lets in only a
// session made before the __Host- name (http/cookie.go).
func (c *client) hostCookieHeader() http.Header {
	h := c.cookieHeader()
	for i, v := range h["Cookie"] {
		if strings.HasPrefix(v, SessionCookie+"=") {
			h["Cookie"][i] = "__Host-" + v
		}
	}
	return h
}

// dialWS opens /ws as c and reads its hello; on a refused upgrade it
// returns the HTTP response (body read) instead.
func (c *client) dialWS(t *testing.T) (*websocket.Conn, *http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.env.ts.URL, "http")+"/ws", &websocket.DialOptions{HTTPHeader: c.cookieHeader()})
	if err != nil {
		if resp == nil {
			t.Fatalf("dial /ws: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		return nil, resp, string(b)
	}
	t.Cleanup(func() { conn.CloseNow() })
	if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), `"hello"`) {
		t.Fatalf("first message %q, %v; want hello", data, err)
	}
	return conn, nil, ""
}

// openSSE opens /sse as c and waits for its first event (the opening ping); cancel
// ends the stream. A refused stream returns its response instead.
func (c *client) openSSE(t *testing.T) (cancel context.CancelFunc, refused *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.env.ts.URL+"/sse", nil)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return cancel, resp
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data:") {
			return cancel, nil
		}
	}
	t.Fatalf("the SSE stream ended before hello: %v", sc.Err())
	return cancel, nil
}

// wantRefused checks a refusal for too many connections: 429 before any
// upgrade or stream, the stable code and a Retry-After.
func wantRefused(t *testing.T, what string, resp *http.Response, body string) {
	t.Helper()
	if resp == nil {
		t.Fatalf("%s: admitted, want 429 too_many_connections", what)
	}
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `"code":"too_many_connections"`) || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("%s: %d %q Retry-After %q; want 429 too_many_connections with Retry-After", what, resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
}

// TestRealtimePerUserLimit: one user's sockets, streams and waiting long
// polls count together, across sessions, up to the limit; beyond it the
// answer is 429 before the upgrade; another member is not affected; and
// each way a connection ends (closed by the client, its session revoked,
// the stream dropped) gives its place back exactly once.
func TestRealtimePerUserLimit(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	hub := startTestHub(t, env, 3)
	ana, acc := env.signup("ana@example.org", "Rivera")
	// A second session of Ana's (another login): the bound is per user.
	tablet := env.newClient()
	tablet.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse"})
	count := func() int { return hub.UserConnections(acc.User.ID) }

	ws1, _, _ := ana.dialWS(t)
	stopSSE, refused := tablet.openSSE(t)
	if refused != nil {
		t.Fatalf("SSE: %d", refused.StatusCode)
	}
	// A long poll counts while it waits.
	polled := make(chan response, 1)
	go func() { polled <- tablet.do("GET", "/api/realtime/poll?since=0&timeout=30", nil) }()
	waitCond(t, "three connections counted", func() bool { return count() == 3 })

	_, resp, body := ana.dialWS(t)
	wantRefused(t, "a fourth WebSocket", resp, body)
	_, resp, body = tablet.dialWS(t)
	wantRefused(t, "a fourth WebSocket of the other session", resp, body)
	if _, resp := ana.openSSE(t); resp == nil {
		t.Fatal("a fourth connection (SSE) was admitted")
	} else if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a fourth connection (SSE): %d, want 429", resp.StatusCode)
	}
	r := ana.do("GET", "/api/realtime/poll?since=0&timeout=1", nil)
	wantRefused(t, "a fourth connection (long poll)", r.Response, string(r.body))

	// Someone else connects as usual.
	ben, _ := env.signup("ben@example.org", "Okafor")
	ben.dialWS(t)

	// Closed by the client: the place is free again.
	ws1.Close(websocket.StatusNormalClosure, "")
	waitCond(t, "the closed socket uncounted", func() bool { return count() == 2 })
	ws2, _, _ := ana.dialWS(t)
	_, resp, body = ana.dialWS(t)
	wantRefused(t, "a fourth connection after one was replaced", resp, body)

	// The stream dropped and the poll answered: two places free.
	stopSSE()
	if _, err := ana.hc.Post(env.ts.URL+"/api/shopping/lists", "application/json", strings.NewReader(`{"name":"Weekly"}`)); err != nil {
		t.Fatal(err)
	}
	if r := <-polled; r.StatusCode != http.StatusOK {
		t.Fatalf("the waiting poll: %d %s", r.StatusCode, r.body)
	}
	waitCond(t, "the stream and the poll uncounted", func() bool { return count() == 1 })

	// Ana's tablet session is revoked (logout): its socket is closed by
	// the server, and its place is given back once.
	tws, _, _ := tablet.dialWS(t)
	ana.dialWS(t)
	waitCond(t, "three counted", func() bool { return count() == 3 })
	tablet.must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := tws.Read(ctx); err != nil {
			if websocket.CloseStatus(err) != realtime.CloseSessionEnded {
				t.Fatalf("the revoked session's socket ended with %v, want close %d", err, realtime.CloseSessionEnded)
			}
			break
		}
	}
	waitCond(t, "the revoked socket uncounted", func() bool { return count() == 2 })
	ana.dialWS(t)
	_, resp, body = ana.dialWS(t)
	wantRefused(t, "beyond the limit again", resp, body)
	ws2.CloseNow()
	waitCond(t, "the dropped socket uncounted", func() bool { return count() == 2 })
	if n := hub.ConnectionCount(); n != 3 { // Ana's two and Ben's
		t.Fatalf("hub has %d connections, want 3", n)
	}
}

// TestRealtimeTicketKeptWhenRefused: a connection refused for the
// per-user limit does not use up its single-use ?ticket= (the client
// reconnects with it once a place is free); the connection it then admits
// does, so a second use is refused.
func TestRealtimeTicketKeptWhenRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	hub := startTestHub(t, env, 1)
	ana, acc := env.signup("ana@example.org", "Rivera")
	ws1, _, _ := ana.dialWS(t)
	var tk struct{ Ticket string }
	ana.must(http.StatusCreated, "POST", "/api/realtime/ticket", nil).decode(t, &tk)
	if tk.Ticket == "" {
		t.Fatal("no ticket")
	}
	// dial opens /ws with the ticket alone (no cookie), as a native client.
	dial := func() (*websocket.Conn, *http.Response, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws?ticket="+tk.Ticket, nil)
		if err != nil {
			if resp == nil {
				t.Fatalf("dial /ws: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			return nil, resp, string(b)
		}
		t.Cleanup(func() { conn.CloseNow() })
		return conn, nil, ""
	}
	_, resp, body := dial()
	wantRefused(t, "a second connection with a ticket", resp, body)
	req, _ := http.NewRequest("GET", env.ts.URL+"/sse?ticket="+tk.Ticket, nil)
	sse, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(sse.Body)
	sse.Body.Close()
	wantRefused(t, "a second connection with the same ticket, over SSE", sse, string(b))

	ws1.Close(websocket.StatusNormalClosure, "")
	waitCond(t, "the first socket uncounted", func() bool { return hub.UserConnections(acc.User.ID) == 0 })
	conn, resp, body := dial()
	if conn == nil {
		t.Fatalf("with a place free, the ticket refused twice before: %d %s; want it admitted", resp.StatusCode, body)
	}
	conn.CloseNow()
	waitCond(t, "the ticket's socket uncounted", func() bool { return hub.UserConnections(acc.User.ID) == 0 })
	if _, resp, body = dial(); resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the ticket a second time after it admitted a connection: %v %s; want 401", resp, body)
	}
}
