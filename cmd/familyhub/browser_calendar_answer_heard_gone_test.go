package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserCalendarAnswerHeardGone: the answer to the device's own write
// to an event, kept by the page for the kept ranges read before it, does not
// bring the event back once the page heard that it was deleted elsewhere.
//
// Ana's laptop keeps the week in two weeks (the dentist), then from this
// week renames the dentist (the answer comes). Her phone deletes the
// dentist; the laptop hears it (then a rename of this week's stand-up, in
// order after it). Offline, she steps forward to the dentist's week, kept
// from before the rename. Before, the page laid its answer (kept since pwa6
// past the listings read from the server) over that week and showed
// "Orthodontist", an event the device had been told was gone.
func TestBrowserCalendarAnswerHeardGone(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	day := time.Now().UTC().AddDate(0, 0, 16).Format("2006-01-02")
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	ev := restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Dentist", "starts_at": day + "T10:00:00Z", "ends_at": day + "T11:00:00Z"})
	id := ev["id"].(string)
	standup := restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Standup", "starts_at": tomorrow + "T12:00:00Z", "ends_at": tomorrow + "T12:30:00Z"})
	base, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	b.login(m.URL(), "ana@example.org")
	chip := func(title string) string {
		return fmt.Sprintf(`!!document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	b.goTo("/calendar", `!!document.querySelector('.week-grid') && !!document.querySelector('.cal-nav .range').textContent`)
	thisWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, from the server", chip("Dentist"), 10*time.Second)
	b.waitJS("the dentist's week kept", keptCalendarHas("Dentist"), 10*time.Second)
	dentistWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 2)
	b.waitJS("this week again", `document.querySelector('.cal-nav .range').textContent === `+js(thisWeek)+` && `+chip("Standup"), 5*time.Second)

	eval[bool](b, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
		const base = %s;
		return enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { title: 'Orthodontist' }, record: base.id, base, label: base.title });
	}), true)`, base))
	b.waitJS("the rename answered", `window.familyhub.outbox.count() === 0
		&& import('/js/outbox.js').then((o) => { window.__answered = o.savedAnswers().get(`+js(id)+`)?.record?.title; }) && window.__answered === 'Orthodontist'`, 10*time.Second)

	// The phone deletes the dentist, then renames the stand-up: the laptop
	// showing the stand-up renamed has heard the deletion before it.
	restAs(t, ana, m, "DELETE", "/api/calendar/events/"+id, nil)
	restAs(t, ana, m, "PATCH", "/api/calendar/events/"+standup["id"].(string), map[string]any{"title": "Retro"})
	b.waitJS("the stand-up renamed (the deletion heard before it)", chip("Retro"), 10*time.Second)

	b.goOffline()
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, kept", `document.querySelector('.cal-nav .range').textContent === `+js(dentistWeek)+`
		&& !!document.querySelector('.cal-body .week-grid') && !document.querySelector('.offline-state')`, 5*time.Second)
	if got := eval[string](b, `[...document.querySelectorAll('.week-grid li.event')].map((e) => e.dataset.title).join()`); got != "" {
		t.Errorf("offline the dentist's week (kept before the rename, the dentist deleted since, and heard of) shows %q, want nothing", got)
	}
}
