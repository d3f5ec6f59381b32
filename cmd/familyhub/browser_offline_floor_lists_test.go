package main

import (
	"fmt"
	"testing"
	"time"
)

// TestBrowserOfflineFloorListsOnly: the time kept for the forgotten lists'
// pruned marks (key `forgotten`, cache.pruneMarks) holds back only a late
// read of a list, never of anything else.
//
// Ana's phone keeps her tasks; a read of them begins, then the phone
// forgets two lists deleted elsewhere, a day apart on its clock: the first
// one's mark is pruned and its time becomes the floor. The device's copy
// of the tasks goes (a device that keeps none yet), and the read begun
// before the floor arrives. Before, it was not kept (the floor applied to
// every key), and offline the tasks page said "Not available offline.";
// a list's read of that time is still not kept.
func TestBrowserOfflineFloorListsOnly(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	weekly := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+weekly+"/items", map[string]any{"name": "milk"})
	task := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Call grandma", "due_at": time.Now().UTC().Format("2006-01-02") + "T23:00:00Z"})["id"].(string)

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	a.goTo("/shopping/"+weekly, `document.querySelector('li.item[data-name="milk"]') && navigator.serviceWorker.controller`)
	warmedUp(a)

	got := evalAwait[string](a, `Promise.all([import('/js/cache.js'), import('/js/idb.js')]).then(async ([c, idb]) => {
		const tasks = await c.kept('tasks');
		if (!tasks?.tasks?.length) return 'no tasks kept by the warm-up';
		const read = new Date(Date.now() - 1000).toISOString(); // a read begun a second ago
		await c.forget('list:gone-1');
		const R = Date, off = 864e5; // a day on, on the phone's clock
		class D extends R { constructor(...a) { if (a.length) super(...a); else super(R.now() + off); } static now() { return R.now() + off; } }
		globalThis.Date = D;
		await c.forget('list:gone-2'); // prunes gone-1's mark: its time is the floor
		globalThis.Date = R; // the clock right again: the floor is in the past
		const floor = await idb.get('data', 'forgotten');
		if (!(typeof floor === 'string' && read < floor)) return 'no floor after the read began: ' + floor;
		await idb.del('data', 'tasks');
		const list = await c.keep('list:gone-3', { id: 'gone-3', items: [] }, { read });
		const kept = await c.keep('tasks', tasks, { read });
		return 'list ' + list + ', tasks ' + kept;
	})`)
	if got != "list false, tasks true" {
		t.Fatalf("reads begun before the floor: %s, want a list's not kept and the tasks kept (list false, tasks true)", got)
	}

	a.goOffline()
	a.goTo("/tasks", fmt.Sprintf(`document.querySelector('li.task[data-id=%q]') || document.querySelector('#main .offline-state')`, task))
	if !eval[bool](a, fmt.Sprintf(`!!document.querySelector('li.task[data-id=%q]')`, task)) {
		t.Errorf("offline the tasks page does not show the task kept: %s", pageState(a))
	}
}
