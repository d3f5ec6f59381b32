package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

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
