package http

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/realtime"
)

// What a change of a member's standing does to their open realtime
// connections, over real sockets on loopback, with two replicas sharing
// only PostgreSQL: the change is made through one, the connections are on
// the other.

// newReplica serves a second Server over env's database, as another
// replica would.
func newReplica(t *testing.T, env *testEnv) *testEnv {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := NewServer(db.NewStore(env.pool), logger, Config{Password: testPasswordParams})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &testEnv{t: t, pool: env.pool, server: s, ts: ts}
}

// on returns c speaking to another replica, with the same cookies.
func (c *client) on(env *testEnv) *client {
	return &client{env: env, hc: c.hc, token: c.token, header: c.header}
}

// closedWith waits (at most 5 s) for conn to be closed by the server and
// returns the close code and reason, and how long that took.
func closedWith(t *testing.T, conn *websocket.Conn) (websocket.StatusCode, string, time.Duration) {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, _, err := conn.Read(ctx)
		if err == nil {
			continue // an event, a presence message: not the close
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("the socket ended without a close frame: %v", err)
		}
		return ce.Code, ce.Reason, time.Since(start)
	}
}

// sseClosed opens /sse as c and returns a channel that receives the data
// of its "close" event (or "" when the stream ends without one).
func sseClosed(t *testing.T, c *client) <-chan string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.env.ts.URL+"/sse", nil)
	resp, err := c.hc.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /sse: %v %v", resp, err)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.Contains(sc.Text(), `"hello"`) {
	}
	out := make(chan string, 1)
	go func() {
		defer resp.Body.Close()
		closing := false
		for sc.Scan() {
			line := sc.Text()
			if line == "event: close" {
				closing = true
			} else if d, ok := strings.CutPrefix(line, "data: "); ok && closing {
				out <- d
				return
			}
		}
		out <- ""
	}()
	return out
}

// pollResult is a long poll's answer.
type pollResult struct {
	status int
	body   string
}

// longPoll starts a long poll as c from the family's current seq; the
// answer comes on the channel. It returns once the poll is waiting in
// the hub (hub's connection count grew).
func longPoll(t *testing.T, c *client, hub *realtime.Hub) <-chan pollResult {
	t.Helper()
	var seq struct{ Seq int64 }
	c.must(http.StatusOK, "GET", "/api/realtime/poll?seq_only=1", nil).decode(t, &seq)
	before := hub.ConnectionCount()
	req, _ := http.NewRequest("GET", c.env.ts.URL+"/api/realtime/poll?timeout=30&since="+itoa(seq.Seq), nil)
	out := make(chan pollResult, 1)
	go func() {
		resp, err := c.hc.Do(req)
		if err != nil {
			out <- pollResult{status: -1, body: err.Error()}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		out <- pollResult{resp.StatusCode, string(b)}
	}()
	waitCond(t, "the long poll waiting", func() bool { return hub.ConnectionCount() > before })
	return out
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func wait[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// TestRealtimeRoleChangeAcrossReplicas: Ben, an adult member, has a
// socket, an SSE stream and a waiting long poll on replica B. Ana (an
// owner, on replica A) makes him a child: all three learn it within about
// a second (the socket and the stream are closed with 4003 "role changed:
// reconnect", the poll answers with closed.code 4003 or the membership's
// FAMILY_UPDATED event, both "re-read /api/me"), and he reconnects
// under the new role. A DBA's UPDATE in psql does the same. Then Ana
// removes him: the socket and the stream close with 4001 "removed from
// the family", the waiting poll answers 401 removed_from_family instead
// of the family's events, and he cannot reconnect. Before, a role change
// left every connection open with the role it was opened with, and the
// waiting poll of a removed member answered with the family's events
// (later, a 401 unauthorized that did not say he was removed).
func TestRealtimeRoleChangeAcrossReplicas(t *testing.T) {
	t.Parallel()
	envA := newTestEnv(t, Config{})
	startTestHub(t, envA, 0)
	envB := newReplica(t, envA)
	hubB := startTestHub(t, envB, 0)

	ana, _ := envA.signup("ana@example.org", "Family")
	benA, benAcc := envA.joinFamily(ana, "ben@example.org")
	ben := benA.on(envB)
	member := "/api/family/members/" + benAcc.User.ID.String()

	const deadline = 2 * time.Second // about a second, with room for -race
	check := func(what string, conn *websocket.Conn, sse <-chan string, poll <-chan pollResult, code int, reason string) {
		t.Helper()
		gotCode, gotReason, took := closedWith(t, conn)
		if int(gotCode) != code || gotReason != reason || took > deadline {
			t.Errorf("%s: socket closed with %d %q after %v; want %d %q within %v", what, gotCode, gotReason, took, code, reason, deadline)
		}
		var closed struct {
			Code   int
			Reason string
		}
		if d := wait(t, what+": the stream's close", sse); json.Unmarshal([]byte(d), &closed) != nil || closed.Code != code || closed.Reason != reason {
			t.Errorf("%s: stream's close %q; want code %d %q", what, d, code, reason)
		}
		p := wait(t, what+": the poll's answer", poll)
		switch code {
		case realtime.CloseRoleChanged:
			// The membership's FAMILY_UPDATED event may wake the poll
			// first: either tells the client to re-read /api/me, and its
			// next poll is let in under the new role.
			if p.status != http.StatusOK || !strings.Contains(p.body, `"closed":{"code":4003,"reason":"role changed: reconnect"}`) && !strings.Contains(p.body, `"FAMILY_UPDATED"`) {
				t.Errorf("%s: poll answered %d %s; want 200 with closed 4003 or FAMILY_UPDATED", what, p.status, p.body)
			}
		case realtime.CloseSessionEnded:
			// A removal says so, as the socket's reason does.
			want := familyhub.EUNAUTHORIZED
			if reason == realtime.ReasonRemoved {
				want = familyhub.EREMOVED
			}
			if p.status != http.StatusUnauthorized || strings.Contains(p.body, `"events"`) || !strings.Contains(p.body, `"code":"`+want+`"`) {
				t.Errorf("%s: poll answered %d %s; want 401 %s and no events", what, p.status, p.body, want)
			}
		}
	}
	open := func() (*websocket.Conn, <-chan string, <-chan pollResult) {
		conn, resp, body := ben.dialWS(t)
		if conn == nil {
			t.Fatalf("/ws refused: %d %s", resp.StatusCode, body)
		}
		return conn, sseClosed(t, ben), longPoll(t, ben, hubB)
	}

	conn, sse, poll := open()
	ana.must(http.StatusOK, "PATCH", member, map[string]any{"role": "child"})
	check("made a child", conn, sse, poll, realtime.CloseRoleChanged, realtime.ReasonRoleChanged)

	// He reconnects, as a child; a DBA makes him an adult again.
	conn, sse, poll = open()
	if _, err := envA.pool.Exec(t.Context(), `UPDATE memberships SET role = 'member' WHERE user_id = $1`, benAcc.User.ID); err != nil {
		t.Fatal(err)
	}
	check("made an adult in psql", conn, sse, poll, realtime.CloseRoleChanged, realtime.ReasonRoleChanged)

	// Another member's connection is not touched by Ben's changes.
	anaConn, _, _ := ana.on(envB).dialWS(t)

	conn, sse, poll = open()
	// An event after the removal must not reach the poll: Ana adds to a
	// list in the same breath.
	ana.must(http.StatusNoContent, "DELETE", member, nil)
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "After Ben left"})
	check("removed", conn, sse, poll, realtime.CloseSessionEnded, realtime.ReasonRemoved)
	if c, resp, _ := ben.dialWS(t); c != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a removed member reconnected: %v", resp)
	}

	// Ana's socket lived through all of it.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := anaConn.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatalf("Ana's socket: %v", err)
	}
	for {
		_, data, err := anaConn.Read(ctx)
		if err != nil {
			t.Fatalf("Ana's socket: %v", err)
		}
		if strings.Contains(string(data), `"pong"`) {
			break
		}
	}
}

