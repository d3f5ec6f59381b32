package db_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// The statements a move and a put-back of many items send: a fixed few,
// however many items (the assistant's "move these to Aldi" and its undo).

// manyItems makes Weekly with n items and an empty Aldi, and returns the
// items.
func manyItems(t *testing.T, e *pipelineEnv, ctx context.Context, n int) (weekly, aldi uuid.UUID, items []dbsqlc.ShoppingItemsView) {
	t.Helper()
	if err := e.store.Tx(ctx, func(tx *db.Tx) error {
		w, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Weekly"})
		if err != nil {
			return err
		}
		a, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Aldi"})
		weekly, aldi = w.ID, a.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, g FROM generate_series(1, $3::int) g`, familyhub.AuthFromContext(ctx).FamilyID, weekly, n)
	if err := e.store.Tx(ctx, func(tx *db.Tx) (err error) {
		items, err = tx.ShoppingItemList(ctx, weekly)
		return err
	}); err != nil || len(items) != n {
		t.Fatalf("%d items: %v", len(items), err)
	}
	return weekly, aldi, items
}

// statementsOf runs fn in Store.Tx and returns the statements it sent,
// BEGIN and COMMIT included.
func statementsOf(t *testing.T, e *pipelineEnv, ctx context.Context, fn func(tx *db.Tx) error) int64 {
	t.Helper()
	e.tr.sent()
	if err := e.store.Tx(ctx, fn); err != nil {
		t.Fatal(err)
	}
	s := e.tr.sent()
	return s[0] + s[2]
}

// TestShoppingItemsMoveStatements: 1,000 items moved to another list in
// one ShoppingItemsMove are a fixed few statements (the list, the items
// read, the list's limit lock and count, the move, the recount, the items
// read back), where the old move of one item at a time sent five per item (the
// list, the item, the lock and count, the move, the item again), and the
// list is counted once, not once per item.
func TestShoppingItemsMoveStatements(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	ctx := e.owner(t, "move-cost")
	const n = 1000
	weekly, aldi, items := manyItems(t, e, ctx, n)
	ids := make([]uuid.UUID, n)
	for i, it := range items {
		ids[i] = it.ID
	}
	var moved []dbsqlc.ShoppingItemsView
	got := statementsOf(t, e, ctx, func(tx *db.Tx) (err error) {
		moved, err = tx.ShoppingItemsMove(ctx, ids, aldi)
		return err
	})
	t.Logf("%d items moved at once: %d statements", n, got)
	if got > 12 {
		t.Errorf("%d items moved at once: %d statements, want at most 12", n, got)
	}
	for i, it := range moved {
		if it.ID != ids[i] || it.ListID != aldi || it.Position != int32(i) || it.Version != items[i].Version+1 {
			t.Fatalf("item %d after the move: %+v", i, it)
		}
	}
	// As many moved back one by one, for the record.
	back := statementsOf(t, e, ctx, func(tx *db.Tx) error {
		for _, id := range ids {
			if _, err := tx.ShoppingItemsMove(ctx, []uuid.UUID{id}, weekly); err != nil {
				return err
			}
		}
		return nil
	})
	t.Logf("%d items moved one by one: %d statements", n, back)
}

// TestShoppingItemsRestoreStatements: 1,000 items put back at once (the
// undo of a move) are a fixed few statements (the items read, their list,
// the list's limit lock and count, the write, the recount); each item was
// read and written by a statement of its own (2,000 and more).
func TestShoppingItemsRestoreStatements(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	ctx := e.owner(t, "restore-cost")
	const n = 1000
	_, aldi, befores := manyItems(t, e, ctx, n)
	e.exec(t, `UPDATE shopping_items SET list_id = $1, position = position + 5000 WHERE family_id = $2`, aldi, familyhub.AuthFromContext(ctx).FamilyID)
	versions := make([]int64, n)
	for i, b := range befores {
		versions[i] = b.Version + 1
	}
	got := statementsOf(t, e, ctx, func(tx *db.Tx) error {
		_, err := tx.ShoppingItemsRestore(ctx, befores, versions)
		return err
	})
	t.Logf("%d items put back at once: %d statements", n, got)
	if got > 10 {
		t.Errorf("%d items put back at once: %d statements, want at most 10", n, got)
	}
	if c := e.countWhere(t, `shopping_items WHERE list_id = $1 AND position < 5000`, befores[0].ListID); c != n {
		t.Errorf("%d items back on their list as they were, want %d", c, n)
	}
}
