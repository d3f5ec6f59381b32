package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// TestBrowserOfflineAnswerAfterDelete: the answer to a write that arrives
// after the device heard the record was deleted does not bring it back.
//
// Ana ticks milk on her phone; the server saves the tick, and its answer
// is slow on its way back. Meanwhile Ben deletes milk: Ana's list hears
// of it, reads itself again and keeps the list without milk. Then the
// tick's answer arrives. Milk stays gone, on the page, in the copy kept,
// and offline after a reload. Before, the answer put milk back on the
// page and in the kept copy (cache.patch adds a record the copy lacks):
// offline the phone showed the milk Ben had deleted.
func TestBrowserOfflineAnswerAfterDelete(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	milk := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "bread"})

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	a.goTo("/shopping/"+listID, row("milk")+` && `+row("bread")+` && navigator.serviceWorker.controller`)
	warmedUp(a)
	keptNames := `import('/js/cache.js').then((c) => c.kept('list:' + ` + js(listID) + `)).then((l) => (l?.items ?? []).map((i) => i.name).sort().join())`

	paused := holdRequests(t, a, fetch.RequestPattern{URLPattern: "*/api/shopping/items/" + milk + "*", RequestStage: fetch.RequestStageResponse})
	a.click(`li.item[data-name="milk"] input[type=checkbox]`)
	var tick *fetch.EventRequestPaused
	select {
	case tick = <-paused:
	case <-time.After(10 * time.Second):
		t.Fatal("the tick was not sent")
	}
	if tick.ResponseStatusCode != 200 {
		t.Fatalf("the tick %s %s was answered %d", tick.Request.Method, tick.Request.URL, tick.ResponseStatusCode)
	}

	restAs(t, ben, c.b, "DELETE", "/api/shopping/items/"+milk, nil)
	a.waitJS("the page without the milk Ben deleted", row("bread")+` && !`+row("milk"), 10*time.Second)
	waitUntil(t, "the list kept without milk", 10*time.Second, func() bool { return evalAwait[string](a, keptNames) == "bread" })
	// The page heard the deletion itself: a read begun for the tick's own event, after Ben's delete, also
	// drops the milk, and the answer released before the deletion is heard is (rightly) shown.
	a.waitJS("the deletion heard", `import('/js/outbox.js').then((o) => { window.__gone = o.savedAnswers().get(`+js(milk)+`)?.record === null; }) && window.__gone === true`, 10*time.Second)

	if _, err := chromedp.Call(a.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: tick.RequestID}); err != nil {
		t.Fatal(err)
	}
	stopHolding(t, a)
	a.waitJS("the tick answered", `window.familyhub.outbox.count() === 0`, 10*time.Second)
	if got := evalAwait[string](a, keptNames); got != "bread" {
		t.Errorf("after the tick's late answer the list kept is %q, want bread: the deleted milk came back", got)
	}
	if eval[bool](a, `!!`+row("milk")) {
		t.Errorf("after the tick's late answer the page shows the milk Ben deleted: %s", pageState(a))
	}

	a.goOffline()
	a.do(chromedp.Reload())
	a.waitJS("the list offline after a reload", `location.pathname === '/shopping/' + `+js(listID)+` && `+row("bread"), 10*time.Second)
	if eval[bool](a, `!!`+row("milk")) {
		t.Errorf("offline after a reload the list shows the milk Ben deleted: %s", pageState(a))
	}
}
