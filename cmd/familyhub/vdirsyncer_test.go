package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	osexec "os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
)

// vdirsyncer (Debian's package) is a second independent CalDAV client: it
// syncs both collections with a folder of .ics files, both ways, by
// listing ETags (PROPFIND), fetching with calendar-multiget and writing
// with If-Match / If-None-Match.

type vdir struct {
	t     *testing.T
	cfg   string
	local string
}

func newVdir(t *testing.T, url, user, password string) *vdir {
	t.Helper()
	skipInShortMode(t, "vdirsyncer")
	if _, err := osexec.LookPath("vdirsyncer"); err != nil {
		t.Fatalf("vdirsyncer is not installed (%v): run deploy/ensure-radicale.sh (make test does)", err)
	}
	dir := t.TempDir()
	v := &vdir{t: t, cfg: filepath.Join(dir, "config"), local: filepath.Join(dir, "local")}
	for _, c := range []string{"family", "tasks"} {
		if err := os.MkdirAll(filepath.Join(v.local, c), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf(`[general]
status_path = %q

[pair fh]
a = "fh_remote"
b = "fh_local"
collections = ["family", "tasks"]

[storage fh_remote]
type = "caldav"
url = %q
username = %q
password = %q

[storage fh_local]
type = "filesystem"
path = %q
fileext = ".ics"
`, filepath.Join(dir, "status"), url, user, password, v.local)
	if err := os.WriteFile(v.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	v.run("discover", "fh")
	return v
}

func (v *vdir) run(args ...string) {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := osexec.CommandContext(ctx, "vdirsyncer", append([]string{"-c", v.cfg}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "error:") {
		v.t.Fatalf("vdirsyncer %v: %v\n%s", args, err, out)
	}
}

// items returns the local collection's items as UID → SUMMARY (+ " done"
// for a completed VTODO), failing on a UID held twice.
func (v *vdir) items(coll string) map[string]string {
	v.t.Helper()
	files, _ := filepath.Glob(filepath.Join(v.local, coll, "*.ics"))
	out := map[string]string{}
	for _, f := range files {
		cal := parseICalFile(v.t, f)
		for _, c := range cal.Children {
			if c.Name != goical.CompEvent && c.Name != goical.CompToDo {
				continue
			}
			uid, _ := c.Props.Text(goical.PropUID)
			s, _ := c.Props.Text(goical.PropSummary)
			if st := c.Props.Get(goical.PropStatus); st != nil && st.Value == "COMPLETED" {
				s += " done"
			}
			if _, dup := out[uid]; dup {
				v.t.Fatalf("%s: UID %s twice", coll, uid)
			}
			out[uid] = s
		}
	}
	return out
}

// file returns the local file holding uid.
func (v *vdir) file(coll, uid string) string {
	v.t.Helper()
	files, _ := filepath.Glob(filepath.Join(v.local, coll, "*.ics"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "UID:"+uid+"\r\n") || strings.Contains(string(b), "UID:"+uid+"\n") {
			return f
		}
	}
	v.t.Fatalf("no local file for %s in %s", uid, coll)
	return ""
}

func (v *vdir) write(coll, name, body string) {
	v.t.Helper()
	if err := os.WriteFile(filepath.Join(v.local, coll, name), []byte(strings.ReplaceAll(body, "\n", "\r\n")), 0o600); err != nil {
		v.t.Fatal(err)
	}
}

func parseICalFile(t *testing.T, f string) *goical.Calendar {
	t.Helper()
	r, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cal, err := goical.NewDecoder(r).Decode()
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return cal
}

func joinSorted(m map[string]string) string {
	var vals []string
	for _, v := range m {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	return strings.Join(vals, "|")
}

// serverState is what REST shows: event titles in March 2026 and tasks
// (open ones, and completed ones among ids) as "title [done]".
func serverState(t *testing.T, m *Main, mb member, taskIDs ...string) (string, string) {
	t.Helper()
	events := restTitles(t, m, mb, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
	sort.Strings(events)
	var open []struct{ ID, Title string }
	mb.call(t, m.URL(), http.StatusOK, "GET", "/api/tasks", nil, &open)
	seen := map[string]bool{}
	var tasks []string
	for _, tk := range open {
		seen[tk.ID] = true
		tasks = append(tasks, tk.Title)
	}
	for _, id := range taskIDs {
		if seen[id] {
			continue
		}
		var tk struct {
			Title       string
			CompletedAt *time.Time `json:"completed_at"`
		}
		mb.call(t, m.URL(), 0, "GET", "/api/tasks/"+id, nil, &tk)
		if tk.CompletedAt != nil {
			tasks = append(tasks, tk.Title+" done")
		}
	}
	sort.Strings(tasks)
	return strings.Join(events, "|"), strings.Join(tasks, "|")
}

func TestVdirsyncerBothCollections(t *testing.T) {
	skipInShortMode(t, "vdirsyncer")
	c := newCluster(t)
	owner := newFamily(t, c.a, "ana@example.org")
	owner.call(t, c.a.URL(), http.StatusOK, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"}, nil)
	var e1, e3, t1, t2, t4 struct{ ID, UID string }
	owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Dentist", "starts_at": "2026-03-12T09:00:00+01:00", "ends_at": "2026-03-12T09:30:00+01:00"}, &e1)
	owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Bins", "due_at": "2026-03-10T18:00:00Z"}, &t1)
	owner.call(t, c.a.URL(), http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Hoover"}, &t2)

	v := newVdir(t, c.a.URL()+"/dav/", "ana@example.org", "correct horse")
	v.run("sync")
	if got := joinSorted(v.items("family")); got != "Dentist" {
		t.Fatalf("local events after the first sync: %q", got)
	}
	if got := joinSorted(v.items("tasks")); got != "Bins|Hoover" {
		t.Fatalf("local tasks after the first sync: %q", got)
	}

	// Round one: changes on both sides, never to the same item.
	v.write("family", "local-e2.ics", `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//vdir test//EN
BEGIN:VEVENT
UID:local-e2@example.org
DTSTAMP:20260301T000000Z
DTSTART:20260314T100000Z
DTEND:20260314T110000Z
SUMMARY:Market
END:VEVENT
END:VCALENDAR
`)
	v.write("tasks", "local-t3.ics", `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//vdir test//EN
BEGIN:VTODO
UID:local-t3@example.org
DTSTAMP:20260301T000000Z
SUMMARY:Call grandma
END:VTODO
END:VCALENDAR
`)
	f := v.file("tasks", t1.ID+"@familyhub")
	b, _ := os.ReadFile(f)
	done := strings.Replace(string(b), "STATUS:NEEDS-ACTION", "STATUS:COMPLETED\r\nCOMPLETED:20260310T190000Z", 1)
	if done == string(b) {
		t.Fatalf("no STATUS in %s", b)
	}
	if err := os.WriteFile(f, []byte(done), 0o600); err != nil {
		t.Fatal(err)
	}
	owner.call(t, c.b.URL(), http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Parents evening", "starts_at": "2026-03-18T18:00:00+01:00", "ends_at": "2026-03-18T20:00:00+01:00"}, &e3)
	owner.call(t, c.b.URL(), http.StatusOK, "PATCH", "/api/calendar/events/"+e1.ID, map[string]any{"title": "Dentist (moved)"}, nil)
	owner.call(t, c.b.URL(), http.StatusNoContent, "DELETE", "/api/tasks/"+t2.ID, nil, nil)
	v.run("sync")

	events, tasks := serverState(t, c.a, owner, t1.ID)
	if events != "Dentist (moved)|Market|Parents evening" || tasks != "Bins done|Call grandma" {
		t.Fatalf("server after round one: events %q tasks %q", events, tasks)
	}
	if got := joinSorted(v.items("family")); got != "Dentist (moved)|Market|Parents evening" {
		t.Fatalf("local events after round one: %q", got)
	}
	if got := joinSorted(v.items("tasks")); got != "Bins done|Call grandma" {
		t.Fatalf("local tasks after round one: %q", got)
	}

	// Round two.
	if err := os.Remove(v.file("family", "local-e2@example.org")); err != nil {
		t.Fatal(err)
	}
	f = v.file("tasks", "local-t3@example.org")
	b, _ = os.ReadFile(f)
	if err := os.WriteFile(f, []byte(strings.Replace(string(b), "SUMMARY:Call grandma", "SUMMARY:Call grandma on Sunday", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	owner.call(t, c.b.URL(), http.StatusOK, "PATCH", "/api/calendar/events/"+e3.ID, map[string]any{"title": "Parents evening (school hall)"}, nil)
	owner.call(t, c.b.URL(), http.StatusNoContent, "DELETE", "/api/calendar/events/"+e1.ID, nil, nil)
	owner.call(t, c.b.URL(), http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Passport photos"}, &t4)
	v.run("sync")

	want := [2]string{"Parents evening (school hall)", "Bins done|Call grandma on Sunday|Passport photos"}
	events, tasks = serverState(t, c.a, owner, t1.ID)
	if events != want[0] || tasks != want[1] {
		t.Fatalf("server after round two: events %q tasks %q", events, tasks)
	}
	if got := joinSorted(v.items("family")); got != want[0] {
		t.Fatalf("local events after round two: %q", got)
	}
	if got := joinSorted(v.items("tasks")); got != want[1] {
		t.Fatalf("local tasks after round two: %q", got)
	}

	// Nothing changed: a sync changes nothing on either side.
	v.run("sync")
	events, tasks = serverState(t, c.a, owner, t1.ID)
	if events != want[0] || tasks != want[1] || joinSorted(v.items("family")) != want[0] || joinSorted(v.items("tasks")) != want[1] {
		t.Fatalf("a sync without changes changed something: %q %q", events, tasks)
	}
}
