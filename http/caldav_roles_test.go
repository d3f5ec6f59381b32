package http

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// davRule says what a CalDAV method answers each role on its own family's
// calendar: ok(status) for a role that may, forbidden for one that may not.
// Methods FamilyHub does not serve are refused for everyone.
type davRule struct {
	adults, child func(status int) bool
	// object: the request names an existing event (else the calendar, or a
	// new event for PUT).
	object bool
	body   string
}

func is(want int) func(int) bool { return func(st int) bool { return st == want } }
func success(st int) bool        { return st >= 200 && st < 300 }
func refused(st int) bool        { return st >= 400 && st < 500 && st != 401 && st != 404 }

const davEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roles test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:20260310T170000Z\r\nDTEND:20260310T180000Z\r\nSUMMARY:Piano\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

const davPropfind = `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`

const davReport = `<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>`

var davRules = map[string]davRule{
	"OPTIONS":  {adults: success, child: success},
	"PROPFIND": {adults: is(207), child: is(207), body: davPropfind},
	"REPORT":   {adults: is(207), child: is(207), body: davReport},
	"GET":      {adults: is(200), child: is(200), object: true},
	"HEAD":     {adults: is(200), child: is(200), object: true},
	// A new event, and a changed one.
	"PUT":          {adults: is(201), child: is(403), body: davEvent},
	"PUT existing": {adults: success, child: is(403), object: true, body: davEvent},
	"DELETE":       {adults: is(204), child: is(403), object: true},
	// A multistatus refusing every property (RFC 4918 9.2): nobody
	// changes properties.
	"PROPPATCH": {adults: is(207), child: is(207)},
	// Not served: nobody writes through them.
	"MKCOL":      {adults: refused, child: refused},
	"MKCALENDAR": {adults: refused, child: refused},
	"COPY":       {adults: refused, child: refused, object: true},
	"MOVE":       {adults: refused, child: refused, object: true},
	"LOCK":       {adults: refused, child: refused},
	"UNLOCK":     {adults: refused, child: refused},
	"POST":       {adults: refused, child: refused},
	"PATCH":      {adults: refused, child: refused, object: true},
	"CONNECT":    {adults: refused, child: refused},
	"QUERY":      {adults: refused, child: refused},
	"TRACE":      {adults: refused, child: refused},
}

