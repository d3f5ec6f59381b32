package main

import (
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
	m, ana, listID := anaWithWalks(t)
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()
	eval[bool](b, `(() => {
		const realTimeout = window.setTimeout, realFetch = window.fetch;
		window.__timers = [];
		window.setTimeout = (fn, ms, ...args) => (ms === 15000 ? (window.__timers.push(fn), -1) : realTimeout(fn, ms, ...args));
		window.__sends = 0;
		window.fetch = (input, opts) => {
			const url = new URL(typeof input === 'string' ? input : input.url, location.href);
			if (!url.pathname.endsWith('/items') || opts?.method !== 'POST') return realFetch(input, opts);
			if (++window.__sends > 2) return realFetch(input, opts);
			return new Promise((_, reject) => opts.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
		};
		return true;
	})()`)
	// Every time the app takes the server for unreachable (the header and
	// the "Offline" line listen to the same), kept with why.
	eval[bool](b, `(import('/js/api.js').then(({ onReachable, unreachableWhy }) => {
		window.__down = [];
		onReachable((up) => { if (!up) window.__down.push(unreachableWhy()); });
	}), true)`)
	b.waitJS("listening", `Array.isArray(window.__down)`, 5*time.Second)
	eval[bool](b, `(import('/js/outbox.js').then(({ enqueue }) => enqueue({ kind: 'item.add', method: 'POST',
		path: '/api/shopping/lists/`+listID+`/items', body: { id: crypto.randomUUID(), name: 'bananas' },
		record: 'bananas', list: '`+listID+`', base: null, label: 'bananas' })), true)`)
	b.waitJS("the write on its way with a timer", `window.__sends === 1 && window.__timers.length === 1`, 5*time.Second)
	eval[bool](b, `(window.__timers.shift()(), true)`)
	b.waitJS("the write sent again after its timeout", `window.__sends === 2 && window.__timers.length === 1`, 10*time.Second)
	const said = `(() => { const l = document.getElementById('offline-line'); return l.hidden ? '' : l.textContent; })() + (document.getElementById('conn').dataset.server ?? '') + window.__down.join(' ')`
	if got := eval[string](b, said); got != "" {
		t.Errorf("after the write's timeout the app says %q, as if the server could not be reached", got)
	}
	eval[bool](b, `(window.__timers.shift()(), true)`)
	b.waitJS("the write sent", `window.__sends === 3 && window.familyhub.outbox.count() === 0`, 10*time.Second)
	if n := countItems(t, ana, m, listID, "bananas"); n != 1 {
		t.Errorf("%d bananas on the list, want 1", n)
	}
	if got := eval[string](b, said); got != "" {
		t.Errorf("after the write was sent the app says %q", got)
	}
}
