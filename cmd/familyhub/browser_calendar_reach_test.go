package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCalendarFollowingNeedsServer: "this and the following ones"
// follows the app's connection state, not only the browser's: on a phone
// that is online but whose requests get a proxy's 502 (the outbox holds a
// write it could not send), the choice is disabled in the event dialog and
// in the delete question, saying the server is not answering, in English
// and German; both follow the state while they are open, and offer the
// choice again once the write is through.
func TestBrowserCalendarFollowingNeedsServer(t *testing.T) {
	browserTest(t)
	c, ana, _, _, first := weeklyFromTomorrow(t, map[string]any{"title": "Swimming"})
	for i, tc := range []struct {
		lang, needs string
		w, h        int64
	}{
		{"en-GB", "Needs the server, which is not answering right now.", phoneW, phoneH},
		{"de-DE", "Geht nur mit dem Server, und der antwortet gerade nicht.", 360, 740},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			dentist := restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": fmt.Sprintf("Dentist %d", i),
				"starts_at": first.Add(-4 * time.Hour).Format(time.RFC3339), "ends_at": first.Add(-3 * time.Hour).Format(time.RFC3339)})
			base, err := json.Marshal(dentist)
			if err != nil {
				t.Fatal(err)
			}
			a := newDevice(t, "Ana "+tc.lang, tc.w, tc.h, browserOpts{lang: tc.lang, script: `delete Navigator.prototype.serviceWorker;`})
			a.login(c.a.URL(), "ana@example.org")
			a.goTo("/calendar", `document.querySelectorAll('.agenda li.event[data-title="Swimming"]').length > 1`)
			fail := failRequests(t, a)
			// A write the server does not take (a proxy's 502): the outbox holds it.
			stuck := func() {
				t.Helper()
				fail.start("*/api/*", 502, "")
				eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => { const base = %s;
					enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { location: 'Room %d' }, record: base.id, base, label: base.title }); }), true)`, base, i))
			}

			// The event dialog of the second swim.
			eval[bool](a, `[...document.querySelectorAll('.agenda li.event[data-title="Swimming"] button.event-open')][1].click() ?? true`)
			following := `document.querySelector('dialog[open] input[name=scope][value=following]')`
			why := `document.querySelector('dialog[open] .scope-why')`
			a.waitJS("the series' dialog, the choice offered", dialogOpen+` && `+following+` && !`+following+`.disabled`, 5*time.Second)
			stuck()
			a.waitJS("the choice disabled while the server does not answer", `navigator.onLine && `+following+`.disabled
				&& `+why+`.textContent === `+js(tc.needs)+` && `+why+`.checkVisibility()
				&& `+following+`.getAttribute('aria-describedby') === `+why+`.id`, 10*time.Second)
			if w := eval[int](a, `document.documentElement.scrollWidth`); w > int(tc.w) {
				t.Errorf("the dialog is %d px wide on a %d px screen", w, tc.w)
			}
			fail.stop()
			a.waitJS("offered again once the write is through", `window.familyhub.outbox.count() === 0 && !`+following+`.disabled && !`+why+`.checkVisibility()`, 15*time.Second)

			// The delete question follows the state while it is open.
			a.click(`dialog[open] .actions button.danger`)
			del := `[...document.querySelectorAll('dialog.ask[open] .actions button.danger')][1]`
			a.waitJS("the delete question, the choice offered", del+` && !`+del+`.disabled`, 5*time.Second)
			stuck()
			a.waitJS("the delete choice disabled, saying why", del+`.disabled && document.getElementById(`+del+`.getAttribute('aria-describedby'))?.textContent === `+js(tc.needs), 10*time.Second)
			fail.stop()
			a.waitJS("the delete choice offered again", `window.familyhub.outbox.count() === 0 && !`+del+`.disabled && !`+del+`.hasAttribute('aria-describedby')`, 15*time.Second)
			a.do(chromedp.KeyEvent("\x1b"))
			a.waitJS("the question closed", `!document.querySelector('dialog.ask[open]')`, 5*time.Second)
		})
	}
}
