package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// valueOf is the canonical value of the field sel in the open dialog (fields.js).
func valueOf(sel string) string {
	return fmt.Sprintf(`document.querySelector('dialog[open] input[name=%s]').value`, sel)
}

// TestBrowserDialogsEventEndFollows: on a 360 px phone in German, the new
// event's start moved from its default to 06.12.2030 19:00 moves the end
// with it (20:00, the hour kept); an end set to 21:30 follows the next
// move of the start with its 2½ hours; an end then typed before the start
// is said at the Ende field on Save (marked, its line under it, the focus
// there) and nothing is sent, and said again in English and German when
// the language switches with the dialog open; a letter then typed after
// the end stays marked, under fields.js's line; an all-day event's last day
// follows its first day, keeping its days. Before, the end stayed where it was and
// Save showed the server's "end before start" at the top, the focus on
// Speichern.
func TestBrowserDialogsEventEndFollows(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	b := newDevice(t, "phone", 360, 740, browserOpts{lang: "de-DE"})
	b.login(c.a.URL(), "ana@example.org")
	b.goTo("/calendar", `document.querySelector('.page-head button.primary')`)
	b.click(`.page-head button.primary`)
	b.waitJS("the new event dialog", dialogOpen, 5*time.Second)
	b.setValue(`dialog[open] input[name=title]`, "Elternabend")
	start, end := `dialog[open] input[name=start]`, `dialog[open] input[name=end]`

	b.typeInto(start, "06.12.2030 19:00")
	b.waitJS("the end moved with the start", valueOf("end")+` === '2030-12-06T20:00' && `+shows(end, "06.12.2030 20:00"), 5*time.Second)
	b.typeInto(end, "06.12.2030 21:30")
	b.typeInto(start, "07.12.2030 08:00")
	b.waitJS("the end set follows with its length", valueOf("end")+` === '2030-12-07T10:30'`, 5*time.Second)

	b.typeInto(end, "07.12.2030 07:00")
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("the end marked, said under it, focused", `(() => { const e = document.querySelector('dialog[open] input[name=end]');
		const line = document.getElementById(e.id + '-error');
		return e.getAttribute('aria-invalid') === 'true' && document.activeElement === e && !line.hidden
			&& line.textContent === 'Das Ende liegt vor dem Beginn. Wähle ein späteres Ende.'
			&& e.getAttribute('aria-describedby').split(' ').includes(line.id); })()`, 5*time.Second)
	if !eval[bool](b, `document.querySelector('dialog[open] .dialog-error').hidden`) {
		t.Error("an error at the top of the dialog")
	}
	// The language switched with the dialog open (another tab can): the
	// line is said again, in English, then German. Before, the field stayed
	// marked and its line went.
	for _, step := range []struct{ lang, line string }{
		{"en", "The end is before the start. Choose a later end."},
		{"de", "Das Ende liegt vor dem Beginn. Wähle ein späteres Ende."},
	} {
		b.setLang(step.lang)
		b.waitJS("the end's line in "+step.lang, `(() => { const e = document.querySelector('dialog[open] input[name=end]');
			const line = document.getElementById(e.id + '-error');
			return e.getAttribute('aria-invalid') === 'true' && !line.hidden && line.textContent === `+js(step.line)+`; })()`, 5*time.Second)
	}
	// A letter then typed after the end: unreadable, fields.js's line in
	// place of that one, the field still marked while typing. Before, the
	// mark went with the line it replaced (until the field was left).
	eval[bool](b, `(() => { const e = document.querySelector('dialog[open] input[name=end]'); e.focus(); e.setSelectionRange(99, 99); return true; })()`)
	b.do(chromedp.KeyEvent("x"))
	b.waitJS("the end marked unreadable", `(() => { const e = document.querySelector('dialog[open] input[name=end]');
		const line = document.getElementById(e.id + '-error');
		return document.activeElement === e && e.getAttribute('aria-invalid') === 'true' && !line.hidden
			&& line.textContent.startsWith('Das lässt sich nicht lesen.'); })()`, 5*time.Second)
	b.typeInto(end, "07.12.2030 09:00")
	b.waitJS("the mark gone", `!document.querySelector('dialog[open] input[name=end]').hasAttribute('aria-invalid')
		&& document.getElementById(document.querySelector('dialog[open] input[name=end]').id + '-error').hidden`, 5*time.Second)

	// All day: the last day follows the first, keeping the days.
	b.click(`dialog[open] input[name=all_day]`)
	b.typeInto(`dialog[open] input[name=start_date]`, "10.12.2030")
	b.typeInto(`dialog[open] input[name=end_date]`, "12.12.2030")
	b.typeInto(`dialog[open] input[name=start_date]`, "20.12.2030")
	b.waitJS("the last day follows", valueOf("end_date")+` === '2030-12-22'`, 5*time.Second)
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("saved", `!document.querySelector('dialog[open]')`, 5*time.Second)
	var occs []struct {
		Title    string `json:"title"`
		StartsAt string `json:"starts_at"`
		EndsAt   string `json:"ends_at"`
	}
	ana.call(t, c.a.URL(), http.StatusOK, "GET", "/api/calendar/events?from=2030-12-01T00:00:00Z&to=2031-01-01T00:00:00Z", nil, &occs)
	if len(occs) != 1 || occs[0].StartsAt[:10] != "2030-12-20" || occs[0].EndsAt[:10] != "2030-12-23" {
		t.Errorf("saved %+v, want Elternabend 20.12 to 22.12.2030 (all day)", occs)
	}
}

