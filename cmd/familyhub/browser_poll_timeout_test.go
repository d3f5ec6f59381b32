package main

import (
	"testing"
	"time"
)

// TestBrowserPollHungReconnects: over long polling (no WebSocket, no
// EventSource), a poll that never gets an answer (the test's fetch holds
// it until its signal aborts, as a connection gone dead would; the test
// fires the poll's 40 s timer) ends, the client connects again and hears
// what was added meanwhile. Before, the poll waited forever: the header
// said live and nothing more was heard.
func TestBrowserPollHungReconnects(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	b := newDevice(t, "poll", phoneW, phoneH, browserOpts{lang: "en-GB", script: `
		window.WebSocket = class { constructor() { this.readyState = 0; setTimeout(() => { this.onerror && this.onerror(new Event('error')); this.onclose && this.onclose({ code: 1006, reason: '' }); }, 0); } send() {} close() {} };
		window.WebSocket.OPEN = 1;
		window.EventSource = undefined;`})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+listID, `document.querySelector('.add-item input')`)
	if tr := eval[string](b, `document.getElementById('conn').dataset.transport`); tr != "poll" {
		t.Fatalf("transport = %q, want poll", tr)
	}
	hangRequests(b, 40000, `url.pathname === '/api/realtime/poll' && !window.__free`)
	// The poll on its way went out before the hold: an item ends it, and
	// the next one is held.
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "bananas"})
	b.waitJS("bananas heard, the next poll held", `document.querySelector('li.item[data-name="bananas"]') && window.__held >= 1`, 10*time.Second)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "cherries"})
	eval[bool](b, `(window.__free = true, true)`)
	fireTimers(b)
	b.waitJS("cherries heard after the held poll timed out", `document.querySelector('li.item[data-name="cherries"]')`, 10*time.Second)
	b.waitLive()
}
