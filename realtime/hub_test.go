package realtime

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// The hub against a real PostgreSQL: triggers → NOTIFY → one Listener →
// Hub → a client's queue, with no transport in between.

// startHub runs a hub and its listener on a fresh database until the test
// ends, and returns them with a pool on the same database.
func startHub(t *testing.T) (*Hub, *pgxpool.Pool) {
	t.Helper()
	return startHubWith(t, func(*Listener) {})
}

// startHubWith is startHub with the listener's settings changed by set.
func startHubWith(t *testing.T, set func(*Listener)) (*Hub, *pgxpool.Pool) {
	t.Helper()
	return startHubOn(t, dbtest.URL(t), set)
}

// startHubOn is startHubWith on the database at url: several replicas of
// one database.
func startHubOn(t *testing.T, url string, set func(*Listener)) (*Hub, *pgxpool.Pool) {
	t.Helper()
	pool := dbtest.PoolFor(t, url)
	store := db.NewStore(pool)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics := NewMetrics(prometheus.NewRegistry(), store)
	hub := NewHub(store, logger, metrics)
	l := &Listener{ConnString: url, Hub: hub, Logger: logger, Metrics: metrics}
	set(l)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { hub.Run(ctx); done <- struct{}{} }()
	go func() { l.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	waitFor(t, "the listener to connect", l.Connected)
	return hub, pool
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func newFamily(t *testing.T, pool *pgxpool.Pool) (family, list uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	if err := pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Rivera') RETURNING id`).Scan(&family); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id`, family).Scan(&list); err != nil {
		t.Fatal(err)
	}
	return family, list
}

// wire is what a client receives of an event.
type wire struct {
	PrevSeq int64  `json:"prev_seq"`
	Seq     int64  `json:"seq"`
	Type    string `json:"type"`
	ID      string `json:"id"`
}

// collect reads c's messages through Next (queued, or pages from the log
// when the client fell behind) until want events arrived.
func collect(t *testing.T, c *Client, want int) []wire {
	t.Helper()
	var got []wire
	deadline := time.After(20 * time.Second)
	for len(got) < want {
		msgs, err := c.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			select {
			case <-c.Ready():
			case <-c.Done():
				code, reason := c.CloseStatus()
				t.Fatalf("client closed (%d %s) after %d of %d events", code, reason, len(got), want)
			case <-deadline:
				t.Fatalf("%d of %d events after 20s", len(got), want)
			}
			continue
		}
		for _, m := range msgs {
			var w wire
			if err := json.Unmarshal(m.Data, &w); err != nil {
				t.Fatalf("%s: %v", m.Data, err)
			}
			got = append(got, w)
		}
	}
	return got
}

// A burst far larger than a client's queue reaches it whole, in order and
// gapless: the live stream while there is room, then pages from the log,
// then live again.
func TestHubBurstLargerThanTheQueue(t *testing.T) {
	hub, pool := startHub(t)
	family, list := newFamily(t, pool)
	j, err := hub.Join(context.Background(), JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(j.Client)

	n := 3 * QueueMessages
	if _, err := pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name)
		SELECT $1, $2, 'item ' || i FROM generate_series(1, $3) i`, family, list, n); err != nil {
		t.Fatal(err)
	}
	got := collect(t, j.Client, n)
	for i, w := range got {
		if w.Seq != j.Start+int64(i)+1 || w.PrevSeq != w.Seq-1 {
			t.Fatalf("event %d: seq %d prev_seq %d, want seq %d", i, w.Seq, w.PrevSeq, j.Start+int64(i)+1)
		}
		if w.Type != "SHOPPING_ITEM_UPDATED" {
			t.Fatalf("event %d: type %q", i, w.Type)
		}
	}
	// Live again: the next change comes through the queue.
	if _, err := pool.Exec(context.Background(), `UPDATE shopping_lists SET name = 'Groceries' WHERE id = $1`, list); err != nil {
		t.Fatal(err)
	}
	if w := collect(t, j.Client, 1)[0]; w.Seq != j.Start+int64(n)+1 || w.Type != "SHOPPING_LIST_UPDATED" || w.ID != list.String() {
		t.Fatalf("after the burst: %+v", w)
	}
}

// A client subscribed to one list gets only that list's events, and each
// one's prev_seq names the previous event it was sent: a skipped event is
// told apart from a lost one.
func TestHubTopicsKeepPrevSeqChained(t *testing.T) {
	hub, pool := startHub(t)
	family, weekly := newFamily(t, pool)
	var party uuid.UUID
	if err := pool.QueryRow(context.Background(), `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Party') RETURNING id`, family).Scan(&party); err != nil {
		t.Fatal(err)
	}
	j, err := hub.Join(context.Background(), JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Topics: []string{"shopping-list:" + party.String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(j.Client)
	for _, l := range []uuid.UUID{weekly, party, weekly, weekly, party} {
		if _, err := pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, family, l); err != nil {
			t.Fatal(err)
		}
	}
	got := collect(t, j.Client, 2)
	if got[0].PrevSeq != j.Start || got[0].Seq != j.Start+2 || got[1].PrevSeq != got[0].Seq || got[1].Seq != j.Start+5 {
		t.Fatalf("events %+v after hello %d: want seqs %d and %d chained by prev_seq", got, j.Start, j.Start+2, j.Start+5)
	}
}

