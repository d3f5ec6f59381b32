package assistant

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestUndoMergedAddWaitsForListDelete: the undo of "add 2 milk and eggs"
// (milk merged onto the open "1 milk", whose id sorts below the new
// eggs') meets a delete of the list held uncommitted (the list, then its
// items). The undo takes the list's key share before any item, so it
// waits for the delete on the list's row, holding no item; once the
// delete commits it refuses, naming the list. Before, it deleted eggs
// first (waiting for the delete on eggs' row) and took the list only
// when it put milk back: a delete that held the list and waited for
// eggs met it the other way round (40P01, maybe on the delete's side).
func TestUndoMergedAddWaitsForListDelete(t *testing.T) {
	f := newDeadlockFamily(t)
	weekly := f.list("Weekly")
	milk := uuid.MustParse("00000000-0000-4000-8000-000000000001")
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		one := "1"
		_, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{ID: &milk, Name: "milk", Quantity: &one})
		return err
	})
	r := f.do("add 2 milk and eggs to the weekly list")
	if got := itemNamesOf(f.items(weekly.ID)); got != "3 milk, eggs" {
		t.Fatalf("after the add: %q, want 3 milk, eggs", got)
	}

	var deleter int32
	release := f.holdTx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&deleter); err != nil {
			return err
		}
		return tx.ShoppingListDelete(ctx, weekly.ID)
	})
	undone := f.undoWaiting(f.ana, r.ID, "the list delete")
	// The undo's wait: who blocks it, and on which table's row (a waiter
	// for a row holds that row's tuple lock while it waits).
	var blockers []int32
	var on string
	err := f.pool.QueryRow(context.Background(), `
		SELECT pg_blocking_pids(w.pid), coalesce((SELECT string_agg(DISTINCT t.relation::regclass::text, ',')
			FROM pg_locks t WHERE t.pid = w.pid AND t.locktype = 'tuple' AND t.granted), '')
		FROM pg_locks w JOIN pg_stat_activity a ON a.pid = w.pid AND a.datname = current_database()
		WHERE NOT w.granted LIMIT 1`).Scan(&blockers, &on)
	if err != nil {
		t.Fatal(err)
	}
	if len(blockers) != 1 || blockers[0] != deleter || on != "shopping_lists" {
		t.Fatalf("the undo waits for %v on a row of %q; want the delete (%d) on the list's row, before any item", blockers, on, deleter)
	}
	if err := release(); err != nil {
		t.Fatalf("the list delete: %v", err)
	}
	ans, err := undone()
	if familyhub.ErrorCode(err) != familyhub.ECONFLICT || !strings.Contains(err.Error(), "The list Weekly was deleted") {
		t.Fatalf("undo: %+v %v; want a conflict naming the list Weekly", ans, err)
	}
}

// TestUndoListGoneNamesList: the undo of an add to a list deleted since
// refuses, naming the list, not the first of its items (as it did: the
// items went with the list), both for a list the add wrote to and for one
// it made.
func TestUndoListGoneNamesList(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	add := f.do("add milk and eggs to the weekly list")
	made := f.do("add bread to a new list called Aldi")
	var aldi uuid.UUID
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		lists, err := tx.ShoppingListList(ctx)
		for _, l := range lists {
			if l.Name == "Aldi" {
				aldi = l.ID
			}
		}
		if err != nil {
			return err
		}
		if err := tx.ShoppingListDelete(ctx, weekly.ID); err != nil {
			return err
		}
		return tx.ShoppingListDelete(ctx, aldi)
	})
	for _, c := range []struct {
		id   uuid.UUID
		want string
	}{{add.ID, "The list Weekly was deleted since"}, {made.ID, "The list Aldi was deleted since"}} {
		ans, err := f.undo(f.ana, c.id)
		if familyhub.ErrorCode(err) != familyhub.ECONFLICT || !strings.Contains(err.Error(), c.want) {
			t.Errorf("undo: %+v %v; want a conflict: %s", ans, err, c.want)
		}
	}
}
