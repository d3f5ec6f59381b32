package main

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// holdAnswersAfterReload makes every page b loads from now on (until the
// test ends) hold the outbox's saved answers' store (a transaction of its
// own) until window.letAnswersGo is set, as a busy phone may; the page
// notes in window.keptRead each key of the device's copy it has read
// (the transaction done).
func holdAnswersAfterReload(t *testing.T, b *browser) {
	t.Helper()
	hold, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `(() => {
		window.keptRead = [];
		const get = IDBObjectStore.prototype.get;
		IDBObjectStore.prototype.get = function (key) {
			const req = get.apply(this, arguments);
			if (this.name === 'data' && typeof key === 'string') this.transaction.addEventListener('complete', () => window.keptRead.push(key));
			return req;
		};
		const open = indexedDB.open('familyhub');
		open.onsuccess = () => {
			const os = open.result.transaction('answers', 'readwrite').objectStore('answers');
			const spin = () => { if (!window.letAnswersGo) get.call(os, 'none').onsuccess = spin; };
			spin();
		};
	})()`})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		chromedp.Call(b.ctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: hold.Identifier})
	})
}

// TestBrowserCalendarOnlineNoSavedWait: online, the calendar shows the
// server's listing without waiting for the device's saved answers to be
// read from storage (they are laid over kept ranges only; a listing read
// from the server is newer than all of them). After a reload, with their
// store held, the week shows; before, the calendar waited for them before
// every listing, online too, and showed nothing until the store was free.
func TestBrowserCalendarOnlineNoSavedWait(t *testing.T) {
	skipInShortMode(t, "a browser")
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": "Dentist",
		"starts_at": day.Add(10 * time.Hour).Format(time.RFC3339), "ends_at": day.Add(11 * time.Hour).Format(time.RFC3339)})
	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	chip := `document.querySelector('.agenda li.event[data-title="Dentist"]')`
	a.goTo("/calendar", chip)

	holdAnswersAfterReload(t, a)
	a.do(chromedp.Reload())
	a.waitJS("the calendar online, the saved answers' store held", chip, 10*time.Second)
	eval[bool](a, `(window.letAnswersGo = true)`)
	evalAwait[bool](a, `import('/js/outbox.js').then((m) => m.started()).then(() => true)`)
	if !eval[bool](a, chip+` !== null`) {
		t.Errorf("once the saved answers were read the calendar lost the event: %s", pageState(a))
	}
}
