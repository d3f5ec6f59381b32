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
// of list changes and presence take the real instant whatever is pinned
// (their notices are folded from event_log times the database stamps:
// env.realClock), and reminders and digests fail from 30 days ahead
// (passing 28 days ahead, failing 32: the notices' retention, 30 days,
// counts back from the pinned clock over times the database stamped).
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

// ClearOfMidnight makes a test whose code reads the wall clock more than
// once (a REST handler's "today", a listing that makes today's chores)
// run on one civil day: when a midnight in any of locs (UTC when none)
// comes within the next window, it waits until that midnight has passed.
// The test then reads "today" once, after it, and the code it calls sees
// the same day for as long as the test takes less than window. It returns
// the instant it let the test go on.
func ClearOfMidnight(tb testing.TB, window time.Duration, locs ...*time.Location) time.Time {
	tb.Helper()
	for {
		now := time.Now()
		next, ok := MidnightWithin(now, window, locs...)
		if !ok {
			return now
		}
		tb.Logf("waiting for midnight (%s) to pass before a test that counts days", next.Format(time.RFC3339))
		<-time.After(time.Until(next) + time.Second)
	}
}

// MidnightWithin is the latest start of a civil day in locs (UTC when
// none) that lies after now and less than window ahead of it, and whether
// there is one.
func MidnightWithin(now time.Time, window time.Duration, locs ...*time.Location) (time.Time, bool) {
	if len(locs) == 0 {
		locs = []*time.Location{time.UTC}
	}
	var latest time.Time
	for _, loc := range locs {
		y, m, d := now.In(loc).Date()
		next := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		if next.Sub(now) < window && next.After(latest) {
			latest = next
		}
	}
	return latest, !latest.IsZero()
}
