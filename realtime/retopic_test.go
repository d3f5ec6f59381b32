package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
)

// TestRetopicPongWhilePaging: a ping answered while the socket reads its
// events from the log (here after a topics message rewound it) must not
// name a position behind events the page in progress sends: the page's
// events are written before the queued pong, and a client that took the
// pong's seq as its last went back, found the next live event's prev_seq
// unknown and re-read everything (a false gap). The client is simulated as
// the PWA is: events check prev_seq, answers and pongs set the position.
// The page's query is held on a lock on the event log, so that the ping
// is answered between the page's read and its end.
func TestRetopicPongWhilePaging(t *testing.T) {
	hub, pool := startHub(t)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	j, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Topics: []string{"tasks"}})
	if err != nil {
		t.Fatal(err)
	}
	c := j.Client
	defer hub.Leave(c)
	addItem := func() {
		t.Helper()
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, family, list); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		addItem() // skipped: the socket is on tasks
	}
	waitFor(t, "the skipped events", func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return c.cursor == j.Start+3
	})

	last := j.Start // the client's position
	apply := func(m Message) {
		t.Helper()
		var w struct {
			Type    string `json:"type"`
			Seq     *int64 `json:"seq"`
			PrevSeq *int64 `json:"prev_seq"`
		}
		if err := json.Unmarshal(m.Data, &w); err != nil {
			t.Fatalf("%s: %v", m.Data, err)
		}
		switch {
		case w.PrevSeq != nil: // an event
			if *w.PrevSeq != last {
				t.Fatalf("%s after position %d: a gap", m.Data, last)
			}
			last = *w.Seq
		case (w.Type == "subscribed" || w.Type == "pong") && w.Seq != nil:
			last = *w.Seq
		}
	}
	// To the shopping page: the skipped items are read again from the log.
	if r := c.HandleMessage(ctx, []byte(fmt.Sprintf(`{"type":"topics","topics":["shopping"],"since":%d}`, last))); r != nil {
		t.Fatalf("topics: %s", r)
	}
	msgs, err := c.Next(ctx)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("the answer: %v %v", msgs, err)
	}
	apply(msgs[0])

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `LOCK TABLE event_log IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	type page struct {
		msgs []Message
		err  error
	}
	paged := make(chan page, 1)
	go func() {
		msgs, err := c.Next(ctx)
		paged <- page{msgs, err}
	}()
	waitFor(t, "the page's query to wait for the lock", func() bool {
		var n int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%event_log%'`).Scan(&n)
		return err == nil && n > 0
	})
	if r := c.HandleMessage(ctx, []byte(`{"type":"ping"}`)); r != nil {
		c.Answer(ctx, r) // as the transports do
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	p := <-paged
	if p.err != nil {
		t.Fatal(p.err)
	}
	events := 0
	for _, m := range p.msgs {
		apply(m)
		if m.Seq > 0 {
			events++
		}
	}
	// The rest (the pong, or the events after it), then a live event.
	for events < 3 {
		msgs, err := c.Next(ctx)
		if err != nil || len(msgs) == 0 {
			t.Fatalf("after %d events: %v %v", events, msgs, err)
		}
		for _, m := range msgs {
			apply(m)
			if m.Seq > 0 {
				events++
			}
		}
	}
	addItem()
	for events < 4 {
		msgs, err := c.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			<-c.Ready()
			continue
		}
		for _, m := range msgs {
			apply(m)
			if m.Seq > 0 {
				events++
			}
		}
	}
	if last != j.Start+4 {
		t.Fatalf("position %d after the live event, want %d", last, j.Start+4)
	}
}
