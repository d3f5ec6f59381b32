package main

import (
	"fmt"
	"testing"
	"time"
)

// TestBrowserOfflineForgottenMarksPruned: the marks a forgotten list's copy
// leaves (cache.forget) do not pile up on the device, and pruning one does
// not let a read that began before it keep the deleted list again.
//
// Ana's phone keeps Weekly, Old and Party. A re-read of Old is held on its
// way back; Ben deletes Old and the phone leaves a mark for it. The
// phone's clock moves a day on (as if the app stayed open that long); Ben
// deletes Party. Old's mark, a day old, goes: only Party's stays. Then the
// held read of Old arrives: Old is not kept again. Before, every mark
// stayed in IndexedDB forever, one for every list ever deleted.
func TestBrowserOfflineForgottenMarksPruned(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	weekly := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+weekly+"/items", map[string]any{"name": "milk"})
	old := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Old"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+old+"/items", map[string]any{"name": "nails"})
	party := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Party"})["id"].(string)

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	a.goTo("/shopping/"+weekly, row("milk")+` && navigator.serviceWorker.controller`)
	warmedUp(a)
	// The raw entry under a key of the data store, and the keys holding a mark.
	raw := func(key string) string {
		return `new Promise((resolve) => { const o = indexedDB.open('familyhub'); o.onsuccess = () => {
			const g = o.result.transaction('data').objectStore('data').get(` + js(key) + `);
			g.onsuccess = () => { const v = g.result; resolve(v === undefined ? 'none' : v.gone ? 'mark' : typeof v === 'string' ? 'time' : 'copy'); o.result.close(); }; }; })`
	}
	marks := `new Promise((resolve) => { const o = indexedDB.open('familyhub'); o.onsuccess = () => {
		const keys = []; const c = o.result.transaction('data').objectStore('data').openCursor();
		c.onsuccess = () => { const x = c.result; if (!x) { resolve(keys.join()); o.result.close(); return; } if (x.value?.gone) keys.push(x.key); x.continue(); }; }; })`
	waitUntil(t, "Old kept", 10*time.Second, func() bool { return evalAwait[string](a, raw("list:"+old)) == "copy" })

	reads := holdReads(t, a, "*/api/shopping/lists/"+old)
	eval[bool](a, `(window.oldRead = Promise.all([import('/js/cache.js'), import('/js/api.js')]).then(([c, api]) =>
		c.refresh('list:' + `+js(old)+`, () => api.get('/api/shopping/lists/' + `+js(old)+`))), true)`)
	held := reads.next(t) // answered with the nails, held on its way back

	restAs(t, ben, c.b, "DELETE", "/api/shopping/lists/"+old, nil)
	waitUntil(t, "Old's mark", 10*time.Second, func() bool { return evalAwait[string](a, raw("list:"+old)) == "mark" })

	// A day on, on the phone's clock.
	eval[bool](a, `(() => { const R = Date, off = 864e5;
		class D extends R { constructor(...a) { if (a.length) super(...a); else super(R.now() + off); } static now() { return R.now() + off; } }
		globalThis.Date = D; return true; })()`)
	restAs(t, ben, c.b, "DELETE", "/api/shopping/lists/"+party, nil)
	waitUntil(t, "Party's mark", 10*time.Second, func() bool { return evalAwait[string](a, raw("list:"+party)) == "mark" })
	deadline := time.Now().Add(5 * time.Second)
	for evalAwait[string](a, marks) != "list:"+party && time.Now().Before(deadline) {
		evalAwait[bool](a, `new Promise((r) => setTimeout(() => r(true), 100))`)
	}
	if got := evalAwait[string](a, marks); got != "list:"+party {
		t.Errorf("the marks kept are %q, want only Party's (list:%s): Old's, a day old, stays forever", got, party)
	}

	reads.releaseLast(t, held)
	if got := evalAwait[string](a, `window.oldRead.then((l) => l.name)`); got != "Old" {
		t.Fatalf("the held read brought %q, want Old (answered before Ben deleted it)", got)
	}
	if got := evalAwait[string](a, raw("list:"+old)); got != "none" {
		t.Errorf("after the older read arrived Old's entry is %q, want none: a deleted list was kept again once its mark went", got)
	}
	// A read begun now keeps a list again, mark or not.
	if !evalAwait[bool](a, `import('/js/cache.js').then((c) => c.keep('list:x', { id: 'x', items: [] }))`) {
		t.Error("a read begun after the pruned marks was not kept")
	}
}
