package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserListTabsMore: on a phone a long list name puts "+ Neue
// Liste" wholly past the edge of the list tabs, which scroll sideways;
// the tabs' right edge fades while there is more to the right, and not
// once scrolled to the end, nor on a laptop where all the tabs fit.
func TestBrowserListTabsMore(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Anna","family_name":"Schneider"}`)
	list := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf für das Geburtstagsfest"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Baumarkt"})
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "de-DE"})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+list, `document.querySelectorAll('.tabs a').length === 2 && document.querySelector('.tabs button.tab-new')`)
	const tabs = `document.querySelector('.tabs')`
	const hidden = `(document.querySelector('.tabs .tab-new').getBoundingClientRect().left >= ` + tabs + `.getBoundingClientRect().right - 5)`
	if !eval[bool](b, hidden) {
		t.Fatalf("the new-list tab is not past the edge at %d px: the test's names are too short", phoneW)
	}
	fade := `getComputedStyle(` + tabs + `).maskImage`
	b.waitJS("the right edge fades while more tabs are past it", fade+`.includes('40px')`, 2*time.Second)
	// The scroll timeline moves on the next frames: wait for two.
	frames := `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`
	evalAwait[bool](b, `(`+tabs+`.scrollLeft = `+tabs+`.scrollWidth, `+frames+`)`)
	b.waitJS("no fade at the end", `!`+fade+`.includes('40px') && !`+hidden, 2*time.Second)
	evalAwait[bool](b, `(`+tabs+`.scrollLeft = 0, `+frames+`)`)
	b.waitJS("the fade back at the start", fade+`.includes('40px')`, 2*time.Second)
	b.do(chromedp.EmulateViewport(laptopW, laptopH))
	b.waitJS("all tabs fit on a laptop, no fade", tabs+`.scrollWidth <= `+tabs+`.clientWidth && !`+fade+`.includes('40px')`, 2*time.Second)
}

// TestBrowserListTabsFocus: a tab reached with the Tab key sits at the
// tabs' right edge (scrolled in, or left half out by Chromium), where the
// fade hid its name and its focus ring: while a tab has keyboard focus the
// edge does not fade, so what shows of each tab in turn, ring included,
// is clear.
func TestBrowserListTabsFocus(t *testing.T) {
	browserTest(t)
	_, _, _, b := threeLongTabs(t)
	// The focused tab and its ring (3 px wide, 2 px off) are wholly inside
	// the row, and end left of where the fade starts: Chromium left a tab
	// reached with the keyboard cut at the edge (the last, "+ Neue Liste",
	// 6 px past it) until shopping.js scrolled it in.
	const clear = `(() => {
  const tabs = document.querySelector('.tabs'), f = document.activeElement;
  if (!tabs.contains(f) || !f.matches(':focus-visible')) return false;
  const cs = getComputedStyle(tabs);
  const fade = cs.maskImage === 'none' ? 0 : parseFloat(cs.getPropertyValue('--tabs-fade')) || 0;
  const box = tabs.getBoundingClientRect(), r = f.getBoundingClientRect();
  return r.left - 5 >= box.left - 0.5 && r.right + 5 <= box.right - fade + 0.5;
})()`
	for i := 0; i < 3; i++ {
		b.do(chromedp.KeyEvent(kb.Tab))
		what := eval[string](b, `document.activeElement.textContent.trim()`)
		b.waitJS("tab "+what+" and its focus ring clear of the fade", clear, 2*time.Second)
	}
	if !eval[bool](b, `document.activeElement.matches('.tabs .tab-new')`) {
		t.Errorf("the Tab key did not reach the new-list tab: %s", eval[string](b, `document.activeElement.outerHTML`))
	}
}

// TestBrowserListTabsRefocusStays: a tab keeps the keyboard focus while
// the row is scrolled by hand past it; a list read again (an item added
// elsewhere) rebuilds the tabs and gives the focus back to that tab
// without scrolling: the row stays where the hand left it. Before, the
// focus given back scrolled the tab into view (shopping.js's focusin),
// undoing the hand's scroll on every change from another device.
func TestBrowserListTabsRefocusStays(t *testing.T) {
	browserTest(t)
	m, ana, list, b := threeLongTabs(t)
	b.do(chromedp.KeyEvent(kb.Tab)) // the second tab, focused with the keyboard
	b.waitJS("the second tab has keyboard focus", `document.activeElement === document.querySelectorAll('.tabs a')[1] && document.activeElement.matches(':focus-visible')`, 2*time.Second)
	frames := `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`
	evalAwait[bool](b, `(document.querySelector('.tabs').scrollLeft = 0, `+frames+`)`)
	left := `document.querySelector('.tabs').scrollLeft`
	if eval[float64](b, `document.querySelectorAll('.tabs a')[1].getBoundingClientRect().right - document.querySelector('.tabs').getBoundingClientRect().right`) <= 0 {
		t.Fatalf("the second tab is not past the edge at %d px: the test's names are too short", phoneW)
	}
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+list+"/items", map[string]any{"name": "Bananen"})
	b.waitJS("Bananen heard", `document.querySelector('li.item[data-name="Bananen"]')`, 10*time.Second)
	evalAwait[bool](b, frames)
	if !eval[bool](b, `document.activeElement === document.querySelectorAll('.tabs a')[1]`) {
		t.Fatalf("the focus left the tab: %s", eval[string](b, `document.activeElement.outerHTML`))
	}
	if got := eval[float64](b, left); got != 0 {
		t.Errorf("the row scrolled to %v after the list was read again, want 0 (where the hand left it)", got)
	}
}

// threeLongTabs is Anna's family with three lists whose German names do
// not all fit a phone's tab row, on a German phone showing the first list
// with its tab focused.
func threeLongTabs(t *testing.T) (m *Main, ana member, list string, b *browser) {
	t.Helper()
	m = startMain(t, dbtest.URL(t))
	ana = signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Anna","family_name":"Schneider"}`)
	list = restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf für das Geburtstagsfest"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Baumarkt und Gartencenter"})
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Drogerie"})
	b = newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "de-DE"})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+list, `document.querySelectorAll('.tabs a').length === 3 && document.querySelector('.tabs button.tab-new')`)
	eval[bool](b, `(document.querySelector('.tabs a').focus(), true)`)
	return m, ana, list, b
}
