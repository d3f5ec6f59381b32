package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// taskTick is the done box of the task titled title (a JS expression).
func taskTick(title string) string {
	return `[...document.querySelectorAll('li.task')].find((li) => li.querySelector('.title')?.textContent === ` + js(title) + `).querySelector('label.tick')`
}

// openTasks lists the "Other open tasks", each with ✓ when ticked.
const openTasks = `[...document.querySelectorAll('#h-open + ul li.task')].map((li) => li.querySelector('.title').textContent + (li.classList.contains('done') ? '✓' : '')).join(', ')`

// drawnAgain sets window.__drawn once the tasks are drawn again.
const drawnAgain = `(window.__drawn = false, new MutationObserver(() => { window.__drawn = true; })
  .observe(document.querySelector('.tasks-body'), { subtree: true, childList: true, attributeFilter: ['aria-busy', 'data-pending'] }), true)`

// TestBrowserTasksTicksKeepPlace: ticking open tasks done one after another
// by tapping where each is. On the kitchen tablet in portrait (820 × 1180,
// English) a tap on "Tidy your room" and, once the page is drawn again, a
// tap where "Call grandma" is tick those two: they stay in place, struck
// through, while the ticking goes on, and a notice offers Undo ("Done:
// “Call grandma”."); once the ticking pauses they leave the open tasks, and
// Undo brings Call grandma back, not done, at once (not held for the
// pause a tick in the list is held). On a 360 px phone in German the
// notice is "„Book the summer holiday“ erledigt.". Before, a task ticked
// done left the list at once (the second tap ticked "Book the summer
// holiday", which had slid up), with no way back from the page.
func TestBrowserTasksTicksKeepPlace(t *testing.T) {
	browserTest(t)
	m, f, tablet := tasksHeld(t, "tablet", 820, 1180)
	want := "Tidy your room, Call grandma, Book the summer holiday, Renew passport"
	if got := eval[string](tablet, openTasks); got != want {
		t.Fatalf("open tasks before: %s, want %s", got, want)
	}
	tidy := tablet.centerOf(taskTick("Tidy your room"))
	grandma := tablet.centerOf(taskTick("Call grandma"))
	eval[bool](tablet, drawnAgain)
	tablet.do(chromedp.MouseClickXY(tidy[0], tidy[1]))
	tablet.waitJS("the tasks drawn again after the first tick", `window.__drawn`, 5*time.Second)
	tablet.do(chromedp.MouseClickXY(grandma[0], grandma[1]))
	// The pause after the ticks is held (pageTimers): the rows cannot have
	// moved yet, however slow the machine.
	tablet.waitJS("the two first ticked, in place", openTasks+` === 'Tidy your room✓, Call grandma✓, Book the summer holiday, Renew passport'`, 5*time.Second)
	tablet.waitJS("the notice for the second", `document.querySelector('.toast-box p')?.textContent === 'Done: “Call grandma”.'
		&& document.querySelector('.toast-box button')?.textContent === 'Undo'`, 5*time.Second)
	if got := eval[string](tablet, openTasks); got != "Tidy your room✓, Call grandma✓, Book the summer holiday, Renew passport" {
		t.Fatalf("before the ticking paused: %s, want the two ticked in place", got)
	}
	fireSettle(t, tablet)
	tablet.waitJS("the done tasks gone once the ticking paused", openTasks+` === 'Book the summer holiday, Renew passport'`, 10*time.Second)
	tablet.click(`.toast-box button`)
	// At once, with the pause still held: Undo is not a tick in the list
	// (before, Call grandma was held as done and came back only once the
	// pause after Undo was over).
	tablet.waitJS("Call grandma back, not done, at once", openTasks+` === 'Call grandma, Book the summer holiday, Renew passport'`, 5*time.Second)

	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "de-DE", script: pageTimers(0, heldSettle)})
	phone.login(m.URL(), f.email)
	phone.goTo("/tasks", `document.querySelector('#h-open + ul li.task')`)
	phone.waitJS("Call grandma open here too", openTasks+` === 'Call grandma, Book the summer holiday, Renew passport'`, 10*time.Second)
	eval[bool](phone, `(`+taskTick("Book the summer holiday")+`.scrollIntoView({ block: 'center' }), true)`)
	phone.clickAt(taskTick("Book the summer holiday"))
	phone.waitJS("the German notice", `document.querySelector('.toast-box p')?.textContent === '„Book the summer holiday“ erledigt.'
		&& document.querySelector('.toast-box button')?.textContent === 'Rückgängig'`, 5*time.Second)
	phone.waitJS("Book the summer holiday ticked, in place", openTasks+` === 'Call grandma, Book the summer holiday✓, Renew passport'`, 5*time.Second)
	fireSettle(t, phone)
	phone.waitJS("gone once the ticking paused", openTasks+` === 'Call grandma, Renew passport'`, 10*time.Second)
}