// Another family's events never reach a client.
func TestHubFamilyIsolation(t *testing.T) {
	hub, pool := startHub(t)
	mine, myList := newFamily(t, pool)
	other, otherList := newFamily(t, pool)
	j, err := hub.Join(context.Background(), JoinParams{FamilyID: mine, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(j.Client)
	for _, row := range [][2]uuid.UUID{{other, otherList}, {other, otherList}, {mine, myList}} {
		if _, err := pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, row[0], row[1]); err != nil {
			t.Fatal(err)
		}
	}
	// The family's own event arrives; had the other family's two come
	// through, they would be ahead of it in the queue.
	got := collect(t, j.Client, 1)
	if got[0].Seq != j.Start+1 {
		t.Fatalf("first event %+v, want this family's seq %d", got[0], j.Start+1)
	}
	if extra := j.Client.Take(); len(extra) != 0 {
		t.Fatalf("more events than this family's: %s", extra[0].Data)
	}
}

// A family's first client on a replica joining while one of the family's
// events is dispatched (after Join read the family's seq, before it
// registered the family, so the event found no one to deliver to) gets it
// at once from the log; before, it came with the family's next event or
// the cross-check, seconds later (here turned off: never).
func TestHubJoinRacingAnEvent(t *testing.T) {
	hub, pool := startHubWith(t, func(l *Listener) { l.CrossCheckInterval = time.Hour })
	ctx := context.Background()
	mine, myList := newFamily(t, pool)
	other, otherList := newFamily(t, pool)
	witness, err := hub.Join(ctx, JoinParams{FamilyID: other, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(witness.Client)
	missed := hub.missed.Load() // as Join takes it, before its read
	cur, err := hub.store.Q.FamilySeqGet(ctx, pool, mine)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][2]uuid.UUID{{mine, myList}, {other, otherList}} {
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, row[0], row[1]); err != nil {
			t.Fatal(err)
		}
	}
	// The other family's event is dispatched after mine: mine was dropped.
	collect(t, witness.Client, 1)
	j, err := hub.join(JoinParams{FamilyID: mine, SessionID: uuid.New(), Transport: "test"}, cur, missed)
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(j.Client)
	if got := collect(t, j.Client, 1); got[0].Seq != cur.Seq+1 || got[0].PrevSeq != cur.Seq {
		t.Fatalf("first event %+v after hello %d, want seq %d", got[0], j.Start, cur.Seq+1)
	}
}

// A family's first client on a replica joining while the family's last
// client here leaves, one of the family's events dispatched in between
// (after Join read the family's seq, to the leaving client): the new
// client gets it at once from the log. With the leave the replica forgot
// the family, so the join starts it from the seq it read, behind that
// event, which had reached someone and so was not counted as missed.
// The hub runs without a listener (its catch-up of everything at connect
// could hide this); the event is handed to it as the listener would.
func TestHubJoinRacingALeave(t *testing.T) {
	hub, r := leaveRace(t, 1)
	hub.notify(eventFromLog(r.rows[0]))
	collect(t, r.leaving.Client, 1) // dispatched to the leaving client
	hub.Leave(r.leaving.Client)

	j := r.join(t)
	if got := collect(t, j.Client, 1); got[0].Seq != r.cur.Seq+1 || got[0].PrevSeq != r.cur.Seq {
		t.Fatalf("first event %+v after hello %d, want seq %d", got[0], j.Start, r.cur.Seq+1)
	}
}

// The same with the departing client's event held, not delivered: it
// arrived ahead of an earlier one (announcements of two transactions
// crossing), and the family was forgotten with it before the earlier one
// came. The new client gets both, the held one from the log.
func TestHubJoinRacingALeaveHeld(t *testing.T) {
	hub, r := leaveRace(t, 2)
	hub.notify(eventFromLog(r.rows[1])) // ahead of rows[0]: held
	waitFor(t, "the second event held", func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return len(hub.families[r.family].early) == 1
	})
	hub.Leave(r.leaving.Client)

	j := r.join(t)
	hub.notify(eventFromLog(r.rows[0]))
	if got := collect(t, j.Client, 2); got[0].Seq != r.cur.Seq+1 || got[1].Seq != r.cur.Seq+2 || got[1].PrevSeq != r.cur.Seq+1 {
		t.Fatalf("events %+v after hello %d, want seqs %d and %d", got, j.Start, r.cur.Seq+1, r.cur.Seq+2)
	}
}

