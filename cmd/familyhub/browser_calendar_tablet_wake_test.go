package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// familyBeforeMidnight is a server with Ana's family (seedFamily; its zone
// is UTC), the time the test starts, and the family's next midnight at
// least an hour away, which the pages' clocks (pageTimers) are set before.
func familyBeforeMidnight(t *testing.T) (m *Main, ana member, start, midnight time.Time) {
	t.Helper()
	m = startMain(t, dbtest.URL(t))
	ana = signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"UTC"}`)
	seedFamily(t, m, ana)
	start = time.Now()
	midnight = start.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if midnight.Sub(start) < time.Hour { // too close to the real one: the one after
		midnight = midnight.Add(24 * time.Hour)
	}
	return m, ana, start, midnight
}

// dropHeld is a script for browserOpts after pageTimers: in the page,
// __drop(name) forgets the held timers of that name without running them,
// as a device asleep overnight never runs its page's midnight timer.
func dropHeld(name string) string {
	return fmt.Sprintf(`{
  const inner = window.setTimeout, ids = [];
  window.setTimeout = function (fn, ms, ...args) {
    const id = inner.call(window, fn, ms, ...args);
    if (typeof fn === 'function' && String(fn).includes(%s)) ids.push(id);
    return id;
  };
  window.__drop = () => { const n = window.__held(%s); for (const id of ids.splice(0)) window.clearTimeout(id); return n - window.__held(%s); };
}`, js(heldMarks[name]), js(name), js(name))
}

// TestBrowserCalendarTabletWakes: the kitchen tablet (800x1280, German,
// the week) and a phone (the agenda) are left on the calendar overnight;
// their page's midnight timer never runs (the devices slept: it is dropped
// unrun). Shown again at 07:00 (visibilitychange, as when the screen comes
// on), the tablet's week starts today with today marked, and the phone's
// agenda starts with today ("Today · …", last night's 23:00 gone). Before, both stayed on yesterday until the
// timer came (an hour later, or never).
func TestBrowserCalendarTabletWakes(t *testing.T) {
	browserTest(t)
	m, ana, start, midnight := familyBeforeMidnight(t)
	off := midnight.Add(-2 * time.Hour).Sub(start) // the pages start at 22:00
	yesterday, today := midnight.AddDate(0, 0, -1).Format("2006-01-02"), midnight.Format("2006-01-02")
	restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Spülmaschine ausräumen", "starts_at": midnight.Add(-time.Hour).Format(time.RFC3339), "ends_at": midnight.Add(-30 * time.Minute).Format(time.RFC3339)})
	restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Elternsprechabend", "starts_at": midnight.Add(18 * time.Hour).Format(time.RFC3339), "ends_at": midnight.Add(19 * time.Hour).Format(time.RFC3339)})

	script := pageTimers(off, heldCalendarMidnight) + "\n" + dropHeld(heldCalendarMidnight)
	tablet := newDevice(t, "tablet", 800, 1280, browserOpts{lang: "de-DE", script: script})
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB", script: script})
	signInAll(t, func() { tablet.login(m.URL(), "ana@example.org") }, func() { phone.login(m.URL(), "ana@example.org") })

	week := `[document.querySelector('.cal-body')?.dataset.range, document.querySelector('.week-day[aria-current=date]')?.getAttribute('aria-labelledby')].join('|')`
	firstDay := `document.querySelector('.agenda section.day h2')?.textContent ?? ''`
	tablet.goTo("/calendar", `document.querySelector('.week-grid li.event[data-title="Elternsprechabend"]')`)
	phone.goTo("/calendar", `document.querySelector('.agenda li.event[data-title="Elternsprechabend"]')`)
	wantWeek := func(day string) string {
		d, _ := time.Parse("2006-01-02", day)
		return fmt.Sprintf("week %s %s|wd-%s", day, d.AddDate(0, 0, 7).Format("2006-01-02"), day)
	}
	if got := eval[string](tablet, week); got != wantWeek(yesterday) {
		t.Fatalf("at 22:00 the tablet shows %q, want %q", got, wantWeek(yesterday))
	}
	if got := eval[string](phone, firstDay); got != "Today · "+fmtDayMonth(yesterday) {
		t.Fatalf("at 22:00 the phone's agenda starts with %q, want Today · %s", got, fmtDayMonth(yesterday))
	}
	for _, b := range []*browser{tablet, phone} {
		if n := eval[int](b, `window.__drop('calendarMidnight')`); n != 1 {
			t.Fatalf("%s: %d midnight timers dropped, want 1", b.name, n)
		}
		if n := advanceTo(b, midnight.Add(7*time.Hour)); n != 0 {
			t.Fatalf("%s: %d held timers ran overnight, want none", b.name, n)
		}
	}
	// Asleep, nothing moved: the pages still show yesterday.
	if got := eval[string](tablet, week); got != wantWeek(yesterday) {
		t.Fatalf("at 07:00, before it is shown again, the tablet shows %q, want %q", got, wantWeek(yesterday))
	}
	for _, b := range []*browser{tablet, phone} {
		eval[bool](b, `document.dispatchEvent(new Event('visibilitychange')), true`)
	}
	tablet.waitJS("today's week with today marked", week+` === `+js(wantWeek(today)), 10*time.Second)
	phone.waitJS("the agenda from today", firstDay+` === `+js("Today · "+fmtDayMonth(today)), 10*time.Second)
	for _, b := range []*browser{tablet, phone} {
		if n := eval[int](b, `window.__held('calendarMidnight')`); n != 1 {
			t.Errorf("%s: %d midnight timers after waking, want 1 (the next midnight)", b.name, n)
		}
	}
}

// fmtDayMonth is day (YYYY-MM-DD) as the English agenda heads it: "Sat 5 Dec".
func fmtDayMonth(day string) string {
	d, _ := time.Parse("2006-01-02", day)
	return d.Format("Mon 2 Jan")
}
