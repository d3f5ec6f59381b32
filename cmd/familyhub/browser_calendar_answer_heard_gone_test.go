package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// heardGone is the set-up of the tests below: Ana's laptop keeps the week
// in two weeks (the dentist), then from this week renames the dentist (the
// answer comes and is saved). The laptop records the events it hears.
type heardGone struct {
	b           *browser
	m           *Main
	ana         member
	id          string         // the dentist
	standup     map[string]any // an event of this week
	dentistWeek string         // the range label of the dentist's week
}

func newHeardGone(t *testing.T) *heardGone {
	t.Helper()
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
	b.goTo("/calendar", `!!document.querySelector('.week-grid') && !!document.querySelector('.cal-nav .range').textContent`)
	thisWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, from the server", weekChip("Dentist"), 10*time.Second)
	b.waitJS("the dentist's week kept", keptCalendarHas("Dentist"), 10*time.Second)
	dentistWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 2)
	b.waitJS("this week again", `document.querySelector('.cal-nav .range').textContent === `+js(thisWeek)+` && `+weekChip("Standup"), 5*time.Second)

	eval[bool](b, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
		const base = %s;
		return enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { title: 'Orthodontist' }, record: base.id, base, label: base.title });
	}), true)`, base))
	b.waitJS("the rename answered", `window.familyhub.outbox.count() === 0
		&& import('/js/outbox.js').then((o) => { window.__answered = o.savedAnswers().get(`+js(id)+`)?.record?.title; }) && window.__answered === 'Orthodontist'`, 10*time.Second)
	eval[bool](b, `(() => { window.__heard = []; const rt = window.familyhub.rt, on = rt.onEvent;
		rt.onEvent = (e) => { window.__heard.push(e); on(e); }; return true; })()`)
	return &heardGone{b: b, m: m, ana: ana, id: id, standup: standup, dentistWeek: dentistWeek}
}

// weekChip is the condition "the week grid shows an event titled title".
func weekChip(title string) string {
	return fmt.Sprintf(`!!document.querySelector('.week-grid li.event[data-title=%q]')`, title)
}

// deleteHeard deletes the dentist elsewhere (the phone, REST) and waits
// until the laptop's page was handed its event. The page showing a later
// change is no sign of it: a read the page began for an earlier event
// (its own rename's, coming back) can show the later change while the
// deletion is still on its way, and offline it never came (CI, load 14-20).
func (g *heardGone) deleteHeard(t *testing.T) {
	t.Helper()
	restAs(t, g.ana, g.m, "DELETE", "/api/calendar/events/"+g.id, nil)
	g.b.waitJS("the deletion heard", `window.__heard.some((e) => e.id === `+js(g.id)+` && e.op === 'delete')`, 10*time.Second)
}

// dentistWeekOffline steps forward to the dentist's week (kept from before
// the rename) and checks it shows nothing.
func (g *heardGone) dentistWeekOffline(t *testing.T) {
	t.Helper()
	calNav(g.b, 3)
	calNav(g.b, 3)
	g.b.waitJS("the dentist's week, kept", `document.querySelector('.cal-nav .range').textContent === `+js(g.dentistWeek)+`
		&& !!document.querySelector('.cal-body .week-grid') && !document.querySelector('.offline-state')`, 5*time.Second)
	if got := eval[string](g.b, `[...document.querySelectorAll('.week-grid li.event')].map((e) => e.dataset.title).join()`); got != "" {
		t.Errorf("offline the dentist's week (kept before the rename, the dentist deleted since, and heard of) shows %q, want nothing", got)
	}
}

// TestBrowserCalendarAnswerHeardGone: the answer to the device's own write
// to an event, kept by the page for the kept ranges read before it, does not
// bring the event back once the page heard that it was deleted elsewhere.
//
// Ana's phone deletes the dentist; the laptop hears it (then a rename of
// this week's stand-up). Offline, she steps forward to the dentist's week,
// kept from before the rename. Before, the page laid its answer (kept since
// pwa6 past the listings read from the server) over that week and showed
// "Orthodontist", an event the device had been told was gone.
func TestBrowserCalendarAnswerHeardGone(t *testing.T) {
	browserTest(t)
	g := newHeardGone(t)
	g.deleteHeard(t)
	restAs(t, g.ana, g.m, "PATCH", "/api/calendar/events/"+g.standup["id"].(string), map[string]any{"title": "Retro"})
	g.b.waitJS("the stand-up renamed", weekChip("Retro"), 10*time.Second)

	g.b.goOffline()
	g.dentistWeekOffline(t)
}

// TestBrowserCalendarHeardGoneStoring: a deletion the page heard holds on
// every page the tab opens next, also while storing it lags. The device's
// copy (IndexedDB's data store, where the device counts its order) is
// held by another transaction when the deletion comes; offline, Ana opens
// the tasks and the calendar again and steps to the dentist's week. Before,
// the deletion waited for its place in the device's order before the tab
// knew it, the calendar opened meanwhile took the saved rename for its
// kept ranges, and the dentist's week showed "Orthodontist".
func TestBrowserCalendarHeardGoneStoring(t *testing.T) {
	browserTest(t)
	g := newHeardGone(t)
	b := g.b
	eval[bool](b, `(() => { const open = indexedDB.open('familyhub');
		open.onsuccess = () => {
			const os = open.result.transaction('data', 'readwrite').objectStore('data');
			const spin = () => { if (window.__letDataGo) { open.result.close(); window.__dataLet = true; } else os.get('none').onsuccess = spin; };
			spin(); window.__dataHeld = true;
		};
		return true; })()`)
	b.waitJS("the data store held", `window.__dataHeld === true`, 5*time.Second)
	g.deleteHeard(t)

	b.goOffline()
	b.goTo("/tasks", `location.pathname === '/tasks'`)
	b.goTo("/calendar", `location.pathname === '/calendar' && !!document.querySelector('.cal-nav')`)
	// The calendar page took the saved answers when it opened (calendar-answers.js).
	evalAwait[bool](b, `import('/js/outbox.js').then((o) => o.started()).then(() => true)`)
	eval[bool](b, `(window.__letDataGo = true)`)
	b.waitJS("the data store free", `window.__dataLet === true`, 5*time.Second)
	b.waitJS("this week, kept", `!!document.querySelector('.cal-body .week-grid') && !document.querySelector('.offline-state')`, 10*time.Second)
	g.dentistWeekOffline(t)
}
