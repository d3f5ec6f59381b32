package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/familyhub/familyhub/db/dbtest"
)

// listHeadRows counts the rows the open list's head (name, count) and its
// tools take, from the shown elements' boxes (those that overlap in height
// share a row), and says where the first item is: [rows, first item's
// bottom, the bottom of what is free of the bottom navigation, scrollY].
const listHeadRows = `(() => {
  const rows = [];
  const boxes = [...document.querySelectorAll('.list-head > *, .list-tools > *')].map((e) => e.getBoundingClientRect())
    .filter((r) => r.width && r.height).sort((a, b) => a.top - b.top);
  for (const r of boxes) {
    const row = rows.find((x) => r.top < x.bottom - 1 && r.bottom > x.top + 1);
    if (row) { row.top = Math.min(row.top, r.top); row.bottom = Math.max(row.bottom, r.bottom); } else rows.push({ top: r.top, bottom: r.bottom });
  }
  const nav = document.querySelector('.nav').getBoundingClientRect();
  const free = nav.top > innerHeight / 2 ? nav.top : innerHeight;
  return [rows.length, document.querySelector('li.item').getBoundingClientRect().bottom, free, scrollY];
})()`

// TestBrowserShoppingMenu: the open list's tools on a 360 × 740 phone in
// German. Only "Abgehakte ausblenden" and a "⋯" (Mehr) button stay in the
// row; Clear ticked, Rename and Delete list are in its menu, so the list's
// head and tools take two rows and the first item shows without
// scrolling. The menu is a menu button: Enter or Space opens it on its first
// item, arrows move round, a letter to the next item starting with it
// (type-ahead; before, a letter did nothing), letters in quick succession
// to the item starting with them all (before, one letter at a time), Escape
// closes it with the focus back on "⋯"; a click opens it, a touch outside
// closes it; an item chosen opens its dialog, whose closing gives the focus
// back to "⋯". On a laptop (English, dark)
// all four stay in the row and there is no "⋯". Before, the four buttons
// took three rows above the items in German, pushing the list off the
// phone's screen.
func TestBrowserShoppingMenu(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.Calendar.AllowPrivateSubscriptions = true })
	f := seedShots(t, m, "de")
	phone := newDevice(t, "phone-de", 360, 740, browserOpts{lang: "de-DE", script: pageTimers(0, heldTypeAhead)})
	phone.login(m.URL(), f.email)
	phone.goTo("/shopping/"+f.listID, `document.querySelector('li.item') && document.querySelector('.list-tools button')`)

	r := eval[[]float64](phone, listHeadRows)
	if r[0] > 2 {
		t.Errorf("the list's head and tools take %.0f rows at 360 px in German, want 2 at most", r[0])
	}
	if r[3] != 0 || r[1] > r[2] {
		t.Errorf("first item ends at %.0f px, the screen is free to %.0f px (scrolled %.0f): want it in sight without scrolling", r[1], r[2], r[3])
	}
	phone.screenshot("shopping-menu-phone-de") // before the menu opens: its blur would close it
	more := `.list-tools button.more`
	menu := `.list-tools [role=menu]`
	shownInRow := eval[[]string](phone, `[...document.querySelectorAll('.list-tools > button')].map((b) => b.textContent)`)
	if len(shownInRow) != 1 || shownInRow[0] != "Abgehakte ausblenden" {
		t.Errorf("buttons in the row beside ⋯: %q, want only Abgehakte ausblenden", shownInRow)
	}
	if got := eval[[]string](phone, `(() => { const b = document.querySelector(`+js(more)+`); return [b.getAttribute('aria-haspopup'), b.getAttribute('aria-expanded'), b.getAttribute('aria-label'), String(b.offsetWidth >= 44 && b.offsetHeight >= 44)]; })()`); got[0] != "menu" || got[1] != "false" || got[2] != "Mehr" || got[3] != "true" {
		t.Errorf("⋯ button: aria-haspopup %q, aria-expanded %q, label %q, 44 px or more %s", got[0], got[1], got[2], got[3])
	}
	items := `[...document.querySelectorAll(` + js(menu+` [role=menuitem]`) + `)].map((b) => b.textContent).join(' | ')`
	if got := eval[string](phone, items); got != "Abgehakte entfernen (2) | Umbenennen | Liste löschen" {
		t.Errorf("menu items: %q", got)
	}
	opened := func(what, focused string) {
		t.Helper()
		phone.waitJS(what, `document.querySelector(`+js(more)+`).getAttribute('aria-expanded') === 'true' && !document.querySelector(`+js(menu)+`).hidden
			&& document.activeElement.textContent === `+js(focused), 5*time.Second)
	}
	closed := func(what string, focusOnMore bool) {
		t.Helper()
		cond := `document.querySelector(` + js(more) + `).getAttribute('aria-expanded') === 'false' && document.querySelector(` + js(menu) + `).hidden`
		if focusOnMore {
			cond += ` && document.activeElement === document.querySelector(` + js(more) + `)`
		}
		phone.waitJS(what, cond, 5*time.Second)
	}

	// the keyboard
	eval[bool](phone, `(document.querySelector(`+js(more)+`).focus(), true)`)
	phone.do(chromedp.KeyEvent(kb.Enter))
	opened("Enter opens it on the first item", "Abgehakte entfernen (2)")
	if r := eval[[]float64](phone, `(() => { const r = document.querySelector(`+js(menu)+`).getBoundingClientRect(); return [r.left, r.right, innerWidth, Math.min(...[...document.querySelectorAll('[role=menuitem]')].map((e) => e.offsetHeight))]; })()`); r[0] < 0 || r[1] > r[2] || r[3] < 44 {
		t.Errorf("menu from %.0f to %.0f px in %.0f, items %.0f px high: want it on the screen, items 44 px or more", r[0], r[1], r[2], r[3])
	}
	for _, step := range []struct{ key, want string }{
		{kb.ArrowDown, "Umbenennen"}, {kb.ArrowDown, "Liste löschen"}, {kb.ArrowDown, "Abgehakte entfernen (2)"},
		{kb.ArrowUp, "Liste löschen"}, {kb.Home, "Abgehakte entfernen (2)"}, {kb.End, "Liste löschen"},
	} {
		phone.do(chromedp.KeyEvent(step.key))
		phone.waitJS("arrows move to "+step.want, `document.activeElement.textContent === `+js(step.want), 5*time.Second)
	}
	// Type-ahead, its pause held (pageTimers: a real 500 ms would race a
	// loaded machine). Letters (real key events, Shift too) typed after a
	// pause move to the next item starting with them, round from the last;
	// case and umlauts aside (ä, as a German keyboard types it, finds
	// "Abgehakte …"); a letter no item starts with leaves the focus where it
	// is, on the middle item: a stray move to the next, the first or the
	// last item shows (on the first item, a type-ahead that went to the
	// first item on any letter passed). Letters in quick succession are one
	// prefix, "li" stays on "Liste löschen", and the pause after it starts a
	// new one, so "u" then finds "Umbenennen"; a prefix no item starts with
	// is tried as its last letter alone, so "u" then "l" at once still goes
	// on to "Liste löschen" (no item starts with "ul"). The pause is 500 ms,
	// no more, no less: the timer is set with 500, and running the page's
	// clock on by 500 ms ends it. Each step waits until the document has
	// read its key.
	eval[bool](phone, `(window.__focusins = 0, window.__keys = [],
		document.querySelector(`+js(menu)+`).addEventListener('focusin', () => window.__focusins++),
		document.addEventListener('keydown', (e) => window.__keys.push(e.key)), true)`)
	for i, step := range []struct {
		key, want string
		quick     bool // typed before the pause, else after it
	}{
		{key: "u", want: "Umbenennen"}, {key: "x", want: "Umbenennen"}, {key: "L", want: "Liste löschen"}, {key: "a", want: "Abgehakte entfernen (2)"},
		{key: "l", want: "Liste löschen"}, {key: "ä", want: "Abgehakte entfernen (2)"}, {key: "u", want: "Umbenennen"},
		{key: "l", want: "Liste löschen", quick: true},
		{key: "l", want: "Liste löschen"}, {key: "i", want: "Liste löschen", quick: true}, {key: "u", want: "Umbenennen"},
	} {
		if !step.quick {
			held := eval[int](phone, `window.__held('typeAhead')`)
			if d := eval[[]int](phone, `window.__delays('typeAhead')`); held > 0 && (len(d) != 1 || d[0] != 500) {
				t.Fatalf("step %d: the type-ahead pause held is set for %v ms, want 500", i, d)
			}
			if ran := eval[int](phone, `window.__advance(500)`); ran != held || held > 1 || i == 10 && held != 1 {
				t.Fatalf("step %d: %d type-ahead pauses held, %d ended: want at most one, and one after \"li\"", i, held, ran)
			}
		}
		keys, focusins := eval[int](phone, `window.__keys.length`), eval[int](phone, `window.__focusins`)
		// kb.Encode sends an ä as an "Unidentified" key: the German keyboard's key is "ä".
		phone.do(chromedp.KeyEvent(step.key, func(p *input.DispatchKeyEventParams) {
			if step.key == "ä" {
				p.Key, p.Code = "ä", "Quote"
			}
		}))
		phone.waitJS(fmt.Sprintf("step %d: %s read, the focus on %s", i, step.key, step.want), fmt.Sprintf(`window.__keys.length > %d && document.activeElement.textContent === %s && !document.querySelector(%s).hidden`, keys, js(step.want), js(menu)), 5*time.Second)
		if step.key == "x" {
			if n := eval[int](phone, `window.__focusins`) - focusins; n != 0 {
				t.Errorf("step %d: %s, which no item's label continues, moved the focus %d times", i, step.key, n)
			}
		}
	}
	phone.do(chromedp.KeyEvent(kb.Escape))
	closed("Escape closes it, the focus back on ⋯", true)
	phone.do(chromedp.KeyEvent(" "))
	opened("Space opens it", "Abgehakte entfernen (2)")
	phone.do(chromedp.KeyEvent(kb.Escape))
	closed("closed again", true)

	// a click opens it; a touch outside closes it (its pointerdown: a
	// touch start and end sent one by one can come apart on a loaded
	// machine into a long press, with no click)
	moreBtn := `document.querySelector(` + js(more) + `)`
	if _, err := chromedp.Call(phone.ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5}); err != nil {
		t.Fatal(err)
	}
	phone.clickAt(moreBtn)
	opened("a click opens it", "Abgehakte entfernen (2)")
	at := phone.centerOf(`document.querySelector('.list-head h2')`)
	for _, ev := range []input.DispatchTouchEventParams{
		{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: []*input.TouchPoint{{X: at[0], Y: at[1]}}},
		{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}},
	} {
		if _, err := chromedp.Call(phone.ctx, input.DispatchTouchEvent, ev); err != nil {
			t.Fatal(err)
		}
	}
	closed("a touch outside closes it", false)

	// an item chosen: its dialog; closed, the focus back on ⋯
	phone.clickAt(moreBtn)
	opened("open again", "Abgehakte entfernen (2)")
	phone.chooseTool("Umbenennen")
	phone.waitJS("the rename dialog, the menu closed", `document.querySelector('dialog[open] input[name=name]') && document.querySelector(`+js(menu)+`).hidden`, 5*time.Second)
	phone.do(chromedp.KeyEvent(kb.Escape))
	phone.waitJS("the dialog closed, the focus on ⋯", `!document.querySelector('dialog[open]') && document.activeElement === document.querySelector(`+js(more)+`)`, 5*time.Second)

	laptop := newDevice(t, "laptop-en-dark", laptopW, laptopH, browserOpts{lang: "en-GB", dark: true})
	laptop.login(m.URL(), f.email)
	laptop.goTo("/shopping/"+f.listID, `document.querySelector('li.item') && document.querySelector('.list-tools button')`)
	if got := eval[string](laptop, `[...document.querySelectorAll('.list-tools > button')].map((b) => b.textContent + (b.getAttribute('role') ? ' (' + b.getAttribute('role') + ')' : '')).join(' | ')`); got != "Abgehakte ausblenden | Abgehakte entfernen (2) | Umbenennen | Liste löschen" && got != "Hide ticked | Clear ticked (2) | Rename | Delete list" {
		t.Errorf("laptop: the row holds %q, want all four tools as plain buttons", got)
	}
	if eval[bool](laptop, `!!document.querySelector('.list-tools .more-menu')?.offsetParent`) {
		t.Error("laptop: a ⋯ button shown, with every tool in the row")
	}
}

