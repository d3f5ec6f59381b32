package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// sseList signs Ana in on a device whose page has no WebSocket (so it
// streams over Server-Sent Events) and runs script, an EventSource of the
// test's that counts its streams in window.__streams, and opens one of
// her shopping lists there.
func sseList(t *testing.T, name, script string) (*Main, member, string, *browser) {
	t.Helper()
	m, ana, listID := anaWithWalks(t)
	b := newDevice(t, name, phoneW, phoneH, browserOpts{lang: "en-GB", script: noWebSocket + script})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+listID, `document.querySelector('.add-item input')`)
	b.waitJS("a stream opened", `window.__streams > 0`, 10*time.Second)
	return m, ana, listID, b
}

// liveOverSSE waits until the page is live and checks it is over SSE.
func liveOverSSE(t *testing.T, b *browser) {
	t.Helper()
	b.waitLive()
	if tr := eval[string](b, `document.getElementById('conn').dataset.transport`); tr != "sse" {
		t.Fatalf("transport = %q, want sse", tr)
	}
}

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
	m, ana, listID, b := sseList(t, "sse-silent", `
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
		};`)
	liveOverSSE(t, b)
	// 62500: 2.5 times the 25 s ping interval. An item heard arms the
	// stream's silence timer (the stream's opening ping said the server
	// pings), kept for the test to fire.
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

// TestBrowserSSESilentFromStart: the first stream of a page, held silent
// from its start, is given up when its silence timer fires (the test
// keeps the timers of 2.5 ping intervals from the page's first script on
// and fires them), and the page shows an item added meanwhile. "after the
// opening ping": the stream brings its opening ping event and nothing
// more (no hello, a hop that stopped forwarding): the ping must come
// first, and arms the timer; the hold ends and the client streams again.
// "from the first byte": every stream brings nothing at all, not even the
// ping (a proxy that buffers event streams): the timer runs from the
// stream's start, and a stream that brought no event did not open, so the
// client falls back to long polling, which the proxy passes. Before, the
// first ping came an interval after the stream opened and the client
// timed no stream before a ping event was heard: the page stayed deaf;
// and then, the headers said opened, and the client opened another held
// stream after each silence, never live.
func TestBrowserSSESilentFromStart(t *testing.T) {
	browserTest(t)
	for _, tc := range []struct {
		name   string
		passed int    // the ping events a held stream lets through
		want   string // the transport the page is live on after
	}{{"after the opening ping", 1, "sse"}, {"from the first byte", 0, "poll"}} {
		t.Run(tc.name, func(t *testing.T) {
			passed := strconv.Itoa(tc.passed)
			m, ana, listID, b := sseList(t, "sse-held", `
				// The streams opened while window.__hold (sessionStorage "hold"
				// says it for a new page) let through their first `+passed+` ping
				// events and nothing else.
				const realTimeout = window.setTimeout;
				window.__timers = [];
				window.setTimeout = (fn, ms, ...args) => (ms === 62500 ? (window.__timers.push(fn), -1) : realTimeout(fn, ms, ...args));
				window.__hold = sessionStorage.getItem('hold') === '1';
				const RealES = window.EventSource;
				window.__streams = 0;
				window.EventSource = class extends RealES {
					constructor(url, opts) { super(url, opts); ++window.__streams; this.held = window.__hold; this.pings = 0; window.__es = this; }
					hold(type, fn) {
						return fn && ((e) => {
							if (this.held && (type !== 'ping' || this.pings >= `+passed+`)) return;
							this.pings += type === 'ping' ? 1 : 0;
							fn.call(this, e);
						});
					}
					addEventListener(type, fn, opts) { super.addEventListener(type, this.hold(type, fn), opts); }
					get onmessage() { return super.onmessage; }
					set onmessage(fn) { super.onmessage = this.hold('message', fn); }
				};`)
			// A new page whose streams are held from the start.
			eval[bool](b, `(sessionStorage.setItem('hold', '1'), true)`)
			b.do(chromedp.Navigate(m.URL() + "/shopping/" + listID))
			b.waitJS("the list shown", `document.querySelector('.add-item input') && window.__es?.held`, 10*time.Second)
			b.waitJS("the held stream's pings", `window.__es.pings >= `+passed, 10*time.Second)
			restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "cherries"})
			if n := eval[int](b, `window.__timers.length`); n == 0 {
				t.Fatal("no silence timer armed on the held stream")
			}
			if tc.want == "sse" {
				eval[bool](b, `(sessionStorage.removeItem('hold'), window.__hold = false, true)`)
			}
			fireTimers(b)
			b.waitJS("cherries shown after the held stream was given up", `document.querySelector('li.item[data-name="cherries"]')`, 10*time.Second)
			b.waitLive()
			if tr := eval[string](b, `document.getElementById('conn').dataset.transport`); tr != tc.want {
				t.Errorf("live over %q, want %q", tr, tc.want)
			}
			if n := eval[int](b, `window.__streams`); tc.want == "sse" && n < 2 {
				t.Errorf("%d streams opened, want a second one", n)
			}
		})
	}
}

// TestBrowserSSEOldReplicaKept: a stream from a replica that pings with a
// comment (a version before the ping event, in a rolling upgrade) hears no
// ping event, before its hello or after: no silence timer runs on it, and
// an idle one is not dropped every 62.5 s. Before, every such stream was
// given up after 2.5 ping intervals without an item, and connected again,
// over and over.
func TestBrowserSSEOldReplicaKept(t *testing.T) {
	browserTest(t)
	m, ana, listID, b := sseList(t, "sse-old", `
		// An old replica: its pings are comments, which the page never sees.
		const RealES = window.EventSource;
		window.__streams = 0;
		window.EventSource = class extends RealES {
			constructor(url, opts) { super(url, opts); ++window.__streams; }
			addEventListener(type, fn, opts) { if (type !== 'ping') super.addEventListener(type, fn, opts); }
		};`)
	liveOverSSE(t, b)
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
