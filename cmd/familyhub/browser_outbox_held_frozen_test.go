package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxHeldFrozenTab: a tab the browser froze (Page Lifecycle,
// as a phone does with a background tab, for hours) while it holds a
// write does not make the other tabs' later writes wait for it.
//
// Ana's laptop has two tabs on the list, offline. In tab B, whose storage
// is full, she ticks milk: held in tab B's memory. In tab A she ticks
// bread: stored. Tab A back online waits for tab B's older tick (the order
// she made them: TestBrowserOutboxHeldOrderTabs). Then the browser freezes
// tab B: tab A sends the bread at once. Before, it waited for as long as
// tab B stayed frozen. Tab B runs again (still offline) and says again what
// it holds: an untick of the bread made in tab A now waits for it, as
// between live tabs; tab B online, its tick goes, then tab A's untick.
func TestBrowserOutboxHeldFrozenTab(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	for _, name := range []string{"milk", "bread"} {
		restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": name})
	}
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	box := func(name string) string { return fmt.Sprintf(`li.item[data-name=%q] input[type=checkbox]`, name) }
	a.goTo("/shopping/"+listID, row("milk")+` && `+row("bread"))
	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping/" + listID))
	b.waitJS("tab B shows milk", row("milk"), 10*time.Second)
	b.waitLive()
	waits := func(tab *browser, n, held int) {
		t.Helper()
		tab.waitJS(fmt.Sprintf("%d waiting in %s, %d held", n, tab.name, held),
			fmt.Sprintf(`window.familyhub.outbox.count() === %d && window.familyhub.outbox.heldCount() === %d`, n, held), 5*time.Second)
	}
	heldLock := `navigator.locks.query().then((q) => q.held.some((l) => l.name.startsWith('familyhub-held ')))`
	sendNow := `import('/js/outbox.js').then(async (m) => { m.kick({ now: true }); await m.settled(); return m.count(); })`
	lifecycle := func(state page.SetWebLifecycleStateState) {
		t.Helper()
		if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: state}); err != nil {
			t.Fatalf("tab B %s: %v", state, err)
		}
	}

	a.goOffline()
	b.goOffline()
	eval[bool](b, `(() => {
		IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
		return true;
	})()`)
	b.click(box("milk"))
	waits(b, 1, 1)
	a.click(box("bread"))
	waits(a, 1, 0)
	waitUntil(t, "tab A sees the lock of tab B's held tick", 5*time.Second, func() bool { return evalAwait[bool](a, heldLock) })

	a.setOffline(false)
	a.waitJS("tab A online", `navigator.onLine`, 5*time.Second)
	if n := evalAwait[int](a, sendNow); n != 1 {
		t.Fatalf("tab A online sent the bread before tab B's older tick (live): %d of its 1 wait", n)
	}

	// Tab B frozen: it cannot send; tab A stops waiting for it. First tab B
	// is done with tab A's call for its turn (offline, it read the queue and
	// stopped): a read begun just before the freeze would hold the store
	// until tab B runs again (on a phone, a tab is frozen minutes after it was
	// last used).
	evalAwait[bool](b, `import('/js/outbox.js').then((m) => m.settled()).then(() => true)`)
	lifecycle(page.SetWebLifecycleStateStateFrozen)
	a.waitJS("tab A sends the bread while tab B is frozen", `window.familyhub.outbox.count() === 0`, 10*time.Second)
	if got := itemChecked(t, ana, c, listID); got["bread"] != true || got["milk"] != false {
		t.Errorf("with tab B frozen the server has %v, want bread ticked (tab A's), milk not yet", got)
	}
	if evalAwait[bool](a, heldLock) {
		t.Error("tab B, frozen, still says it holds a write")
	}

	// Tab B runs again: it says again what it holds, and tab A's next write waits for it.
	lifecycle(page.SetWebLifecycleStateStateActive)
	waitUntil(t, "tab A sees tab B's held tick again", 5*time.Second, func() bool { return evalAwait[bool](a, heldLock) })
	waits(b, 1, 1)
	a.click(box("bread"))
	a.waitJS("the untick waiting in tab A", `window.familyhub.outbox.count() === 1`, 5*time.Second)
	if n := evalAwait[int](a, sendNow); n != 1 {
		t.Errorf("tab A sent the untick before the tick tab B holds (made earlier): %d of its 1 wait", n)
	}
	b.setOffline(false)
	waitUntil(t, "every write sent", 20*time.Second, func() bool {
		return eval[bool](a, `window.familyhub.outbox.count() === 0`) && eval[bool](b, `window.familyhub.outbox.count() === 0 && window.familyhub.outbox.heldCount() === 0`)
	})
	if got := itemChecked(t, ana, c, listID); got["bread"] != false || got["milk"] != true {
		t.Errorf("at the end the server has %v, want milk ticked (tab B's), bread unticked (tab A's untick)", got)
	}
	for _, tab := range []*browser{a, b} {
		if n := eval[int](tab, `document.querySelectorAll('#notices li').length`); n != 0 {
			t.Errorf("%s shows %d notices: %s", tab.name, n, pageState(tab))
		}
	}
}

