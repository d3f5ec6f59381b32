package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// watchWebSockets wraps the page's WebSocket for the whole page load: a
// socket made while window.__holdNext is true opens on the server, but the
// page sees CONNECTING and gets neither its open event nor its messages
// until window.__releaseWS() (in order, afterwards), as on a slow network.
// It holds a reconnect of a page that is already running, or, when
// sessionStorage.holdWS was set before a page load, that load's first
// sockets. window.__sockets lists every socket, window.__held counts the
// held ones, window.__wsMessages holds every message received (also while
// held).
const watchWebSockets = `(() => {
  const Real = WebSocket;
  const readyState = Object.getOwnPropertyDescriptor(Real.prototype, 'readyState').get;
  const waiting = [];
  window.__sockets = [];
  window.__holdNext = !!sessionStorage.getItem('holdWS');
  sessionStorage.removeItem('holdWS');
  window.__held = 0;
  window.__wsMessages = [];
  window.__releaseWS = () => {
    window.__holdNext = false;
    for (const s of window.__sockets) s.__held = false;
    for (const run of waiting.splice(0)) run();
  };
  window.WebSocket = class extends Real {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
      this.__held = window.__holdNext;
      if (this.__held) window.__held++;
      this.__messages = [];
      for (const name of ['onopen', 'onmessage']) {
        let handler = null;
        Object.defineProperty(this, name, { get: () => handler, set: (h) => { handler = h; } });
        this.addEventListener(name.slice(2), (e) => {
          if (e.data) { window.__wsMessages.push(e.data); this.__messages.push(e.data); }
          const run = () => handler?.call(this, e);
          if (this.__held) waiting.push(run); else run();
        });
      }
      Object.defineProperty(this, 'readyState', { get: () => (this.__held ? Real.CONNECTING : readyState.call(this)) });
    }
  };
})();`

// TestBrowserTopicsWhileReconnecting: a page opened while the socket
// reconnects (the phone unlocked on the Family page, the list tapped before
// the connection is back) shows what changed on it meanwhile. The new
// socket's URL named the Family page's topic, so the server skipped the
// list's events until the socket opened and subscribed; a first connection
// re-reads the page on hello, but a reconnect resumes with since and
// re-reads nothing: B showed "live" without the item until something else
// made it re-read the list.
func TestBrowserTopicsWhileReconnecting(t *testing.T) {
	browserTest(t)
	c, ana, _, listID, _, b := twoDevices(t)
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchWebSockets}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Reload())
	b.waitJS("the wrapped socket", `window.__sockets?.length === 1`, 10*time.Second)
	b.waitLive()
	b.goTo("/family", `document.querySelector('#main h2#h-members')`)
	// A socket on B's replica that receives every shopping event: once it
	// has an event, the replica has handled it for B's socket too.
	witness := dialWS(t, c.b, ana, "topics=shopping")
	witness.nextType("hello", 5*time.Second)

	// B's socket goes; its reconnect opens on the server (hello sent) but
	// not yet in the page.
	eval[bool](b, `(window.__holdNext = true, window.__sockets.find((s) => s.readyState === WebSocket.OPEN).close(3000), true)`)
	b.waitJS("B reconnecting, the new socket open on the server", `window.__held === 1 && window.__sockets.at(-1).__messages.some((m) => m.includes('"hello"'))
		&& document.getElementById('conn').dataset.state !== 'live'`, 15*time.Second)
	if url := eval[string](b, `window.__sockets.at(-1).url`); !strings.Contains(url, "topics=family") || !strings.Contains(url, "since=") {
		t.Fatalf("the reconnect is not the case under test (a resume on the Family page's topic): %s", url)
	}
	b.goTo("/shopping/"+listID, `document.querySelector('li.item')`)
	item := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "apricots"})
	for deadline := time.Now().Add(5 * time.Second); ; {
		if m := witness.next(time.Until(deadline)); m["id"] == item["id"] {
			break
		}
	}
	eval[bool](b, `(window.__releaseWS(), true)`)
	b.waitLive()
	took := b.waitJS("apricots on B", `document.querySelector('li.item[data-name="apricots"]')`, 10*time.Second)
	t.Logf("an item added while B reconnected shows %s after the connection is live", took.Round(time.Millisecond))

	// And the list's events come on the socket from here on.
	item = restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "plums"})
	b.waitJS("plums' event on B's socket", fmt.Sprintf(`window.__wsMessages.some((m) => m.includes(%q))`, item["id"]), 10*time.Second)
	b.waitJS("plums on B", `document.querySelector('li.item[data-name="plums"]')`, 5*time.Second)
}
