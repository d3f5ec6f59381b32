package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// countItems counts the items named name on the server's list.
func countItems(t *testing.T, m member, s *Main, listID, name string) int {
	t.Helper()
	n := 0
	for _, it := range serverItems(t, m, s, listID) {
		if strings.TrimSuffix(it, "✓") == name {
			n++
		}
	}
	return n
}

// postData is a held request's body.
func postData(ev *fetch.EventRequestPaused) string {
	var out []byte
	for _, e := range ev.Request.PostDataEntries {
		out = append(out, e.Bytes...)
	}
	return string(out)
}

// TestBrowserOfflineRetry: an answer lost on its way back, then the
// client's own retry, makes one item, not two; so does a double tap,
// online and offline. A read older than a saved add does not take the
// item off the page. An untick, an edit and a delete made offline reach
// the server. A task completed offline is completed once the
// device is back; offline, it and a chore from one of its days open from
// the copy shown, in English and German; one completed while an older read of the tasks is on
// its way stays completed, on the page and in the device's copy. An event carrying the version the device already shows
// is not re-fetched; one without a version is, and so is a delete.
func TestBrowserOfflineRetry(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := seedFamily(t, m, ana)
	// No service worker: the requests to drop are the page's own.
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+listID, `document.querySelector('li.item[data-name="apples"]')`)
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }

	t.Run("lost answer", func(t *testing.T) {
		b := b.on(t)
		// The first POST of an item reaches the server, and its answer is
		// dropped on the way back.
		paused := holdRequests(t, b, fetch.RequestPattern{URLPattern: "*/api/shopping/lists/*/items", RequestStage: fetch.RequestStageResponse})
		b.setValue(`#item-name`, "sunscreen")
		b.click(`form.add-item button[type=submit]`)
		ev := heldAnswer(t, paused, "POST", 201, 5*time.Second)
		if n := countItems(t, ana, m, listID, "sunscreen"); n != 1 {
			t.Fatalf("the server has %d sunscreen, want the 1 it made", n)
		}
		loseAnswer(t, b, ev)
		// The row says it waits, and the outbox's retry (same id) settles it.
		b.waitJS("sunscreen waiting after the lost answer", row("sunscreen")+`?.dataset.pending`, 2*time.Second)
		b.waitJS("sunscreen saved by the retry", row("sunscreen")+` && !`+row("sunscreen")+`.dataset.pending && !document.getElementById('pending').checkVisibility()`, 10*time.Second)
		if n := countItems(t, ana, m, listID, "sunscreen"); n != 1 {
			t.Errorf("after the retry the server has %d sunscreen, want 1", n)
		}
		if n := eval[int](b, `document.querySelectorAll('li.item[data-name="sunscreen"]').length`); n != 1 {
			t.Errorf("the page shows %d sunscreen", n)
		}
	})

	t.Run("503 with Retry-After", func(t *testing.T) {
		b := b.on(t)
		paused := holdRequests(t, b, fetch.RequestPattern{URLPattern: "*/api/shopping/lists/*/items"})
		held := func() *fetch.EventRequestPaused {
			select {
			case ev := <-paused:
				return ev
			case <-time.After(10 * time.Second):
				t.Fatal("no POST was held")
				return nil
			}
		}
		b.setValue(`#item-name`, "matches")
		b.click(`form.add-item button[type=submit]`)
		first := held()
		answered := time.Now()
		// The server is busy: 503, come back in 2 s.
		if _, err := chromedp.Call(b.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: first.RequestID, ResponseCode: 503,
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}, {Name: "Retry-After", Value: "2"}},
			Body:            []byte(`{"error":{"code":"unavailable","message":"busy"}}`)}); err != nil {
			t.Fatal(err)
		}
		second := held()
		waited := time.Since(answered)
		stopHolding(t, b)
		t.Logf("after a 503 with Retry-After: 2 the client tried again after %s", waited.Round(time.Millisecond))
		if waited < 2*time.Second || waited > 4*time.Second {
			t.Errorf("retried after %s, want Retry-After's 2 s (and a little jitter)", waited)
		}
		if body := postData(first); body == "" || body != postData(second) {
			t.Errorf("the retry sent %q, the first try %q: want the same body (the same client id)", postData(second), body)
		}
		b.waitJS("matches saved", row("matches")+` && !`+row("matches")+`.dataset.pending`, 5*time.Second)
		if n := countItems(t, ana, m, listID, "matches"); n != 1 {
			t.Errorf("the server has %d matches, want 1", n)
		}
	})

	t.Run("double tap", func(t *testing.T) {
		b := b.on(t)
		doubleTap := func(name string) {
			b.setValue(`#item-name`, name)
			eval[bool](b, `(() => { const b = document.querySelector('form.add-item button[type=submit]'); b.click(); b.click(); return true; })()`)
		}
		doubleTap("napkins")
		b.waitJS("napkins saved", row("napkins")+` && !`+row("napkins")+`.dataset.pending && !document.querySelector('form.add-item button[aria-busy]')`, 5*time.Second)
		b.goOffline()
		doubleTap("candles")
		b.waitJS("candles waiting", row("candles")+`?.dataset.pending === 'waiting' && document.getElementById('pending').textContent === '1 waiting'`, 5*time.Second)
		b.setOffline(false)
		b.waitJS("candles saved", row("candles")+` && !`+row("candles")+`.dataset.pending`, 5*time.Second)
		for _, name := range []string{"napkins", "candles"} {
			if n := countItems(t, ana, m, listID, name); n != 1 {
				t.Errorf("a double tap saved %d %s, want 1", n, name)
			}
			if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll('li.item[data-name=%q]').length`, name)); n != 1 {
				t.Errorf("the page shows %d %s", n, name)
			}
		}
	})

	// A read of the list that the server answered before an add was saved
	// comes back after it: the item stays on the page, and in the device's
	// copy that the next read falls back to when the network is gone.
	t.Run("older read", func(t *testing.T) {
		b := b.on(t)
		held := holdReads(t, b, "*/api/shopping/lists/"+listID)
		eval[bool](b, `(window.__read = false, window.familyhub.view.reload().then(() => { window.__read = true; }), true)`)
		read := held.next(t)
		b.setValue(`#item-name`, "tea lights")
		b.click(`form.add-item button[type=submit]`)
		b.waitJS("tea lights saved", row("tea lights")+` && !`+row("tea lights")+`.dataset.pending && !document.querySelector('form.add-item button[aria-busy]')`, 5*time.Second)
		// From here on, the row must never be gone from the page.
		eval[bool](b, `(window.__vanished = false, new MutationObserver(() => { if (!`+row("tea lights")+`) window.__vanished = true; })
			.observe(document.getElementById('main'), {childList: true, subtree: true}), true)`)
		// One more read after the held one, whatever the events ask for:
		// it finds the network gone and shows the device's copy.
		eval[bool](b, `(window.familyhub.view.reload(), true)`)
		held.releaseLast(t, read)
		b.waitJS("the reads answered", `window.__read`, 10*time.Second)
		if eval[bool](b, `window.__vanished`) {
			t.Error("tea lights vanished from the page when a read older than its add came back")
		}
		if n := eval[int](b, `document.querySelectorAll('li.item[data-name="tea lights"]').length`); n != 1 {
			t.Errorf("the page shows %d tea lights", n)
		}
		if n := countItems(t, ana, m, listID, "tea lights"); n != 1 {
			t.Errorf("the server has %d tea lights, want 1", n)
		}
	})

	t.Run("untick, edit and delete offline", func(t *testing.T) {
		b := b.on(t)
		b.click(`li.item[data-name="spinach"] input[type=checkbox]`)
		waitUntil(t, "spinach ticked on the server", 5*time.Second, func() bool {
			return slices.Contains(serverItems(t, ana, m, listID), "spinach✓")
		})
		b.waitJS("spinach ticked and saved", row("spinach")+`?.classList.contains('checked') && !document.querySelector('li.item[data-pending]')`, 5*time.Second)
		b.goOffline()
		b.click(`li.item[data-name="spinach"] input[type=checkbox]`)
		b.click(`li.item[data-name="dish soap"] button.icon:not(.danger)`)
		b.waitJS("edit dialog", dialogOpen, 5*time.Second)
		b.setValue(`dialog[open] input[name=name]`, "washing-up liquid")
		b.setValue(`dialog[open] input[name=quantity]`, "2")
		b.click(`dialog[open] button[type=submit]`)
		b.click(`li.item[data-name="apples"] button.icon.danger`)
		b.waitJS("three writes waiting", row("spinach")+`?.dataset.pending === 'waiting' && !`+row("spinach")+`.classList.contains('checked')
			&& `+row("washing-up liquid")+`?.dataset.pending === 'waiting' && !`+row("dish soap")+` && !`+row("apples")+`
			&& document.getElementById('pending').textContent === '3 waiting'`, 5*time.Second)
		b.setOffline(false)
		b.waitJS("all saved", `!document.querySelector('li.item[data-pending]') && !document.getElementById('pending').checkVisibility()`, 5*time.Second)
		var list struct {
			Items []struct {
				Name, Quantity string
				Checked        bool
			}
		}
		ana.call(t, m.URL(), 200, "GET", "/api/shopping/lists/"+listID, nil, &list)
		got := map[string]string{}
		for _, it := range list.Items {
			got[it.Name] = fmt.Sprintf("%s checked=%v", it.Quantity, it.Checked)
		}
		if got["spinach"] != " checked=false" || got["washing-up liquid"] != "2 checked=false" || got["dish soap"] != "" || got["apples"] != "" {
			t.Errorf("the server holds %v", got)
		}
	})

	t.Run("realtime versions", func(t *testing.T) {
		b := b.on(t)
		var held float64
		var itemID string
		for _, it := range restAs(t, ana, m, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any) {
			if it := it.(map[string]any); it["name"] == "coffee beans" {
				held, itemID = it["version"].(float64), it["id"].(string)
			}
		}
		// The page's requests, counted as they start.
		eval[bool](b, `(() => { if (!window.__reqs) { window.__reqs = []; window.__inflight = 0; const f = window.fetch;
			window.fetch = (...a) => { window.__reqs.push(String(a[0])); window.__inflight++; return f(...a).finally(() => window.__inflight--); }; } return true; })()`)
		b.waitJS("nothing in flight", `window.__inflight === 0 && `+row("coffee beans")+`.dataset.id === `+js(itemID), 5*time.Second)
		// After a reload the page's loaders are idle: an event either starts
		// its re-fetch at once or not at all.
		eval[bool](b, fmt.Sprintf(`(window.__versions = null, (async () => {
			const v = window.familyhub.view, list = %q;
			const ev = {type: 'SHOPPING_ITEM_UPDATED', id: %q, list_id: list, op: 'update'};
			const refetches = async (e) => {
				await v.reload();
				const n = window.__reqs.length;
				v.onEvent(e);
				return window.__reqs.length === n + 1 && window.__reqs[n].endsWith('/api/shopping/lists/' + list);
			};
			window.__versions = [!await refetches({...ev, version: %d}), await refetches(ev), await refetches({...ev, op: 'delete', version: %d})];
		})(), true)`, listID, itemID, int64(held), int64(held)))
		b.waitJS("the events handled", `window.__versions`, 5*time.Second)
		got := eval[[]bool](b, `window.__versions`)
		if !got[0] {
			t.Error("an event with the version the page shows was re-fetched")
		}
		if !got[1] {
			t.Error("an event without a version was not re-fetched")
		}
		if !got[2] {
			t.Error("a delete carrying the version shown was not re-fetched")
		}
	})

	t.Run("task completed offline", func(t *testing.T) {
		// A tab with the service worker, so that it opens again offline.
		b := b.on(t).newTab("tasks tab", phoneW, phoneH, false)
		b.do(chromedp.Navigate(m.URL() + "/tasks"))
		b.waitJS("tasks, and the service worker in control", `document.querySelector('li.task') && navigator.serviceWorker.controller`, 10*time.Second)
		b.waitLive()
		task := `[...document.querySelectorAll('li.task')].find((li) => li.querySelector('.title')?.textContent === 'Call grandma')`
		b.waitJS("Call grandma open", task+` && !`+task+`.querySelector('input').checked`, 5*time.Second)
		b.goOffline()
		b.click(`li.task[data-id="` + eval[string](b, task+`.dataset.id`) + `"] input[type=checkbox]`)
		b.waitJS("completed, waiting", task+`?.dataset.pending === 'waiting' && `+task+`.querySelector('input').checked`, 5*time.Second)
		b.do(chromedp.Reload())
		b.waitJS("still completed and waiting after a reload offline", task+`?.dataset.pending === 'waiting' && `+task+`.querySelector('input').checked
			&& document.getElementById('pending').textContent === '1 waiting'`, 10*time.Second)
		// Tapping the task offline opens its dialog from the copy shown, not
		// a "could not open" banner.
		b.click(`li.task[data-id="` + eval[string](b, task+`.dataset.id`) + `"] button.task-open`)
		b.waitJS("the dialog opens offline with the task's title", `document.querySelector('dialog[open] input[name=title]')?.value === 'Call grandma'
			&& document.getElementById('banner').hidden`, 5*time.Second)
		b.docShot("offline-task-dialog")
		b.do(chromedp.KeyEvent("\x1b"))
		b.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
		// A day of a chore links to the chore: offline that opens from the
		// copy shown too, not a "could not open" line in the dialog.
		bins := `[...document.querySelectorAll('section[aria-labelledby=h-today] li.task')].find((li) => li.querySelector('.title')?.textContent === 'Take out the bins')`
		openChore := func(title string) {
			t.Helper()
			b.click(`li.task[data-id="` + eval[string](b, bins+`.dataset.id`) + `"] button.task-open`)
			b.waitJS("the day's dialog", dialogOpen+` && document.querySelector('dialog[open] .hint button')`, 5*time.Second)
			b.click(`dialog[open] .hint button`)
			b.waitJS("the chore's dialog opens offline", `document.querySelector('dialog[open] h2')?.textContent === `+js(title)+`
				&& document.querySelector('dialog[open] select[name=repeat]')?.value === 'FREQ=DAILY'
				&& document.querySelector('dialog[open] input[name=title]').value === 'Take out the bins'
				&& document.querySelector('dialog[open] .dialog-error').hidden && document.getElementById('banner').hidden`, 5*time.Second)
		}
		escape := func() {
			t.Helper()
			b.do(chromedp.KeyEvent("\x1b"))
			b.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
		}
		openChore("Edit chore")
		escape()
		// The same in German: the page, the task's dialog and the chore's.
		b.setLang("de")
		b.waitJS("German, the tasks shown again", `document.documentElement.lang.startsWith('de') && document.querySelector('#main h1')?.textContent === 'Aufgaben' && `+task+` && `+bins, 5*time.Second)
		data := []string{"Call grandma", "Take out the bins", "Water the plants", "Renew passport", "Ana", "Rivera", "FamilyHub"}
		b.click(`li.task[data-id="` + eval[string](b, task+`.dataset.id`) + `"] button.task-open`)
		b.waitJS("the dialog opens offline, in German", `document.querySelector('dialog[open] h2')?.textContent === 'Aufgabe bearbeiten'
			&& document.querySelector('dialog[open] input[name=title]')?.value === 'Call grandma' && document.getElementById('banner').hidden`, 5*time.Second)
		germanOnly(b, "a task offline", data)
		escape()
		openChore("Hausarbeit bearbeiten")
		germanOnly(b, "a chore offline", data)
		escape()
		b.setLang("en")
		b.waitJS("English again", `document.querySelector('#main h1')?.textContent === 'Tasks' && `+task, 5*time.Second)
		b.setOffline(false)
		b.waitJS("saved", task+` && !`+task+`.dataset.pending && `+task+`.querySelector('input').checked`, 5*time.Second)
		// Read by its id: a list of today's tasks would lose it after
		// midnight, and the check would then pass without checking.
		var got struct {
			Title       string
			CompletedAt *string `json:"completed_at"`
		}
		ana.call(t, m.URL(), 200, "GET", "/api/tasks/"+eval[string](b, task+`.dataset.id`), nil, &got)
		if got.Title != "Call grandma" || got.CompletedAt == nil {
			t.Errorf("Call grandma on the server: %+v", got)
		}
	})

	// The tasks page: a read of today's tasks that the server answered
	// before a completion was saved comes back after it. The task stays
	// completed on the page, and in the device's copy that the next read
	// falls back to when the network is gone.
	t.Run("older tasks read", func(t *testing.T) {
		b := b.on(t)
		today := time.Now().UTC().Format("2006-01-02")
		id := restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Feed the cat", "due_at": today + "T23:15:00Z"})["id"].(string)
		task := `document.querySelector('li.task[data-id="` + id + `"]')`
		b.goTo("/tasks", task+` && !`+task+`.querySelector('input').checked`)
		held := holdReads(t, b, `*/api/tasks\?date=*`)
		eval[bool](b, `(window.__read = false, window.familyhub.view.reload().then(() => { window.__read = true; }), true)`)
		read := held.next(t)
		completed := func() bool {
			var got struct {
				CompletedAt *string `json:"completed_at"`
			}
			ana.call(t, m.URL(), 200, "GET", "/api/tasks/"+id, nil, &got)
			return got.CompletedAt != nil
		}
		b.click(`li.task[data-id="` + id + `"] input[type=checkbox]`)
		// The server has it; the row stops waiting when its answer is shown.
		waitUntil(t, "Feed the cat completed on the server", 5*time.Second, completed)
		b.waitJS("Feed the cat's answer shown", task+` && !`+task+`.dataset.pending && `+task+`.querySelector('input').checked`, 5*time.Second)
		// From here on, the task must never show as open.
		eval[bool](b, `(window.__reopened = false, new MutationObserver(() => { if (!`+task+`?.querySelector('input').checked) window.__reopened = true; })
			.observe(document.getElementById('main'), {childList: true, subtree: true, attributes: true}), true)`)
		// One more read after the held one: it finds the network gone and
		// shows the device's copy.
		eval[bool](b, `(window.familyhub.view.reload(), true)`)
		held.releaseLast(t, read)
		b.waitJS("the reads answered", `window.__read`, 10*time.Second)
		if eval[bool](b, `window.__reopened`) {
			t.Error("Feed the cat showed as open when a read older than its completion came back")
		}
		if !eval[bool](b, task+`?.querySelector('input').checked === true`) {
			t.Error("Feed the cat is not shown completed")
		}
		eval[bool](b, `(window.__kept = undefined, import('/js/cache.js').then((c) => c.kept('tasks')).then((d) => {
			window.__kept = !!d?.tasks.find((x) => x.id === `+js(id)+`)?.completed_at; }), true)`)
		b.waitJS("the device's copy read", `window.__kept !== undefined`, 5*time.Second)
		if !eval[bool](b, `window.__kept`) {
			t.Error("the device's copy holds Feed the cat as open")
		}
	})
}