// itemChecked is the list's items on the server: name → ticked.
func itemChecked(t *testing.T, m member, c *cluster, listID string) map[string]any {
	t.Helper()
	got := map[string]any{}
	for _, it := range restAs(t, m, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any) {
		x := it.(map[string]any)
		got[x["name"].(string)] = x["checked"]
	}
	return got
}

// TestBrowserOutboxSendingFrozenTab: a tab the browser froze while it
// sends lets the other tabs send. Ana's laptop has two tabs on the list.
// Tab B sends the tick of milk; its request hangs (the test holds it) and
// the browser freezes tab B. Tab A's tick of bread goes at once, after
// milk's (in the queue, which every tab sends; safe to repeat). Before,
// tab B kept the outbox's lock while frozen, and tab A's writes waited
// until tab B ran again. Tab B runs again and its request gets its late
// answer (a 412: tab A sent it meanwhile), which it lets go: no notice,
// nothing waits.
func TestBrowserOutboxSendingFrozenTab(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	for _, name := range []string{"milk", "bread"} {
		restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": name})
	}
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	box := func(name string) string { return fmt.Sprintf(`li.item[data-name=%q] input[type=checkbox]`, name) }
	a.goTo("/shopping/"+listID, row("milk")+` && `+row("bread"))
	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping/" + listID))
	b.waitJS("tab B shows milk", row("milk"), 10*time.Second)
	b.waitLive()

	paused := holdRequests(t, b, fetch.RequestPattern{URLPattern: "*/api/shopping/items/*", RequestStage: fetch.RequestStageRequest})
	b.click(box("milk"))
	var sent *fetch.EventRequestPaused
	select {
	case sent = <-paused:
	case <-time.After(10 * time.Second):
		t.Fatal("tab B did not send the tick")
	}
	eval[bool](b, `(window.milkOp = window.familyhub.outbox.waiting()[0].id, true)`)
	waitUntil(t, "tab B holds the outbox's lock", 5*time.Second, func() bool {
		return evalAwait[bool](a, `navigator.locks.query().then((q) => q.held.some((l) => l.name === 'familyhub-outbox'))`)
	})
	a.click(box("bread"))
	a.waitJS("bread waiting in tab A", `window.familyhub.outbox.waiting().some((o) => o.label === 'bread')`, 5*time.Second)
	// Tab B has read the queue since: a read begun just before the freeze
	// would hold the store until tab B runs again (tab A could not take its
	// sent writes out of the queue). One begun once frozen (the tabs' news
	// still reaches it) is not: tab B reads when it runs again.
	b.waitJS("tab B shows bread waiting", row("bread")+`?.dataset.pending === 'waiting'`, 5*time.Second)

	if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateFrozen}); err != nil {
		t.Fatalf("freezing tab B: %v", err)
	}
	a.waitJS("tab A sends while tab B is frozen", `window.familyhub.outbox.count() === 0`, 10*time.Second)
	if got := itemChecked(t, ana, c, listID); got["bread"] != true || got["milk"] != true {
		t.Errorf("with tab B frozen the server has %v, want milk and bread ticked", got)
	}

	if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateActive}); err != nil {
		t.Fatalf("tab B running again: %v", err)
	}
	if _, err := chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: sent.RequestID}); err != nil {
		t.Fatal(err)
	}
	stopHolding(t, b)
	b.waitJS("tab B's late answer arrived", `!window.familyhub.outbox.isSending(window.milkOp) && window.familyhub.outbox.count() === 0`, 10*time.Second)
	evalAwait[int](b, `import('/js/outbox.js').then(async (m) => { m.kick({ now: true }); await m.settled(); return m.count(); })`)
	for _, tab := range []*browser{a, b} {
		if n := eval[int](tab, `document.querySelectorAll('#notices li').length`); n != 0 {
			t.Errorf("%s shows %d notices: %s", tab.name, n, pageState(tab))
		}
	}
	if got := itemChecked(t, ana, c, listID); got["bread"] != true || got["milk"] != true {
		t.Errorf("at the end the server has %v, want milk and bread ticked", got)
	}
}

