package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxHeldSignOutOtherTab: a write held in one tab's memory
// (the device's storage refused it) goes with the person's other writes
// when they sign out in another tab; it is never sent as the next person.
//
// Ana's tablet has two tabs. In tab B, offline, with the storage full,
// she ticks "Water the plants": held in tab B's memory. She signs out in
// tab A (which asks first, counting tab B's held tick), and Ben signs in
// there. Tab B comes back online. Before, tab B
// still held Ana's tick (the sign-out cleared only what was stored) and
// sent it with the device's session, now Ben's: the task was completed,
// by Ben, a change he never made.
func TestBrowserOutboxHeldSignOutOtherTab(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in lands on it
	water := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Water the plants",
		"due_at": time.Now().UTC().Format(time.RFC3339)})["id"].(string)
	a := newDevice(t, "tab A", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	b := a.newTab("tab B", laptopW, laptopH, false)
	box := `li.task[data-id=` + js(water) + `] input[type=checkbox]`
	b.do(chromedp.Navigate(c.a.URL() + "/tasks"))
	b.waitJS("tab B shows the task", `!!document.querySelector('`+box+`')`, 10*time.Second)

	b.goOffline()
	eval[bool](b, `(() => {
		IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
		return true;
	})()`)
	b.click(box)
	b.waitJS("Ana's tick held in tab B", `window.familyhub.outbox.count() === 1 && window.familyhub.outbox.heldCount() === 1`, 5*time.Second)

	// Signing out in tab A asks first: tab B's held tick would be lost.
	eval[bool](a, `(window.familyhub.signOut(), true)`)
	a.waitJS("the sign-out asks about tab B's held tick", `document.querySelector('dialog.ask[open] h2')?.textContent === 'One change has not reached the server yet'`, 5*time.Second)
	a.clickText(`dialog.ask[open] button`, "Sign out anyway")
	b.waitJS("tab B dropped Ana's held tick with her sign-out",
		`window.familyhub.outbox.count() === 0 && window.familyhub.outbox.heldCount() === 0`, 10*time.Second)
	a.login(c.a.URL(), "ben@example.org")
	a.waitJS("Ben signed in in tab A", `window.familyhub.me?.user?.email === 'ben@example.org'`, 10*time.Second)
	b.setOffline(false)
	b.waitJS("tab B online, nothing waiting", `navigator.onLine && window.familyhub.outbox.count() === 0`, 10*time.Second)
	evalAwait[bool](b, `import('/js/outbox.js').then((m) => m.settled()).then(() => true)`)
	if got := restAs(t, ana, c.a, "GET", "/api/tasks/"+water, nil); got["completed_at"] != nil {
		t.Errorf("Ana's tick held in tab B was sent after her sign-out (as Ben): %v", got)
	}
}
