package realtime

import (
	"context"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db/dbtest"
)

// addItems adds n items to the list in one transaction (one event each).
func addItems(t *testing.T, pool *pgxpool.Pool, family, list uuid.UUID, n int) {
	t.Helper()
	exec(t, pool, `INSERT INTO shopping_items (family_id, list_id, name) SELECT '`+family.String()+`', '`+list.String()+`', 'item ' || i FROM generate_series(1, `+strconv.Itoa(n)+`) i`)
}

// drain reads what c's transport would still write once c is closed: its
// queue, then whatever Next hands out until it has nothing more.
func drain(t *testing.T, c *Client) (events []Message) {
	t.Helper()
	for {
		msgs, err := c.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			return events
		}
		for _, m := range msgs {
			if m.Seq > 0 {
				events = append(events, m)
			}
		}
	}
}

// anaAndBehindBen joins Ana (from now) and Ben (resuming from the start of
// the family's log) on hub; both leave when the test ends.
func anaAndBehindBen(t *testing.T, hub *Hub, family, ana, ben uuid.UUID) (a, b *Join) {
	t.Helper()
	ctx := context.Background()
	a, err := hub.Join(ctx, JoinParams{FamilyID: family, UserID: ana, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Leave(a.Client) })
	zero := int64(0)
	b, err = hub.Join(ctx, JoinParams{FamilyID: family, UserID: ben, SessionID: uuid.New(), Transport: "test", Since: &zero})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Leave(b.Client) })
	return a, b
}

// TestHubRemovedMemberBehindGetsNoMorePages: Ben resumes far behind (his
// sockets read the family's log in pages) on two replicas, and reads one
// page on each; Ana removes him (a DELETE in psql), and writes one more
// event. Both replicas close his sockets (the removal's notice, through
// PostgreSQL), and from then on neither hands them anything: no page of
// the family's log, not the event written after the removal. Before, a
// closed client behind kept reading pages while the family had other
// sockets there (an SSE stream's loop writes pages until Next has none),
// up to the family's newest event: a removed member's stream was sent the
// family's events written after his removal.
func TestHubRemovedMemberBehindGetsNoMorePages(t *testing.T) {
	url := dbtest.URL(t)
	hubA, pool := startHubOn(t, url, func(*Listener) {})
	hubB, _ := startHubOn(t, url, func(*Listener) {})
	family, list := newFamily(t, pool)
	ana, ben := member(t, pool, family), member(t, pool, family)
	addItems(t, pool, family, list, 2*PageSize+10)
	var bens []*Client
	for _, hub := range []*Hub{hubA, hubB} {
		_, b := anaAndBehindBen(t, hub, family, ana, ben)
		collect(t, b.Client, PageSize) // the first page
		bens = append(bens, b.Client)
	}
	exec(t, pool, `DELETE FROM memberships WHERE family_id = '`+family.String()+`' AND user_id = '`+ben.String()+`'`)
	addItems(t, pool, family, list, 1)
	for i, c := range bens {
		waitFor(t, "the removal to close Ben's client on replica "+string(rune('A'+i)), func() bool { return c.Context().Err() != nil })
		if code, reason := c.CloseStatus(); code != CloseSessionEnded || reason != ReasonRemoved {
			t.Errorf("replica %c: Ben's client closed with %d %q, want %d %q", 'A'+i, code, reason, CloseSessionEnded, ReasonRemoved)
		}
		if got := drain(t, c); len(got) > 0 {
			t.Errorf("replica %c: Ben's closed client was handed %d more events (seqs %d to %d)", 'A'+i, len(got), got[0].Seq, got[len(got)-1].Seq)
		}
	}
}

// TestHubPageStopsAtDispatched: Ben resumes behind on a replica whose
// dispatcher has not yet handled his removal nor the event written after
// it (its listener lags: here there is none, and the test hands the hub
// nothing). His page of the log stops at the last event the dispatcher
// handled. Before, a page read whatever the log held by then, the event
// written after his removal too, handed out before the removal's notice
// (committed before it, so handled before it) could close his client.
func TestHubPageStopsAtDispatched(t *testing.T) {
	hub, pool := startHubAlone(t)
	family, list := newFamily(t, pool)
	ana, ben := member(t, pool, family), member(t, pool, family)
	addItems(t, pool, family, list, 5)
	a, b := anaAndBehindBen(t, hub, family, ana, ben)
	exec(t, pool, `DELETE FROM memberships WHERE family_id = '`+family.String()+`' AND user_id = '`+ben.String()+`'`)
	addItems(t, pool, family, list, 1) // after the removal
	got := drain(t, b.Client)
	if len(got) == 0 || got[len(got)-1].Seq != a.Start {
		var seqs []int64
		for _, m := range got {
			seqs = append(seqs, m.Seq)
		}
		t.Errorf("Ben's pages: seqs %v, want up to %d (the dispatcher's), not the events of his removal and after", seqs, a.Start)
	}
}

// TestHubRemovedMemberPageResyncClosed: Ben resumes from the start of the
// family's log, whose first event was pruned; while his page is read, Ana
// removes him and the removal closes his client. The page finds his
// position gone from the log, and hands his closed client nothing. Before,
// it resynced him to the family's seq (moving a closed client), and his
// SSE stream wrote that resync before its close.
func TestHubRemovedMemberPageResyncClosed(t *testing.T) {
	hub, pool := startHub(t)
	family, list := newFamily(t, pool)
	ana, ben := member(t, pool, family), member(t, pool, family)
	addItems(t, pool, family, list, 3)
	exec(t, pool, `DELETE FROM event_log WHERE family_id = '`+family.String()+`' AND seq = 1`)
	_, b := anaAndBehindBen(t, hub, family, ana, ben)
	c := b.Client
	f := func(got *Client) {
		if got != c {
			return
		}
		pageReadHook.Store(nil) // once
		exec(t, pool, `DELETE FROM memberships WHERE family_id = '`+family.String()+`' AND user_id = '`+ben.String()+`'`)
		waitFor(t, "the removal to close Ben's client", func() bool { return c.Context().Err() != nil })
	}
	pageReadHook.Store(&f)
	t.Cleanup(func() { pageReadHook.Store(nil) })
	msgs, err := c.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Context().Err() == nil {
		t.Fatal("the page was read without the hook: Ben's client is open")
	}
	var got []string
	for _, m := range msgs {
		got = append(got, string(m.Data))
	}
	if len(got) > 0 {
		t.Errorf("Ben's client, closed by his removal during his page's read, was handed %q", got)
	}
}
