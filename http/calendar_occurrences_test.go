package http

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
)

// occurrences lists [from, to) as "title start(local) [overridden]".
func occurrences(t *testing.T, c *client, from, to string) []string {
	t.Helper()
	var occ []calendarOccurrenceJSON
	c.must(http.StatusOK, "GET", rangeQuery(from, to), nil).decode(t, &occ)
	var out []string
	for _, o := range occ {
		s := o.Title + " " + o.StartsAt.Format("01-02T15:04")
		if o.Overridden {
			s += " *"
		}
		out = append(out, s)
	}
	return out
}

// occPath escapes the recurrence id as a browser's encodeURIComponent does.
func occPath(id, rid string) string {
	return "/api/calendar/events/" + id + "/occurrences/" + url.QueryEscape(rid)
}

func TestCalendarOccurrenceOverrides(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("ana@example.org", "Rivera")
	env.setTimeZone(c, "Europe/Berlin")
	id := c.weeklySwim("2026-03-22T10:00:00+01:00", "2026-03-22T11:00:00+01:00").ID.String()

	// Only this occurrence: later that day, another title.
	var occ calendarOccurrenceJSON
	c.must(http.StatusOK, "PATCH", occPath(id, "2026-03-29T10:00:00+02:00"), map[string]any{
		"title": "Swimming (late)", "starts_at": "2026-03-29T12:00:00+02:00", "ends_at": "2026-03-29T13:00:00+02:00",
	}).decode(t, &occ)
	if !occ.Overridden || occ.Title != "Swimming (late)" || occ.RecurrenceID == nil || occ.RecurrenceID.Format(time.RFC3339) != "2026-03-29T10:00:00+02:00" {
		t.Fatalf("PATCH occurrence: %+v", occ)
	}
	// The UTC spelling names the same occurrence; a change moves the 5 April
	// one to the Tuesday before.
	c.must(http.StatusOK, "PATCH", occPath(id, "2026-04-05T08:00:00Z"), map[string]any{
		"starts_at": "2026-03-31T18:00:00+02:00", "ends_at": "2026-03-31T19:00:00+02:00",
	})
	got := occurrences(t, c, "2026-03-20T00:00:00Z", "2026-04-13T00:00:00Z")
	want := "Swimming 03-22T10:00|Swimming (late) 03-29T12:00 *|Swimming 03-31T18:00 *|Swimming 04-12T10:00"
	if strings.Join(got, "|") != want {
		t.Fatalf("listing\n got %v\nwant %s", got, want)
	}
	// A range holding only the moved occurrence finds it.
	if got := occurrences(t, c, "2026-03-31T00:00:00Z", "2026-04-01T00:00:00Z"); strings.Join(got, "|") != "Swimming 03-31T18:00 *" {
		t.Fatalf("moved occurrence: %v", got)
	}
	full := c.calendarEvent(id)
	if full.Overrides == nil || len(*full.Overrides) != 2 || full.Sequence != 2 {
		t.Fatalf("GET: overrides %v sequence %d", full.Overrides, full.Sequence)
	}

	// CalDAV serves the changed occurrence as a VEVENT with RECURRENCE-ID.
	_, body, _ := davRaw(t, env, "GET", "/dav/"+acc.User.ID.String()+"/calendars/family/"+id+".ics", "", nil)
	cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	var overrides []string
	for _, e := range cal.Events() {
		if rid := e.Props.Get(goical.PropRecurrenceID); rid != nil {
			s, _ := e.Props.Text(goical.PropSummary)
			overrides = append(overrides, rid.Params.Get("TZID")+" "+rid.Value+" "+e.Props.Get(goical.PropDateTimeStart).Value+" "+s)
		}
	}
	if strings.Join(overrides, "|") != "Europe/Berlin 20260329T100000 20260329T120000 Swimming (late)|Europe/Berlin 20260405T100000 20260331T180000 Swimming" {
		t.Fatalf("CalDAV overrides: %v\n%s", overrides, body)
	}

	// Not an occurrence: 404; a single event has none: 409.
	c.must(http.StatusNotFound, "PATCH", occPath(id, "2026-03-30T10:00:00+02:00"), map[string]any{"title": "x"})
	c.must(http.StatusNotFound, "PATCH", occPath(id, "not-a-time"), map[string]any{"title": "x"})
	var single calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{"title": "Once", "starts_at": "2026-07-23T10:00:00+02:00", "ends_at": "2026-07-23T11:00:00+02:00"}).decode(t, &single)
	c.must(http.StatusConflict, "PATCH", occPath(single.ID.String(), "2026-07-23T10:00:00+02:00"), map[string]any{"title": "x"})
	c.must(http.StatusUnprocessableEntity, "PATCH", occPath(id, "2026-04-12T10:00:00+02:00"), map[string]any{"ends_at": "2026-04-12T09:00:00+02:00"})
	c.must(http.StatusUnprocessableEntity, "PATCH", occPath(id, "2026-04-12T10:00:00+02:00"), map[string]any{"rrule": "FREQ=DAILY"})

	// Delete only this occurrence: it joins exdates, and its change goes.
	c.must(http.StatusNoContent, "DELETE", occPath(id, "2026-03-29T10:00:00+02:00"), nil)
	c.must(http.StatusNotFound, "DELETE", occPath(id, "2026-03-29T10:00:00+02:00"), nil)
	if got := occurrences(t, c, "2026-03-20T00:00:00Z", "2026-04-13T00:00:00Z"); strings.Join(got, "|") != "Swimming 03-22T10:00|Swimming 03-31T18:00 *|Swimming 04-12T10:00" {
		t.Fatalf("after deleting one: %v", got)
	}

	// This and following: split on 19 April with a new title.
	var split calendarSplitJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events/"+id+"/split", map[string]any{
		"recurrence_id": "2026-04-19T10:00:00+02:00", "title": "Swim club",
	}).decode(t, &split)
	if split.Ended == nil || split.Ended.RRule == nil || *split.Ended.RRule != "FREQ=WEEKLY;UNTIL=20260419T075959Z" ||
		split.Following.Title != "Swim club" || split.Following.RRule == nil || *split.Following.RRule != "FREQ=WEEKLY" ||
		split.Following.StartsAt.Format(time.RFC3339) != "2026-04-19T10:00:00+02:00" || split.Following.UID == split.Ended.UID {
		t.Fatalf("split: %+v", split)
	}
	if got := occurrences(t, c, "2026-04-10T00:00:00Z", "2026-05-04T00:00:00Z"); strings.Join(got, "|") != "Swimming 04-12T10:00|Swim club 04-19T10:00|Swim club 04-26T10:00|Swim club 05-03T10:00" {
		t.Fatalf("after the split: %v", got)
	}
	// Delete this and following of the new series from 26 April.
	c.must(http.StatusNoContent, "DELETE", occPath(split.Following.ID.String(), "2026-04-26T10:00:00+02:00")+"?following=true", nil)
	if got := occurrences(t, c, "2026-04-10T00:00:00Z", "2026-06-01T00:00:00Z"); strings.Join(got, "|") != "Swimming 04-12T10:00|Swim club 04-19T10:00" {
		t.Fatalf("after deleting the following: %v", got)
	}
	// From the first occurrence on, "following" is the whole series.
	c.must(http.StatusNoContent, "DELETE", occPath(split.Following.ID.String(), "2026-04-19T10:00:00+02:00")+"?following=true", nil)
	c.must(http.StatusNotFound, "GET", "/api/calendar/events/"+split.Following.ID.String(), nil)

	// A change of the whole series' time drops changes of occurrences that
	// are no occurrences any more.
	c.must(http.StatusOK, "PATCH", "/api/calendar/events/"+id, map[string]any{"starts_at": "2026-03-22T09:00:00+01:00", "ends_at": "2026-03-22T10:00:00+01:00"})
	full = c.calendarEvent(id)
	if len(*full.Overrides) != 0 {
		t.Fatalf("overrides after moving the series: %+v", *full.Overrides)
	}
}

