package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestBrowserOutboxRefusedDeleteListed: a refused notice lists the writes
// it holds back, as the conflict notice does, so "Drop it" never throws
// away what the user cannot see; a deletion held back is called one. And
// the notices' region is named for every kind of notice it holds. Ana
// moves the end before the start offline (refused) and then deletes the
// event; in English on a laptop and German on a phone.
func TestBrowserOutboxRefusedDeleteListed(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	for _, tc := range []struct {
		lang, title, deleted, send, region string
		w, h                               int64
	}{
		{"en-GB", "Dentist", "You deleted it.", "Send the deletion", "Sync notices", laptopW, laptopH},
		{"de-DE", "Zahnarzt", "Du hattest es gelöscht.", "Löschen senden", "Hinweise zur Synchronisierung", phoneW, phoneH},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ev := restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": tc.title,
				"starts_at": day.Add(10 * time.Hour).Format(time.RFC3339), "ends_at": day.Add(11 * time.Hour).Format(time.RFC3339)})
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
				await enqueue({ kind: 'event.delete', method: 'DELETE', path, record: base.id, base, label: base.title });
			}), true)`, base, day.Add(9*time.Hour).Format(time.RFC3339)))
			a.waitJS("two writes waiting", `window.familyhub.outbox.count() === 2`, 5*time.Second)
			a.setOffline(false)
			notice := `document.querySelector('#notices li.conflict[data-kind=refused]')`
			a.waitJS("the refusal in a notice", `window.familyhub.outbox.count() === 0 && !!`+notice, 10*time.Second)
			a.waitJS("the deletion listed and named", notice+`.textContent.includes(`+js(tc.deleted)+`)
				&& !/change to it|Änderung daran/.test(`+notice+`.textContent.split(':').slice(1).join(':'))
				&& `+notice+`.querySelector('button.primary')?.textContent === `+js(tc.send), 5*time.Second)
			if got := eval[string](a, `document.getElementById('notices').getAttribute('aria-label')`); got != tc.region {
				t.Errorf("the notices' region is labelled %q, want %q", got, tc.region)
			}
			if fits := eval[bool](a, `[...`+notice+`.querySelectorAll('button')].every((b) => { const r = b.getBoundingClientRect();
				return r.left >= 0 && r.right <= innerWidth; }) && document.documentElement.scrollWidth <= innerWidth`); !fits {
				t.Errorf("the notice does not fit a %d px screen", tc.w)
			}
		})
	}
}
