package http

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestLogThrottleNote: a logThrottle logs a key again once
// logThrottleEvery has passed, saying how many occurrences went
// unlogged, and remembers at most logThrottleMax keys; the keys past that
// share one line (over_limit) instead of emptying the table.
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
		logIt, attrs := l.note(s.id, t0.Add(s.at))
		if logIt != s.log || !slices.Equal(attrs, unloggedSince(s.quiet)) {
			t.Fatalf("step %d: note = %v, %v; want %v, %v", i, logIt, attrs, s.log, unloggedSince(s.quiet))
		}
	}
	// Past logThrottleMax keys within logThrottleEvery (one client sending
	// round-robin from more addresses than that), the new keys share one
	// line per logThrottleEvery, and the keys in the table keep theirs.
	t1 := t0.Add(time.Hour) // a and b are past their time
	keys := make([]uuid.UUID, logThrottleMax+100)
	for i := range keys {
		keys[i] = uuid.New()
	}
	lines := 0
	for round := range 3 {
		for i, k := range keys {
			logIt, attrs := l.note(k, t1)
			if logIt {
				lines++
			}
			if len(l.seen) > logThrottleMax {
				t.Fatalf("%d keys remembered, want at most %d", len(l.seen), logThrottleMax)
			}
			if round == 0 && i == logThrottleMax && (!logIt || !slices.Equal(attrs, []any{"over_limit", true})) {
				t.Fatalf("the first key past the limit: note = %v, %v; want true, [over_limit true]", logIt, attrs)
			}
		}
	}
	if lines != logThrottleMax+1 {
		t.Fatalf("%d keys, 3 rounds at one instant: %d lines, want %d (one per key in the table, one for the rest)", len(keys), lines, logThrottleMax+1)
	}
	if logIt, _ := l.note(keys[len(keys)-1], t1.Add(logThrottleEvery-time.Second)); logIt {
		t.Fatal("a key past the limit was logged again within logThrottleEvery")
	}
	// Once the table's entries are past their time, a key in it is logged
	// again with its count, and new keys have their own entries again.
	t2 := t1.Add(logThrottleEvery)
	if logIt, attrs := l.note(keys[0], t2); !logIt || !slices.Equal(attrs, []any{"unlogged_since", 2}) {
		t.Fatalf("a key in the table, %v on: note = %v, %v; want true, [unlogged_since 2]", logThrottleEvery, logIt, attrs)
	}
	for _, k := range []uuid.UUID{keys[len(keys)-1], uuid.New()} {
		if logIt, attrs := l.note(k, t2); !logIt || attrs != nil || len(l.seen) > logThrottleMax {
			t.Fatalf("a new key once the table's entries are past their time: note = %v, %v, %d keys remembered", logIt, attrs, len(l.seen))
		}
	}
}
