package dbtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// AwaitLockWaits waits, 10 s at most, until n lock requests wait (are not
// granted) on pool's database: for a test that builds a lock cycle step
// by step (a LateDeadlockTx, a holder, the request under test), each
// step's wait begun before the next. ended, asked between looks, reports
// that the request under test answered meanwhile, and what: it was to
// wait, so the test fails.
func AwaitLockWaits(tb testing.TB, ctx context.Context, pool *pgxpool.Pool, n int, what string, ended func() (string, bool)) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		var waiting int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
			WHERE NOT l.granted AND a.datname = current_database()`).Scan(&waiting); err != nil {
			tb.Fatal(err)
		}
		if waiting >= n {
			return
		}
		if answer, ok := ended(); ok {
			tb.Fatalf("the request ended before %s: %s", what, answer)
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("%s: %v", what, ctx.Err())
		case <-time.After(5 * time.Millisecond): // polling a condition with a deadline
		}
		if time.Now().After(deadline) {
			tb.Fatalf("not within 10 s: %s", what)
		}
	}
}
