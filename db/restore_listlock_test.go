package db_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestShoppingItemsRestoreListDeleted: the undo of a move (salt moved
// from Weekly to Aldi) while Weekly's delete is under way waits for the
// delete and answers that the list is not found. The put-back read
// Weekly without a lock (still there, the delete not committed) and then
// its write's foreign key waited for the delete and failed: an invalid
// input error (a foreign key violation) instead of not found. It now
// key-share-locks each list first, in the order of their ids.
func TestShoppingItemsRestoreListDeleted(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	var before dbsqlc.ShoppingItemsView
	var version int64
	f.tx(t, func(tx *db.Tx) error {
		aldi, _, err := tx.ShoppingListCreate(f.ctx, db.ShoppingListNew{Name: "Aldi"})
		if err != nil {
			return err
		}
		if before, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "salt"}); err != nil {
			return err
		}
		moved, err := tx.ShoppingItemsMove(f.ctx, []uuid.UUID{before.ID}, aldi.ID)
		if err == nil {
			version = moved[0].Version
		}
		return err
	})
	commit := held(t, f.store, f.ctx, func(tx *db.Tx) error { return tx.ShoppingListDelete(f.ctx, f.list) })
	restored := make(chan error, 1)
	go func() {
		restored <- f.store.Tx(f.ctx, func(tx *db.Tx) error {
			_, err := tx.ShoppingItemsRestore(f.ctx, []dbsqlc.ShoppingItemsView{before}, []int64{version})
			return err
		})
	}()
	waitLockWait(t, f.pool) // the put-back waits for the delete
	if err := commit(); err != nil {
		t.Fatalf("delete: %v", err)
	}
	select {
	case err := <-restored:
		if familyhub.ErrorCode(err) != familyhub.ENOTFOUND {
			t.Fatalf("put-back onto the deleted list: %v; want the list not found", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the put-back never ended")
	}
}