// An all-day series: occurrences are named by their date, and split with
// a date UNTIL.
func TestCalendarAllDayOccurrences(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("ana@example.org", "Rivera")
	env.setTimeZone(c, "Europe/Berlin")
	var ev calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Bins", "all_day": true, "starts_at": "2026-03-02", "ends_at": "2026-03-03", "rrule": "FREQ=WEEKLY;COUNT=6",
	}).decode(t, &ev)
	id := ev.ID.String()
	c.must(http.StatusOK, "PATCH", occPath(id, "2026-03-09"), map[string]any{"title": "Bins (glass)"})
	var split calendarSplitJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events/"+id+"/split", map[string]any{"recurrence_id": "2026-03-23"}).decode(t, &split)
	if *split.Ended.RRule != "FREQ=WEEKLY;UNTIL=20260322" || *split.Following.RRule != "FREQ=WEEKLY;COUNT=3" {
		t.Fatalf("split: %s / %s", *split.Ended.RRule, *split.Following.RRule)
	}
	got := occurrences(t, c, "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z")
	if strings.Join(got, "|") != "Bins 03-02T00:00|Bins (glass) 03-09T00:00 *|Bins 03-16T00:00|Bins 03-23T00:00|Bins 03-30T00:00|Bins 04-06T00:00" {
		t.Fatalf("all-day: %v", got)
	}
}

