package main

import (
	"testing"
	"time"
)

// ssePingEvent hands the open stream a ping event as the server sends one.
const ssePingEvent = `(window.__es.dispatchEvent(new MessageEvent('ping', { data: '{"type":"ping","interval_ms":25000}' })), true)`

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
	b := newDevice(t, "sse-silent", phoneW, phoneH, browserOpts{lang: "en-GB", script: noWebSocket + `
		// window.__silenced: the streams opened up to this count hear nothing more.
		const RealES = window.EventSource;
		window.__streams = 0;
		window.__silenced = 0;
		window.EventSource = class extends RealES {
			constructor(url, opts) { super(url, opts); this.n = ++window.__streams; window.__es = this; }
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
	// stream's silence timer, kept for the test to fire, once a ping event
	// was heard: the test's comes before the server's first.
	hangRequests(b, 62500, `false`)
	eval[bool](b, ssePingEvent)
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

// TestBrowserSSEOldReplicaKept: a stream from a replica that pings with a
// comment (a version before the ping event, in a rolling upgrade) hears no
// ping event: no silence timer runs on it, and an idle one is not dropped
// every 62.5 s. Before, every such stream was given up after 2.5 ping
// intervals without an item, and connected again, over and over.
func TestBrowserSSEOldReplicaKept(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	b := newDevice(t, "sse-old", phoneW, phoneH, browserOpts{lang: "en-GB", script: noWebSocket + `
		// An old replica: its pings are comments, which the page never sees.
		const RealES = window.EventSource;
		window.__streams = 0;
		window.EventSource = class extends RealES {
			constructor(url, opts) { super(url, opts); ++window.__streams; }
			addEventListener(type, fn, opts) { if (type !== 'ping') super.addEventListener(type, fn, opts); }
		};`})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+listID, `document.querySelector('.add-item input')`)
	if tr := eval[string](b, `document.getElementById('conn').dataset.transport`); tr != "sse" {
		t.Fatalf("transport = %q, want sse", tr)
	}
	hangRequests(b, 62500, `false`)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "bananas"})
	b.waitJS("bananas heard", `document.querySelector('li.item[data-name="bananas"]')`, 10*time.Second)
	streams := eval[int](b, `window.__streams`)
	if n := eval[int](b, `window.__timers.length`); n != 0 {
		t.Errorf("%d silence timers armed on a stream that never heard a ping event, want none", n)
	}
	fireTimers(b)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "cherries"})
	b.waitJS("cherries heard", `document.querySelector('li.item[data-name="cherries"]')`, 10*time.Second)
	if n := eval[int](b, `window.__streams`); n != streams {
		t.Errorf("%d streams opened, want the %d open kept", n, streams)
	}
}
