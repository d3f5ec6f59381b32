package main

import (
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// holdListings is a script for browserOpts: while window.__hold is set,
// the page's calendar listings wait (in window.__held) until the test
// lets them go (window.__letGo()).
const holdListings = `window.__held = [];
{
	const send = window.fetch.bind(window);
	window.fetch = (input, init) => {
		if (!window.__hold || !String(input).includes('/api/calendar/events?')) return send(input, init);
		return new Promise((resolve, reject) => window.__held.push((fail) => (fail ? reject(new TypeError('Failed to fetch')) : resolve(send(input, init)))));
	};
	window.__letGo = () => { window.__hold = false; for (const go of window.__held.splice(0)) go(); return true; };
	window.__failHeld = () => { window.__hold = false; for (const go of window.__held.splice(0)) go(true); return true; };
}`

// noReadAhead is a script for browserOpts: the connection saves data, so
// the calendar reads no neighbour ahead (calendar.js) and keeps only the
// ranges the page itself read.
const noReadAhead = `Object.defineProperty(navigator, 'connection', { value: { saveData: true }, configurable: true });`

// TestBrowserCalendarNextDrawnWhenRead: Ana presses Next in the week grid
// and, while the next week is still being read, the outbox tells the page
// that something changed (another tab of hers saved a write): the page
// draws again the week it has read, under that week's dates, and shows
// the next week once it is read. Before, it drew the next week's days
// with the week before's events: every day "Free", the swim missing,
// until the read came (a test looking for the swim then stepped past it).
func TestBrowserCalendarNextDrawnWhenRead(t *testing.T) {
	browserTest(t)
	a := calendarWhileRead(t)

	const swims = `[...document.querySelectorAll('.week-grid li.event')].filter((e) => e.dataset.title === 'Swimming').map((e) => e.dataset.rid).join()`
	const label = `document.querySelector('.cal-nav .range').textContent`
	thisWeek, swim := eval[string](a, label), eval[string](a, swims)

	// The next week's read waits; meanwhile the outbox says it changed.
	eval[bool](a, `(window.__hold = true)`)
	a.click(`.cal-nav button[aria-label=Next]`)
	a.waitJS("the next week being read", `window.__held.length > 0`, 5*time.Second)
	evalAwait[bool](a, `import('/js/outbox.js').then((o) => { window.__changed = 0; o.onOutbox(() => { window.__changed++; }); return true; })`)
	eval[bool](a, `(new BroadcastChannel('familyhub-outbox').postMessage('changed'), true)`)
	a.waitJS("the change heard (the calendar hears it first)", `window.__changed > 0`, 5*time.Second)
	if got, rids := eval[string](a, label), eval[string](a, swims); got != thisWeek || rids != swim {
		t.Errorf("while the next week was read the grid showed %q with swims %q; want the week read, %q with %q", got, rids, thisWeek, swim)
	}

	// The read comes: the next week, with its swim.
	eval[bool](a, `window.__letGo()`)
	a.waitJS("the next week drawn", label+` !== `+js(thisWeek)+` && `+swims+` && `+swims+` !== `+js(swim), 10*time.Second)
}

// TestBrowserCalendarNextTwiceFirstFails: Ana presses Next twice quickly;
// the read of the first week after fails (the network went for a moment;
// that week was never kept) after she moved on. The page reads and draws
// the week she is on. Before, the failure of the week she had left ended
// the loader there: the week she asked for was never read, and the page
// stayed on this week with "could not load".
func TestBrowserCalendarNextTwiceFirstFails(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // the page after sign-in waits for a list
	a := newDevice(t, "Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: holdListings + noReadAhead})
	a.login(m.URL(), "ana@example.org")

	const drawn = `document.querySelector('.cal-body')?.dataset.range`
	a.goTo("/calendar", drawn)
	f := strings.Fields(eval[string](a, drawn)) // "week <from> <to>"
	from, err := time.Parse(time.DateOnly, f[1])
	if len(f) != 3 || f[0] != "week" || err != nil {
		t.Fatalf("listing drawn %q (%v); want a week", f, err)
	}
	want := "week " + from.AddDate(0, 0, 14).Format(time.DateOnly) + " " + from.AddDate(0, 0, 21).Format(time.DateOnly)

	eval[bool](a, `(window.__hold = true)`)
	a.click(`.cal-nav button[aria-label=Next]`)
	a.waitJS("the next week being read", `window.__held.length > 0`, 5*time.Second)
	a.click(`.cal-nav button[aria-label=Next]`)
	eval[bool](a, `window.__failHeld()`)
	a.waitJS("the week after next drawn", drawn+` === `+js(want), 10*time.Second)
}