// An override made over CalDAV (a second VEVENT with RECURRENCE-ID) shows
// in REST's listing.
func TestCalDAVOverrideShowsInREST(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("ana@example.org", "Rivera")
	env.setTimeZone(c, "Europe/Berlin")
	body := strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:x
BEGIN:VEVENT
UID:piano@x
DTSTAMP:20260301T000000Z
DTSTART;TZID=Europe/Berlin:20260303T170000
DTEND;TZID=Europe/Berlin:20260303T180000
SUMMARY:Piano
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:piano@x
DTSTAMP:20260301T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260310T170000
DTSTART;TZID=Europe/Berlin:20260311T160000
DTEND;TZID=Europe/Berlin:20260311T170000
SUMMARY:Piano (Wednesday)
X-KEPT:yes
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n")
	path := "/dav/" + acc.User.ID.String() + "/calendars/family/piano.ics"
	if st, b, _ := davRaw(t, env, "PUT", path, body, nil); st != http.StatusCreated {
		t.Fatalf("PUT: %d %s", st, b)
	}
	got := occurrences(t, c, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
	if strings.Join(got, "|") != "Piano 03-03T17:00|Piano (Wednesday) 03-11T16:00 *|Piano 03-17T17:00" {
		t.Fatalf("REST: %v", got)
	}
	// Served back with its unmodelled property.
	_, served, _ := davRaw(t, env, "GET", path, "", nil)
	if !strings.Contains(served, "X-KEPT:yes") || strings.Count(served, "BEGIN:VEVENT") != 2 {
		t.Fatalf("GET:\n%s", served)
	}
	// Dropping the override in the app drops it in REST.
	single := body[:strings.Index(body, "BEGIN:VEVENT\r\nUID:piano@x\r\nDTSTAMP:20260301T000000Z\r\nRECURRENCE-ID")] + "END:VCALENDAR\r\n"
	if st, b, _ := davRaw(t, env, "PUT", path, single, nil); st >= 300 {
		t.Fatalf("PUT without override: %d %s", st, b)
	}
	if got := occurrences(t, c, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"); strings.Join(got, "|") != "Piano 03-03T17:00|Piano 03-10T17:00|Piano 03-17T17:00" {
		t.Fatalf("REST after dropping: %v", got)
	}
}

func TestICalFeeds(t *testing.T) {
	t.Parallel()
	oneDay(t) // the feed's ETag names the family's today: the 304 read must fall on the same day
	env := newTestEnv(t, Config{})
	c, acc := env.signup("ana@example.org", "Rivera")
	other, _ := env.signup("bo@example.org", "Other")
	env.setTimeZone(c, "Europe/Berlin")
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{"title": "Dentist", "starts_at": "2026-03-12T09:00:00+01:00", "ends_at": "2026-03-12T09:30:00+01:00", "rrule": "FREQ=MONTHLY;COUNT=2"})
	due := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Mine", "due_at": due, "assignee_id": acc.User.ID})
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Unassigned", "due_at": due})
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "No date"})

	var fam, mine feedJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/feeds", map[string]any{"name": "Google", "scope": "family"}).decode(t, &fam)
	c.must(http.StatusCreated, "POST", "/api/calendar/feeds", map[string]any{"name": "Outlook", "scope": "member"}).decode(t, &mine)
	if !strings.HasPrefix(fam.URL, env.ts.URL+"/ical/") || !strings.HasSuffix(fam.URL, ".ics") || !strings.HasPrefix(fam.WebcalURL, "webcal://") ||
		mine.Scope != "member" || mine.MemberID == nil || *mine.MemberID != acc.User.ID {
		t.Fatalf("created: %+v %+v", fam, mine)
	}
	c.must(http.StatusUnprocessableEntity, "POST", "/api/calendar/feeds", map[string]any{"name": "x", "scope": "everyone"})
	c.must(http.StatusUnprocessableEntity, "POST", "/api/calendar/feeds", map[string]any{"name": "x", "scope": "member", "member_id": "00000000-0000-0000-0000-000000000001"})
	var list []map[string]any
	c.must(http.StatusOK, "GET", "/api/calendar/feeds", nil).decode(t, &list)
	if len(list) != 2 || list[0]["url"] != nil {
		t.Fatalf("list: %v", list)
	}

	get := func(u, inm string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", u, nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("ETag"), string(b)
	}
	summaries := func(body string) []string {
		t.Helper()
		cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
		if err != nil {
			t.Fatalf("feed does not parse: %v\n%s", err, body)
		}
		var out []string
		for _, e := range cal.Events() {
			s, _ := e.Props.Text(goical.PropSummary)
			out = append(out, s)
		}
		return out
	}
	st, etag, body := get(fam.URL, "")
	if st != http.StatusOK || etag == "" || !strings.Contains(body, "BEGIN:VTIMEZONE") {
		t.Fatalf("family feed: %d %q\n%s", st, etag, body)
	}
	if got := summaries(body); len(got) != 3 || got[0] != "Dentist" || !slices.Contains(got, "☐ Mine — ana") || !slices.Contains(got, "☐ Unassigned") {
		t.Fatalf("family feed: %q", got)
	}
	_, _, mb := get(mine.URL, "")
	if got := strings.Join(summaries(mb), "|"); got != "Dentist|☐ Mine" {
		t.Fatalf("member feed: %q", got)
	}
	// Nothing changed: 304; a change: a new ETag.
	if st, _, _ := get(fam.URL, etag); st != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", st)
	}
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{"title": "New", "starts_at": "2026-03-13T09:00:00+01:00", "ends_at": "2026-03-13T09:30:00+01:00"})
	if st, etag2, _ := get(fam.URL, etag); st != http.StatusOK || etag2 == etag {
		t.Fatalf("after a change: %d %q", st, etag2)
	}
	// Revoked: 410; unknown: 404; another family cannot revoke it.
	other.must(http.StatusNotFound, "DELETE", "/api/calendar/feeds/"+fam.ID.String(), nil)
	c.must(http.StatusNoContent, "DELETE", "/api/calendar/feeds/"+fam.ID.String(), nil)
	if st, _, _ := get(fam.URL, ""); st != http.StatusGone {
		t.Fatalf("revoked: %d", st)
	}
	if st, _, _ := get(env.ts.URL+"/ical/nope.ics", ""); st != http.StatusNotFound {
		t.Fatalf("unknown: %d", st)
	}
	c.must(http.StatusOK, "GET", "/api/calendar/feeds", nil).decode(t, &list)
	if len(list) != 1 {
		t.Fatalf("after revoking: %v", list)
	}
}

