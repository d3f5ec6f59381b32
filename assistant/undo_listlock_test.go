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
	undone := f.undoWaiting(f.ana, r.ID, "Ben's add")
	if err := release(); err != nil {
		t.Fatalf("Ben's add: %v", err)
	}
	ans, err := undone()
	if familyhub.ErrorCode(err) != familyhub.ECONFLICT || db.Retryable(err) {
		t.Fatalf("undo: %+v %v; want a conflict (Aldi changed since)", ans, err)
	}
	if got := itemNamesOf(f.items(aldi)); got != "milk, 2 eggs" {
		t.Fatalf("after the undo: %q, want Aldi kept with milk and Ben's 2 eggs", got)
	}
}

// undoWaiting starts the undo of command id for a, which must wait for a
// lock that what holds: it fails the test unless the undo waits, and
// returns undone, which waits for the undo's end (10 s at most) and
// returns its answer.
func (f *testFamily) undoWaiting(a *familyhub.Auth, id uuid.UUID, what string) (undone func() (UndoAnswer, error)) {
	f.t.Helper()
	type result struct {
		ans UndoAnswer
		err error
	}
	ch := make(chan result, 1)
	go func() {
		ans, err := f.undo(a, id)
		ch <- result{ans, err}
	}()
	if !f.waitLocks(1) {
		f.t.Fatalf("the undo did not wait for %s", what)
	}
	return func() (UndoAnswer, error) {
		f.t.Helper()
		select {
		case r := <-ch:
			return r.ans, r.err
		case <-time.After(10 * time.Second):
			f.t.Fatal("the undo never ended")
			return UndoAnswer{}, nil
		}
	}
}
