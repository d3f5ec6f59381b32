package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOfflineTasksKeptOnce: the tasks page's kept copy names each
// task once. The page is read from three listings (today's tasks, the open
// ones, the chores), and an open task due today is in the first two: the
// copy kept them side by side, so it held today's open tasks twice (a daily
// chore's occurrence of today too), as TestBrowserOfflineKeptAnswers saw.
// Ana's phone keeps the tasks as read from the server, after a task she
// completes offline, and after a reload offline: each copy names every task
// once, and the page shows each once.
func TestBrowserOfflineTasksKeptOnce(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in lands on it
	now := time.Now().UTC().Format(time.RFC3339)
	water := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Water the plants", "due_at": now})["id"].(string)
	feed := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Feed the cat", "due_at": now})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Call grandma"}) // open, no day
	restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Take out the bins", "recurrence": "FREQ=DAILY"})

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	waterRow := `document.querySelector('li.task[data-id=` + js(water) + `]')`
	a.goTo("/tasks", waterRow+` && navigator.serviceWorker.controller`)

	// The ids kept under 'tasks' that are named more than once, and how many are kept.
	twice := `import('/js/cache.js').then((c) => c.kept('tasks')).then((k) => {
		const ids = (k?.tasks ?? []).map((x) => x.id);
		return ids.filter((id, i) => ids.indexOf(id) !== i).join() + '|' + ids.length;
	})`
	check := func(when string) {
		t.Helper()
		var got string
		waitUntil(t, "the tasks kept "+when, 10*time.Second, func() bool {
			got = evalAwait[string](a, twice)
			return !strings.HasSuffix(got, "|0")
		})
		if dup, _, _ := strings.Cut(got, "|"); dup != "" {
			t.Errorf("%s the tasks kept name %s twice (dup|kept: %s)", when, dup, got)
		}
	}
	check("read by the page:")

	// Offline: Ana completes the cat's task (the page keeps its copy), then
	// the page opens from the copy after a reload.
	a.goOffline()
	a.click(`li.task[data-id=` + js(feed) + `] input[type=checkbox]`)
	a.waitJS("the cat fed, waiting", `window.familyhub.outbox.count() === 1`, 5*time.Second)
	check("after a completion offline:")
	a.do(chromedp.Reload())
	a.waitJS("the tasks, offline", waterRow, 10*time.Second)
	check("after a reload offline:")
	shown := eval[string](a, `(() => { const ids = [...document.querySelectorAll('li.task[data-id]')].map((li) => li.dataset.id);
		return ids.filter((id, i) => ids.indexOf(id) !== i).join() })()`)
	if shown != "" {
		t.Errorf("offline the tasks page shows %s twice", shown)
	}
	if !eval[bool](a, `document.querySelector('li.task[data-id=`+js(feed)+`]').classList.contains('done')`) {
		t.Error("offline after a reload the cat's task shows open, want done (waiting)")
	}
}