// TestBrowserOutboxFrozenWaitingTab: a tab the browser froze while it
// waited for its turn to send does not make the other tabs' writes wait
// for it. Ana's laptop has two tabs on the list. The test holds the
// outbox's lock in tab B, a slow background tab, as a send does; there she
// ticks milk: tab B would send it once the lock is free. The browser
// freezes tab B, which lets the lock go as it freezes (the test's 'freeze'
// handler, before lifecycle.js's: the lock then goes at the moment a
// sender's would, and after it tab B runs no task, so no retry of tab B's
// can take it legitimately meanwhile). Then she ticks bread in
// tab A: it goes at once, and milk with it (the queue is every tab's).
// Before, tab B waited in the lock's queue, and Chromium granted it the
// lock although tab B gave up waiting as it froze (its abort came after
// the grant): frozen, tab B held the lock, and tab A's writes waited until
// tab B ran again. TestBrowserOutboxHeldFrozenTab failed so, now and then,
// under load: tab A, live again late, sent while tab B waited for its turn.
func TestBrowserOutboxFrozenWaitingTab(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	for _, name := range []string{"milk", "bread"} {
		restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": name})
	}
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	box := func(name string) string { return fmt.Sprintf(`li.item[data-name=%q] input[type=checkbox]`, name) }
	a.goTo("/shopping/"+listID, row("milk")+` && `+row("bread"))
	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping/" + listID))
	b.waitJS("tab B shows milk", row("milk"), 10*time.Second)
	b.waitLive()
	// A background tab on a busy phone: it takes its time for what comes.
	if _, err := chromedp.Call(b.ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 8}); err != nil {
		t.Fatal(err)
	}

	evalAwait[bool](b, `new Promise((held) => navigator.locks.request('familyhub-outbox', () => { held(true); return new Promise((done) => { window.sent = done; }); }))`)
	b.click(box("milk"))
	b.waitJS("milk waiting in tab B", `window.familyhub.outbox.waiting().some((o) => o.label === 'milk')`, 5*time.Second)
	// Tab B asked for its turn (or found the lock taken) as it queued milk:
	// that ask reached the browser before this query does (one channel).
	evalAwait[bool](b, `navigator.locks.query().then(() => true)`)

	eval[bool](a, `(window.bFrozen = new Promise((ok) => { window.frozenChan = new BroadcastChannel('test-frozen'); window.frozenChan.onmessage = () => ok(true); }), true)`)
	eval[bool](b, `(addEventListener('freeze', () => { window.sent(); new BroadcastChannel('test-frozen').postMessage('frozen'); }, { capture: true, once: true }), true)`)
	if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateFrozen}); err != nil {
		t.Fatalf("freezing tab B: %v", err)
	}
	evalAwait[bool](a, `window.bFrozen`)
	a.click(box("bread"))
	a.waitJS("tab A sends bread (and milk) while tab B is frozen", `window.familyhub.outbox.count() === 0`, 10*time.Second)
	if got := itemChecked(t, ana, c, listID); got["bread"] != true || got["milk"] != true {
		t.Errorf("with tab B frozen the server has %v, want milk and bread ticked", got)
	}

	if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateActive}); err != nil {
		t.Fatalf("tab B running again: %v", err)
	}
	b.waitJS("tab B has nothing left to send", `window.familyhub.outbox.count() === 0`, 10*time.Second)
	evalAwait[int](b, `import('/js/outbox.js').then(async (m) => { m.kick({ now: true }); await m.settled(); return m.count(); })`)
	for _, tab := range []*browser{a, b} {
		if n := eval[int](tab, `document.querySelectorAll('#notices li').length`); n != 0 {
			t.Errorf("%s shows %d notices: %s", tab.name, n, pageState(tab))
		}
	}
}

