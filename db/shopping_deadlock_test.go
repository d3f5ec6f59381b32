package db_test

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestShoppingItemPutDeadlock documents the lock cycle a merging add can
// meet (and why its callers run it with Store.TxRetry): the add keeps the
// open "salt" (share-locked to the end of its transaction), then writes
// "eggs"; a member ticking "eggs" and then "salt" meanwhile takes the
// rows the other way round. PostgreSQL fails one of the two with 40P01
// (db.Retryable) after deadlock_timeout (1 s; only a superuser may lower
// it, and the tests' role is none); the other commits.
func TestShoppingItemPutDeadlock(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	var salt, eggs dbsqlc.ShoppingItemsView
	f.tx(t, func(tx *db.Tx) (err error) {
		if salt, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "salt"}); err != nil {
			return err
		}
		eggs, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "eggs", Quantity: ptr("6")})
		return err
	})
	addErr, tickErr := deadlockAddTick(t, f, salt, eggs)
	if db.Retryable(addErr) == db.Retryable(tickErr) {
		t.Fatalf("add: %v; ticks: %v; want exactly one failed with a deadlock", addErr, tickErr)
	}
	for _, err := range []error{addErr, tickErr} {
		if err != nil && !db.Retryable(err) {
			t.Fatalf("not a deadlock: %v", err)
		}
	}
}

// deadlockAddTick runs a merging
// add of "salt" (kept), and, while its transaction is open, the ticks of
// eggs then salt in a transaction of their own, waiting for salt; then the
// add of "2 eggs". It answers each transaction's error.
func deadlockAddTick(t *testing.T, f *shoppingFixture, salt, eggs dbsqlc.ShoppingItemsView) (addErr, tickErr error) {
	t.Helper()
	ticked, ticks := make(chan struct{}), make(chan error, 1)
	addErr = f.store.Tx(f.ctx, func(tx *db.Tx) error {
		onList, err := tx.ShoppingItemsForPut(f.ctx, f.list)
		if err != nil {
			return err
		}
		if _, err := tx.ShoppingItemPut(f.ctx, f.list, onList, db.ShoppingItemNew{Name: "salt"}, false); err != nil {
			return err
		}
		go func() {
			ticks <- f.store.Tx(f.ctx, func(tx *db.Tx) error {
				if _, err := tx.ShoppingItemUpdate(f.ctx, eggs.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
					return err
				}
				close(ticked)
				_, err := tx.ShoppingItemUpdate(f.ctx, salt.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
				return err
			})
		}()
		select {
		case <-ticked:
		case err := <-ticks:
			t.Fatalf("the ticks ended before ticking eggs: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("the ticks never ticked eggs")
		}
		waitLockWait(t, f.pool)
		_, err = tx.ShoppingItemPut(f.ctx, f.list, onList, db.ShoppingItemNew{Name: "eggs", Quantity: ptr("2")}, false)
		return err
	})
	select {
	case tickErr = <-ticks:
	case <-time.After(10 * time.Second):
		t.Fatal("the ticks never ended")
	}
	return addErr, tickErr
}
