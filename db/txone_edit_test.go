package db_test

import (
	"testing"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestOneStatementEdits: a patch that neither renames nor names a category
// (ShoppingItemEdit, one statement) writes what Tx.ShoppingItemUpdate
// writes: two items filed alike, patched alike, one through each form, end
// alike, their category and its source untouched.
func TestOneStatementEdits(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	anna, list := e.member(t, "anna")
	user := db.CategorySourceUser
	dairy := "dairy"
	var fast, slow dbsqlc.ShoppingItemsView
	for i, p := range []db.ShoppingItemNew{{Name: "milk", Category: &dairy, CategorySource: &user}, {Name: "milk", Category: &dairy, CategorySource: &user}} {
		it, _, err := e.store.ShoppingItemAdd(anna, list, p)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			fast = it
		} else {
			slow = it
		}
	}
	patches := []db.ShoppingItemPatch{
		{Position: familyhub.Some(int32(7))}, // first: both added at their own place
		{Quantity: familyhub.Some("2 l")},
		{Note: familyhub.Some("the blue one")},
		{Quantity: familyhub.Optional[string]{Set: true, Null: true}}, // cleared
		{Checked: familyhub.Some(true), Note: familyhub.Some("bought")},
		{Checked: familyhub.Some(false), Quantity: familyhub.Some("3")},
		{Quantity: familyhub.Some("3")}, // no change
	}
	for i, p := range patches {
		var err error
		if fast, err = e.store.ShoppingItemUpdate(anna, fast.ID, p); err != nil {
			t.Fatalf("patch %d, one statement: %v", i, err)
		}
		if err := e.store.Tx(anna, func(tx *db.Tx) (err error) { slow, err = tx.ShoppingItemUpdate(anna, slow.ID, p); return err }); err != nil {
			t.Fatalf("patch %d, Store.Tx: %v", i, err)
		}
		f, s := fast, slow
		f.ID, f.CreatedAt, f.UpdatedAt, f.CheckedAt = s.ID, s.CreatedAt, s.UpdatedAt, s.CheckedAt
		if (fast.CheckedAt == nil) != (slow.CheckedAt == nil) || !equalView(f, s) {
			t.Errorf("patch %d: one statement %+v, Store.Tx %+v", i, fast, slow)
		}
	}
	if fast.Category == nil || *fast.Category != "dairy" || fast.CategorySource == nil || *fast.CategorySource != user {
		t.Errorf("after the patches: %+v, want still filed under dairy by the user", fast)
	}
}

// equalView compares two views field by field, pointers by what they
// point to.
func equalView(a, b dbsqlc.ShoppingItemsView) bool {
	return a.ID == b.ID && a.FamilyID == b.FamilyID && a.ListID == b.ListID && a.Name == b.Name &&
		equalPtr(a.Quantity, b.Quantity) && equalPtr(a.Note, b.Note) && equalPtr(a.CategoryID, b.CategoryID) &&
		equalPtr(a.CategorySource, b.CategorySource) && a.Checked == b.Checked && equalPtr(a.CheckedBy, b.CheckedBy) &&
		a.Position == b.Position && a.Version == b.Version && equalPtr(a.Category, b.Category)
}
