package http

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRealtimeSinceMarkNoFalseResync: a phone that names its last event
// with since (since_id, since_at: the "id" and "at" strings as it received
// them) reconnects 20 times, over the WebSocket (also with a topic that
// skips the family's other events), SSE, the long poll and the delta, with
// the traffic a family makes meanwhile: one item changed twice (same id,
// another at), a delete, a family-level event, several events of one
// transaction (clear-checked; an SQL transaction), events written in a
// session whose time zone is not UTC (their "at" has another offset on the
// live path, where it comes from the notice, than on the paged one, read
// from the log) and events it receives live as well as paged from the log.
// No history went back, so it is never told to resync: a false resync
// would make every phone re-read everything at every reconnect.
func TestRealtimeSinceMarkNoFalseResync(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	hub := startTestHub(t, env, 0)
	ana, acc := env.signup("ana@example.org", "Rivera")
	ctx := context.Background()
	var body map[string]any
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &body)
	listID := body["id"].(string)
	items := "/api/shopping/lists/" + listID + "/items"
	add := func(name string) string {
		var it map[string]any
		ana.must(http.StatusCreated, "POST", items, map[string]any{"name": name}).decode(t, &it)
		return it["id"].(string)
	}
	// sqlItems writes n items in one transaction of a session in zone.
	sqlItems := func(zone string, n int) {
		tx, err := env.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SELECT set_config('TimeZone', $1, true)`, zone); err != nil {
			t.Fatal(err)
		}
		for range n {
			if _, err := tx.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'sql')`, acc.Family.ID, listID); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	familySeq := func() int64 {
		var n int64
		if err := env.pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, acc.Family.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	zones := []string{"Asia/Kathmandu", "America/St_Johns", "UTC", "Pacific/Chatham"}
	// away is what the family writes while the phone is offline; its last
	// event is one of the list's items (a topic socket sees it).
	away := func(i int) {
		id := add(fmt.Sprintf("away %d", i))
		ana.must(http.StatusOK, "PATCH", "/api/shopping/items/"+id, map[string]any{"checked": true})
		ana.must(http.StatusOK, "PATCH", "/api/shopping/items/"+id, map[string]any{"checked": false})
		ana.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"name": fmt.Sprintf("Rivera %d", i)})
		gone := add("gone")
		ana.must(http.StatusNoContent, "DELETE", "/api/shopping/items/"+gone, nil)
		for range 2 {
			ana.must(http.StatusOK, "PATCH", "/api/shopping/items/"+add("ticked"), map[string]any{"checked": true})
		}
		ana.must(http.StatusOK, "POST", "/api/shopping/lists/"+listID+"/clear-checked", nil)
		sqlItems(zones[i%len(zones)], 3)
	}

	// The phone's position: since and the event it saw there, as the PWA
	// keeps them (the strings of the event, never parsed).
	var pos url.Values
	resyncs := 0
	// apply takes one message of a stream; it reports whether it was the
	// event under upto.
	apply := func(round int, transport string, m map[string]any, upto int64) bool {
		switch m["type"] {
		case "resync":
			resyncs++
			t.Errorf("round %d (%s): resync %v resuming from %v", round, transport, m, pos)
			return false
		case "hello", "presence", "subscribed", "pong":
			return false
		}
		seq, ok := m["seq"].(float64)
		if !ok {
			return false
		}
		pos = url.Values{"since": {strconv.FormatInt(int64(seq), 10)}, "since_id": {m["id"].(string)}, "since_at": {m["at"].(string)}}
		return int64(seq) == upto
	}
	const rounds = 20
	for i := range rounds {
		q := url.Values{}
		for k, v := range pos {
			q[k] = v
		}
		transport := [...]string{"ws", "sse", "poll", "ws topic", "delta"}[i%5]
		if i == 0 {
			transport = "ws" // a fresh start: nothing to name yet
		}
		upto := familySeq()
		switch transport {
		case "poll", "delta":
			path := "/api/realtime/events?"
			if transport == "poll" {
				path = "/api/realtime/poll?timeout=0&"
			}
			var p pollBody
			ana.must(http.StatusOK, "GET", path+q.Encode(), nil).decode(t, &p)
			if p.Resync {
				apply(i, transport, map[string]any{"type": "resync", "seq": p.Seq}, upto)
			}
			for _, ev := range p.Events {
				apply(i, transport, ev, upto)
			}
			if pos.Get("since") != strconv.FormatInt(upto, 10) {
				t.Fatalf("round %d (%s): at %v, want %d", i, transport, pos, upto)
			}
		default:
			var next func() map[string]any
			var closeIt func()
			if transport == "sse" {
				s := ana.sse(t, q.Encode())
				next = func() map[string]any {
					// As a socket's read, at most 10 s: then the stream ends.
					stop := time.AfterFunc(10*time.Second, s.cancel)
					defer stop.Stop()
					var m map[string]any
					if err := json.Unmarshal([]byte(s.next()), &m); err != nil {
						t.Fatal(err)
					}
					return m
				}
				closeIt = s.cancel
			} else {
				if transport == "ws topic" {
					q.Set("topics", "shopping-list:"+listID)
				}
				s := ana.socket(t, q.Encode())
				next, closeIt = s.next, func() { s.conn.CloseNow() }
			}
			if m := next(); m["type"] != "hello" {
				t.Fatalf("round %d (%s): first message %v", i, transport, m)
			}
			if i > 0 {
				for !apply(i, transport, next(), upto) {
				}
			}
			// Live: an event that comes by the notice, written in a zone
			// of its own.
			sqlItems(zones[(i+1)%len(zones)], 1)
			for !apply(i, transport, next(), upto+1) {
			}
			closeIt()
			waitCond(t, "the phone offline", func() bool { return hub.ConnectionCount() == 0 })
		}
		away(i)
	}
	if resyncs != 0 {
		t.Fatalf("%d of %d reconnects were told to resync; no history went back", resyncs, rounds-1)
	}
}

