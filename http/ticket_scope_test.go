package http

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/familyhub/familyhub/db"
)

// A realtime ticket admits where tickets are allowed (/ws, /sse) and is
// ignored everywhere else: a REST request with ?ticket= and no session is
// anonymous, one with a session is that session's, and neither uses up the
// single-use ticket (Authenticate reads the query only where a ticket may
// be).
func TestTicketOnlyWhereTicketsAreAllowed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 5)
	ana, _ := env.signup("ana@example.org", "Rivera")
	ana.header.Set("X-Device-ID", "ana-phone")
	ticket := func() string {
		var tk struct{ Ticket string }
		ana.must(http.StatusCreated, "POST", "/api/realtime/ticket", nil).decode(t, &tk)
		if tk.Ticket == "" {
			t.Fatal("no ticket")
		}
		return url.QueryEscape(tk.Ticket)
	}

	sseTicket, wsTicket := ticket(), ticket()
	anon := env.newClient()
	anon.header.Set("X-Device-ID", "someone-else")
	for _, tk := range []string{sseTicket, wsTicket} {
		anon.must(http.StatusUnauthorized, "GET", "/api/me?ticket="+tk, nil)
		anon.must(http.StatusUnauthorized, "GET", "/api/realtime/events?since=0&ticket="+tk, nil)
		anon.must(http.StatusUnauthorized, "GET", "/api/me?a=1&ticket="+tk+"&ticket=x", nil)
	}
	ana.must(http.StatusOK, "GET", "/api/me?ticket=not-a-ticket", nil)
	ana.must(http.StatusOK, "GET", "/api/me?ticket="+sseTicket, nil)

	// The tickets still admit, once each: REST did not use them up.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", env.ts.URL+"/sse?ticket="+sseTicket, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/sse with a ticket: %d, want 200", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.Contains(sc.Text(), `"hello"`) {
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("/sse with a ticket: no hello: %v", err)
	}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws?ticket="+wsTicket, nil)
	if err != nil {
		t.Fatalf("/ws with a ticket: %v", err)
	}
	defer conn.CloseNow()
	if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), `"hello"`) {
		t.Fatalf("/ws with a ticket: first message %q, %v; want hello", data, err)
	}
	if _, resp, _ := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws?ticket="+wsTicket, nil); resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/ws with a used ticket: %v, want 401", resp)
	}
}

// TestTicketLifetimeByDatabaseClock: a realtime ticket lasts
// db.TicketTTL from when PostgreSQL stored it, by PostgreSQL's clock,
// which decides its use (the consume compares expires_at with now()),
// and the answer's expires_at is that moment. Before, the replica wrote
// its own time.Now() plus a minute: a replica whose clock ran a minute
// behind PostgreSQL's handed out tickets that were dead on arrival (its
// clients' /ws and /sse answered 401 on every replica), and one a minute
// ahead, tickets that lasted two. No test can set a replica's clock, so
// this one checks what the fix guarantees on any clock: the stored
// lifetime is exactly the TTL from the row's own now() (created_at),
// which a time taken in Go before the INSERT never is.
func TestTicketLifetimeByDatabaseClock(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Rivera")
	var tk struct {
		Ticket    string
		ExpiresAt time.Time `json:"expires_at"`
	}
	ana.must(http.StatusCreated, "POST", "/api/realtime/ticket", nil).decode(t, &tk)
	var exact bool
	var stored time.Time
	if err := env.pool.QueryRow(t.Context(), `SELECT expires_at - created_at = $1::bigint * interval '1 millisecond', expires_at FROM realtime_tickets`,
		db.TicketTTL.Milliseconds()).Scan(&exact, &stored); err != nil {
		t.Fatal(err)
	}
	if !exact {
		t.Errorf("ticket stored to expire at %s: not %s after PostgreSQL's now() at its insert", stored, db.TicketTTL)
	}
	if !tk.ExpiresAt.Equal(stored) {
		t.Errorf("answer's expires_at %s; the stored one, which its use is judged by, is %s", tk.ExpiresAt, stored)
	}
}
