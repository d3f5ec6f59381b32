package db_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestTxRetryExhausted: a transaction PostgreSQL fails for a deadlock in
// every try runs db.TxTries times, each retry logged, and then answers
// busy with reason other_change (db.ErrOtherChange), not an internal
// error (500); the answer is still a Deadlock, so that the assistant's
// savepoint retries see it. With no Logger the retries run all the same.
// The deadlock is the closure's own PgError: what is tested is TxRetry's
// control flow and Err's mapping, not PostgreSQL's lock manager
// (TestShoppingListDeleteDeadlockRetried in http makes a real one).
func TestTxRetryExhausted(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	for _, logged := range []bool{true, false} {
		s := db.NewStore(pool)
		var log dbtest.LogBuffer
		if logged {
			s.Logger = slog.New(slog.NewTextHandler(&log, nil))
		}
		tries := 0
		err := s.TxRetry(context.Background(), func(tx *db.Tx) error {
			tries++
			return &pgconn.PgError{Code: "40P01", Detail: "Process 1 waits for ShareLock"}
		})
		if tries != db.TxTries {
			t.Errorf("logged %v: %d tries, want %d", logged, tries, db.TxTries)
		}
		var fe *familyhub.Error
		if familyhub.ErrorCode(err) != familyhub.EBUSY || !errors.As(err, &fe) || fe.Reason != "other_change" || !db.Deadlock(err) {
			t.Errorf("logged %v: %v (%+v), want busy, reason other_change, still a deadlock", logged, err, fe)
		}
		if n := strings.Count(log.String(), `msg="transaction retried" sqlstate=40P01`); logged && n != db.TxTries-1 {
			t.Errorf("%d retries logged with sqlstate 40P01, want %d:\n%s", n, db.TxTries-1, log.String())
		}
	}
}

// TestTxRetrySucceedsAfterDeadlock: a try after a deadlock that succeeds
// commits and answers nil; the one retry is logged.
func TestTxRetrySucceedsAfterDeadlock(t *testing.T) {
	t.Parallel()
	s := db.NewStore(dbtest.Pool(t))
	var log dbtest.LogBuffer
	s.Logger = slog.New(slog.NewTextHandler(&log, nil))
	tries := 0
	err := s.TxRetry(context.Background(), func(tx *db.Tx) error {
		if tries++; tries == 1 {
			return &pgconn.PgError{Code: "40001"}
		}
		_, err := tx.Exec(context.Background(), "SELECT 1")
		return err
	})
	if n := strings.Count(log.String(), `msg="transaction retried"`); err != nil || tries != 2 || n != 1 || !strings.Contains(log.String(), "sqlstate=40001") {
		t.Errorf("err %v after %d tries, logged:\n%s\nwant nil after 2, one retry logged with sqlstate 40001", err, tries, log.String())
	}
}
