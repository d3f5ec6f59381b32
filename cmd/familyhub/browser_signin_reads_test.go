package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSignInReadsOnce: at sign-in the app reads the family's seq
// beside who is signed in, before the page loads; the first connection's
// hello at that same seq means nothing happened since, so the page is not
// read again (its resync read). The test's fetch records every GET from
// the first page on: once the warm-up is over, the lists and the list
// shown were read twice each (the shopping page's load and the warm-up,
// warm.js). Before, the resync read each once more.
func TestBrowserSignInReadsOnce(t *testing.T) {
	browserTest(t)
	m, _, _ := anaWithWalks(t)
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB", script: `{
		window.__gets = [];
		const realFetch = window.fetch;
		window.fetch = async (input, opts) => {
			const path = new URL(typeof input === 'string' ? input : input.url, location.href).pathname;
			if ((opts?.method ?? 'GET') === 'GET') window.__gets.push(path);
			const res = await realFetch(input, opts);
			if (path === '/api/realtime/poll' && res.ok) res.clone().json().then((r) => { window.__seq = r.seq; });
			return res;
		};
	}`})
	b.login(m.URL(), "ana@example.org")
	warmedUp(b)
	gets := eval[[]string](b, `window.__gets`)
	count := func(p func(string) bool) (n int) {
		for _, g := range gets {
			if p(g) {
				n++
			}
		}
		return n
	}
	page := "/api" + eval[string](b, `location.pathname`)
	if !strings.HasPrefix(page, "/api/shopping/") {
		t.Fatalf("signed in on %s, want a shopping list", page)
	}
	page = strings.Replace(page, "/api/shopping/", "/api/shopping/lists/", 1)
	want := 2
	if eval[bool](b, `window.__seq !== undefined && window.__seq !== window.familyhub.rt.helloSeq`) {
		// Something happened between (a job's change of an item): reading
		// again is right then.
		t.Logf("the family's seq moved between sign-in (%s) and the hello: the page is read again", eval[string](b, `String(window.__seq)`))
		want = 3
	}
	lists := count(func(g string) bool { return g == "/api/shopping/lists" })
	shown := count(func(g string) bool { return g == page })
	if lists != want || shown != want {
		t.Errorf("after sign-in the lists were read %d times and the list shown %d: want %d each (the page, the warm-up); the GETs: %q", lists, shown, want, gets)
	}
}

// TestBrowserSignInSeqHung: the family's seq read at sign-in gets no
// answer (the test's fetch holds it until its signal aborts, as a stuck
// replica would) while who is signed in is read at once: once the app's
// 1.5 s wait for it ends (the test fires that timer once set), the shopping page
// shows and the connection goes live, the page read again by the first
// hello (nothing says it is current). Before, sign-in waited the
// request's whole 35 s with nothing on screen.
func TestBrowserSignInSeqHung(t *testing.T) {
	browserTest(t)
	m, _, _ := anaWithWalks(t)
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	b.do(chromedp.Navigate(m.URL()+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)))
	hangRequests(b, 1500, `url.pathname === '/api/realtime/poll' && url.searchParams.get('seq_only') === '1' && !window.familyhub.rt`)
	b.do(chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitJS("the seq read held", `window.__held === 1`, 10*time.Second)
	// The wait's timer fired as soon as it is set.
	b.waitJS("shopping page after sign-in", `(window.__timers.splice(0).forEach((fn) => fn()),
		location.pathname.startsWith('/shopping/') && document.querySelector('.add-item input'))`, 10*time.Second)
	b.waitLive()
	if said := eval[[]string](b, `window.__down`); len(said) != 0 {
		t.Errorf("the app took the server for unreachable: %q", said)
	}
}