// chooseTool clicks the open list's tool whose text starts with text as a
// person does, with real mouse clicks: on a narrow screen through the "⋯"
// menu (opened first if it is closed), else in the row.
func (b *browser) chooseTool(text string) {
	b.t.Helper()
	more := `document.querySelector('.list-tools button.more')`
	if eval[bool](b, `!!`+more+`?.checkVisibility() && `+more+`.getAttribute('aria-expanded') === 'false'`) {
		b.clickAt(more)
		b.waitJS("the ⋯ menu open", more+`.getAttribute('aria-expanded') === 'true'`, 5*time.Second)
	}
	find := `[...document.querySelectorAll('.list-tools button')].find((e) => e.textContent.startsWith(` + js(text) + `) && e.checkVisibility())`
	b.waitJS("the tool "+text, find, 5*time.Second)
	b.clickAt(find)
}

// clickAt clicks the middle of the element the JS expression el answers
// (scrolled into view first), with a real mouse click.
func (b *browser) clickAt(el string) {
	b.t.Helper()
	eval[bool](b, `(`+el+`.scrollIntoView({ block: 'nearest' }), true)`)
	at := b.centerOf(el)
	b.do(chromedp.MouseClickXY(at[0], at[1]))
}

// centerOf is the middle of the element the JS expression el answers, in
// the viewport, as it is now (not scrolled): a tap test measures where a
// row is before the list can move.
func (b *browser) centerOf(el string) []float64 {
	b.t.Helper()
	return eval[[]float64](b, `(() => { const r = (`+el+`).getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
}
