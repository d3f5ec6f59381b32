package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOfflineNewerDatabase: a newer version of the app (another
// tab, here another connection of the same origin) upgrades the device's
// IndexedDB while this tab has it open. This tab lets it (it closes its
// connection) and goes on keeping its writes in IndexedDB, the newer
// version's: Ana's offline write made after the upgrade is still waiting
// after a reload, not kept in this tab's memory alone and lost with it.
func TestBrowserOfflineNewerDatabase(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	a.goTo("/shopping/"+listID, `!!document.querySelector('#item-name') && navigator.serviceWorker.controller`)

	// The newer version opens the database one version up (its stores are the same and more).
	got := evalAwait[string](a, `import('/js/idb.js').then((m) => m.get('data', 'me')).then(() => new Promise((resolve) => {
		const q = indexedDB.open('familyhub', 99);
		q.onsuccess = () => { const v = q.result.version; q.result.close(); resolve('opened ' + v); };
		q.onerror = () => resolve('error ' + q.error);
		q.onblocked = () => resolve('blocked');
	}))`)
	if got != "opened 99" {
		t.Fatalf("the newer version's open: %s, want it opened (this tab lets it)", got)
	}

	a.goOffline()
	b, err := json.Marshal(map[string]any{"kind": "item.add", "method": "POST", "path": "/api/shopping/lists/" + listID + "/items",
		"body": map[string]any{"id": "2f6b0c1e-7a3d-4e59-9b1c-3d4e5f6a7b80", "name": "jam"}, "record": "2f6b0c1e-7a3d-4e59-9b1c-3d4e5f6a7b80",
		"list": listID, "base": nil, "label": "jam"})
	if err != nil {
		t.Fatal(err)
	}
	evalAwait[bool](a, fmt.Sprintf(`import('/js/outbox.js').then(({ enqueue }) => enqueue(%s)).then(() => true)`, b))
	a.waitJS("jam waiting", `window.familyhub.outbox.count() === 1`, 10*time.Second)

	a.do(chromedp.Reload())
	a.waitJS("the page after the reload", `!!window.familyhub?.outbox`, 10*time.Second)
	waitUntil(t, "jam still waiting after the reload", 10*time.Second, func() bool {
		return eval[int](a, `window.familyhub.outbox.count()`) == 1
	})
}
