package realtime

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestHeldEventOfLostHistoryNotDelivered: the notice of an event arrives
// ahead of a gap (the event before it was never announced) and is held;
// the database then goes back and loses both, and a new event takes the
// seq of the missing one. Delivered, the new event made the held one next
// in line, and the socket was shown the lost event as if it were the
// family's; only the new event under its seq, later, made it resync. The
// held event is older than the new one before it, so it is of the lost
// history: it is dropped, the log read, and the socket gets the new events
// in order, with no resync.
func TestHeldEventOfLostHistoryNotDelivered(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told) // no cross-check of its own
	ctx := context.Background()
	family, list := newFamily(t, pool)
	settled(t, hub, pool)
	a := joinFamily(t, hub, family)
	s := a.Start
	add := func(name string) uuid.UUID {
		t.Helper()
		var id uuid.UUID
		if err := pool.QueryRow(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, $3) RETURNING id`, family, list, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	add("milk")
	wantWire(t, collect(t, a.Client, 1), []wire{{s, s + 1, item, ""}})

	// s+2 and s+3 are written, never announced; the database loses both.
	addSilently(t, pool, family, list, 2)
	rows, err := hub.store.EventLogListSince(ctx, dbsqlc.EventLogListSinceParams{FamilyID: family, Since: s + 2, MaxEvents: 1})
	if err != nil || len(rows) != 1 || rows[0].Seq != s+3 {
		t.Fatalf("the log after %d: %+v, %v", s+2, rows, err)
	}
	lost := eventFromLog(rows[0])
	rewind(t, pool, family, s+1)
	// The lost s+3's notice comes late, ahead of the missing s+2: held.
	hub.inbox <- lost
	waitFor(t, "the lost event to be held", func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		_, ok := hub.families[family].early[s+3]
		return ok
	})

	tea := add("tea")   // takes s+2
	rice := add("rice") // takes s+3
	got := collect(t, a.Client, 2)
	if got[0].Type != item || got[0].Seq != s+2 || got[0].ID != tea.String() || got[1].Type != item || got[1].Seq != s+3 || got[1].ID != rice.String() {
		t.Fatalf("the socket got %+v; want tea (%s) at %d, then rice (%s) at %d, not the lost event (%s)", got, tea, s+2, rice, s+3, lost.ID)
	}
	if r := told.get(); len(r) != 0 {
		t.Errorf("OnRewind was told %+v: no event delivered was another one", r)
	}
}
