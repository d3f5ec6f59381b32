package main

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// TestBrowserShoppingLeftBeforeLists: Ana opens the shopping page (no list
// in its address, none kept on the device) and goes on to the tasks before
// the lists came. When they come, the address stays /tasks: the shopping
// page that is gone does not put /shopping/<id> over the page shown.
func TestBrowserShoppingLeftBeforeLists(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	// The device's warm-up has kept what it keeps (tasks last); then the lists are forgotten, so the page waits for the server.
	waitUntil(t, "the device warmed up", 15*time.Second, func() bool {
		return evalAwait[bool](a, `import('/js/cache.js').then((c) => c.kept('tasks')).then((k) => !!k)`)
	})
	evalAwait[bool](a, `import('/js/cache.js').then((c) => c.forget('lists')).then(() => true)`)

	hr := holdReads(t, a, "*/api/shopping/lists")
	eval[bool](a, `(window.familyhub.go('/shopping'), true)`)
	read := hr.next(t)
	a.goTo("/tasks", `location.pathname === '/tasks' && !!document.querySelector('#main .page-head h1')`)
	if _, err := chromedp.Call(a.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: read.RequestID}); err != nil {
		t.Fatal(err)
	}
	// The lists are kept once they came: the page that asked for them has had them by the time this read of the copy answers.
	waitUntil(t, "the lists kept", 10*time.Second, func() bool {
		return evalAwait[bool](a, `import('/js/cache.js').then((c) => c.kept('lists')).then((l) => Array.isArray(l) && l.length === 1)`)
	})
	if got := eval[string](a, `location.pathname`); got != "/tasks" {
		t.Errorf("after the lists came for the shopping page left, the address is %s while the tasks are shown, want /tasks", got)
	}
}
