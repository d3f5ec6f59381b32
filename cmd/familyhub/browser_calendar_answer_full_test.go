package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCalendarAnswerStorageFull: with the device's storage full,
// the device's own order (order.js) goes on from the number stored, so an
// answer that comes in a tab opened since is still after the ranges kept
// before it.
//
// Ana's laptop, used for a while (its order stands at 1000), keeps the
// week in two weeks (the dentist). Its storage fills up and the page is
// opened again; she renames the dentist (the answer comes, kept in the
// tab's memory: storage refuses it). Offline, the dentist's week, kept
// before the rename, shows her rename. Before, the order could not be
// stored and the new tab counted from its own 0: the answer's number was
// below the week's, the answer was taken for one the week already held,
// and offline the week showed "Dentist".
func TestBrowserCalendarAnswerStorageFull(t *testing.T) {
	browserTest(t)
	m, id, base := anaWithDentist(t)
	// Storage full once the tab says so (sessionStorage: from the next page load on).
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;
		if (sessionStorage.getItem('full')) IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };`})
	b.login(m.URL(), "ana@example.org")
	b.dataSaver(true) // no week read ahead: the dentist's week stays as read before the rename
	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	// A device used for a while: its order far from 0.
	evalAwait[bool](b, `new Promise((resolve) => { const o = indexedDB.open('familyhub'); o.onsuccess = () => {
		const tx = o.result.transaction('data', 'readwrite'); tx.objectStore('data').put(1000, 'order');
		tx.oncomplete = () => { o.result.close(); resolve(true); }; }; })`)
	b.goTo("/calendar", `!!document.querySelector('.week-grid') && !!document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, from the server", chip("Dentist"), 10*time.Second)
	b.waitJS("the dentist's week kept", keptCalendarHas("Dentist"), 10*time.Second)
	dentistWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)

	// The storage fills up; the page opens again (a tab opened since).
	eval[bool](b, `(sessionStorage.setItem('full', '1'), true)`)
	b.do(chromedp.Navigate(m.URL() + "/calendar"))
	b.waitJS("this week, from the server", `!!document.querySelector('.week-grid') && !!document.querySelector('.cal-nav .range').textContent
		&& !document.querySelector('.cal-body .loading')`, 10*time.Second)
	b.waitLive()
	thisWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	eval[bool](b, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
		const base = %s;
		return enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { title: 'Orthodontist' }, record: base.id, base, label: base.title });
	}), true)`, base))
	b.waitJS("the rename answered", `window.familyhub.outbox.count() === 0
		&& import('/js/outbox.js').then((o) => { window.__answered = o.savedAnswers().get(`+js(id)+`)?.record?.title; }) && window.__answered === 'Orthodontist'`, 10*time.Second)
	calNav(b, 1) // the week before, read from the server
	b.waitJS("the week before", `document.querySelector('.cal-nav .range').textContent !== `+js(thisWeek)+` && !document.querySelector('.cal-body .loading')`, 10*time.Second)

	b.goOffline()
	calNav(b, 3)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, kept", `document.querySelector('.cal-nav .range').textContent === `+js(dentistWeek)+`
		&& (`+chip("Dentist")+` || `+chip("Orthodontist")+`)`, 5*time.Second)
	if got := eval[string](b, `[...document.querySelectorAll('.week-grid li.event')].map((e) => e.dataset.title).join()`); got != "Orthodontist" {
		t.Errorf("offline the dentist's week kept before Ana's rename (made with the storage full) shows %q, want Orthodontist", got)
	}
}
