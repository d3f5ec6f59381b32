package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserKeptSeqForgotten: the place in the event log kept with the
// device's copy is used once, by the realtime client of the session opened
// from that copy. Ana's phone opens offline from its copy (it resumes from
// the copy's seq), the connection comes back, she signs out and Cleo, of
// another family, signs in on the phone: Cleo's socket starts afresh.
// Before, the kept seq and mark stayed on the app and Cleo's socket asked
// for Ana's family's since and since_id.
func TestBrowserKeptSeqForgotten(t *testing.T) {
	browserTest(t)
	m, _, ana, listID, b := resyncDevice(t)
	signupAt(t, m.URL(), `{"email":"cleo@example.org","password":"correct horse","display_name":"Cleo","family_name":"Okafor"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "apricots"})
	b.waitJS("apricots heard, the shell kept", `!!document.querySelector('li.item[data-name="apricots"]') && !!navigator.serviceWorker.controller`, 10*time.Second)
	// Stored (the device saves its place a moment after an event), where the app opened offline reads it.
	b.waitJS("the copy's place stored", `import('/js/idb.js').then((i) => i.get('data', 'meta')).then((m) => { window.__kept = m?.seq; })
		&& window.__kept === window.familyhub.rt.lastSeq`, 10*time.Second)

	b.goOffline()
	b.do(chromedp.Reload())
	b.waitJS("opened from the copy", `window.familyhub?.fromCache === true && !!window.familyhub.rt && !!document.querySelector('li.item[data-name="apricots"]')`, 10*time.Second)
	kept := eval[int64](b, `window.familyhub.rt.lastSeq`)
	b.setOffline(false)
	b.waitLive()
	if url := eval[string](b, `window.__sockets.at(-1).url`); !strings.Contains(url, fmt.Sprintf("since=%d&", kept)) {
		t.Fatalf("opened from the copy, the socket %s does not resume from the copy's seq %d", url, kept)
	}

	b.markPage()
	evalAwait[bool](b, `window.familyhub.signOut().then(() => true)`)
	n := eval[int](b, `window.__sockets.length`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "cleo@example.org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitJS("Cleo signed in", `window.familyhub.me?.family.name === 'Okafor' && window.__notReloaded`, 10*time.Second)
	b.waitLive()
	b.waitJS("Cleo's socket", fmt.Sprintf(`window.__sockets.length > %d`, n), 5*time.Second)
	if url := eval[string](b, `window.__sockets.at(-1).url`); strings.Contains(url, "since") {
		t.Errorf("Cleo's socket %s resumes from Ana's copy (seq %d), want a fresh start", url, kept)
	}
}
