package http

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/ical/caldavtest"
)

// TestCalDAVLimits: over CalDAV a new object in a collection at its limit
// is refused with 507 Insufficient Storage (the collection's quota, RFC
// 4331) naming the limit, and writes nothing; a new task that is done
// already adds no open task and is stored at the open tasks' limit.
func TestCalDAVLimits(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	_, acc := env.signup("ana@example.org", "Rivera")
	home := "/dav/" + acc.User.ID.String() + "/calendars/"
	ctx := context.Background()
	if _, err := env.pool.Exec(ctx, `INSERT INTO tasks (family_id, title) SELECT $1, 't' || g FROM generate_series(1, $2) g`,
		acc.Family.ID, familyhub.MaxOpenTasks); err != nil {
		t.Fatal(err)
	}
	vtodo := func(uid, extra string) string {
		return strings.ReplaceAll("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTODO\nUID:"+uid+"\nDTSTAMP:20260101T000000Z\nSUMMARY:Bins\n"+
			extra+"END:VTODO\nEND:VCALENDAR\n", "\n", "\r\n")
	}
	tasks := env.count("tasks")
	st, body, _ := davRaw(t, env, "PUT", home+"tasks/open.ics", vtodo("open@app", ""), nil)
	if st != http.StatusInsufficientStorage || !strings.Contains(body, "at most 5000 open tasks") {
		t.Errorf("a new open task at the limit: %d %s", st, body)
	}
	if n := env.count("tasks"); n != tasks {
		t.Errorf("%d tasks after the refusal, want %d", n, tasks)
	}
	st, body, _ = davRaw(t, env, "PUT", home+"tasks/done.ics", vtodo("done@app", "STATUS:COMPLETED\nCOMPLETED:20260310T180500Z\n"), nil)
	if st != http.StatusCreated {
		t.Fatalf("a new done task at the open tasks' limit: %d %s", st, body)
	}
	var by *uuid.UUID
	if err := env.pool.QueryRow(ctx, `SELECT completed_by FROM tasks WHERE uid = 'done@app' AND completed_at IS NOT NULL`).Scan(&by); err != nil || by == nil || *by != acc.User.ID {
		t.Errorf("the done task: completed by %v, %v", by, err)
	}

	if _, err := env.pool.Exec(ctx, `INSERT INTO calendar_events (family_id, uid, title, starts_at, ends_at)
		SELECT $1, 'e' || g, 'e' || g, now(), now() FROM generate_series(1, $2) g`, acc.Family.ID, familyhub.MaxCalendarEvents); err != nil {
		t.Fatal(err)
	}
	events := env.count("calendar_events")
	st, body, _ = davRaw(t, env, "PUT", home+"family/trip.ics", strings.ReplaceAll(caldavtest.AllDayICal, "\n", "\r\n"), nil)
	if st != http.StatusInsufficientStorage || !strings.Contains(body, "at most 20000 calendar events") {
		t.Errorf("a new event at the limit: %d %s", st, body)
	}
	if n := env.count("calendar_events"); n != events {
		t.Errorf("%d events after the refusal, want %d", n, events)
	}
}
