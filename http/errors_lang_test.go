package http

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/ical"
)

// Error answers speak the caller's language (issue 15): German when
// Accept-Language prefers it, English otherwise, saying which with
// Content-Language; code, status and field never change with it.
func TestErrorsInCallersLanguage(t *testing.T) {
	env := newTestEnv(t, Config{})
	c, _ := env.signup("anna@example.com", "Müller")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf"}).decode(t, &list)
	L := "/api/shopping/lists/" + list.ID.String()
	var item shoppingItemJSON
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "Milch"}).decode(t, &item)
	huge := `{"name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`

	cases := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		code, field              string
		en, de                   string // the message
	}{
		{"not found", "GET", "/api/shopping/lists/" + uuid.NewString(), "", nil,
			http.StatusNotFound, "not_found", "", "shopping list not found", "Einkaufsliste nicht gefunden"},
		{"malformed id", "DELETE", "/api/shopping/items/nope", "", nil,
			http.StatusNotFound, "not_found", "", "shopping item not found", "Artikel nicht gefunden"},
		{"wrong type", "PATCH", L, `{"name":5}`, nil,
			http.StatusUnprocessableEntity, "invalid", "name", "name must be a string.", "name muss ein Text sein."},
		{"unknown field", "POST", "/api/shopping/lists", `{"nom":"x"}`, nil,
			http.StatusUnprocessableEntity, "invalid", "nom", `Unknown field "nom".`, `Unbekanntes Feld "nom".`},
		{"null checked", "PATCH", "/api/shopping/items/" + item.ID.String(), `{"checked":null}`, nil,
			http.StatusUnprocessableEntity, "invalid", "checked", "checked cannot be null.", "checked darf nicht null sein."},
		{"malformed JSON", "POST", "/api/shopping/lists", `{"name":`, nil,
			http.StatusBadRequest, "malformed_request", "", "The request body is not valid JSON.", "Der Anfragetext ist kein gültiges JSON."},
		{"stale", "PATCH", L, `{"name":"Neu"}`, map[string]string{"If-Match": `"7"`},
			http.StatusPreconditionFailed, "conflict", "",
			"Someone changed this since you last saw it; look at the current version and try again.",
			"Jemand hat das geändert, seit du es zuletzt gesehen hast; sieh dir die aktuelle Fassung an und versuche es nochmal."},
		{"too large", "POST", "/api/shopping/lists", huge, nil,
			http.StatusRequestEntityTooLarge, "too_large", "", "The request body is larger than 1048576 bytes.", "Der Anfragetext ist größer als 1048576 Bytes."},
		{"bad If-Match", "PATCH", L, `{"name":"Neu"}`, map[string]string{"If-Match": "banana"},
			http.StatusBadRequest, "malformed_request", "",
			`If-Match must be the version of the record you last saw, such as "3".`,
			`If-Match muss die Version des Datensatzes sein, die du zuletzt gesehen hast, z. B. "3".`},
		{"no route", "GET", "/api/nowhere", "", nil,
			http.StatusNotFound, "not_found", "", "No route for GET /api/nowhere.", "Für GET /api/nowhere gibt es keine Route."},
		{"method", "PUT", "/api/shopping/lists", "", nil,
			http.StatusMethodNotAllowed, "method_not_allowed", "", "PUT is not allowed here.", "PUT ist hier nicht erlaubt."},
	}
	for _, tc := range cases {
		for _, lang := range []struct{ accept, want string }{
			{"de-DE,de;q=0.9", "de"},
			{"de", "de"},
			{"en-GB,en;q=0.9,de;q=0.5", "en"},
			{"fr-FR", "en"},
			{"", "en"},
		} {
			header := map[string]string{}
			for k, v := range tc.header {
				header[k] = v
			}
			if lang.accept != "" {
				header["Accept-Language"] = lang.accept
			}
			st, h, body, err := c.send(tc.method, tc.path, tc.body, header)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			r := response{&http.Response{StatusCode: st, Header: h}, body}
			if st != tc.status {
				t.Errorf("%s (%q): status %d, want %d; %s", tc.name, lang.accept, st, tc.status, body)
				continue
			}
			e := r.errorBody(t)
			want := map[string]string{"en": tc.en, "de": tc.de}[lang.want]
			if e.Code != tc.code || e.Field != tc.field || e.Message != want {
				t.Errorf("%s (%q): %+v, want code %q field %q message %q", tc.name, lang.accept, e, tc.code, tc.field, want)
			}
			if got := h.Get("Content-Language"); got != lang.want {
				t.Errorf("%s (%q): Content-Language %q, want %q", tc.name, lang.accept, got, lang.want)
			}
		}
	}
}

