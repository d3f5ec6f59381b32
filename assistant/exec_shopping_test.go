package assistant

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestShoppingCommands: the shopping sentences on a family whose
// only list is "Weekly": which list, no list made unasked, every write.
func TestShoppingCommands(t *testing.T) {
	f := newTestFamily(t)
	f.refused("add milk", familyhub.EINVALID, "There is no shopping list yet")
	weekly := f.list("Weekly")

	// The issue's bug: "mac and cheese" is one item, and "the shopping
	// list" is the family's only list, not a new one.
	a := f.do("add mac and cheese to the shopping list")
	if a.Message != "Added mac and cheese to “Weekly”." || a.Result.ListCreated || len(a.Result.Items) != 1 {
		t.Fatalf("mac and cheese: %q %+v", a.Message, a.Result)
	}
	if a := f.do("add 2 litres of milk, bananas and 3 apples"); a.Message != "Added 2 litres of milk, bananas and 3 apples to “Weekly”." {
		t.Errorf("quantities: %q", a.Message)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "mac and cheese, 2 litres milk, bananas, 3 apples" {
		t.Fatalf("items %s", got)
	}

	// The default list is settable; an unknown list is a question, never
	// a new list.
	aldi := f.list("Aldi")
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.FamilyUpdate(ctx, db.FamilyPatch{DefaultListID: familyhub.Some(aldi.ID)})
		return err
	})
	if a := f.do("we need bread"); a.Message != "Added bread to “Aldi”." {
		t.Errorf("default list: %q", a.Message)
	}
	q := f.ask("add nails to the hardware list")
	if q.Message != "There is no list “Hardware”: shall I create it, or add to Aldi?" || len(q.Choices) != 2 ||
		q.Choices[0] != "Create the list “Hardware”" || q.Intent.Needs != NeedsChoice {
		t.Fatalf("unknown list: %q %v", q.Message, q.Choices)
	}
	a, err := f.svc.Choose(f.ctx(f.ana), q.ID, 0, "en", Device{})
	if err != nil || a.Message != "Created the list “Hardware” and added nails." || !a.Result.ListCreated || *a.QuestionID != q.ID {
		t.Fatalf("choice: %q %v", a.Message, err)
	}
	if a := f.do("add tent pegs to a new list called Camping"); a.Message != "Created the list “Camping” and added tent pegs." {
		t.Errorf("new list: %q", a.Message)
	}

	// Tick, remove, move, clear.
	if a := f.do("I bought milk and bread"); a.Message != "Ticked off milk and bread on Weekly and Aldi." {
		t.Errorf("tick: %q", a.Message)
	}
	if a := f.do("remove bananas from the weekly list"); a.Message != "Removed bananas from Weekly." || !a.Result.Deleted {
		t.Errorf("remove: %q", a.Message)
	}
	if a := f.do("move the apples to the Aldi list"); a.Message != "Moved apples from Weekly to Aldi." {
		t.Errorf("move: %q", a.Message)
	}
	f.refused("move apples to the Aldi list", familyhub.EINVALID, "“apples” is on Aldi already.")
	if got := itemNamesOf(f.items(aldi.ID)); got != "bread✓, 3 apples" {
		t.Errorf("aldi: %s", got)
	}
	if a := f.do("clear the ticked items from the weekly list"); a.Message != "Cleared 1 ticked item from Weekly." {
		t.Errorf("clear: %q", a.Message)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "mac and cheese" {
		t.Errorf("weekly: %s", got)
	}

	// Said to a member, a list of items loses the name: Ben is one of
	// the family, no item.
	if a := f.do("Ben, Milch und Brot kaufen"); a.Message != "Ich habe Milch und Brot auf „Aldi“ gesetzt." {
		t.Errorf("said to Ben: %q", a.Message)
	}
	if a := f.do("Geschenkpapier, Milch und Brot kaufen"); a.Message != "Ich habe Geschenkpapier, Milch und Brot auf „Aldi“ gesetzt." {
		t.Errorf("a first item: %q", a.Message)
	}
	// A tick of what else is fetched ticks it only when it is on a list,
	// else completes the task it names, else is refused.
	f.refused("I picked up the kids", familyhub.EINVALID, "I could not find “kids” on any list.")
	f.do("add the birthday card to the weekly list")
	if a := f.do("I got the birthday card"); a.Message != "Ticked off birthday card on Weekly." {
		t.Errorf("tick a card: %q", a.Message)
	}
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Pick up the kids"})
		return err
	})
	if a := f.do("I picked up the kids"); a.Message != "Marked “Pick up the kids” as done." {
		t.Errorf("kids: %q", a.Message)
	}

	// A recipe for 6, scaled.
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		qty := 200.0
		g := "g"
		_, _, err := tx.RecipeCreate(ctx, db.RecipeNew{Title: "Pancakes", Servings: 2, Ingredients: []db.Ingredient{
			{Name: "flour", Quantity: &qty, Unit: &g}, {Name: "eggs"}}})
		return err
	})
	a = f.do("add the pancake recipe for 6 to the weekly list")
	if a.Message != "Added 2 ingredients of “Pancakes” for 6 to Weekly." || *a.Result.Items[0].Quantity != "600 g" {
		t.Errorf("recipe: %q %+v", a.Message, a.Result.Items)
	}

	// Several matches: a question.
	f.do("add oat milk and milk to the weekly list")
	q = f.ask("tick off mil on the weekly list")
	if q.Message != "Which one do you mean: “milk” or “oat milk”?" {
		t.Errorf("which item: %q", q.Message)
	}
}
