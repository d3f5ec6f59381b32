package main

import (
	"io"
	"net/http"
	"os"
	osexec "os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/ical/caldavtest"
)

// Issue 17 with python3-caldav, an independent client: the tasks
// collection, sync tokens and changed occurrences, both ways.

// pyLines returns the lines of out that start with prefix, without it.
func pyLines(out, prefix string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			got = append(got, strings.TrimSpace(v))
		}
	}
	return got
}

func restTask(t *testing.T, m *Main, mb member, id string) map[string]any {
	t.Helper()
	var out map[string]any
	mb.call(t, m.URL(), http.StatusOK, "GET", "/api/tasks/"+id, nil, &out)
	return out
}

func TestCalDAVTasksWithPythonClient(t *testing.T) {
	skipInShortMode(t, "the Python CalDAV client")
	c := newCluster(t)
	owner := newFamily(t, c.a, "ana@example.org")
	other := join(t, c.b, owner, "bo@example.org")
	ws := dialWS(t, c.b, other, "topics=tasks")
	ws.nextType("hello", 5*time.Second)

	// Discover both collections; create a task as a VTODO.
	out, err := pyCalDAV(t, c.a.URL()+"/dav/", "ana@example.org", "correct horse", pyPrelude+`
cals = client.principal().calendars()
for c in cals:
    print("CAL", str(c.url).rstrip("/").rsplit("/", 1)[1], ",".join(c.get_supported_components()))
tasks = [c for c in cals if str(c.url).endswith("/tasks/")][0]
t = tasks.save_todo("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//python test//EN
BEGIN:VTODO
UID:py-todo-1@example.org
DTSTAMP:20260301T000000Z
SUMMARY:Water the plants
DESCRIPTION:The ones on the balcony
DUE:20260310T170000Z
X-PY-CLIENT:kept
END:VTODO
END:VCALENDAR
""")
print("SAVED", t.url)
`)
	if err != nil || !strings.Contains(out, "SAVED") {
		t.Fatalf("python client: %v\n%s", err, out)
	}
	if got := strings.Join(pyLines(out, "CAL "), "|"); got != "family VEVENT|tasks VTODO" {
		t.Fatalf("collections: %q\n%s", got, out)
	}
	ev := ws.nextType("TASK_UPDATED", 5*time.Second)
	if ev["op"] != "insert" || ev["actor"] != owner.userID || ev["device_id"] != "caldav" {
		t.Fatalf("event: %v", ev)
	}
	id, _ := ev["id"].(string)
	task := restTask(t, c.b, other, id)
	if task["title"] != "Water the plants" || task["notes"] != "The ones on the balcony" || task["due_at"] != "2026-03-10T17:00:00Z" || task["completed_at"] != nil {
		t.Fatalf("REST task: %v", task)
	}

	// Complete it in the client: the task is completed, the family hears it.
	out, err = pyCalDAV(t, c.b.URL()+"/dav/", "bo@example.org", "correct horse", pyPrelude+`
tasks = [c for c in client.principal().calendars() if str(c.url).endswith("/tasks/")][0]
todos = tasks.todos()
print("OPEN", len(todos))
for t in todos:
    if "py-todo-1@example.org" in t.data:
        t.complete()
        print("COMPLETED")
print("OPEN AFTER", len(tasks.todos()))
print("ALL", len(tasks.todos(include_completed=True)))
`)
	if err != nil || !strings.Contains(out, "OPEN 1\n") || !strings.Contains(out, "COMPLETED") || !strings.Contains(out, "OPEN AFTER 0") || !strings.Contains(out, "ALL 1") {
		t.Fatalf("complete: %v\n%s", err, out)
	}
	waitUntil(t, "TASK_UPDATED for the completion", 5*time.Second, func() bool {
		ev := ws.nextType("TASK_UPDATED", 5*time.Second)
		return ev["op"] == "update" && ev["id"] == id && restTask(t, c.b, other, id)["completed_at"] != nil
	})
	if task := restTask(t, c.a, owner, id); task["completed_by"] != other.userID {
		t.Fatalf("completed by %v, want bo", task["completed_by"])
	}
	// What FamilyHub does not model came back.
	out, err = pyCalDAV(t, c.a.URL()+"/dav/", "ana@example.org", "correct horse", pyPrelude+`
tasks = [c for c in client.principal().calendars() if str(c.url).endswith("/tasks/")][0]
t = tasks.todo_by_uid("py-todo-1@example.org")
print(t.data)
t.delete()
print("DELETED")
`)
	if err != nil || !strings.Contains(out, "X-PY-CLIENT:kept") || !strings.Contains(out, "STATUS:COMPLETED") || !strings.Contains(out, "DELETED") {
		t.Fatalf("read and delete: %v\n%s", err, out)
	}
	waitUntil(t, "TASK_UPDATED for the deletion", 5*time.Second, func() bool {
		ev := ws.nextType("TASK_UPDATED", 5*time.Second)
		return ev["op"] == "delete" && ev["id"] == id
	})
	owner.call(t, c.b.URL(), http.StatusNotFound, "GET", "/api/tasks/"+id, nil, nil)
}

