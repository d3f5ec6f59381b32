package realtime

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// logMark is the mark of the family's event under seq in the log: what a
// device that was sent that event names with its since.
func logMark(t *testing.T, pool *pgxpool.Pool, family uuid.UUID, seq int64) *Mark {
	t.Helper()
	m := &Mark{}
	if err := pool.QueryRow(context.Background(), `SELECT entity_id, at FROM event_log WHERE family_id = $1 AND seq = $2`, family, seq).Scan(&m.ID, &m.At); err != nil {
		t.Fatal(err)
	}
	return m
}

// addItemsEach writes n shopping items, one event each, committed one by one.
func addItemsEach(t *testing.T, pool *pgxpool.Pool, family, list uuid.UUID, n int) {
	t.Helper()
	for range n {
		if _, err := pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'item')`, family, list); err != nil {
			t.Fatal(err)
		}
	}
}

// TestJoinSinceRewritten: a device was sent events, went offline, the
// database went back before its last two, and new writes took the lost seqs
// past its since. Its since alone is a seq the database has, so it resumed
// after it and missed the new events under the seqs up to it (docs
// "A database that went back", formerly the first "Still not found"). With
// the mark of its last event (entity and time) the join finds another event
// under since and resyncs it; the right mark, or none (an older client),
// resumes as before; and a since the log pruned is not compared. The
// delta and long poll (EventsSince) do the same.
func TestJoinSinceRewritten(t *testing.T) {
	hub, pool := startHub(t)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	reader := member(t, pool, family) // of the delta and the long poll
	a, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	addItemsEach(t, pool, family, list, 3)
	since := collect(t, a.Client, 3)[2].Seq
	seen := logMark(t, pool, family, since) // the device's last event
	hub.Leave(a.Client)                     // offline: the replica forgets the family

	rewind(t, pool, family, since-2)
	addItemsEach(t, pool, family, list, 3) // under since-1, since (lost seqs) and since+1
	cur := since + 1
	now := logMark(t, pool, family, since)
	if now.Is(seen.ID, seen.At) {
		t.Fatal("the event under since is the same after the rewind: not the case under test")
	}

	join := func(mark *Mark) *Join {
		t.Helper()
		s := since
		j, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Since: &s, SinceMark: mark})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { hub.Leave(j.Client) })
		return j
	}

	// The lost event's mark: resync from the family's seq; the next event
	// follows it.
	b := join(seen)
	if !b.Resync || b.Start != cur {
		t.Fatalf("resume after a lost event: resync %v from %d, want a resync from %d", b.Resync, b.Start, cur)
	}
	if msgs := b.Messages(); len(msgs) != 2 || string(msgs[1].Data) != string(resyncMessage(cur)) {
		t.Fatalf("first messages %v, want hello and resync at %d", msgs, cur)
	}
	// The mark of the event the log has: an ordinary resume, no resync.
	c := join(now)
	if c.Resync {
		t.Fatal("resume with the log's own event under since was told to resync")
	}
	// No mark (an older client): as before, a resume.
	d := join(nil)
	if d.Resync {
		t.Fatal("resume without a mark was told to resync")
	}
	for name, j := range map[string]*Join{"right mark": c, "no mark": d} {
		if w := collect(t, j.Client, 1)[0]; w.Seq != cur || w.PrevSeq != since {
			t.Errorf("%s: first event seq %d prev %d, want the log's %d after %d", name, w.Seq, w.PrevSeq, cur, since)
		}
	}
	addItemsEach(t, pool, family, list, 1)
	if w := collect(t, b.Client, 1)[0]; w.Seq != cur+1 || w.PrevSeq != cur {
		t.Errorf("after the resync: seq %d prev %d, want %d after %d", w.Seq, w.PrevSeq, cur+1, cur)
	}
	cur++

	// The delta and the long poll: the lost mark resyncs, the right one
	// and none answer the events after since.
	for name, tc := range map[string]struct {
		mark   *Mark
		resync bool
	}{"lost mark": {seen, true}, "right mark": {now, false}, "no mark": {nil, false}} {
		events, seq, resync, err := hub.EventsSince(ctx, family, reader, since, tc.mark)
		if err != nil {
			t.Fatal(err)
		}
		if resync != tc.resync || seq != cur {
			t.Errorf("EventsSince, %s: resync %v at %d, want %v at %d", name, resync, seq, tc.resync, cur)
		}
		if !tc.resync && (len(events) != 2 || events[0].Seq != since+1) {
			t.Errorf("EventsSince, %s: %d events, want the 2 after %d", name, len(events), since)
		}
	}

	// A since the log pruned is not compared: a resume as before.
	if _, err := pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1 AND seq <= $2`, family, since); err != nil {
		t.Fatal(err)
	}
	if e := join(seen); e.Resync {
		t.Error("resume from a pruned since with a mark was told to resync")
	}
	if _, _, resync, err := hub.EventsSince(ctx, family, reader, since, seen); err != nil || resync {
		t.Errorf("EventsSince from a pruned since with a mark: resync %v, err %v; want the events after it", resync, err)
	}
}
