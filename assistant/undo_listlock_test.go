package assistant

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestUndoNewListWaitsForMergingAdd: the undo of "add milk to a new list
// called Aldi" meets Ben's merging add of "2 eggs" to Aldi, which holds
// the list (its put lock) uncommitted. The undo holds the list before it
// deletes milk and looks for items put on it since: it waits for Ben's
// add, sees his eggs and undoes nothing (changed). Before, it deleted
// milk, found no items (Ben's not committed yet), then waited to delete
// the list and, once Ben committed, deleted his eggs with it; and the
// order items-then-list met a merging add that waited for milk (40P01).
func TestUndoNewListWaitsForMergingAdd(t *testing.T) {
	f := newTestFamily(t)
	r := f.do("add milk to a new list called Aldi")
	var aldi uuid.UUID
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		lists, err := tx.ShoppingListList(ctx)
		for _, l := range lists {
			if l.Name == "Aldi" {
				aldi = l.ID
			}
		}
		return err
	})

	release := f.holdTx(f.ben, func(ctx context.Context, tx *db.Tx) error {
		onList, err := tx.ShoppingItemsForPut(ctx, aldi)
		if err != nil {
			return err
		}
		two := "2"
		_, err = tx.ShoppingItemPut(ctx, aldi, onList, db.ShoppingItemNew{Name: "eggs", Quantity: &two}, false)
		return err
	})
	type undone struct {
		ans UndoAnswer
		err error
	}
	ch := make(chan undone, 1)
	go func() {
		ans, err := f.undo(f.ana, r.ID)
		ch <- undone{ans, err}
	}()
	if !f.waitLocks(1) {
		t.Fatal("the undo did not wait for Ben's add")
	}
	if err := release(); err != nil {
		t.Fatalf("Ben's add: %v", err)
	}
	var u undone
	select {
	case u = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("the undo never ended")
	}
	if familyhub.ErrorCode(u.err) != familyhub.ECONFLICT || db.Retryable(u.err) {
		t.Fatalf("undo: %+v %v; want a conflict (Aldi changed since)", u.ans, u.err)
	}
	if got := itemNamesOf(f.items(aldi)); got != "milk, 2 eggs" {
		t.Fatalf("after the undo: %q, want Aldi kept with milk and Ben's 2 eggs", got)
	}
}
