package db_test

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db"
)

// TestDeadlock: db.Deadlock, what runs a savepoint again (the
// assistant's retryDeadlock and spoken undo), is PostgreSQL's deadlock
// alone, also wrapped; a serialization failure is db.Retryable (a whole
// transaction run again) but no deadlock.
func TestDeadlock(t *testing.T) {
	pg := func(code string) error { return &pgconn.PgError{Code: code} }
	for _, tc := range []struct {
		err                 error
		deadlock, retryable bool
	}{
		{pg("40P01"), true, true},
		{db.Err(pg("40P01"), "shopping item"), true, true},
		{fmt.Errorf("add: %w", pg("40P01")), true, true},
		{pg("40001"), false, true},
		{pg("55P03"), false, false},
		{nil, false, false},
	} {
		if got := db.Deadlock(tc.err); got != tc.deadlock {
			t.Errorf("Deadlock(%v) = %v, want %v", tc.err, got, tc.deadlock)
		}
		if got := db.Retryable(tc.err); got != tc.retryable {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.retryable)
		}
	}
}
