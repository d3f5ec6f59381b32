package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Helpers for the calendar's browser tests, on top of
// browser_pwa_helpers_test.go and browser_offline_helpers_test.go.

// weeklyFromTomorrow is twoAdults with Ana's list "Weekly" (the sign-in
// opens it) and a weekly series Ana made from tomorrow 16:00–17:00 UTC
// (the family's zone) with the fields of series (its title, a location…).
// It answers the series as the server created it and its first start.
func weeklyFromTomorrow(t *testing.T, series map[string]any) (c *cluster, ana, ben member, created map[string]any, first time.Time) {
	t.Helper()
	c, ana, ben = twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	first = time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour).Add(16 * time.Hour)
	body := map[string]any{"starts_at": first.Format(time.RFC3339), "ends_at": first.Add(time.Hour).Format(time.RFC3339), "rrule": "FREQ=WEEKLY"}
	maps.Copy(body, series)
	return c, ana, ben, restAs(t, ana, c.a, "POST", "/api/calendar/events", body), first
}

// calNext presses the calendar's Next (in any language) and returns once
// the next week (or month) is read and drawn: the body names another
// listing drawn (calendar.js). Looking for a chip right after the label
// changed could look before the week's events were drawn, and step past it.
func calNext(b *browser) {
	b.t.Helper()
	const drawn = `document.querySelector('.cal-body')?.dataset.range`
	b.waitJS("a listing drawn", drawn, 5*time.Second)
	before := eval[string](b, drawn)
	b.click(`.cal-nav button:nth-of-type(3)`) // Next
	b.waitJS("the next range read and drawn", fmt.Sprintf(`(%s ?? %q) !== %q`, drawn, before, before), 10*time.Second)
}

// weekStarts holds weekStartsOn's answers by language tag, for the test
// process: each Chromium start to ask costs seconds on a loaded machine.
var weekStarts sync.Map // string → time.Weekday

// weekTags are the languages the tests use (their devices', and
// TestBrowserWeekStartsOn's Saturday-first ar-EG): weekStartsOn asks for
// them with the first tag it is given, so that one Chromium start
// answers the test process.
var weekTags = []string{"en-US", "en-GB", "de-DE", "ar-EG"}

// weekStartRuns counts weekStartsOn's Chromium starts.
var weekStartRuns atomic.Int32