// davRoleDo sends a CalDAV request with Basic credentials.
func davRoleDo(t *testing.T, env *testEnv, email, method, path, body string) int {
	t.Helper()
	method, _, _ = strings.Cut(method, " ")
	req, err := http.NewRequest(method, env.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(email, "correct horse")
	switch {
	case strings.HasPrefix(body, "BEGIN:"):
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	case body != "":
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
		req.Header.Set("Depth", "1")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestCalDAVRoles: every CalDAV method × every role, on the family
// calendar (CalDAV writes go through the same domain operations as REST,
// so a child reads but does not write), and on another family's calendar
// and events (404).
func TestCalDAVRoles(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	b := newFamilyOfThree(t, env)
	n := 0
	for method, rule := range davRules {
		t.Run(method, func(t *testing.T) {
			for _, role := range []string{"owner", "member", "child"} {
				f := newFamilyOfThree(t, env)
				email := f.emails[role]
				cal := "/dav/" + f.ids[role].String() + "/calendars/family/"
				n++
				path := cal
				if rule.object {
					path += f.rec("event").String() + ".ics"
				} else if strings.HasPrefix(method, "PUT") {
					path += fmt.Sprintf("new-%d.ics", n)
				}
				body := rule.body
				if strings.Contains(body, "%s") {
					uid := fmt.Sprintf("roles-%d@example.org", n)
					if rule.object {
						uid = f.rec("event").String() + "@familyhub"
					}
					body = fmt.Sprintf(body, uid)
				}
				// Another family: its calendar path, and its event under
				// the caller's own path, are not found.
				if rule.object || strings.HasPrefix(method, "PUT") || method == "PROPFIND" {
					otherPath := "/dav/" + b.ids["owner"].String() + "/calendars/family/" + b.rec("event").String() + ".ics"
					if method == "PROPFIND" {
						otherPath = "/dav/" + b.ids["owner"].String() + "/calendars/family/"
					}
					if st := davRoleDo(t, env, email, method, otherPath, body); st != http.StatusNotFound && !(refused(st) && rule.adults(st)) {
						t.Errorf("%s %s on another family's calendar: %d, want 404", role, method, st)
					}
				}
				if rule.object && method != "PUT existing" {
					if st := davRoleDo(t, env, email, method, cal+b.rec("event").String()+".ics", body); st != http.StatusNotFound && !(refused(st) && rule.adults(st)) {
						t.Errorf("%s %s on another family's event: %d, want 404", role, method, st)
					}
				}
				ok := rule.adults
				if role == "child" {
					ok = rule.child
				}
				if st := davRoleDo(t, env, email, method, path, body); !ok(st) {
					t.Errorf("%s %s %s: %d", role, method, path, st)
				}
			}
		})
	}
}

// davAs sends a CalDAV request as role's user and returns the status and body.
func davAs(t *testing.T, f *family, role, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.env.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(f.emails[role], "correct horse")
	if body != "" {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCalDAVChildKeepsTaskVTODO: a child may not edit tasks (only complete
// their own), so a VTODO a child PUTs changes no more than completing
// does: the properties FamilyHub keeps beside its own fields (a URL,
// PRIORITY, alarms, which every member's calendar app shows) stay as the
// adults left them. An adult's PUT still keeps them (TestCalDAVTasks).
func TestCalDAVChildKeepsTaskVTODO(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	id := f.rec("task").String() // assigned to nobody: the child may complete it
	path := func(role string) string { return "/dav/" + f.ids[role].String() + "/calendars/tasks/" + id + ".ics" }
	st, orig := davAs(t, f, "child", "GET", path("child"), "")
	if st != http.StatusOK {
		t.Fatalf("child GET: %d %s", st, orig)
	}
	tampered := strings.Replace(orig, "END:VTODO", "URL:https://phish.example/\r\nPRIORITY:1\r\nEND:VTODO", 1)
	st, body := davAs(t, f, "child", "PUT", path("child"), tampered)
	if st >= 300 && st != http.StatusForbidden {
		t.Fatalf("child PUT: %d %s", st, body)
	}
	if _, got := davAs(t, f, "owner", "GET", path("owner"), ""); strings.Contains(got, "phish.example") || strings.Contains(got, "PRIORITY") {
		t.Fatalf("a child's PUT rewrote the family's task:\n%s", got)
	}

	// Completing their own task through CalDAV still works, and still
	// stores nothing else of the child's VTODO.
	done := strings.Replace(tampered, "STATUS:NEEDS-ACTION", "STATUS:COMPLETED", 1)
	if st, body := davAs(t, f, "child", "PUT", path("child"), done); st >= 300 {
		t.Fatalf("child completes: %d %s", st, body)
	}
	var got taskJSON
	f.clients["owner"].must(http.StatusOK, "GET", "/api/tasks/"+id, nil).decode(t, &got)
	if got.CompletedAt == nil || got.CompletedBy == nil || *got.CompletedBy != f.ids["child"] {
		t.Fatalf("after the child completed it in the app: %+v", got)
	}
	if _, got := davAs(t, f, "owner", "GET", path("owner"), ""); strings.Contains(got, "phish.example") || !strings.Contains(got, "STATUS:COMPLETED") {
		t.Fatalf("after the child completed it:\n%s", got)
	}

	// An adult's PUT keeps what it sends.
	if st, body := davAs(t, f, "member", "PUT", path("member"), tampered); st >= 300 {
		t.Fatalf("member PUT: %d %s", st, body)
	}
	if _, got := davAs(t, f, "owner", "GET", path("owner"), ""); !strings.Contains(got, "phish.example") {
		t.Fatalf("the member's PUT lost its URL:\n%s", got)
	}
}
