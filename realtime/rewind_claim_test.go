package realtime

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
)

// TestJoinAheadNoteNotBelowDelivered: a client joins with a since far
// past the family's seq, a number nothing backs (a made-up or corrupt
// one). The join tells push presence, which cannot tell such a claim from
// a device that saw events the database lost; but the seq it tells is not
// below what this replica delivered of the family, here an event
// committed and delivered to the family's socket after the join read the
// seq: what the devices were shown of it stays shown (notify writes again
// only the devices a note lowers). Before, the note named the seq the join
// had read, and push presence lowered the devices that had shown the
// newer event, and wrote every device of the family again.
func TestJoinAheadNoteNotBelowDelivered(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	a := joinFamily(t, hub, family)
	hook := func() {
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`, family, list); err != nil {
			t.Error(err)
			return
		}
		collect(t, a.Client, 1) // delivered here, after the join's read
	}
	joinAheadHook.Store(&hook)
	t.Cleanup(func() { joinAheadHook.Store(nil) })
	huge := int64(1) << 62
	j, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Since: &huge})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(j.Client)
	if !j.Resync {
		t.Errorf("a join with since %d, far past the family's seq, was not told to resync", huge)
	}
	if got, want := told.get(), []rewindNote{{family, a.Start + 1, a.Start + 1}}; !slices.Equal(got, want) {
		t.Errorf("OnRewind was told %+v, want %+v (not below the seq delivered here)", got, want)
	}
	select {
	case <-a.Client.Done():
		t.Errorf("the family's socket was closed")
	default:
	}
}
