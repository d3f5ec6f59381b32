package main

import (
	"strconv"
	"testing"
	"time"
)

// TestBrowserOutboxSlowNotOffline: a write of the outbox whose answer does
// not come within its 15 s ends and is sent again later, but a slow server
// is not an outage: the header and the "Offline" line keep what the rest
// of the app knows (the realtime connection and other requests still find
// a real one). The test holds the first two sends in fetch (they fail only
// when their signal aborts, as a real fetch does) and fires the 15 s timer
// itself; the third send reaches the server: one bananas item. Before, the
// timed-out send said "Offline" under the header until the next answer.
func TestBrowserOutboxSlowNotOffline(t *testing.T) {
	browserTest(t)
	b, m, ana, listID := anaOnFamily(t, "phone", phoneW, phoneH, "", "")
	eval[bool](b, `(window.__sends = 0, true)`)
	hangRequests(b, 15000, `url.pathname.endsWith('/items') && opts?.method === 'POST' && ++window.__sends <= 2`)
	eval[bool](b, `(import('/js/outbox.js').then(({ enqueue }) => enqueue({ kind: 'item.add', method: 'POST',
		path: '/api/shopping/lists/`+listID+`/items', body: { id: crypto.randomUUID(), name: 'bananas' },
		record: 'bananas', list: '`+listID+`', base: null, label: 'bananas' })), true)`)
	b.waitJS("the write on its way with a timer", `window.__sends === 1 && window.__timers.length === 1`, 5*time.Second)
	eval[bool](b, `(window.__timers.shift()(), true)`)
	b.waitJS("the write sent again after its timeout", `window.__sends === 2 && window.__timers.length === 1`, 10*time.Second)
	if got := eval[string](b, unreachableSaid); got != "" {
		t.Errorf("after the write's timeout the app says %q, as if the server could not be reached", got)
	}
	eval[bool](b, `(window.__timers.shift()(), true)`)
	b.waitJS("the write sent", `window.__sends === 3 && window.familyhub.outbox.count() === 0`, 10*time.Second)
	if n := countItems(t, ana, m, listID, "bananas"); n != 1 {
		t.Errorf("%d bananas on the list, want 1", n)
	}
	if got := eval[string](b, unreachableSaid); got != "" {
		t.Errorf("after the write was sent the app says %q", got)
	}
}

// hangRequests makes b's fetch hold each request for which the script
// expression hang (of url, a URL, and opts) is true, as a server that
// never answers: it fails only when its signal aborts, as a real fetch
// does (window.__held counts them). The timers of ms (the requests'
// timeout) wait in window.__timers for the test to fire (fireTimers). And
// every time the app takes the server for unreachable from then on (the
// header and the "Offline" line listen to the same) is kept, with why, for
// unreachableSaid.
func hangRequests(b *browser, ms int, hang string) {
	b.t.Helper()
	eval[bool](b, `(() => {
		const realTimeout = window.setTimeout, realFetch = window.fetch;
		window.__timers = [];
		window.setTimeout = (fn, ms, ...args) => (ms === `+strconv.Itoa(ms)+` ? (window.__timers.push(fn), -1) : realTimeout(fn, ms, ...args));
		window.__held = 0;
		window.fetch = (input, opts) => {
			const url = new URL(typeof input === 'string' ? input : input.url, location.href);
			if (!(`+hang+`)) return realFetch(input, opts);
			window.__held++;
			return new Promise((_, reject) => opts?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
		};
		return true;
	})()`)
	eval[bool](b, `(import('/js/api.js').then(({ onReachable, unreachableWhy }) => {
		window.__down = [];
		onReachable((up) => { if (!up) window.__down.push(unreachableWhy()); });
	}), true)`)
	b.waitJS("listening", `Array.isArray(window.__down)`, 5*time.Second)
}

// fireTimers fires the timers hangRequests kept: the held requests time out.
func fireTimers(b *browser) {
	b.t.Helper()
	eval[bool](b, `(window.__timers.splice(0).forEach((fn) => fn()), true)`)
}

// unreachableSaid is what the page says of a server it cannot reach: the
// "Offline" line, the header's mark, and why each time the app took it for
// unreachable since hangRequests (empty when it never did).
const unreachableSaid = `(() => { const l = document.getElementById('offline-line'); return l.hidden ? '' : l.textContent; })()
	+ (document.getElementById('conn').dataset.server ?? '') + window.__down.join(' ')`
