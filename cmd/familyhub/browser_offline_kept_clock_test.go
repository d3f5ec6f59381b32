package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserOfflineKeptClockBack: the kept copy only moves forward by the
// time its read began, on the device's clock; a clock set back (it was a
// day ahead, then corrected, by hand or by the network) must not freeze
// the copy until the clock catches up again.
//
// Ana's phone's clock is a day ahead while she opens the list: the copy
// is kept as read "tomorrow". The clock is corrected. Ben adds bread; the
// open page shows it. Offline, after a reload, the list shows the bread.
// Before, every read since the correction began "before" the kept one and
// was not kept: the phone showed, offline, the list as it was before the
// correction, for a whole day. The calendar's ranges the same (keepRange).
func TestBrowserOfflineKeptClockBack(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	a.goTo("/shopping/"+listID, row("milk")+` && navigator.serviceWorker.controller`)
	warmedUp(a)

	// The kept copy's time, straight from the device's storage.
	keptAt := `new Promise((resolve) => { const o = indexedDB.open('familyhub'); o.onsuccess = () => {
		const g = o.result.transaction('data').objectStore('data').get('list:' + ` + js(listID) + `);
		g.onsuccess = () => { resolve(g.result?.at ?? ''); o.result.close(); }; }; })`
	keptNames := `import('/js/cache.js').then((c) => c.kept('list:' + ` + js(listID) + `)).then((l) => (l?.items ?? []).map((i) => i.name).sort().join())`

	ahead, err := chromedp.Call(a.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `(() => {
		const R = Date, off = 864e5;
		class D extends R { constructor(...a) { if (a.length) super(...a); else super(R.now() + off); } static now() { return R.now() + off; } }
		globalThis.Date = D;
	})()`})
	if err != nil {
		t.Fatal(err)
	}
	a.do(chromedp.Reload())
	a.waitJS("the list, the clock a day ahead", row("milk")+` && Date.now() - performance.timeOrigin > 12 * 3600e3`, 10*time.Second)
	tomorrow := time.Now().Add(12 * time.Hour).UTC().Format(time.RFC3339)
	waitUntil(t, "the list kept as read tomorrow", 10*time.Second, func() bool { return evalAwait[string](a, keptAt) > tomorrow })

	if _, err := chromedp.Call(a.ctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: ahead.Identifier}); err != nil {
		t.Fatal(err)
	}
	a.do(chromedp.Reload()) // the clock corrected
	a.waitJS("the list, the clock right", row("milk")+` && Math.abs(Date.now() - performance.timeOrigin) < 3600e3`, 10*time.Second)
	a.waitLive()
	restAs(t, ben, c.b, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "bread"})
	a.waitJS("Ben's bread on the open list", row("bread"), 10*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for evalAwait[string](a, keptNames) != "bread,milk" && time.Now().Before(deadline) {
		evalAwait[bool](a, `new Promise((r) => setTimeout(() => r(true), 100))`)
	}
	if got := evalAwait[string](a, keptNames); got != "bread,milk" {
		t.Errorf("after the clock was set back the list kept is %q, want bread,milk (kept at %s): the copy no longer moves", got, evalAwait[string](a, keptAt))
	}

	a.goOffline()
	a.do(chromedp.Reload())
	a.waitJS("the list offline after a reload", `location.pathname === '/shopping/' + `+js(listID)+` && `+row("milk"), 10*time.Second)
	if !eval[bool](a, `!!`+row("bread")) {
		t.Errorf("offline after a reload the list lacks the bread Ben added: %s", pageState(a))
	}

	// A range kept as read a day ahead does not outrank, nor cover, the same
	// range read since the clock was set back.
	got := evalAwait[string](a, `import('/js/views/calendar-pending.js').then(({ keepRange }) => {
		const tz = 'Europe/Berlin';
		const ev = (id) => ({ id, starts_at: '2026-01-06T10:00:00Z', ends_at: '2026-01-06T11:00:00Z' });
		const ahead = keepRange(undefined, tz, { from: '2026-01-05', to: '2026-01-12', at: Date.now() + 864e5, occurrences: [ev('old')] });
		const now = keepRange(ahead, tz, { from: '2026-01-05', to: '2026-01-12', at: Date.now(), occurrences: [ev('new')] });
		return now.ranges.length + ':' + (now.ranges[0].at < Date.now() + 3600e3);
	})`)
	if got != "1:true" {
		t.Errorf("the calendar's week read after the clock was set back: %s, want 1:true (it replaces the one read a day ahead)", got)
	}
}
