package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// holdWebSocket keeps the page's WebSockets connecting, as a slow network
// or a busy server does, until window.__releaseWS() is called: the socket
// opens on the server, but the page sees CONNECTING and gets neither its
// open event nor its messages until then (in order, afterwards).
// window.__heldSockets counts the sockets held, window.__wsMessages holds
// every message received. It applies to the one page
// load after sessionStorage.holdWS is set.
const holdWebSocket = `(() => {
  if (!sessionStorage.getItem('holdWS')) return;
  sessionStorage.removeItem('holdWS');
  const Real = WebSocket;
  const readyState = Object.getOwnPropertyDescriptor(Real.prototype, 'readyState').get;
  let held = true;
  const waiting = [];
  window.__heldSockets = 0;
  window.__wsMessages = [];
  window.__releaseWS = () => { held = false; for (const run of waiting.splice(0)) run(); };
  window.WebSocket = class extends Real {
    constructor(...args) {
      super(...args);
      if (held) window.__heldSockets++;
      for (const name of ['onopen', 'onmessage']) {
        let handler = null;
        Object.defineProperty(this, name, { get: () => handler, set: (h) => { handler = h; } });
        this.addEventListener(name.slice(2), (e) => {
          if (e.data) window.__wsMessages.push(e.data);
          const run = () => handler?.call(this, e);
          if (held) waiting.push(run); else run();
        });
      }
      Object.defineProperty(this, 'readyState', { get: () => (held ? Real.CONNECTING : readyState.call(this)) });
    }
  };
})();`

// TestBrowserTopicsWhileConnecting: a page opened while the socket is
// still connecting (a reload on the Family page, then the shopping list
// tapped before the connection is up) gets the list's changes live. The
// socket's URL named the Family page's topic; the list's topic could not
// be sent before the socket opened, and was lost: B stayed "live" and
// showed nothing of the shopping until it reconnected (seen as
// TestBrowserTwoDevices/assistant failing under stress-ng).
func TestBrowserTopicsWhileConnecting(t *testing.T) {
	skipInShortMode(t, "a browser")
	c, ana, _, listID, _, b := twoDevices(t)
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: holdWebSocket}); err != nil {
		t.Fatal(err)
	}
	b.goTo("/family", `document.querySelector('#main h2#h-members')`)
	b.waitLive()
	eval[bool](b, `(sessionStorage.setItem('holdWS', '1'), true)`)
	b.do(chromedp.Reload())
	b.waitJS("the Family page, connecting", `document.querySelector('#main h2#h-members') && window.__heldSockets === 1
		&& document.getElementById('conn').dataset.state !== 'live'`, 10*time.Second)
	b.goTo("/shopping/"+listID, `document.querySelector('li.item')`)
	eval[bool](b, `(window.__releaseWS(), true)`)
	b.waitLive()

	// The item must come as an event on the socket: a re-read the page
	// makes as it goes live could show it too.
	item := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "apricots"})
	took := b.waitJS("apricots' event on B's socket", fmt.Sprintf(`window.__wsMessages.some((m) => m.includes(%q))`, item["id"]), 10*time.Second)
	b.waitJS("apricots on B", `document.querySelector('li.item[data-name="apricots"]')`, 5*time.Second)
	t.Logf("an item added on A reaches B's socket after %s", took.Round(time.Millisecond))
}
