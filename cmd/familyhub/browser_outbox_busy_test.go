package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutboxBusyTabSendsAfter: a tab that found the outbox's lock
// taken (kick asks for it only if free) sends once the sender is done: it
// hears 'free' on the channel, or tries again a second later.
//
// Ana's laptop has two tabs on the list. Tab A holds the lock (as a tab
// sending does). In tab B she ticks milk: tab B finds the lock taken and
// waits. Tab A lets go and says so, as a sender does: milk goes within a
// few seconds. Without those wake-ups, nothing sends it until the next
// write or the tab's next go-live.
func TestBrowserOutboxBusyTabSendsAfter(t *testing.T) {
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

	evalAwait[bool](a, `new Promise((held) => navigator.locks.request('familyhub-outbox', () => { held(true); return new Promise((done) => { window.sent = done; }); }))`)
	b.click(`li.item[data-name="milk"] input[type=checkbox]`)
	b.waitJS("milk waiting in tab B", `window.familyhub.outbox.waiting().some((o) => o.label === 'milk')`, 5*time.Second)
	// Tab B asked for the lock as it queued milk and found it taken: that
	// ask reached the browser before this query does (one channel).
	evalAwait[bool](b, `navigator.locks.query().then(() => true)`)

	eval[bool](a, `(window.sent(), new BroadcastChannel('familyhub-outbox').postMessage({ free: true }), true)`)
	b.waitJS("tab B sends milk once tab A let go", `window.familyhub.outbox.count() === 0`, 5*time.Second)
	if got := itemChecked(t, ana, c, listID); got["milk"] != true {
		t.Errorf("the server has %v, want milk ticked", got)
	}
	if n := eval[int](b, `document.querySelectorAll('#notices li').length`); n != 0 {
		t.Errorf("tab B shows %d notices: %s", n, pageState(b))
	}
}
