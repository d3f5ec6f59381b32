package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBrowserOfflineStorageFull: a phone whose storage is full keeps a
// change made offline in the tab's memory, sends it once the network is
// back (in order with the others, each with its If-Match), and says
// plainly that what is not yet sent goes if the app is closed.
//
// Offline, Ana ticks "Call grandma" (stored). Then IndexedDB's put refuses
// for want of space (a QuotaExceededError) and she ticks and unticks
// "Water the plants" and ticks "Feed the cat": all four wait, the notices
// say that 3 changes not yet sent will be lost if she closes the app, and
// the server has none of them. Meanwhile Ben renames the cat's task. Online
// again, the four are sent in the order she made them, each against the
// version it was made on (the untick against the tick's answer), with put
// still refusing: the cat's tick meets Ben's rename (a 412) and its
// conflict notice, which the storage refuses too, is shown from memory, the
// storage notice counting its change; Keep mine sends it against Ben's
// version. Ben's laptop (replica B) shows the cat fed and grandma called,
// live. The storage notice stays (the storage is still full) without
// changes to lose, and goes once the storage takes a write again. Before,
// the three changes were lost at once (nothing waited, nothing was sent),
// and a conflict notice the storage refused took its writes with it.
func TestBrowserOfflineStorageFull(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in lands on it
	now := time.Now().UTC().Format(time.RFC3339)
	newTask := func(body map[string]any) (id string, version int) {
		x := restAs(t, ana, c.a, "POST", "/api/tasks", body)
		return x["id"].(string), int(x["version"].(float64))
	}
	water, waterV := newTask(map[string]any{"title": "Water the plants", "due_at": now})
	cat, catV := newTask(map[string]any{"title": "Feed the cat", "due_at": now})
	grandma, grandmaV := newTask(map[string]any{"title": "Call grandma"}) // open, no day

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	b := newDevice(t, "Ben's laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	signInAll(t, func() { a.login(c.a.URL(), "ana@example.org") }, func() { b.login(c.b.URL(), "ben@example.org") })
	taskEl := func(id string) string { return `document.querySelector('li.task[data-id=` + js(id) + `]')` }
	box := func(id string) string { return `li.task[data-id=` + js(id) + `] input[type=checkbox]` }
	b.goTo("/tasks", taskEl(cat)+` && `+taskEl(grandma))
	a.goTo("/tasks", taskEl(water)+` && `+taskEl(grandma)+` && navigator.serviceWorker.controller`)
	notice := `(() => { const p = document.querySelector('#notices .storage-full');
		return p && !p.hidden && !document.getElementById('notices').hidden ? p.textContent : '' })()`
	if got := eval[string](a, notice); got != "" {
		t.Fatalf("the storage-full notice shows before any write failed: %q", got)
	}
	waiting := func(n int) {
		t.Helper()
		a.waitJS(fmt.Sprintf("%d waiting", n), fmt.Sprintf(`window.familyhub.outbox.count() === %d`, n), 5*time.Second)
	}

	a.goOffline()
	a.click(box(grandma))
	waiting(1)
	eval[bool](a, `(() => {
		window.keptPut = IDBObjectStore.prototype.put;
		IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
		return true;
	})()`)
	a.click(box(water))
	waiting(2)
	a.click(box(water))
	waiting(3)
	a.click(box(cat))
	waiting(4)
	a.waitJS("the notice: 3 changes would be lost", notice+`.includes('3 changes not yet sent will be lost if you close the app')`, 5*time.Second)
	if n := evalAwait[int](a, `import('/js/idb.js').then((m) => m.all('queue')).then((q) => q.length)`); n != 1 {
		t.Errorf("%d writes stored in IndexedDB, want 1 (grandma's, before the storage was full)", n)
	}
	for _, id := range []string{water, cat} {
		if !eval[bool](a, taskEl(id)+`.dataset.pending === 'waiting'`) {
			t.Errorf("offline the row of %s does not say it waits: %s", id, eval[string](a, taskEl(id)+`.outerHTML`))
		}
	}

	restAs(t, ben, c.b, "PATCH", "/api/tasks/"+cat, map[string]any{"title": "Feed the cat (wet food)"})

	// What the outbox sends: method, path and If-Match, in order.
	eval[bool](a, `(() => {
		window.sentWrites = [];
		const f = window.fetch;
		window.fetch = (u, o) => {
			if (o && o.method && o.method !== 'GET') window.sentWrites.push([o.method, String(u), (o.headers || {})['If-Match'] || ''].join(' '));
			return f(u, o);
		};
		return true;
	})()`)
	a.setOffline(false)
	stale := `document.querySelector('#notices li.conflict[data-kind=stale][data-record=` + js(cat) + `]')`
	a.waitJS("the four writes sent, the cat's a conflict", `window.familyhub.outbox.count() === 0 && `+stale, 15*time.Second)
	if got := eval[string](a, stale+`.textContent`); !strings.Contains(got, "Ben changed “Feed the cat” to “Feed the cat (wet food)”") {
		t.Errorf("the conflict says %q", got)
	}
	a.waitJS("the notice: 1 change would be lost", notice+`.includes('1 change not yet sent will be lost if you close the app')`, 5*time.Second)
	if n := evalAwait[int](a, `import('/js/idb.js').then((m) => m.all('notices')).then((q) => q.length)`); n != 0 {
		t.Errorf("%d notices stored, want none (the storage is full)", n)
	}
	a.click(`#notices li.conflict[data-kind=stale] button.primary`) // Keep mine
	a.waitJS("the cat's tick sent again", `window.familyhub.outbox.count() === 0 && !`+stale+` && window.sentWrites.length === 5`, 10*time.Second)
	want := []string{
		fmt.Sprintf(`POST /api/tasks/%s/complete "%d"`, grandma, grandmaV),
		fmt.Sprintf(`POST /api/tasks/%s/complete "%d"`, water, waterV),
		fmt.Sprintf(`POST /api/tasks/%s/uncomplete "%d"`, water, waterV+1),
		fmt.Sprintf(`POST /api/tasks/%s/complete "%d"`, cat, catV),
		fmt.Sprintf(`POST /api/tasks/%s/complete "%d"`, cat, catV+1),
	}
	if got := eval[[]string](a, `window.sentWrites`); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the writes sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for id, done := range map[string]bool{grandma: true, water: false, cat: true} {
		got := restAs(t, ana, c.a, "GET", "/api/tasks/"+id, nil)
		if (got["completed_at"] != nil) != done {
			t.Errorf("the server's %s: completed_at %v, want done %v", got["title"], got["completed_at"], done)
		}
	}
	b.waitJS("Ben's laptop: the cat fed and grandma called, live",
		taskEl(cat)+`?.classList.contains('done') && !`+taskEl(grandma), 10*time.Second)

	// Nothing to lose now, but the storage is still full.
	a.waitJS("the notice without changes to lose", notice+`.includes('changes not yet sent are kept only while the app stays open')`, 5*time.Second)
	eval[bool](a, `(() => { IDBObjectStore.prototype.put = window.keptPut; return true; })()`)
	a.click(box(cat))
	a.waitJS("the notice gone once a write is kept", `window.familyhub.outbox.count() === 0 && !document.querySelector('#notices .storage-full:not([hidden])')`, 10*time.Second)
}

// TestBrowserOfflineNoStorage: where IndexedDB cannot be opened at all (a
// locked-down private window), the app works from the tab's memory; a
// change made offline waits there and is sent once the network is back,
// and meanwhile the notices say it will be lost if the app is closed.
// Before, nothing said so: the change looked as safe as on any device.
func TestBrowserOfflineNoStorage(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in lands on it
	water := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Water the plants",
		"due_at": time.Now().UTC().Format(time.RFC3339)})["id"].(string)
	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB",
		script: `IDBFactory.prototype.open = function () { throw new DOMException('The operation is insecure.', 'SecurityError'); };`})
	a.login(c.a.URL(), "ana@example.org")
	box := `li.task[data-id=` + js(water) + `] input[type=checkbox]`
	a.goTo("/tasks", `!!document.querySelector('`+box+`')`)
	notice := `(() => { const p = document.querySelector('#notices .storage-full');
		return p && !p.hidden && !document.getElementById('notices').hidden ? p.textContent : '' })()`
	if got := eval[string](a, notice); got != "" {
		t.Fatalf("the notice shows with nothing waiting: %q", got)
	}
	a.goOffline()
	a.click(box)
	a.waitJS("the notice: 1 change would be lost", `window.familyhub.outbox.count() === 1 && `+notice+
		`.includes("This browser does not let the app keep anything on the device: 1 change not yet sent will be lost if you close the app.")`, 5*time.Second)
	a.setOffline(false)
	a.waitJS("sent, the notice gone", `window.familyhub.outbox.count() === 0 && `+notice+` === ''`, 10*time.Second)
	if got := restAs(t, ana, c.a, "GET", "/api/tasks/"+water, nil); got["completed_at"] == nil {
		t.Errorf("the server's task is not done: %v", got)
	}
}
