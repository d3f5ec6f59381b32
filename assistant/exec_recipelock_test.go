package assistant

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestRecipeUndoKeepsConcurrentMerge: a merging add (Ben's "100 g flour",
// "3 eggs") committed while the assistant's "add the pancake recipe" waits
// for the list's put lock stays when the recipe's add is undone: the
// command's undo snapshot is read under that lock. Read before it, the
// snapshot lacked Ben's adds: the undo put flour back to "100 g" (Ben's
// 100 g lost) and deleted Ben's new "eggs" line.
func TestRecipeUndoKeepsConcurrentMerge(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	hundred := "100 g"
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		if _, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "flour", Quantity: &hundred}); err != nil {
			return err
		}
		flour, g, two := 200.0, "g", 2.0
		_, _, err := tx.RecipeCreate(ctx, db.RecipeNew{Title: "Pancakes", Servings: 2, Ingredients: []db.Ingredient{
			{Name: "flour", Quantity: &flour, Unit: &g}, {Name: "eggs", Quantity: &two}}})
		return err
	})

	// Ben's merging add holds the list's put lock, its lines written,
	// until release.
	release := f.holdTx(f.ben, func(ctx context.Context, tx *db.Tx) error {
		onList, err := tx.ShoppingItemsForPut(ctx, weekly.ID)
		if err != nil {
			return err
		}
		three := "3"
		for _, p := range []db.ShoppingItemNew{{Name: "flour", Quantity: &hundred}, {Name: "eggs", Quantity: &three}} {
			put, err := tx.ShoppingItemPut(ctx, weekly.ID, onList, p, false)
			if err != nil {
				return err
			}
			onList = put.OnList
		}
		return nil
	})
	r := f.sayWaiting(f.ana, Request{Text: "add the pancake recipe to the weekly list", Lang: "en"}, release)
	if got := itemNamesOf(f.items(weekly.ID)); got != "400 g flour, 5 eggs" {
		t.Fatalf("after both adds: %q, want 400 g flour, 5 eggs", got)
	}
	if _, err := f.undo(f.ana, r.ans.ID); err != nil {
		t.Fatalf("undo the recipe: %v", err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "200 g flour, 3 eggs" {
		t.Fatalf("after the recipe's undo: %q, want Ben's adds kept: 200 g flour, 3 eggs", got)
	}
}

// TestAddKeepsConcurrentTick: Ben ticks "100 g flour" (a tick takes no put
// lock) while Ana's merging add (the pancake recipe's "200 g flour", or
// "add 200 g flour") has read the list and waits to write the line. The
// add decides again on the ticked line: it unticks it as "200 g flour"
// (Ben's 100 g are bought), and the undo ticks it again as "100 g". Before,
// the add wrote over the tick unchecked: "300 g flour✓" (the 200 g never
// shopped), and the undo put back the open "100 g flour" it had read,
// unticking Ben's tick.
func TestAddKeepsConcurrentTick(t *testing.T) {
	for _, say := range []string{"add the pancake recipe to the weekly list", "add 200 g flour to the weekly list"} {
		t.Run(say, func(t *testing.T) {
			f := newTestFamily(t)
			weekly := f.list("Weekly")
			hundred := "100 g"
			var flour dbsqlc.ShoppingItemsView
			f.tx(f.ana, func(ctx context.Context, tx *db.Tx) (err error) {
				if flour, _, err = tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "flour", Quantity: &hundred}); err != nil {
					return err
				}
				grams, g := 200.0, "g"
				_, _, err = tx.RecipeCreate(ctx, db.RecipeNew{Title: "Pancakes", Servings: 2, Ingredients: []db.Ingredient{
					{Name: "flour", Quantity: &grams, Unit: &g}}})
				return err
			})

			// Ben's tick, written and held open until release.
			release := f.holdTx(f.ben, func(ctx context.Context, tx *db.Tx) error {
				_, err := tx.ShoppingItemUpdate(ctx, flour.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
				return err
			})
			rr := f.sayWaiting(f.ana, Request{Text: say, Lang: "en"}, release) // the add's write waits for Ben's line
			if got := itemNamesOf(f.items(weekly.ID)); got != "200 g flour" {
				t.Fatalf("after the add: %q, want the ticked line unticked for the new need: 200 g flour", got)
			}
			if _, err := f.undo(f.ana, rr.ans.ID); err != nil {
				t.Fatalf("undo the add: %v", err)
			}
			if got := itemNamesOf(f.items(weekly.ID)); got != "100 g flour✓" {
				t.Fatalf("after the undo: %q, want Ben's tick kept: 100 g flour✓", got)
			}
		})
	}
}

