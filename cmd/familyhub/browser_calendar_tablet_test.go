package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/familyhub/familyhub/db/dbtest"
)

// Long German compound titles, as a family writes them: no hyphenation
// dictionary in Debian's chromium, so a browser may only break them at a
// space or a hyphen.
const (
	tabletParents = "Elternsprechabend"
	tabletOrtho   = "Zahnarzttermin Kieferorthopäde"
)

// titlesBroken names the grid titles that break a word over two lines, run
// out of their chip, take more than three lines, or, cut, lack the whole
// title as their chip's tooltip once the pointer is over it ("" when none
// does). A chip has no tooltip before (a screen reader read a title
// attribute after the button's name, the title twice), nor one whose title
// shows whole.
const titlesBroken = `(() => {
  const bad = [];
  for (const li of document.querySelectorAll('.week-grid li.event, .month-grid li.event')) {
    const b = li.querySelector('button.event-open'), el = li.querySelector('.title'), title = li.dataset.title;
    if (b.hasAttribute('title')) bad.push('"' + title + '" has the tooltip "' + b.title + '" before the pointer is over it');
    b.dispatchEvent(new PointerEvent('pointerenter'));
    const cut = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
    if (cut && b.title !== title) bad.push('"' + title + '", cut, has the tooltip "' + b.title + '"');
    if (!cut && b.hasAttribute('title')) bad.push('"' + title + '", whole, has the tooltip "' + b.title + '"');
    const n = el.firstChild, lh = parseFloat(getComputedStyle(el).lineHeight);
    for (const m of n.textContent.matchAll(/\S{2,}/g)) {
      const r = document.createRange();
      r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
      if (new Set([...r.getClientRects()].map((q) => Math.round(q.top))).size > 1) bad.push('"' + m[0] + '" breaks over two lines');
    }
    if (el.getBoundingClientRect().height > 3 * lh + 2) bad.push('"' + title + '" takes ' + el.getBoundingClientRect().height + ' px, more than 3 lines of ' + lh);
    if (el.getBoundingClientRect().right > b.getBoundingClientRect().right + 1) bad.push('"' + title + '" runs out of its chip');
  }
  return bad.join('; ');
})()`

// tabletFamily is a server with Ana's family (seedFamily; its zone is UTC)
// and her events titled titles today, one an hour long every two hours
// from 09:00 UTC; it answers today's midnight too.
func tabletFamily(t *testing.T, titles ...string) (*Main, time.Time) {
	t.Helper()
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"UTC"}`)
	seedFamily(t, m, ana)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for i, title := range titles {
		at := today.Add(time.Duration(9+2*i) * time.Hour)
		restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": title, "starts_at": at.Format(time.RFC3339), "ends_at": at.Add(time.Hour).Format(time.RFC3339)})
	}
	return m, today
}

// TestBrowserCalendarTablet: the kitchen tablet stands upright (800x1280)
// in German. It shows the week grid (before, under 900 px only the agenda)
// with its mode buttons and nav bar whole, seven columns of 95 px or more,
// "Schwimmen" whole in its column, and today's long compound titles break at spaces only, in at most three
// lines ending in an ellipsis, the whole title the chip's tooltip on hover, and only when cut (before,
// "Elternsprechabend" split at any letter). The month cuts them too, with
// the whole title as tooltip, and "1 weiterer" for the fourth event of the
// day opens that day's week. A 360 px phone keeps the agenda, its times
// beside a title's first line (before, centred against a two-line title),
// and so does the phone on its side (800x390: too short for a grid).
func TestBrowserCalendarTablet(t *testing.T) {
	browserTest(t)
	m, today := tabletFamily(t, tabletParents, tabletOrtho, "Müll rausbringen", "Schwimmen")
	tablet := newDevice(t, "tablet", 800, 1280, browserOpts{lang: "de-DE"})
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB"})
	signInAll(t, func() { tablet.login(m.URL(), "ana@example.org") }, func() { phone.login(m.URL(), "ana@example.org") })

	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('li.event[data-title=%s]')`, js(title))
	}
	tablet.goTo("/calendar", chip(tabletParents))
	tablet.waitJS("the week grid on the upright tablet", `document.querySelector('.cal-body > .week-grid') && !document.querySelector('.modes').hidden`, 10*time.Second)
	if bad := eval[string](tablet, textCut); bad != "" {
		t.Errorf("tablet: %s", bad)
	}
	if got := eval[string](tablet, `(() => {
  const bad = [];
  if (document.documentElement.scrollWidth > innerWidth + 1) bad.push('the page scrolls sideways');
  for (const el of document.querySelectorAll('.cal-nav > *, .modes > *')) if (el.scrollWidth > el.clientWidth + 1) bad.push('"' + el.textContent + '" is cut');
  for (const d of document.querySelectorAll('.week-day')) if (d.getBoundingClientRect().width < 95) bad.push(d.id + ' ' + d.getBoundingClientRect().width + ' px wide');
  return bad.join('; ');
})()`); got != "" {
		t.Errorf("tablet's week: %s", got)
	}
	if bad := eval[string](tablet, titlesBroken); bad != "" {
		t.Errorf("tablet's week: %s", bad)
	}
	// An everyday word fits a column whole: only a long compound is cut.
	if got := eval[string](tablet, `(() => { const el = `+chip("Schwimmen")+`.querySelector('.title'); return el.scrollWidth > el.clientWidth + 1 ? el.scrollWidth + ' px in ' + el.clientWidth : ''; })()`); got != "" {
		t.Errorf("tablet's week: Schwimmen is cut (%s)", got)
	}
	tablet.screenshot("calendar-tablet-week")
	tablet.click(`.modes button[data-mode=month]`)
	tablet.waitJS("the month", `document.querySelector('.cal-body > .month-grid li.event')`, 10*time.Second)
	if bad := eval[string](tablet, titlesBroken); bad != "" {
		t.Errorf("tablet's month: %s", bad)
	}
	tablet.screenshot("calendar-tablet-month")
	day := today.Format("2006-01-02")
	more := fmt.Sprintf(`document.querySelector('section.month-day[aria-labelledby="md-%s"] button.more')`, day)
	if got := eval[string](tablet, more+`?.hidden === false ? `+more+`.textContent : 'none'`); got != "1 weiterer" {
		t.Errorf("today's month cell says %q for its fourth event, want 1 weiterer", got)
	}
	tablet.click(fmt.Sprintf(`section.month-day[aria-labelledby="md-%s"] button.more`, day))
	tablet.waitJS("today's week with all four", `document.querySelector('.cal-body')?.dataset.range?.startsWith('week ')
		&& document.querySelectorAll('.week-grid section[aria-labelledby="wd-`+day+`"] li.event').length === 4`, 10*time.Second)

	phone.goTo("/calendar", chip(tabletOrtho))
	agenda := `document.querySelector('.cal-body > .agenda') && document.querySelector('.modes').hidden && document.querySelector('.cal-nav').hidden`
	if !eval[bool](phone, agenda) {
		t.Errorf("the 360 px phone does not show the agenda alone")
	}
	// The time beside the title's first line: their tops within a few pixels.
	if got := eval[string](phone, `(() => {
  const li = `+chip(tabletOrtho)+`, time = li.querySelector('.time').getBoundingClientRect(), title = li.querySelector('.title');
  const lines = Math.round(title.getBoundingClientRect().height / parseFloat(getComputedStyle(title).lineHeight));
  const d = Math.abs(time.top - title.getBoundingClientRect().top);
  return lines < 2 ? 'the title takes ' + lines + ' line' : d > 5 ? 'the time is ' + Math.round(d) + ' px below the title\'s top' : '';
})()`); got != "" {
		t.Errorf("phone's agenda: %s", got)
	}
	phone.screenshot("calendar-tablet-phone")
	defer phone.do(chromedp.EmulateViewport(360, 740))
	phone.do(chromedp.EmulateViewport(800, 390))
	phone.waitJS("the phone on its side", `innerHeight === 390`, 5*time.Second)
	if !eval[bool](phone, agenda) {
		t.Errorf("the phone on its side (800x390) does not show the agenda alone")
	}
}