// TestBrowserDialogsTaskNoDue: on a laptop in English the new task dialog
// opens with no due time, as its hint says ("Leave empty for “some
// time”."); saved untouched, the task has no due time. Before, it showed
// now + 1 h, and the task saved was due within the hour.
func TestBrowserDialogsTaskNoDue(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(c.a.URL(), "ana@example.org")
	b.goTo("/tasks", `document.querySelector('.page-head button.primary')`)
	b.click(`.page-head button.primary`)
	b.waitJS("the new task dialog", dialogOpen, 5*time.Second)
	if got := eval[string](b, `Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').get.call(document.querySelector('dialog[open] input[name=due]'))`); got != "" {
		t.Errorf("the new task's due shows %q, want nothing", got)
	}
	b.setValue(`dialog[open] input[name=title]`, "Buy a present")
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("saved", `!document.querySelector('dialog[open]')`, 5*time.Second)
	var tasks []struct {
		Title string  `json:"title"`
		DueAt *string `json:"due_at"`
	}
	ana.call(t, c.a.URL(), http.StatusOK, "GET", "/api/tasks", nil, &tasks)
	if len(tasks) != 1 || tasks[0].DueAt != nil {
		t.Errorf("saved %+v, want one task with no due time", tasks)
	}
}

// TestBrowserDialogsLastTaskFocus: on a 360 px phone in German a keyboard
// user ticks the tasks of "Other open tasks" done with Space, one by one;
// each time the ticking pauses the row leaves and the focus is on the
// next row's tick box, after the list's last row on the one before it,
// and after the section's last task on its "Alles erledigt.", which a
// screen reader then reads (not on the heading above it, nor on <body>).
// Before, the last task's focus went to the heading.
func TestBrowserDialogsLastTaskFocus(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.Calendar.AllowPrivateSubscriptions = true })
	f := seedShots(t, m, "en")
	b := newDevice(t, "phone", 360, 740, browserOpts{lang: "de-DE", script: pageTimers(0, heldSettle)})
	b.login(m.URL(), f.email)
	const rows = `[...document.querySelectorAll('#h-open + ul li.task')]`
	b.goTo("/tasks", rows+`.length >= 3`)
	// tick ticks row i (from the top) with Space; once the pause ends it
	// leaves, and the focus is on want (evaluated before the tick).
	tick := func(i int, what, want string) {
		t.Helper()
		eval[bool](b, fmt.Sprintf(`(window.__want = %s, %s[%d].querySelector('input[type=checkbox]').focus() ?? true)`, want, rows, i))
		b.do(chromedp.KeyEvent(" "))
		b.waitJS("ticked", `document.querySelector('#h-open + ul li.task.done')`, 5*time.Second)
		fireSettle(t, b)
		b.waitJS("the ticked row gone", `!document.querySelector('#h-open + ul li.task.done')`, 10*time.Second)
		b.waitJS("the focus on "+what, `!!window.__want && document.activeElement === window.__want`, 2*time.Second)
	}
	last := eval[int](b, rows+`.length`) - 1
	tick(last, "the row before", fmt.Sprintf(`%s[%d].querySelector('input[type=checkbox]')`, rows, last-1))
	for eval[int](b, rows+`.length`) > 1 {
		tick(0, "the next row", rows+`[1].querySelector('input[type=checkbox]')`)
	}
	tick(0, "Alles erledigt.", `document.querySelector('#h-open ~ p[data-empty]')`)
	if got := eval[string](b, `document.activeElement.textContent`); got != "Alles erledigt." {
		t.Errorf("the focus is on %q", got)
	}
}

