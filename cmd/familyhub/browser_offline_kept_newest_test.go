package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// TestBrowserOfflineKeptNewest: the copy a device keeps only moves
// forward. A read of the list that began before another one, answered
// after it, does not replace what the later one kept.
//
// Ana's phone shows the list (milk, eggs). A re-read of it (as the
// device's warm-up, or an event about it while another list is open,
// does) is answered by the server with eggs, and held on its way back.
// Ben deletes the eggs; the open page hears of it, reads the list again
// and keeps it without them. Then the held read arrives. Offline, after a
// reload, the list shows no eggs. Before, the late answer replaced the
// copy: the phone showed, offline, the eggs Ben had deleted. The
// calendar's kept ranges follow the same rule (keepRange).
func TestBrowserOfflineKeptNewest(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	eggs := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "eggs"})["id"].(string)

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	a.goTo("/shopping/"+listID, row("milk")+` && `+row("eggs")+` && navigator.serviceWorker.controller`)
	warmedUp(a) // the warm-up reads nothing more
	keptNames := `import('/js/cache.js').then((c) => c.kept('list:' + ` + js(listID) + `)).then((l) => (l?.items ?? []).map((i) => i.name).sort().join())`
	waitUntil(t, "the list kept with eggs", 10*time.Second, func() bool { return evalAwait[string](a, keptNames) == "eggs,milk" })

	reads := holdReads(t, a, "*/api/shopping/lists/"+listID)
	eval[bool](a, `(window.oldRead = Promise.all([import('/js/cache.js'), import('/js/api.js')]).then(([c, api]) =>
		c.refresh('list:' + `+js(listID)+`, () => api.get('/api/shopping/lists/' + `+js(listID)+`))), true)`)
	old := reads.next(t) // answered with the eggs, held on its way back

	restAs(t, ben, c.b, "DELETE", "/api/shopping/items/"+eggs, nil)
	newer := reads.next(t) // the page's read after the event
	if _, err := chromedp.Call(a.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: newer.RequestID}); err != nil {
		t.Fatal(err)
	}
	a.waitJS("the page without the eggs Ben deleted", row("milk")+` && !`+row("eggs"), 10*time.Second)
	waitUntil(t, "the list kept without eggs", 10*time.Second, func() bool { return evalAwait[string](a, keptNames) == "milk" })

	reads.releaseLast(t, old)
	if got := evalAwait[[]string](a, `window.oldRead.then((l) => l.items.map((i) => i.name).sort())`); fmt.Sprint(got) != "[eggs milk]" {
		t.Fatalf("the held read brought %v, want the eggs (answered before Ben deleted them)", got)
	}
	if got := evalAwait[string](a, keptNames); got != "milk" {
		t.Errorf("after the older read arrived the list kept is %q, want %q: it replaced the newer copy", got, "milk")
	}

	a.goOffline()
	a.do(chromedp.Reload())
	a.waitJS("the list offline after a reload", `location.pathname === '/shopping/' + `+js(listID)+` && `+row("milk"), 10*time.Second)
	if eval[bool](a, `!!`+row("eggs")) {
		t.Errorf("offline after a reload the list shows the eggs Ben deleted: %s", pageState(a))
	}

	// The calendar's ranges: a read that began earlier never ranks before,
	// nor drops, a range read since that it overlaps (its events would be
	// shown from the older read), and adds nothing when that range covers it.
	got := evalAwait[string](a, `import('/js/views/calendar-pending.js').then(({ keepRange }) => {
		const tz = 'Europe/Berlin';
		const ev = (id) => ({ id, starts_at: '2026-01-06T10:00:00Z', ends_at: '2026-01-06T11:00:00Z' });
		const week = keepRange(undefined, tz, { from: '2026-01-05', to: '2026-01-12', at: 2000, occurrences: [] });
		const sameWeek = keepRange(week, tz, { from: '2026-01-05', to: '2026-01-12', at: 1000, occurrences: [ev('deleted')] });
		const month = keepRange(week, tz, { from: '2026-01-01', to: '2026-02-01', at: 1000, occurrences: [ev('deleted')] });
		return [sameWeek.ranges.map((r) => r.at).join('+'), month.ranges.map((r) => r.at).join('+')].join();
	})`)
	if got != "2000,2000+1000" {
		t.Errorf("the calendar's ranges after an older read of the week, then of its month: %s, want 2000,2000+1000 (the newer week kept, first)", got)
	}
}
