package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserShoppingReinserted: the shopping list's side of the
// reinsert fix (TestBrowserCalendarReinserted, TestBrowserTaskReinserted).
// Ben's laptop ticks the milk (its answer kept). On her phone Ana tells the
// assistant "remove the milk": Ben's list hears the deletion and keeps it
// (over his answer), and the milk goes. She presses Undo: the milk is back
// with its id, Ben's list shows it again and his device no longer keeps the
// deletion. He unticks it: the answer shows on his list at once, with no
// read of the list (held here). Offline, he reloads the app: the list from
// the device shows the milk, unticked. Before, the page and the outbox kept
// the deletion over the Undo: the answer to his untick was not shown until
// an event made the page read the list again.
func TestBrowserShoppingReinserted(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	milk := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	id := milk["id"].(string)
	row := `document.querySelector('li.item[data-name="milk"]')`

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	b := newDevice(t, "Ben's laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	signInAll(t, func() { a.login(c.a.URL(), "ana@example.org") }, func() { b.login(c.b.URL(), "ben@example.org") })
	b.goTo("/shopping/"+listID, row+` && navigator.serviceWorker.controller`)
	eval[bool](b, `(() => { window.__heard = []; const rt = window.familyhub.rt, on = rt.onEvent;
		rt.onEvent = (e) => { window.__heard.push(e); on(e); }; return true; })()`)
	// tick enqueues Ben's tick (or untick) of the milk and waits until its answer is kept.
	tick := func(checked bool) {
		t.Helper()
		base, err := json.Marshal(restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any)[0])
		if err != nil {
			t.Fatal(err)
		}
		eval[bool](b, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
			const base = %s;
			return enqueue({ kind: 'item.patch', method: 'PATCH', path: '/api/shopping/items/' + base.id, body: { checked: %t }, record: base.id, list: base.list_id, base, label: base.name });
		}), true)`, base, checked))
		b.waitJS(fmt.Sprintf("the tick (%t) answered and kept", checked), `window.familyhub.outbox.count() === 0
			&& import('/js/outbox.js').then((o) => { window.__checked = o.savedAnswers().get(`+js(id)+`)?.record?.checked; }) && window.__checked === `+fmt.Sprint(checked), 10*time.Second)
	}
	tick(true)
	b.waitJS("the milk ticked on Ben's list", row+`?.classList.contains('checked')`, 10*time.Second)

	a.setValue(`#assistant-input`, "remove the milk")
	a.click(`.assistant-form button[type=submit]`)
	a.waitJS("the assistant's answer, with Undo", `!!document.querySelector('.assistant-reply button.undo')`, 10*time.Second)
	b.waitJS("the deletion heard", `window.__heard.some((e) => e.id === `+js(id)+` && e.op === 'delete')`, 10*time.Second)
	b.waitJS("the milk gone, the deletion kept", `!`+row+` && import('/js/outbox.js').then((o) => { window.__gone = o.savedAnswers().get(`+js(id)+`)?.record === null; }) && window.__gone === true`, 10*time.Second)

	a.click(`.assistant-reply button.undo`)
	b.waitJS("the milk heard back", `window.__heard.some((e) => e.id === `+js(id)+` && e.op !== 'delete' && e.seq > window.__heard.find((d) => d.id === `+js(id)+` && d.op === 'delete').seq)`, 10*time.Second)
	b.waitJS("the milk shown again", `!!`+row, 10*time.Second)
	b.waitJS("the deletion no longer kept", `import('/js/outbox.js').then((o) => { window.__kept = o.savedAnswers().get(`+js(id)+`)?.record === null; }) && window.__kept === false`, 10*time.Second)
	// In the device's storage too: the untick's answer below would replace it there anyway, so only now can it tell.
	b.waitJS("the deletion no longer stored", `import('/js/idb.js').then((i) => i.get('answers', `+js(id)+`)).then((s) => { window.__storedGone = s?.record === null; })
		&& window.__storedGone === false`, 5*time.Second)

	// From now on the page's reads of the list are never answered: only the answer to the write can show it.
	eval[bool](b, `(() => { const f = window.fetch;
		window.fetch = (path, opts) => (opts?.method ?? 'GET') === 'GET' && String(path).includes(`+js("/api/shopping/lists/"+listID)+`) ? new Promise(() => {}) : f(path, opts);
		return true; })()`)
	tick(false)
	b.waitJS("the untick's answer shown on Ben's list", row+` && !`+row+`.classList.contains('checked') && !`+row+`.querySelector('.sync-state')`, 5*time.Second)
	// The row alone cannot tell: it still shows the untick as it waited. The page took the answer when its copy
	// on the device has it (the page patches it as it shows it), before any read or event could bring it.
	b.waitJS("the untick's answer in the list's copy on the device", `import('/js/cache.js').then((c) => c.kept(`+js("list:"+listID)+`)).then((l) => {
		window.__keptChecked = l?.items.find((x) => x.id === `+js(id)+`)?.checked; }) && window.__keptChecked === false`, 5*time.Second)

	b.goOffline()
	b.do(chromedp.Reload())
	b.waitJS("the list offline, from the device", `location.pathname === `+js("/shopping/"+listID)+` && !!document.querySelector('li.item')`, 10*time.Second)
	if !eval[bool](b, `!!`+row+` && !`+row+`.classList.contains('checked')`) {
		t.Errorf("offline after a reload Ben's list shows %s, want the milk back, unticked", eval[string](b, `[...document.querySelectorAll('li.item')].map((e) => e.dataset.name + (e.classList.contains('checked') ? ' (ticked)' : '')).join() || 'nothing'`))
	}
}

