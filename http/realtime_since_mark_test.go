package http

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRealtimeSinceMark: a device saw three events and went offline; the
// database went back before its last two (a restore) and new writes took
// the lost seqs past its since. Resuming with since alone it got only the
// events after since and missed the new ones under the seqs up to it. With
// since_id and since_at (its last event's id and at, as the event said
// them) every transport tells it to resync: the socket and the stream send
// resync after hello, the long poll answers resync. The log's own event
// under since resumes as usual, and so does a client that sends no mark.
func TestRealtimeSinceMark(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	hub := startTestHub(t, env, 0)
	ana, acc, since, seen, _ := restoredAfterMark(t, env, hub, 3)
	ctx := context.Background()
	cur := since + 1
	var id string
	var at time.Time
	if err := env.pool.QueryRow(ctx, `SELECT entity_id, at FROM event_log WHERE family_id = $1 AND seq = $2`, acc.Family.ID, since).Scan(&id, &at); err != nil {
		t.Fatal(err)
	}
	now := url.Values{"since": seen["since"], "since_id": {id}, "since_at": {at.UTC().Format(time.RFC3339Nano)}}
	old := url.Values{"since": seen["since"]}

	// WebSocket: the lost event's mark resyncs from the family's seq; the
	// log's own event and no mark resume with the event after since.
	w := ana.socket(t, seen.Encode())
	w.want("hello", map[string]any{"type": "hello", "seq": cur})
	w.want("resync after a lost event", map[string]any{"type": "resync", "seq": cur})
	for name, q := range map[string]url.Values{"the log's mark": now, "no mark": old} {
		w := ana.socket(t, q.Encode())
		w.want(name+": hello", map[string]any{"type": "hello", "seq": cur})
		w.want(name+": the event after since", map[string]any{"seq": cur, "prev_seq": since})
	}

	// Server-Sent Events: the same, after hello.
	sse := ana.sse(t, seen.Encode())
	for _, want := range []string{`"hello"`, `{"type":"resync","seq":` + strconv.FormatInt(cur, 10) + `}`} {
		if got := sse.next(); !strings.Contains(got, want) {
			t.Fatalf("SSE with the lost event's mark: %s, want %s", got, want)
		}
	}

	// Long poll (and the delta): resync at once; the log's mark answers
	// the event after since.
	var p pollBody
	ana.must(http.StatusOK, "GET", "/api/realtime/poll?timeout=0&"+seen.Encode(), nil).decode(t, &p)
	if !p.Resync || p.Seq != cur {
		t.Fatalf("poll with the lost event's mark: %+v, want resync at %d", p, cur)
	}
	for name, q := range map[string]url.Values{"the log's mark": now, "no mark": old} {
		var p pollBody
		ana.must(http.StatusOK, "GET", "/api/realtime/poll?timeout=0&"+q.Encode(), nil).decode(t, &p)
		if p.Resync || len(p.Events) != 1 || p.Events[0]["seq"] != float64(cur) {
			t.Fatalf("poll, %s: %+v, want the event %d", name, p, cur)
		}
	}
	var d pollBody
	ana.must(http.StatusOK, "GET", "/api/realtime/events?"+seen.Encode(), nil).decode(t, &d)
	if !d.Resync {
		t.Fatalf("delta with the lost event's mark: %+v, want resync", d)
	}

	// The two go together, and say what the event said.
	for _, q := range []string{"since=1&since_id=" + id, "since=1&since_at=2026-01-01T00:00:00Z", "since=1&since_id=x&since_at=2026-01-01T00:00:00Z", "since=1&since_id=" + id + "&since_at=yesterday"} {
		if r := ana.do("GET", "/api/realtime/poll?timeout=0&"+q, nil); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("poll?%s: %d, want 422", q, r.StatusCode)
		}
	}
}

// restoredAfterMark: Ana's socket saw three events (since, seen: its
// resume with the last one's mark), closed; then the database went back
// before its last two (a restore: the log and the family's seq lowered)
// and n new events took the lost seqs (since-1, since, ... ).
func restoredAfterMark(t *testing.T, env *testEnv, hub interface{ ConnectionCount() int }, n int) (ana *client, acc accountResponse, since int64, seen url.Values, add func(int)) {
	t.Helper()
	ana, acc = env.signup("ana@example.org", "Rivera")
	var body map[string]any
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &body)
	items := "/api/shopping/lists/" + body["id"].(string) + "/items"
	add = func(n int) {
		for range n {
			ana.must(http.StatusCreated, "POST", items, map[string]any{"name": "item"})
		}
	}
	s := ana.socket(t, "")
	s.want("hello", map[string]any{"type": "hello"})
	add(3)
	var last map[string]any
	for range 3 {
		last = s.next()
	}
	since = int64(last["seq"].(float64))
	seen = url.Values{"since": {strconv.FormatInt(since, 10)}, "since_id": {last["id"].(string)}, "since_at": {last["at"].(string)}}
	s.conn.CloseNow()
	waitCond(t, "the socket gone", func() bool { return hub.ConnectionCount() == 0 })
	ctx := context.Background()
	if _, err := env.pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1 AND seq > $2`, acc.Family.ID, since-2); err != nil {
		t.Fatal(err)
	}
	if _, err := env.pool.Exec(ctx, `UPDATE family_event_seq SET seq = $2 WHERE family_id = $1`, acc.Family.ID, since-2); err != nil {
		t.Fatal(err)
	}
	add(n)
	return ana, acc, since, seen, add
}