// TestRealtimeRecheckWithoutNotice: what no notice announces still reaches
// open sockets on the hub's timer (Hub.RecheckEvery): a DBA revokes a
// session and changes a role with the triggers disabled, and the sockets
// close within the interval. Before, they stayed open until their session
// expired.
func TestRealtimeRecheckWithoutNotice(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	hub := startTestHubWith(t, env, func(h *realtime.Hub) { h.RecheckEvery = 200 * time.Millisecond })
	ana, _ := env.signup("ana@example.org", "Family")
	ben, benAcc := env.joinFamily(ana, "ben@example.org")

	silently := func(sql string, args ...any) {
		t.Helper()
		tx, err := env.pool.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(t.Context())
		for _, q := range []string{`ALTER TABLE sessions DISABLE TRIGGER USER`, `ALTER TABLE memberships DISABLE TRIGGER USER`} {
			if _, err := tx.Exec(t.Context(), q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tx.Exec(t.Context(), sql, args...); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`ALTER TABLE sessions ENABLE TRIGGER USER`, `ALTER TABLE memberships ENABLE TRIGGER USER`} {
			if _, err := tx.Exec(t.Context(), q); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
	}

	conn, _, _ := ben.dialWS(t)
	silently(`UPDATE memberships SET role = 'child' WHERE user_id = $1`, benAcc.User.ID)
	if code, reason, _ := closedWith(t, conn); code != realtime.CloseRoleChanged || reason != realtime.ReasonRoleChanged {
		t.Errorf("role changed silently: closed with %d %q; want 4003", code, reason)
	}

	conn, _, _ = ben.dialWS(t)
	poll := longPoll(t, ben, hub)
	silently(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1`, benAcc.User.ID)
	if code, reason, _ := closedWith(t, conn); code != realtime.CloseSessionEnded || reason != realtime.ReasonSessionEnded {
		t.Errorf("session revoked silently: closed with %d %q; want 4001 %q", code, reason, realtime.ReasonSessionEnded)
	}
	// A session that ended, not a removal: the poll says only that.
	if p := wait(t, "the poll's answer", poll); p.status != http.StatusUnauthorized || !strings.Contains(p.body, `"code":"unauthorized"`) {
		t.Errorf("session revoked silently: poll answered %d %s; want 401 unauthorized", p.status, p.body)
	}
}
