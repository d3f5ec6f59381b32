package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserCalendarWeekStarts: on a Saturday (the pages' clocks set to
// one, pageTimers), the week on an American laptop is Sunday to Saturday
// and on a German one Monday to Sunday, as their months' rows, with today
// marked: the Saturday market shows on both, Sunday's brunch only on the
// German one (its week goes on to Sunday). Next moves by seven days, Today
// comes back to the week with today. Before, the week ran seven days from
// today, Saturday to Friday, on both.
func TestBrowserCalendarWeekStarts(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"UTC"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // the sign-in opens it
	sat := time.Now().UTC().Truncate(24 * time.Hour)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDate(0, 0, 1)
	}
	day := func(n int) string { return sat.AddDate(0, 0, n).Format(time.DateOnly) }
	for title, at := range map[string]time.Time{"Market": sat.Add(9 * time.Hour), "Brunch": sat.Add(35 * time.Hour)} {
		restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": title, "starts_at": at.Format(time.RFC3339), "ends_at": at.Add(time.Hour).Format(time.RFC3339)})
	}
	script := pageTimers(sat.Add(12*time.Hour).Sub(time.Now()), heldCalendarMidnight) // Saturday noon
	us := newDevice(t, "us", 1280, 800, browserOpts{lang: "en-US", script: script, realWeek: true})
	de := newDevice(t, "de", 1280, 800, browserOpts{lang: "de-DE", script: script, realWeek: true})
	signInAll(t, func() { us.login(m.URL(), "ana@example.org") }, func() { de.login(m.URL(), "ana@example.org") })

	// The week drawn, today's column, the first column's heading and the events shown.
	const shown = `[document.querySelector('.cal-body')?.dataset.range,
  document.querySelector('.week-day[aria-current=date]')?.getAttribute('aria-labelledby'),
  document.querySelector('.week-day h3')?.textContent,
  [...document.querySelectorAll('.week-grid li.event')].map((e) => e.dataset.title).join()].join('|')`
	for _, c := range []struct {
		b          *browser
		first      int // the week's first day from the Saturday
		head, evts string
	}{
		{us, -6, "Sun", "Market"},
		{de, -5, "Mo", "Market,Brunch"},
	} {
		week := func(from int) string { return fmt.Sprintf("week %s %s", day(from), day(from+7)) }
		c.b.goTo("/calendar", `document.querySelector('.week-grid li.event[data-title=Market]')`)
		head := eval[string](c.b, `document.querySelector('.week-day h3').textContent`)
		want := fmt.Sprintf("%s|wd-%s|%s|%s", week(c.first), day(0), head, c.evts)
		if got := eval[string](c.b, shown); got != want || len(head) < len(c.head) || head[:len(c.head)] != c.head {
			t.Fatalf("%s: on a Saturday the week shows %q, want %q starting with %s", c.b.name, got, want, c.head)
		}
		calNext(c.b)
		if got := eval[string](c.b, `document.querySelector('.cal-body').dataset.range`); got != week(c.first+7) {
			t.Errorf("%s: Next shows %q, want %q", c.b.name, got, week(c.first+7))
		}
		calNav(c.b, 2) // Today
		c.b.waitJS("the week with today again", shown+` === `+js(want), 10*time.Second)
	}
}

// TestBrowserWeekStartsOn: the tests' weekStartsOn reads the week's
// first day from Chromium's locale data as the app does, for the
// languages the tests use and a Saturday-first one, all of them from one
// Chromium start (weekTags). Before, it knew Sunday only for a -US tag
// and took any other for Monday. The starts are counted for the whole
// test process, not within this test: in a full run the tests before it
// (TestBrowserAccessibility's seedShots, TestBrowserRealtime, the
// calendar's) have asked already, and a count of its own would be 0
// whatever they cost. (It starts a Chromium of its own, so it is a
// browser test: named TestBrowser…, the pool keeps spares ready for the
// browser test after it.)
func TestBrowserWeekStartsOn(t *testing.T) {
	browserTest(t)
	// In this order: ar-EG, after the others, is answered by the first start too.
	for _, c := range []struct {
		lang string
		want time.Weekday
	}{{"en-US", time.Sunday}, {"en-GB", time.Monday}, {"de-DE", time.Monday}, {"ar-EG", time.Saturday}} {
		if got := weekStartsOn(t, c.lang); got != c.want {
			t.Errorf("weekStartsOn(%s) = %s, want %s", c.lang, got, c.want)
		}
	}
	if n := weekStartRuns.Load(); n > 1 {
		t.Errorf("weekStartsOn started Chromium %d times in this test process for the tests' languages (weekTags), want once", n)
	}
}
