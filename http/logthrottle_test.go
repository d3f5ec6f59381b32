package http

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestLogThrottleNote: a logThrottle logs a key again once
// logThrottleEvery has passed, saying how many occurrences went
// unlogged, and remembers at most logThrottleMax keys.
func TestLogThrottleNote(t *testing.T) {
	var l logThrottle[uuid.UUID]
	t0 := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	a, b := uuid.New(), uuid.New()
	steps := []struct {
		id    uuid.UUID
		at    time.Duration
		log   bool
		quiet int
	}{
		{a, 0, true, 0},
		{a, time.Minute, false, 0},
		{b, time.Minute, true, 0}, // another key: its own line
		{a, 9 * time.Minute, false, 0},
		{a, logThrottleEvery, true, 2},
		{a, logThrottleEvery + time.Second, false, 0},
	}
	for i, s := range steps {
		logIt, quiet := l.note(s.id, t0.Add(s.at))
		if logIt != s.log || quiet != s.quiet {
			t.Fatalf("step %d: note = %v, %d; want %v, %d", i, logIt, quiet, s.log, s.quiet)
		}
	}
	for range 3 * logThrottleMax {
		if logIt, _ := l.note(uuid.New(), t0.Add(time.Hour)); !logIt {
			t.Fatal("a key seen for the first time was not logged")
		}
		if len(l.seen) > logThrottleMax {
			t.Fatalf("%d keys remembered, want at most %d", len(l.seen), logThrottleMax)
		}
	}
}
