package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// The answers to the device's own writes laid over the calendar's kept
// ranges (calendar-answers.js): range by range, in the device's own order.

// monthChipDays is a JavaScript expression: the days (YYYY-MM-DD) of the
// month grid's chips titled title, in order.
func monthChipDays(title string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('.month-grid li.event')].filter((e) => e.dataset.title === %q)
		.map((e) => e.closest('section.month-day').querySelector('h3').id.slice(3)).join()`, title)
}

// keptRangeHas is a JavaScript condition: the kept range from day from
// holds an occurrence titled title.
func keptRangeHas(from, title string) string {
	return fmt.Sprintf(`(import('/js/cache.js').then((c) => c.kept('calendar'))
		.then((k) => { window.__rangeHas = !!k?.ranges?.some((r) => r.from === %[1]q && r.occurrences.some((o) => o.title === %[2]q)); }),
		window.__rangeHas === true)`, from, title)
}

// TestBrowserCalendarMonthMovedOnce: a month the calendar draws offline
// from ranges kept before and after the device moved an event shows it
// once, on its new day.
//
// Ana's laptop (saving data: nothing read ahead) reads next month (Mia's
// party, a yearly event, on the 18th day before the month after), then the
// month after and its first week. From there she moves the party some two
// weeks on, into the week before that week (the answer comes), and reads
// the week before, which holds its new day. Offline, next month is drawn from the month kept before the move
// and the week kept after it. Before, the answer was laid over the month
// as a whole, judged by its newest range (the week, read after it: so not
// at all), and the month showed the party on both days: the occurrence
// kept from before the move and the one kept after it have two names (a
// repeating event's occurrence is named by its day), so neither hid the
// other, as a single event's two copies do.
func TestBrowserCalendarMonthMovedOnce(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	now := time.Now().UTC()
	after := time.Date(now.Year(), now.Month()+2, 1, 0, 0, 0, 0, time.UTC) // the first of the month after next
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	was := day(after.AddDate(0, 0, -18))
	ev := restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Party", "starts_at": was + "T10:00:00Z", "ends_at": was + "T11:00:00Z", "rrule": "FREQ=YEARLY"})
	id := ev["id"].(string)
	base, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}

	a := newDevice(t, "Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(m.URL(), "ana@example.org")
	a.dataSaver(true) // no range read ahead: each is read when shown
	a.goTo("/calendar", `!!document.querySelector('.week-grid') && !!document.querySelector('.cal-nav .range').textContent`)
	a.click(`.modes button[data-mode=month]`)
	a.waitJS("this month", `!!document.querySelector('.month-grid')`, 5*time.Second)
	calNav(a, 3)
	a.waitJS("next month, the party", monthChipDays("Party")+` === `+js(was), 10*time.Second)
	a.waitJS("next month kept", keptCalendarHas("Party"), 10*time.Second)
	nextMonth := eval[string](a, `document.querySelector('.cal-nav .range').textContent`)
	calNav(a, 3) // the month after
	a.click(`.modes button[data-mode=week]`)
	a.waitJS("its first week", `!!document.querySelector('.week-grid') && !!document.querySelector('#wd-`+day(after)+`')`, 10*time.Second)
	// The party moves to a day of the week before this one (whichever weekday the week starts on), in next month.
	first, err := time.Parse(time.DateOnly, eval[string](a, `document.querySelector('.cal-body').dataset.range.split(' ')[1]`))
	if err != nil {
		t.Fatal(err)
	}
	moved := day(first.AddDate(0, 0, -3))

	eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
		const base = %s;
		return enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { starts_at: %q, ends_at: %q }, record: base.id, base, label: base.title });
	}), true)`, base, moved+"T10:00:00Z", moved+"T11:00:00Z"))
	a.waitJS("the move answered", `window.familyhub.outbox.count() === 0
		&& import('/js/outbox.js').then((o) => { window.__answered = o.savedAnswers().get(`+js(id)+`)?.record?.starts_at; }) && window.__answered?.startsWith(`+js(moved)+`)`, 10*time.Second)
	calNav(a, 1) // the week before: the party's new day, read after the move
	a.waitJS("the week before, the party", `!!document.querySelector('#wd-`+moved+`') && !!document.querySelector('.week-grid li.event[data-title="Party"]')`, 10*time.Second)
	a.waitJS("that week kept", keptRangeHas(day(first.AddDate(0, 0, -7)), "Party"), 10*time.Second)

	a.goOffline()
	a.click(`.modes button[data-mode=month]`)
	a.waitJS("next month, from the device", `document.querySelector('.cal-nav .range').textContent === `+js(nextMonth)+`
		&& !!document.querySelector('.cal-body .month-grid') && !document.querySelector('.offline-state')`, 5*time.Second)
	if got := eval[string](a, monthChipDays("Party")); got != moved {
		t.Errorf("offline next month (the month kept before the move, the week after it) shows the party on %q, want once, on %s", got, moved)
	}
}

// TestBrowserCalendarAnswerClockBack: whether the answer to the device's
// own write came after a kept range was read is told by the device's own
// order (order.js), not its clock: set back between the two, the clock
// said the answer was older.
//
// Ana's laptop keeps the week in two weeks (the dentist), then, on this
// week, its clock is set back a day (by hand, or by the network) and she
// renames the dentist (the answer comes); she goes a week back (read from
// the server). Offline, the dentist's week, kept before the rename, shows
// her rename. Before, the answer's time (a day back) was before the
// week's, the answer was taken for one the week already held, and
// offline the week showed "Dentist".
func TestBrowserCalendarAnswerClockBack(t *testing.T) {
	browserTest(t)
	m, id, base := anaWithDentist(t)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	b.login(m.URL(), "ana@example.org")
	b.dataSaver(true) // no week read ahead: the dentist's week stays as read before the rename
	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	b.goTo("/calendar", `!!document.querySelector('.week-grid') && !!document.querySelector('.cal-nav .range').textContent`)
	thisWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, from the server", chip("Dentist"), 10*time.Second)
	b.waitJS("the dentist's week kept", keptCalendarHas("Dentist"), 10*time.Second)
	dentistWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 2)
	b.waitJS("this week again", `document.querySelector('.cal-nav .range').textContent === `+js(thisWeek), 5*time.Second)

	// A day back, on the laptop's clock.
	eval[bool](b, `(() => { const R = Date, off = -864e5;
		class D extends R { constructor(...a) { if (a.length) super(...a); else super(R.now() + off); } static now() { return R.now() + off; } }
		globalThis.Date = D; return true; })()`)
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
	b.waitJS("the dentist's week, kept", `document.querySelector('.cal-nav .range').textContent === `+js(dentistWeek)+`
		&& (`+chip("Dentist")+` || `+chip("Orthodontist")+`)`, 5*time.Second)
	if got := eval[string](b, `[...document.querySelectorAll('.week-grid li.event')].map((e) => e.dataset.title).join()`); got != "Orthodontist" {
		t.Errorf("offline the dentist's week kept before Ana's rename (made with the clock a day back) shows %q, want Orthodontist", got)
	}
}
