package ical

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestImportTooManyEvents: a subscribed calendar that holds more than
// familyhub.MaxImportedEventsPerSubscription events is not imported at
// all: the import fails with a last_error that says so, and the family's
// copies stay as the last sync left them (nothing written in part).
func TestImportTooManyEvents(t *testing.T) {
	ctx := context.Background()
	var events atomic.Int64
	events.Store(2)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
		n := events.Load()
		for i := range n {
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:e%d@school\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20270105\r\nSUMMARY:Event %d of %d\r\nEND:VEVENT\r\n", i, i, n)
		}
		b.WriteString("END:VCALENDAR\r\n")
		io.WriteString(w, b.String())
	}))
	t.Cleanup(ts.Close)
	store, family := newFamilyDB(t)
	id := subscribe(t, store, family, nil, ts.URL+"/school.ics", "", "")
	if err := ImportSubscription(ctx, store, testConfig, importLogger(t), id); err != nil {
		t.Fatal(err)
	}
	if got := imported(t, store, family); len(got) != 2 || got["e0@school"].Title != "Event 0 of 2" {
		t.Fatalf("first import: %+v", got)
	}

	events.Store(familyhub.MaxImportedEventsPerSubscription + 1)
	err := ImportSubscription(ctx, store, testConfig, importLogger(t), id)
	want := fmt.Sprintf("The calendar has %d events; FamilyHub imports at most %d from one calendar. Nothing was imported or changed.",
		familyhub.MaxImportedEventsPerSubscription+1, familyhub.MaxImportedEventsPerSubscription)
	if s := subscriptionRow(t, store, id); err == nil || s.LastError == nil || *s.LastError != want || s.Failures != 1 {
		t.Fatalf("an import of too many events: err %v, last_error %v, failures %d", err, s.LastError, s.Failures)
	}
	if got := imported(t, store, family); len(got) != 2 || got["e0@school"].Title != "Event 0 of 2" {
		t.Errorf("after the refused import: %d events (%+v), want the 2 of the first import", len(got), got["e0@school"])
	}

	// At the bound a calendar is imported (not run here: 10,000 events
	// written one transaction each take half a minute; a CalDAV source at
	// the bound, its events imported already: TestImportCalDAVAtBound).
	if err := tooManyEvents(familyhub.MaxImportedEventsPerSubscription); err != nil {
		t.Errorf("a calendar at the bound: %v", err)
	}
}

// TestImportCalDAVAtBound: a CalDAV collection holding exactly
// familyhub.MaxImportedEventsPerSubscription events and some to-dos is
// imported: only its events count (the to-dos are no events, and the
// import neither counts nor fetches them). One event more is refused as a
// whole, the message counting events only. The events are the family's
// copies already (inserted with the ETags the server lists), so the
// import fetches nothing and writes nothing.
func TestImportCalDAVAtBound(t *testing.T) {
	ctx := context.Background()
	const todos = 3
	var events atomic.Int64
	events.Store(familyhub.MaxImportedEventsPerSubscription)
	fetched := atomic.Bool{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		type object struct{ href, etag string }
		var objects []object
		onlyEvents := r.Method == "REPORT" && strings.Contains(string(body), `comp-filter name="VEVENT"`)
		for i := range events.Load() {
			objects = append(objects, object{fmt.Sprintf("/cal/e%d.ics", i), fmt.Sprintf("e%d", i)})
		}
		for i := range todos {
			if !onlyEvents {
				objects = append(objects, object{fmt.Sprintf("/cal/t%d.ics", i), fmt.Sprintf("t%d", i)})
			}
		}
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">`)
		switch {
		case r.Method == "PROPFIND" && r.Header.Get("Depth") == "0":
			b.WriteString(`<d:response><d:href>/cal/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>` +
				fmt.Sprintf(`<cs:getctag>%d</cs:getctag>`, events.Load()) + `</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`)
		case r.Method == "PROPFIND" || r.Method == "REPORT" && strings.Contains(string(body), "calendar-query"):
			b.WriteString(`<d:response><d:href>/cal/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>` +
				`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`)
			for _, o := range objects {
				fmt.Fprintf(&b, `<d:response><d:href>%s</d:href><d:propstat><d:prop><d:resourcetype/><d:getcontentlength>100</d:getcontentlength>`+
					`<d:getetag>"%s"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`, o.href, o.etag)
			}
		default:
			fetched.Store(true)
			http.Error(w, "not in this test", http.StatusNotImplemented)
			return
		}
		b.WriteString(`</d:multistatus>`)
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, b.String())
	}))
	t.Cleanup(ts.Close)
	store, family := newFamilyDB(t)
	id := subscribe(t, store, family, nil, ts.URL+"/cal/", "", "")
	if _, err := store.Pool.Exec(ctx, `INSERT INTO calendar_events (family_id, uid, title, starts_at, ends_at, subscription_id, read_only, source_href, source_etag)
		SELECT $1, 'e' || g || '@school', 'Event ' || g, '2027-01-05 10:00Z', '2027-01-05 11:00Z', $2, true, '/cal/e' || g || '.ics', 'e' || g
		FROM generate_series(0, $3::int - 1) g`, family, id, familyhub.MaxImportedEventsPerSubscription); err != nil {
		t.Fatal(err)
	}
	if err := ImportSubscription(ctx, store, testConfig, importLogger(t), id); err != nil {
		t.Fatalf("a calendar of %d events and %d to-dos: %v", familyhub.MaxImportedEventsPerSubscription, todos, err)
	}
	if s := subscriptionRow(t, store, id); s.LastError != nil || s.Kind == nil || *s.Kind != "caldav" || fetched.Load() {
		t.Fatalf("at the bound: last_error %v, kind %v, fetched %v", s.LastError, s.Kind, fetched.Load())
	}
	if got := len(imported(t, store, family)); got != familyhub.MaxImportedEventsPerSubscription {
		t.Fatalf("%d events after the import at the bound, want %d", got, familyhub.MaxImportedEventsPerSubscription)
	}

	events.Add(1)
	err := ImportSubscription(ctx, store, testConfig, importLogger(t), id)
	want := fmt.Sprintf("The calendar has %d events; FamilyHub imports at most %d from one calendar. Nothing was imported or changed.",
		familyhub.MaxImportedEventsPerSubscription+1, familyhub.MaxImportedEventsPerSubscription)
	if s := subscriptionRow(t, store, id); err == nil || s.LastError == nil || *s.LastError != want || fetched.Load() {
		t.Fatalf("one event over the bound: err %v, last_error %v, fetched %v", err, s.LastError, fetched.Load())
	}
	if got := len(imported(t, store, family)); got != familyhub.MaxImportedEventsPerSubscription {
		t.Errorf("%d events after the refused import, want %d", got, familyhub.MaxImportedEventsPerSubscription)
	}
}