// A German request whose error the catalogue does not know is answered in
// English, and says so: the PWA then words it itself.
func TestErrorMessageFallsBackToEnglish(t *testing.T) {
	msg, lang := errorMessage(errStale, "de")
	if lang != "de" || !strings.HasPrefix(msg, "Jemand") {
		t.Fatalf("stale in German: %q %q", msg, lang)
	}
	unknown := *errStale
	unknown.Format = "Not in the catalogue."
	unknown.Message = "Not in the catalogue."
	if msg, lang := errorMessage(&unknown, "de"); msg != "Not in the catalogue." || lang != "en" {
		t.Fatalf("unknown format in German: %q %q", msg, lang)
	}
	if msg, lang := errorMessage(http.ErrHandlerTimeout, "de"); msg != "Interner Fehler." || lang != "de" {
		t.Fatalf("internal in German: %q %q", msg, lang)
	}
	if msg, lang := errorMessage(http.ErrHandlerTimeout, "en"); msg != "Internal error." || lang != "en" {
		t.Fatalf("internal in English: %q %q", msg, lang)
	}
}

// CalDAV's error answers (text, or a DAV:error's description) speak the
// language of the request's Accept-Language too, saying which with
// Content-Language: calendar apps show them to people. Real requests, on
// every path an error takes: the authentication in front, the library's
// methods (GET, PUT, DELETE, MKCALENDAR) and the server's own (PROPFIND,
// REPORT).
func TestCalDAVErrorsInCallersLanguage(t *testing.T) {
	env := newTestEnv(t, Config{Calendar: ical.Config{SecretKey: "test secret key 0123456789"}})
	c, acc := env.signup("ana@example.org", "Rivera")
	_, imported := env.importedEvent(c, acc)
	cal := "/dav/" + acc.User.ID.String() + "/calendars/family/"
	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:imp@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nSUMMARY:Changed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	propfind := `<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`
	cases := []struct {
		name, method, path, pass, body string
		header                         map[string]string
		status                         int
		en, de                         string // the message: the body, or in it ("" de: English only)
	}{
		{"no credentials", "PROPFIND", "/dav/", "", propfind, nil, http.StatusUnauthorized,
			"Sign in with your FamilyHub email and password or an app password.",
			"Melde dich mit deiner FamilyHub-E-Mail-Adresse und deinem Passwort oder einem App-Passwort an."},
		{"wrong password", "PROPFIND", "/dav/", "wrong password", propfind, nil, http.StatusUnauthorized,
			"Wrong email or password.", "E-Mail-Adresse oder Passwort stimmt nicht."},
		{"malformed iCalendar", "PUT", cal + "new.ics", "correct horse", "BEGIN:VCALENDAR\r\nno colon here\r\n", nil, http.StatusBadRequest,
			"Malformed iCalendar:", "Fehlerhaftes iCalendar:"},
		{"read-only PUT", "PUT", cal + imported + ".ics", "correct horse", event, nil, http.StatusForbidden,
			"This event comes from a subscribed calendar and is read-only; change it at its source.",
			"Dieser Termin stammt aus einem abonnierten Kalender und ist schreibgeschützt; ändere ihn an seiner Quelle."},
		{"read-only DELETE", "DELETE", cal + imported + ".ics", "correct horse", "", nil, http.StatusForbidden,
			"This event comes from a subscribed calendar and is read-only; change it at its source.",
			"Dieser Termin stammt aus einem abonnierten Kalender und ist schreibgeschützt; ändere ihn an seiner Quelle."},
		{"GET unknown", "GET", cal + "nothing.ics", "correct horse", "", nil, http.StatusNotFound,
			"There is nothing at this address.", "Unter dieser Adresse gibt es nichts."},
		{"MKCOL", "MKCOL", "/dav/" + acc.User.ID.String() + "/calendars/work/", "correct horse",
			`<?xml version="1.0"?><mkcol xmlns="DAV:"><set><prop><resourcetype><collection/><calendar xmlns="urn:ietf:params:xml:ns:caldav"/></resourcetype></prop></set></mkcol>`, nil, http.StatusForbidden,
			"FamilyHub has one calendar and one task list per family; new ones cannot be created.",
			"FamilyHub hat einen Kalender und eine Aufgabenliste pro Familie; neue können nicht angelegt werden."},
		{"library's own", "MKCOL", "/dav/" + acc.User.ID.String() + "/calendars/work/", "correct horse", "", nil, http.StatusBadRequest,
			"webdav: expected application/xml request", ""},
		{"PROPFIND Depth", "PROPFIND", cal, "correct horse", propfind, map[string]string{"Depth": "2"}, http.StatusBadRequest,
			"Depth must be 0, 1 or infinity.", "Depth muss 0, 1 oder infinity sein."},
		{"REPORT unsupported", "REPORT", cal, "correct horse", `<?xml version="1.0"?><x:free-busy-query xmlns:x="urn:ietf:params:xml:ns:caldav"/>`, nil, http.StatusForbidden,
			"<d:responsedescription>Unsupported report free-busy-query;", "<d:responsedescription>Nicht unterstützter Report free-busy-query;"},
	}
	for _, tc := range cases {
		for _, lang := range []struct{ accept, want string }{{"de-DE,de;q=0.9,en;q=0.8", "de"}, {"en-US,en;q=0.9,de;q=0.5", "en"}, {"", "en"}} {
			req, err := http.NewRequest(tc.method, env.ts.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.pass != "" {
				req.SetBasicAuth("ana@example.org", tc.pass)
			}
			switch {
			case strings.HasPrefix(tc.body, "BEGIN:"):
				req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
			case tc.body != "":
				req.Header.Set("Content-Type", "application/xml")
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			if lang.accept != "" {
				req.Header.Set("Accept-Language", lang.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := map[string]string{"en": tc.en, "de": tc.de}[lang.want]
			if tc.de == "" { // the library's own words: English, and said so
				want, lang.want = tc.en, "en"
			}
			if resp.StatusCode != tc.status || !strings.Contains(string(body), want) || resp.Header.Get("Content-Language") != lang.want {
				t.Errorf("%s (%q): %d %q, Content-Language %q; want %d with %q, %q", tc.name, lang.accept,
					resp.StatusCode, body, resp.Header.Get("Content-Language"), tc.status, want, lang.want)
			}
		}
	}
}

// A calendar feed's error answers (text: the subscribing app shows it, or
// a browser opening the URL) speak the request's language too, with
// Content-Language: an unknown or malformed token, a revoked feed, and the
// database out of reach.
func TestFeedErrorsInCallersLanguage(t *testing.T) {
	env := newTestEnv(t, Config{})
	c, _ := env.signup("ana@example.org", "Rivera")
	var feed feedJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/feeds", map[string]any{"name": "Google", "scope": "family"}).decode(t, &feed)
	c.must(http.StatusNoContent, "DELETE", "/api/calendar/feeds/"+feed.ID.String(), nil)

	// A feed handler whose database refuses connections: a port that was
	// just listened on and closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dead, err := pgxpool.New(context.Background(), "postgres://postgres@"+addr+"/none?sslmode=disable&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dead.Close)
	unreachable := httptest.NewServer(ical.NewFeedHandler(db.NewStore(dead), slog.New(slog.NewTextHandler(io.Discard, nil)), davMessage))
	t.Cleanup(unreachable.Close)

	cases := []struct {
		name, url string
		status    int
		en, de    string
	}{
		{"unknown", env.ts.URL + "/ical/nope.ics", http.StatusNotFound,
			"No such calendar feed.", "Diesen Kalender-Feed gibt es nicht."},
		{"not .ics", env.ts.URL + "/ical/nope.txt", http.StatusNotFound,
			"No such calendar feed.", "Diesen Kalender-Feed gibt es nicht."},
		{"token too long", env.ts.URL + "/ical/" + strings.Repeat("x", 101) + ".ics", http.StatusNotFound,
			"No such calendar feed.", "Diesen Kalender-Feed gibt es nicht."},
		{"revoked", feed.URL, http.StatusGone,
			"This calendar feed was revoked.", "Dieser Kalender-Feed wurde widerrufen."},
		{"unavailable", unreachable.URL + "/ical/any.ics", http.StatusServiceUnavailable,
			"The calendar is unavailable; try again shortly.", "Der Kalender ist nicht erreichbar; versuche es gleich nochmal."},
	}
	for _, tc := range cases {
		for _, lang := range []struct{ accept, want string }{
			{"de-DE,de;q=0.9,en;q=0.8", "de"},
			{"de", "de"},
			{"en-US,en;q=0.9,de;q=0.5", "en"},
			{"fr-FR", "en"},
			{"", "en"},
		} {
			req, err := http.NewRequest("GET", tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if lang.accept != "" {
				req.Header.Set("Accept-Language", lang.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := map[string]string{"en": tc.en, "de": tc.de}[lang.want]
			if resp.StatusCode != tc.status || strings.TrimSpace(string(body)) != want || resp.Header.Get("Content-Language") != lang.want ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("%s (%q): %d %q, Content-Type %q, Content-Language %q; want %d %q, %q", tc.name, lang.accept,
					resp.StatusCode, body, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Language"), tc.status, want, lang.want)
			}
			if tc.status == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
				t.Errorf("%s (%q): no Retry-After", tc.name, lang.accept)
			}
		}
	}
}
