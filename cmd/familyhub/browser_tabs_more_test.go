package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
