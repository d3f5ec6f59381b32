package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserOfflineOwnerUpgrade: a device whose data was kept by a
// version of the app before the owner key (cache.js: the owner in
// meta.user, or, kept once more by the version that dropped it, nowhere)
// keeps saving for its signed-in person when the app opens again: the
// owner key is written at that start, not at the next sign-in through the
// form, and every save checks it.
func TestBrowserOfflineOwnerUpgrade(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // the sign-in opens it

	a := newDevice(t, "Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(m.URL(), "ana@example.org")
	keptLists := func(name string) string {
		return `(import('/js/cache.js').then((c) => c.kept('lists')).then((l) => { window.__kept = !!l?.some((x) => x.name === ` + js(name) + `); }),
			window.__kept === true)`
	}
	a.waitJS("Weekly kept", keptLists("Weekly"), 10*time.Second)
	for i, legacy := range []struct{ name, meta string }{
		{"the owner in meta.user", `{ synced: null, seq: null, user: ` + js(ana.userID) + ` }`},
		{"no owner kept at all", `{ synced: null, seq: null }`},
	} {
		// As an older version left it: no owner key.
		evalAwait[bool](a, `new Promise((resolve) => { const o = indexedDB.open('familyhub'); o.onsuccess = () => {
			const tx = o.result.transaction('data', 'readwrite'); const s = tx.objectStore('data');
			s.delete('owner'); s.put(`+legacy.meta+`, 'meta');
			tx.oncomplete = () => { o.result.close(); resolve(true); }; }; })`)
		name := []string{"Hardware store", "Garden centre"}[i]
		restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": name})
		a.do(chromedp.Navigate(m.URL() + "/shopping"))
		a.waitLive()
		a.waitJS(legacy.name+": the new list kept by the warm-up", keptLists(name), 10*time.Second)
		owner := `new Promise((resolve) => { const o = indexedDB.open('familyhub'); o.onsuccess = () => {
			const g = o.result.transaction('data').objectStore('data').get('owner');
			g.onsuccess = () => { resolve(String(g.result)); o.result.close(); }; }; })`
		if got := evalAwait[string](a, owner); got != ana.userID {
			t.Errorf("%s: the owner key after the app opened again is %q, want Ana (%s)", legacy.name, got, ana.userID)
		}
	}
}
