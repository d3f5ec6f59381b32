package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOfflineKeptAnswers: the shopping list and the tasks page lay
// the device's saved answers over their kept copies, as the calendar does.
// Ana's phone keeps the list and the tasks; then, from the calendar (so
// neither page is open to patch its copy), her outbox adds jam, which Ben
// deletes, and the list is read again (kept without jam). Then, again from
// the calendar, it ticks milk, deletes eggs, adds honey, completes
// "Water the plants" and deletes the daily chore "Take out the bins". Offline, after a reload, the list shows milk ticked,
// no eggs, honey and no jam (an answer older than the copy kept is not laid
// over it), and the tasks page shows the task done and neither the chore
// nor its open occurrence of today.
func TestBrowserOfflineKeptAnswers(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	listID := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	items := map[string]map[string]any{}
	for _, name := range []string{"milk", "eggs", "bread"} {
		items[name] = restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": name})
	}
	task := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Water the plants",
		"due_at": time.Now().UTC().Format(time.RFC3339)}) // today's: a done task stays on the page
	taskID := task["id"].(string)
	// A daily chore: its series (template) and today's open occurrence.
	tpl := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Take out the bins", "recurrence": "FREQ=DAILY"})
	tplID := tpl["id"].(string)

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	taskRow := `document.querySelector('li.task[data-id=` + js(taskID) + `]')`
	a.goTo("/shopping/"+listID, row("milk")+` && `+row("eggs")+` && navigator.serviceWorker.controller`)
	a.goTo("/tasks", taskRow)
	occs := `import('/js/cache.js').then((c) => c.kept('tasks')).then((k) => (k?.tasks ?? []).filter((x) => x.template_id === ` + js(tplID) + ` && !x.completed_at).map((x) => x.id).join())`
	waitUntil(t, "the chore's occurrence kept", 10*time.Second, func() bool { return evalAwait[string](a, occs) != "" })
	occIDs := strings.Split(evalAwait[string](a, occs), ",")
	if len(occIDs) != 1 { // today's, named once (TestBrowserOfflineTasksKeptOnce)
		t.Errorf("the tasks kept name the chore's open occurrences %v, want today's once", occIDs)
	}

	// enqueue puts a write in the outbox from the page open (not the one it changes).
	enqueue := func(op map[string]any) {
		t.Helper()
		b, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		// Resolved once the write is in the queue (sent() then waits for it).
		evalAwait[bool](a, fmt.Sprintf(`import('/js/outbox.js').then(({ enqueue }) => enqueue(%s)).then(() => true)`, b))
	}
	item := func(name string) map[string]any { return items[name] }
	sent := func(what string) {
		t.Helper()
		a.waitJS(what, `window.familyhub.outbox.count() === 0 && !document.querySelector('#notices li')`, 10*time.Second)
	}

	// The device's warm-up (begun at the login) is over: it reads nothing more.
	warmedUp(a)

	// Jam: added by Ana's outbox, deleted by Ben, then the list read again.
	a.goTo("/calendar", `!!document.querySelector('.agenda, .cal-body')`)
	jam := "0b4a6f4e-8d7a-4c55-9d61-6f0c5d1f7a10"
	enqueue(map[string]any{"kind": "item.add", "method": "POST", "path": "/api/shopping/lists/" + listID + "/items",
		"body": map[string]any{"id": jam, "name": "jam"}, "record": jam, "list": listID, "base": nil, "label": "jam"})
	sent("jam saved")
	restAs(t, ben, c.b, "DELETE", "/api/shopping/items/"+jam, nil)
	reads := watchReads(t, a, "/api/shopping/lists/"+listID)
	a.goTo("/shopping/"+listID, row("milk")+` && !`+row("jam"))
	keptNames := `import('/js/cache.js').then((c) => c.kept('list:' + ` + js(listID) + `)).then((l) => (l?.items ?? []).map((i) => i.name + (i.checked ? '✓' : '')).sort().join())`
	waitUntil(t, "the list kept without jam", 10*time.Second, func() bool { return evalAwait[string](a, keptNames) == "bread,eggs,milk" })

	// No later read (a warm-up after a reconnect) keeps a newer copy of the list.
	holdReads(t, a, "*/api/shopping/lists/"+listID)
	reads.settled(t) // one sent just before the hold is answered before the writes

	// From the calendar again: a tick, a delete, an add and a completion.
	a.goTo("/calendar", `!!document.querySelector('.agenda, .cal-body')`)
	honey := "5c2e1b7d-3f4a-4e1b-8a2c-9d0e7f6a5b41"
	enqueue(map[string]any{"kind": "item.patch", "method": "PATCH", "path": "/api/shopping/items/" + item("milk")["id"].(string),
		"body": map[string]any{"checked": true}, "record": item("milk")["id"], "list": listID, "base": item("milk"), "label": "milk"})
	enqueue(map[string]any{"kind": "item.delete", "method": "DELETE", "path": "/api/shopping/items/" + item("eggs")["id"].(string),
		"record": item("eggs")["id"], "list": listID, "base": item("eggs"), "label": "eggs"})
	enqueue(map[string]any{"kind": "item.add", "method": "POST", "path": "/api/shopping/lists/" + listID + "/items",
		"body": map[string]any{"id": honey, "name": "honey"}, "record": honey, "list": listID, "base": nil, "label": "honey"})
	enqueue(map[string]any{"kind": "task.complete", "method": "POST", "path": "/api/tasks/" + taskID + "/complete",
		"record": taskID, "base": task, "label": "Water the plants"})
	enqueue(map[string]any{"kind": "task.delete", "method": "DELETE", "path": "/api/tasks/" + tplID,
		"record": tplID, "base": tpl, "label": "Take out the bins"})
	sent("the five writes saved")
	// One record per answer, keyed by the record's id (not one map of them all).
	if got := evalAwait[string](a, `import('/js/idb.js').then(async (m) => (await m.all('answers')).map((a) => a.id).sort().join() + '|' + (await m.get('data', 'outbox:answers') === undefined))`); got != strings.Join(sortedStrings(jam, honey, item("milk")["id"].(string), item("eggs")["id"].(string), taskID, tplID), ",")+"|true" {
		t.Errorf("the answers stored: %s", got)
	}
	// The copies kept are from before them (no page patched them).
	if got := evalAwait[string](a, keptNames); got != "bread,eggs,milk" {
		t.Fatalf("the list kept is %q before the reload, want the copy from before Ana's writes", got)
	}
	if done := evalAwait[bool](a, `import('/js/cache.js').then((c) => c.kept('tasks')).then((k) => !!k.tasks.find((x) => x.id === `+js(taskID)+`).completed_at)`); done {
		t.Fatal("the tasks kept already show the task done: nothing to lay over")
	}
	if got := evalAwait[string](a, occs); got == "" {
		t.Fatal("the tasks kept already lack the chore's occurrence: nothing to lay over")
	}

	a.goOffline()
	a.do(chromedp.Reload())
	a.waitJS("the calendar, offline", `location.pathname === '/calendar' && document.querySelector('#main .page-head h1')`, 10*time.Second)
	a.goTo("/shopping/"+listID, row("milk")+` && `+row("bread"))
	shown := eval[string](a, `[...document.querySelectorAll('li.item')].map((li) => li.dataset.name + (li.classList.contains('checked') ? '✓' : '')).sort().join()`)
	if shown != "bread,honey,milk✓" {
		t.Errorf("offline after a reload the list shows %q, want %q (Ana's tick, delete and add; not the jam Ben deleted)", shown, "bread,honey,milk✓")
	}
	a.goTo("/tasks", taskRow)
	if !eval[bool](a, taskRow+`.classList.contains('done')`) {
		t.Errorf("offline after a reload the task Ana completed shows open: %s", eval[string](a, taskRow+`.outerHTML`))
	}
	// The series Ana deleted goes with its open occurrences, as on the server.
	for _, id := range append(occIDs, tplID) {
		if eval[bool](a, `!!document.querySelector('li.task[data-id=`+js(id)+`]')`) {
			t.Errorf("offline after a reload the tasks page still shows %s of the series Ana deleted", id)
		}
	}

	// The newest 200 answers are kept: 205 more drop the five above.
	got := evalAwait[string](a, `import('/js/outbox-answers.js').then(async (m) => {
		for (let i = 0; i < 205; i++) await m.remember('r' + i, { id: 'r' + i, version: 1 });
		const ids = (await (await import('/js/idb.js')).all('answers')).map((a) => a.id);
		return [ids.length, ids.includes('r4'), ids.includes('r5'), ids.includes('r204'), ids.includes(`+js(honey)+`), m.savedAnswers().size].join();
	})`)
	if got != "200,false,true,true,false,200" {
		t.Errorf("after 205 more answers (stored, r4, r5, r204 and honey kept, known): %s, want 200,false,true,true,false,200", got)
	}
	// An older app's one map of answers is moved into the store, once.
	got = evalAwait[string](a, `import('/js/idb.js').then(async (idb) => {
		await idb.put('data', { old1: { record: { id: 'old1', version: 7 }, at: new Date().toISOString() } }, 'outbox:answers');
		const m = await import('/js/outbox-answers.js');
		await m.readAnswers();
		return [m.answerOf('old1')?.version, await idb.get('data', 'outbox:answers') === undefined, (await idb.get('answers', 'old1'))?.record.version].join();
	})`)
	if got != "7,true,7" {
		t.Errorf("an older app's answers after reading them: %s, want 7,true,7", got)
	}
}

func sortedStrings(s ...string) []string { slices.Sort(s); return s }
