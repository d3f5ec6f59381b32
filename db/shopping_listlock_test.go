package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
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

// TestShoppingListDeleteLocksItemsPutMeanwhile: a list delete that waited
// for the list's row locks the items put onto the list meanwhile in the
// order of their ids too. One statement locked the list and then the
// items of its snapshot, older than the wait: the item added meanwhile
// (lo, the lower id) was left to the cascade, which took it after hi. A
// member ticking lo and then hi (in id order) held lo and waited for hi:
// 40P01, failed on the delete's side (the ticks run on a connection that
// checks for deadlocks only after a minute).
func TestShoppingListDeleteLocksItemsPutMeanwhile(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hi, lo := hiItem, loItem
	add := func(id uuid.UUID, name string) {
		t.Helper()
		f.tx(t, func(tx *db.Tx) error {
			_, _, err := tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{ID: &id, Name: name})
			return err
		})
	}
	add(hi, "eggs")
	// holder holds the list's row (as a merging add does) until the
	// delete waits for it and lo is on the list.
	holder, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(context.Background())
	if _, err := holder.Exec(ctx, "SELECT FROM shopping_lists WHERE id = $1 FOR KEY SHARE", f.list); err != nil {
		t.Fatal(err)
	}
	deletedCh := make(chan error, 1)
	go func() {
		deletedCh <- f.store.Tx(f.ctx, func(tx *db.Tx) error { return tx.ShoppingListDelete(f.ctx, f.list) })
	}()
	waitLockWait(t, f.pool) // the delete waits for the list
	add(lo, "salt")
	ticks := dbtest.BeginLateDeadlock(t, ctx, f.pool.Config().ConnString())
	if err := ticks.Tick(ctx, lo); err != nil {
		t.Fatal(err)
	}
	var ticker int32
	if err := ticks.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&ticker); err != nil {
		t.Fatal(err)
	}
	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	waitBlockedBy(t, f, ticker) // the delete holds the list and waits for lo
	if err := ticks.Tick(ctx, hi); err != nil {
		t.Fatal(err)
	}
	if err := ticks.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-deletedCh:
		if err != nil {
			t.Fatalf("delete: %v (retryable: %v)", err, db.Retryable(err))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the delete never ended")
	}
}

// waitBlockedBy waits until a backend of the fixture's database waits
// for a lock the backend pid holds (pg_blocking_pids). Comparing
// pg_current_xact_id's text with pg_locks.transactionid (an xid, without
// the epoch) held only while the epoch was 0.
func waitBlockedBy(t *testing.T, f *shoppingFixture, pid int32) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		if err := f.pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND $1::int = ANY (pg_blocking_pids(pid)))`, pid).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for a wait on backend %d", pid)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestShoppingListDeleteMeetsMove: a move of items onto a list, one of
// them on it already, and a delete of that list wait for each other
// instead of deadlocking. The move locked the items (lo, on the list, and
// hi, held meanwhile by a third transaction) and then, by the foreign key,
// the list; a delete in between held the list and waited for lo: 40P01,
// maybe on the delete's side (a REST request nobody retries). The move
// now key-share-locks the list first.
func TestShoppingListDeleteMeetsMove(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hi, lo := hiItem, loItem
	f.tx(t, func(tx *db.Tx) error {
		aldi, _, err := tx.ShoppingListCreate(f.ctx, db.ShoppingListNew{Name: "Aldi"})
		if err != nil {
			return err
		}
		if _, _, err := tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{ID: &lo, Name: "salt"}); err != nil {
			return err
		}
		_, _, err = tx.ShoppingItemAdd(f.ctx, aldi.ID, db.ShoppingItemNew{ID: &hi, Name: "eggs"})
		return err
	})
	other, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(context.Background())
	if _, err := other.Exec(ctx, "UPDATE shopping_items SET note = 'other' WHERE id = $1", hi); err != nil {
		t.Fatal(err)
	}
	moved, deletedCh := make(chan error, 1), make(chan error, 1)
	go func() {
		moved <- f.store.Tx(f.ctx, func(tx *db.Tx) error {
			_, err := tx.ShoppingItemsMove(f.ctx, []uuid.UUID{hi, lo}, f.list)
			return err
		})
	}()
	// ended: the move or the delete ended while it was to wait.
	ended := func() (string, bool) {
		select {
		case err := <-moved:
			return fmt.Sprintf("move: %v", err), true
		case err := <-deletedCh:
			return fmt.Sprintf("delete: %v", err), true
		default:
			return "", false
		}
	}
	dbtest.AwaitLockWaits(t, ctx, f.pool, 1, "the move waited for hi", ended)
	go func() {
		deletedCh <- f.store.Tx(f.ctx, func(tx *db.Tx) error { return tx.ShoppingListDelete(f.ctx, f.list) })
	}()
	dbtest.AwaitLockWaits(t, ctx, f.pool, 2, "the delete waited for the move", ended)
	if err := other.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var errs [2]error
	for i, ch := range []chan error{moved, deletedCh} {
		select {
		case errs[i] = <-ch:
		case <-time.After(30 * time.Second):
			t.Fatal("the move or the delete never ended")
		}
	}
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("move: %v (retryable: %v); delete: %v (retryable: %v); want both done",
			errs[0], db.Retryable(errs[0]), errs[1], db.Retryable(errs[1]))
	}
}
