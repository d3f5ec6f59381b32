package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOfflineForgottenList: a list's copy, forgotten when the list
// was deleted, is not kept again by a read of it that began before.
//
// Ana's phone keeps both lists (Weekly, open, and Party). A re-read of
// Party (as the warm-up does) is answered by the server with the cake and
// held on its way back. Ben deletes Party; the phone hears it and forgets
// Party's copy. Then the held read arrives. Before, it kept Party's copy
// again (forget left no mark, and a read with nothing kept is always
// kept): the phone stored the deleted list and its items again.
func TestBrowserOfflineForgottenList(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	weekly := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+weekly+"/items", map[string]any{"name": "milk"})
	party := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Party"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+party+"/items", map[string]any{"name": "cake"})

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	a.goTo("/shopping/"+weekly, row("milk")+` && navigator.serviceWorker.controller`)
	warmedUp(a) // the warm-up reads nothing more
	kept := `import('/js/cache.js').then((c) => c.kept('list:' + ` + js(party) + `)).then((l) => (l ? l.items.map((i) => i.name).join() || 'empty' : 'none'))`
	waitUntil(t, "Party kept with the cake", 10*time.Second, func() bool { return evalAwait[string](a, kept) == "cake" })

	reads := holdReads(t, a, "*/api/shopping/lists/"+party)
	eval[bool](a, `(window.oldRead = Promise.all([import('/js/cache.js'), import('/js/api.js')]).then(([c, api]) =>
		c.refresh('list:' + `+js(party)+`, () => api.get('/api/shopping/lists/' + `+js(party)+`))), true)`)
	old := reads.next(t) // answered with the cake, held on its way back

	restAs(t, ben, c.b, "DELETE", "/api/shopping/lists/"+party, nil)
	waitUntil(t, "Party's copy forgotten", 10*time.Second, func() bool { return evalAwait[string](a, kept) == "none" })

	reads.releaseLast(t, old)
	if got := evalAwait[string](a, `window.oldRead.then((l) => l.name)`); got != "Party" {
		t.Fatalf("the held read brought %q, want Party (answered before Ben deleted it)", got)
	}
	if got := evalAwait[string](a, kept); got != "none" {
		t.Errorf("after the older read arrived Party's copy is %q, want none: a deleted list was kept again", got)
	}

	// The mark is no copy: offline, Party is not there to open. (First the
	// lists the page read again after the delete are kept: on a busy
	// machine that read could still be on its way.)
	keptLists := `import('/js/cache.js').then((c) => c.kept('lists')).then((l) => (l ?? []).map((x) => x.name).join())`
	waitUntil(t, "the lists kept without Party", 10*time.Second, func() bool { return evalAwait[string](a, keptLists) == "Weekly" })
	a.goOffline()
	a.do(chromedp.Reload())
	a.waitJS("the list offline after a reload", row("milk"), 10*time.Second)
	if got := eval[string](a, `[...document.querySelectorAll('nav.tabs a')].map((x) => x.title).join()`); got != "Weekly" {
		t.Errorf("offline after a reload the lists are %q, want Weekly", got)
	}
	a.goTo("/shopping/"+party, `location.pathname === '/shopping/' + `+js(weekly)+` && `+row("milk"))
}