// TestBrowserDeletionWithoutSeqShownAgain: a deletion the device keeps
// without the seq of its event (its own delete, answered before the event
// came, then a reload; or one kept by an older version of the app) cannot
// be judged by the events heard after it, so a read from the server that
// began after it and shows the record drops it, on every page, as the
// calendar's listings did: the shopping list and the tasks page too
// (outbox.shownAgain). And the device's own delete now keeps its event's
// seq once heard. Before, such a deletion stayed in the device's storage
// (one of its 200 answers, refusing the answers to writes made before it)
// until a calendar read.
func TestBrowserDeletionWithoutSeqShownAgain(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	milk := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})["id"].(string)
	bread := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "bread"})["id"].(string)
	bike := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Fix the bike"})["id"].(string)
	a := newDevice(t, "Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	a.goTo("/shopping/"+listID, `!!document.querySelector('li.item[data-name="bread"]')`)
	stored := func(id string) string {
		return `import('/js/idb.js').then((i) => i.get('answers', ` + js(id) + `)).then((s) => { window.__stored = { ...window.__stored, [` + js(id) + `]: JSON.stringify(s ?? null) }; })
			&& window.__stored?.[` + js(id) + `]`
	}

	// Her own delete of the bread: answered and stored first (its event is handed on only then, as after a
	// slow answer), its event after; the event's seq is stored with it.
	eval[bool](a, `(() => { window.__heard = []; const rt = window.familyhub.rt, on = rt.onEvent;
		rt.onEvent = (e) => {
			if (e.id !== `+js(bread)+` || e.op !== 'delete') { window.__heard.push(e); on(e); return; }
			const stored = () => import('/js/idb.js').then((i) => i.get('answers', e.id)).then((s) => s?.record === null && s.seq != null);
			const later = () => stored().then((yes) => { if (!yes) return new Promise((r) => setTimeout(r, 20)).then(later); window.__heard.push(e); on(e); });
			later();
		}; return true; })()`)
	a.click(`li.item[data-name="bread"] button.icon.danger`)
	a.waitJS("the bread's deletion heard, after it was stored", `window.familyhub.outbox.count() === 0 && window.__heard.some((e) => e.id === `+js(bread)+` && e.op === 'delete')`, 10*time.Second)
	ev := eval[float64](a, `window.__heard.find((e) => e.id === `+js(bread)+` && e.op === 'delete').seq`)
	a.waitJS("the deletion stored with its event's seq", `(`+stored(bread)+`) && JSON.parse(window.__stored[`+js(bread)+`])?.ev === `+fmt.Sprint(ev), 5*time.Second)

	// Deletions of the milk and of the bike kept without their events' seqs, the records back since (the assistant's Undo).
	evalAwait[bool](a, `import('/js/idb.js').then(async (i) => {
		const at = new Date(Date.now() - 60000).toISOString();
		await i.put('answers', { id: `+js(milk)+`, record: null, at, seq: 1 }); // numbered, no event's seq
		await i.put('answers', { id: `+js(bike)+`, record: null, at }); // as the first versions kept them: no number either
		return true; })`)
	a.do(chromedp.Reload())
	a.waitJS("the list read from the server shows the milk", `location.pathname === `+js("/shopping/"+listID)+` && !!document.querySelector('li.item[data-name="milk"]')`, 10*time.Second)
	a.waitJS("the milk's deletion dropped", `(`+stored(milk)+`) === 'null'`, 5*time.Second)
	a.goTo("/tasks", `!!document.querySelector('li.task[data-id=`+js(bike)+`]')`)
	a.waitJS("the bike's deletion dropped", `(`+stored(bike)+`) === 'null'`, 5*time.Second)
}
