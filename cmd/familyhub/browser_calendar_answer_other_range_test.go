package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserCalendarAnswerOtherRangeKept: the answer to the device's own
// write to an event is not dropped by a listing of another range read from
// the server: a kept range read before the write, opened offline later,
// shows the event as the device left it.
//
// Ana's laptop opens the week in two weeks (the dentist; kept), then this
// week. From there she renames the dentist (the answer comes), and goes
// a week back (read from the server). Offline, she steps forward to the
// dentist's week, kept from before the rename. Before, the listing of the
// week before dropped every answer the page had, and offline the kept week
// showed "Dentist" again; after a reload it showed "Orthodontist" (the
// outbox's saved answer), so the same week said two things.
func TestBrowserCalendarAnswerOtherRangeKept(t *testing.T) {
	browserTest(t)
	m, id, base := anaWithDentist(t)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	b.login(m.URL(), "ana@example.org")
	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	b.goTo("/calendar", `!!document.querySelector('.week-grid') && !!document.querySelector('.cal-nav .range').textContent`)
	thisWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, from the server", chip("Dentist"), 10*time.Second)
	b.waitJS("the dentist's week kept", keptCalendarHas("Dentist"), 10*time.Second)
	calNav(b, 2)
	b.waitJS("this week again", `document.querySelector('.cal-nav .range').textContent === `+js(thisWeek), 5*time.Second)

	eval[bool](b, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
		const base = %s;
		return enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { title: 'Orthodontist' }, record: base.id, base, label: base.title });
	}), true)`, base))
	b.waitJS("the rename answered", `window.familyhub.outbox.count() === 0
		&& import('/js/outbox.js').then((o) => { window.__answered = o.savedAnswers().get(`+js(id)+`)?.record?.title; }) && window.__answered === 'Orthodontist'`, 10*time.Second)
	calNav(b, 1) // the week before, read from the server

	b.goOffline()
	calNav(b, 3)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, kept", chip("Dentist")+` || `+chip("Orthodontist"), 5*time.Second)
	if got := eval[string](b, `[...document.querySelectorAll('.week-grid li.event')].map((e) => e.dataset.title).join()`); got != "Orthodontist" {
		t.Errorf("offline the dentist's week kept from before Ana's rename shows %q, want Orthodontist (her own change, answered)", got)
	}
}

// anaWithDentist starts a replica with Ana's family (a list, which the
// sign-in opens) and the dentist in two weeks and two days: the calendar
// answer tests' start. It returns the event's id and its JSON as created.
func anaWithDentist(t *testing.T) (m *Main, id string, base []byte) {
	t.Helper()
	m = startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	day := time.Now().UTC().AddDate(0, 0, 16).Format("2006-01-02")
	ev := restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Dentist", "starts_at": day + "T10:00:00Z", "ends_at": day + "T11:00:00Z"})
	base, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return m, ev["id"].(string), base
}