// TestRecipeKeepsConcurrentTickOfKeptLine: Ben ticks "salt" and "100 g
// flour" while the pancake recipe (salt without quantity, 200 g flour) is
// added. Salt, an add without quantity onto an open line, is kept as it
// is only when it still is: the add waits for Ben's tick and decides
// again, unticking both lines for the new need, and the undo ticks both
// again. Before, the kept salt was taken unchecked from the add's read:
// it stayed ticked (the recipe's salt never shopped) and the undo put
// back the open salt the add had read, unticking Ben's tick.
func TestRecipeKeepsConcurrentTickOfKeptLine(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	hundred := "100 g"
	var salt, flour dbsqlc.ShoppingItemsView
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) (err error) {
		if salt, _, err = tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "salt"}); err != nil {
			return err
		}
		if flour, _, err = tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "flour", Quantity: &hundred}); err != nil {
			return err
		}
		grams, g := 200.0, "g"
		_, _, err = tx.RecipeCreate(ctx, db.RecipeNew{Title: "Pancakes", Servings: 2, Ingredients: []db.Ingredient{
			{Name: "salt"}, {Name: "flour", Quantity: &grams, Unit: &g}}})
		return err
	})

	// Ben's ticks, written and held open until release.
	release := f.holdTx(f.ben, func(ctx context.Context, tx *db.Tx) error {
		for _, it := range []dbsqlc.ShoppingItemsView{salt, flour} {
			if _, err := tx.ShoppingItemUpdate(ctx, it.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
				return err
			}
		}
		return nil
	})
	rr := f.sayWaiting(f.ana, Request{Text: "add the pancake recipe to the weekly list", Lang: "en"}, release) // the add waits for Ben's lines
	if got := itemNamesOf(f.items(weekly.ID)); got != "salt, 200 g flour" {
		t.Fatalf("after the add: %q, want both ticked lines unticked for the new need: salt, 200 g flour", got)
	}
	if _, err := f.undo(f.ana, rr.ans.ID); err != nil {
		t.Fatalf("undo the add: %v", err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "salt✓, 100 g flour✓" {
		t.Fatalf("after the undo: %q, want Ben's ticks kept: salt✓, 100 g flour✓", got)
	}
}

// TestRecipeUndoLeavesKeptLine: the pancake recipe (salt without
// quantity, 200 g flour) onto a list with an open "salt" keeps salt as it
// is and adds flour. Ben then ticks salt; the recipe's undo removes the
// flour and leaves Ben's tick. Before, the kept salt was journalled as
// changed by the add, and the undo refused (undo.changed) for Ben's tick
// of a line the add never wrote.
func TestRecipeUndoLeavesKeptLine(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	var salt dbsqlc.ShoppingItemsView
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) (err error) {
		if salt, _, err = tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "salt"}); err != nil {
			return err
		}
		grams, g := 200.0, "g"
		_, _, err = tx.RecipeCreate(ctx, db.RecipeNew{Title: "Pancakes", Servings: 2, Ingredients: []db.Ingredient{
			{Name: "salt"}, {Name: "flour", Quantity: &grams, Unit: &g}}})
		return err
	})
	r := f.answer(f.sayAsync(f.ana, Request{Text: "add the pancake recipe to the weekly list", Lang: "en"}))
	if r.err != nil || r.ans.Outcome != OutcomeExecuted {
		t.Fatalf("the add: %+v %v", r.ans, r.err)
	}
	f.tx(f.ben, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.ShoppingItemUpdate(ctx, salt.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
		return err
	})
	if _, err := f.undo(f.ana, r.ans.ID); err != nil {
		t.Fatalf("undo the add: %v", err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "salt✓" {
		t.Fatalf("after the undo: %q, want the flour gone and Ben's tick kept: salt✓", got)
	}
}

// holdTx runs fn for a in a transaction held open after it until release
// (or the test's end), which commits it and returns its error. fn failing
// fails the test.
func (f *testFamily) holdTx(a *familyhub.Auth, fn func(ctx context.Context, tx *db.Tx) error) (release func() error) {
	f.t.Helper()
	held, proceed, done := make(chan struct{}, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		ctx := f.ctx(a)
		done <- f.store.Tx(ctx, func(tx *db.Tx) error {
			if err := fn(ctx, tx); err != nil {
				return err
			}
			held <- struct{}{}
			<-proceed
			return nil
		})
	}()
	var once sync.Once
	var err error
	release = func() error {
		once.Do(func() {
			close(proceed)
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = errors.New("the held transaction did not end within 10 s of its release")
			}
		})
		return err
	}
	f.t.Cleanup(func() { _ = release() })
	select {
	case <-held:
	case err := <-done:
		done <- err // for release
		f.t.Fatalf("the held transaction: %v", err)
	case <-time.After(10 * time.Second):
		f.t.Fatal("the held transaction did not get to hold within 10 s")
	}
	return release
}

// sayWaiting says req for a while a transaction held by holdTx is open,
// waits until the command waits for a lock, releases the held transaction
// and returns the command's answer, failing the test unless the command
// waited and then ran.
func (f *testFamily) sayWaiting(a *familyhub.Auth, req Request, release func() error) said {
	f.t.Helper()
	ch := f.sayAsync(a, req)
	r := f.waitDoneOrLocks(ch, 1)
	if err := release(); err != nil {
		f.t.Fatalf("the held transaction: %v", err)
	}
	if r != nil {
		f.t.Fatalf("%q did not wait for the held transaction: %+v %v", req.Text, r.ans, r.err)
	}
	rr := f.answer(ch)
	if rr.err != nil || rr.ans.Outcome != OutcomeExecuted {
		f.t.Fatalf("%q: %+v %v", req.Text, rr.ans, rr.err)
	}
	return rr
}

// answer is ch's answer, waited for at most 10 s: a command stuck on a
// lock fails the test instead of hanging it until the package's timeout.
func (f *testFamily) answer(ch <-chan said) said {
	f.t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		f.t.Fatal("no answer within 10 s")
		return said{}
	}
}
