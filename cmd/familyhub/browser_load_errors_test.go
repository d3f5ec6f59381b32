package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserLoadErrors: a page whose data the server will not give (a 500
// of ours, a proxy's 502, answered through the DevTools protocol) does not
// pulse its loading placeholders forever. In their place it says why, in
// English and German, with Retry; Retry once the server answers shows the
// page. The top line is left for a reload that fails while data is shown.
// The app itself failing to start (GET /api/me) says so with Retry, not the
// sign-in page.
func TestBrowserLoadErrors(t *testing.T) {
	skipInShortMode(t, "a browser")
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	seedFamily(t, m, ana)
	recipe := restAs(t, ana, m, "POST", "/api/recipes", map[string]any{"title": "Toast", "servings": 1})
	// No service worker: the requests to fail are the page's own.
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	b.login(m.URL(), "ana@example.org")
	fail := failRequests(t, b)

	ours := `{"error":{"code":"internal","message":"internal error"}}`
	proxy := "<html><body><h1>502 Bad Gateway</h1></body></html>"
	const internal, gateway = "Something went wrong on the server.", "The server is not answering right now. Try again in a moment."
	for _, page := range []struct {
		path, api   string
		status      int64
		body, why   string
		shown       string
		placeholder string // where the page's placeholder was
	}{
		{"/tasks", "*/api/tasks*", 500, ours, internal, `document.querySelector('li.task')`, `.tasks-body`},
		{"/calendar", "*/api/calendar/events*", 502, proxy, gateway, `document.querySelector('li.event')`, `.cal-body`},
		{"/recipes", "*/api/recipes", 500, ours, internal, `document.querySelector('.recipe-card')`, `.recipes`},
		{"/recipes/" + recipe["id"].(string), "*/api/recipes/*", 502, proxy, gateway, `document.querySelector('.recipe h1')`, `article.recipe`},
		{"/recipes/" + recipe["id"].(string) + "/edit", "*/api/recipes/*", 500, ours, internal, `document.querySelector('.recipe-form input')`, `.recipe-form`},
		{"/shopping", "*/api/shopping/lists*", 502, proxy, gateway, `document.querySelector('li.item')`, `.list-body`},
		{"/family", "*/api/calendar/subscriptions", 500, ours, internal, `document.querySelector('#h-subs')?.closest('section').querySelector('li')`, `section[aria-labelledby=h-subs]`},
		{"/family", "*/api/dav/app-passwords", 502, proxy, gateway, `document.querySelector('#h-dav')?.closest('section').querySelector('li')`, `section[aria-labelledby=h-dav]`},
	} {
		fail.start(page.api, page.status, page.body)
		eval[bool](b, fmt.Sprintf(`(window.familyhub.go(%q), true)`, page.path))
		state := `document.querySelector('#main ` + page.placeholder + ` .error-state')`
		b.waitJS(page.path+": why, and Retry, in the placeholder's place", state+`?.checkVisibility()
			&& `+state+`.querySelector('p').textContent === `+js("Could not load: "+page.why)+`
			&& `+state+`.querySelector('button').textContent === 'Retry'`, 10*time.Second)
		b.waitJS(page.path+": nothing pulsing", `![...document.querySelectorAll('#main .loading, #main .skeleton')].some((e) => e.checkVisibility())
			&& document.getElementById('main').getAnimations({ subtree: true }).length === 0`, 5*time.Second)
		if eval[bool](b, `!!document.querySelector('#main > .load-error')`) {
			t.Errorf("%s: the reason twice (the line at the top too)", page.path)
		}
		if got := eval[float64](b, state+`.querySelector('button').getBoundingClientRect().height`); got < 44 {
			t.Errorf("%s: Retry is %v px tall", page.path, got)
		}
		if page.path == "/tasks" {
			b.screenshot("load-error") // test-artifacts, to look at
		}
		fail.stop()
		b.click(`#main ` + page.placeholder + ` .error-state button`)
		b.waitJS(page.path+": shown after Retry", page.shown+` && !document.querySelector('#main .error-state')
			&& ![...document.querySelectorAll('#main .loading')].some((e) => e.checkVisibility())`, 10*time.Second)
	}

	// German, and the app failing to start.
	eval[bool](b, `(import('/js/i18n.js').then((m) => m.setLang('de')), true)`)
	b.waitJS("German", `document.documentElement.lang.startsWith('de')`, 5*time.Second)
	fail.start("*/api/recipes", 500, ours)
	b.goTo("/recipes", `document.querySelector('#main .error-state')?.checkVisibility()`)
	if got := eval[string](b, `[...document.querySelectorAll('#main .error-state p, #main .error-state button')].map((e) => e.textContent).join('|')`); got != "Laden fehlgeschlagen: Auf dem Server ist etwas schiefgegangen.|Nochmal versuchen" {
		t.Errorf("the error state in German: %q", got)
	}
	fail.stop()
	fail.start("*/api/me", 502, proxy)
	b.do(chromedp.Reload())
	b.waitJS("the start failed, said so", `document.querySelector('#offline-page h1')?.textContent === 'FamilyHub konnte nicht starten'
		&& document.querySelector('#offline-page .error-state p')?.textContent === 'Laden fehlgeschlagen: Der Server antwortet gerade nicht. Versuche es gleich nochmal.'
		&& location.pathname === '/recipes'`, 10*time.Second)
	fail.stop()
	b.clickText(`#offline-page .error-state button`, "Nochmal versuchen")
	b.waitJS("started after Retry", `document.querySelector('.recipe-card') && !document.getElementById('offline-page')`, 10*time.Second)
	eval[bool](b, `(import('/js/i18n.js').then((m) => m.setLang('en')), true)`)
}

// failedRequests answers a tab's requests that match a URL pattern with an
// error status of the test's choosing (DevTools Fetch interception at the
// request stage: the server never sees them), from start until stop.
type failedRequests struct {
	b      *browser
	status atomic.Int64
	body   atomic.Value // string
}

func failRequests(t *testing.T, b *browser) *failedRequests {
	t.Helper()
	f := &failedRequests{b: b}
	lctx, stop := context.WithCancel(b.ctx)
	t.Cleanup(stop)
	if err := chromedp.Listen(lctx, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		body, _ := f.body.Load().(string)
		// Not on the listener's goroutine: a call from there would wait
		// for the events it is delivering.
		go chromedp.Call(lctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: f.status.Load(),
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
			Body:            []byte(body)})
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{}) })
	return f
}

// start fails the requests matching pattern with status and body.
func (f *failedRequests) start(pattern string, status int64, body string) {
	f.b.t.Helper()
	f.status.Store(status)
	f.body.Store(body)
	if _, err := chromedp.Call(f.b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}}); err != nil {
		f.b.t.Fatal(err)
	}
}

// stop lets the requests through again.
func (f *failedRequests) stop() {
	f.b.t.Helper()
	if _, err := chromedp.Call(f.b.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		f.b.t.Fatal(err)
	}
}
