package realtime

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
)

// TestJoinAheadNoteIsDatabaseSeq: the database went back (from cur to
// cur-2) while no socket of the family was open here; a socket joins
// fresh, and a device that was sent cur reconnects with since cur. Its
// join tells push presence of the loss, and between the join's read of
// the family's seq and its note a new event takes the lost seq cur-1
// and is delivered to the family's socket here. The note must name the
// database's seq as the join read it (cur-2): the rows of the family's
// devices elsewhere that were sent the lost cur-1 must come down below
// it, or the new event under cur-1 counts as shown to them and is never
// pushed. Before, the note named what this replica had delivered by
// then (cur-1).
func TestJoinAheadNoteIsDatabaseSeq(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	settled(t, hub, pool)
	addSilently(t, pool, family, list, 3)
	var cur int64
	if err := pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, family).Scan(&cur); err != nil {
		t.Fatal(err)
	}
	rewind(t, pool, family, cur-2)
	a := joinFamily(t, hub, family)
	if a.Start != cur-2 {
		t.Fatalf("a fresh join after the loss starts at %d, want %d", a.Start, cur-2)
	}
	hook := func() {
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`, family, list); err != nil {
			t.Error(err)
			return
		}
		collect(t, a.Client, 1) // delivered here, after the join's read
	}
	joinAheadHook.Store(&hook)
	t.Cleanup(func() { joinAheadHook.Store(nil) })
	j, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Since: &cur})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(j.Client)
	if !j.Resync {
		t.Errorf("a join with since %d, past the database's seq %d, was not told to resync", cur, cur-2)
	}
	if got, want := told.get(), []rewindNote{{family, cur - 2, cur - 2}}; !slices.Equal(got, want) {
		t.Errorf("OnRewind was told %+v, want %+v (the database's seq the join read)", got, want)
	}
	select {
	case <-a.Client.Done():
		t.Errorf("the family's socket was closed")
	default:
	}
}
