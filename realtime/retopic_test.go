package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pagingRace is a socket on tasks that skipped three shopping events and
// was sent back to its hello by a topics message (to shopping), with a
// client simulated as the PWA is: events check prev_seq, answers, pongs
// and resyncs set the position.
type pagingRace struct {
	t      *testing.T
	pool   *pgxpool.Pool
	family uuid.UUID
	list   uuid.UUID
	j      *Join
	last   int64 // the simulated client's position
	events int
}

func newPagingRace(t *testing.T) *pagingRace {
	hub, pool := startHub(t)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	j, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Topics: []string{"tasks"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Leave(j.Client) })
	r := &pagingRace{t: t, pool: pool, family: family, list: list, j: j, last: j.Start}
	for range 3 {
		r.addItem() // skipped: the socket is on tasks
	}
	waitFor(t, "the skipped events", func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return j.Client.cursor.Load() == j.Start+3
	})
	r.send(fmt.Sprintf(`{"type":"topics","topics":["shopping"],"since":%d}`, r.last))
	msgs, err := j.Client.Next(ctx)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("the answer: %v %v", msgs, err)
	}
	r.apply(msgs)
	return r
}

func (r *pagingRace) addItem() {
	r.t.Helper()
	if _, err := r.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, r.family, r.list); err != nil {
		r.t.Fatal(err)
	}
}

// send hands the socket a client message, as the transports do.
func (r *pagingRace) send(msg string) {
	if reply := r.j.Client.HandleMessage(context.Background(), []byte(msg)); reply != nil {
		r.j.Client.Answer(context.Background(), reply)
	}
}

func (r *pagingRace) apply(msgs []Message) {
	r.t.Helper()
	for _, m := range msgs {
		var w struct {
			Type    string `json:"type"`
			Seq     *int64 `json:"seq"`
			PrevSeq *int64 `json:"prev_seq"`
		}
		if err := json.Unmarshal(m.Data, &w); err != nil {
			r.t.Fatalf("%s: %v", m.Data, err)
		}
		switch {
		case w.PrevSeq != nil: // an event
			if *w.PrevSeq != r.last {
				r.t.Fatalf("%s after position %d: a gap", m.Data, r.last)
			}
			r.last = *w.Seq
			r.events++
		case (w.Type == "subscribed" || w.Type == "pong" || w.Type == "resync") && w.Seq != nil:
			r.last = *w.Seq
		}
	}
}

// duringPage runs the socket's next page read with its query held on a
// lock on the event log, and does between the read and the page's end.
func (r *pagingRace) duringPage(between func()) {
	r.t.Helper()
	ctx := context.Background()
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `LOCK TABLE event_log IN ACCESS EXCLUSIVE MODE`); err != nil {
		r.t.Fatal(err)
	}
	type page struct {
		msgs []Message
		err  error
	}
	paged := make(chan page, 1)
	go func() {
		msgs, err := r.j.Client.Next(ctx)
		paged <- page{msgs, err}
	}()
	waitFor(r.t, "the page's query to wait for the lock", func() bool {
		var n int
		err := r.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%event_log%'`).Scan(&n)
		return err == nil && n > 0
	})
	between()
	if err := tx.Rollback(ctx); err != nil {
		r.t.Fatal(err)
	}
	p := <-paged
	if p.err != nil {
		r.t.Fatal(p.err)
	}
	r.apply(p.msgs)
}

// until reads the socket's messages until it had n events in all.
func (r *pagingRace) until(n int) {
	r.t.Helper()
	c := r.j.Client
	for r.events < n {
		msgs, err := c.Next(context.Background())
		if err != nil {
			r.t.Fatal(err)
		}
		if len(msgs) == 0 {
			<-c.Ready()
			continue
		}
		r.apply(msgs)
	}
}

