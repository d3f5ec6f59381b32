package http

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/ical"
	"github.com/familyhub/familyhub/ical/caldavtest"
)

// davClient is the go-webdav CalDAV client (an implementation independent
// of the server side) signed in as email with password.
func (e *testEnv) davClient(email, password string) *caldav.Client {
	e.t.Helper()
	c, err := caldav.NewClient(webdav.HTTPClientWithBasicAuth(http.DefaultClient, email, password), e.ts.URL+"/dav/")
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestCalDAVDiscoveryAndRoundTrip(t *testing.T) {
	env := newTestEnv(t, Config{})
	c, acc := env.signup("ana@example.org", "Rivera")
	c.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"})
	ctx := context.Background()
	dav := env.davClient("ana@example.org", "correct horse")

	// RFC 6764 well-known URL.
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(env.ts.URL + "/.well-known/caldav")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/dav/" {
		t.Fatalf("well-known: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	principal, err := webdavPrincipal(ctx, env, "ana@example.org", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/dav/" + acc.User.ID.String() + "/"; principal != want {
		t.Fatalf("principal %q, want %q", principal, want)
	}
	home, err := dav.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		t.Fatal(err)
	}
	cals, err := dav.FindCalendars(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	// The events and the tasks, each with the one component it holds.
	if len(cals) != 2 || cals[0].Name != "Rivera" || strings.Join(cals[0].SupportedComponentSet, ",") != "VEVENT" ||
		!strings.HasSuffix(cals[1].Path, "/tasks/") || strings.Join(cals[1].SupportedComponentSet, ",") != "VTODO" {
		t.Fatalf("calendars: %+v", cals)
	}
	calPath := cals[0].Path

	// PUT a weekly series with an EXDATE and an alarm, and an all-day event.
	put, err := dav.PutCalendarObject(ctx, calPath+"swim.ics", caldavtest.ParseICal(t, caldavtest.RecurringICal))
	if err != nil {
		t.Fatal(err)
	}
	if put.ETag == "" {
		t.Fatal("PUT returned no ETag")
	}
	if _, err := dav.PutCalendarObject(ctx, calPath+"trip.ics", caldavtest.ParseICal(t, caldavtest.AllDayICal)); err != nil {
		t.Fatal(err)
	}

	// REST shows the same occurrences: 22 Mar, 29 Mar (after the DST change,
	// still 10:00 local), not 5 Apr (EXDATE), 12 Apr.
	var occ []calendarOccurrenceJSON
	c.must(http.StatusOK, "GET", rangeQuery("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"), nil).decode(t, &occ)
	var starts []string
	for _, o := range occ {
		starts = append(starts, o.Title+" "+o.StartsAt.Format(time.RFC3339))
	}
	want := []string{"Swimming 2026-03-22T10:00:00+01:00", "Trip 2026-03-29T00:00:00+01:00", "Swimming 2026-03-29T10:00:00+02:00", "Swimming 2026-04-12T10:00:00+02:00"}
	if strings.Join(starts, "|") != strings.Join(want, "|") {
		t.Fatalf("REST occurrences\n got %v\nwant %v", starts, want)
	}
	for _, o := range occ {
		if o.Title == "Trip" && (!o.AllDay || o.EndsAt.Format(time.DateOnly) != "2026-03-31") {
			t.Fatalf("all-day event over REST: %+v", o)
		}
	}

	// GET round-trips the modelled and the unmodelled properties.
	obj, err := dav.GetCalendarObject(ctx, calPath+"swim.ics")
	if err != nil {
		t.Fatal(err)
	}
	if obj.ETag != put.ETag {
		t.Fatalf("ETag after GET %q, after PUT %q", obj.ETag, put.ETag)
	}
	ev := obj.Data.Events()[0]
	if rr := ev.Props.Get(goical.PropRecurrenceRule); rr == nil || rr.Value != "FREQ=WEEKLY;COUNT=4" {
		t.Fatalf("RRULE: %+v", rr)
	}
	if ex := ev.Props.Get(goical.PropExceptionDates); ex == nil || ex.Value != "20260405T100000" || ex.Params.Get("TZID") != "Europe/Berlin" {
		t.Fatalf("EXDATE: %+v", ex)
	}
	if len(ev.Children) != 1 || ev.Children[0].Name != goical.CompAlarm {
		t.Fatalf("VALARM lost: %+v", ev.Children)
	}
	trip, err := dav.GetCalendarObject(ctx, calPath+"trip.ics")
	if err != nil {
		t.Fatal(err)
	}
	tev := trip.Data.Events()[0]
	if p := tev.Props.Get(goical.PropDateTimeStart); p.Value != "20260329" || p.ValueType() != goical.ValueDate {
		t.Fatalf("all-day DTSTART: %+v", p)
	}
	if p := tev.Props.Get(goical.PropDateTimeEnd); p.Value != "20260331" {
		t.Fatalf("all-day DTEND: %+v", p)
	}
	if p := tev.Props.Get("X-CUSTOM"); p == nil || p.Value != "kept" {
		t.Fatalf("X-CUSTOM lost: %+v", tev.Props)
	}

	// A REST change shows over CalDAV, with a new ETag.
	var list []calendarEventJSON
	for _, o := range occ {
		if o.Title == "Swimming" {
			list = append(list, o.calendarEventJSON)
		}
	}
	c.must(http.StatusOK, "PATCH", "/api/calendar/events/"+list[0].ID.String(), map[string]any{"title": "Swim club"})
	obj2, err := dav.GetCalendarObject(ctx, calPath+"swim.ics")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := obj2.Data.Events()[0].Props.Text(goical.PropSummary); s != "Swim club" || obj2.ETag == obj.ETag {
		t.Fatalf("after REST PATCH: summary %q etag %q (was %q)", s, obj2.ETag, obj.ETag)
	}
	if len(obj2.Data.Events()[0].Children) != 1 {
		t.Fatal("VALARM lost after a REST change")
	}

	// calendar-query with a time range, using the series' expansion.
	q := func(from, to string) []string {
		t.Helper()
		f, _ := time.Parse(time.RFC3339, from)
		tt, _ := time.Parse(time.RFC3339, to)
		objs, err := dav.QueryCalendar(ctx, calPath, &caldav.CalendarQuery{
			CompRequest: caldav.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, AllComps: true},
			CompFilter:  caldav.CompFilter{Name: "VCALENDAR", Comps: []caldav.CompFilter{{Name: "VEVENT", Start: f, End: tt}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range objs {
			names = append(names, o.Path[strings.LastIndex(o.Path, "/")+1:])
		}
		return names
	}
	if got := q("2026-04-05T00:00:00Z", "2026-04-06T00:00:00Z"); len(got) != 0 {
		t.Fatalf("query on the EXDATE day: %v", got)
	}
	if got := q("2026-04-12T00:00:00Z", "2026-04-13T00:00:00Z"); strings.Join(got, ",") != "swim.ics" {
		t.Fatalf("query 12 April: %v", got)
	}
	if got := q("2026-03-30T00:00:00Z", "2026-03-31T00:00:00Z"); strings.Join(got, ",") != "trip.ics" {
		t.Fatalf("query 30 March: %v", got)
	}
	if got := q("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"); len(got) != 0 {
		t.Fatalf("query after the series: %v", got)
	}

	// calendar-multiget.
	mg, err := dav.MultiGetCalendar(ctx, calPath, &caldav.CalendarMultiGet{
		Paths: []string{calPath + "swim.ics", calPath + "trip.ics"}, CompRequest: caldav.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, AllComps: true},
	})
	if err != nil || len(mg) != 2 {
		t.Fatalf("multiget: %v %d", err, len(mg))
	}

	// If-Match with a stale ETag: 412; with the current one: updated.
	stale := davPut(t, env, calPath+"swim.ics", caldavtest.RecurringICal, map[string]string{"If-Match": `"` + obj.ETag + `"`})
	if stale != http.StatusPreconditionFailed {
		t.Fatalf("PUT with stale If-Match: %d", stale)
	}
	if st := davPut(t, env, calPath+"swim.ics", caldavtest.RecurringICal, map[string]string{"If-Match": `"` + obj2.ETag + `"`}); st != http.StatusCreated && st != http.StatusNoContent {
		t.Fatalf("PUT with current If-Match: %d", st)
	}
	if st := davPut(t, env, calPath+"new.ics", strings.ReplaceAll(caldavtest.AllDayICal, "trip-1", "trip-2"), map[string]string{"If-Match": `"nope"`}); st != http.StatusPreconditionFailed {
		t.Fatalf("PUT new with If-Match: %d", st)
	}
	if st := davPut(t, env, calPath+"trip.ics", caldavtest.AllDayICal, map[string]string{"If-None-Match": "*"}); st != http.StatusPreconditionFailed {
		t.Fatalf("PUT existing with If-None-Match *: %d", st)
	}
	// The same UID under another name is a UID conflict.
	if st := davPut(t, env, calPath+"other.ics", caldavtest.AllDayICal, nil); st != http.StatusConflict && st != http.StatusForbidden {
		t.Fatalf("PUT with a taken UID: %d", st)
	}
	// Not iCalendar we can store: 4xx, nothing written.
	if st := davPut(t, env, calPath+"bad.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", nil); st < 400 || st >= 500 {
		t.Fatalf("PUT a VTODO: %d", st)
	}

	// A body the iCalendar decoder chokes on: 400, not a crash.
	if st := davDo(t, env, "PUT", calPath+"bad2.ics", "BEGIN:VCALENDAR\r\nX;A=\r\nEND:VCALENDAR\r\n", nil); st != http.StatusBadRequest {
		t.Fatalf("PUT malformed: %d", st)
	}

	// DELETE with a stale If-Match: 412; then for real.
	if st := davDo(t, env, "DELETE", calPath+"trip.ics", "", map[string]string{"If-Match": `"stale"`}); st != http.StatusPreconditionFailed {
		t.Fatalf("DELETE with stale If-Match: %d", st)
	}
	if st := davDo(t, env, "DELETE", calPath+"trip.ics", "", nil); st != http.StatusNoContent {
		t.Fatalf("DELETE: %d", st)
	}
	if _, err := dav.GetCalendarObject(ctx, calPath+"trip.ics"); err == nil {
		t.Fatal("deleted event still served")
	}

	// An event created over REST is served as <id>.ics.
	var rest calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{
		"title": "Dentist", "starts_at": "2026-05-04T09:00:00+02:00", "ends_at": "2026-05-04T09:30:00+02:00",
	}).decode(t, &rest)
	o, err := dav.GetCalendarObject(ctx, calPath+rest.ID.String()+".ics")
	if err != nil {
		t.Fatal(err)
	}
	if uid, _ := o.Data.Events()[0].Props.Text(goical.PropUID); uid != rest.UID {
		t.Fatalf("UID %q, want %q", uid, rest.UID)
	}

	// Events carry the CalDAV user as actor.
	var actor string
	if err := env.pool.QueryRow(ctx, `SELECT actor_id::text FROM event_log WHERE type = 'CALENDAR_EVENT_UPDATED' ORDER BY seq LIMIT 1`).Scan(&actor); err != nil {
		t.Fatal(err)
	}
	if actor != acc.User.ID.String() {
		t.Fatalf("actor %q, want %q", actor, acc.User.ID)
	}
}

func webdavPrincipal(ctx context.Context, env *testEnv, email, password string) (string, error) {
	wc, err := webdav.NewClient(webdav.HTTPClientWithBasicAuth(http.DefaultClient, email, password), env.ts.URL+"/dav/")
	if err != nil {
		return "", err
	}
	return wc.FindCurrentUserPrincipal(ctx)
}

func davDo(t *testing.T, env *testEnv, method, path, body string, hdr map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(method, env.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("ana@example.org", "correct horse")
	if body != "" {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func davPut(t *testing.T, env *testEnv, path, body string, hdr map[string]string) int {
	t.Helper()
	return davDo(t, env, "PUT", path, strings.ReplaceAll(body, "\n", "\r\n"), hdr)
}

func TestCalDAVAuth(t *testing.T) {
	env := newTestEnv(t, Config{})
	c, acc := env.signup("ana@example.org", "Rivera")
	env.signup("bo@example.org", "Other")
	ctx := context.Background()

	status := func(user, pass string) (int, string) {
		req, _ := http.NewRequest("PROPFIND", env.ts.URL+"/dav/", strings.NewReader(`<?xml version="1.0"?><propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>`))
		req.Header.Set("Depth", "0")
		req.Header.Set("Content-Type", "application/xml")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
	}
	if st, h := status("", ""); st != http.StatusUnauthorized || !strings.HasPrefix(h, `Basic realm="FamilyHub"`) {
		t.Fatalf("no credentials: %d %q", st, h)
	}
	if st, h := status("ana@example.org", "wrong password"); st != http.StatusUnauthorized || h == "" {
		t.Fatalf("wrong password: %d %q", st, h)
	}
	if st, _ := status("ANA@example.org", "correct horse"); st != http.StatusMultiStatus {
		t.Fatalf("right password: %d", st)
	}

	// App passwords: created (shown once), listed without secret, usable, revocable.
	var ap appPasswordJSON
	c.must(http.StatusCreated, "POST", "/api/dav/app-passwords", map[string]any{"name": "Thunderbird"}).decode(t, &ap)
	if len(ap.Password) != 29 || ap.Name != "Thunderbird" {
		t.Fatalf("app password: %+v", ap)
	}
	var list []map[string]any
	c.must(http.StatusOK, "GET", "/api/dav/app-passwords", nil).decode(t, &list)
	if len(list) != 1 || list[0]["password"] != nil {
		t.Fatalf("list: %v", list)
	}
	if st, _ := status("ana@example.org", ap.Password); st != http.StatusMultiStatus {
		t.Fatalf("app password: %d", st)
	}
	if st, _ := status("ana@example.org", strings.ToUpper(strings.ReplaceAll(ap.Password, "-", " "))); st != http.StatusMultiStatus {
		t.Fatalf("app password typed loosely: %d", st)
	}
	// Someone else's app password is not ana's.
	if st, _ := status("bo@example.org", ap.Password); st != http.StatusUnauthorized {
		t.Fatalf("app password with another email: %d", st)
	}
	c.must(http.StatusNoContent, "DELETE", "/api/dav/app-passwords/"+ap.ID.String(), nil)
	c.must(http.StatusNotFound, "DELETE", "/api/dav/app-passwords/"+ap.ID.String(), nil)
	if st, _ := status("ana@example.org", ap.Password); st != http.StatusUnauthorized {
		t.Fatalf("revoked app password: %d", st)
	}
	c.must(http.StatusUnprocessableEntity, "POST", "/api/dav/app-passwords", map[string]any{"name": ""})

	// Another user's principal and calendar are not found.
	_ = acc
	dav := env.davClient("bo@example.org", "correct horse")
	if cals, err := dav.FindCalendars(ctx, "/dav/"+acc.User.ID.String()+"/calendars/"); err == nil && len(cals) > 0 {
		t.Fatal("bo listed ana's calendars")
	}
	if _, err := dav.GetCalendarObject(ctx, "/dav/"+acc.User.ID.String()+"/calendars/family/x.ics"); err == nil {
		t.Fatal("bo read from ana's calendar path")
	}

	// Failed Basic attempts count like failed logins: the account locks.
	for range db.MaxFailuresByEmail {
		status("locked@example.org", "wrong password")
	}
	if st, _ := status("locked@example.org", "wrong password"); st != http.StatusTooManyRequests {
		t.Fatalf("after %d failures: %d", db.MaxFailuresByEmail, st)
	}
	lc := env.newClient()
	if r := lc.do("POST", "/api/auth/login", map[string]any{"email": "locked@example.org", "password": "whatever!"}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("login after CalDAV failures: %d", r.StatusCode)
	}
}

func TestCalDAVReadOnlyImportedEvent(t *testing.T) {
	env := newTestEnv(t, Config{Calendar: ical.Config{SecretKey: "test secret key 0123456789"}})
	c, acc := env.signup("ana@example.org", "Rivera")
	sub, id := env.importedEvent(c, acc)
	path := "/dav/" + acc.User.ID.String() + "/calendars/family/" + id + ".ics"
	if st := davDo(t, env, "DELETE", path, "", nil); st != http.StatusForbidden {
		t.Fatalf("DELETE imported: %d", st)
	}
	body := "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:imp@x\nDTSTAMP:20260101T000000Z\nDTSTART:20260101T100000Z\nSUMMARY:Changed\nEND:VEVENT\nEND:VCALENDAR\n"
	if st := davPut(t, env, path, body, nil); st != http.StatusForbidden {
		t.Fatalf("PUT imported: %d", st)
	}
	c.must(http.StatusForbidden, "PATCH", "/api/calendar/events/"+id, map[string]any{"title": "x"})
	// Deleting the subscription deletes its events (in the same statement:
	// the foreign key of 00030 cascades), and each deletion is announced,
	// so open apps and CalDAV clients drop the event.
	c.must(http.StatusNoContent, "DELETE", "/api/calendar/subscriptions/"+sub.ID.String(), nil)
	if n := env.count("calendar_events"); n != 0 {
		t.Fatalf("%d events left after unsubscribing", n)
	}
	var announced, tombstones int
	if err := env.pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM event_log WHERE entity_id = $1::uuid AND type = 'CALENDAR_EVENT_UPDATED' AND channel = 'familyhub_calendar' AND op = 'delete'),
		(SELECT count(*) FROM dav_tombstones WHERE entity_id = $1::uuid)`, id).Scan(&announced, &tombstones); err != nil {
		t.Fatal(err)
	}
	if announced != 1 || tombstones != 1 {
		t.Fatalf("the imported event's deletion: %d CALENDAR_EVENT_UPDATED deletes, %d tombstones; want 1 and 1", announced, tombstones)
	}
}

func TestCalendarSubscriptionAPI(t *testing.T) {
	t.Run("no key", func(t *testing.T) {
		env := newTestEnv(t, Config{})
		c, _ := env.signup("ana@example.org", "Rivera")
		e := c.must(http.StatusUnprocessableEntity, "POST", "/api/calendar/subscriptions", map[string]any{
			"url": "https://example.org/dav/cal/", "name": "Work", "username": "ana", "password": "secret",
		}).errorBody(t)
		if e.Field != "password" || !strings.Contains(e.Message, "FAMILYHUB_SECRET_KEY") {
			t.Fatalf("error: %+v", e)
		}
		// Without a password it is fine.
		c.must(http.StatusCreated, "POST", "/api/calendar/subscriptions", map[string]any{"url": "https://example.org/a.ics", "name": "Feed"})
	})
	t.Run("with key", func(t *testing.T) {
		env := newTestEnv(t, Config{Calendar: ical.Config{SecretKey: "test secret key 0123456789"}})
		c, acc := env.signup("ana@example.org", "Rivera")
		other, _ := env.signup("bo@example.org", "Other")
		var sub subscriptionJSON
		r := c.must(http.StatusCreated, "POST", "/api/calendar/subscriptions", map[string]any{
			"url": "https://example.org/dav/cal/", "name": "Work", "username": "ana", "password": "s3cret",
		})
		r.decode(t, &sub)
		if strings.Contains(string(r.body), "s3cret") || !sub.HasPassword || sub.Username != "ana" {
			t.Fatalf("created: %s", r.body)
		}
		var sealed []byte
		if err := env.pool.QueryRow(context.Background(), `SELECT password_enc FROM calendar_subscriptions WHERE id = $1`, sub.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(sealed), "s3cret") {
			t.Fatal("password stored in clear")
		}
		plain, err := ical.OpenSecret(env.server.cfg.Calendar.Key(), sealed, sub.ID[:])
		if err != nil || string(plain) != "s3cret" {
			t.Fatalf("open: %q %v", plain, err)
		}
		var list []subscriptionJSON
		c.must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil).decode(t, &list)
		if len(list) != 1 || list[0].ID != sub.ID {
			t.Fatalf("list: %+v", list)
		}
		other.must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil).decode(t, &list)
		if len(list) != 0 {
			t.Fatalf("other family sees %+v", list)
		}
		other.must(http.StatusNotFound, "DELETE", "/api/calendar/subscriptions/"+sub.ID.String(), nil)
		for _, bad := range []string{"ftp://example.org/x", "example.org", "https://user:pw@example.org/x", "javascript:alert(1)"} {
			c.must(http.StatusUnprocessableEntity, "POST", "/api/calendar/subscriptions", map[string]any{"url": bad, "name": "x"})
		}
		c.must(http.StatusNoContent, "DELETE", "/api/calendar/subscriptions/"+sub.ID.String(), nil)
		_ = acc
	})
}

func TestSubscriptionPrivateHostRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{Calendar: ical.Config{SecretKey: "test secret key 0123456789"}})
	c, _ := env.signup("ssrf@example.org", "F")
	for _, u := range []string{"http://127.0.0.1:5232/cal/", "http://169.254.169.254/latest/meta-data/", "https://localhost/x.ics", "http://[::1]/c.ics", "http://10.0.0.7/c.ics"} {
		r := c.must(http.StatusUnprocessableEntity, "POST", "/api/calendar/subscriptions", map[string]any{"url": u, "name": "x"})
		if e := r.errorBody(t); e.Field != "url" || !strings.Contains(e.Message, "private") {
			t.Errorf("%s: %+v", u, e)
		}
	}
	if n := env.count("calendar_subscriptions"); n != 0 {
		t.Fatalf("refused subscriptions were stored: %d", n)
	}
	allowed := newTestEnv(t, Config{Calendar: ical.Config{SecretKey: "test secret key 0123456789", AllowPrivateSubscriptions: true}})
	c2, _ := allowed.signup("lan@example.org", "F")
	c2.must(http.StatusCreated, "POST", "/api/calendar/subscriptions", map[string]any{"url": "http://192.168.1.10:5232/cal/", "name": "NAS"})
}
