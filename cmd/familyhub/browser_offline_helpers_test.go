package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Helpers for the offline tests (issue 13), on top of browser_test.go and
// browser_pwa_helpers_test.go.

// networkConditions are the parameters of Network.emulateNetworkConditions
// (which cdproto no longer generates: it is deprecated in favour of
// emulateNetworkConditionsByRule, but it still is what DevTools' "Offline"
// does, navigator.onLine and the online/offline events included).
type networkConditions struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

var emulateNetworkConditions = cdp.Command[networkConditions, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

// setOffline cuts (or restores) the tab's network, as a phone in a shop
// without signal: requests and sockets fail, navigator.onLine is false.
func (b *browser) setOffline(off bool) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulateNetworkConditions, networkConditions{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		b.t.Fatalf("%s: network conditions: %v", b.name, err)
	}
}

// goOffline cuts the tab's network and waits until the page knows it
// (navigator.onLine false).
func (b *browser) goOffline() {
	b.t.Helper()
	b.setOffline(true)
	b.waitJS("offline", `navigator.onLine === false`, 5*time.Second)
}

// newTab opens another tab in b's browser profile (the same cookies,
// IndexedDB and service worker), in English (en-GB) as the devices of
// twoDevices are, with its network cut when offline. Close it with
// chromedp.Cancel(tab.ctx).
func (b *browser) newTab(name string, w, h int64, offline bool) *browser {
	b.t.Helper()
	ctx, _ := chromedp.NewContext(b.ctx)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: new tab: %v", name, err)
	}
	tab := &browser{t: b.t, name: name, ctx: ctx, errs: b.errs}
	tab.do(chromedp.EmulateViewport(w, h))
	ua := eval[string](tab, `navigator.userAgent`)
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "en-GB,en"}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en_GB"}); err != nil {
		b.t.Fatal(err)
	}
	if offline {
		tab.setOffline(true)
	}
	return tab
}

