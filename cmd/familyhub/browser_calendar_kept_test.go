package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/familyhub/familyhub/db/dbtest"
)

// The calendar's kept ranges beyond the network failing: a server that
// fails shows them as offline does, and the weeks next to the one shown
// are read ahead so that they open offline.

// keptCalendarHas is a JavaScript expression: whether the calendar's kept
// ranges (cache.js, 'calendar') hold an occurrence titled title.
func keptCalendarHas(title string) string {
	return fmt.Sprintf(`(import('/js/cache.js').then((c) => c.kept('calendar'))
		.then((k) => { window.__keptHas = window.__keptHas || {}; window.__keptHas[%[1]q] = !!k?.ranges?.some((r) => r.occurrences.some((o) => o.title === %[1]q)); }),
		window.__keptHas?.[%[1]q] === true)`, title)
}

// TestBrowserCalendarKeptServerError: with this week kept on Ana's laptop,
// the server failing behind its proxy (502 for the calendar's listing;
// the network works) shows the week from the device with the notice and
// Retry that shopping and tasks show, not "Not available offline." nor an
// error in place of the week, and its event opens from it; Retry once the server is back shows the
// server's week, with an event added meanwhile. A week the device does not
// keep, while the server fails so, says why it could not load, with Retry.
func TestBrowserCalendarKeptServerError(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }
	restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Dentist", "starts_at": day(1) + "T10:00:00Z", "ends_at": day(1) + "T11:00:00Z"})
	// No service worker: the requests to fail are the page's own.
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	b.login(m.URL(), "ana@example.org")
	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	b.goTo("/calendar", chip("Dentist"))
	b.waitJS("this week kept on the device", keptCalendarHas("Dentist"), 10*time.Second)
	b.goTo("/tasks", `document.querySelector('#main .tasks-body')`)

	fail := failRequests(t, b)
	proxy := "<html><body><h1>502 Bad Gateway</h1></body></html>"
	fail.start(`*/api/calendar/events*`, 502, proxy)
	restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Vet", "starts_at": day(2) + "T10:00:00Z", "ends_at": day(2) + "T11:00:00Z"})
	notice := `document.querySelector('#main .kept-notice')`
	b.goTo("/calendar", chip("Dentist")+` && `+notice+`?.checkVisibility()`)
	b.waitJS("the week from the device, with the notice and Retry", chip("Dentist")+` && !`+chip("Vet")+`
		&& `+notice+`.querySelector('p').textContent === 'The server is not answering; showing the copy saved on this device.'
		&& `+notice+`.querySelector('button').textContent === 'Retry'
		&& !document.querySelector('#main .error-state, #main .offline-state, #main .load-error')`, 5*time.Second)
	// The event opens from the week kept, as offline; so too when the
	// server is overloaded (a 503).
	fail.start(`*/api/calendar/events*`, 503, `{"error":{"code":"internal","message":"unavailable"}}`)
	b.click(`.week-grid li.event[data-title="Dentist"] button.event-open`)
	b.waitJS("the dentist's dialog from the device", dialogOpen+` && document.querySelector('dialog[open] input[name=title]').value === 'Dentist'`, 5*time.Second)
	b.do(chromedp.KeyEvent(kb.Escape))
	b.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	fail.start(`*/api/calendar/events*`, 502, proxy)

	// A week the device does not keep (three weeks on: never read, nor read
	// ahead) says why, with Retry, under its dates; not "offline".
	for range 3 {
		calNav(b, 3)
	}
	state := `document.querySelector('#main .cal-body .error-state')`
	b.waitJS("a week not kept: why, and Retry", state+`?.checkVisibility()
		&& `+state+`.querySelector('p').textContent === 'Could not load: The server is not answering right now. Try again in a moment.'
		&& `+state+`.querySelector('button').textContent === 'Retry'
		&& !document.querySelector('#main .offline-state') && !document.querySelector('.cal-body li.event')`, 5*time.Second)
	calNav(b, 2)
	b.waitJS("this week from the device again, with the notice", chip("Dentist")+` && `+notice+`?.checkVisibility() && !document.querySelector('#main .error-state')`, 5*time.Second)

	// The server is back: Retry shows its week, and the notice goes.
	fail.stop()
	b.click(`#main .kept-notice button`)
	b.waitJS("the server's week, no notice", chip("Dentist")+` && `+chip("Vet")+` && !`+notice+` && !document.querySelector('#main .error-state')`, 10*time.Second)
}

