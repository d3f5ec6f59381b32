package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxSavedAnswerKept: the device keeps its own saved answers.
// Ana, offline on her phone, renames "Dentist" and goes to the tasks page;
// the rename is sent there (the calendar is not open, so the week it kept
// still holds the old version). Offline again, she reloads the app: the
// calendar shows her rename (not the copy from before it), and a room she
// sets then is made against the version her rename left: saved as it is,
// with no conflict (without the kept answer it met a 412, judged against
// her own rename). The saved answers are read from IndexedDB more slowly
// than the copy after the reload (another transaction holds their store,
// as a busy phone may, until the calendar is open and its copy was read:
// holdAnswersAfterReload): the calendar waits for them. Before, it showed
// the copy without them (this test failed about 1 run in 8 under load).
func TestBrowserOutboxSavedAnswerKept(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	id := restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": "Dentist",
		"starts_at": day.Add(10 * time.Hour).Format(time.RFC3339), "ends_at": day.Add(11 * time.Hour).Format(time.RFC3339)})["id"].(string)
	a := newDevice(t, "Ana's phone", 360, 740, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	chip := func(title string) string {
		return `document.querySelector('.agenda li.event[data-title=` + js(title) + `]')`
	}
	a.goTo("/calendar", chip("Dentist")+` && navigator.serviceWorker.controller`)

	a.goOffline()
	a.click(`.agenda li.event[data-title="Dentist"] button.event-open`)
	a.waitJS("the dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=title]')?.value === 'Dentist'`, 5*time.Second)
	a.setValue(`dialog[open] input[name=title]`, "Dentist (Dr Weber)")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the rename waiting", `!document.querySelector('dialog[open]') && window.familyhub.outbox.count() === 1`, 5*time.Second)
	a.goTo("/tasks", `location.pathname === '/tasks'`)
	a.setOffline(false)
	a.waitJS("the rename saved", `window.familyhub.outbox.count() === 0`, 10*time.Second)
	if got := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil); got["title"] != "Dentist (Dr Weber)" || got["version"] != float64(2) {
		t.Fatalf("after the rename the event is %v", got)
	}

	a.goOffline()
	// After the reload, a transaction of the page holds the saved answers'
	// store until the copy was read with the calendar open: the copy is read before them.
	holdAnswersAfterReload(t, a)
	a.do(chromedp.Reload())
	a.waitJS("the tasks page, offline", `location.pathname === '/tasks' && document.querySelector('#main .page-head h1')`, 10*time.Second)
	a.goTo("/calendar", `location.pathname === '/calendar' && !!document.querySelector('.cal-body')`)
	// The page's own read of the copy, when it does not wait for the answers, comes before this one.
	a.waitJS("the calendar's copy read, the answers held", `(import('/js/cache.js').then((c) => c.kept('calendar')), window.keptRead.includes('calendar'))`, 10*time.Second)
	eval[bool](a, `(window.letAnswersGo = true)`)
	a.waitJS("the calendar drawn", chip("Dentist (Dr Weber)")+` || `+chip("Dentist"), 10*time.Second)
	if !eval[bool](a, chip("Dentist (Dr Weber)")+` !== null`) {
		t.Errorf("offline after a reload the calendar shows %q, want Ana's saved rename", eval[string](a, `[...document.querySelectorAll('.agenda li.event')].map((e) => e.dataset.title).join()`))
	}
	a.click(`.agenda li.event button.event-open`)
	a.waitJS("the dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=title]')`, 5*time.Second)
	a.setValue(`dialog[open] input[name=location]`, "Room 2")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the room waiting", `!document.querySelector('dialog[open]') && window.familyhub.outbox.count() === 1`, 5*time.Second)
	if im := eval[any](a, `window.familyhub.outbox.waiting()[0].ifMatch`); im != float64(2) {
		t.Errorf("the room is made against version %v, want 2 (the rename's)", im)
	}
	a.setOffline(false)
	a.waitJS("the room saved", `window.familyhub.outbox.count() === 0`, 10*time.Second)
	if n := eval[int](a, `document.querySelectorAll('#notices li.conflict').length`); n != 0 {
		t.Errorf("%d notices after the room was saved, want none: %s", n, eval[string](a, `document.getElementById('notices').textContent`))
	}
	if got := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil); got["title"] != "Dentist (Dr Weber)" || got["location"] != "Room 2" || got["version"] != float64(3) {
		t.Errorf("the event is %v, want the rename and the room, version 3", got)
	}
}
