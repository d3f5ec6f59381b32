package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

func rangeQuery(from, to string) string {
	return "/api/calendar/events?from=" + url.QueryEscape(from) + "&to=" + url.QueryEscape(to)
}

func TestCalendarEventLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("cal@example.org", "Cal")
	env.setTimeZone(c, "Europe/Berlin")

	var ev calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": " Dentist ", "starts_at": "2026-05-04T09:00:00Z", "ends_at": "2026-05-04T10:00:00Z",
		"location": "Main St 1", "notes": "Bring the card",
	}).decode(t, &ev)
	if ev.Title != "Dentist" || ev.UID != ev.ID.String()+"@familyhub" || ev.Sequence != 0 || ev.AllDay || ev.RRule != nil ||
		ev.ReadOnly || ev.SubscriptionID != nil || len(ev.Exdates) != 0 || ev.CreatedAt.IsZero() ||
		ev.StartsAt.Format(time.RFC3339) != "2026-05-04T11:00:00+02:00" || ev.Location != "Main St 1" {
		t.Fatalf("created %+v", ev)
	}
	path := "/api/calendar/events/" + ev.ID.String()
	var got calendarEventJSON
	c.must(http.StatusOK, "GET", path, nil).decode(t, &got)
	if got.ID != ev.ID || got.UID != ev.UID {
		t.Fatalf("get %+v", got)
	}
	c.must(http.StatusOK, "PATCH", path, map[string]any{"title": "Dentist (Ana)", "ends_at": "2026-05-04T10:30:00Z", "notes": nil}).decode(t, &got)
	if got.Title != "Dentist (Ana)" || got.Sequence != 1 || got.Notes != "" || got.Location != "Main St 1" ||
		!got.EndsAt.Equal(time.Date(2026, 5, 4, 10, 30, 0, 0, time.UTC)) || !got.UpdatedAt.After(ev.UpdatedAt) {
		t.Fatalf("patched %+v", got)
	}

	var occ []calendarOccurrenceJSON
	c.must(http.StatusOK, "GET", rangeQuery("2026-05-04T10:15:00Z", "2026-05-05T00:00:00Z"), nil).decode(t, &occ)
	if len(occ) != 1 || occ[0].ID != ev.ID || occ[0].RecurrenceID != nil || occ[0].Title != "Dentist (Ana)" {
		t.Fatalf("range %+v", occ)
	}
	c.must(http.StatusOK, "GET", rangeQuery("2026-05-04T10:30:00Z", "2026-05-05T00:00:00Z"), nil).decode(t, &occ)
	if len(occ) != 0 {
		t.Fatalf("an event ending at from is listed: %+v", occ)
	}

	c.must(http.StatusNoContent, "DELETE", path, nil)
	c.must(http.StatusNotFound, "GET", path, nil)
	c.must(http.StatusNotFound, "DELETE", path, nil)
	env.wantChanges(t, ev.ID, "CALENDAR_EVENT_UPDATED", acc.User.ID, "insert", "update", "delete")
}