func TestCalDAVSyncTokensWithPythonClient(t *testing.T) {
	skipInShortMode(t, "the Python CalDAV client")
	c := newCluster(t)
	owner := newFamily(t, c.a, "ana@example.org")
	newTask := func(title string) string {
		var tk struct{ ID string }
		owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": title}, &tk)
		return tk.ID
	}
	keep, edit, gone := newTask("Keep"), newTask("Edit"), newTask("Gone")
	_ = keep
	const script = `
from caldav.lib.error import NotFoundError
tasks = [c for c in client.principal().calendars() if str(c.url).endswith("/tasks/")][0]
token = os.environ.get("TOKEN") or None
objs = tasks.objects_by_sync_token(sync_token=token, load_objects=False)
print("TOKEN", objs.sync_token)
for o in objs:
    name = str(o.url).rsplit("/", 1)[1]
    try:
        o.load()
        print("CHANGED", name)
    except NotFoundError:
        print("REMOVED", name)
`
	run := func(token string) (string, []string) {
		t.Helper()
		t.Setenv("TOKEN", token)
		out, err := pyCalDAV(t, c.b.URL()+"/dav/", "ana@example.org", "correct horse", pyPrelude+script)
		if err != nil {
			t.Fatalf("python sync: %v\n%s", err, out)
		}
		tokens := pyLines(out, "TOKEN ")
		if len(tokens) != 1 || tokens[0] == "" || tokens[0] == "None" {
			t.Fatalf("no token:\n%s", out)
		}
		got := append(pyLines(out, "CHANGED "), prefixed("-", pyLines(out, "REMOVED "))...)
		sort.Strings(got)
		return tokens[0], got
	}
	token, all := run("")
	if len(all) != 3 {
		t.Fatalf("initial sync: %v", all)
	}
	token2, none := run(token)
	if len(none) != 0 {
		t.Fatalf("nothing changed, yet: %v", none)
	}

	// Changes through REST on the other replica, one in another collection.
	added := newTask("Added")
	owner.call(t, c.b.URL(), http.StatusOK, "PATCH", "/api/tasks/"+edit, map[string]any{"title": "Edited"}, nil)
	owner.call(t, c.b.URL(), http.StatusNoContent, "DELETE", "/api/tasks/"+gone, nil, nil)
	owner.call(t, c.b.URL(), http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Elsewhere", "starts_at": "2026-03-12T09:00:00Z", "ends_at": "2026-03-12T09:30:00Z"}, nil)
	_, got := run(token2)
	want := []string{added + ".ics", edit + ".ics", "-" + gone + ".ics"}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("changes since the token\n got %v\nwant %v", got, want)
	}
}

