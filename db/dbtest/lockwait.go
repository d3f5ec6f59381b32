package dbtest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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

// DeadlockAtCommit makes a request meet another transaction in a lock
// cycle that PostgreSQL fails the request for (40P01), once: a request
// that locks the row of table with id and, at its commit, its family's
// event sequence (family_event_seq, which the event log's deferred
// trigger takes), sent by start from a goroutine of its own. The other, a
// LateDeadlockTx, holds the sequence and then asks for the table in
// EXCLUSIVE mode, which waits for the request's lock of the table (any
// read or write of a row holds one). PostgreSQL checks a wait once, 1 s
// after it began, so the cycle must be whole when the request begins to
// wait for the sequence: a third transaction holds the row first, the
// request waits for it, the other's lock of the table queues behind the
// request, and when the third lets go the request gets the row and at its
// commit waits for the sequence while the other already waits for it.
// A table lock, not the row's: PostgreSQL hands it to the other as it
// rolls the request back, so the request's next try waits for the other
// to commit; a row lock the next try could take first (a one-statement
// write's next try is one round trip) and meet the other again.
// DeadlockAtCommit returns once the other got the table and committed: a
// request run again then finds nothing in its way. ended is as
// AwaitLockWaits's.
func DeadlockAtCommit(tb testing.TB, ctx context.Context, pool *pgxpool.Pool, family uuid.UUID, table string, id uuid.UUID, start func(), ended func() (string, bool)) {
	tb.Helper()
	ctx, cancel := context.WithCancel(ctx)
	other := BeginLateDeadlock(tb, ctx, pool.Config().ConnString())
	if _, err := other.Exec(ctx, "SELECT FROM family_event_seq WHERE family_id = $1 FOR UPDATE", family); err != nil {
		tb.Fatal(err)
	}
	name := pgx.Identifier{table}.Sanitize()
	holder, err := pool.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer holder.Rollback(context.Background())
	if _, err := holder.Exec(ctx, "SELECT FROM "+name+" WHERE id = $1 FOR UPDATE", id); err != nil {
		tb.Fatal(err)
	}
	start()
	AwaitLockWaits(tb, ctx, pool, 1, "the request waited for the "+table+" row", ended)
	locked := make(chan error, 1)
	go func() {
		_, err := other.Exec(ctx, "LOCK TABLE "+name+" IN EXCLUSIVE MODE")
		locked <- err
	}()
	// A failure from here on ends the other's lock first (its statement
	// cancelled), then, at cleanup, the other transaction (cleanups run
	// last first): not two goroutines on its connection.
	var lockErr error
	waited := false
	lock := func() error {
		if !waited {
			lockErr, waited = <-locked, true
		}
		return lockErr
	}
	tb.Cleanup(func() {
		cancel()
		lock()
	})
	AwaitLockWaits(tb, ctx, pool, 2, "the other's lock of the table waited behind the request", ended)
	if err := holder.Rollback(ctx); err != nil {
		tb.Fatal(err)
	}
	// The request gets the row and at commit waits for the sequence: the
	// cycle. PostgreSQL fails the request, and the other gets the table.
	if err := lock(); err != nil {
		tb.Fatalf("the other's lock of the table: %v (PostgreSQL failed it, not the request?)", err)
	}
	if err := other.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
}