// The occurrence endpoints and split take If-Match with the series'
// version, as PATCH of the series does (the PWA sends the version its
// dialog opened): an old one is 412 with the series as it is now.
func TestCalendarOccurrenceIfMatch(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("ana@example.org", "Rivera")
	ev := c.weeklySwim("2026-03-22T10:00:00Z", "2026-03-22T11:00:00Z")
	id, old := ev.ID.String(), ifMatchVersion(ev.Version)
	st, _, b, err := c.send("PATCH", occPath(id, "2026-03-29T10:00:00Z"), `{"title":"Late"}`, old)
	if err != nil || st != http.StatusOK {
		t.Fatalf("PATCH occurrence with the current version: %d %s %v", st, b, err)
	}
	var occ calendarOccurrenceJSON
	if err := json.Unmarshal(b, &occ); err != nil || occ.Version <= ev.Version {
		t.Fatalf("PATCH occurrence answers version %d, want more than %d (%v)", occ.Version, ev.Version, err)
	}
	for _, r := range []struct{ method, path, body string }{
		{"PATCH", occPath(id, "2026-04-05T10:00:00Z"), `{"title":"Late"}`},
		{"DELETE", occPath(id, "2026-04-05T10:00:00Z"), ""},
		{"DELETE", occPath(id, "2026-04-05T10:00:00Z") + "?following=true", ""},
		{"POST", "/api/calendar/events/" + id + "/split", `{"recurrence_id":"2026-04-05T10:00:00Z","title":"Club"}`},
	} {
		st, _, b, err := c.send(r.method, r.path, r.body, old)
		var stale struct {
			Error   struct{ Code string }
			Current calendarEventJSON
		}
		_ = json.Unmarshal(b, &stale)
		if err != nil || st != http.StatusPreconditionFailed || stale.Error.Code != "conflict" || stale.Current.Version != occ.Version {
			t.Errorf("%s %s with an old version: %d %s %v", r.method, r.path, st, b, err)
		}
	}
	if got := occurrences(t, c, "2026-03-20T00:00:00Z", "2026-04-13T00:00:00Z"); strings.Join(got, "|") != "Swimming 03-22T10:00|Late 03-29T10:00 *|Swimming 04-05T10:00|Swimming 04-12T10:00" {
		t.Fatalf("refused writes changed the series: %v", got)
	}
}