func prefixed(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

func TestCalDAVOverridesBothWaysWithPythonClient(t *testing.T) {
	skipInShortMode(t, "the Python CalDAV client")
	c := newCluster(t)
	owner := newFamily(t, c.a, "ana@example.org")
	owner.call(t, c.a.URL(), http.StatusOK, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"}, nil)

	// An override made through REST reaches the client.
	var ev struct {
		ID, UID string
	}
	owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Choir", "starts_at": "2026-03-04T19:00:00+01:00", "ends_at": "2026-03-04T21:00:00+01:00", "rrule": "FREQ=WEEKLY;COUNT=4"}, &ev)
	owner.call(t, c.a.URL(), http.StatusOK, "PATCH", "/api/calendar/events/"+ev.ID+"/occurrences/2026-03-11T19:00:00%2B01:00",
		map[string]any{"title": "Choir (concert)", "starts_at": "2026-03-14T18:00:00+01:00", "ends_at": "2026-03-14T22:00:00+01:00"}, nil)
	t.Setenv("UID", ev.UID)
	out, err := pyCalDAV(t, c.b.URL()+"/dav/", "ana@example.org", "correct horse", pyPrelude+`
from datetime import datetime, timezone
cal = [c for c in client.principal().calendars() if str(c.url).endswith("/family/")][0]
print(cal.event_by_uid(os.environ["UID"]).data)
for e in cal.date_search(start=datetime(2026, 3, 1, tzinfo=timezone.utc), end=datetime(2026, 4, 1, tzinfo=timezone.utc), expand=True):
    for v in e.icalendar_instance.walk("VEVENT"):
        print("OCC", v.decoded("DTSTART").isoformat(), v.get("SUMMARY"))
`)
	if err != nil || !strings.Contains(out, "RECURRENCE-ID;TZID=Europe/Berlin:20260311T190000") {
		t.Fatalf("python read: %v\n%s", err, out)
	}
	occ := pyLines(out, "OCC ")
	sort.Strings(occ)
	want := []string{"2026-03-04T19:00:00+01:00 Choir", "2026-03-14T18:00:00+01:00 Choir (concert)", "2026-03-18T19:00:00+01:00 Choir", "2026-03-25T19:00:00+01:00 Choir"}
	if strings.Join(occ, "|") != strings.Join(want, "|") {
		t.Fatalf("python's expansion\n got %v\nwant %v\n%s", occ, want, out)
	}

	// An override made in the client reaches REST's occurrence list.
	out, err = pyCalDAV(t, c.a.URL()+"/dav/", "ana@example.org", "correct horse", pyPrelude+`
cal = [c for c in client.principal().calendars() if str(c.url).endswith("/family/")][0]
cal.save_event("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//python test//EN
BEGIN:VEVENT
UID:py-series@example.org
DTSTAMP:20260301T000000Z
DTSTART;TZID=Europe/Berlin:20260302T160000
DTEND;TZID=Europe/Berlin:20260302T170000
SUMMARY:Football
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:py-series@example.org
DTSTAMP:20260301T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260309T160000
DTSTART;TZID=Europe/Berlin:20260310T170000
DTEND;TZID=Europe/Berlin:20260310T180000
SUMMARY:Football (Tuesday)
END:VEVENT
END:VCALENDAR
""")
print("SAVED")
`)
	if err != nil || !strings.Contains(out, "SAVED") {
		t.Fatalf("python save: %v\n%s", err, out)
	}
	var list []struct {
		Title        string    `json:"title"`
		StartsAt     time.Time `json:"starts_at"`
		Overridden   bool      `json:"overridden"`
		RecurrenceID *string   `json:"recurrence_id"`
	}
	owner.call(t, c.b.URL(), http.StatusOK, "GET", "/api/calendar/events?from=2026-03-02T00:00:00Z&to=2026-03-21T00:00:00Z", nil, &list)
	var football []string
	for _, o := range list {
		if strings.HasPrefix(o.Title, "Football") {
			football = append(football, o.Title+" "+o.StartsAt.Format(time.RFC3339)+" "+*o.RecurrenceID+map[bool]string{true: " *"}[o.Overridden])
		}
	}
	want = []string{"Football 2026-03-02T16:00:00+01:00 2026-03-02T16:00:00+01:00", "Football (Tuesday) 2026-03-10T17:00:00+01:00 2026-03-09T16:00:00+01:00 *", "Football 2026-03-16T16:00:00+01:00 2026-03-16T16:00:00+01:00"}
	if strings.Join(football, "|") != strings.Join(want, "|") {
		t.Fatalf("REST occurrences\n got %v\nwant %v", football, want)
	}
}

// The read-only feed as a subscriber sees it: parsed by python3-icalendar
// (as well as go-ical, in the http tests), 304 when unchanged, gone when
// revoked.
func TestICalFeedWithPythonICalendar(t *testing.T) {
	skipInShortMode(t, "the Python icalendar library")
	c := newCluster(t)
	owner := newFamily(t, c.a, "ana@example.org")
	owner.call(t, c.a.URL(), http.StatusOK, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"}, nil)
	// The feed's ETag names the family's today: a Berlin midnight between
	// the first read and the If-None-Match read would answer 200, not 304.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.ClearOfMidnight(t, 2*time.Minute, berlin)
	owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Holidays", "all_day": true, "starts_at": "2026-03-30", "ends_at": "2026-04-11"}, nil)
	owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Swim", "starts_at": "2026-03-04T17:00:00+01:00", "ends_at": "2026-03-04T18:00:00+01:00", "rrule": "FREQ=WEEKLY"}, nil)
	owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/tasks", map[string]any{
		"title": "Tax return", "due_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)}, nil)
	var feed struct {
		ID, URL string
	}
	owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/calendar/feeds", map[string]any{"name": "Google", "scope": "family"}, &feed)
	// The feed is public by its secret: fetched on the other replica.
	url := strings.Replace(feed.URL, c.a.URL(), c.b.URL(), 1)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, etag := readAll(t, resp), resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		t.Fatalf("feed: %d %q", resp.StatusCode, etag)
	}
	f := filepath.Join(t.TempDir(), "feed.ics")
	if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := osexec.Command(caldavtest.Python, "-c", `
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
print("NAME", cal.get("X-WR-CALNAME"))
for c in cal.walk():
    if c.name == "VTIMEZONE":
        print("TZ", c.get("TZID"))
    if c.name == "VEVENT":
        print("EVENT", c.get("SUMMARY"), c.decoded("DTSTART").isoformat(), c.get("RRULE").to_ical().decode() if c.get("RRULE") else "")
`, f).CombinedOutput()
	if err != nil {
		t.Fatalf("python3-icalendar: %v\n%s", err, out)
	}
	events := pyLines(string(out), "EVENT ")
	sort.Strings(events)
	if len(events) != 3 || events[0] != "Holidays 2026-03-30" || events[1] != "Swim 2026-03-04T17:00:00+01:00 FREQ=WEEKLY" ||
		!strings.HasPrefix(events[2], "☐ Tax return ") || !strings.Contains(string(out), "TZ Europe/Berlin") || !strings.Contains(string(out), "NAME F") {
		t.Fatalf("python3-icalendar read:\n%s", out)
	}

	// Unchanged: 304 (to a poller on either replica); revoked: 410.
	req, _ := http.NewRequest("GET", feed.URL, nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	owner.call(t, c.b.URL(), http.StatusNoContent, "DELETE", "/api/calendar/feeds/"+feed.ID, nil, nil)
	resp, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("after revoking: %d", resp.StatusCode)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
