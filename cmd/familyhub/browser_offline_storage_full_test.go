package main

import (
	"testing"
	"time"
)

// TestBrowserOfflineStorageFull: a phone whose storage is full cannot keep
// an offline change, and says so instead of only warning on the console.
// Offline, with IndexedDB's put refusing for want of space (a
// QuotaExceededError), Ana ticks a task: the notices say the device's
// storage is full, and stay. Once the storage takes a write again (put
// restored, she unticks it), the notice goes.
func TestBrowserOfflineStorageFull(t *testing.T) {
	skipInShortMode(t, "a browser")
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in lands on it
	taskID := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Water the plants",
		"due_at": time.Now().UTC().Format(time.RFC3339)})["id"].(string)

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	box := `li.task[data-id=` + js(taskID) + `] input[type=checkbox]`
	a.goTo("/tasks", `document.querySelector('`+box+`') && navigator.serviceWorker.controller`)
	full := `(() => { const p = document.querySelector('#notices .storage-full');
		return !!p && !p.hidden && !document.getElementById('notices').hidden && p.textContent.includes("storage is full") })()`
	if eval[bool](a, full) {
		t.Fatal("the storage-full notice shows before any write failed")
	}

	a.goOffline()
	eval[bool](a, `(() => {
		window.keptPut = IDBObjectStore.prototype.put;
		IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
		return true;
	})()`)
	a.click(box)
	a.waitJS("the storage-full notice", full, 10*time.Second)
	if n := eval[int](a, `window.familyhub.outbox.count()`); n != 0 {
		t.Errorf("%d writes wait, though the device could not keep the change", n)
	}

	eval[bool](a, `(() => { IDBObjectStore.prototype.put = window.keptPut; return true; })()`)
	a.click(box)
	a.waitJS("the notice gone once a write is kept", `window.familyhub.outbox.count() === 1 && !document.querySelector('#notices .storage-full:not([hidden])')`, 10*time.Second)
}
