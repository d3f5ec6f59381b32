package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserOutboxAnswerSignedOut: the answer to the last person's write
// that comes as they sign out is not kept for the next one
// (outbox-answers.js: the answers dropped while it was counted, order.js).
//
// Ana renames the dentist (weekly) on the laptop; the answer comes while the
// device's storage is busy (another connection holds the store the
// device's order is counted in), and she signs out before it is counted.
// Then Eve, of another family, signs in on the same page. Before, the
// answer was kept after the sign-out had dropped the answers (it waited
// for its number): the tab held Ana's event, as the answer to a write of
// Eve's device, for every page that lays answers over what it shows.
func TestBrowserOutboxAnswerSignedOut(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	eve := signupAt(t, m.URL(), `{"email":"eve@example.org","password":"correct horse","display_name":"Eve","family_name":"Stone"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // the sign-in opens it
	restAs(t, eve, m, "POST", "/api/shopping/lists", map[string]any{"name": "Eve's"})
	day := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
	ev := restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Dentist", "starts_at": day + "T10:00:00Z", "ends_at": day + "T11:00:00Z", "rrule": "FREQ=WEEKLY"})
	id := ev["id"].(string)
	base, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}

	a := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(m.URL(), "ana@example.org")
	a.dataSaver(true)
	a.goTo("/calendar", `!!document.querySelector('.week-grid li.event[data-title="Dentist"]')`)

	// The data store held by another connection (spinning requests keep its transaction open).
	eval[bool](a, `(() => { window.__release = false; const o = indexedDB.open('familyhub'); o.onsuccess = () => {
		const s = o.result.transaction('data', 'readwrite').objectStore('data');
		const spin = () => { if (window.__release) { window.__held = false; return; } s.get('spin').onsuccess = spin; };
		window.__held = true; spin(); }; return true; })()`)
	a.waitJS("the data store held", `window.__held === true`, 5*time.Second)
	eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
		const base = %s;
		return enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { title: 'Orthodontist' }, record: base.id, base, label: base.title });
	}).then(({ result }) => result).then(() => { window.__settled = true; }), true)`, base))
	// The answer came (the write left the queue); its number waits for the store.
	a.waitJS("the rename answered", `performance.getEntriesByType('resource').some((e) => e.name.endsWith('/api/calendar/events/`+id+`'))
		&& (indexedDB.open('familyhub').onsuccess = (e) => { const g = e.target.result.transaction('queue').objectStore('queue').count();
			g.onsuccess = () => { window.__queued = g.result; e.target.result.close(); }; }, window.__queued === 0)`, 10*time.Second)

	// Ana signs out; the answers are dropped (the outbox tells its tabs), then the store is let go.
	eval[bool](a, `(() => { const c = new BroadcastChannel('familyhub-outbox');
		c.onmessage = ({ data }) => { if (data?.cleared) { window.__release = true; c.close(); } };
		window.familyhub.signOut(); return true; })()`)
	a.waitJS("Ana signed out", `location.pathname === '/login' && !!document.querySelector('input[name=email]') && window.__held === false`, 10*time.Second)
	a.waitJS("the rename's answer over", `window.__settled === true`, 10*time.Second)

	// Eve signs in on the same page (no reload: what the tab holds stays).
	a.do(chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "eve@example.org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	a.waitJS("Eve's shopping page", `location.pathname.startsWith('/shopping/') && !!document.querySelector('.add-item input')`, 10*time.Second)
	a.waitLive()
	if got := evalAwait[bool](a, `import('/js/outbox.js').then((o) => o.savedAnswers().has(`+js(id)+`))`); got {
		t.Errorf("with Eve signed in, the tab holds the answer to Ana's rename")
	}
	a.goTo("/calendar", `!!document.querySelector('.week-grid') && !document.querySelector('.cal-body .loading')`)
	if got := eval[string](a, `[...document.querySelectorAll('.week-grid li.event')].map((e) => e.dataset.title).join()`); got != "" {
		t.Errorf("Eve's calendar shows %q, Ana's family's event", got)
	}
}
