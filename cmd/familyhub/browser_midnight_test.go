package main

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserMidnightMovesOn: pages left open past midnight move on to the
// new day by themselves. The devices' clocks are set so that midnight (the
// family's zone is UTC) comes 25 seconds after they start. On the kitchen
// tablet in German, the task due tomorrow at 17:00 ("Morgen 17:00" under
// the other open tasks) moves to today's tasks; on a 360 px phone in
// English, the agenda's "Tomorrow · …" with the dentist becomes "Today · …".
// Before, both stayed on the old day until something else drew the page.
func TestBrowserMidnightMovesOn(t *testing.T) {
	browserTest(t)
	m, ana, start, midnight := familyBeforeMidnight(t)
	off := midnight.Add(-10 * time.Minute).Sub(start) // the pages start ten minutes before their midnight
	tomorrow := midnight                              // the pages' tomorrow, from before their midnight
	restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Pick up the parcel", "due_at": tomorrow.Add(17 * time.Hour).Format(time.RFC3339)})
	restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Dentist", "starts_at": tomorrow.Add(10 * time.Hour).Format(time.RFC3339), "ends_at": tomorrow.Add(11 * time.Hour).Format(time.RFC3339)})

	tablet := newDevice(t, "tablet", 1180, 820, browserOpts{lang: "de-DE", script: pageTimers(off, heldTasksClock, heldCalendarMidnight)})
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB", script: pageTimers(off, heldTasksClock, heldCalendarMidnight)})
	signInAll(t, func() { tablet.login(m.URL(), "ana@example.org") }, func() { phone.login(m.URL(), "ana@example.org") })
	parcel := `[...document.querySelectorAll('li.task')].find((li) => li.querySelector('.title')?.textContent === 'Pick up the parcel')`
	tablet.goTo("/tasks", parcel)
	dentist := `[...document.querySelectorAll('section.day')].find((s) => s.querySelector('li.event[data-title="Dentist"]'))?.querySelector('h2').textContent`
	phone.goTo("/calendar", dentist)
	if got := eval[string](tablet, parcel+`.closest('section').getAttribute('aria-labelledby') + ' ' + `+parcel+`.querySelector('.due').textContent`); got != "h-open Morgen 17:00" {
		t.Fatalf("before midnight the parcel shows %q, want h-open Morgen 17:00", got)
	}
	if got := eval[string](phone, dentist); !strings.HasPrefix(got, "Tomorrow · ") {
		t.Fatalf("before midnight the dentist's day is %q, want Tomorrow · …", got)
	}
	advanceTo(tablet, midnight.Add(time.Second))
	advanceTo(phone, midnight.Add(time.Second))
	wait := 10 * time.Second
	tablet.waitJS("the parcel among today's tasks after midnight", parcel+`?.closest('ul') === document.querySelector('#h-today + ul')
		&& `+parcel+`.querySelector('.due').textContent === '17:00'`, wait)
	phone.waitJS("the dentist today after midnight", dentist+`?.startsWith('Today · ')`, wait)
}