// Each occurrence of a series carries the series as it is defined (its
// first start and end, its texts), also a changed one: a device that read
// a range can open and change the whole series offline. A single event
// has none.
func TestCalendarOccurrenceSeries(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("ana@example.org", "Rivera")
	env.setTimeZone(c, "Europe/Berlin")
	var ev calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Swimming", "location": "Pool", "starts_at": "2026-03-22T10:00:00+01:00", "ends_at": "2026-03-22T11:00:00+01:00", "rrule": "FREQ=WEEKLY",
	}).decode(t, &ev)
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Dentist", "starts_at": "2026-04-01T10:00:00+02:00", "ends_at": "2026-04-01T11:00:00+02:00",
	})
	c.must(http.StatusOK, "PATCH", occPath(ev.ID.String(), "2026-04-05T10:00:00+02:00"), map[string]any{
		"title": "Swimming (late)", "location": "Lake", "starts_at": "2026-04-05T12:00:00+02:00", "ends_at": "2026-04-05T13:00:00+02:00",
	})
	var occ []calendarOccurrenceJSON
	c.must(http.StatusOK, "GET", rangeQuery("2026-03-30T00:00:00+02:00", "2026-04-13T00:00:00+02:00"), nil).decode(t, &occ)
	var got []string
	for _, o := range occ {
		s := "-"
		if o.Series != nil {
			s = fmt.Sprintf("%s %s %s–%s %v", o.Series.Title, o.Series.Location, o.Series.StartsAt.Format(time.RFC3339), o.Series.EndsAt.Format(time.RFC3339), o.Series.AllDay)
		}
		got = append(got, o.Title+" "+o.StartsAt.Format("01-02T15:04")+": "+s)
	}
	want := []string{
		"Dentist 04-01T10:00: -",
		"Swimming (late) 04-05T12:00: Swimming Pool 2026-03-22T10:00:00+01:00–2026-03-22T11:00:00+01:00 false",
		"Swimming 04-12T10:00: Swimming Pool 2026-03-22T10:00:00+01:00–2026-03-22T11:00:00+01:00 false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
