package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserWeekFromTodayZone: the tests' weekFromToday starts the
// calendar's week on the family's today: at 23:00 UTC (midnight or 1 am
// in Berlin, the page's clock set there, pageTimers) a Berlin family's
// week on a laptop starts on Berlin's today, the first column marked
// today. Before, the stub took the UTC weekday: the week began on Berlin's
// yesterday, so a test placing events from today on could miss the last.
func TestBrowserWeekFromTodayZone(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	carla := signupAt(t, m.URL(), `{"email":"carla@example.org","password":"correct horse","display_name":"Carla","family_name":"Berg","time_zone":"Europe/Berlin"}`)
	restAs(t, carla, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // the sign-in opens it
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(24 * time.Hour).Add(23 * time.Hour)
	today := at.In(berlin).Format(time.DateOnly)
	next, _ := time.Parse(time.DateOnly, today)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: pageTimers(time.Until(at), heldCalendarMidnight)})
	b.login(m.URL(), "carla@example.org")
	b.goTo("/calendar", `document.querySelector('.cal-body')?.dataset.range?.startsWith('week ')`)
	want := fmt.Sprintf("week %s %s|wd-%s|wd-%s", today, next.AddDate(0, 0, 7).Format(time.DateOnly), today, today)
	got := eval[string](b, `[document.querySelector('.cal-body').dataset.range,
  document.querySelector('.week-day[aria-current=date]')?.getAttribute('aria-labelledby'),
  document.querySelector('.week-day')?.getAttribute('aria-labelledby')].join('|')`)
	if got != want {
		t.Fatalf("at %s a Berlin family's week shows %q, want %q (from Berlin's today)", at.Format(time.RFC3339), got, want)
	}
}
