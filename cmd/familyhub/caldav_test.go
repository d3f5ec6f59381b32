package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/ical"
	"github.com/familyhub/familyhub/ical/caldavtest"
)

// pyCalDAV runs script with Debian's python3-caldav (an independent CalDAV
// client) and returns its output; the script gets URL, USER and PASSWORD
// in the environment.
func pyCalDAV(t *testing.T, url, user, password, script string) (string, error) {
	t.Helper()
	if err := osexec.Command(caldavtest.Python, "-c", "import caldav").Run(); err != nil {
		t.Fatalf("python3-caldav is not installed (%v): run deploy/ensure-radicale.sh (make test does)", err)
	}
	f := filepath.Join(t.TempDir(), "client.py")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := osexec.CommandContext(ctx, caldavtest.Python, f)
	cmd.Env = append(os.Environ(), "URL="+url, "USER="+user, "PASSWORD="+password)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

const pyPrelude = `
import os, sys, caldav
client = caldav.DAVClient(url=os.environ["URL"], username=os.environ["USER"], password=os.environ["PASSWORD"])
`

func TestCalDAVEndToEnd(t *testing.T) {
	skipInShortMode(t, "the Python CalDAV client")
	c := newCluster(t)
	owner := newFamily(t, c.a, "ana@example.org")
	other := join(t, c.b, owner, "bo@example.org")
	ws := dialWS(t, c.b, other, "topics=calendar")
	ws.nextType("hello", 5*time.Second)

	// The external client PUTs an event on replica A; bo's socket on
	// replica B hears of it, and REST lists it.
	out, err := pyCalDAV(t, c.a.URL()+"/dav/", "ana@example.org", "correct horse", pyPrelude+`
cal = client.principal().calendars()[0]
cal.save_event("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//python test//EN
BEGIN:VEVENT
UID:py-1@example.org
DTSTAMP:20260301T000000Z
DTSTART:20260310T170000Z
DTEND:20260310T180000Z
SUMMARY:Piano lesson
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT
END:VCALENDAR
""")
print("saved")
`)
	if err != nil || !strings.Contains(out, "saved") {
		t.Fatalf("python client: %v\n%s", err, out)
	}
	ev := ws.nextType("CALENDAR_EVENT_UPDATED", 5*time.Second)
	if ev["op"] != "insert" || ev["actor"] != owner.userID || ev["device_id"] != "caldav" {
		t.Fatalf("event: %v", ev)
	}
	titles := restTitles(t, c.b, other, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
	if strings.Join(titles, ",") != "Piano lesson,Piano lesson,Piano lesson" {
		t.Fatalf("REST occurrences: %v", titles)
	}

	// An event created over REST on replica B is listed by the external client.
	resp, err := owner.hc.Post(c.b.URL()+"/api/calendar/events", "application/json",
		strings.NewReader(`{"title":"Dentist","starts_at":"2026-03-12T09:00:00Z","ends_at":"2026-03-12T09:30:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("REST create: %d", resp.StatusCode)
	}
	out, err = pyCalDAV(t, c.b.URL()+"/dav/", "bo@example.org", "correct horse", pyPrelude+`
from datetime import datetime, timezone
cal = client.principal().calendars()[0]
for e in cal.date_search(start=datetime(2026, 3, 11, tzinfo=timezone.utc), end=datetime(2026, 3, 13, tzinfo=timezone.utc)):
    print("SUMMARY:", e.vobject_instance.vevent.summary.value)
for e in cal.events():
    print("ALL:", e.vobject_instance.vevent.summary.value)
`)
	if err != nil || !strings.Contains(out, "SUMMARY: Dentist") || strings.Contains(out, "SUMMARY: Piano") || !strings.Contains(out, "ALL: Piano lesson") {
		t.Fatalf("python listing: %v\n%s", err, out)
	}

	// A wrong password is refused.
	out, err = pyCalDAV(t, c.a.URL()+"/dav/", "ana@example.org", "wrong password", pyPrelude+`
try:
    client.principal()
    print("accepted")
except caldav.lib.error.AuthorizationError as e:
    print("refused", e)
`)
	if err != nil || !strings.Contains(out, "refused") {
		t.Fatalf("wrong password: %v\n%s", err, out)
	}
	req, _ := http.NewRequest("PROPFIND", c.b.URL()+"/dav/", nil)
	req.SetBasicAuth("ana@example.org", "wrong password")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Header.Get("WWW-Authenticate"), `Basic realm="FamilyHub"`) {
		t.Fatalf("wrong password: %d %q", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
}

func restTitles(t *testing.T, m *Main, mb member, from, to string) []string {
	t.Helper()
	resp, err := mb.hc.Get(m.URL() + "/api/calendar/events?from=" + from + "&to=" + to)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var occ []struct {
		Title    string `json:"title"`
		ReadOnly bool   `json:"read_only"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&occ); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range occ {
		out = append(out, o.Title)
	}
	return out
}

func radicaleEvent(uid, summary, start string) string {
	return fmt.Sprintf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:%s\nDTSTAMP:20260101T000000Z\nDTSTART:%s\nDURATION:PT1H\nSUMMARY:%s\nEND:VEVENT\nEND:VCALENDAR\n", uid, start, summary)
}

func TestCalDAVImportFromRadicale(t *testing.T) {
	ctx := context.Background()
	rad := caldavtest.StartRadicale(t)
	const cal = "/ana/school/"
	rad.Do("MKCALENDAR", cal, "")
	rad.Do("PUT", cal+"a.ics", radicaleEvent("a@school", "Sports day", "20260310T080000Z"))

	// Radicale runs on loopback, which subscriptions may reach only when
	// the server allows private addresses.
	c := newCluster(t, func(cfg *Config) {
		cfg.Calendar = ical.Config{SecretKey: "end-to-end secret key", AllowPrivateSubscriptions: true}
	})
	owner := newFamily(t, c.a, "ana@example.org")
	other := join(t, c.b, owner, "bo@example.org")
	ws := dialWS(t, c.b, other, "topics=calendar")
	ws.nextType("hello", 5*time.Second)

	resp, err := owner.hc.Post(c.a.URL()+"/api/calendar/subscriptions", "application/json",
		strings.NewReader(fmt.Sprintf(`{"url":%q,"name":"School","username":%q,"password":%q}`, rad.URL+cal, caldavtest.User, caldavtest.Password)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	run := func() {
		t.Helper()
		if err := ical.ImportSubscriptions(ctx, c.a.Store, c.a.Config.Calendar, testLogger()); err != nil {
			t.Fatal(err)
		}
	}
	titles := func() string {
		return strings.Join(restTitles(t, c.b, other, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"), ",")
	}

	run()
	if ev := ws.nextType("CALENDAR_EVENT_UPDATED", 5*time.Second); ev["op"] != "insert" {
		t.Fatalf("create: %v", ev)
	}
	if got := titles(); got != "Sports day" {
		t.Fatalf("after create: %q", got)
	}

	rad.Do("PUT", cal+"a.ics", radicaleEvent("a@school", "Sports day (rain date)", "20260317T080000Z"))
	run()
	if ev := ws.nextType("CALENDAR_EVENT_UPDATED", 5*time.Second); ev["op"] != "update" {
		t.Fatalf("change: %v", ev)
	}
	if got := titles(); got != "Sports day (rain date)" {
		t.Fatalf("after change: %q", got)
	}

	rad.Do("DELETE", cal+"a.ics", "")
	run()
	if ev := ws.nextType("CALENDAR_EVENT_UPDATED", 5*time.Second); ev["op"] != "delete" {
		t.Fatalf("delete: %v", ev)
	}
	if got := titles(); got != "" {
		t.Fatalf("after delete: %q", got)
	}
}
