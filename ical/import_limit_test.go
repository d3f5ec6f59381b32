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
	// written one transaction each take half a minute).
	if err := tooManyEvents(familyhub.MaxImportedEventsPerSubscription); err != nil {
		t.Errorf("a calendar at the bound: %v", err)
	}
}
