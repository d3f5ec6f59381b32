package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// noFiling is a job queue with auto-categorisation off.
type noFiling struct{}

func (noFiling) CategoriseItemsTx(context.Context, pgx.Tx, uuid.UUID, []uuid.UUID) error {
	return nil
}
func (noFiling) AutoCategorise() (on, classifier bool) { return false, false }

// TestOneStatementGenericPlans: the one-statement writes are planned once
// per connection, whatever their switches. With auto-categorisation off,
// PostgreSQL's plan cache found the plans made for the values at hand
// cheaper than the generic plan (the categories' lookup folds away) and
// planned the add anew on every execution.
func TestOneStatementGenericPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, auto := range []bool{false, true} {
		t.Run(fmt.Sprintf("auto=%v", auto), func(t *testing.T) {
			e := newPipelineEnv(t) // one connection: the statements' plan counts are its
			if !auto {
				e.store.SetJobQueue(noFiling{})
			}
			anna, list := e.member(t, "anna")
			const n = 8 // PostgreSQL tries plans for the values at hand the first 5 times
			for i := range n {
				id := uuid.New()
				item, _, err := e.store.ShoppingItemAdd(anna, list, db.ShoppingItemNew{ID: &id, Name: "milk"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.store.ShoppingItemUpdate(anna, item.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
					t.Fatalf("tick %d: %v", i, err)
				}
				if _, err := e.store.ShoppingItemUpdate(anna, item.ID, db.ShoppingItemPatch{Quantity: familyhub.Some("2")}); err != nil {
					t.Fatalf("quantity %d: %v", i, err)
				}
			}
			// A tick is ShoppingItemTick; a quantity ShoppingItemEdit (not
			// ShoppingItemUpdate, which sets the category's columns too and
			// so makes PostgreSQL evaluate the learning trigger's WHEN).
			for _, name := range []string{"ShoppingItemAddOne", "ShoppingItemTick", "ShoppingItemEdit"} {
				var generic, custom int64
				if err := e.pool.QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements
					WHERE statement LIKE '-- name: ' || $1 || ' %'`, name).Scan(&generic, &custom); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if custom != 0 || generic < n {
					t.Errorf("%s: %d generic and %d custom plans for %d executions; want only generic ones", name, generic, custom, n)
				}
			}
		})
	}
}
