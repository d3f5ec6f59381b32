package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestCommitUnknown: a COMMIT that never left (its connection was closed
// first) rolled back, and is not unknown: an undo then may say so, not
// "it may have been undone". Before, CommitUnknown took its "conn closed"
// (EUNAVAILABLE after db.Err) for a COMMIT PostgreSQL never answered.
// PostgreSQL's answers (a serialization failure, a deadlock, a deferred
// constraint) are not unknown either; a lost connection or a context
// that ended while COMMIT waited are.
func TestCommitUnknown(t *testing.T) {
	ctx := context.Background()
	store := db.NewStore(dbtest.Pool(t))
	if _, err := store.Pool.Exec(ctx, `CREATE TABLE commit_unknown (n int)`); err != nil {
		t.Fatal(err)
	}
	err := store.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO commit_unknown VALUES (1)`); err != nil {
			return err
		}
		return tx.Conn().Close(ctx) // before pgx sends the COMMIT
	})
	if err == nil {
		t.Fatal("COMMIT on a closed connection succeeded")
	}
	if db.CommitUnknown(err) {
		t.Errorf("a COMMIT never sent (%v) is unknown, want rolled back", err)
	}
	var n int
	if err := store.Pool.QueryRow(ctx, `SELECT count(*) FROM commit_unknown`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows written by the transaction whose COMMIT never left (%v), want 0", n, err)
	}

	pg := func(code string) error { return &pgconn.PgError{Code: code} }
	for _, tc := range []struct {
		name    string
		err     error
		unknown bool
	}{
		{"serialization failure", pg("40001"), false},
		{"deadlock", pg("40P01"), false},
		{"deferred constraint", db.Err(pg("23505"), ""), false},
		{"rolled back", pgx.ErrTxCommitRollback, false},
		{"query canceled", pg("57014"), false},
		{"connection failure", db.Err(pg("08006"), ""), true},
		{"admin shutdown", db.Err(pg("57P01"), ""), true},
		{"deadline while waiting", fmt.Errorf("commit: %w", context.DeadlineExceeded), true},
		{"connection lost", db.Err(errors.New("unexpected EOF: conn closed"), ""), true},
	} {
		if got := db.CommitUnknown(tc.err); got != tc.unknown {
			t.Errorf("%s: CommitUnknown(%v) = %v, want %v", tc.name, tc.err, got, tc.unknown)
		}
	}
}
