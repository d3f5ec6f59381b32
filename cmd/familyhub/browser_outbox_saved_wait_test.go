package main

import (
	"encoding/json"
	"fmt"
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
	browserTest(t)
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

// TestBrowserOutboxSavedAnswerKeptPages: the shopping list and the tasks
// page, shown offline from a copy kept before the device's own writes were
// answered, wait after a reload until the saved answers are read from
// storage (outbox.started) and lay them over it, as the calendar does
// (TestBrowserOutboxSavedAnswerKept). The answers' store is held until the
// page has read its copy: the page must not show the copy without them
// (milk unticked, the task open) then or after. Without the wait it did.
func TestBrowserOutboxSavedAnswerKeptPages(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	milk := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	task := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Water the plants",
		"due_at": time.Now().UTC().Format(time.RFC3339)}) // today's: a done task stays on the page
	taskID := task["id"].(string)

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	row := `document.querySelector('li.item[data-name="milk"]')`
	taskRow := `document.querySelector('li.task[data-id=` + js(taskID) + `]')`
	a.goTo("/shopping/"+listID, row+` && navigator.serviceWorker.controller`)
	a.goTo("/tasks", taskRow)
	warmedUp(a) // the warm-up reads nothing more
	// No later read of the list (a warm-up after a reconnect) keeps a copy with the tick.
	holdReads(t, a, "*/api/shopping/lists/"+listID)

	// From the calendar (neither page open to patch its copy): the tick and the completion.
	a.goTo("/calendar", `!!document.querySelector('.agenda, .cal-body')`)
	for _, op := range []map[string]any{
		{"kind": "item.patch", "method": "PATCH", "path": "/api/shopping/items/" + milk["id"].(string),
			"body": map[string]any{"checked": true}, "record": milk["id"], "list": listID, "base": milk, "label": "milk"},
		{"kind": "task.complete", "method": "POST", "path": "/api/tasks/" + taskID + "/complete",
			"record": taskID, "base": task, "label": "Water the plants"},
	} {
		b, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		evalAwait[bool](a, fmt.Sprintf(`import('/js/outbox.js').then(({ enqueue }) => enqueue(%s)).then(() => true)`, b))
	}
	a.waitJS("both saved", `window.familyhub.outbox.count() === 0 && !document.querySelector('#notices li')`, 10*time.Second)
	if evalAwait[bool](a, `import('/js/cache.js').then(async (c) => (await c.kept('list:' + `+js(listID)+`)).items[0].checked || !!(await c.kept('tasks')).tasks.find((x) => x.id === `+js(taskID)+`).completed_at)`) {
		t.Fatal("the copies kept already show the tick or the completion: nothing to lay over")
	}

	a.goOffline()
	holdAnswersAfterReload(t, a)
	for _, p := range []struct{ path, key, row, done, what string }{
		{"/shopping/" + listID, "list:" + listID, row, row + `.classList.contains('checked')`, "milk ticked"},
		{"/tasks", "tasks", taskRow, taskRow + `.classList.contains('done')`, "the task done"},
	} {
		a.do(chromedp.Reload())
		a.waitJS("the calendar, offline", `location.pathname === '/calendar' && document.querySelector('#main .page-head h1')`, 10*time.Second)
		eval[bool](a, fmt.Sprintf(`(window.familyhub.go(%q), true)`, p.path))
		a.waitJS(p.path+" read its copy", `window.keptRead.includes(`+js(p.key)+`)`, 10*time.Second)
		if eval[bool](a, `!!(`+p.row+` && !(`+p.done+`))`) {
			t.Errorf("%s shows its copy without the saved answers (read from storage later): want %s", p.path, p.what)
		}
		eval[bool](a, `(window.letAnswersGo = true)`)
		a.waitJS(p.path+" shown", p.row, 10*time.Second)
		if !eval[bool](a, p.done) {
			t.Errorf("offline after a reload %s does not show Ana's saved answer: want %s", p.path, p.what)
		}
		a.goTo("/calendar", `location.pathname === '/calendar'`)
	}
}