// TestBrowserCalendarReadAhead: Ana's laptop shows this week online and
// nothing else; the next week and the previous one, which she never
// opened, are read ahead while the device is idle. Online, a neighbour kept
// and fresh is not read again: each week's listing is requested only as
// often as she opened it plus once ahead; a change made elsewhere (its
// realtime notice) has them read ahead again. Offline, the weeks read ahead
// show; three weeks on, never read ahead (only the neighbours of a week
// shown online are), says "Not available offline.".
func TestBrowserCalendarReadAhead(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }
	for _, ev := range []struct {
		title string
		day   int
	}{{"Swimming", 1}, {"Dentist", 9}, {"Fair", -4}, {"Concert", 16}, {"Market", -11}} {
		restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": ev.title, "starts_at": day(ev.day) + "T10:00:00Z", "ends_at": day(ev.day) + "T11:00:00Z"})
	}
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	b.goTo("/calendar", chip("Swimming"))
	b.waitJS("the next week and the previous one read ahead", keptCalendarHas("Dentist")+` && `+keptCalendarHas("Fair"), 15*time.Second)
	// The listings requested so far, by the day each starts (as the page asked).
	reads := `JSON.stringify(Object.entries(performance.getEntriesByType('resource')
		.filter((e) => e.name.includes('/api/calendar/events?from='))
		.reduce((n, e) => { const f = new URL(e.name).searchParams.get('from'); n[f] = (n[f] || 0) + 1; return n; }, {}))
		.sort(([a], [b]) => (a < b ? -1 : 1)).map(([, n]) => n))`
	if got := eval[string](b, reads); got != "[1,1,1]" {
		t.Fatalf("listings requested after this week and its read-ahead: %s, want [1,1,1]", got)
	}
	// Next (reads the week after it ahead; this week is fresh), today
	// (both neighbours fresh), previous (reads the week before it ahead).
	calNav(b, 3)
	b.waitJS("the next week", chip("Dentist"), 5*time.Second)
	b.waitJS("the week after it read ahead", keptCalendarHas("Concert"), 10*time.Second)
	calNav(b, 2)
	b.waitJS("this week", chip("Swimming"), 5*time.Second)
	calNav(b, 1)
	b.waitJS("the previous week", chip("Fair"), 5*time.Second)
	b.waitJS("the week before it read ahead", keptCalendarHas("Market"), 10*time.Second)
	// Two weeks back, the previous one, this one, the next one, the one after.
	if got := eval[string](b, reads); got != "[1,2,2,2,1]" {
		t.Errorf("listings requested, by week: %s, want [1,2,2,2,1] (a fresh neighbour read again?)", got)
	}
	calNav(b, 2)
	b.waitJS("this week", chip("Swimming"), 5*time.Second)
	// A change elsewhere (a realtime notice) makes the kept neighbours
	// out of date: they are read ahead again, with it.
	restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Picnic", "starts_at": day(10) + "T12:00:00Z", "ends_at": day(10) + "T13:00:00Z"})
	b.waitJS("the next week read ahead again after the notice", keptCalendarHas("Picnic"), 10*time.Second)

	b.goOffline()
	notKept := `document.querySelector('.cal-body .offline-state')`
	calNav(b, 3)
	b.waitJS("the next week offline, read ahead", chip("Dentist")+` && `+chip("Picnic")+` && !`+notKept, 5*time.Second)
	calNav(b, 3)
	b.waitJS("the week after it offline, read ahead", chip("Concert")+` && !`+notKept, 5*time.Second)
	calNav(b, 3)
	b.waitJS("three weeks on: not available offline", notKept+`?.textContent === 'Not available offline.' && !document.querySelector('.cal-body li.event')`, 5*time.Second)
	calNav(b, 2)
	b.waitJS("this week", chip("Swimming"), 5*time.Second)
	calNav(b, 1)
	b.waitJS("the previous week offline, read ahead", chip("Fair")+` && !`+notKept, 5*time.Second)
	b.setOffline(false)
}

