package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// fetchFrom makes a REST call from b's page with b's device id, as the app
// does (X-Device-ID): a change "on another device" as the others' events
// name it. It fails the test unless the answer is want.
func fetchFrom(b *browser, want int, method, path string, body any) {
	b.t.Helper()
	data := "undefined"
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			b.t.Fatal(err)
		}
		data = "JSON.stringify(" + string(raw) + ")"
	}
	got := evalAwait[int](b, fmt.Sprintf(`fetch(%q, { method: %q, body: %s, headers: { 'Content-Type': 'application/json',
  'X-Device-ID': localStorage.getItem('familyhub.device_id') } }).then((r) => r.status)`, path, method, data))
	if got != want {
		b.t.Fatalf("%s %s from %s: %d, want %d", method, path, b.name, got, want)
	}
}

// tasksFamily signs Ana's family up (time zone UTC) with tasks due at the
// given days from today (0: today) and hours (a chore: with its
// recurrence); it answers the tasks' ids by title, and the id of her
// shopping list, Weekly.
func tasksFamily(t *testing.T, tasks []shotTask) (*Main, member, map[string]string) {
	t.Helper()
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"UTC"}`)
	ids := map[string]string{"Weekly": restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for _, tk := range tasks {
		due := today.AddDate(0, 0, tk.due[0]).Add(time.Duration(tk.due[1])*time.Hour + time.Duration(tk.due[2])*time.Minute)
		body := map[string]any{"title": tk.title, "due_at": due.Format(time.RFC3339)}
		if tk.recurrence != "" {
			body["recurrence"] = tk.recurrence
		}
		ids[tk.title] = restAs(t, ana, m, "POST", "/api/tasks", body)["id"].(string)
	}
	return m, ana, ids
}

// tasksTwoDevices is tasksFamily with Ana signed in on a laptop (English)
// on /tasks and on a phone (the other device).
func tasksTwoDevices(t *testing.T, tasks []shotTask) (*Main, member, map[string]string, *browser, *browser) {
	t.Helper()
	m, ana, ids := tasksFamily(t, tasks)
	laptop := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	laptop.login(m.URL(), "ana@example.org")
	laptop.goTo("/tasks", `document.querySelector('#h-open + ul li.task')`)
	phone := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	phone.login(m.URL(), "ana@example.org")
	return m, ana, ids, laptop, phone
}

// todayTasks lists the tasks under Today, each with ✓ when ticked
// (openTasks: the other open ones).
const todayTasks = `[...document.querySelectorAll('#h-today + ul li.task')].map((li) => li.querySelector('.title').textContent + (li.classList.contains('done') ? '✓' : '')).join(', ')`

// focusedTask names the task row holding the focus and the control
// ("Feed the cat done", "Feed the cat open", "Feed the cat snooze"), else
// the focused element's tag.
const focusedTask = `(() => { const a = document.activeElement, li = a?.closest('li.task');
  return li ? li.querySelector('.title').textContent + ' ' + (a.dataset.key ?? '').split('-')[0] : a?.tagName ?? 'none'; })()`

// TestBrowserTasksMovedElsewhereFocus: on a laptop a keyboard user is on
// the title of "Water the plants", due today; on her phone its due day is
// moved to the day after tomorrow. The task moves from Today to the other
// open tasks and the focus goes with it, on its title. Before, the focus
// went to the next task of Today (Feed the cat), as if she had ticked it
// away. Her own snooze of Feed the cat (to tomorrow morning) from the
// laptop takes it out of Today too and hands the focus to the next task
// of Today, as a tick does: the focus follows only a task moved on another
// device.
func TestBrowserTasksMovedElsewhereFocus(t *testing.T) {
	browserTest(t)
	_, _, ids, laptop, phone := tasksTwoDevices(t, []shotTask{
		{title: "Water the plants", due: [3]int{0, 23, 0}},
		{title: "Feed the cat", due: [3]int{0, 23, 10}},
		{title: "Empty the bins", due: [3]int{0, 23, 20}},
		{title: "Call grandma", due: [3]int{2, 10, 0}},
		{title: "Renew passport", due: [3]int{4, 10, 0}},
	})
	laptop.waitJS("the tasks", todayTasks+` === 'Water the plants, Feed the cat, Empty the bins' && `+openTasks+` === 'Call grandma, Renew passport'`, 5*time.Second)
	focus := func(title, control string) {
		t.Helper()
		sel := `[...document.querySelectorAll('li.task')].find((li) => li.querySelector('.title').textContent === ` + js(title) + `).querySelector(` + js(control) + `)`
		if !eval[bool](laptop, `(() => { const c = `+sel+`; c.focus(); return document.activeElement === c; })()`) {
			t.Fatalf("%s's %s not focused", title, control)
		}
	}

	focus("Water the plants", "button.task-open")
	due := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3).Add(10 * time.Hour)
	fetchFrom(phone, http.StatusOK, "PATCH", "/api/tasks/"+ids["Water the plants"], map[string]any{"due_at": due.Format(time.RFC3339)})
	laptop.waitJS("Water the plants moved to the other open tasks", openTasks+` === 'Call grandma, Water the plants, Renew passport'`, 5*time.Second)
	if got := eval[string](laptop, focusedTask); got != "Water the plants open" {
		t.Errorf("focus after Water the plants was moved on the phone: %s, want Water the plants open (its title, in its new place)", got)
	}

	// Her own snooze from the laptop: the focus goes on within Today.
	focus("Feed the cat", "select.snooze")
	eval[bool](laptop, `(() => { const s = document.activeElement; s.value = 'tomorrow'; s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`)
	laptop.waitJS("Feed the cat snoozed away (till tomorrow morning)", todayTasks+` === 'Empty the bins' && `+openTasks+` === 'Call grandma, Water the plants, Renew passport'`, 5*time.Second)
	if got := eval[string](laptop, focusedTask); got != "Empty the bins done" {
		t.Errorf("focus after her own snooze of Feed the cat: %s, want Empty the bins done (the next of Today)", got)
	}
}

// TestBrowserRemovedElsewhereSaid: a keyboard user on a laptop is on a
// task, a chore, a shopping item that her phone deletes meanwhile: the
// focus goes to the next row, and the page's second polite live region
// (#announce, beside the notice, which it leaves alone) says why: "“Call grandma” was removed on another device.", in
// German "„Milch“ wurde auf einem anderen Gerät entfernt.". Her own
// delete on the laptop says only "„Eier“ gelöscht." (with Undo). Before,
// the focus moved without a word.
func TestBrowserRemovedElsewhereSaid(t *testing.T) {
	browserTest(t)
	m, ana, ids, laptop, phone := tasksTwoDevices(t, []shotTask{
		{title: "Call grandma", due: [3]int{2, 10, 0}},
		{title: "Renew passport", due: [3]int{4, 10, 0}},
		{title: "Water the plants", due: [3]int{1, 8, 0}, recurrence: "FREQ=WEEKLY"},
		{title: "Empty the bins", due: [3]int{1, 9, 0}, recurrence: "FREQ=WEEKLY"},
	})
	said := func(want string) string { return saidElsewhere + ` === ` + js(want) }
	focus := func(row, control string) {
		t.Helper()
		if !eval[bool](laptop, `(() => { const c = document.querySelector(`+js(row)+`)?.querySelector(`+js(control)+`); c?.focus(); return !!c && document.activeElement === c; })()`) {
			t.Fatalf("%s %s not focused", row, control)
		}
	}
	task := func(title string) string { return `li.task[data-id="` + ids[title] + `"]` }
	laptop.waitJS("the tasks and chores", openTasks+` === 'Call grandma, Renew passport' && document.querySelectorAll('.chore-groups li.task').length === 2`, 5*time.Second)

	for _, c := range []struct{ title, control, next string }{
		{"Call grandma", "button.task-open", "Renew passport done"},
		{"Water the plants", "button.task-open", "Empty the bins open"},
	} {
		focus(task(c.title), c.control)
		fetchFrom(phone, http.StatusNoContent, "DELETE", "/api/tasks/"+ids[c.title], nil)
		laptop.waitJS(c.title+" gone, said", `!document.querySelector(`+js(task(c.title))+`) && `+said("“"+c.title+"” was removed on another device."), 5*time.Second)
		if got := eval[string](laptop, focusedTask); got != c.next {
			t.Errorf("focus after %s was deleted on the phone: %s, want %s", c.title, got, c.next)
		}
	}

	items := map[string]string{}
	for _, name := range []string{"Milch", "Eier", "Butter"} {
		items[name] = restAs(t, ana, m, "POST", "/api/shopping/lists/"+ids["Weekly"]+"/items", map[string]any{"name": name, "category": "dairy"})["id"].(string)
	}
	laptop.setLang("de")
	laptop.goTo("/shopping/"+ids["Weekly"], `document.querySelectorAll('li.item').length === 3`)
	item := func(name string) string { return `li.item[data-name=` + js(name) + `]` }
	focus(item("Milch"), "input[type=checkbox]")
	fetchFrom(phone, http.StatusNoContent, "DELETE", "/api/shopping/items/"+items["Milch"], nil)
	laptop.waitJS("Milch gone, said", `!document.querySelector(`+js(item("Milch"))+`) && `+said("„Milch“ wurde auf einem anderen Gerät entfernt."), 5*time.Second)
	if got := eval[string](laptop, focusedItem); got != "Eier" {
		t.Errorf("focus after Milch was deleted on the phone: %s, want Eier", got)
	}

	// Her own delete, from the laptop: no word of another device.
	focus(item("Eier"), "button.icon.danger")
	laptop.do(chromedp.KeyEvent("\r"))
	laptop.waitJS("Eier gone, saved", `!document.querySelector(`+js(item("Eier"))+`) && !document.querySelector('li.item[data-pending]')`, 5*time.Second)
	laptop.waitJS("„Eier“ gelöscht.", `document.querySelector('#toast p')?.textContent === '„Eier“ gelöscht.'`, 5*time.Second)
	if got := eval[string](laptop, saidElsewhere); got != "„Milch“ wurde auf einem anderen Gerät entfernt." {
		t.Errorf("said elsewhere after her own delete of Eier: %q, want only the earlier line on Milch", got)
	}
}

// saidElsewhere is what the page's polite live region for removals on
// another device (#announce) says.
const saidElsewhere = `(document.querySelector('#announce p')?.textContent ?? '')`

// TestBrowserRemovedElsewhereKeepsUndo: Ana deletes Milk on her laptop
// (the notice: "Deleted “Milk”." with Undo; the focus goes to Eggs); her
// phone deletes Eggs meanwhile. The laptop says so, and the Undo of Milk
// is still offered and brings Milk back. Before, the sentence on Eggs
// replaced the notice and Milk's Undo was gone.
func TestBrowserRemovedElsewhereKeepsUndo(t *testing.T) {
	browserTest(t)
	m, ana, ids, laptop, phone := tasksTwoDevices(t, []shotTask{{title: "Call grandma", due: [3]int{2, 10, 0}}})
	items := map[string]string{}
	for _, name := range []string{"Milk", "Eggs", "Butter"} {
		items[name] = restAs(t, ana, m, "POST", "/api/shopping/lists/"+ids["Weekly"]+"/items", map[string]any{"name": name, "category": "dairy"})["id"].(string)
	}
	laptop.goTo("/shopping/"+ids["Weekly"], `document.querySelectorAll('li.item').length === 3`)
	item := func(name string) string { return `document.querySelector('li.item[data-name=` + js(name) + `]')` }
	if !eval[bool](laptop, `(() => { const c = `+item("Milk")+`?.querySelector('button.icon.danger'); c?.focus(); return !!c && document.activeElement === c; })()`) {
		t.Fatal("Milk's delete button not focused")
	}
	laptop.do(chromedp.KeyEvent("\r"))
	undo := `document.querySelector('#toast p')?.textContent === 'Deleted “Milk”.' && document.querySelector('#toast button')?.textContent === 'Undo'`
	laptop.waitJS("Milk deleted, saved, with Undo", `!`+item("Milk")+` && !document.querySelector('li.item[data-pending]') && `+undo, 5*time.Second)
	if got := eval[string](laptop, focusedItem); got != "Eggs" {
		t.Fatalf("focus after her delete of Milk: %s, want Eggs", got)
	}

	fetchFrom(phone, http.StatusNoContent, "DELETE", "/api/shopping/items/"+items["Eggs"], nil)
	laptop.waitJS("Eggs gone, said", `!`+item("Eggs")+` && `+saidElsewhere+` === '“Eggs” was removed on another device.'`, 5*time.Second)
	if !eval[bool](laptop, undo) {
		t.Fatalf("Milk's Undo gone after Eggs was deleted on the phone: the notice shows %q", eval[string](laptop, `document.getElementById('toast').textContent`))
	}
	laptop.click(`#toast .toast-box button`)
	laptop.waitJS("Milk back, saved", item("Milk")+` && !`+item("Milk")+`.dataset.pending`, 5*time.Second)
}

// TestBrowserSnoozedElsewhereNotSaid: a keyboard user on a laptop is on
// Call grandma; her phone snoozes it (it leaves the page, the focus goes
// to Renew passport), then deletes it. Nothing is said of Call grandma:
// it had left the page with the snooze, not by the delete. Before, the
// row that left at the snooze's draw was remembered as left without a
// word, and the later delete said "“Call grandma” was removed on another
// device.". A delete of the focused Renew passport is still said.
func TestBrowserSnoozedElsewhereNotSaid(t *testing.T) {
	browserTest(t)
	_, _, ids, laptop, phone := tasksTwoDevices(t, []shotTask{
		{title: "Call grandma", due: [3]int{2, 10, 0}},
		{title: "Renew passport", due: [3]int{4, 10, 0}},
	})
	laptop.waitJS("the tasks", openTasks+` === 'Call grandma, Renew passport'`, 5*time.Second)
	eval[bool](laptop, `(window.__said = [], new MutationObserver(() => window.__said.push(`+saidElsewhere+`))
  .observe(document.getElementById('announce'), { childList: true, subtree: true, characterData: true }), true)`)
	if !eval[bool](laptop, `(() => { const c = document.querySelector('li.task[data-id="`+ids["Call grandma"]+`"] button.task-open'); c?.focus(); return !!c && document.activeElement === c; })()`) {
		t.Fatal("Call grandma's title not focused")
	}
	until := time.Now().UTC().AddDate(0, 0, 3)
	fetchFrom(phone, http.StatusOK, "POST", "/api/tasks/"+ids["Call grandma"]+"/snooze", map[string]any{"until": until.Format(time.RFC3339)})
	laptop.waitJS("Call grandma snoozed away, the focus on Renew passport", openTasks+` === 'Renew passport' && `+focusedTask+` === 'Renew passport done'`, 5*time.Second)

	fetchFrom(phone, http.StatusNoContent, "DELETE", "/api/tasks/"+ids["Call grandma"], nil)
	fetchFrom(phone, http.StatusNoContent, "DELETE", "/api/tasks/"+ids["Renew passport"], nil)
	want := "“Renew passport” was removed on another device."
	laptop.waitJS("Renew passport gone, said", openTasks+` === '' && `+saidElsewhere+` === `+js(want), 5*time.Second)
	if got := eval[string](laptop, `JSON.stringify(window.__said)`); got != `["`+want+`"]` {
		t.Errorf("said: %s, want only [%q]", got, want)
	}
}
