package main

import (
	"fmt"
	"maps"
	"testing"
	"time"
)

// Helpers for the calendar's browser tests, on top of
// browser_pwa_helpers_test.go and browser_offline_helpers_test.go.

// weeklyFromTomorrow is twoAdults with Ana's list "Weekly" (the sign-in
// opens it) and a weekly series Ana made from tomorrow 16:00–17:00 UTC
// (the family's zone) with the fields of series (its title, a location…).
// It answers the series as the server created it and its first start.
func weeklyFromTomorrow(t *testing.T, series map[string]any) (c *cluster, ana, ben member, created map[string]any, first time.Time) {
	t.Helper()
	c, ana, ben = twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	first = time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour).Add(16 * time.Hour)
	body := map[string]any{"starts_at": first.Format(time.RFC3339), "ends_at": first.Add(time.Hour).Format(time.RFC3339), "rrule": "FREQ=WEEKLY"}
	maps.Copy(body, series)
	return c, ana, ben, restAs(t, ana, c.a, "POST", "/api/calendar/events", body), first
}

// calNext presses the calendar's Next (in any language) and returns once
// the next week (or month) is read and drawn: the body names another
// listing drawn (calendar.js). Looking for a chip right after the label
// changed could look before the week's events were drawn, and step past it.
func calNext(b *browser) {
	b.t.Helper()
	const drawn = `document.querySelector('.cal-body')?.dataset.range`
	b.waitJS("a listing drawn", drawn, 5*time.Second)
	before := eval[string](b, drawn)
	b.click(`.cal-nav button:nth-of-type(3)`) // Next
	b.waitJS("the next range read and drawn", fmt.Sprintf(`(%s ?? %q) !== %q`, drawn, before, before), 10*time.Second)
}
