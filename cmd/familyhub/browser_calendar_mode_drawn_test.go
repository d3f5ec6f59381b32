package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// calendarWhileRead opens Ana's laptop on the calendar's week (a weekly
// swim in it), its listings held on demand (holdListings).
func calendarWhileRead(t *testing.T) *browser {
	t.Helper()
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	first := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour).Add(16 * time.Hour)
	restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Swimming", "rrule": "FREQ=WEEKLY",
		"starts_at": first.Format(time.RFC3339), "ends_at": first.Add(time.Hour).Format(time.RFC3339)})
	a := newDevice(t, "Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: holdListings})
	a.login(m.URL(), "ana@example.org")
	a.goTo("/calendar", `document.querySelector('.cal-body')?.dataset.range?.startsWith('week ') && !!document.querySelector('.week-grid li.event[data-title=Swimming]')`)
	return a
}

// TestBrowserCalendarModeSwitchDrawn: on the week grid Ana picks the
// agenda; while it is read, the outbox tells the page something changed
// (another tab of hers saved a write) and the page draws again what it
// has: the week, with its nav bar and its dates, until the agenda is read.
// Before, the week was drawn without its nav bar (the agenda's frame), and
// nothing said which week it was or let her step from it.
func TestBrowserCalendarModeSwitchDrawn(t *testing.T) {
	browserTest(t)
	a := calendarWhileRead(t)
	week := eval[string](a, `document.querySelector('.cal-nav .range').textContent`)

	eval[bool](a, `(window.__hold = true)`)
	a.click(`.modes button[data-mode=agenda]`)
	a.waitJS("the agenda being read", `window.__held.length > 0`, 5*time.Second)
	evalAwait[bool](a, `import('/js/outbox.js').then((o) => { window.__changed = 0; o.onOutbox(() => { window.__changed++; }); return true; })`)
	eval[bool](a, `(new BroadcastChannel('familyhub-outbox').postMessage('changed'), true)`)
	a.waitJS("the change heard (the calendar hears it first)", `window.__changed > 0`, 5*time.Second)
	drawn := eval[string](a, `[document.querySelector('.cal-body').dataset.range.split(' ')[0], !!document.querySelector('.cal-body .week-grid'),
		!document.querySelector('.cal-nav').hidden, document.querySelector('.cal-nav .range').textContent,
		document.getElementById('main').classList.contains('wide-calendar')].join('|')`)
	if want := "week|true|true|" + week + "|true"; drawn != want {
		t.Errorf("while the agenda was read the page showed (mode|grid|nav bar|range|wide) %q, want the week whole: %q", drawn, want)
	}

	eval[bool](a, `window.__letGo()`)
	a.waitJS("the agenda drawn, without the nav bar", `document.querySelector('.cal-body').dataset.range.startsWith('agenda ')
		&& !!document.querySelector('.cal-body .agenda') && document.querySelector('.cal-nav').hidden
		&& !document.getElementById('main').classList.contains('wide-calendar')`, 10*time.Second)
}

// TestBrowserCalendarNewEventDayShown: Ana steps to next week, then
// presses Next again and, while that week is read, "New event": the form
// starts on the first day of the week on screen. Before, it started on the
// first day of the week being read, a week she had not seen.
func TestBrowserCalendarNewEventDayShown(t *testing.T) {
	browserTest(t)
	a := calendarWhileRead(t)
	calNav(a, 3) // drawn once read: the label is the week's
	shown := strings.Split(eval[string](a, `document.querySelector('.cal-body').dataset.range`), " ")

	eval[bool](a, `(window.__hold = true)`)
	a.click(`.cal-nav button[aria-label=Next]`)
	a.waitJS("the week after being read", `window.__held.length > 0`, 5*time.Second)
	a.click(`.page-head button.primary`)
	a.waitJS("the new event's form", dialogOpen+` && !!document.querySelector('dialog[open] input[name=start_date]')`, 5*time.Second)
	if got := eval[string](a, `document.querySelector('dialog[open] input[name=start_date]').value`); got != shown[1] {
		t.Errorf("the new event starts on %s while the week from %s is shown (the week after being read), want %s", got, shown[1], shown[1])
	}
	eval[bool](a, `window.__letGo()`)
}

// TestBrowserCalendarAgendaKeepsFocus: the week's nav bar has focus (Ana
// tabbed to Next while the agenda she picked was read) when the agenda is
// drawn and the nav bar goes: focus moves to the Agenda button, pressed,
// not to the document's body (where a screen reader starts over at the
// top). On a laptop narrowed to a phone's width (the agenda, no mode
// buttons) it moves to the page. Before, it was lost.
func TestBrowserCalendarAgendaKeepsFocus(t *testing.T) {
	browserTest(t)
	a := calendarWhileRead(t)
	focused := `(() => { const el = document.activeElement; return el === document.getElementById('main') ? 'main'
		: el?.closest('.cal-nav') ? 'nav' : el?.dataset.mode ? 'mode:' + el.dataset.mode + ':' + el.getAttribute('aria-pressed') : el?.tagName; })()`
	agendaDrawn := `document.querySelector('.cal-body').dataset.range.startsWith('agenda ') && document.querySelector('.cal-nav').hidden`
	focusOn := func(when, want string) {
		t.Helper()
		if got := eval[string](a, focused); got != want {
			t.Fatalf("%s focus is on %q, want %q", when, got, want)
		}
	}

	eval[bool](a, `(window.__hold = true)`)
	a.click(`.modes button[data-mode=agenda]`)
	a.waitJS("the agenda being read", `window.__held.length > 0`, 5*time.Second)
	eval[bool](a, `(document.querySelector('.cal-nav button[aria-label=Next]').focus(), true)`)
	focusOn("the agenda being read,", "nav")
	eval[bool](a, `window.__letGo()`)
	a.waitJS("the agenda drawn, without the nav bar", agendaDrawn, 10*time.Second)
	focusOn("with the agenda drawn (the Agenda button, pressed, wanted)", "mode:agenda:true")

	a.click(`.modes button[data-mode=week]`)
	a.waitJS("the week drawn", `document.querySelector('.cal-body').dataset.range.startsWith('week ') && !document.querySelector('.cal-nav').hidden`, 10*time.Second)
	eval[bool](a, `(window.__hold = true, document.querySelector('.cal-nav button[aria-label=Next]').focus(), true)`)
	defer a.do(chromedp.EmulateViewport(laptopW, laptopH))
	a.do(chromedp.EmulateViewport(phoneW, phoneH))
	a.waitJS("the agenda being read at a phone's width", `window.__held.length > 0 && document.querySelector('.modes').hidden`, 5*time.Second)
	focusOn("the week still shown,", "nav")
	eval[bool](a, `window.__letGo()`)
	a.waitJS("the agenda drawn at a phone's width", agendaDrawn, 10*time.Second)
	focusOn("with the agenda drawn at a phone's width (the page wanted)", "main")
}