// TestCalendarRecurringExpansion expands a weekly series across Berlin's
// change to summer time, with an exception, and all-day events.
func TestCalendarRecurringExpansion(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("series@example.org", "Series")
	env.setTimeZone(c, "Europe/Berlin")

	var ev calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Swimming", "starts_at": "2026-03-22T10:00:00+01:00", "ends_at": "2026-03-22T11:00:00+01:00",
		"rrule": "FREQ=WEEKLY", "exdates": []string{"2026-04-05T10:00:00+02:00"},
	}).decode(t, &ev)
	if ev.RRule == nil || *ev.RRule != "FREQ=WEEKLY" || len(ev.Exdates) != 1 {
		t.Fatalf("series %+v", ev)
	}
	var occ []calendarOccurrenceJSON
	c.must(http.StatusOK, "GET", rangeQuery("2026-03-20T00:00:00Z", "2026-04-13T00:00:00Z"), nil).decode(t, &occ)
	want := []string{"2026-03-22T10:00:00+01:00", "2026-03-29T10:00:00+02:00", "2026-04-12T10:00:00+02:00"}
	if len(occ) != len(want) {
		t.Fatalf("occurrences %+v", occ)
	}
	for i, o := range occ {
		if o.ID != ev.ID || o.StartsAt.Format(time.RFC3339) != want[i] || o.EndsAt.Sub(o.StartsAt) != time.Hour ||
			o.RecurrenceID == nil || !o.RecurrenceID.Equal(o.StartsAt) || o.UID != ev.UID {
			t.Fatalf("occurrence %d: %+v, want start %s", i, o, want[i])
		}
	}
	// An occurrence under way at from is listed.
	c.must(http.StatusOK, "GET", rangeQuery("2026-03-29T10:30:00+02:00", "2026-03-29T12:00:00+02:00"), nil).decode(t, &occ)
	if len(occ) != 1 || occ[0].StartsAt.Format(time.RFC3339) != "2026-03-29T10:00:00+02:00" {
		t.Fatalf("under way: %+v", occ)
	}

	// All-day: dates in, midnights in the family's zone out; the DST day
	// is 23 hours long and still one day.
	var allDay calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Grandma visits", "starts_at": "2026-03-29", "ends_at": "2026-03-30", "all_day": true, "rrule": "FREQ=DAILY;COUNT=3",
	}).decode(t, &allDay)
	if allDay.StartsAt.Format(time.RFC3339) != "2026-03-29T00:00:00+01:00" || allDay.EndsAt.Format(time.RFC3339) != "2026-03-30T00:00:00+02:00" {
		t.Fatalf("all-day %+v", allDay)
	}
	c.must(http.StatusOK, "GET", rangeQuery("2026-03-29T12:00:00+02:00", "2026-04-10T00:00:00Z"), nil).decode(t, &occ)
	var days []string
	for _, o := range occ {
		if o.ID == allDay.ID {
			days = append(days, o.StartsAt.Format(time.RFC3339)+".."+o.EndsAt.Format(time.RFC3339))
		}
	}
	wantDays := "2026-03-29T00:00:00+01:00..2026-03-30T00:00:00+02:00 2026-03-30T00:00:00+02:00..2026-03-31T00:00:00+02:00 2026-03-31T00:00:00+02:00..2026-04-01T00:00:00+02:00"
	if strings.Join(days, " ") != wantDays {
		t.Fatalf("all-day occurrences %v", days)
	}
	// The list is in start order across events.
	for i := 1; i < len(occ); i++ {
		if occ[i].StartsAt.Before(occ[i-1].StartsAt) {
			t.Fatalf("not in order: %+v", occ)
		}
	}
	// Exceptions through PATCH; clearing the rule makes a single event.
	var patched calendarEventJSON
	c.must(http.StatusOK, "PATCH", "/api/calendar/events/"+ev.ID.String(), map[string]any{"exdates": []string{"2026-03-29T08:00:00Z"}}).decode(t, &patched)
	c.must(http.StatusOK, "GET", rangeQuery("2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z"), nil).decode(t, &occ)
	for _, o := range occ {
		if o.ID == ev.ID {
			t.Fatalf("excluded occurrence listed: %+v", o)
		}
	}
	c.must(http.StatusOK, "PATCH", "/api/calendar/events/"+ev.ID.String(), map[string]any{"rrule": nil}).decode(t, &patched)
	if patched.RRule != nil || patched.Sequence != 2 {
		t.Fatalf("patched %+v", patched)
	}
	c.must(http.StatusOK, "GET", rangeQuery("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"), nil).decode(t, &occ)
	for _, o := range occ {
		if o.ID == ev.ID {
			t.Fatalf("a former series still expands: %+v", o)
		}
	}
}

func TestCalendarOtherFamilyNotFound(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	a, _ := env.signup("ca@example.org", "A")
	b, _ := env.signup("cb@example.org", "B")
	var ev calendarEventJSON
	a.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "A's party", "starts_at": "2026-06-01T18:00:00Z", "ends_at": "2026-06-01T22:00:00Z", "rrule": "FREQ=YEARLY",
	}).decode(t, &ev)
	for _, id := range []string{ev.ID.String(), uuid.NewString(), "xyz"} {
		p := "/api/calendar/events/" + id
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			var body any
			if m == "PATCH" {
				body = map[string]any{"title": "mine"}
			}
			r := b.must(http.StatusNotFound, m, p, body)
			if e := r.errorBody(t); e.Code != familyhub.ENOTFOUND || e.Message != "calendar event not found" {
				t.Fatalf("%s %s: %+v", m, p, e)
			}
		}
	}
	var occ []calendarOccurrenceJSON
	b.must(http.StatusOK, "GET", rangeQuery("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"), nil).decode(t, &occ)
	if len(occ) != 0 {
		t.Fatalf("family B sees %+v", occ)
	}
	var after calendarEventJSON
	a.must(http.StatusOK, "GET", "/api/calendar/events/"+ev.ID.String(), nil).decode(t, &after)
	if after.Title != "A's party" || after.Sequence != 0 {
		t.Fatalf("A's event changed: %+v", after)
	}
}