// TestBrowserCalendarKeepRangeEviction: the eviction rule of the kept
// ranges (calendar-pending.js keepRange), run in the browser on made-up
// ranges of one occurrence each (MAX_RANGES 12, MAX_KEPT 3000). A range
// the user opens goes first and pushes out the oldest; a range read ahead
// for the range shown ranks right behind it and pushes out only ranges
// ranked after it (opened before the range shown), never one ranked before
// it: when it does not fit behind those, it is not kept and nothing goes;
// nor is it kept when a range ranked before it covers it.
func TestBrowserCalendarKeepRangeEviction(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.do(chromedp.Navigate(m.URL() + "/login"))
	eval[bool](b, `(window.__eviction = null, import('/js/views/calendar-pending.js').then(({ keepRange }) => {
		const tz = 'UTC';
		const wk = (n) => { const d = new Date(Date.UTC(2026, 0, 5 + 7 * n)); const e = new Date(d.getTime() + 7 * 864e5);
			return { from: d.toISOString().slice(0, 10), to: e.toISOString().slice(0, 10) }; };
		const r = (n, count = 1) => ({ ...wk(n), at: n, occurrences: Array.from({ length: count }, (_, i) => ({ id: 'w' + n + '-' + i })) });
		const names = (k) => k.ranges.map((x) => x.occurrences.length > 1 ? 'big' + x.occurrences[0].id.split('-')[0].slice(1) : x.occurrences[0].id.split('-')[0].slice(1)).join(',');
		const out = [];
		// Twelve weeks opened, 0 first, 11 last (newest first).
		let k;
		for (let n = 0; n < 12; n++) k = keepRange(k, tz, r(n));
		out.push(names(k));
		// Read ahead for week 11 (shown): week 12 ranks behind it, the oldest (0) goes.
		k = keepRange(k, tz, r(12), { after: wk(11) });
		out.push(names(k));
		// Read ahead for week 5 (opened earlier): week 20 ranks behind 5; 1 goes.
		k = keepRange(k, tz, r(20), { after: wk(5) });
		out.push(names(k));
		// Read ahead too big to fit behind week 11: not kept, nothing goes.
		k = keepRange(k, tz, r(31, 3000), { after: wk(11) });
		out.push(names(k));
		// Read ahead that fits behind week 11: the ranges ranked after it go.
		k = keepRange(k, tz, r(30, 2995), { after: wk(11) });
		out.push(names(k));
		// Read ahead that a range ranked before it covers: not kept.
		k = keepRange(k, tz, { from: wk(11).from, to: wk(11).to, at: 99, occurrences: [{ id: 'w99-0' }] }, { after: wk(12) });
		out.push(names(k));
		// A range the user opens, big: it stays, the oldest go until it fits.
		k = keepRange(k, tz, r(40, 2992));
		out.push(names(k));
		window.__eviction = out.join(' | ');
	}), true)`)
	b.waitJS("the eviction rule ran", `window.__eviction !== null`, 5*time.Second)
	want := "11,10,9,8,7,6,5,4,3,2,1,0" +
		" | 11,12,10,9,8,7,6,5,4,3,2,1" +
		" | 11,12,10,9,8,7,6,5,20,4,3,2" +
		" | 11,12,10,9,8,7,6,5,20,4,3,2" +
		" | 11,big30,12,10,9,8" +
		" | 11,big30,12,10,9,8" +
		" | big40,11"
	if got := eval[string](b, `window.__eviction`); got != want {
		t.Errorf("the kept ranges, newest first, after each step:\n got %s\nwant %s", got, want)
	}
}

