package dbtest

import (
	"os"
	"testing"
	"time"
)

// Now is the instant a test's pinned clock starts from: the wall clock,
// or FAMILYHUB_TEST_NOW (RFC 3339) to run a package's tests at a chosen
// instant, such as 23:30 or 00:30 in Berlin, a DST Sunday or New Year's
// Eve, and so show that they pass on any day:
//
//	FAMILYHUB_TEST_NOW=2026-12-31T23:30:00+01:00 go run ./cmd/pgrun -- go test ./assistant/
//
// Only what runs on the pinned clock follows it (assistant.Service, the
// jobs' and notifications' Config.Now); PostgreSQL's now() and the
// operations of db that read the wall clock do not, so pick an instant
// after the real one (a day the database still counts as to come). The
// assistant's tests pass months ahead. Of the notifications' tests, those
// of list changes and presence need the real instant (their notices are
// folded from event_log times the database stamps), and pushes fail
// months ahead (the VAPID token's expiry).
func Now(tb testing.TB) time.Time {
	tb.Helper()
	s := os.Getenv("FAMILYHUB_TEST_NOW")
	if s == "" {
		return time.Now()
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("FAMILYHUB_TEST_NOW=%q: %v", s, err)
	}
	return t
}