// TestRetopicPongWhilePaging: a ping answered while the socket reads its
// events from the log (here after a topics message rewound it) must not
// name a position behind events the page in progress sends: the page's
// events are written before the queued pong, and a client that took the
// pong's seq as its last went back, found the next live event's prev_seq
// unknown and re-read everything (a false gap).
func TestRetopicPongWhilePaging(t *testing.T) {
	r := newPagingRace(t)
	r.duringPage(func() { r.send(`{"type":"ping"}`) })
	r.until(3)
	r.addItem()
	r.until(4)
	if r.last != r.j.Start+4 {
		t.Fatalf("position %d after the live event, want %d", r.last, r.j.Start+4)
	}
}

// TestRetopicAnswerWhilePagingPruned: a topics message answered while a
// page is read that finds the log pruned. The resync the page returns is
// written before the queued answer, whose seq (the position before the
// resync) then took the client back, and the next live event looked like
// a gap: a second full re-read. The page must start over after the
// answer, as it does when its rows are there.
func TestRetopicAnswerWhilePagingPruned(t *testing.T) {
	r := newPagingRace(t)
	if _, err := r.pool.Exec(context.Background(), `DELETE FROM event_log WHERE family_id = $1 AND seq <= $2`, r.family, r.j.Start+1); err != nil {
		t.Fatal(err)
	}
	r.duringPage(func() {
		r.send(fmt.Sprintf(`{"type":"topics","topics":["family","shopping"],"since":%d}`, r.j.Start+3))
	})
	for r.last != r.j.Start+3 { // the resync
		msgs, err := r.j.Client.Next(context.Background())
		if err != nil || len(msgs) == 0 {
			t.Fatalf("at position %d: %v %v", r.last, msgs, err)
		}
		r.apply(msgs)
	}
	r.addItem()
	r.until(1)
}

// TestRewindBudget: a burst of rewindBurst, then one per rewindEvery.
func TestRewindBudget(t *testing.T) {
	var b rewindBudget
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for i := range rewindBurst {
		if !b.take(now) {
			t.Fatalf("rewind %d of the burst refused", i+1)
		}
	}
	if b.take(now.Add(rewindEvery - time.Millisecond)) {
		t.Fatal("a rewind past the burst, before one was earned back, was allowed")
	}
	if !b.take(now.Add(rewindEvery)) {
		t.Fatal("a rewind a second later was refused")
	}
	if b.take(now.Add(rewindEvery + time.Millisecond)) {
		t.Fatal("two rewinds earned in one second")
	}
	if !b.take(now.Add(time.Hour)) {
		t.Fatal("a rewind an hour later was refused")
	}
}

// TestRetopicPastBudget: a topics message that would rewind a socket that
// has used its rewinds is answered with a resync (the client reads
// everything again) and does not send the socket back into the log.
func TestRetopicPastBudget(t *testing.T) {
	hub, pool := startHub(t)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	j, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Topics: []string{"tasks"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Leave(j.Client) })
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, family, list); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the skipped event", func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return j.Client.cursor.Load() == j.Start+1
	})
	hub.mu.Lock()
	j.Client.rewinds.used, j.Client.rewinds.at = rewindBurst, time.Now()
	hub.mu.Unlock()
	msg := fmt.Sprintf(`{"type":"topics","topics":["shopping"],"since":%d}`, j.Start)
	if reply := j.Client.HandleMessage(ctx, []byte(msg)); reply != nil {
		t.Fatalf("refused: %s", reply)
	}
	msgs, err := j.Client.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, string(m.Data))
	}
	want := []string{
		fmt.Sprintf(`{"type":"resync","seq":%d}`, j.Start+1),
		fmt.Sprintf(`{"type":"subscribed","added":["shopping"],"removed":["tasks"],"count":1,"seq":%d}`, j.Start+1),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answer %q, want %q", got, want)
	}
	hub.mu.Lock()
	behind := j.Client.behind
	hub.mu.Unlock()
	if behind {
		t.Error("the socket was sent back into the log")
	}
}
