package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The calendar in the outbox: an event added, changed or deleted as a
// whole is a write that waits on the device when there is no signal, is
// sent once when it is back, and clashes visibly with a change made
// meanwhile on another device. One occurrence of a series needs the
// server, and says so.

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
// shows it without a reload; after a reload Ana still sees one. Ana,
// offline, opens it (from the copy shown) and renames it while Ben
// renames it too; a tab reloaded offline shows the calendar kept on the
// device with the rename waiting. Back online, Ana sees the conflict in
// German, keeps hers, and Ben's week follows. A change of one occurrence of a series
// offline says that it needs a connection.
func TestBrowserCalendarOutbox(t *testing.T) {
	skipInShortMode(t, "a browser")
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": "Schwimmen", "location": "Hallenbad",
		"starts_at": tomorrow + "T16:00:00Z", "ends_at": tomorrow + "T17:00:00Z", "rrule": "FREQ=WEEKLY"})
	// No service worker on Ana's phone: the requests to hold are the page's own.
	a, b := anaAndBen(t, c,
		device{"Ana's phone", phoneW, phoneH, browserOpts{lang: "de-DE", script: `delete Navigator.prototype.serviceWorker;`}},
		device{"Ben's laptop", laptopW, laptopH, browserOpts{lang: "en-GB"}})
	data := []string{"Ana", "Ben", "Rivera", "Weekly", "FamilyHub", "AN", "BE", "Schwimmen", "Hallenbad", "Zahnarzt", "Zahnarzt Dr. Weber", "Dentist (Mia)"}
	chip := func(grid, title string) string {
		return fmt.Sprintf(`document.querySelector(%q)`, fmt.Sprintf(`%s li.event[data-title=%q]`, grid, title))
	}
	chips := func(grid, title string) string {
		return fmt.Sprintf(`document.querySelectorAll(%q).length`, fmt.Sprintf(`%s li.event[data-title=%q]`, grid, title))
	}
	a.goTo("/calendar", chip(".agenda", "Schwimmen"))
	b.goTo("/calendar", chip(".week-grid", "Schwimmen"))
	b.markPage()
	goOffline := func() {
		a.setOffline(true)
		a.waitJS("offline", `navigator.onLine === false`, 5*time.Second)
	}

	// Offline, a new event waits where it belongs.
	goOffline()
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
		&& document.getElementById('pending').textContent === '1 wartet'`, 5*time.Second)
	germanOnly(a, "agenda with an event waiting", data)
	a.docShot("calendar-offline-waiting")
	if n := serverEvents(t, ana, c.a, "Zahnarzt"); n != 0 {
		t.Fatalf("the server has %d Zahnarzt while Ana is offline", n)
	}

	// Back online, the create's answer is lost: the retry makes no second event.
	paused := holdRequests(t, a, fetch.RequestPattern{URLPattern: "*/api/calendar/events", RequestStage: fetch.RequestStageResponse})
	a.setOffline(false)
	var post *fetch.EventRequestPaused
	select {
	case post = <-paused:
	case <-time.After(10 * time.Second):
		t.Fatal("the POST was not held")
	}
	if post.Request.Method != "POST" || post.ResponseStatusCode != 201 {
		t.Fatalf("held %s %s with status %d, want the POST answered 201", post.Request.Method, post.Request.URL, post.ResponseStatusCode)
	}
	if _, err := chromedp.Call(a.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: post.RequestID, ErrorReason: network.ErrorReasonConnectionReset}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(a.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
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
	// opens again offline; it stays offline, so only the first one sends.
	tab := a.newTab("Ana's second tab", phoneW, phoneH, false)
	tab.do(chromedp.Navigate(c.a.URL() + "/calendar"))
	tab.waitJS("the agenda, and the service worker in control", chip(".agenda", "Zahnarzt")+` && navigator.serviceWorker.controller`, 10*time.Second)
	tab.waitLive()
	tab.setOffline(true)
	tab.waitJS("the second tab offline", `navigator.onLine === false`, 5*time.Second)

	// Ana renames it offline while Ben renames it online: a conflict.
	goOffline()
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

	// One occurrence of a series needs a connection, and says so.
	a.waitLive()
	a.click(`.agenda li.event[data-title="Schwimmen"] button.event-open`)
	a.waitJS("the series' dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=this]')?.checked`, 5*time.Second)
	goOffline()
	a.setValue(`dialog[open] input[name=title]`, "Schwimmen (später)")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the dialog says it needs a connection", `!document.querySelector('dialog[open] .dialog-error').hidden`, 5*time.Second)
	if msg := eval[string](a, `document.querySelector('dialog[open] .dialog-error').textContent`); !strings.Contains(msg, "geht nur mit Verbindung") {
		t.Errorf("saving one occurrence offline says %q", msg)
	}
	germanOnly(a, "one occurrence offline", append(data, "Schwimmen (später)"))
	a.do(chromedp.KeyEvent("\x1b"))
	a.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	if n := eval[int](a, `window.familyhub.outbox.count()`); n != 0 {
		t.Errorf("%d writes wait after an occurrence's change offline, want none", n)
	}
	a.setOffline(false)
}
