package assistant

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub/db"
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
	held, release, done := make(chan struct{}, 1), make(chan struct{}), make(chan error, 1)
	released := false
	defer func() {
		if !released { // a failed wait: Ben's transaction ends all the same
			close(release)
		}
	}()
	go func() {
		ctx := f.ctx(f.ben)
		done <- f.store.Tx(ctx, func(tx *db.Tx) error {
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
			held <- struct{}{}
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("Ben's add: %v", err)
	}
	recipe := f.sayAsync(f.ana, Request{Text: "add the pancake recipe to the weekly list", Lang: "en"})
	r := f.waitDoneOrLocks(recipe, 1)
	close(release)
	released = true
	if err := <-done; err != nil {
		t.Fatalf("Ben's add: %v", err)
	}
	if r != nil {
		t.Fatalf("the recipe's add did not wait for Ben's: %+v %v", r.ans, r.err)
	}
	rr := <-recipe
	r = &rr
	if r.err != nil || r.ans.Outcome != OutcomeExecuted {
		t.Fatalf("the recipe: %+v %v", r.ans, r.err)
	}
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