// TestRealtimeSinceMarkLastEventID: an EventSource resuming by itself
// (Last-Event-ID) has left the since of its URL, and with it the event the
// URL names there. After a resync whose seq is that since (the history was
// written anew up to exactly it), the browser reconnects with Last-Event-ID
// equal to the URL's since: the URL's mark, of the history the resync
// replaced, was compared again and the stream told to resync at every
// reconnect of its own. Now a Last-Event-ID resumes without the mark.
func TestRealtimeSinceMarkLastEventID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	hub := startTestHub(t, env, 0)
	ana, _, since, seen, add := restoredAfterMark(t, env, hub, 2) // new events up to exactly since
	ctx := context.Background()

	first := ana.sse(t, seen.Encode())
	for _, want := range []string{`"hello"`, `{"type":"resync","seq":` + seen.Get("since") + `}`} {
		if got := first.next(); !strings.Contains(got, want) {
			t.Fatalf("SSE with the lost event's mark: %s, want %s", got, want)
		}
	}
	first.cancel()
	waitCond(t, "the stream gone", func() bool { return hub.ConnectionCount() == 0 })

	// The browser's own reconnect: the same URL, Last-Event-ID the
	// resync's id.
	sctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(sctx, "GET", env.ts.URL+"/sse?"+seen.Encode(), nil)
	req.Header.Set("Last-Event-ID", seen.Get("since"))
	resp, err := ana.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/sse: %d", resp.StatusCode)
	}
	again := &sseStream{t: t, sc: bufio.NewScanner(resp.Body), cancel: cancel}
	if got := again.next(); !strings.Contains(got, `"hello"`) {
		t.Fatalf("reconnect: %s, want hello", got)
	}
	add(1)
	if got := again.next(); !strings.Contains(got, fmt.Sprintf(`"seq":%d`, since+1)) || strings.Contains(got, "resync") {
		t.Fatalf("reconnect with Last-Event-ID %d: %s, want the event %d (no resync)", since, got, since+1)
	}
}