// TestBrowserTasksTickKeyboardFocus: a keyboard user ticks the open task
// "Tidy your room" done with Space (a 360 px phone, English); once the
// ticking pauses the task leaves the open tasks and the focus is on the
// done box of the task after it, "Call grandma". Before, the focus fell to
// the start of the page with the row that left.
func TestBrowserTasksTickKeyboardFocus(t *testing.T) {
	browserTest(t)
	_, _, phone := tasksHeld(t, "phone", 360, 740)
	box := `[...document.querySelectorAll('#h-open + ul li.task')].find((li) => li.querySelector('.title').textContent === %q)?.querySelector('input[type=checkbox]')`
	eval[bool](phone, fmt.Sprintf(box, "Tidy your room")+`.focus() ?? true`)
	phone.do(chromedp.KeyEvent(" "))
	phone.waitJS("Tidy your room ticked, in place", openTasks+` === 'Tidy your room✓, Call grandma, Book the summer holiday, Renew passport'`, 5*time.Second)
	fireSettle(t, phone)
	phone.waitJS("Tidy your room gone once the ticking paused", openTasks+` === 'Call grandma, Book the summer holiday, Renew passport'`, 10*time.Second)
	phone.waitJS("the focus on Call grandma's done box", `document.activeElement === `+fmt.Sprintf(box, "Call grandma"), 2*time.Second)
}

// tasksHeld signs a device of the shots family in on /tasks, its page's
// settle pause held (pageTimers): the tick tests' start.
func tasksHeld(t *testing.T, name string, w, h int64) (*Main, shotFamily, *browser) {
	t.Helper()
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.Calendar.AllowPrivateSubscriptions = true })
	f := seedShots(t, m, "en")
	b := newDevice(t, name, w, h, browserOpts{lang: "en-GB", script: pageTimers(0, heldSettle)})
	b.login(m.URL(), f.email)
	b.goTo("/tasks", `document.querySelector('#h-open + ul li.task')`)
	return m, f, b
}

// TestBrowserTasksTickKeyboardFocusNotMine: on a laptop in English Mia, a
// child, ticks her "Feed the cat" done with Space; once the ticking
// pauses the focus is on the next row, Ana's "Call grandma", which Mia
// may open but not tick: at its title's button. Her last open task then
// ("Tidy your room") hands the focus back to that row, the one before it.
// Before, a row without a tick box Mia may use was skipped: the focus
// jumped past Call grandma to Tidy your room, and after the last task to
// the section's heading.
func TestBrowserTasksTickKeyboardFocusNotMine(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	inv := restAs(t, ana, m, "POST", "/api/family/invites", map[string]any{"role": "child"})
	mia := signupAt(t, m.URL(), fmt.Sprintf(`{"email":"mia@example.org","password":"correct horse","display_name":"Mia","invite_code":%q}`, inv["code"]))
	tomorrow := time.Now().Add(26 * time.Hour)
	for i, tk := range []struct{ title, who string }{{"Feed the cat", mia.userID}, {"Call grandma", ana.userID}, {"Tidy your room", mia.userID}} {
		restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": tk.title, "assignee_id": tk.who,
			"due_at": tomorrow.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)})
	}
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: pageTimers(0, heldSettle)})
	b.login(m.URL(), "mia@example.org")
	b.goTo("/tasks", openTasks+` === 'Feed the cat, Call grandma, Tidy your room'`)
	row := `[...document.querySelectorAll('#h-open + ul li.task')].find((li) => li.querySelector('.title').textContent === %q)`
	if !eval[bool](b, fmt.Sprintf(row, "Call grandma")+`.querySelector('input[type=checkbox]').disabled`) {
		t.Fatal("Mia may tick Ana's task")
	}
	grandma := fmt.Sprintf(row, "Call grandma") + `.querySelector('button.task-open')`
	for _, title := range []string{"Feed the cat", "Tidy your room"} {
		eval[bool](b, fmt.Sprintf(row, title)+`.querySelector('input[type=checkbox]').focus() ?? true`)
		b.do(chromedp.KeyEvent(" "))
		b.waitJS(title+" ticked", openTasks+` .includes(`+js(title+"✓")+`)`, 5*time.Second)
		fireSettle(t, b)
		b.waitJS(title+" gone", `!`+openTasks+`.includes(`+js(title)+`)`, 10*time.Second)
		b.waitJS("the focus on Call grandma's title", `document.activeElement === `+grandma, 2*time.Second)
	}
}

