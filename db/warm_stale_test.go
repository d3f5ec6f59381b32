package db_test

import (
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestWarmStatementsSurviveASchemaChange: a warmed statement is a named
// prepared statement, which PostgreSQL refuses to run once a column it
// returns changed type ("cached plan must not change result type", say a
// newer replica's migration in a rolling upgrade). pgx's own statement
// cache drops a statement that failed, so one request fails; a warmed
// statement must be dropped the same way, not fail on that connection
// until it closes. Both ways a statement is run: a query (Query/QueryRow)
// and a batch (txOne's pipeline).
func TestWarmStatementsSurviveASchemaChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, err := db.Open(ctx, dbtest.URL(t)+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	q := dbsqlc.New()
	list := func() error { _, err := q.ShoppingCategoryList(ctx, pool, uuid.Nil); return err }
	batch := func() error {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer c.Release()
		var b pgx.Batch
		b.Queue(db.HotStatementsForTest()[shoppingCategoryListIndex(t)], uuid.Nil)
		return c.SendBatch(ctx, &b).Close()
	}
	for _, step := range []struct {
		name, alter string
		run         func() error
	}{
		{"query", "ALTER TABLE shopping_categories ALTER COLUMN position TYPE bigint", list},
		{"batch", "ALTER TABLE shopping_categories ALTER COLUMN position TYPE integer", batch},
	} {
		// Warmed anew for each step: the first step's recovery left the
		// connection cold.
		if r := db.Warm(ctx, pool, slog.New(slog.DiscardHandler)); r.Err != nil || r.Conns != 1 || r.Prepared == 0 {
			t.Fatalf("%s: Warm = %+v, want its connection prepared", step.name, r)
		}
		if err := step.run(); err != nil {
			t.Fatalf("%s before the change: %v", step.name, err)
		}
		if _, err := pool.Exec(ctx, step.alter); err != nil {
			t.Fatal(err)
		}
		// The first run may fail, as it does with pgx's cache alone.
		if err := step.run(); err != nil {
			t.Logf("%s: first run after the change: %v", step.name, err)
		}
		for i := range 3 {
			if err := step.run(); err != nil {
				t.Fatalf("%s: run %d after the change on the same connection: %v", step.name, i+2, err)
			}
		}
	}
}

// shoppingCategoryListIndex finds ShoppingCategoryList's text among the
// warmed statements.
func shoppingCategoryListIndex(t *testing.T) int {
	for i, sql := range db.HotStatementsForTest() {
		if len(sql) > 40 && sql[:40] == "-- name: ShoppingCategoryList :many\n\nSEL" {
			return i
		}
	}
	t.Fatal("ShoppingCategoryList is not warmed")
	return -1
}
