package http

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// pollBody is the answer of /api/realtime/poll and /api/realtime/events.
type pollBody struct {
	Seq    int64            `json:"seq"`
	Events []map[string]any `json:"events"`
	Resync bool             `json:"resync"`
}

// A long-poll client's first request has no seq to resume from and only
// wants the family's current one: with seq_only=1 it gets the seq and no
// events, and the server does not read the event log for it (since=0 read
// up to 5,000 events that the client threw away). since=0 without it still
// answers the whole log, for clients that do not send it.
func TestRealtimePollSeqOnly(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	hub := startTestHub(t, env, 0)
	ana, acc := env.signup("ana@example.org", "Rivera")
	for i := range 5 {
		ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": fmt.Sprintf("List %d", i)})
	}
	var cur int64
	if err := env.pool.QueryRow(context.Background(), `SELECT seq FROM family_event_seq WHERE family_id = $1`, acc.Family.ID).Scan(&cur); err != nil {
		t.Fatal(err)
	}
	if cur < 5 {
		t.Fatalf("the family's seq is %d after five lists", cur)
	}

	// An old client's first poll: every logged event, and the seq.
	var all pollBody
	ana.must(http.StatusOK, "GET", "/api/realtime/poll?since=0&timeout=0", nil).decode(t, &all)
	if all.Seq != cur || int64(len(all.Events)) != cur || all.Resync {
		t.Fatalf("since=0: seq %d, %d events, resync %v; want seq %d and %d events", all.Seq, len(all.Events), all.Resync, cur, cur)
	}

	// The first poll asking only for the seq is answered without the log:
	// it answers while another transaction holds event_log locked, which
	// a read of the log would wait for.
	ctx := context.Background()
	tx, err := env.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `LOCK TABLE event_log IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	answered := make(chan response, 1)
	go func() { answered <- ana.do("GET", "/api/realtime/poll?since=0&timeout=0&seq_only=1", nil) }()
	var first pollBody
	select {
	case r := <-answered:
		if r.StatusCode != http.StatusOK {
			t.Fatalf("seq_only: status %d, body %s", r.StatusCode, r.body)
		}
		r.decode(t, &first)
	case <-time.After(5 * time.Second):
		_ = tx.Rollback(ctx) // let the request finish
		r := <-answered
		t.Fatalf("seq_only waited for the event log (it read it): answered only after the lock went, with %s", r.body)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if first.Seq != cur || len(first.Events) != 0 || first.Events == nil || first.Resync {
		t.Fatalf("seq_only: seq %d, events %v, resync %v; want seq %d, events []", first.Seq, first.Events, first.Resync, cur)
	}

	// The next poll resumes from that seq: it waits for, and gets, exactly
	// what comes after it.
	polled := make(chan response, 1)
	go func() { polled <- ana.do("GET", fmt.Sprintf("/api/realtime/poll?since=%d&timeout=10", first.Seq), nil) }()
	waitCond(t, "the poll waiting", func() bool { return hub.UserConnections(acc.User.ID) == 1 })
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	var next pollBody
	r := <-polled
	if r.StatusCode != http.StatusOK {
		t.Fatalf("next poll: %d %s", r.StatusCode, r.body)
	}
	r.decode(t, &next)
	if next.Seq != cur+1 || len(next.Events) != 1 || next.Events[0]["seq"] != float64(cur+1) || next.Events[0]["prev_seq"] != float64(cur) {
		t.Fatalf("next poll after seq %d: %+v", cur, next)
	}

	// The parameter is a boolean.
	if r := ana.do("GET", "/api/realtime/poll?since=0&seq_only=maybe", nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("seq_only=maybe: %d %s, want 422", r.StatusCode, r.body)
	}
}
