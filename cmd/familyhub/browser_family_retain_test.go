package main

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/chromedp"
)

// collectGarbage runs the page's garbage collector (DevTools protocol).
func collectGarbage(t *testing.T, b *browser) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
		t.Fatalf("collect garbage: %v", err)
	}
}

// TestBrowserRebuildLetsOldPageGo: the Family page built again (another
// device's new time zone) holds nothing of the page it replaced once that
// page's Saves are answered: the app password shown once on the old page
// (its part, with the password in it) is collected after two rebuilds.
// Before, each page held the one before through what it took over (the
// link to the old form), so every page since the Family page was opened
// stayed in memory with what it showed, also after the password was
// revoked on the page shown.
func TestBrowserRebuildLetsOldPageGo(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo", "Europe/Lisbon")
	b.setValue(`#app-pw-name`, "Thunderbird")
	b.click(`section[aria-labelledby=h-dav] form button[type=submit]`)
	b.waitJS("the app password shown", `document.querySelector('section[aria-labelledby=h-dav] .fresh-password input')?.value.length === 29`, 5*time.Second)
	eval[bool](b, `(window.__old = new WeakRef(document.querySelector('section[aria-labelledby=h-dav] .fresh-password')), true)`)
	rebuilt("built again", `document.querySelector('section[aria-labelledby=h-dav] .fresh-password input')?.value.length === 29`)
	rebuilt("built again twice", `document.querySelector('section[aria-labelledby=h-dav] .fresh-password input')?.value.length === 29`)
	b.waitJS("the old part gone from the page", `window.__old.deref() && !window.__old.deref().isConnected`, 5*time.Second)
	// A WeakRef's target lives on until the turn that read it ends: collect, then look.
	waitUntil(t, "the first page's app password part (with the password) let go after two rebuilds", 5*time.Second, func() bool {
		collectGarbage(t, b)
		return eval[bool](b, `!window.__old.deref()`)
	})
}

// TestBrowserRevokeShownPasswordThroughRebuild: Ana revokes the app
// password just shown; while the question is open the page is built
// again (it shows the password still), and she confirms. The page shown
// then no longer shows it. Before, the revoke cleared the page gone and
// the new page went on showing a password that no longer works.
func TestBrowserRevokeShownPasswordThroughRebuild(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	shown := `document.querySelector('section[aria-labelledby=h-dav] .fresh-password input')`
	b.setValue(`#app-pw-name`, "Thunderbird")
	b.click(`section[aria-labelledby=h-dav] form button[type=submit]`)
	b.waitJS("the app password shown and listed", shown+`?.value.length === 29
		&& document.querySelector('section[aria-labelledby=h-dav] li.entry button.danger')`, 5*time.Second)
	b.click(`section[aria-labelledby=h-dav] li.entry button.danger`)
	b.waitJS("the question", `document.querySelector('dialog[open] button.danger')`, 5*time.Second)
	rebuildBy(t, c, ana, b, "Asia/Tokyo")("built again, the question open", `!!document.querySelector('dialog[open]') && `+shown+`?.value.length === 29`)
	b.click(`dialog[open] button.danger`)
	b.waitJS("revoked", `!document.querySelector('dialog[open]') && document.querySelector('section[aria-labelledby=h-dav] ul.rows li.muted')`, 5*time.Second)
	if eval[bool](b, `!!`+shown) {
		t.Errorf("after the revoke the page still shows the app password")
	}
}
