package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxHeldOrderTabs: a write held in one tab's memory (the
// device's storage refused it) is sent in the order the user made it,
// before the writes made later in another tab, and a sign-out in any tab
// counts it among the changes it would lose.
//
// Ana's laptop has two tabs on the list, offline. In tab B, whose storage
// is full, she ticks milk: held in tab B's memory. In tab A, whose storage
// still takes writes, she ticks milk and unticks it again: stored. Signing
// out in tab A asks first, counting 3 changes not sent (before: 2, tab B's
// held tick was not counted). Tab A comes back online first: it sends
// nothing, since tab B holds a change made before its own. Tab B comes
// back: its tick goes first, then tab A's tick and untick, made on top of
// it as the writes of one tab are: milk ends unticked, as Ana left it. Before, tab A's writes went first and tab B's tick last (its
// 412 only a version behind: sent again), and milk ended ticked.
func TestBrowserOutboxHeldOrderTabs(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	milk := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	milkV := int(milk["version"].(float64))
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
	a.click(box)
	waits(a, 1, 0)
	a.waitJS("milk ticked in tab A", row+`.classList.contains('checked')`, 5*time.Second)
	a.click(box)
	waits(a, 2, 0)
	a.waitJS("milk unticked in tab A", `!`+row+`.classList.contains('checked')`, 5*time.Second)

	// Signing out in tab A would lose tab B's held tick too: it is counted.
	// Tab B says what it holds by holding a Web Lock (outbox-tabs.js).
	waitUntil(t, "tab A sees the lock of tab B's held write", 5*time.Second, func() bool {
		return evalAwait[bool](a, `navigator.locks.query().then((q) => q.held.some((l) => l.name.startsWith('familyhub-held ')))`)
	})
	eval[bool](a, `(window.familyhub.signOut(), true)`)
	a.waitJS("the sign-out asks", `document.querySelector('dialog.ask[open] h2')`, 5*time.Second)
	if got := eval[string](a, `document.querySelector('dialog.ask[open] h2').textContent`); got != "3 changes have not reached the server yet" {
		t.Errorf("signing out in tab A asks %q, want %q (its 2 stored changes and tab B's held one)", got, "3 changes have not reached the server yet")
	}
	a.clickText(`dialog.ask[open] button`, "Cancel")
	a.waitJS("still signed in", `!document.querySelector('dialog.ask[open]') && window.familyhub.me && `+row, 5*time.Second)

	// Tab A back online first (tab B stands for a tab whose turn has not
	// come yet): it waits for tab B's older tick.
	a.setOffline(false)
	a.waitJS("tab A online", `navigator.onLine`, 5*time.Second)
	if n := evalAwait[int](a, `import('/js/outbox.js').then(async (m) => { m.kick({ now: true }); await m.settled(); return m.count(); })`); n != 2 {
		t.Errorf("tab A online sent its writes before tab B's older held tick: %d of its 2 wait", n)
	}

	b.setOffline(false)
	b.waitJS("tab B online", `navigator.onLine`, 5*time.Second)
	waitUntil(t, "every write sent", 20*time.Second, func() bool {
		return eval[bool](a, `window.familyhub.outbox.count() === 0`) && eval[bool](b, `window.familyhub.outbox.count() === 0 && window.familyhub.outbox.heldCount() === 0`)
	})
	got := restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any)[0].(map[string]any)
	if got["checked"] != false || int(got["version"].(float64)) < milkV+2 {
		t.Errorf("milk on the server: checked %v, version %v; want unticked, changed at least twice since version %d (tab B's tick, then tab A's writes)", got["checked"], got["version"], milkV)
	}
	for _, tab := range []*browser{a, b} {
		if n := eval[int](tab, `document.querySelectorAll('#notices li').length`); n != 0 {
			t.Errorf("%s shows %d notices: %s", tab.name, n, pageState(tab))
		}
	}
}
