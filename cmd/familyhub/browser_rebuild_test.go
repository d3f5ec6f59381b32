package main

import (
	"testing"
	"time"
)

// TestBrowserRebuildKeepsEdits: another device changes the family's time
// zone, which builds the open page again; what Ana had typed and not
// saved stays: the shopping add field (and the focus and caret in it), a
// recipe being edited (a new ingredient row too, and its Save saves it),
// her notification settings (saved by the new form's Save), and an open
// task dialog, whose Save then shows on the page built in its place.
// Before, each new page showed the server's data again, and the dialog's
// Save went to the page it replaced.
func TestBrowserRebuildKeepsEdits(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	recipe := restAs(t, ana, c.a, "POST", "/api/recipes", map[string]any{"title": "Pancakes", "servings": 4,
		"ingredients": []map[string]any{{"name": "flour", "quantity": 200, "unit": "g"}}})
	task := restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Water the plants"})
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(c.a.URL(), "ana@example.org")
	zones := []string{"Asia/Tokyo", "Europe/Lisbon", "America/Chicago", "Australia/Perth"}
	rebuilt := func(what, cond string) {
		t.Helper()
		eval[bool](b, `(window.beforeMain = document.querySelector('#main').firstElementChild, true)`)
		zone := zones[0]
		zones = zones[1:]
		restAs(t, ana, c.b, "PATCH", "/api/family", map[string]any{"time_zone": zone}) // another device
		b.waitJS(what, `window.familyhub.me.family.time_zone === `+js(zone)+`
			&& document.querySelector('#main').firstElementChild !== window.beforeMain && `+cond, 5*time.Second)
	}

	// The shopping add field, with the focus and caret in it.
	b.setValue(`#item-name`, "sunflower seeds")
	b.setValue(`#item-qty`, "2 bags")
	eval[bool](b, `(document.querySelector('#item-name').focus(), document.querySelector('#item-name').setSelectionRange(3, 3), true)`)
	rebuilt("the shopping page built again", `document.querySelector('#item-name')`)
	if got := eval[string](b, `[document.querySelector('#item-name').value, document.querySelector('#item-qty').value,
		document.activeElement?.id, document.activeElement?.selectionStart].join('|')`); got != "sunflower seeds|2 bags|item-name|3" {
		t.Errorf("after the rebuild the add form holds %q, want the words typed, the focus and caret kept", got)
	}

	// A recipe being edited: its title and a new ingredient row.
	b.goTo("/recipes/"+recipe["id"].(string)+"/edit", `document.querySelector('.recipe-form input[name=title]')?.value === 'Pancakes'`)
	b.setValue(`.recipe-form input[name=title]`, "Sunday pancakes")
	b.click(`.recipe-form fieldset button.small`)
	b.setValue(`.recipe-form .ing-row:last-child input[name=ing_name]`, "milk")
	rebuilt("the recipe form built again", `document.querySelector('.recipe-form input[name=title]')`)
	if got := eval[string](b, `[document.querySelector('.recipe-form input[name=title]').value,
		...[...document.querySelectorAll('.recipe-form input[name=ing_name]')].map((e) => e.value)].join('|')`); got != "Sunday pancakes|flour|milk" {
		t.Errorf("after the rebuild the recipe form holds %q, want Ana's title and both rows", got)
	}
	b.click(`.recipe-form button[type=submit]`)
	b.waitJS("the recipe saved", `location.pathname === '/recipes/`+recipe["id"].(string)+`'`, 5*time.Second)
	r := restAs(t, ana, c.a, "GET", "/api/recipes/"+recipe["id"].(string), nil)
	if ings := r["ingredients"].([]any); r["title"] != "Sunday pancakes" || len(ings) != 2 {
		t.Errorf("the recipe saved is %v, want the title and two ingredients", r)
	}

	// Notification settings on the Family page.
	b.goFamily()
	b.waitJS("the notification settings", `document.querySelector('#notify input[name=task_lead_minutes]')?.value !== ''`, 10*time.Second)
	b.setValue(`#notify input[name=task_lead_minutes]`, "45")
	b.click(`#notify input[name=quiet]`)
	rebuilt("the Family page built again", `document.querySelector('#notify input[name=task_lead_minutes]')?.value !== ''
		&& !document.querySelector('#notify .loading')`)
	if got := eval[string](b, `[document.querySelector('#notify input[name=task_lead_minutes]').value, document.querySelector('#notify input[name=quiet]').checked].join('|')`); got != "45|true" {
		t.Errorf("after the rebuild the notification settings hold %q, want 45 minutes and quiet hours on", got)
	}
	b.click(`#notify form.notify-form button[type=submit]`)
	b.waitJS("the settings saved", `document.querySelector('#notify-saved').textContent !== ''`, 5*time.Second)
	st := restAs(t, ana, c.a, "GET", "/api/notifications/settings", nil)["member"].(map[string]any)
	if st["task_lead_minutes"] != float64(45) || st["quiet_hours"] == nil {
		t.Errorf("the notification settings saved are %v, want 45 minutes and quiet hours", st)
	}

	// An open task dialog: the page behind it is built again, then the
	// realtime client stops (so only the dialog can tell the page), and
	// its Save shows on the new page.
	b.goTo("/tasks", `document.querySelector('li.task[data-id="`+task["id"].(string)+`"]')`)
	b.click(`li.task[data-id="` + task["id"].(string) + `"] button.task-open`)
	b.waitJS("the task dialog", `document.querySelector('dialog.task-dialog[open] input[name=title]')`, 5*time.Second)
	b.setValue(`dialog.task-dialog input[name=title]`, "Water the tomatoes")
	rebuilt("the tasks page built again behind the dialog", `document.querySelector('li.task') && document.querySelector('dialog.task-dialog[open]')`)
	eval[bool](b, `(window.familyhub.rt.stop(), true)`)
	b.click(`dialog.task-dialog button[type=submit]`)
	b.waitJS("the new page shows the saved title", `!document.querySelector('dialog.task-dialog[open]')
		&& document.querySelector('li.task[data-id="`+task["id"].(string)+`"]')?.textContent.includes('Water the tomatoes')`, 5*time.Second)
}