// headerWatch is a JavaScript expression that starts recording, in
// window.__headerSaw, every state of the header's indicator that says the
// server is not answering, and every time the line under the header or
// the banner for failures shows.
const headerWatch = `(window.__headerSaw = [], (() => {
	const conn = document.getElementById('conn'), line = document.getElementById('offline-line'), banner = document.getElementById('banner');
	const look = () => {
		const s = [];
		if (conn.dataset.server) s.push('header: ' + conn.textContent);
		if (!line.hidden) s.push('line: ' + line.textContent);
		if (!banner.hidden) s.push('banner: ' + banner.textContent);
		if (s.length) window.__headerSaw.push(s.join(', '));
	};
	for (const el of [conn, line, banner]) new MutationObserver(look).observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
})(), true)`

// calmPage is a JavaScript expression: the header says "Live" alone and
// nothing on the page says something failed.
const calmPage = `document.getElementById('conn').textContent === 'Live' && !document.getElementById('conn').dataset.server
	&& document.getElementById('offline-line').hidden && document.getElementById('banner').hidden
	&& !document.querySelector('#main .error-state, #main .offline-state, #main .kept-notice')`

// TestBrowserCalendarReadAheadFails: while Ana's laptop shows this week,
// which it read fine, the next week's read-ahead gets a proxy's 502 (that
// listing alone, answered through the DevTools protocol). She did nothing
// and what she sees is fine, so nothing says so: the header stays "Live",
// no line under it, no banner, no notice or error on the page; the
// previous week is still read ahead. The read-ahead is tried again after a
// pause: the proxy answering again by then, the next week is kept; going
// to it shows it from the server, still "Live".
func TestBrowserCalendarReadAheadFails(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }
	for _, ev := range []struct {
		title string
		day   int
	}{{"Swimming", 1}, {"Dentist", 9}, {"Fair", -4}} {
		restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": ev.title, "starts_at": day(ev.day) + "T10:00:00Z", "ends_at": day(ev.day) + "T11:00:00Z"})
	}
	// No service worker: the requests to fail are the page's own.
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	b.login(m.URL(), "ana@example.org")
	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	eval[bool](b, headerWatch)
	saw := func(when string) {
		t.Helper()
		if got := eval[[]string](b, `window.__headerSaw`); len(got) > 0 {
			t.Errorf("%s, the page said: %q", when, got)
		}
	}

	// The family's zone is UTC: the next week's listing starts at midnight UTC a week from today.
	fail := failRequests(t, b)
	fail.start("*/api/calendar/events?from="+day(7)+"T00%3A00%3A00.000Z&*", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	b.goTo("/calendar", chip("Swimming"))
	did := `window.familyhub.view.readAhead`
	b.waitJS("read ahead: the next week failed, the previous one read", did+`?.from === `+js(day(0))+` && `+did+`.tries === 1
		&& `+did+`.next === 'failed' && `+did+`.previous === 'read'`, 15*time.Second)
	// The proxy answers again at once: the retry's timer runs from the
	// failure, so every check below happens while it waits (stopping later,
	// after them, could let a slow machine's retry fail too).
	fail.stop()
	if n := fail.served.Load(); n != 1 {
		t.Errorf("the next week's listing answered 502 %d times, want once (the read-ahead)", n)
	}
	saw("after the read-ahead failed")
	if !eval[bool](b, calmPage) {
		t.Errorf("after the read-ahead failed: header %q, main %q", eval[string](b, `document.getElementById('conn').textContent`), eval[string](b, `document.getElementById('main').innerText.slice(0, 300)`))
	}
	b.waitJS("the previous week kept", keptCalendarHas("Fair"), 5*time.Second)

	// The next try reads the next week ahead. It waits on calendar.js's timers: AHEAD_RETRY_MS[0] (5 s) after the
	// failed read-ahead, then the next idle moment (requestIdleCallback's
	// timeout, 3 s), then its reads (a few seconds at worst under -race on
	// a busy machine). The wait is twice that worst case; a passing run
	// waits only until the read is done.
	const aheadRetryWorst = 5*time.Second + 3*time.Second + 5*time.Second
	b.waitJS("read ahead again: the next week read", did+`?.tries === 2 && `+did+`.next === 'read' && `+did+`.previous === 'fresh'`, 2*aheadRetryWorst)
	b.waitJS("the next week kept", keptCalendarHas("Dentist"), 5*time.Second)
	calNav(b, 3)
	b.waitJS("the next week, from the server", chip("Dentist")+` && `+calmPage, 5*time.Second)
	saw("by the end")
}