// TestCalendarReadOnlyForbidden: imported (read-only) events cannot be
// changed or deleted through REST.
func TestCalendarReadOnlyForbidden(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("ro@example.org", "RO")
	var ev calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "School holiday", "starts_at": "2026-07-01T00:00:00Z", "ends_at": "2026-07-02T00:00:00Z",
	}).decode(t, &ev)
	if _, err := env.pool.Exec(t.Context(), `WITH s AS (INSERT INTO calendar_subscriptions (family_id, name, url)
		SELECT family_id, 'Holidays', 'https://example.org/h.ics' FROM calendar_events WHERE id = $1 RETURNING id)
		UPDATE calendar_events SET read_only = true, subscription_id = (SELECT id FROM s) WHERE id = $1`, ev.ID); err != nil {
		t.Fatal(err)
	}
	events := env.count("event_log")
	p := "/api/calendar/events/" + ev.ID.String()
	for _, m := range []string{"PATCH", "DELETE"} {
		var body any
		if m == "PATCH" {
			body = map[string]any{"title": "Mine"}
		}
		r := c.must(http.StatusForbidden, m, p, body)
		if e := r.errorBody(t); e.Code != familyhub.EFORBIDDEN || !strings.Contains(e.Message, "read-only") {
			t.Fatalf("%s: %+v", m, e)
		}
	}
	var got calendarEventJSON
	c.must(http.StatusOK, "GET", p, nil).decode(t, &got)
	if !got.ReadOnly || got.SubscriptionID == nil || got.Title != "School holiday" || got.Sequence != 0 {
		t.Fatalf("read-only event %+v", got)
	}
	if env.count("event_log") != events {
		t.Fatal("a refused change wrote events")
	}
}

func TestCalendarBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("calbad@example.org", "Bad")
	env.setTimeZone(c, "Europe/Berlin")
	var ev calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Fixed", "starts_at": "2026-05-04T09:00:00Z", "ends_at": "2026-05-04T10:00:00Z",
	}).decode(t, &ev)
	p := "/api/calendar/events/" + ev.ID.String()
	tables := []string{"calendar_events", "event_log"}
	before := map[string]int{}
	for _, tbl := range tables {
		before[tbl] = env.count(tbl)
	}
	valid := func(over map[string]any) map[string]any {
		m := map[string]any{"title": "Event", "starts_at": "2026-05-04T09:00:00Z", "ends_at": "2026-05-04T10:00:00Z"}
		for k, v := range over {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	const ev0 = "/api/calendar/events"
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"create malformed", "POST", ev0, `{"title"`, 400, "malformed_request", ""},
		{"create no title", "POST", ev0, valid(map[string]any{"title": nil}), 422, "invalid", "title"},
		{"create long title", "POST", ev0, valid(map[string]any{"title": strings.Repeat("x", 201)}), 422, "invalid", "title"},
		{"create long location", "POST", ev0, valid(map[string]any{"location": strings.Repeat("x", 501)}), 422, "invalid", "location"},
		{"create long notes", "POST", ev0, valid(map[string]any{"notes": strings.Repeat("x", 4001)}), 422, "invalid", "notes"},
		{"create unknown field", "POST", ev0, valid(map[string]any{"uid": "mine@example"}), 422, "invalid", "uid"},
		{"create no starts_at", "POST", ev0, valid(map[string]any{"starts_at": nil}), 422, "invalid", "starts_at"},
		{"create no ends_at", "POST", ev0, valid(map[string]any{"ends_at": nil}), 422, "invalid", "ends_at"},
		{"create starts_at wrong type", "POST", ev0, valid(map[string]any{"starts_at": 1714812000}), 422, "invalid", "starts_at"},
		{"create starts_at not RFC 3339", "POST", ev0, valid(map[string]any{"starts_at": "May 4th"}), 422, "invalid", "starts_at"},
		{"create date without all_day", "POST", ev0, valid(map[string]any{"starts_at": "2026-05-04"}), 422, "invalid", "starts_at"},
		{"create ends before start", "POST", ev0, valid(map[string]any{"ends_at": "2026-05-04T08:59:59Z"}), 422, "invalid", "ends_at"},
		{"create all_day not midnight", "POST", ev0, valid(map[string]any{"all_day": true}), 422, "invalid", "starts_at"},
		{"create all_day UTC midnight", "POST", ev0, valid(map[string]any{"all_day": true, "starts_at": "2026-05-04T00:00:00Z", "ends_at": "2026-05-05T00:00:00Z"}), 422, "invalid", "starts_at"},
		{"create all_day empty", "POST", ev0, valid(map[string]any{"all_day": true, "starts_at": "2026-05-04", "ends_at": "2026-05-04"}), 422, "invalid", "ends_at"},
		{"create all_day wrong type", "POST", ev0, valid(map[string]any{"all_day": "yes"}), 422, "invalid", "all_day"},
		{"create minutely", "POST", ev0, valid(map[string]any{"rrule": "FREQ=MINUTELY"}), 422, "invalid", "rrule"},
		{"create bad rrule", "POST", ev0, valid(map[string]any{"rrule": "FREQ=WEEKLY;BYDAY=FUNDAY"}), 422, "invalid", "rrule"},
		{"create bad exdate", "POST", ev0, valid(map[string]any{"rrule": "FREQ=DAILY", "exdates": []string{"yesterday"}}), 422, "invalid", "exdates"},
		{"create exdates wrong type", "POST", ev0, valid(map[string]any{"exdates": "2026-05-04T09:00:00Z"}), 422, "invalid", "exdates"},
		{"patch null title", "PATCH", p, map[string]any{"title": nil}, 422, "invalid", "title"},
		{"patch ends before start", "PATCH", p, map[string]any{"ends_at": "2026-05-04T08:00:00Z"}, 422, "invalid", "ends_at"},
		{"patch starts after end", "PATCH", p, map[string]any{"starts_at": "2026-05-04T11:00:00Z"}, 422, "invalid", "ends_at"},
		{"patch null starts_at", "PATCH", p, map[string]any{"starts_at": nil}, 422, "invalid", "starts_at"},
		{"patch bad ends_at", "PATCH", p, map[string]any{"ends_at": "2026-05-04 10:00"}, 422, "invalid", "ends_at"},
		{"patch all_day on timed", "PATCH", p, map[string]any{"all_day": true}, 422, "invalid", "starts_at"},
		{"patch hourly", "PATCH", p, map[string]any{"rrule": "FREQ=HOURLY"}, 422, "invalid", "rrule"},
		{"patch unknown field", "PATCH", p, map[string]any{"sequence": 9}, 422, "invalid", "sequence"},
		{"patch read_only", "PATCH", p, map[string]any{"read_only": true}, 422, "invalid", "read_only"},
		{"list no range", "GET", ev0, nil, 422, "invalid", "from"},
		{"list no to", "GET", ev0 + "?from=2026-05-01T00:00:00Z", nil, 422, "invalid", "to"},
		{"list bad from", "GET", rangeQuery("2026-05-01", "2026-06-01T00:00:00Z"), nil, 422, "invalid", "from"},
		{"list bad to", "GET", rangeQuery("2026-05-01T00:00:00Z", "soon"), nil, 422, "invalid", "to"},
		{"list to before from", "GET", rangeQuery("2026-06-01T00:00:00Z", "2026-05-01T00:00:00Z"), nil, 422, "invalid", "to"},
		{"list empty range", "GET", rangeQuery("2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z"), nil, 422, "invalid", "to"},
		{"list range too long", "GET", rangeQuery("2026-01-01T00:00:00Z", "2027-01-03T00:00:00Z"), nil, 422, "invalid", "to"},
		{"list unknown param", "GET", rangeQuery("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z") + "&tz=UTC", nil, 422, "invalid", "tz"},
		{"get malformed id", "GET", ev0 + "/42", nil, 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(tc.method, tc.path, tc.body)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			e := r.errorBody(t)
			if e.Code != tc.code || e.Field != tc.field || e.Message == "" {
				t.Fatalf("error %+v, want code %q field %q", e, tc.code, tc.field)
			}
		})
	}
	for _, tbl := range tables {
		if n := env.count(tbl); n != before[tbl] {
			t.Errorf("%s: %d rows, want %d: bad input wrote something", tbl, n, before[tbl])
		}
	}
	var after calendarEventJSON
	c.must(http.StatusOK, "GET", p, nil).decode(t, &after)
	if after.Sequence != 0 || !after.UpdatedAt.Equal(ev.UpdatedAt) {
		t.Fatalf("a refused request changed the event: %+v", after)
	}
}
