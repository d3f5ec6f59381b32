package ical

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// davEnv serves the CalDAV handler for one member of a fresh family, with
// the authentication the HTTP layer would do replaced by a fixed caller.
type davEnv struct {
	t     *testing.T
	store *db.Store
	user  uuid.UUID
	url   string
}

func newDAVEnv(t *testing.T) *davEnv {
	t.Helper()
	store, family := newFamilyDB(t)
	var user uuid.UUID
	if err := store.Pool.QueryRow(context.Background(), `WITH u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('ana@x.org', 'x', 'Ana') RETURNING id)
		INSERT INTO memberships (family_id, user_id, role) SELECT $1, id, 'owner' FROM u RETURNING user_id`, family).Scan(&user); err != nil {
		t.Fatal(err)
	}
	h := NewHandler(store, importLogger(t), func(code string) int {
		return map[string]int{familyhub.ENOTFOUND: 404, familyhub.EINVALID: 422, familyhub.ECONFLICT: 409, familyhub.EFORBIDDEN: 403, familyhub.ETOOLARGE: 413, familyhub.EBUSY: 503}[code]
	}, func(r *http.Request, err error) (string, string) { return familyhub.ErrorMessage(err), "en" })
	a := &familyhub.Auth{UserID: user, FamilyID: family, Role: familyhub.RoleOwner, DeviceID: DeviceID}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(familyhub.NewContextWithAuth(r.Context(), a)))
	}))
	t.Cleanup(ts.Close)
	return &davEnv{t: t, store: store, user: user, url: ts.URL}
}

func (e *davEnv) do(method, path, body string, hdr map[string]string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if strings.HasPrefix(body, "BEGIN:") {
		req.Header.Set("Content-Type", "text/calendar")
	} else if body != "" {
		req.Header.Set("Content-Type", "application/xml")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *davEnv) home() string { return "/dav/" + e.user.String() + "/calendars/" }

func bulkyEvent(uid string, size int) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T170000Z\r\nSUMMARY:Big\r\n")
	for b.Len() < size {
		b.WriteString("X-BLOB:" + strings.Repeat("y", 70) + "\r\n")
	}
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.String()
}

// An answer that would grow beyond the budget is cut with a 507 for the
// request-URI, never built whole.
func TestCalDAVAnswerBudget(t *testing.T) {
	e := newDAVEnv(t)
	cal := e.home() + "family/"
	for i := range 6 {
		if st, body := e.do("PUT", fmt.Sprintf("%sb%d.ics", cal, i), bulkyEvent(fmt.Sprintf("b%d@x", i), 100<<10), nil); st != http.StatusCreated {
			t.Fatalf("PUT: %d %s", st, body)
		}
	}
	query := `<?xml version="1.0"?><C:calendar-query xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><prop><getetag/><C:calendar-data/></prop>` +
		`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>`
	st, body := e.do("REPORT", cal, query, map[string]string{"Depth": "1"})
	if st != http.StatusMultiStatus || strings.Count(body, "<d:response>") != 6 || strings.Contains(body, "507 Insufficient Storage") {
		t.Fatalf("within the budget: %d, %d responses", st, strings.Count(body, "<d:response>"))
	}
	old := maxAnswerBytes
	maxAnswerBytes = 350 << 10
	t.Cleanup(func() { maxAnswerBytes = old })
	st, body = e.do("REPORT", cal, query, map[string]string{"Depth": "1"})
	if st != http.StatusMultiStatus || len(body) > 350<<10 || strings.Count(body, "<c:calendar-data>") != 3 ||
		!strings.Contains(body, "<d:href>"+cal+"</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status>") {
		t.Fatalf("over the budget: %d, %d bytes\n%.2000s", st, len(body), body)
	}
	// The same for a PROPFIND.
	maxAnswerBytes = 1 << 10
	st, body = e.do("PROPFIND", cal, `<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`, map[string]string{"Depth": "1"})
	if st != http.StatusMultiStatus || !strings.Contains(body, "507 Insufficient Storage") {
		t.Fatalf("PROPFIND over the budget: %d %s", st, body)
	}
}

