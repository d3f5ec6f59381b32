package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBrowserOfflineStorageFreedNoticeAnswered: a conflict notice held in
// the tab's memory (the storage was full) and answered with Keep mine just
// as the storage takes writes again is answered once: it does not come
// back stored, to be answered, and its write sent, a second time.
//
// Offline, with IndexedDB's put refusing, Ana ticks "Feed the cat"; Ben
// renames it meanwhile. Online, the tick meets the rename and its conflict
// notice is held in memory. Then the storage takes a write again (the
// held notice is stored) and in that moment she keeps hers: the tick is
// sent once more against Ben's version, and no notice is left. Before,
// the notice was stored after she had answered it, and it was shown again
// (also after a reload): Keep mine there sent her tick a third time.
func TestBrowserOfflineStorageFreedNoticeAnswered(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in lands on it
	x := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Feed the cat", "due_at": time.Now().UTC().Format(time.RFC3339)})
	cat, catV := x["id"].(string), int(x["version"].(float64))
	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	box := `li.task[data-id=` + js(cat) + `] input[type=checkbox]`
	a.goTo("/tasks", `!!document.querySelector('`+box+`') && navigator.serviceWorker.controller`)

	a.goOffline()
	eval[bool](a, `(() => {
		window.keptPut = IDBObjectStore.prototype.put;
		IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
		window.sentWrites = [];
		const f = window.fetch;
		window.fetch = (u, o) => {
			if (o && o.method && o.method !== 'GET') window.sentWrites.push([o.method, String(u), (o.headers || {})['If-Match'] || ''].join(' '));
			return f(u, o);
		};
		return true;
	})()`)
	a.click(box)
	a.waitJS("the tick held", `window.familyhub.outbox.count() === 1 && window.familyhub.outbox.heldCount() === 1`, 5*time.Second)
	restAs(t, ben, c.b, "PATCH", "/api/tasks/"+cat, map[string]any{"title": "Feed the cat (wet food)"})
	a.setOffline(false)
	stale := `document.querySelector('#notices li.conflict[data-kind=stale][data-record=` + js(cat) + `]')`
	a.waitJS("the conflict held in memory", `window.familyhub.outbox.count() === 0 && !!`+stale+
		` && window.familyhub.outbox.heldCount() === 1`, 15*time.Second)

	// The storage takes a write again, and in that moment Ana keeps hers.
	evalAwait[bool](a, `(async () => {
		const idb = await import('/js/idb.js');
		const outbox = await import('/js/outbox.js');
		const [n] = await outbox.notices();
		IDBObjectStore.prototype.put = window.keptPut;
		await idb.put('data', 1, 'probe');
		await outbox.keepMine(n);
		return true;
	})()`)
	a.waitJS("the tick sent again", `window.familyhub.outbox.count() === 0 && window.sentWrites.length === 2`, 10*time.Second)
	evalAwait[bool](a, `import('/js/outbox.js').then((m) => m.settled()).then(() => true)`)
	if n := evalAwait[int](a, `import('/js/idb.js').then((m) => m.all('notices')).then((q) => q.length)`); n != 0 {
		t.Errorf("%d notices stored after Ana answered the only one", n)
	}
	if n := evalAwait[int](a, `import('/js/outbox.js').then((m) => m.notices()).then((q) => q.length)`); n != 0 {
		t.Errorf("%d notices shown after Ana answered the only one", n)
	}
	want := []string{
		fmt.Sprintf(`POST /api/tasks/%s/complete "%d"`, cat, catV),
		fmt.Sprintf(`POST /api/tasks/%s/complete "%d"`, cat, catV+1),
	}
	if got := eval[[]string](a, `window.sentWrites`); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the writes sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
