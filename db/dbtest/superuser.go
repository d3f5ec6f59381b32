package dbtest

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
)

// SuperuserConn connects to dbURL's database (one from URL) as
// TEST_DATABASE_URL's role, pgrun's superuser, and closes the connection
// at cleanup. Tests use it for what only a superuser may do on their own
// connection, such as SET deadlock_timeout; it fails the test when that
// role is no superuser.
func SuperuserConn(tb testing.TB, dbURL string) *pgx.Conn {
	tb.Helper()
	cfg, err := pgx.ParseConfig(ServerURL(tb))
	if err != nil {
		tb.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	dbCfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		tb.Fatalf("parse url: %v", err)
	}
	cfg.Database = dbCfg.Database
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("connect as TEST_DATABASE_URL's role to %s: %v", cfg.Database, err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	if err := db.AfterConnect(ctx, conn); err != nil {
		tb.Fatal(err)
	}
	var super bool
	if err := conn.QueryRow(ctx, "SELECT current_setting('is_superuser') = 'on'").Scan(&super); err != nil {
		tb.Fatal(err)
	}
	if !super {
		tb.Fatalf("TEST_DATABASE_URL's role %q is no superuser: it may not SET deadlock_timeout; "+
			"run the test under `go run ./cmd/pgrun`, or point TEST_DATABASE_URL at a superuser", cfg.User)
	}
	return conn
}

// LateDeadlockTx is a transaction on a superuser's connection
// (SuperuserConn) that checks for deadlocks only after a minute
// (deadlock_timeout), for a test that makes the code under test meet it
// in a lock cycle: PostgreSQL's check of the cycle is then the other
// side's (its deadlock_timeout, 1 s, after it began to wait), so the
// other side is the one it fails (40P01), whatever the machine's load.
// It is rolled back at cleanup unless committed.
type LateDeadlockTx struct {
	pgx.Tx
}

// BeginLateDeadlock begins a LateDeadlockTx on dbURL's database.
func BeginLateDeadlock(tb testing.TB, ctx context.Context, dbURL string) LateDeadlockTx {
	tb.Helper()
	conn := SuperuserConn(tb, dbURL)
	if _, err := conn.Exec(ctx, "SET deadlock_timeout = '1min'"); err != nil {
		tb.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tx.Rollback(context.Background()) })
	return LateDeadlockTx{tx}
}

// Tick ticks the shopping item id, as a member's tick writes its row
// (locked to the end of the transaction): the two ticks of a cycle with
// a merging add, eggs and then salt while the add keeps salt.
func (t LateDeadlockTx) Tick(ctx context.Context, id uuid.UUID) error {
	_, err := t.Exec(ctx, "UPDATE shopping_items SET checked = true, checked_at = now() WHERE id = $1", id)
	return err
}
