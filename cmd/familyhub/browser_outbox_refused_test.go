package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxRefusedLater: a write the server refuses for good (422)
// takes the later writes to its record with it, on a laptop in English and
// on a 360 px phone in German. Ana, offline, moves the end of "Dentist"
// before its start (the server refuses it) and then sets its room. Back
// online the refusal is said, and the room is not sent on top of it
// against a version only the device imagined: a notice (kept on the
// device) says what failed, why, and that the next change was not sent.
// Ben changes the room meanwhile; "Send the next change" sends Ana's
// against the version the device last had from the server, so it meets
// Ben's as a conflict, not overwriting it.
func TestBrowserOutboxRefusedLater(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	for _, tc := range []struct {
		lang, title   string
		w, h          int64
		refused, next string // the notice's two sentences, as they begin
		send          string
	}{
		{"en-GB", "Dentist", laptopW, laptopH, "Your change to “Dentist” was not saved: The end must not be before the start.",
			"Your next change to it was not sent either", "Send the next change"},
		{"de-DE", "Zahnarzt", 360, 740, "Deine Änderung an „Zahnarzt“ wurde nicht gespeichert:",
			"Deine nächste Änderung daran wurde auch nicht gesendet", "Nächste Änderung senden"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ev := restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": tc.title,
				"starts_at": day.Add(10 * time.Hour).Format(time.RFC3339), "ends_at": day.Add(11 * time.Hour).Format(time.RFC3339)})
			id := ev["id"].(string)
			base, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			a := newDevice(t, "Ana "+tc.lang, tc.w, tc.h, browserOpts{lang: tc.lang, script: `delete Navigator.prototype.serviceWorker;`})
			a.login(c.a.URL(), "ana@example.org")
			a.goOffline()
			eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(async ({ enqueue }) => {
				const base = %s;
				const path = '/api/calendar/events/' + base.id;
				await enqueue({ kind: 'event.patch', method: 'PATCH', path, body: { ends_at: %q }, record: base.id, base, label: base.title });
				await enqueue({ kind: 'event.patch', method: 'PATCH', path, body: { location: 'Room 2' }, record: base.id, base, label: base.title });
			}), true)`, base, day.Add(9*time.Hour).Format(time.RFC3339)))
			a.waitJS("two writes waiting", `window.familyhub.outbox.count() === 2`, 5*time.Second)

			a.setOffline(false)
			notice := `document.querySelector('#notices li.conflict[data-kind=refused]')`
			a.waitJS("the refusal and the next change in a notice", `window.familyhub.outbox.count() === 0 && `+notice+`
				&& `+notice+`.textContent.includes(`+js(tc.refused)+`) && `+notice+`.textContent.includes(`+js(tc.next)+`)
				&& `+notice+`.querySelector('button.primary')?.textContent === `+js(tc.send), 10*time.Second)
			if got := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil); got["location"] != "" || got["version"] != float64(1) {
				t.Fatalf("after the refusal the event is %v, want it untouched", got)
			}
			// Phone or laptop: the notice and its buttons fit the width.
			if fits := eval[bool](a, `[...`+notice+`.querySelectorAll('button')].every((b) => { const r = b.getBoundingClientRect();
				return r.left >= 0 && r.right <= innerWidth && r.height >= 44; }) && document.documentElement.scrollWidth <= innerWidth`); !fits {
				t.Errorf("the notice's buttons do not fit a %d px screen", tc.w)
			}
			// Kept on the device: a reload shows it again.
			a.do(chromedp.Reload())
			a.waitJS("the notice after a reload", notice+`?.textContent.includes(`+js(tc.next)+`)`, 10*time.Second)

			restAs(t, ben, c.b, "PATCH", "/api/calendar/events/"+id, map[string]any{"location": "Room 5"})
			a.click(`#notices li.conflict[data-kind=refused] button.primary`)
			a.waitJS("Ana's room a conflict with Ben's", `window.familyhub.outbox.count() === 0 && !`+notice+`
				&& document.querySelector('#notices li.conflict[data-kind=stale]')?.textContent.includes('Room 5')`, 10*time.Second)
			if got := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil); got["location"] != "Room 5" {
				t.Fatalf("the room is %q, want Ben's, kept until Ana chooses", got["location"])
			}
		})
	}
}