// weekStartsOn is the first day of lang's calendar week as the app finds
// it: i18n.js's firstDayOfWeek, which the calendar's Week and Month
// follow, asks Intl.Locale's getWeekInfo (weekInfo in older Chromium),
// and so does this, in the tests' Chromium (headless, --dump-dom):
// Sunday for en-US, Monday for en-GB and de-DE, Saturday for ar-EG. A
// table of its own here knew Sunday only for -US, and would drift from
// the data the app reads. It fails the test when Chromium does not answer.
// Its Chromium is a process of its own, with the pool's flags
// (chromiumFlags), not one of the pool's browsers: those are the test's
// devices, started ahead for it, and one taken here would leave the test
// to start a device cold, at the same cost, with the pool's bookkeeping
// (its clean-up and refill are newBrowser's, per *testing.T) on top.
func weekStartsOn(tb testing.TB, lang string) time.Weekday {
	tb.Helper()
	if d, ok := weekStarts.Load(lang); ok {
		return d.(time.Weekday)
	}
	needChromium(tb)
	profile, err := os.MkdirTemp(profilesRoot, "familyhub-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	defer removeProfile(profile)
	tags, _ := json.Marshal(append([]string{lang}, weekTags...))
	src := `<body><script>document.write(` + string(tags) + `.map((tag) => {
  const l = new Intl.Locale(tag);
  return tag + '=' + (l.getWeekInfo?.() ?? l.weekInfo).firstDay;
}).join(' '));</script>`
	ctx, cancel := context.WithTimeout(tb.Context(), 30*time.Second)
	defer cancel()
	weekStartRuns.Add(1)
	args := []string{"--user-data-dir=" + profile, "--dump-dom", "data:text/html," + url.PathEscape(src)}
	for _, f := range chromiumFlags {
		args = append(args, "--"+f)
	}
	cmd := exec.CommandContext(ctx, chromiumPath, args...)
	// Chromium's children may outlive it holding its stdout: Output
	// returns 5 s after Chromium exits (or is killed) whatever they do.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	// The answers follow the script in the page (the script's own text
	// is dumped too): "en-US=7 en-GB=1 …", getWeekInfo's 1 = Monday … 7 = Sunday.
	var written []byte
	if i := bytes.LastIndex(out, []byte("</script>")); i >= 0 {
		written = out[i+len("</script>"):]
	}
	for _, m := range regexp.MustCompile(`([A-Za-z0-9-]+)=([1-7])\b`).FindAllSubmatch(written, -1) {
		weekStarts.Store(string(m[1]), time.Weekday((m[2][0]-'0')%7))
	}
	d, ok := weekStarts.Load(lang)
	if !ok {
		tb.Fatalf("the first day of %s's week from Chromium: %v; it printed %q", lang, err, out)
	}
	return d.(time.Weekday)
}

// weekFirst is the first day of the calendar week, starting on start,
// that holds t: t itself or up to six days before it, at t's clock time
// and in t's zone.
func weekFirst(t time.Time, start time.Weekday) time.Time {
	return t.AddDate(0, 0, -((int(t.Weekday()) - int(start) + 7) % 7))
}

// weekOfToday returns the first day (2006-01-02) of the calendar week,
// from start, that holds b's today as its Week view marks it
// (aria-current), the view showing that week from its first day. That
// week must be seeded (the week the test seeded its events in) or the
// one after it, and the one after only when the family's first weekday's
// midnight has passed by the Go clock too (in zone, the family's time
// zone), and the seeded one only when it had not passed yet: the page's
// week must lie between the Go clock's weeks read just before and just
// after the page's (a new week beginning between the two reads passes
// either way). Any other week, no today shown or a week shown from
// another day fails the test. (Before, the week the page showed was
// taken as it came: a page whose clock or zone was off was checked
// against its own wrong week, and passed; then the next week was taken
// whatever the clock, and a page clock 7 days fast passed; then only the
// Go week after the read bounded it, and a page clock behind, still in
// the seeded week after the Go clock had left it, passed.)
func weekOfToday(b *browser, start time.Weekday, seeded, zone string) string {
	b.t.Helper()
	first, err := time.Parse(time.DateOnly, seeded)
	if err != nil {
		b.t.Fatal(err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		b.t.Fatal(err)
	}
	next := first.AddDate(0, 0, 7).Format(time.DateOnly)
	goBefore := weekFirst(time.Now().In(loc), start).Format(time.DateOnly)
	r := eval[[]string](b, fmt.Sprintf(`((today) => {
  const head = document.querySelector('.week-grid section.week-day')?.getAttribute('aria-labelledby') ?? '';
  if (!today) return ['', head];
  const d = new Date(today.slice(3) + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() - (d.getUTCDay() - %d + 7) %% 7);
  return [d.toISOString().slice(0, 10), head];
})(document.querySelector('.week-grid section.week-day[aria-current=date]')?.getAttribute('aria-labelledby'))`, int(start)))
	goAfter := weekFirst(time.Now().In(loc), start).Format(time.DateOnly)
	switch week, head := r[0], r[1]; {
	case week == "":
		b.t.Fatalf("%s: the Week view marks no day as today (it shows the week from %q), want a day of the week of %s or of %s", b.name, head, seeded, next)
	case week != seeded && week != next || week < goBefore || week > goAfter:
		b.t.Fatalf("%s: the Week view's today is in the week of %s, want the seeded week of %s or the next, of %s, and the Go clock's (the week of %s before the page was read, of %s after): the page's clock or zone is off",
			b.name, week, seeded, next, goBefore, goAfter)
	case head != "wd-"+week:
		b.t.Fatalf("%s: the Week view starts at %s, not on the week's first day %s", b.name, head, week)
	}
	return r[0]
}

// seededWeekDrawn waits until b's Week view shows the week from seeded
// (2006-01-02) with an event titled each of titles (data-title), the
// range drawn and the titles read in one evaluation. When the view
// showed the next week instead (it follows today, and that week's first
// midnight passed since weekOfToday read it), Previous goes back to the
// seeded week, where the view stays, and the wait starts again there.
func seededWeekDrawn(b *browser, seeded string, titles []string) {
	b.t.Helper()
	first, err := time.Parse(time.DateOnly, seeded)
	if err != nil {
		b.t.Fatal(err)
	}
	week := func(d time.Time) string {
		return "week " + d.Format(time.DateOnly) + " " + d.AddDate(0, 0, 7).Format(time.DateOnly)
	}
	want, next := week(first), week(first.AddDate(0, 0, 7))
	list, _ := json.Marshal(titles)
	// [the range drawn, the titles it lacks...]
	missing := fmt.Sprintf(`((r) => [r ?? '', ...%s.filter((t) => !document.querySelector('.week-grid li.event[data-title="' + CSS.escape(t) + '"]'))])(document.querySelector('.cal-body')?.dataset.range)`, list)
	done := func(orNext bool) string {
		return fmt.Sprintf(`((m) => m[0] === %q && m.length === 1 || %t && m[0] === %q)(%s)`, want, orNext, next, missing)
	}
	b.waitJS("the seeded week with its events, or the next week", done(true), 10*time.Second)
	if eval[[]string](b, missing)[0] == next {
		b.t.Logf("%s: the calendar moved on to the next week (%s) at its midnight: the seeded week's events checked a week back", b.name, next)
		calNav(b, 1) // Previous
	}
	b.waitJS("the seeded week with its events", done(false), 10*time.Second)
}
