package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"
)

// TestBrowserCalendarSeriesFromDropped: a range kept from before a change
// of the whole series does not bring back a changed occurrence that the
// change dropped. Ben renames only the second swim; the device reads that
// week. Then the series moves a day later (the server drops the changed
// occurrence: it is no longer one of the series) and the device reads the
// first week. The series as the device makes it up from both ranges
// (seriesFrom, which opens it offline and is what a write is made against)
// has the changed occurrences the server has: none.
func TestBrowserCalendarSeriesFromDropped(t *testing.T) {
	browserTest(t)
	c, ana, ben, swim, first := weeklyFromTomorrow(t, map[string]any{"title": "Swimming"})
	id := swim["id"].(string)
	second := first.AddDate(0, 0, 7)
	restAs(t, ben, c.b, "PATCH", "/api/calendar/events/"+id+"/occurrences/"+second.Format(time.RFC3339), map[string]any{"title": "Swimming (Ben)"})
	week := func(from time.Time) json.RawMessage {
		t.Helper()
		var raw json.RawMessage
		ana.call(t, c.a.URL(), 200, "GET", "/api/calendar/events?from="+url.QueryEscape(from.Add(-time.Hour).Format(time.RFC3339))+
			"&to="+url.QueryEscape(from.AddDate(0, 0, 6).Format(time.RFC3339)), nil, &raw)
		return raw
	}
	older := week(second)
	restAs(t, ana, c.a, "PATCH", "/api/calendar/events/"+id, map[string]any{
		"starts_at": first.AddDate(0, 0, 1).Format(time.RFC3339), "ends_at": first.AddDate(0, 0, 1).Add(time.Hour).Format(time.RFC3339)})
	newer := week(first)
	server := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil)
	if n := len(server["overrides"].([]any)); n != 0 {
		t.Fatalf("the server kept %d changed occurrences after the move, want none", n)
	}

	a := newDevice(t, "Ana's phone", 360, 740, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	got := evalAwait[string](a, fmt.Sprintf(`import('/js/views/calendar-pending.js').then(({ seriesFrom }) => {
		const ev = seriesFrom([...%s, ...%s], %q, window.familyhub.tz);
		return JSON.stringify({ version: ev.version, overrides: ev.overrides.map((o) => o.title) });
	})`, newer, older, id))
	if want := fmt.Sprintf(`{"version":%v,"overrides":[]}`, server["version"]); got != want {
		t.Errorf("the series from the kept ranges is %s, want %s", got, want)
	}
}