// TestBrowserDialogsNotifyFocus: on a laptop in English, "Turn on for this
// device" when the browser blocks notifications leaves the focus on the
// line that says they are blocked (the button is disabled then); "Send a
// test" with no device receiving sends nothing and says to turn them on
// first, the focus back on the button. Before, the focus fell to <body>
// and the test was sent ("Test sent, but no device of yours receives
// notifications yet.").
func TestBrowserDialogsNotifyFocus(t *testing.T) {
	browserTest(t)
	_, _, _, b := anaOnFamilyPage(t)
	b.waitJS("the notifications part read", `!document.querySelector('.notify-body')?.hidden && !document.querySelector('#notify-test').disabled`, 10*time.Second)
	eval[bool](b, `(() => { window.__tests = 0; const f = window.fetch;
		window.fetch = (u, o) => { if (String(u).includes('/api/notifications/test')) window.__tests++; return f(u, o); };
		Object.defineProperty(Notification, 'permission', { configurable: true, get: () => window.__perm ?? 'default' });
		Notification.requestPermission = async () => (window.__perm = 'denied');
		window.dispatchEvent(new Event('focus')); return true; })()`)
	b.waitJS("off, the button enabled", `document.querySelector('#notify').dataset.state === 'off' && !document.querySelector('#notify-toggle').disabled`, 10*time.Second)
	b.click(`#notify-toggle`)
	b.waitJS("blocked", `document.querySelector('#notify').dataset.state === 'denied'`, 10*time.Second)
	b.waitJS("the focus on the line saying so", `document.activeElement === document.querySelector('#notify-state')
		&& document.activeElement.textContent === 'Notifications are blocked for FamilyHub in this browser.'`, 10*time.Second)
	b.click(`#notify-test`)
	b.waitJS("nothing sent, said so, the focus on the button", `document.querySelector('#notify-status').textContent === 'Nothing sent: no device of yours receives notifications yet. Turn them on for this device first.'
		&& document.activeElement === document.querySelector('#notify-test')`, 10*time.Second)
	if n := eval[int](b, `window.__tests`); n != 0 {
		t.Errorf("%d tests sent, want none", n)
	}
}

// TestBrowserDialogsHeadingRing: on a laptop in English the page's heading
// the app focuses after a move shows no focus ring after a click on the
// navigation, nor after a move by script with nothing pressed since the
// app opened (familyhub.go), but does once the keyboard is in use. Before, a move by
// script drew a green box round the heading, touching the card below.
func TestBrowserDialogsHeadingRing(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(c.a.URL(), "ana@example.org")
	ring := `(() => { const h = document.querySelector('#main h1'); return document.activeElement === h ? getComputedStyle(h).outlineStyle : 'not focused'; })()`
	nav := `[...document.querySelectorAll('a[href="/calendar"]')].find((a) => a.checkVisibility())`
	b.waitJS("the calendar link", nav, 5*time.Second)
	b.clickAt(nav)
	b.waitJS("the calendar", `location.pathname === '/calendar' && document.activeElement === document.querySelector('#main h1')`, 10*time.Second)
	if got := eval[string](b, ring); got != "none" {
		t.Errorf("after a click the heading's outline is %q, want none", got)
	}
	// The app opened anew (nothing pressed since), then a move by script.
	b.do(chromedp.Navigate(c.a.URL() + "/calendar"))
	b.waitJS("the calendar opened", `document.querySelector('#main h1')?.textContent === 'Calendar'`, 10*time.Second)
	b.goTo("/tasks", `location.pathname === '/tasks' && document.activeElement === document.querySelector('#main h1')`)
	if got := eval[string](b, ring); got != "none" {
		t.Errorf("after a move by script the heading's outline is %q, want none", got)
	}
	b.do(chromedp.KeyEvent("\t"))
	b.goTo("/family", `location.pathname === '/family' && document.activeElement === document.querySelector('#main h1')`)
	if got := eval[string](b, ring); got != "solid" {
		t.Errorf("with the keyboard in use the heading's outline is %q, want solid", got)
	}
}
