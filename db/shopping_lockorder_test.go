package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestShoppingWritersLockInIDOrder: every writer of several shopping
// items locks them in the order of their ids, so two of them wait for
// each other and both succeed, however the items were named or listed.
// Each case's writer meets another writer that holds the lower item (lo)
// and then writes the higher (hi); the writer under test was given hi
// first (named first, or first on the list). Locking in its own order it
// took hi and waited for lo: a lock cycle, and PostgreSQL failed it with
// 40P01 (an internal error for the family member). The other writer runs
// on a superuser's connection that checks for deadlocks only after a
// minute, so the check is the writer's (deadlock_timeout, 1 s).
func TestShoppingWritersLockInIDOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		checked bool // both items ticked before
		write   func(f *shoppingFixture, tx *db.Tx, hi, lo uuid.UUID) error
	}{
		{"move", false, func(f *shoppingFixture, tx *db.Tx, hi, lo uuid.UUID) error {
			l, _, err := tx.ShoppingListCreate(f.ctx, db.ShoppingListNew{Name: "Aldi"})
			if err != nil {
				return err
			}
			_, err = tx.ShoppingItemsMove(f.ctx, []uuid.UUID{hi, lo}, l.ID)
			return err
		}},
		{"list delete", false, func(f *shoppingFixture, tx *db.Tx, _, _ uuid.UUID) error {
			return tx.ShoppingListDelete(f.ctx, f.list)
		}},
		{"clear ticked", true, func(f *shoppingFixture, tx *db.Tx, _, _ uuid.UUID) error {
			ids, err := tx.ShoppingListClearChecked(f.ctx, f.list)
			if err == nil && len(ids) != 2 {
				t.Errorf("clear ticked deleted %d items, want 2", len(ids))
			}
			return err
		}},
		{"ticks after ShoppingItemsLock", false, func(f *shoppingFixture, tx *db.Tx, hi, lo uuid.UUID) error {
			if err := tx.ShoppingItemsLock(f.ctx, []uuid.UUID{hi, lo}); err != nil {
				return err
			}
			for _, id := range []uuid.UUID{hi, lo} {
				if _, err := tx.ShoppingItemUpdate(f.ctx, id, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newShoppingFixture(t)
			hi, lo := twoItems(t, f, c.checked)
			err := againstOrderedWriter(t, f, hi, lo, func(tx *db.Tx) error { return c.write(f, tx, hi, lo) })
			if err != nil {
				t.Fatalf("%s of the items, named high id first: %v (retryable: %v)", c.name, err, db.Retryable(err))
			}
		})
	}
}

// TestFileCategorisedLocksInIDOrder: the categoriser files a list's items
// in the order of their ids, not of the list (FileCategorised), so it
// waits for another writer of two of them instead of deadlocking with it
// (the River job would run again, but the reshuffle failed meanwhile).
func TestFileCategorisedLocksInIDOrder(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	hi, lo := twoItems(t, f, false)
	var cats []dbsqlc.ShoppingCategory
	f.tx(t, func(tx *db.Tx) (err error) {
		cats, err = tx.ShoppingCategoryList(f.ctx)
		return err
	})
	if len(cats) < 2 {
		t.Fatalf("%d categories, want 2 at least", len(cats))
	}
	var family uuid.UUID
	if err := f.pool.QueryRow(f.ctx, "SELECT family_id FROM shopping_lists WHERE id = $1", f.list).Scan(&family); err != nil {
		t.Fatal(err)
	}
	filed := 0
	err := againstOrderedWriter(t, f, hi, lo, func(*db.Tx) error {
		var err error
		filed, err = f.store.FileCategorised(f.ctx, family, f.list, []uuid.UUID{hi, lo}, func(it dbsqlc.ShoppingItemsToCategoriseRow) uuid.UUID {
			if it.CategoryID != nil && *it.CategoryID == cats[0].ID {
				return cats[1].ID
			}
			return cats[0].ID
		})
		return err
	})
	if err != nil || filed != 2 {
		t.Fatalf("filed %d, %v (retryable: %v); want 2 filed", filed, err, db.Retryable(err))
	}
}

// hiItem and loItem are item ids at the top and the bottom of the ids
// order, for the lock order's tests.
var (
	hiItem = uuid.MustParse("ffffffff-ffff-4fff-bfff-ffffffffffff")
	loItem = uuid.MustParse("00000000-0000-4000-8000-000000000001")
)

// twoItems adds hi (an id above lo's) and then lo to the fixture's list,
// so hi is first on it, ticked when checked.
func twoItems(t *testing.T, f *shoppingFixture, checked bool) (hi, lo uuid.UUID) {
	t.Helper()
	hi, lo = hiItem, loItem
	f.tx(t, func(tx *db.Tx) error {
		for _, it := range []struct {
			id   uuid.UUID
			name string
		}{{hi, "eggs"}, {lo, "salt"}} {
			if _, _, err := tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{ID: &it.id, Name: it.name}); err != nil {
				return err
			}
			if checked {
				if _, err := tx.ShoppingItemUpdate(f.ctx, it.id, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return hi, lo
}

// againstOrderedWriter runs write (given a Store.Tx; one that runs its own
// transaction ignores it) while another transaction, which writes lo and
// then hi (in id order), holds lo: write starts once lo is held, hi is
// written once write waits for the other, and the other then commits. It
// answers write's error.
func againstOrderedWriter(t *testing.T, f *shoppingFixture, hi, lo uuid.UUID, write func(tx *db.Tx) error) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := dbtest.SuperuserConn(t, f.pool.Config().ConnString())
	if _, err := conn.Exec(ctx, "SET deadlock_timeout = '1min'"); err != nil {
		t.Fatal(err)
	}
	other, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(context.Background())
	touch := func(id uuid.UUID) {
		t.Helper()
		if _, err := other.Exec(ctx, "UPDATE shopping_items SET note = 'other' WHERE id = $1", id); err != nil {
			t.Fatal(err)
		}
	}
	touch(lo)
	done := make(chan error, 1)
	go func() { done <- f.store.Tx(f.ctx, write) }()
	waitLockWait(t, f.pool) // the test's own database: only write waits
	touch(hi)
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the writer never ended")
		return nil
	}
}
