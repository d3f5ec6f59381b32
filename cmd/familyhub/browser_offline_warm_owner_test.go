package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserOfflineWarmOwnerChanged: the warm-up (warm.js) stops, and
// keeps nothing of what its reads on their way bring, once the device's
// data is no longer its tab's person's.
//
// Ana signs in in tab A; its warm-up's read of her list "Diary" is held on
// its way back (answered with her items). In tab B Ana signs out and Eve,
// of another family, signs in. Then Diary's answer arrives in tab A.
// Before, tab A kept it: Ana's list lay in the device's storage under Eve
// (tab A had not signed out itself, so nothing stopped its saves).
func TestBrowserOfflineWarmOwnerChanged(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	eve := signupAt(t, m.URL(), `{"email":"eve@example.org","password":"correct horse","display_name":"Eve","family_name":"Stone"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // the sign-in opens it
	diary := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Diary"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+diary+"/items", map[string]any{"name": "surprise party"})
	restAs(t, eve, m, "POST", "/api/shopping/lists", map[string]any{"name": "Eve's"})

	// No service worker: the read to hold is the page's own.
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	reads := holdReads(t, a, "*/api/shopping/lists/"+diary)
	a.login(m.URL(), "ana@example.org")
	held := reads.next(t) // the warm-up's read of Diary, answered with Ana's items
	eval[bool](a, `(window.__warmDone = false, import('/js/warm.js').then((w) => w.warm('2000-01-01')).then((r) => { window.__warmDone = r; }), true)`)

	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(m.URL() + "/shopping"))
	b.waitLive()
	eval[bool](b, `(window.familyhub.signOut(), true)`)
	b.waitJS("Ana signed out in tab B", `location.pathname === '/login' && !!document.querySelector('input[name=email]')`, 10*time.Second)
	b.login(m.URL(), "eve@example.org")

	reads.releaseLast(t, held)
	a.waitJS("tab A's warm-up over", `!!window.__warmDone`, 10*time.Second)
	if got := eval[string](a, `JSON.stringify(window.__warmDone)`); !strings.HasPrefix(got, `{"done":false`) {
		t.Errorf("tab A's warm-up answered %s, want that it stopped (the data is no longer Ana's)", got)
	}
	stored := func(key string) string {
		return `new Promise((resolve) => { const o = indexedDB.open('familyhub'); o.onsuccess = () => {
			const g = o.result.transaction('data').objectStore('data').get(` + js(key) + `);
			g.onsuccess = () => { const v = g.result; resolve(v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v).slice(0, 200)); o.result.close(); }; }; })`
	}
	if got := evalAwait[string](b, stored("owner")); got != eve.userID {
		t.Fatalf("the device's owner is %q, want Eve (%s)", got, eve.userID)
	}
	if got := evalAwait[string](b, stored("list:"+diary)); got != "none" {
		t.Errorf("with Eve signed in the device keeps Ana's list Diary: %s", got)
	}
}
