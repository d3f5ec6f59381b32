package main

import (
	"net/http"
	"testing"
	"time"
)

// TestBrowserTaskDialogNewZone: Ana's phone (390 px wide) has a task open
// when another device changes the family's time zone. The due time she
// did not touch is the task's moment, shown in the new zone (as the list
// behind it shows it), and a line under it says so; a due time she typed
// keeps her words, which count in the new zone, and the line says that.
// Save saves her time in the family's new zone. Before, the dialog kept
// the old zone: the untouched time disagreed with the list, and a typed
// one was saved in a zone the family no longer has. The line fits the
// phone's dialog.
func TestBrowserTaskDialogNewZone(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"})
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	task := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Pay the rent", "due_at": "2030-05-01T08:00:00Z"})
	id := task["id"].(string)
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	b.login(c.a.URL(), "ana@example.org")
	b.goTo("/tasks", `document.querySelector('li.task[data-id="`+id+`"]')`)
	b.click(`li.task[data-id="` + id + `"] button.task-open`)
	b.waitJS("the task dialog", `document.querySelector('dialog.task-dialog[open] input[name=due]')?.value === '2030-05-01T10:00'`, 5*time.Second)
	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo", "America/Chicago")
	note := `dialog.task-dialog .zone-note`

	rebuilt("the untouched due time in the new zone", `document.querySelector('dialog.task-dialog[open]')
		&& document.querySelector('dialog.task-dialog input[name=due]').value === '2030-05-01T17:00'`)
	if said := visibleText(b, note); said != "The family's time zone is now Asia/Tokyo: the due time is shown in it." {
		t.Errorf("the line under the due time says %q", said)
	}
	// The line fits the phone's dialog: no wider than the form around it.
	if fits := eval[bool](b, `(() => { const n = document.querySelector(`+js(note)+`), d = n.closest('form').getBoundingClientRect(), r = n.getBoundingClientRect();
		return r.left >= d.left - 0.5 && r.right <= d.right + 0.5 && n.scrollWidth <= n.clientWidth + 1 && r.right <= window.innerWidth; })()`); !fits {
		t.Errorf("the zone line does not fit the 390 px dialog")
	}

	b.setValue(`dialog.task-dialog input[name=due]`, "2030-05-02T09:30")
	rebuilt("the typed due time kept", `document.querySelector('dialog.task-dialog[open]')
		&& document.querySelector('dialog.task-dialog input[name=due]').value === '2030-05-02T09:30'`)
	if said := visibleText(b, note); said != "The family's time zone is now America/Chicago: the time you typed counts in America/Chicago." {
		t.Errorf("the line under the typed due time says %q", said)
	}
	b.click(`dialog.task-dialog button[type=submit]`)
	b.waitJS("saved", `!document.querySelector('dialog.task-dialog[open]')`, 5*time.Second)
	// 09:30 in Chicago (CDT, UTC−5) is 14:30 UTC.
	due, _ := time.Parse(time.RFC3339, restAs(t, ana, c.a, "GET", "/api/tasks/"+id, nil)["due_at"].(string))
	if want := time.Date(2030, 5, 2, 14, 30, 0, 0, time.UTC); !due.Equal(want) {
		t.Errorf("the task is due %v, want %v (09:30 in the family's new zone)", due.UTC(), want)
	}
}

// TestBrowserTaskDialogRepeatedHour: in Berlin the autumn night of
// 2030-10-27 shows 02:30 twice (00:30 UTC in summer time, 01:30 UTC in
// winter time). A task due at 00:30 UTC, the first 02:30, opened and
// saved with only its title changed, stays due then. Open again when the
// family's zone goes to Tokyo it shows 09:30 there, the same moment.
// Before, both went from the wall clock "02:30", which names the later
// instant: it was saved at 01:30 UTC and showed 10:30. (A new task has no
// due time: TestBrowserDialogsTaskNoDue.)
func TestBrowserTaskDialogRepeatedHour(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"})
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Clocks", "due_at": "2030-10-27T00:30:00Z"})
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(c.a.URL(), "ana@example.org")
	b.goTo("/tasks", `document.querySelector('li.task button.task-open')`)
	openTask := func() {
		t.Helper()
		b.click(`li.task button.task-open`)
		b.waitJS("the task's dialog", `document.querySelector('dialog.task-dialog[open] input[name=due]')?.value === '2030-10-27T02:30'`, 5*time.Second)
	}

	openTask()
	b.setValue(`dialog.task-dialog input[name=title]`, "Change the clocks")
	b.click(`dialog.task-dialog button[type=submit]`)
	b.waitJS("saved", `!document.querySelector('dialog.task-dialog[open]')`, 5*time.Second)
	var tasks []struct {
		DueAt time.Time `json:"due_at"`
	}
	ana.call(t, c.a.URL(), http.StatusOK, "GET", "/api/tasks", nil, &tasks)
	if len(tasks) != 1 {
		t.Fatalf("%d tasks, want 1", len(tasks))
	}
	due := tasks[0].DueAt
	if want := time.Date(2030, 10, 27, 0, 30, 0, 0, time.UTC); !due.Equal(want) {
		t.Errorf("the task with its due untouched is due %v, want %v (the first 02:30)", due.UTC(), want)
	}

	openTask()
	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo")
	rebuilt("the zone changed under the dialog", `document.querySelector('dialog.task-dialog[open]') && document.querySelector('dialog.task-dialog .zone-note')?.checkVisibility()`)
	if got := eval[string](b, `document.querySelector('dialog.task-dialog input[name=due]').value`); got != "2030-10-27T09:30" {
		t.Errorf("in Tokyo the untouched due time shows %q, want 2030-10-27T09:30 (00:30 UTC)", got)
	}
}
