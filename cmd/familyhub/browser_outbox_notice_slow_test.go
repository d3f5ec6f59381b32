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
	b, _, _, listID := anaOnFamily(t, "phone", phoneW, phoneH, "", "")
	// milk, then renamed by "another device" (through the API): the
	// device's change is made against the first version, a conflict.
	evalAwait[bool](b, `import('/js/api.js').then(async ({ request }) => {
		const id = crypto.randomUUID();
		const { data } = await request('POST', '/api/shopping/lists/`+listID+`/items', { id, name: 'milk' });
		window.__milk = data;
		await request('PATCH', '/api/shopping/items/' + id, { name: 'oat milk' }, { ifMatch: data.version });
		return true;
	})`)
	hangRequests(b, 15000, `url.pathname === '/api/realtime/events' && !url.searchParams.has('timeout')`)
	eval[bool](b, `(import('/js/outbox.js').then(({ enqueue }) => enqueue({ kind: 'item.patch', method: 'PATCH',
		path: '/api/shopping/items/' + window.__milk.id, body: { name: 'soy milk' }, record: window.__milk.id,
		list: '`+listID+`', base: window.__milk, label: 'milk', seq: 0 })), true)`)
	b.waitJS("who changed it read, held", `window.__held === 1`, 10*time.Second)
	fireTimers(b)
	b.waitJS("the conflict shown", `!!document.querySelector('#notices li.conflict[data-kind=stale]')`, 10*time.Second)
	if got := eval[string](b, unreachableSaid); got != "" {
		t.Errorf("after the read of who changed it timed out the app says %q, as if the server could not be reached", got)
	}
}