// TestBrowserOutboxFrozenSendStillSending: the late answer to the send a
// tab had on its way as it froze does not end the send it made since.
// Ana's laptop has two tabs on the list, tab A offline. Tab B sends the
// tick of milk (the test holds the request) and is frozen; it runs again
// and sends the tick again (safe to repeat; held too). The first request's
// answer arrives: tab B let it go, and the tick is still on its way (the
// second request). Before, that late answer marked tab B as sending
// nothing, while it was sending the tick.
func TestBrowserOutboxFrozenSendStillSending(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	row := `document.querySelector('li.item[data-name="milk"]')`
	a.goTo("/shopping/"+listID, row)
	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping/" + listID))
	b.waitJS("tab B shows milk", row, 10*time.Second)
	b.waitLive()
	a.goOffline() // tab A does not send tab B's tick meanwhile
	lifecycle := func(state page.SetWebLifecycleStateState) {
		t.Helper()
		if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: state}); err != nil {
			t.Fatalf("tab B %s: %v", state, err)
		}
	}
	next := func(paused <-chan *fetch.EventRequestPaused, what string) *fetch.EventRequestPaused {
		t.Helper()
		select {
		case e := <-paused:
			return e
		case <-time.After(10 * time.Second):
			t.Fatalf("tab B did not send %s", what)
		}
		return nil
	}
	eval[bool](b, `(() => {
		window.answersRead = 0;
		const json = Response.prototype.json;
		Response.prototype.json = function () {
			const items = this.url.includes('/api/shopping/items/');
			return json.apply(this, arguments).finally(() => { if (items) window.answersRead++; });
		};
		return true;
	})()`)

	paused := holdRequests(t, b, fetch.RequestPattern{URLPattern: "*/api/shopping/items/*", RequestStage: fetch.RequestStageRequest})
	b.click(`li.item[data-name="milk"] input[type=checkbox]`)
	first := next(paused, "the tick")
	eval[bool](b, `(window.milkOp = window.familyhub.outbox.waiting()[0].id, true)`)
	lifecycle(page.SetWebLifecycleStateStateFrozen)
	lifecycle(page.SetWebLifecycleStateStateActive)
	second := next(paused, "the tick again after it ran again")
	b.waitJS("tab B sends the tick again", `window.familyhub.outbox.isSending(window.milkOp)`, 5*time.Second)

	if _, err := chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: first.RequestID}); err != nil {
		t.Fatal(err)
	}
	b.waitJS("the first request's late answer read", `window.answersRead >= 1`, 10*time.Second)
	if !evalAwait[bool](b, `new Promise((r) => setTimeout(() => r(window.familyhub.outbox.isSending(window.milkOp)), 0))`) {
		t.Errorf("the late answer to the send before the freeze ended the send since: tab B says the tick is not on its way, its second request is")
	}

	if _, err := chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: second.RequestID}); err != nil {
		t.Fatal(err)
	}
	stopHolding(t, b)
	b.waitJS("the tick sent", `window.familyhub.outbox.count() === 0 && !window.familyhub.outbox.isSending(window.milkOp)`, 10*time.Second)
	if n := eval[int](b, `document.querySelectorAll('#notices li').length`); n != 0 {
		t.Errorf("tab B shows %d notices: %s", n, pageState(b))
	}
	if got := itemChecked(t, ana, c, listID); got["milk"] != true {
		t.Errorf("the server has %v, want milk ticked", got)
	}
}

// TestBrowserFrozenTabHoldsNoStore: a tab the browser freezes while it
// reads and writes the device's storage keeps none of it from the other
// tabs. Tab B reads and writes the cache's store without pause, in steps
// (a count: read, then write) and at once (a read); the browser freezes
// it. Tab A still writes and reads that store. Before, a transaction open
// as the tab froze stayed open until it ran again, and another tab's
// outbox stopped at its next answer (TestBrowserOutboxSendingFrozenTab
// failed about one run in three). Tab B goes on when it runs again.
func TestBrowserFrozenTabHoldsNoStore(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping"))
	b.waitLive()
	evalAwait[bool](b, `import('/js/idb.js').then((idb) => {
		window.busy = 0;
		const loop = async (op) => { for (;;) { try { await op(); window.busy++; } catch { /* aborted as it froze */ } } };
		loop(() => idb.bump('data', 'test-count', (v) => (v || 0) + 1));
		loop(() => idb.get('data', 'test-count'));
		return true;
	})`)
	b.waitJS("tab B busy with the store", `window.busy > 100`, 5*time.Second)
	lifecycle := func(state page.SetWebLifecycleStateState) {
		t.Helper()
		if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: state}); err != nil {
			t.Fatalf("tab B %s: %v", state, err)
		}
	}
	lifecycle(page.SetWebLifecycleStateStateFrozen)
	// evalAwait fails the test if tab A waits more than 10 s.
	if n := evalAwait[int](a, `import('/js/idb.js').then(async (idb) => {
		await idb.put('data', 'tab A', 'test-writer');
		await idb.bump('data', 'test-count', (v) => (v || 0) + 1);
		return idb.get('data', 'test-count');
	})`); n < 2 {
		t.Errorf("tab A counted %d, want more than tab B's count before it froze", n)
	}
	lifecycle(page.SetWebLifecycleStateStateActive)
	before := eval[int](b, `window.busy`)
	b.waitJS("tab B busy again", fmt.Sprintf(`window.busy > %d + 10`, before), 5*time.Second)
}