// TestBrowserCalendarTabletDark: an upright tablet 720x1024 in dark mode
// (the narrowest with the grids): the week, the month and the agenda never
// scroll sideways, and the agenda's times show whole on one line at 4.5:1
// or more against their chip.
func TestBrowserCalendarTabletDark(t *testing.T) {
	browserTest(t)
	m, _ := tabletFamily(t, tabletParents, tabletOrtho, "Schwimmen")
	b := newDevice(t, "tablet", 720, 1024, browserOpts{lang: "de-DE", dark: true})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/calendar", `document.querySelector('.cal-body > .week-grid li.event')`)
	const sideways = `document.documentElement.scrollWidth > innerWidth + 1 ? 'the page scrolls sideways (' + document.documentElement.scrollWidth + ' px in ' + innerWidth + ')' : ''`
	if got := eval[string](b, sideways); got != "" {
		t.Errorf("week: %s", got)
	}
	b.click(`.modes button[data-mode=month]`)
	b.waitJS("the month", `document.querySelector('.cal-body > .month-grid li.event')`, 10*time.Second)
	if got := eval[string](b, sideways); got != "" {
		t.Errorf("month: %s", got)
	}
	b.click(`.modes button[data-mode=agenda]`)
	b.waitJS("the agenda", `document.querySelector('.cal-body > .agenda li.event')`, 10*time.Second)
	if got := eval[string](b, sideways); got != "" {
		t.Errorf("agenda: %s", got)
	}
	if got := eval[string](b, `(() => {
  const rgb = (c) => c.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  const bad = [];
  for (const el of document.querySelectorAll('.agenda li.event .time')) {
    const s = getComputedStyle(el), r = el.getBoundingClientRect(), what = '"' + el.textContent + '"';
    if (el.scrollWidth > el.clientWidth + 1 || r.right > el.closest('button').getBoundingClientRect().right + 1) bad.push(what + ' is cut');
    if (r.height > 1.5 * parseFloat(s.lineHeight)) bad.push(what + ' takes more than a line');
    const [a, z] = [lum(rgb(s.color)), lum(bg(el))].sort((x, y) => y - x), ratio = (a + 0.05) / (z + 0.05);
    if (ratio < 4.5) bad.push(what + ' has contrast ' + ratio.toFixed(2));
  }
  return bad.join('; ');
})()`); got != "" {
		t.Errorf("agenda's times: %s", got)
	}
}
