package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	letGo := holdStore(b, "data")
	g.deleteHeard(t)

	b.goOffline()
	b.goTo("/tasks", `location.pathname === '/tasks'`)
	b.goTo("/calendar", `location.pathname === '/calendar' && !!document.querySelector('.cal-nav')`)
	// The calendar page took the saved answers when it opened (calendar-answers.js).
	evalAwait[bool](b, `import('/js/outbox.js').then((o) => o.started()).then(() => true)`)
	letGo()
	b.waitJS("this week, kept", `!!document.querySelector('.cal-body .week-grid') && !document.querySelector('.offline-state')`, 10*time.Second)
	g.dentistWeekOffline(t)
}

// holdStore keeps b's IndexedDB store busy with a write (as another tab's
// long transaction does) until letGo is called: the transactions on the
// store begun meanwhile wait, in the order they began.
func holdStore(b *browser, store string) (letGo func()) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => { window.__storeHeld = false; window.__letStoreGo = false; window.__storeLet = false;
		const open = indexedDB.open('familyhub');
		open.onsuccess = () => {
			const os = open.result.transaction(%[1]q, 'readwrite').objectStore(%[1]q);
			const spin = () => { if (window.__letStoreGo) { open.result.close(); window.__storeLet = true; } else os.get('none').onsuccess = spin; };
			spin(); window.__storeHeld = true;
		};
		return true; })()`, store))
	b.waitJS("the "+store+" store held", `window.__storeHeld === true`, 5*time.Second)
	return func() {
		b.t.Helper()
		eval[bool](b, `(window.__letStoreGo = true)`)
		b.waitJS("the "+store+" store free", `window.__storeLet === true`, 5*time.Second)
	}
}

// TestBrowserCalendarHeardGoneReread: a deletion the tab heard stays known
// when another tab's change makes it read the saved answers again while
// the deletion is still being stored. A second tab of Ana's laptop holds
// the answers store and says it changed something; the laptop's read of
// the answers waits behind it, and the deletion, heard meanwhile, waits
// behind that read. Offline, Ana opens the tasks and the calendar again
// and steps to the dentist's week. Before, the read, which found the saved
// rename, replaced the deletion known in the tab, and the week showed
// "Orthodontist" until the next read.
func TestBrowserCalendarHeardGoneReread(t *testing.T) {
	browserTest(t)
	g := newHeardGone(t)
	b := g.b
	// The laptop's reads of the answers, counted (begun).
	eval[bool](b, `(() => { window.__answersReads = 0; const getAll = IDBObjectStore.prototype.getAll;
		IDBObjectStore.prototype.getAll = function (...args) { if (this.name === 'answers') window.__answersReads++; return getAll.apply(this, args); };
		return true; })()`)
	other := b.newTab("Ana's laptop, another tab", laptopW, laptopH, false)
	other.do(chromedp.Navigate(g.m.URL() + "/js/order.js")) // the device's origin, not the app
	letGo := holdStore(other, "answers")
	eval[bool](other, `(new BroadcastChannel('familyhub-outbox').postMessage('changed'), true)`)
	b.waitJS("the laptop reading the answers again", `window.__answersReads > 0`, 5*time.Second)
	g.deleteHeard(t)
	letGo()
	b.waitJS("the deletion stored", `import('/js/idb.js').then((idb) => idb.get('answers', `+js(g.id)+`)).then((a) => { window.__storedGone = a?.record === null; }) && window.__storedGone === true`, 10*time.Second)
	other.closeTab()

	b.goOffline()
	b.goTo("/tasks", `location.pathname === '/tasks'`)
	b.goTo("/calendar", `location.pathname === '/calendar' && !!document.querySelector('.cal-nav')`)
	b.waitJS("this week, kept", `!!document.querySelector('.cal-body .week-grid') && !document.querySelector('.offline-state')`, 10*time.Second)
	g.dentistWeekOffline(t)
}