// race is a family's last client on a hub without a listener, the family's
// seq and the missed count as a new client's Join takes them, and n events
// of the family committed after that read (not yet handed to the hub).
type race struct {
	hub     *Hub
	family  uuid.UUID
	leaving *Join
	cur     dbsqlc.FamilySeqGetRow
	missed  int64
	rows    []dbsqlc.EventLog
}

func leaveRace(t *testing.T, n int) (*Hub, *race) {
	t.Helper()
	hub, pool := startHubAlone(t)
	ctx := context.Background()
	mine, myList := newFamily(t, pool)
	r := &race{hub: hub, family: mine}
	var err error
	if r.leaving, err = hub.Join(ctx, JoinParams{FamilyID: mine, SessionID: uuid.New(), Transport: "test"}); err != nil {
		t.Fatal(err)
	}
	r.missed = hub.missed.Load() // as Join takes it, before its read
	if r.cur, err = hub.store.Q.FamilySeqGet(ctx, pool, mine); err != nil {
		t.Fatal(err)
	}
	for range n {
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, mine, myList); err != nil {
			t.Fatal(err)
		}
	}
	if r.rows, err = hub.store.EventLogListSince(ctx, dbsqlc.EventLogListSinceParams{FamilyID: mine, Since: r.cur.Seq, MaxEvents: int32(n)}); err != nil || len(r.rows) != n {
		t.Fatalf("the events: %v, %d rows", err, len(r.rows))
	}
	return hub, r
}

// join is the new client's join with what it read before the race.
func (r *race) join(t *testing.T) *Join {
	t.Helper()
	j, err := r.hub.join(JoinParams{FamilyID: r.family, SessionID: uuid.New(), Transport: "test"}, r.cur, r.missed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.hub.Leave(j.Client) })
	return j
}

// startHubAlone runs a hub without a listener on a fresh database until
// the test ends: the test hands it events (Hub.notify), and nothing
// catches up behind the test's back (the listener does at connect).
func startHubAlone(t *testing.T) (*Hub, *pgxpool.Pool) {
	t.Helper()
	pool := dbtest.PoolFor(t, dbtest.URL(t))
	store := db.NewStore(pool)
	hub := NewHub(store, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry(), store))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hub.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return hub, pool
}

// TestHubMaxPerUser: a user's connections count until their transport
// leaves, whatever closed them, exactly once; beyond MaxPerUser a join is
// refused with too_many_connections, and other users are not affected.
func TestHubMaxPerUser(t *testing.T) {
	hub, pool := startHub(t)
	hub.MaxPerUser = 2
	family, _ := newFamily(t, pool)
	ana, ben, session := uuid.New(), uuid.New(), uuid.New()
	ctx := context.Background()
	join := func(user uuid.UUID) (*Client, error) {
		j, err := hub.Join(ctx, JoinParams{FamilyID: family, UserID: user, SessionID: session, Transport: "test"})
		if err != nil {
			return nil, err
		}
		return j.Client, nil
	}
	must := func(user uuid.UUID) *Client {
		t.Helper()
		c, err := join(user)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	refused := func(what string) {
		t.Helper()
		if _, err := join(ana); familyhub.ErrorCode(err) != familyhub.ECONNLIMIT {
			t.Fatalf("%s: join = %v, want %s", what, err, familyhub.ECONNLIMIT)
		}
	}
	a1, a2 := must(ana), must(ana)
	refused("a third")
	must(ben) // another user

	// Left twice (a transport's deferred Leave after an error path's):
	// one place back, not two.
	hub.Leave(a1)
	hub.Leave(a1)
	if n := hub.UserConnections(ana); n != 1 {
		t.Fatalf("after one leave: %d counted, want 1", n)
	}
	a3 := must(ana)
	refused("a third after one left")

	// The session revoked: the hub closes the clients at once, but they
	// count until their transports leave (they hold memory until then).
	hub.handleSession(ctx, sessionNotice{SessionID: session, Reason: "revoked"})
	<-a2.Done()
	<-a3.Done()
	refused("while the revoked clients' transports still run")
	hub.Leave(a2)
	hub.Leave(a3)
	if n := hub.UserConnections(ana); n != 0 {
		t.Fatalf("after the revoked clients left: %d counted, want 0", n)
	}
	must(ana)
}