// closeTab closes a tab opened by newTab and waits until it is gone. It
// closes the tab itself, through the browser, while the tab's DevTools
// session still holds setOffline's emulation, and only then lets chromedp
// let go of it: chromedp.Cancel detaches from a tab before it closes it,
// and detaching lifts the emulation, so an app still running in an
// offline tab saw 'online' in that moment and sent the device's outbox (a
// rename made offline reached the server before the change made meanwhile
// on another device, and the conflict never came: TestBrowserCalendarOutbox
// under load). Leaving for about:blank first is no cure: the page being
// left sent it too. A real device has one network for all its tabs.
func (b *browser) closeTab() {
	b.t.Helper()
	c := chromedp.FromContext(b.ctx)
	id := c.Target.TargetID
	if _, err := cdp.Call(b.ctx, c.Browser, target.CloseTarget, target.CloseTargetParams{TargetID: id}); err != nil {
		b.t.Fatalf("%s: closing the tab: %v", b.name, err)
	}
	// Chrome answers before the tab is gone: wait until it is not listed.
	deadline := time.Now().Add(10 * time.Second)
	for {
		targets, err := cdp.Call(b.ctx, c.Browser, target.GetTargets, target.GetTargetsParams{})
		if err != nil {
			b.t.Fatalf("%s: listing the tabs: %v", b.name, err)
		}
		if !slices.ContainsFunc(targets.TargetInfos, func(ti *target.Info) bool { return ti.TargetID == id }) {
			break
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: the tab is still there 10s after it was closed", b.name)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// chromedp's own detach and close find nothing left; the browser says so.
	var gone *cdproto.Error
	if err := chromedp.Cancel(b.ctx); err != nil && !errors.As(err, &gone) {
		b.t.Fatalf("%s: closing the tab: %v", b.name, err)
	}
}

// shownItems is the open list as the page shows it: "name" or "name✓" per
// row, sorted.
func shownItems(b *browser) []string {
	b.t.Helper()
	got := eval[[]string](b, `[...document.querySelectorAll('li.item')].map((li) => li.dataset.name + (li.querySelector('input[type=checkbox]').checked ? '✓' : ''))`)
	slices.Sort(got)
	return got
}

// serverItems is the list as the server holds it, in the same form.
func serverItems(t *testing.T, m member, s *Main, listID string) []string {
	t.Helper()
	var list struct {
		Items []struct {
			Name    string
			Checked bool
		}
	}
	m.call(t, s.URL(), 200, "GET", "/api/shopping/lists/"+listID, nil, &list)
	var out []string
	for _, it := range list.Items {
		out = append(out, it.Name+map[bool]string{true: "✓"}[it.Checked])
	}
	slices.Sort(out)
	return out
}

// waitBoth polls cond on two devices (and the server) until it holds,
// failing after timeout with what each showed last; it returns how long
// that took.
func waitBoth(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		ok, state := cond()
		if ok {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %s; last: %s", what, timeout, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// docShot saves a screenshot as screenshot does and, with
// FAMILYHUB_UPDATE_SCREENSHOTS=1, also as docs/screenshots/pwa/<name>.png
// (docs/pwa*.md show them).
func (b *browser) docShot(name string) {
	b.t.Helper()
	png := b.screenshot(name)
	if os.Getenv("FAMILYHUB_UPDATE_SCREENSHOTS") == "1" {
		writePNG(b.t, filepath.Join("..", "..", "docs", "screenshots", "pwa"), name, png)
	}
}

// pageState is what a failure message shows of a page: path, connection,
// the offline line, the badge, the rows and their sync marks, the notices.
func pageState(b *browser) string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({path: location.pathname, conn: document.getElementById('conn')?.dataset.state,
		offline: document.getElementById('offline-line')?.textContent, badge: document.getElementById('pending')?.textContent,
		rows: [...document.querySelectorAll('li.item')].map((li) => li.dataset.name + (li.classList.contains('checked') ? '✓' : '') + (li.dataset.pending ? ' (' + li.dataset.pending + ')' : '')),
		notices: [...document.querySelectorAll('#notices li')].map((li) => li.dataset.kind + ': ' + li.textContent)})`))
	if err != nil {
		return fmt.Sprintf("(%s: %v)", b.name, err)
	}
	return strings.ReplaceAll(s, `\"`, `"`)
}

// holdRequests makes the tab hold its requests that match pattern (at the
// pattern's stage: the request, or the server's answer) and returns the
// channel on which they arrive; the test answers each one, and disables
// the fetch domain when it wants the next requests to pass. Listening ends
// with the test: a full channel would stop the tab's events.
func holdRequests(t *testing.T, b *browser, pattern fetch.RequestPattern) <-chan *fetch.EventRequestPaused {
	t.Helper()
	paused := make(chan *fetch.EventRequestPaused, 4)
	lctx, stop := context.WithCancel(b.ctx)
	t.Cleanup(stop)
	if err := chromedp.Listen(lctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			paused <- e
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{&pattern}}); err != nil {
		t.Fatal(err)
	}
	return paused
}

// heldAnswer waits up to timeout for the next request held on paused (of
// holdRequests, at the response stage) and fails the test unless it is a
// method the server answered with status.
func heldAnswer(t *testing.T, paused <-chan *fetch.EventRequestPaused, method string, status int64, timeout time.Duration) *fetch.EventRequestPaused {
	t.Helper()
	var ev *fetch.EventRequestPaused
	select {
	case ev = <-paused:
	case <-time.After(timeout):
		t.Fatalf("the %s was not held", method)
	}
	if ev.Request.Method != method || ev.ResponseStatusCode != status {
		t.Fatalf("held %s %s with status %d, want the %s answered %d", ev.Request.Method, ev.Request.URL, ev.ResponseStatusCode, method, status)
	}
	return ev
}

// loseAnswer drops the server's answer to the held request ev on its way
// back (the connection reset, as when a phone loses its signal) and lets
// the tab's next requests pass (stopHolding).
func loseAnswer(t *testing.T, b *browser, ev *fetch.EventRequestPaused) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionReset}); err != nil {
		t.Fatal(err)
	}
	stopHolding(t, b)
}

// stopHolding ends holdRequests' holding: the tab's requests pass again.
func stopHolding(t *testing.T, b *browser) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
}

// heldReads holds a tab's requests that match a URL pattern after the
// server answered them (DevTools Fetch interception), until released:
// a read older than a write that is saved meanwhile. Once failRest is
// set, the next matching requests fail as if the network were gone.
// Holding and listening end with the test.
type heldReads struct {
	b        *browser
	paused   chan *fetch.EventRequestPaused
	failRest atomic.Bool
}

func holdReads(t *testing.T, b *browser, pattern string) *heldReads {
	t.Helper()
	hr := &heldReads{b: b, paused: make(chan *fetch.EventRequestPaused, 8)}
	// Listening ends with the test: a full channel would stop the tab's events.
	lctx, stop := context.WithCancel(b.ctx)
	t.Cleanup(stop)
	if err := chromedp.Listen(lctx, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		if !hr.failRest.Load() {
			hr.paused <- e
			return
		}
		go chromedp.Call(lctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonInternetDisconnected})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: pattern, RequestStage: fetch.RequestStageResponse}}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{}) })
	return hr
}

// next waits for the next held request, a GET the server answered 200.
func (hr *heldReads) next(t *testing.T) *fetch.EventRequestPaused {
	t.Helper()
	select {
	case read := <-hr.paused:
		if read.Request.Method != "GET" || read.ResponseStatusCode != 200 {
			t.Fatalf("held %s %s with status %d, want a GET answered 200", read.Request.Method, read.Request.URL, read.ResponseStatusCode)
		}
		return read
	case <-time.After(10 * time.Second):
		t.Fatal("no read was held")
		return nil
	}
}

// releaseLast lets read reach the page; the reads after it fail.
func (hr *heldReads) releaseLast(t *testing.T, read *fetch.EventRequestPaused) {
	t.Helper()
	hr.failRest.Store(true)
	if _, err := chromedp.Call(hr.b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: read.RequestID}); err != nil {
		t.Fatal(err)
	}
}

// warmedUp waits until the device's warm-up (cache.warm: every list, then
// the tasks, read one at a time once realtime is live) has kept what it
// read. A test that needs a copy kept from before a write makes the write
// after this, and holds the later reads of that copy (holdReads: a
// warm-up after a reconnect) unanswered: on a busy machine the warm-up
// begun at the login read the list after the test's write and kept that.
// A warm-up that stopped at a failure (warm answers {done: false}) fails
// the test: what it should have kept is not kept.
func warmedUp(b *browser) {
	b.t.Helper()
	if why := evalAwait[string](b, `Promise.all([import('/js/warm.js'), import('/js/time.js')]).then(([w, tm]) => w.warm(tm.dateIn(new Date(), window.familyhub.tz))).then((r) => r.done ? '' : r.error || 'stopped')`); why != "" {
		b.t.Fatalf("%s: the warm-up stopped before it kept everything: %s", b.name, why)
	}
}
