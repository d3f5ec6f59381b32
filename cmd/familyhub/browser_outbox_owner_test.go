package main

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxOwnerAcrossTabs: the device's data belongs to the person
// stored as its owner, not to the one a tab remembers. Ana signs out in tab
// A and Ben signs in there and queues an item offline; tab B, open since
// Ana's time, then sees Ben sign in too. Tab B must not take Ana for the
// owner and drop everything: Ben's waiting item must reach the server.
// And tab B forgets the answers to Ana's writes saved on the device when
// Ana's sign-out in tab A drops them from storage.
func TestBrowserOutboxOwnerAcrossTabs(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	list := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	listID := list["id"].(string)
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	b := a.newTab("tab B", laptopW, laptopH, false)
	b.do(chromedp.Navigate(c.a.URL() + "/shopping"))
	b.waitLive()
	eval[bool](a, fmt.Sprintf(`(import('/js/views/shopping-items.js').then(({ addItem }) =>
		addItem(window.familyhub, %q, { id: crypto.randomUUID(), name: 'Bread' })), true)`, listID))
	eval[bool](b, `(import('/js/outbox.js').then((m) => { window.outboxModule = m; }), true)`)
	b.waitJS("tab B knows the answer to Ana's add", `window.outboxModule?.savedAnswers().size > 0`, 10*time.Second)

	a.waitJS("Ana's add sent", `window.familyhub.outbox.count() === 0`, 10*time.Second)
	// Ana signs out in tab A; tab B, on the same session, is signed out too (no reload).
	eval[bool](a, `(window.familyhub.signOut(), true)`)
	b.waitJS("tab B signed out", `location.pathname === '/login' && !!document.querySelector('input[name=email]')`, 10*time.Second)
	b.waitJS("tab B forgot the answers to Ana's writes", `window.outboxModule.savedAnswers().size === 0`, 10*time.Second)
	// Ben signs in in tab A and adds an item offline.
	a.login(c.a.URL(), "ben@example.org")
	a.goOffline()
	eval[bool](a, fmt.Sprintf(`(import('/js/views/shopping-items.js').then(({ addItem }) =>
		addItem(window.familyhub, %q, { id: crypto.randomUUID(), name: 'Oat milk' })), true)`, listID))
	a.waitJS("Ben's item waiting", `window.familyhub.outbox.count() === 1`, 5*time.Second)

	// Ben signs in in tab B, through its form (tab B still remembers Ana).
	b.do(chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ben@example.org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitJS("Ben signed in in tab B", `window.familyhub.me?.user?.display_name === 'Ben' || window.familyhub.me?.user?.email === 'ben@example.org'`, 10*time.Second)
	a.setOffline(false)
	waitUntil(t, "Ben's item on the server", 10*time.Second, func() bool {
		return slices.Contains(serverItems(t, ana, c.a, listID), "Oat milk")
	})
}