// frozenPair opens Ana's laptop with two tabs (B on the list) and returns
// them, and a function that sets tab B's Page Lifecycle state.
func frozenPair(t *testing.T) (a, b *browser, lifecycle func(page.SetWebLifecycleStateState)) {
	t.Helper()
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	a = newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	b = a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping"))
	b.waitLive()
	return a, b, func(state page.SetWebLifecycleStateState) {
		t.Helper()
		if _, err := chromedp.Call(b.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: state}); err != nil {
			t.Fatalf("tab B %s: %v", state, err)
		}
	}
}

// TestBrowserFrozenTabStepsGoOn: a stepwise transaction (read, then
// write) that the freeze aborted is begun again when the tab runs again:
// its caller never sees the freeze. Tab B counts without pause as
// order.js does (idb.bump); the browser freezes it, tab A counts, tab B
// runs again. Before, tab B's count on its way rejected (AbortError):
// order.js then went on with a number it had not stored (another tab
// could get the same), a new write was refused (outbox-queue.js's addOp),
// Keep mine on a notice did nothing (outbox-notices.js's take).
func TestBrowserFrozenTabStepsGoOn(t *testing.T) {
	browserTest(t)
	a, b, lifecycle := frozenPair(t)
	// Three counters: while one's transaction runs, the others' wait for
	// the store (begun, not yet committing: a freeze always finds one).
	evalAwait[bool](b, `import('/js/idb.js').then((idb) => {
		window.got = [];
		window.failed = [];
		window.stopped = 0;
		for (let i = 0; i < 3; i++) {
			(async () => {
				while (!window.enough) {
					try { window.got.push(await idb.bump('data', 'test-count', (v) => (v || 0) + 1)); } catch (e) { window.failed.push(String(e)); }
				}
				window.stopped++;
			})();
		}
		return true;
	})`)
	b.waitJS("tab B counting", `window.got.length > 50`, 5*time.Second)
	lifecycle(page.SetWebLifecycleStateStateFrozen)
	n := evalAwait[int](a, `import('/js/idb.js').then((idb) => idb.bump('data', 'test-count', (v) => (v || 0) + 1))`)
	lifecycle(page.SetWebLifecycleStateStateActive)
	b.waitJS("tab B counting again", fmt.Sprintf(`window.got.length > 0 && window.got[window.got.length - 1] > %d + 10`, n), 5*time.Second)
	eval[bool](b, `(window.enough = true)`)
	b.waitJS("tab B stopped", `window.stopped === 3`, 5*time.Second)
	if f := eval[string](b, `window.failed.join('; ')`); f != "" {
		t.Errorf("tab B's counts failed: %s", f)
	}
	if !eval[bool](b, fmt.Sprintf(`[...window.got, %d].sort((x, y) => x - y).every((v, i) => v === i + 1)`, n)) {
		t.Errorf("tab B counted %s around tab A's %d, want every number once", eval[string](b, `JSON.stringify(window.got.slice(-20))`), n)
	}
}

// TestBrowserFrozenTabWritesAsItFreezes: a write begun as the tab freezes
// (made at once: put, putAllNow) is stored while the tab stays frozen,
// so a tab the browser then discards loses nothing. Before, it waited for
// the tab to run again (idb.js began no transaction while it was frozen),
// and putAllNow's own promise (the writes held for a full storage, stored
// as the tab goes to the background or into the back/forward cache) was
// broken.
func TestBrowserFrozenTabWritesAsItFreezes(t *testing.T) {
	browserTest(t)
	a, b, lifecycle := frozenPair(t)
	evalAwait[bool](b, `import('/js/idb.js').then((idb) => {
		document.addEventListener('freeze', () => { idb.put('data', 'begun as it froze', 'test-freeze'); });
		return true;
	})`)
	lifecycle(page.SetWebLifecycleStateStateFrozen)
	got := evalAwait[string](a, `import('/js/idb.js').then(async (idb) => {
		for (const end = Date.now() + 5000; Date.now() < end;) {
			const v = await idb.get('data', 'test-freeze');
			if (v) return v;
		}
		return 'nothing';
	})`)
	lifecycle(page.SetWebLifecycleStateStateActive)
	if got != "begun as it froze" {
		t.Errorf("while tab B was frozen, tab A read %q of what tab B wrote as it froze", got)
	}
}
