package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxHeldFrozenTabDiscarded: a write a tab holds in memory
// (the storage refused it) is stored as the tab freezes, once the storage
// has room again, so that it is not lost when the browser then discards
// the frozen tab: another tab sends it.
//
// Ana's laptop has two tabs on the list, offline. In tab B, whose storage
// is full, she ticks milk: held in tab B's memory. Space is freed (nothing
// in tab B runs meanwhile to store it); the browser freezes tab B, then
// discards it. Tab A back online sends the tick. Before, the tick was
// tried again only on tab B's next write or read of the queue, and was
// lost with the frozen tab.
func TestBrowserOutboxHeldFrozenTabDiscarded(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	a.goTo("/shopping/"+listID, row("milk"))
	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping/" + listID))
	b.waitJS("tab B shows milk", row("milk"), 10*time.Second)
	b.waitLive()

	a.goOffline()
	b.goOffline()
	eval[bool](b, `(() => {
		window.__put = IDBObjectStore.prototype.put;
		IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
		return true;
	})()`)
	b.click(`li.item[data-name="milk"] input[type=checkbox]`)
	b.waitJS("the tick held in tab B", `window.familyhub.outbox.count() === 1 && window.familyhub.outbox.heldCount() === 1`, 5*time.Second)
	evalAwait[bool](b, `import('/js/outbox.js').then((m) => m.settled()).then(() => true)`)
	eval[bool](b, `(IDBObjectStore.prototype.put = window.__put, true)`) // space freed

	// Tab B goes to the background, as a phone's tab does before it is
	// frozen: the browser hides it. (Headless Chromium keeps every tab
	// visible, tab A brought to the front too: the page is told so here.)
	eval[bool](b, `(Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' }),
		document.dispatchEvent(new Event('visibilitychange')), true)`)

	if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateFrozen}); err != nil {
		t.Fatalf("tab B frozen: %v", err)
	}
	// The queue as the device stores it, read by tab A: the tick, stored as tab B froze.
	stored := `new Promise((resolve) => { const o = indexedDB.open('familyhub'); o.onsuccess = () => {
		const g = o.result.transaction('queue').objectStore('queue').count();
		g.onsuccess = () => { resolve(g.result); o.result.close(); }; }; })`
	deadline := time.Now().Add(5 * time.Second)
	for evalAwait[int](a, stored) != 1 && time.Now().Before(deadline) {
		evalAwait[bool](a, `new Promise((r) => setTimeout(() => r(true), 100))`)
	}
	b.closeTab() // the browser discards the frozen tab

	a.setOffline(false)
	a.waitJS("tab A online", `navigator.onLine`, 5*time.Second)
	waitUntil(t, "tab A sends tab B's tick", 15*time.Second, func() bool {
		evalAwait[int](a, `import('/js/outbox.js').then(async (m) => { m.kick({ now: true }); await m.settled(); return m.count(); })`)
		return itemChecked(t, ana, c, listID)["milk"] == true
	})
}