// A calendar-query for open VTODOs as python3-caldav and tasks apps send
// it, and time ranges on VTODOs (RFC 4791 9.9), which the library's
// matcher does not evaluate.
func TestCalDAVTaskQueries(t *testing.T) {
	e := newDAVEnv(t)
	tasks := e.home() + "tasks/"
	put := func(name, extra string) {
		t.Helper()
		body := strings.ReplaceAll("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTODO\nUID:"+name+"\nDTSTAMP:20260101T000000Z\nSUMMARY:"+name+"\n"+extra+"END:VTODO\nEND:VCALENDAR\n", "\n", "\r\n")
		if st, b := e.do("PUT", tasks+name+".ics", body, nil); st != http.StatusCreated {
			t.Fatalf("PUT %s: %d %s", name, st, b)
		}
	}
	put("open-march", "DUE:20260310T100000Z\n")
	put("open-april", "DUE:20260410T100000Z\n")
	put("done", "DUE:20260311T100000Z\nSTATUS:COMPLETED\nCOMPLETED:20260311T090000Z\n")
	query := func(filter string) string {
		t.Helper()
		st, body := e.do("REPORT", tasks, `<?xml version="1.0"?><C:calendar-query xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><prop><getetag/></prop><C:filter><C:comp-filter name="VCALENDAR">`+
			filter+`</C:comp-filter></C:filter></C:calendar-query>`, map[string]string{"Depth": "1"})
		if st != http.StatusMultiStatus {
			t.Fatalf("query %s: %d %s", filter, st, body)
		}
		var got []string
		for _, n := range []string{"open-march", "open-april", "done"} {
			if strings.Contains(body, n+".ics") {
				got = append(got, n)
			}
		}
		return strings.Join(got, ",")
	}
	for filter, want := range map[string]string{
		`<C:comp-filter name="VTODO"/>`:  "open-march,open-april,done",
		`<C:comp-filter name="VEVENT"/>`: "",
		`<C:comp-filter name="VTODO"><C:prop-filter name="COMPLETED"><C:is-not-defined/></C:prop-filter></C:comp-filter>`:                                        "open-march,open-april",
		`<C:comp-filter name="VTODO"><C:prop-filter name="STATUS"><C:text-match negate-condition="yes">COMPLETED</C:text-match></C:prop-filter></C:comp-filter>`: "open-march,open-april",
		`<C:comp-filter name="VTODO"><C:time-range start="20260301T000000Z" end="20260401T000000Z"/></C:comp-filter>`:                                            "open-march,done",
	} {
		if got := query(filter); got != want {
			t.Errorf("%s: got %q, want %q", filter, got, want)
		}
	}
	// Deleting a task leaves a tombstone (its name, for sync-collection);
	// deleting the family with its tasks leaves none and does not fail.
	if st, b := e.do("DELETE", tasks+"done.ics", "", nil); st != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", st, b)
	}
	var n int
	e.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM dav_tombstones WHERE name = 'done.ics' AND collection = 'tasks'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d tombstones for done.ics", n)
	}
	if _, err := e.store.Pool.Exec(context.Background(), `DELETE FROM families`); err != nil {
		t.Fatalf("deleting the family: %v", err)
	}
	e.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM dav_tombstones`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d tombstones left after the family", n)
	}
}

func TestVTimezone(t *testing.T) {
	t.Parallel()
	berlin := vtimezone("Europe/Berlin")
	if berlin == nil {
		t.Fatal("no VTIMEZONE for Europe/Berlin")
	}
	got := map[string]string{}
	for _, c := range berlin.Children {
		got[c.Name] = c.Props.Get(ical.PropDateTimeStart).Value + " " + c.Props.Get(ical.PropRecurrenceRule).Value + " " +
			c.Props.Get(ical.PropTimezoneOffsetFrom).Value + ">" + c.Props.Get(ical.PropTimezoneOffsetTo).Value
	}
	if got["DAYLIGHT"] != "19700329T020000 FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU +0100>+0200" ||
		got["STANDARD"] != "19701025T030000 FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU +0200>+0100" {
		t.Fatalf("Europe/Berlin: %v", got)
	}
	ny := vtimezone("America/New_York")
	for _, c := range ny.Children {
		if c.Name == "DAYLIGHT" && c.Props.Get(ical.PropRecurrenceRule).Value != "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU" {
			t.Fatalf("America/New_York: %+v", c.Props)
		}
	}
	if tokyo := vtimezone("Asia/Tokyo"); len(tokyo.Children) != 1 || tokyo.Children[0].Props.Get(ical.PropTimezoneOffsetTo).Value != "+0900" {
		t.Fatalf("Asia/Tokyo: %+v", tokyo.Children)
	}
	if vtimezone("No/Such_Zone") != nil || vtimezone("UTC") != nil {
		t.Fatal("a VTIMEZONE for an unknown zone or UTC")
	}

	// Every TZID an object uses gets one; unused ones go; the calendar's
	// own stays.
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "x")
	own := ical.NewComponent(ical.CompTimezone)
	own.Props.SetText(ical.PropTimezoneID, "Custom/Zone")
	own.Children = []*ical.Component{observance(ical.CompTimezoneStandard, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 3600, 3600, "X", "")}
	unused := vtimezone("Asia/Tokyo")
	ev := ical.NewComponent(ical.CompEvent)
	ev.Props.SetText(ical.PropUID, "u")
	ev.Props.SetDateTime(ical.PropDateTimeStamp, time.Now().UTC())
	ev.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{"TZID": {"Europe/Berlin"}}, Value: "20260301T100000"})
	ev.Props.Set(&ical.Prop{Name: ical.PropDateTimeEnd, Params: ical.Params{"TZID": {"Custom/Zone"}}, Value: "20260301T110000"})
	alarm := ical.NewComponent(ical.CompAlarm)
	alarm.Props.Set(&ical.Prop{Name: ical.PropTrigger, Params: ical.Params{"VALUE": {"DATE-TIME"}, "TZID": {"America/New_York"}}, Value: "20260301T040000"})
	ev.Children = []*ical.Component{alarm}
	cal.Children = []*ical.Component{own, unused, ev}
	ensureTimezones(cal)
	var ids []string
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			id, _ := c.Props.Text(ical.PropTimezoneID)
			ids = append(ids, id)
		}
	}
	if strings.Join(ids, ",") != "Europe/Berlin,America/New_York,Custom/Zone" && strings.Join(ids, ",") != "America/New_York,Europe/Berlin,Custom/Zone" {
		t.Fatalf("VTIMEZONEs: %v", ids)
	}
	if _, err := EncodeICal(cal); err != nil {
		t.Fatal(err)
	}
}

func TestVTodoRoundTrip(t *testing.T) {
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	member := uuid.New()
	for _, tc := range []struct {
		name, body string
		check      func(t *testing.T, vt ICalTask)
	}{
		{"completed by status", "STATUS:COMPLETED", func(t *testing.T, vt ICalTask) {
			if !vt.Completed {
				t.Fatal(vt)
			}
		}},
		{"completed by percent", "PERCENT-COMPLETE:100", func(t *testing.T, vt ICalTask) {
			if !vt.Completed {
				t.Fatal(vt)
			}
		}},
		{"needs action wins over a stale COMPLETED", "STATUS:NEEDS-ACTION\nCOMPLETED:20260101T000000Z", func(t *testing.T, vt ICalTask) {
			if vt.Completed {
				t.Fatal(vt)
			}
		}},
		{"due date", "DUE;VALUE=DATE:20260329", func(t *testing.T, vt ICalTask) {
			if vt.DueAt == nil || !vt.DueAt.Equal(time.Date(2026, 3, 29, 0, 0, 0, 0, berlin)) {
				t.Fatal(vt.DueAt)
			}
		}},
		{"assignee", "X-FAMILYHUB-ASSIGNEE;CN=Bo:urn:uuid:" + member.String(), func(t *testing.T, vt ICalTask) {
			if !vt.AssigneeSet || vt.AssigneeID == nil || *vt.AssigneeID != member {
				t.Fatal(vt)
			}
		}},
		{"no assignee property keeps it", "", func(t *testing.T, vt ICalTask) {
			if vt.AssigneeSet || vt.Title != "Untitled" {
				t.Fatal(vt)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTODO\nUID:t1\nDTSTAMP:20260101T000000Z\n" + tc.body + "\nEND:VTODO\nEND:VCALENDAR\n"
			body = strings.ReplaceAll(strings.ReplaceAll(body, "\n\n", "\n"), "\n", "\r\n")
			cal, err := DecodeICal(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			vt, err := ParseICalTask(cal, berlin)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, vt)
		})
	}
	// A date DUE stays a date while the task is due at that midnight; a
	// chore instance without a time is due on its day.
	raw := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20260101T000000Z\r\nDUE;VALUE=DATE:20260329\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
	due := time.Date(2026, 3, 29, 0, 0, 0, 0, berlin)
	row := dbsqlc.Task{ID: uuid.New(), Title: "T", DueAt: &due, Ical: &raw, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if s, _ := EncodeICal(TaskICal(row, nil, berlin)); !strings.Contains(s, "DUE;VALUE=DATE:20260329") {
		t.Fatalf("date DUE lost:\n%s", s)
	}
	later := time.Date(2026, 3, 29, 9, 0, 0, 0, berlin)
	row.DueAt = &later
	if s, _ := EncodeICal(TaskICal(row, nil, berlin)); !strings.Contains(s, "DUE;TZID=Europe/Berlin:20260329T090000") || !strings.Contains(s, "BEGIN:VTIMEZONE") {
		t.Fatalf("timed DUE:\n%s", s)
	}
}

// Issue 19 item 5: the subscription's credentials go to its own origin
// only, never to the host a redirect names.
func TestImportCredentialsStayWithTheOrigin(t *testing.T) {
	var mu sync.Mutex
	var elsewhere []string
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere = append(elsewhere, r.Method+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:r@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nSUMMARY:Redirected\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	})}
	// Another host: 127.0.0.2 (loopback, not 127.0.0.1).
	ol, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	go other.Serve(ol)
	t.Cleanup(func() { other.Close() })
	var originAuth []string
	origin := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		originAuth = append(originAuth, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		if u, p, ok := r.BasicAuth(); !ok || u != "ana" || p != "secret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/cal.ics" {
			http.Redirect(w, r, "/moved.ics", http.StatusFound) // the same origin
			return
		}
		http.Redirect(w, r, "http://"+ol.Addr().String()+"/elsewhere.ics", http.StatusFound)
	})}
	al, _ := net.Listen("tcp", "127.0.0.1:0")
	go origin.Serve(al)
	t.Cleanup(func() { origin.Close() })

	store, family := newFamilyDB(t)
	key, _ := DeriveSecretKey(testConfig.SecretKey)
	id := subscribe(t, store, family, key, "http://"+al.Addr().String()+"/cal.ics", "ana", "secret")
	if _, err := store.Pool.Exec(context.Background(), `UPDATE calendar_subscriptions SET kind = 'ics' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if err := ImportSubscription(context.Background(), store, testConfig, importLogger(t), id); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(elsewhere) == 0 {
		t.Fatal("the redirect was not followed")
	}
	for _, r := range elsewhere {
		if !strings.HasSuffix(r, "auth=") {
			t.Fatalf("credentials sent to another host: %v", elsewhere)
		}
	}
	if len(originAuth) < 2 || !strings.HasPrefix(originAuth[1], "/moved.ics Basic ") {
		t.Fatalf("the origin did not get its credentials after a same-origin redirect: %v", originAuth)
	}
	if got := imported(t, store, family); got["r@x"].Title != "Redirected" {
		t.Fatalf("imported: %+v", got)
	}
}

// https to http on the same host is another origin too.
func TestImportTransportOrigin(t *testing.T) {
	t.Parallel()
	var got []string
	tr := &importTransport{base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.URL.String()+" "+r.Header.Get("Authorization"))
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
	}), username: "u", password: "p", auth: true, origin: originOf("https://cal.example.org/x")}
	for _, u := range []string{"https://cal.example.org/a", "https://CAL.example.org:443/b", "http://cal.example.org/c", "https://cal.example.org:8443/d", "https://evil.example/e"} {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Basic leaked")
		if _, err := tr.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	for i, g := range got {
		withAuth := strings.Contains(g, " Basic ")
		if withAuth != (i < 2) {
			t.Fatalf("request %d: %s", i, g)
		}
	}
	if u, _ := url.Parse("https://cal.example.org/a"); originOf(u.String()) != "https://cal.example.org:443" {
		t.Fatal(originOf(u.String()))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