// dataSaver turns the browser's "save data" setting on or off (DevTools'
// Emulation.setDataSaverOverride: navigator.connection.saveData, the
// Save-Data request header).
func (b *browser) dataSaver(on bool) {
	b.t.Helper()
	p := emulation.SetDataSaverOverrideParams{}
	if on {
		p.DataSaverEnabled = &on
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetDataSaverOverride, p); err != nil {
		b.t.Fatal(err)
	}
	if got := eval[bool](b, `navigator.connection.saveData`); got != on {
		b.t.Fatalf("navigator.connection.saveData is %v, want %v", got, on)
	}
}

// TestBrowserCalendarReadAheadSaveData: with the connection asking to save
// data, Ana's laptop reads no week ahead: this week's listing is the only
// one requested, and the read-ahead says why it did not read. Without it,
// the same week drawn again has the next and the previous week read ahead.
func TestBrowserCalendarReadAheadSaveData(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }
	for _, ev := range []struct {
		title string
		day   int
	}{{"Swimming", 1}, {"Dentist", 9}, {"Fair", -4}} {
		restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": ev.title, "starts_at": day(ev.day) + "T10:00:00Z", "ends_at": day(ev.day) + "T11:00:00Z"})
	}
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	// The listings requested so far, by the day each starts.
	reads := `JSON.stringify(Object.entries(performance.getEntriesByType('resource')
		.filter((e) => e.name.includes('/api/calendar/events?from='))
		.reduce((n, e) => { const f = new URL(e.name).searchParams.get('from').slice(0, 10); n[f] = (n[f] || 0) + 1; return n; }, {}))
		.sort(([a], [b]) => (a < b ? -1 : 1)))`
	did := `window.familyhub.view.readAhead`

	b.dataSaver(true)
	b.goTo("/calendar", chip("Swimming"))
	b.waitJS("the read-ahead done", did+`?.from === `+js(day(0))+` && (`+did+`.skipped === 'save-data' || `+did+`.previous)`, 15*time.Second)
	if got, want := eval[string](b, reads), fmt.Sprintf(`[[%q,1]]`, day(0)); got != want {
		t.Errorf("listings requested saving data: %s, want %s (this week only)", got, want)
	}
	if got := eval[string](b, `JSON.stringify(`+did+`)`); !strings.Contains(got, `"skipped":"save-data"`) {
		t.Errorf("the read-ahead saving data: %s, want it skipped for save-data", got)
	}

	b.dataSaver(false)
	calNav(b, 2) // Today: this week drawn again
	b.waitJS("the next and the previous week read ahead", did+`?.skipped === null && `+did+`.next === 'read' && `+did+`.previous === 'read'`, 15*time.Second)
	b.waitJS("both kept", keptCalendarHas("Dentist")+` && `+keptCalendarHas("Fair"), 5*time.Second)
	if got, want := eval[string](b, reads), fmt.Sprintf(`[[%q,1],[%q,2],[%q,1]]`, day(-7), day(0), day(7)); got != want {
		t.Errorf("listings requested: %s, want %s", got, want)
	}
}
