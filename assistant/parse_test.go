package assistant

import (
	"testing"
	"time"
)

// parseNow is Wednesday 11 March 2026, 10:00 in Berlin (UTC+1): the
// moment every corpus command is said.
func parseNow(t testing.TB) time.Time {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 3, 11, 10, 0, 0, 0, loc)
}
