package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestShoppingItemPutConcurrent: two merging adds of a name to one list at
// once (two phones saying "2 eggs" to the assistant, or a recipe's
// add-to-list beside it) count both: the second waits for the first and
// merges into its line. Without the list's put lock the second read the
// list before the first committed: "eggs 6" became "eggs 8" (one amount
// lost, the second UPDATE wrote its own sum over the first's), and a new
// "bread" became two lines.
func TestShoppingItemPutConcurrent(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	six := "6"
	f.tx(t, func(tx *db.Tx) error {
		_, _, err := tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "eggs", Quantity: &six})
		return err
	})
	put := func(tx *db.Tx, name, qty string) error {
		onList, err := tx.ShoppingItemsForPut(f.ctx, f.list)
		if err != nil {
			return err
		}
		_, _, err = tx.ShoppingItemPut(f.ctx, f.list, onList, db.ShoppingItemNew{Name: name, Quantity: &qty}, false)
		return err
	}
	waiting := func() bool {
		var w bool
		if err := f.pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	race := func(name, qty string) {
		t.Helper()
		first, release, second := make(chan error, 1), make(chan struct{}), make(chan error, 1)
		go func() {
			first <- f.store.Tx(f.ctx, func(tx *db.Tx) error {
				if err := put(tx, name, qty); err != nil {
					return err
				}
				first <- nil
				<-release // held open: the second add runs meanwhile
				return nil
			})
		}()
		if err := <-first; err != nil {
			close(release)
			t.Fatal(err)
		}
		go func() {
			second <- f.store.Tx(f.ctx, func(tx *db.Tx) error { return put(tx, name, qty) })
		}()
		for deadline := time.Now().Add(20 * time.Second); !waiting(); {
			select {
			case err := <-second:
				close(release)
				<-first
				t.Fatalf("%s: the second add (%v) did not wait for the first", name, err)
			default:
			}
			if time.Now().After(deadline) {
				close(release)
				t.Fatalf("%s: the second add never waited", name)
			}
			time.Sleep(5 * time.Millisecond) // polling a condition with a deadline
		}
		close(release)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if err := <-second; err != nil {
			t.Fatal(err)
		}
	}
	race("eggs", "2")
	race("bread", "1")

	var items []dbsqlc.ShoppingItemsView
	f.tx(t, func(tx *db.Tx) (err error) {
		items, err = tx.ShoppingItemList(f.ctx, f.list)
		return err
	})
	var lines []string
	for _, it := range items {
		lines = append(lines, it.Name+" "+*it.Quantity)
	}
	if got := strings.Join(lines, ", "); got != "eggs 10, bread 2" {
		t.Errorf("list %q, want both adds counted: eggs 10, bread 2", got)
	}
}

// TestShoppingListLastActive: the list a command naming no list falls back
// to (assistant executor.lists) is the one with the newest activity: made
// or renamed, an item on it added, changed or ticked; of lists equally
// recent, the first made (as the loop over every list's items it replaces
// chose); and only the family's own.
func TestShoppingListLastActive(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	var lists map[string]dbsqlc.ShoppingList
	var item dbsqlc.ShoppingItemsView
	want := func(step, name string) {
		t.Helper()
		f.tx(t, func(tx *db.Tx) error {
			id, err := tx.ShoppingListLastActive(f.ctx)
			if err == nil && id != lists[name].ID {
				t.Errorf("%s: the last active list is %s, want %s", step, id, name)
			}
			return err
		})
	}
	f.tx(t, func(tx *db.Tx) error {
		weekly, err := tx.ShoppingListGet(f.ctx, f.list)
		lists = map[string]dbsqlc.ShoppingList{"Weekly": weekly}
		return err
	})
	for _, name := range []string{"Aldi", "Hardware"} {
		f.tx(t, func(tx *db.Tx) error {
			l, _, err := tx.ShoppingListCreate(f.ctx, db.ShoppingListNew{Name: name})
			lists[name] = l
			return err
		})
	}
	want("made last", "Hardware")
	f.tx(t, func(tx *db.Tx) (err error) {
		item, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "milk"})
		return err
	})
	want("an item added", "Weekly")
	f.tx(t, func(tx *db.Tx) error {
		_, err := tx.ShoppingListUpdate(f.ctx, lists["Aldi"].ID, db.ShoppingListPatch{Name: familyhub.Some("Aldi Süd")})
		return err
	})
	want("renamed", "Aldi")
	f.tx(t, func(tx *db.Tx) error {
		_, err := tx.ShoppingItemUpdate(f.ctx, item.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
		return err
	})
	want("an item ticked", "Weekly")
	// Two lists made in one transaction are equally recent: the first in
	// ShoppingListList's order (made first, then id) wins.
	f.tx(t, func(tx *db.Tx) error {
		for _, name := range []string{"C", "D"} {
			l, _, err := tx.ShoppingListCreate(f.ctx, db.ShoppingListNew{Name: name})
			if err != nil {
				return err
			}
			lists[name] = l
		}
		all, err := tx.ShoppingListList(f.ctx)
		for _, l := range all {
			if l.Name == "C" || l.Name == "D" {
				lists["first"] = l
				break
			}
		}
		return err
	})
	want("a tie", "first")
	// A family without lists (its own, not the lists above): not found.
	other := familyhub.NewContextWithAuth(context.Background(), familyhub.SystemAuth(uuid.New()))
	if err := f.store.Tx(other, func(tx *db.Tx) error {
		_, err := tx.ShoppingListLastActive(other)
		if familyhub.ErrorCode(err) != familyhub.ENOTFOUND {
			t.Errorf("a family without lists: %v, want not found", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
