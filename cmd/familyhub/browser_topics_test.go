package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserTopicsWhileConnecting: a page opened while the socket is
// still connecting (a reload on the Family page, then the shopping list
// tapped before the connection is up) gets the list's changes live. The
// socket's URL named the Family page's topic; the list's topic could not
// be sent before the socket opened, and was lost: B stayed "live" and
// showed nothing of the shopping until it reconnected (seen as
// TestBrowserTwoDevices/assistant failing under stress-ng).
func TestBrowserTopicsWhileConnecting(t *testing.T) {
	browserTest(t)
	c, ana, _, listID, _, b := twoDevices(t)
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchWebSockets}); err != nil {
		t.Fatal(err)
	}
	b.goTo("/family", `document.querySelector('#main h2#h-members')`)
	b.waitLive()
	eval[bool](b, `(sessionStorage.setItem('holdWS', '1'), true)`)
	b.do(chromedp.Reload())
	b.waitJS("the Family page, connecting", `document.querySelector('#main h2#h-members') && window.__held === 1
		&& document.getElementById('conn').dataset.state !== 'live'`, 10*time.Second)
	b.goTo("/shopping/"+listID, `document.querySelector('li.item')`)
	eval[bool](b, `(window.__releaseWS(), true)`)
	b.waitLive()

	// The item must come as an event on the socket: a re-read the page
	// makes as it goes live could show it too.
	item := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "apricots"})
	took := b.waitJS("apricots' event on B's socket", fmt.Sprintf(`window.__wsMessages.some((m) => m.includes(%q))`, item["id"]), 10*time.Second)
	b.waitJS("apricots on B", `document.querySelector('li.item[data-name="apricots"]')`, 5*time.Second)
	t.Logf("an item added on A reaches B's socket after %s", took.Round(time.Millisecond))
}
