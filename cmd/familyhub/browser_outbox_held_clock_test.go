package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxHeldOrderClockBack: the order of the writes across tabs
// survives the device's clock being set back. Tab B (storage full) holds
// Ana's tick of milk; then the clock goes back an hour (the network
// corrects it); in tab A she ticks and unticks milk. Tab A online waits
// for tab B's tick, and milk ends unticked, as she left it. Before, tab
// A's writes were timed an hour before tab B's (each tab kept its own
// time from going back, not the device's), so tab A sent them first and
// tab B's tick last: milk ended ticked.
func TestBrowserOutboxHeldOrderClockBack(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	row := `document.querySelector('li.item[data-name="milk"]')`
	box := `li.item[data-name="milk"] input[type=checkbox]`
	a.goTo("/shopping/"+listID, row)
	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping/" + listID))
	b.waitJS("tab B shows milk", row, 10*time.Second)
	b.waitLive()
	waits := func(tab *browser, n, held int) {
		t.Helper()
		tab.waitJS(fmt.Sprintf("%d waiting in %s, %d held", n, tab.name, held),
			fmt.Sprintf(`window.familyhub.outbox.count() === %d && window.familyhub.outbox.heldCount() === %d`, n, held), 5*time.Second)
	}

	a.goOffline()
	b.goOffline()
	eval[bool](b, `(() => {
		IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
		return true;
	})()`)
	b.click(box)
	waits(b, 1, 1)
	waitUntil(t, "tab A sees the lock of tab B's held write", 5*time.Second, func() bool {
		return evalAwait[bool](a, `navigator.locks.query().then((q) => q.held.some((l) => l.name.startsWith('familyhub-held ')))`)
	})
	// The device's clock goes back an hour (in tab A, where the writes are made now).
	eval[bool](a, `(() => {
		const R = Date, off = -3600e3;
		class D extends R { constructor(...a) { if (a.length) super(...a); else super(R.now() + off); } static now() { return R.now() + off; } }
		globalThis.Date = D;
		return true;
	})()`)
	a.click(box)
	waits(a, 1, 0)
	a.waitJS("milk ticked in tab A", row+`.classList.contains('checked')`, 5*time.Second)
	a.click(box)
	waits(a, 2, 0)
	a.waitJS("milk unticked in tab A", `!`+row+`.classList.contains('checked')`, 5*time.Second)

	a.setOffline(false)
	a.waitJS("tab A online", `navigator.onLine`, 5*time.Second)
	if n := evalAwait[int](a, `import('/js/outbox.js').then(async (m) => { m.kick({ now: true }); await m.settled(); return m.count(); })`); n != 2 {
		t.Errorf("tab A online sent its writes before tab B's older held tick (the clock set back between them): %d of its 2 wait", n)
	}
	b.setOffline(false)
	b.waitJS("tab B online", `navigator.onLine`, 5*time.Second)
	waitUntil(t, "every write sent", 20*time.Second, func() bool {
		return eval[bool](a, `window.familyhub.outbox.count() === 0`) && eval[bool](b, `window.familyhub.outbox.count() === 0 && window.familyhub.outbox.heldCount() === 0`)
	})
	got := restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any)[0].(map[string]any)
	if got["checked"] != false {
		t.Errorf("milk on the server: checked %v, want unticked (tab B's tick, then tab A's tick and untick)", got["checked"])
	}
}
