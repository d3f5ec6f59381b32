package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// The calendar in the outbox: an event added, changed or deleted as a
// whole is a write that waits on the device when there is no signal, is
// sent once when it is back, and clashes visibly with a change made
// meanwhile on another device. This and the following occurrences of a
// series need the server, and say so.

// serverEvents counts the events titled title the server lists from today
// for two weeks (each occurrence once).
func serverEvents(t *testing.T, m member, s *Main, title string) int {
	t.Helper()
	var occs []struct{ Title string }
	from := time.Now().UTC().Truncate(24 * time.Hour)
	m.call(t, s.URL(), 200, "GET", "/api/calendar/events?from="+from.Format(time.RFC3339)+"&to="+from.AddDate(0, 0, 14).Format(time.RFC3339), nil, &occs)
	n := 0
	for _, o := range occs {
		if o.Title == title {
			n++
		}
	}
	return n
}

// TestBrowserCalendarOutbox: Ana's phone (German, agenda) and Ben's laptop
// (English, week grid), on two replicas. Ana, offline, adds "Zahnarzt"
// tomorrow at 10:00: it shows where it belongs, waiting to sync. Back
// online, the first answer is lost on its way back; the outbox's retry
// (the same client id) makes one event, not two, and Ben's open week
// shows it without a reload; after a reload Ana still sees one. Two tabs
// of Ana's phone send the one queue one at a time, each write once, and a
// write made in one tab and sent by the other closes its dialog. Ana,
// offline, opens it (from the copy shown) and renames it while Ben
// renames it too; a tab reloaded offline shows the calendar kept on the
// device with the rename waiting. Back online, Ana sees the conflict in
// German, keeps hers, and Ben's week follows. A change of this and the
// following occurrences of a series offline says that it needs a connection.
func TestBrowserCalendarOutbox(t *testing.T) {
	browserTest(t)
	c, ana, _, _, first := weeklyFromTomorrow(t, map[string]any{"title": "Schwimmen", "location": "Hallenbad"})
	tomorrow := first.Format("2006-01-02")
	// No service worker on Ana's phone: the requests to hold are the page's own.
	a, b := anaAndBen(t, c,
		device{"Ana's phone", phoneW, phoneH, browserOpts{lang: "de-DE", script: `delete Navigator.prototype.serviceWorker;`}},
		device{"Ben's laptop", laptopW, laptopH, browserOpts{lang: "en-GB"}})
	data := []string{"Ana", "Ben", "Rivera", "Weekly", "FamilyHub", "AN", "BE", "Schwimmen", "Hallenbad", "Zahnarzt", "Zahnarzt Dr. Weber", "Dentist (Mia)",
		"Elternabend (Aula)", "Flohmarkt (Schule)"}
	chip := func(grid, title string) string {
		return fmt.Sprintf(`document.querySelector(%q)`, fmt.Sprintf(`%s li.event[data-title=%q]`, grid, title))
	}
	chips := func(grid, title string) string {
		return fmt.Sprintf(`document.querySelectorAll(%q).length`, fmt.Sprintf(`%s li.event[data-title=%q]`, grid, title))
	}
	a.goTo("/calendar", chip(".agenda", "Schwimmen"))
	b.goTo("/calendar", chip(".week-grid", "Schwimmen"))
	b.markPage()

	// Offline, a new event waits where it belongs.
	a.goOffline()
	a.click(`.page-head button.primary`)
	a.waitJS("new event dialog", dialogOpen, 5*time.Second)
	a.setValue(`dialog[open] input[name=title]`, "Zahnarzt")
	a.setValue(`dialog[open] input[name=start]`, tomorrow+"T10:00")
	a.setValue(`dialog[open] input[name=end]`, tomorrow+"T11:00")
	a.click(`dialog[open] button[type=submit]`)
	dentist := chip(".agenda", "Zahnarzt")
	a.waitJS("Zahnarzt waiting, tomorrow at 10:00", `!document.querySelector('dialog[open]') && `+dentist+`?.dataset.pending === 'waiting'
		&& `+dentist+`.querySelector('.sync-state')?.textContent === 'wartet auf Synchronisierung'
		&& `+dentist+`.querySelector('.time').textContent.startsWith('10:00')
		&& `+dentist+`.querySelector('button').dataset.key.endsWith(`+js(tomorrow)+`)
		&& document.getElementById('pending').textContent === '1 ausstehend'`, 5*time.Second)
	germanOnly(a, "agenda with an event waiting", data)
	a.docShot("calendar-offline-waiting")
	if n := serverEvents(t, ana, c.a, "Zahnarzt"); n != 0 {
		t.Fatalf("the server has %d Zahnarzt while Ana is offline", n)
	}

	// Back online, the create's answer is lost: the retry makes no second event.
	paused := holdRequests(t, a, fetch.RequestPattern{URLPattern: "*/api/calendar/events", RequestStage: fetch.RequestStageResponse})
	a.setOffline(false)
	loseAnswer(t, a, heldAnswer(t, paused, "POST", 201, 10*time.Second))
	a.waitJS("Zahnarzt saved by the retry", dentist+` && !`+dentist+`.dataset.pending && !document.getElementById('pending').checkVisibility()`, 10*time.Second)
	seen(t, b, "Zahnarzt on Ben's week", chips(".week-grid", "Zahnarzt")+` === 1 && `+notReloaded)
	if n := serverEvents(t, ana, c.a, "Zahnarzt"); n != 1 {
		t.Errorf("after the retry the server has %d Zahnarzt, want 1", n)
	}
	a.do(chromedp.Reload())
	a.waitJS("the agenda after a reload", chip(".agenda", "Schwimmen")+` && `+dentist+` && !document.querySelector('li.event[data-pending]')`, 10*time.Second)
	if n := eval[int](a, chips(".agenda", "Zahnarzt")); n != 1 {
		t.Errorf("after a reload Ana's agenda shows %d Zahnarzt, want 1", n)
	}
	a.waitLive()

	// A second tab of Ana's phone, with the service worker, so that it
	// opens again offline.
	tab := a.newTab("Ana's second tab", phoneW, phoneH, false)
	tab.do(chromedp.Navigate(c.a.URL() + "/calendar"))
	tab.waitJS("the agenda, and the service worker in control", chip(".agenda", "Zahnarzt")+` && navigator.serviceWorker.controller`, 10*time.Second)
	tab.waitLive()

	// Both tabs online send the one queue of the device, one tab at a
	// time (Web Locks), each write once: while the second tab's rename is
	// on its way (held), Ana renames another event in the first tab; it
	// waits its turn, the second tab sends it after its own, and the
	// first tab's dialog hears the answer (BroadcastChannel) and closes.
	evening := restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": "Elternabend",
		"starts_at": tomorrow + "T19:00:00Z", "ends_at": tomorrow + "T20:00:00Z"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": "Flohmarkt",
		"starts_at": tomorrow + "T12:00:00Z", "ends_at": tomorrow + "T13:00:00Z"})
	a.waitJS("the two new events", chip(".agenda", "Elternabend")+` && `+chip(".agenda", "Flohmarkt"), 5*time.Second)
	tab.click(`.agenda li.event[data-title="Elternabend"] button.event-open`)
	tab.waitJS("the second tab's dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=title]')?.value === 'Elternabend'`, 5*time.Second)
	held := holdRequests(t, tab, fetch.RequestPattern{URLPattern: "*/api/calendar/events/" + evening, RequestStage: fetch.RequestStageRequest})
	tab.setValue(`dialog[open] input[name=title]`, "Elternabend (Aula)")
	tab.click(`dialog[open] button[type=submit]`)
	var patch *fetch.EventRequestPaused
	select {
	case patch = <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the second tab's PATCH was not held")
	}
	if patch.Request.Method != "PATCH" {
		t.Fatalf("held %s %s, want the second tab's PATCH", patch.Request.Method, patch.Request.URL)
	}
	a.click(`.agenda li.event[data-title="Flohmarkt"] button.event-open`)
	a.waitJS("the first tab's dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=title]')?.value === 'Flohmarkt'`, 5*time.Second)
	a.setValue(`dialog[open] input[name=title]`, "Flohmarkt (Schule)")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("both renames in the queue", `document.getElementById('pending').dataset.count === '2' && document.querySelector('dialog[open]')`, 5*time.Second)
	if n := serverEvents(t, ana, c.a, "Flohmarkt (Schule)") + serverEvents(t, ana, c.a, "Elternabend (Aula)"); n != 0 {
		t.Fatalf("the server has %d of the renames while the second tab's is held: the first tab did not wait its turn", n)
	}
	if _, err := chromedp.Call(tab.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: patch.RequestID}); err != nil {
		t.Fatal(err)
	}
	stopHolding(t, tab)
	a.waitJS("the first tab's dialog closed, its rename saved by the second tab", `!document.querySelector('dialog[open]') && `+chip(".agenda", "Flohmarkt (Schule)")+`
		&& `+chip(".agenda", "Elternabend (Aula)")+` && !document.querySelector('li.event[data-pending]')`, 10*time.Second)
	tab.waitJS("the second tab's dialog closed", `!document.querySelector('dialog[open]') && `+chip(".agenda", "Flohmarkt (Schule)")+`
		&& !document.querySelector('li.event[data-pending]')`, 5*time.Second)
	seen(t, b, "both renames on Ben's week", chip(".week-grid", "Flohmarkt (Schule)")+` && `+chip(".week-grid", "Elternabend (Aula)")+` && `+notReloaded)
	for _, title := range []string{"Flohmarkt (Schule)", "Elternabend (Aula)"} {
		if n := serverEvents(t, ana, c.a, title); n != 1 {
			t.Errorf("the server has %d %s, want 1", n, title)
		}
	}

	tab.goOffline()

	// Offline, the second tab does not send; Ana renames it offline while
	// Ben renames it online: a conflict.
	a.goOffline()
	a.click(`.agenda li.event[data-title="Zahnarzt"] button.event-open`)
	a.waitJS("the dialog opens offline from the copy shown", dialogOpen+` && document.querySelector('dialog[open] input[name=title]')?.value === 'Zahnarzt'
		&& document.getElementById('banner').hidden`, 5*time.Second)
	a.setValue(`dialog[open] input[name=title]`, "Zahnarzt Dr. Weber")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the new name waiting", chip(".agenda", "Zahnarzt Dr. Weber")+`?.dataset.pending === 'waiting' && !`+dentist, 5*time.Second)
	// Reloaded offline, the calendar opens from the device's copy, the
	// rename still waiting.
	tab.do(chromedp.Reload())
	tab.waitJS("the calendar reloaded offline, the rename waiting", chip(".agenda", "Zahnarzt Dr. Weber")+`?.dataset.pending === 'waiting'
		&& `+chip(".agenda", "Schwimmen")+` && !`+chip(".agenda", "Zahnarzt")+` && !document.querySelector('#main > .load-error')
		&& document.getElementById('pending').dataset.count === '1'`, 10*time.Second)
	tab.closeTab()

	b.click(`.week-grid li.event[data-title="Zahnarzt"] button.event-open`)
	b.waitJS("Ben's event dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=title]')?.value === 'Zahnarzt'`, 5*time.Second)
	b.setValue(`dialog[open] input[name=title]`, "Dentist (Mia)")
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("Ben's change saved", `!document.querySelector('dialog[open]') && `+chip(".week-grid", "Dentist (Mia)")+` && !document.querySelector('li.event[data-pending]')`, 5*time.Second)

	a.setOffline(false)
	notice := `document.querySelector('#notices li.conflict[data-kind=stale]')`
	a.waitJS("the conflict, in German", notice+`?.textContent.includes('Ben hat „Zahnarzt“ in „Dentist (Mia)“ geändert, während du offline warst.')
		&& `+notice+`.textContent.includes('Du hattest es in „Zahnarzt Dr. Weber“ geändert.')
		&& `+chip(".agenda", "Dentist (Mia)")+` && !document.querySelector('li.event[data-pending]')`, 10*time.Second)
	germanOnly(a, "the calendar with a conflict", data)
	a.clickText(`#notices li.conflict button`, "Meine behalten")
	a.waitJS("Ana's name kept", `!document.querySelector('#notices li.conflict') && `+chip(".agenda", "Zahnarzt Dr. Weber")+` && !document.querySelector('li.event[data-pending]')`, 10*time.Second)
	seen(t, b, "Ana's name on Ben's week", chip(".week-grid", "Zahnarzt Dr. Weber")+` && !`+chip(".week-grid", "Dentist (Mia)")+` && `+notReloaded)
	if n := serverEvents(t, ana, c.a, "Zahnarzt Dr. Weber"); n != 1 {
		t.Errorf("the server has %d Zahnarzt Dr. Weber, want 1", n)
	}

	// Deleted offline, it goes at once and waits; back online, Ben's week drops it.
	a.goOffline()
	a.click(`.agenda li.event[data-title="Zahnarzt Dr. Weber"] button.event-open`)
	a.waitJS("the dialog, offline", dialogOpen+` && document.querySelector('dialog[open] input[name=title]')?.value === 'Zahnarzt Dr. Weber'`, 5*time.Second)
	a.click(`dialog[open] .actions button.danger`)
	a.waitJS("the question", `document.querySelector('dialog.ask[open]')`, 5*time.Second)
	a.click(`dialog.ask[open] button.danger`)
	a.waitJS("gone from the agenda, the delete waiting", `!document.querySelector('dialog[open]') && !`+chip(".agenda", "Zahnarzt Dr. Weber")+`
		&& document.getElementById('pending').textContent === '1 ausstehend'`, 5*time.Second)
	a.setOffline(false)
	seen(t, b, "the delete on Ben's week", `!`+chip(".week-grid", "Zahnarzt Dr. Weber")+` && `+chip(".week-grid", "Schwimmen")+` && `+notReloaded)
	a.waitJS("the delete saved", `!document.getElementById('pending').checkVisibility()`, 5*time.Second)
	if n := serverEvents(t, ana, c.a, "Zahnarzt Dr. Weber"); n != 0 {
		t.Errorf("the server still has %d Zahnarzt Dr. Weber", n)
	}

	// This and the following ones of a series need a connection, and say
	// so (one occurrence waits: browser_calendar_occurrence_offline_test.go).
	a.waitLive()
	eval[bool](a, `[...document.querySelectorAll('.agenda li.event[data-title="Schwimmen"] button.event-open')][1].click() ?? true`)
	a.waitJS("the series' dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=following]')`, 5*time.Second)
	// Offline the choice is disabled, saying why; back online it can be
	// made again, and chosen before the connection goes, it stays chosen
	// and Save says why it fails.
	following := `document.querySelector('dialog[open] input[name=scope][value=following]')`
	a.goOffline()
	a.waitJS("this and the following ones disabled, saying why", following+`.disabled
		&& document.querySelector('dialog[open] .scope-why').textContent === 'Geht nur mit Verbindung: Du bist offline.'
		&& document.querySelector('dialog[open] .scope-why').checkVisibility()`, 5*time.Second)
	a.setOffline(false)
	a.waitJS("online: it can be chosen", `!`+following+`.disabled && !document.querySelector('dialog[open] .scope-why').checkVisibility()`, 5*time.Second)
	a.click(`dialog[open] input[name=scope][value=following]`)
	a.goOffline()
	a.waitJS("chosen, it stays chosen offline", following+`.checked && !`+following+`.disabled`, 5*time.Second)
	a.setValue(`dialog[open] input[name=title]`, "Schwimmen (später)")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the dialog says it needs a connection", `!document.querySelector('dialog[open] .dialog-error').hidden`, 5*time.Second)
	if msg := eval[string](a, `document.querySelector('dialog[open] .dialog-error').textContent`); !strings.Contains(msg, "geht nur mit Verbindung") {
		t.Errorf("saving this and the following ones offline says %q", msg)
	}
	germanOnly(a, "this and the following ones offline", append(data, "Schwimmen (später)"))
	a.do(chromedp.KeyEvent("\x1b"))
	a.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	if n := eval[int](a, `window.familyhub.outbox.count()`); n != 0 {
		t.Errorf("%d writes wait after a change of this and the following ones offline, want none", n)
	}
	a.setOffline(false)
}

// TestBrowserCalendarExpansion: the occurrences the app draws for a write
// that waits (calendar-pending.js) are the server's, for each rule the
// event dialog offers: in a zone with daylight saving, every other week,
// a month without the 31st, a yearly all-day event over two days, and a
// daily series with a skipped and a changed occurrence.
func TestBrowserCalendarExpansion(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	carla := signupAt(t, m.URL(), `{"email":"carla@example.org","password":"correct horse","display_name":"Carla","family_name":"Berg","time_zone":"Europe/Berlin"}`)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.do(chromedp.Navigate(m.URL() + "/login"))
	b.waitJS("the app", `document.querySelector('input[name=email]')`, 10*time.Second)
	type occ struct {
		Start        time.Time  `json:"starts_at"`
		End          time.Time  `json:"ends_at"`
		RecurrenceID *time.Time `json:"recurrence_id"`
		Title        string     `json:"title"`
		ID           string     `json:"id"`
	}
	for _, tc := range []struct {
		name     string
		event    map[string]any
		from, to string
		change   func(id string) // changes made to the series before it is compared
	}{
		{"weekly over the end of summer time", map[string]any{"starts_at": "2026-10-11T10:00:00+02:00", "ends_at": "2026-10-11T11:00:00+02:00", "rrule": "FREQ=WEEKLY"},
			"2026-10-05T00:00:00+02:00", "2026-11-16T00:00:00+01:00", nil},
		{"every other week over the start of summer time", map[string]any{"starts_at": "2026-03-08T18:30:00+01:00", "ends_at": "2026-03-08T19:15:00+01:00", "rrule": "FREQ=WEEKLY;INTERVAL=2"},
			"2026-03-20T00:00:00+01:00", "2026-05-20T00:00:00+02:00", nil},
		{"monthly on the 31st", map[string]any{"starts_at": "2027-01-31T09:00:00+01:00", "ends_at": "2027-01-31T09:30:00+01:00", "rrule": "FREQ=MONTHLY"},
			"2027-01-01T00:00:00+01:00", "2027-09-01T00:00:00+02:00", nil},
		{"yearly, all day, two days", map[string]any{"starts_at": "2026-12-24", "ends_at": "2026-12-26", "all_day": true, "rrule": "FREQ=YEARLY"},
			"2027-01-01T00:00:00+01:00", "2027-12-31T00:00:00+01:00", nil},
		{"daily, one skipped and one changed", map[string]any{"starts_at": "2026-05-01T09:00:00+02:00", "ends_at": "2026-05-01T10:00:00+02:00", "rrule": "FREQ=DAILY", "exdates": []string{"2026-05-03T09:00:00+02:00"}},
			"2026-05-02T00:00:00+02:00", "2026-05-08T00:00:00+02:00", func(id string) {
				restAs(t, carla, m, "PATCH", "/api/calendar/events/"+id+"/occurrences/"+url.QueryEscape("2026-05-05T09:00:00+02:00"),
					map[string]any{"title": "Later", "starts_at": "2026-05-05T12:00:00+02:00", "ends_at": "2026-05-05T13:00:00+02:00"})
			}},
		{"once", map[string]any{"starts_at": "2026-06-01T23:30:00+02:00", "ends_at": "2026-06-02T00:30:00+02:00"},
			"2026-06-02T00:00:00+02:00", "2026-06-03T00:00:00+02:00", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"title": "Swim"}
			for k, v := range tc.event {
				body[k] = v
			}
			id := restAs(t, carla, m, "POST", "/api/calendar/events", body)["id"].(string)
			if tc.change != nil {
				tc.change(id)
			}
			var ev json.RawMessage
			carla.call(t, m.URL(), 200, "GET", "/api/calendar/events/"+id, nil, &ev)
			var listed []occ
			carla.call(t, m.URL(), 200, "GET", "/api/calendar/events?from="+url.QueryEscape(tc.from)+"&to="+url.QueryEscape(tc.to), nil, &listed)
			var want []occ
			for _, o := range listed {
				if o.ID == id {
					want = append(want, o)
				}
			}
			if len(want) == 0 {
				t.Fatal("the server lists no occurrence in the range: nothing to compare")
			}
			from, _ := time.Parse(time.RFC3339, tc.from)
			to, _ := time.Parse(time.RFC3339, tc.to)
			b := b.on(t)
			eval[bool](b, fmt.Sprintf(`(window.__drawn = null, import('/js/views/calendar-pending.js').then(({ occurrencesOf }) => {
				window.__drawn = JSON.stringify(occurrencesOf(%s, %d, %d, 'Europe/Berlin')); }), true)`, ev, from.UnixMilli(), to.UnixMilli()))
			b.waitJS("the occurrences drawn", `window.__drawn !== null`, 5*time.Second)
			raw := eval[string](b, `window.__drawn`)
			var got []occ
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatalf("%v in %s", err, raw)
			}
			show := func(os []occ) string {
				var out []string
				for _, o := range os {
					rid := "-"
					if o.RecurrenceID != nil {
						rid = o.RecurrenceID.Format(time.RFC3339)
					}
					out = append(out, fmt.Sprintf("%s %s–%s (%s)", o.Title, o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339), rid))
				}
				return strings.Join(out, "\n")
			}
			if show(got) != show(want) {
				t.Errorf("the app draws\n%s\nthe server lists\n%s", show(got), show(want))
			}
		})
	}
}
