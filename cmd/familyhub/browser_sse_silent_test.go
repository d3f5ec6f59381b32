package main

import (
	"testing"
	"time"
)

// TestBrowserSSESilentReconnects: over Server-Sent Events (no WebSocket),
// a stream that stays open but brings nothing more (the test's
// EventSource drops what the streams open so far receive, as a proxy that
// holds the stream and forwards nothing, or a half-dead connection; the
// test fires the stream's silence timer, 2.5 ping intervals) is closed,
// the client connects again and hears what was added meanwhile. Before,
// the stream said live forever and nothing more was heard: the server's
// ping was a comment, which EventSource never shows to the page.
func TestBrowserSSESilentReconnects(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	b := newDevice(t, "sse-silent", phoneW, phoneH, browserOpts{lang: "en-GB", script: `
		window.WebSocket = class { constructor() { this.readyState = 0; setTimeout(() => { this.onerror && this.onerror(new Event('error')); this.onclose && this.onclose({ code: 1006, reason: '' }); }, 0); } send() {} close() {} };
		window.WebSocket.OPEN = 1;
		// window.__silenced: the streams opened up to this count hear nothing more.
		const RealES = window.EventSource;
		window.__streams = 0;
		window.__silenced = 0;
		window.EventSource = class extends RealES {
			constructor(url, opts) { super(url, opts); this.n = ++window.__streams; }
			hold(fn) { return fn && ((e) => { if (this.n > window.__silenced) fn.call(this, e); }); }
			addEventListener(type, fn, opts) { super.addEventListener(type, this.hold(fn), opts); }
			get onmessage() { return super.onmessage; }
			set onmessage(fn) { super.onmessage = this.hold(fn); }
		};`})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+listID, `document.querySelector('.add-item input')`)
	if tr := eval[string](b, `document.getElementById('conn').dataset.transport`); tr != "sse" {
		t.Fatalf("transport = %q, want sse", tr)
	}
	// 62500: 2.5 times the 25 s ping interval. An item heard arms the
	// stream's silence timer, kept for the test to fire.
	hangRequests(b, 62500, `false`)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "bananas"})
	b.waitJS("bananas heard", `document.querySelector('li.item[data-name="bananas"]')`, 10*time.Second)
	eval[bool](b, `(window.__silenced = window.__streams, true)`)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "cherries"})
	fireTimers(b)
	b.waitJS("cherries heard after the silent stream was given up", `document.querySelector('li.item[data-name="cherries"]')`, 10*time.Second)
	if n := eval[int](b, `window.__streams`); n < 2 {
		t.Errorf("%d streams opened, want a second one", n)
	}
	b.waitLive()
}
