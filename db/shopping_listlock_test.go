package db_test

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestShoppingListDeleteMeetsMergingAdd: a list delete and a merging add
// to that list wait for each other, whichever came first, and neither
// fails with a deadlock (40P01). The delete locks the list and then its
// items; the add took the list's lock only when it inserted a line (its
// foreign key), after keeping "salt" (share-locked): a delete arriving
// then held the list and waited for salt, the add waited for the list,
// and PostgreSQL failed one of them, maybe the delete (a REST request
// nobody retries: a 500). The add now key-share-locks the list first.
func TestShoppingListDeleteMeetsMergingAdd(t *testing.T) {
	t.Parallel()
	salt := func(t *testing.T, f *shoppingFixture) {
		f.tx(t, func(tx *db.Tx) error {
			_, _, err := tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "salt"})
			return err
		})
	}
	// add puts "salt" (kept as it is) and "2 eggs" (a new line) on the
	// list, calling between before the eggs.
	add := func(f *shoppingFixture, tx *db.Tx, between func()) error {
		onList, err := tx.ShoppingItemsForPut(f.ctx, f.list)
		if err != nil {
			return err
		}
		put, err := tx.ShoppingItemPut(f.ctx, f.list, onList, db.ShoppingItemNew{Name: "salt"}, false)
		if err != nil {
			return err
		}
		between()
		_, err = tx.ShoppingItemPut(f.ctx, f.list, put.OnList, db.ShoppingItemNew{Name: "eggs", Quantity: ptr("2")}, false)
		return err
	}
	listGone := func(t *testing.T, f *shoppingFixture) {
		t.Helper()
		var n int
		if err := f.pool.QueryRow(f.ctx, "SELECT count(*) FROM shopping_items WHERE list_id = $1", f.list).Scan(&n); err != nil {
			t.Fatal(err)
		}
		err := f.store.Tx(f.ctx, func(tx *db.Tx) error { _, err := tx.ShoppingListGet(f.ctx, f.list); return err })
		if familyhub.ErrorCode(err) != familyhub.ENOTFOUND || n != 0 {
			t.Fatalf("after the delete: list %v, %d items; want not found, none", err, n)
		}
	}

	t.Run("delete first", func(t *testing.T) {
		t.Parallel()
		f := newShoppingFixture(t)
		salt(t, f)
		commit := held(t, f.store, f.ctx, func(tx *db.Tx) error { return tx.ShoppingListDelete(f.ctx, f.list) })
		added := make(chan error, 1)
		go func() { added <- f.store.Tx(f.ctx, func(tx *db.Tx) error { return add(f, tx, func() {}) }) }()
		waitLockWait(t, f.pool) // the add waits for the delete
		if err := commit(); err != nil {
			t.Fatalf("delete: %v", err)
		}
		select {
		case err := <-added:
			if familyhub.ErrorCode(err) != familyhub.ENOTFOUND || db.Retryable(err) {
				t.Fatalf("add after the delete: %v (retryable: %v); want the list not found", err, db.Retryable(err))
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the add never ended")
		}
		listGone(t, f)
	})

	t.Run("add first", func(t *testing.T) {
		t.Parallel()
		f := newShoppingFixture(t)
		salt(t, f)
		deletedCh := make(chan error, 1)
		addErr := f.store.Tx(f.ctx, func(tx *db.Tx) error {
			return add(f, tx, func() {
				go func() {
					deletedCh <- f.store.Tx(f.ctx, func(tx *db.Tx) error { return tx.ShoppingListDelete(f.ctx, f.list) })
				}()
				waitLockWait(t, f.pool) // the delete waits for the add
			})
		})
		var delErr error
		select {
		case delErr = <-deletedCh:
		case <-time.After(30 * time.Second):
			t.Fatal("the delete never ended")
		}
		if addErr != nil || delErr != nil {
			t.Fatalf("add: %v (retryable: %v); delete: %v (retryable: %v); want both done",
				addErr, db.Retryable(addErr), delErr, db.Retryable(delErr))
		}
		listGone(t, f)
	})
}
