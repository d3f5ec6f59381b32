package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Store is the application's door to PostgreSQL. Every request runs its
// domain operations inside one transaction through Tx, so a refused request
// writes nothing.
type Store struct {
	Pool *pgxpool.Pool
	// Q holds the sqlc queries; each takes the pool or a transaction.
	Q *dbsqlc.Queries

	jobs JobQueue // see SetJobQueue

	announcer announcer // see announce.go

	// Sessions, when set, keeps found sessions for a short while
	// (sessioncache.go); cmd/familyhub sets it with the realtime listener
	// that keeps it right. Nil: every request asks PostgreSQL.
	Sessions *SessionCache

	// Logger, when set, hears of each transaction PostgreSQL failed for a
	// deadlock or a serialization failure and that is run again
	// (retried, TxRetry); cmd/familyhub sets it. Nil: no log.
	Logger *slog.Logger
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{Pool: pool, Q: dbsqlc.New()}
}

// Err translates a pgx error into a *familyhub.Error where it has a meaning
// for users: no rows is not found (of what), a unique violation a conflict,
// a check/foreign-key/data violation invalid input, a lost connection
// unavailable, a deadlock or serialization failure (Retryable) busy with
// reason other_change (ErrOtherChange; it reaches a caller once TxRetry's
// tries are spent). Other errors pass through and are reported as internal.
func Err(err error, what string) error {
	if err == nil {
		return nil
	}
	var fhErr *familyhub.Error
	if errors.As(err, &fhErr) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		if what == "" {
			what = "record"
		}
		return familyhub.NotFound(what)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return familyhub.Errorf(familyhub.ECONFLICT, "That %s already exists.", familyhub.Phrase(conflictWhat(pgErr)))
		case isForeignKeyViolationOf(err, subscriptionEventsFK):
			return ErrSubscriptionGone
		case pgErr.Code == "23503":
			return familyhub.Errorf(familyhub.EINVALID, "A referenced record does not exist.")
		case pgErr.Code == "23514" || pgErr.Code == "23502" || strings.HasPrefix(pgErr.Code, "22"):
			return familyhub.Invalid(pgErr.ColumnName, "A value is out of range or malformed.")
		case Retryable(err):
			return fmt.Errorf("%w: %w", ErrOtherChange, err)
		case strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03":
			return fmt.Errorf("%w: %w", errUnavailable, err)
		}
		return err
	}
	if pgconn.SafeToRetry(err) || isConnectionLost(err) {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	return err
}

// subscriptionEventsFK is the key from an imported event to its
// subscription (migration 00030).
const subscriptionEventsFK = "calendar_events_family_id_subscription_id_fkey"

// ErrSubscriptionGone is what writing an imported event answers when its
// calendar subscription was deleted meanwhile (the foreign key of 00030
// refused it): the import stops, there is nothing to retry.
var ErrSubscriptionGone = familyhub.Errorf(familyhub.ENOTFOUND, "The calendar subscription was removed.")

// errUnavailable carries EUNAVAILABLE while keeping the cause for the log.
var errUnavailable = familyhub.Errorf(familyhub.EUNAVAILABLE, "The database is unavailable; try again shortly.")

// ErrOtherChange is what a transaction PostgreSQL failed for a deadlock
// or a serialization failure answers (Err), wrapping that error: nothing
// was written, and sent again it likely runs (busy, 503 with Retry-After).
// The error stays Retryable and Deadlock (it wraps PostgreSQL's), so that
// TxRetry and the assistant's savepoints still run it again; only once
// their tries are spent does a member see it.
var ErrOtherChange = familyhub.Errorf(familyhub.EBUSY, "Another change got in the way; nothing was done. Try again in a moment.").WithReason("other_change")

// Retryable reports whether err is PostgreSQL's deadlock or serialization
// failure: the transaction was rolled back whole and may be run again.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// Deadlock reports whether err is PostgreSQL's deadlock (40P01) alone:
// what a savepoint may run again (a serialization failure, 40001, fails
// the whole transaction's snapshot, which a savepoint does not renew).
func Deadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

// LockTimedOut reports whether err is PostgreSQL's lock_timeout (55P03:
// a lock waited for longer than the transaction's lock_timeout allows,
// SET LOCAL by the caller): the transaction failed, and may be run again
// once the holder is done.
func LockTimedOut(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "55P03"
}

// isNoRows reports whether a :one query found no row.
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// isForeignKeyViolation reports whether err is PostgreSQL's 23503: the row
// written refers to one that is gone (deleted concurrently).
func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

// isForeignKeyViolationOf reports whether err is a foreign key violation (23503) of
// the constraint named.
func isForeignKeyViolationOf(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == constraint
}

// isConnectionLost reports whether err says the connection to PostgreSQL
// could not be made or broke mid-request (the server died or restarted):
// the client may retry, so it is EUNAVAILABLE (503), not a bug (500).
func isConnectionLost(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		strings.Contains(err.Error(), "conn closed")
}

func conflictWhat(pgErr *pgconn.PgError) string {
	switch pgErr.ConstraintName {
	case "users_email_key":
		return "email address"
	}
	return "record"
}
