package http

import (
	"context"
	"fmt"
	"net/http"
)

// Helpers for the calendar's REST tests, on top of helpers_test.go.

// weeklySwim creates, as c, the weekly series "Swimming" whose first
// occurrence is from start to end (RFC 3339) and answers it as created.
func (c *client) weeklySwim(start, end string) calendarEventJSON {
	c.env.t.Helper()
	var ev calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Swimming", "starts_at": start, "ends_at": end, "rrule": "FREQ=WEEKLY",
	}).decode(c.env.t, &ev)
	return ev
}

// calendarEvent answers the event id as c reads it (a series with its
// changed occurrences and its deleted ones); any status but 200 fails the
// test.
func (c *client) calendarEvent(id string) calendarEventJSON {
	c.env.t.Helper()
	var ev calendarEventJSON
	c.must(http.StatusOK, "GET", "/api/calendar/events/"+id, nil).decode(c.env.t, &ev)
	return ev
}

// ifMatchVersion is the If-Match header naming version v.
func ifMatchVersion(v int64) map[string]string {
	return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)}
}

// importedEvent subscribes acc's family, as c, to a calendar ("School")
// and adds an event imported from it (read-only, UID imp@x, from now for
// an hour), as the import job would; it answers the subscription and the
// event's id.
func (e *testEnv) importedEvent(c *client, acc accountResponse) (sub subscriptionJSON, id string) {
	e.t.Helper()
	c.must(http.StatusCreated, "POST", "/api/calendar/subscriptions", map[string]any{"url": "webcal://example.org/cal.ics", "name": "School"}).decode(e.t, &sub)
	if err := e.pool.QueryRow(context.Background(), `INSERT INTO calendar_events (family_id, uid, title, starts_at, ends_at, subscription_id, read_only, source_href)
		VALUES ($1, 'imp@x', 'Imported', now(), now() + interval '1 hour', $2, true, 'uid:imp@x') RETURNING id::text`, acc.Family.ID, sub.ID).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return sub, id
}
