package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestShoppingLearnOnlyOnChoice (migration 00022): the family's memory of
// a name's category learns when a person files an item (an add with a
// category, a change of category, a DBA marking it as chosen in psql), and
// not when an item a person filed is ticked or renamed: a rename must not
// teach the new name the old name's category.
func TestShoppingLearnOnlyOnChoice(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	// memory returns what the family's memory holds for a name key and when
	// it was written ("" when nothing).
	memory := func(key string) (string, time.Time) {
		t.Helper()
		var cat string
		var at time.Time
		err := f.store.Pool.QueryRow(context.Background(), `SELECT c.name, m.updated_at FROM shopping_category_memory m
			JOIN shopping_categories c ON c.family_id = m.family_id AND c.id = m.category_id
			WHERE m.name_key = $1 AND m.family_id = (SELECT family_id FROM shopping_lists WHERE id = $2)`, key, f.list).Scan(&cat, &at)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		return cat, at
	}
	update := func(id uuid.UUID, p db.ShoppingItemPatch) dbsqlc.ShoppingItemsView {
		t.Helper()
		var it dbsqlc.ShoppingItemsView
		f.tx(t, func(tx *db.Tx) (err error) {
			it, err = tx.ShoppingItemUpdate(f.ctx, id, p)
			return err
		})
		return it
	}

	var bread dbsqlc.ShoppingItemsView
	f.tx(t, func(tx *db.Tx) (err error) {
		bread, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "Bread", Category: ptr("pets")})
		return err
	})
	cat, learned := memory("bread")
	if cat != "pets" {
		t.Fatalf("an add with a category chosen by a person: memory has %q for bread, want pets", cat)
	}

	// A tick keeps the category: nothing is written to the memory.
	update(bread.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
	if cat, at := memory("bread"); cat != "pets" || !at.Equal(learned) {
		t.Errorf("a tick rewrote the memory: %q at %v, want pets at %v", cat, at, learned)
	}
	// A rename keeps the person's category but teaches the new name nothing.
	update(bread.ID, db.ShoppingItemPatch{Name: familyhub.Some("Shampoo")})
	if cat, _ := memory("shampoo"); cat != "" {
		t.Errorf("a rename taught the new name %q", cat)
	}
	// Changing the category is a choice for the item's (new) name.
	update(bread.ID, db.ShoppingItemPatch{Category: familyhub.Some("household")})
	if cat, _ := memory("shampoo"); cat != "household" {
		t.Errorf("a change of category: memory has %q for shampoo, want household", cat)
	}

	// A DBA marking an auto-filed item's category as chosen teaches too.
	var milk dbsqlc.ShoppingItemsView
	f.tx(t, func(tx *db.Tx) (err error) {
		milk, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "Goat milk"})
		return err
	})
	if cat, _ := memory("goat milk"); cat != "" {
		t.Fatalf("an auto-filed add taught %q", cat)
	}
	if _, err := f.store.Pool.Exec(context.Background(), `UPDATE shopping_items SET category_source = 'user' WHERE id = $1`, milk.ID); err != nil {
		t.Fatal(err)
	}
	if cat, _ := memory("goat milk"); cat != *milk.Category {
		t.Errorf("psql marking the category as chosen: memory has %q for goat milk, want %q", cat, *milk.Category)
	}
}
