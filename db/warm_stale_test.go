package db_test

import (
	"log/slog"
	"testing"
	"time"

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

// TestWarmNewConnectionBlockedOnALock: a connection the pool opens while
// a migration holds a table's lock cannot prepare the statements on that
// table until it ends. Warming gives up after its bound (shortened here)
// and the request that asked for the connection gets it, usable: before,
// the bound was a context deadline, pgx closed the connection mid-Parse
// and the request failed ("conn closed"), though it did not need the
// table at all.
func TestWarmNewConnectionBlockedOnALock(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := dbtest.URL(t)
	pool, err := db.Open(ctx, url+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if r := db.Warm(ctx, pool, slog.New(slog.DiscardHandler)); r.Err != nil {
		t.Fatalf("Warm = %+v", r)
	}
	db.SetWarmConnTimeoutForTest(pool, 300*time.Millisecond)

	migration, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer migration.Close(ctx)
	tx, err := migration.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE shopping_categories IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	pool.Reset() // the next request opens a connection, warmed as it opens
	var one int
	if err := pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("a request on a connection opened during the lock: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// The connection is usable for the statements warming did not reach.
	if _, err := dbsqlc.New().ShoppingCategoryList(ctx, pool, uuid.Nil); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if s := pool.Stat(); s.TotalConns() != 1 || s.NewConnsCount() > 2 {
		t.Errorf("pool: %d connections, %d opened; want the one opened during the lock kept", s.TotalConns(), s.NewConnsCount())
	}
}