// settleFirstTask is settleFirst for the tasks page: the pause after the
// next tick ends inside the tick's own change event, and
// window.__settledFirst then holds the settles fired and whether the
// ticked row was drawn done by then ("drawn": the outbox drew it first).
// The row is read anew by its id, just before the settle: a draw may have
// replaced the one ticked, and the settle's draw may take it away.
const settleFirstTask = `(document.addEventListener('change', (e) => {
  const li = document.querySelector('li.task[data-id="' + CSS.escape(e.target.closest('li.task').dataset.id) + '"]');
  const drawn = li?.classList.contains('done') ? 'drawn' : 'not drawn';
  window.__settledFirst = window.__fire('settle') + ' ' + drawn;
}, { once: true }), true)`

// TestBrowserTasksTickFocusEitherOrder is the tasks page's
// TestBrowserShoppingTickFocusEitherOrder: a keyboard user on a phone
// ticks tasks with Space. An open task done leaves the other open tasks
// and the focus lands on the next one; a task of Today done moves to the
// end of Today and the focus stays on it; both whether the pause after
// the tick ends after the outbox drew the tick or before it (the settle
// fired from the tick's change event). In the second order the settle's
// draw still shows the row as it was, and the outbox's next draw moves it.
func TestBrowserTasksTickFocusEitherOrder(t *testing.T) {
	browserTest(t)
	m, _, _ := tasksFamily(t, []shotTask{
		{title: "Water the plants", due: [3]int{0, 23, 0}},
		{title: "Feed the cat", due: [3]int{0, 23, 10}},
		{title: "Call grandma", due: [3]int{2, 10, 0}},
		{title: "Book the summer holiday", due: [3]int{3, 10, 0}},
		{title: "Renew passport", due: [3]int{4, 10, 0}},
	})
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB", script: pageTimers(0, heldSettle)})
	phone.login(m.URL(), "ana@example.org")
	phone.goTo("/tasks", todayTasks+` === 'Water the plants, Feed the cat' && `+openTasks+` === 'Call grandma, Book the summer holiday, Renew passport'`)
	box := func(title string) string {
		return `[...document.querySelectorAll('li.task')].find((li) => li.querySelector('.title').textContent === ` + js(title) + `)?.querySelector('input[type=checkbox]')`
	}
	tick := func(title string) {
		t.Helper()
		if !eval[bool](phone, `(() => { const b = `+box(title)+`; b?.focus(); return !!b && document.activeElement === b; })()`) {
			t.Fatalf("%s's done box not focused", title)
		}
		phone.do(chromedp.KeyEvent(" "))
	}
	focusOn := func(title, after string) {
		t.Helper()
		if got := eval[string](phone, focusedTask); got != title+" done" {
			t.Errorf("focus %s: %s, want %s done", after, got, title)
		}
	}
	settledFirst := func(want string) {
		t.Helper()
		if got := eval[string](phone, `window.__settledFirst`); got != want {
			t.Fatalf("settles fired in the change event, and the row then: %q, want %q (before the outbox drew the tick)", got, want)
		}
	}

	// An open task done: it leaves, the focus goes to the next.
	tick("Call grandma")
	phone.waitJS("the tick drawn from the outbox, the row still shown", openTasks+` === 'Call grandma✓, Book the summer holiday, Renew passport'`, 5*time.Second)
	fireSettle(t, phone)
	phone.waitJS("Call grandma gone", openTasks+` === 'Book the summer holiday, Renew passport'`, 5*time.Second)
	focusOn("Book the summer holiday", "after Call grandma went (settle after the outbox's draw)")

	eval[bool](phone, settleFirstTask)
	tick("Book the summer holiday")
	phone.waitJS("Book the summer holiday gone", openTasks+` === 'Renew passport'`, 5*time.Second)
	settledFirst("1 not drawn")
	focusOn("Renew passport", "after Book the summer holiday went (settle before the outbox's draw)")

	// A task of Today done: it moves to the end of Today, the focus with it.
	tick("Water the plants")
	phone.waitJS("the tick drawn from the outbox, in place", todayTasks+` === 'Water the plants✓, Feed the cat'`, 5*time.Second)
	fireSettle(t, phone)
	phone.waitJS("Water the plants moved down", todayTasks+` === 'Feed the cat, Water the plants✓'`, 5*time.Second)
	focusOn("Water the plants", "after Water the plants moved (settle after the outbox's draw)")

	eval[bool](phone, settleFirstTask)
	tick("Feed the cat")
	phone.waitJS("Feed the cat moved down", todayTasks+` === 'Water the plants✓, Feed the cat✓'`, 5*time.Second)
	settledFirst("1 not drawn")
	phone.waitJS("no write waiting", `!document.querySelector('li.task[data-pending]')`, 10*time.Second)
	focusOn("Feed the cat", "after Feed the cat moved (settle before the outbox's draw)")
}
