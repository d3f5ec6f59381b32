package main

import (
	"testing"
	"time"
)

// TestBrowserOutboxNoticeSlowNotOffline: a conflict's notice reads who
// changed the record from the event log; when that read gets no answer
// within its 15 s, the notice is shown with "Someone", and a slow server
// is not an outage: the header and the "Offline" line keep what the rest
// of the app knows. The test holds the read in fetch (it fails only when
// its signal aborts, as a real fetch does) and fires the 15 s timers
// itself. Before, the read's timeout said "Offline" under the header.
func TestBrowserOutboxNoticeSlowNotOffline(t *testing.T) {
	browserTest(t)
	m, _, listID := anaWithWalks(t)
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()
	// milk, then renamed by "another device" (through the API): the
	// device's change is made against the first version, a conflict.
	evalAwait[bool](b, `import('/js/api.js').then(async ({ request }) => {
		const id = crypto.randomUUID();
		const { data } = await request('POST', '/api/shopping/lists/`+listID+`/items', { id, name: 'milk' });
		window.__milk = data;
		await request('PATCH', '/api/shopping/items/' + id, { name: 'oat milk' }, { ifMatch: data.version });
		return true;
	})`)
	eval[bool](b, `(() => {
		const realTimeout = window.setTimeout, realFetch = window.fetch;
		window.__timers = [];
		window.setTimeout = (fn, ms, ...args) => (ms === 15000 ? (window.__timers.push(fn), -1) : realTimeout(fn, ms, ...args));
		window.__held = 0;
		window.fetch = (input, opts) => {
			const url = new URL(typeof input === 'string' ? input : input.url, location.href);
			if (url.pathname !== '/api/realtime/events' || url.searchParams.has('timeout')) return realFetch(input, opts);
			window.__held++;
			return new Promise((_, reject) => opts.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
		};
		return true;
	})()`)
	eval[bool](b, `(import('/js/api.js').then(({ onReachable, unreachableWhy }) => {
		window.__down = [];
		onReachable((up) => { if (!up) window.__down.push(unreachableWhy()); });
	}), true)`)
	b.waitJS("listening", `Array.isArray(window.__down)`, 5*time.Second)
	eval[bool](b, `(import('/js/outbox.js').then(({ enqueue }) => enqueue({ kind: 'item.patch', method: 'PATCH',
		path: '/api/shopping/items/' + window.__milk.id, body: { name: 'soy milk' }, record: window.__milk.id,
		list: '`+listID+`', base: window.__milk, label: 'milk', seq: 0 })), true)`)
	b.waitJS("who changed it read, held", `window.__held === 1`, 10*time.Second)
	eval[bool](b, `(window.__timers.splice(0).forEach((fn) => fn()), true)`)
	b.waitJS("the conflict shown", `!!document.querySelector('#notices li.conflict[data-kind=stale]')`, 10*time.Second)
	const said = `(() => { const l = document.getElementById('offline-line'); return l.hidden ? '' : l.textContent; })() + (document.getElementById('conn').dataset.server ?? '') + window.__down.join(' ')`
	if got := eval[string](b, said); got != "" {
		t.Errorf("after the read of who changed it timed out the app says %q, as if the server could not be reached", got)
	}
}
