package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// keptCalendarLacks is the condition "no range the calendar keeps shows an
// event titled title".
func keptCalendarLacks(title string) string {
	return fmt.Sprintf(`(import('/js/cache.js').then((c) => c.kept('calendar'))
		.then((k) => { window.__keptLacks = window.__keptLacks || {}; window.__keptLacks[%[1]q] = !k?.ranges?.some((r) => r.occurrences.some((o) => o.title === %[1]q)); }),
		window.__keptLacks?.[%[1]q] === true)`, title)
}

// TestBrowserCalendarReinserted: a deletion the device heard does not
// outlive the record coming back with its id (the assistant's Undo puts a
// deleted event back as it was, id and all).
//
// On the dentist's week, Ana's laptop moves the dentist to room 2 (the
// answer is kept), then she tells the assistant "cancel the dentist" (the
// page hears the deletion and keeps it, over the answer) and presses Undo:
// the page hears the dentist back and reads the week again. She moves it
// to room 3: the answer to that write is kept. Offline, she opens the
// calendar again and steps to the dentist's week, read after the Undo: the
// dentist is there. Before, the kept deletion was laid over every kept
// range, the one read after the Undo too, and the week was empty; and the
// answer to her move to room 3 was refused ("deleted stays deleted") until
// 200 newer answers pushed the deletion out.
func TestBrowserCalendarReinserted(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	day := time.Now().UTC().AddDate(0, 0, 16).Format("2006-01-02")
	ev := restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Dentist", "starts_at": day + "T10:00:00Z", "ends_at": day + "T11:00:00Z"})
	id := ev["id"].(string)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/calendar", `!!document.querySelector('.week-grid') && !!document.querySelector('.cal-nav .range').textContent`)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, from the server", weekChip("Dentist"), 10*time.Second)
	b.waitJS("the dentist's week kept", keptCalendarHas("Dentist"), 10*time.Second)
	dentistWeek := eval[string](b, `document.querySelector('.cal-nav .range').textContent`)
	eval[bool](b, `(() => { window.__heard = []; const rt = window.familyhub.rt, on = rt.onEvent;
		rt.onEvent = (e) => { window.__heard.push(e); on(e); }; return true; })()`)

	// move enqueues a change of the dentist's room from the laptop and waits
	// until its answer is kept.
	move := func(room string) {
		t.Helper()
		base, err := json.Marshal(restAs(t, ana, m, "GET", "/api/calendar/events/"+id, nil))
		if err != nil {
			t.Fatal(err)
		}
		eval[bool](b, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
			const base = %s;
			return enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { location: %q }, record: base.id, base, label: base.title });
		}), true)`, base, room))
		b.waitJS("the move to "+room+" answered and kept", `window.familyhub.outbox.count() === 0
			&& import('/js/outbox.js').then((o) => { window.__answered = o.savedAnswers().get(`+js(id)+`)?.record?.location; }) && window.__answered === `+js(room), 10*time.Second)
	}
	move("Room 2")

	b.setValue(`#assistant-input`, "cancel the dentist")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the assistant's answer, with Undo", `!!document.querySelector('.assistant-reply button.undo')`, 10*time.Second)
	b.waitJS("the deletion heard", `window.__heard.some((e) => e.id === `+js(id)+` && e.op === 'delete')`, 10*time.Second)
	b.waitJS("the deletion kept", `import('/js/outbox.js').then((o) => { window.__gone = o.savedAnswers().get(`+js(id)+`)?.record === null; }) && window.__gone === true`, 10*time.Second)
	b.waitJS("the week read again, kept without the dentist", `!`+weekChip("Dentist")+` && `+keptCalendarLacks("Dentist"), 10*time.Second)

	b.click(`.assistant-reply button.undo`)
	b.waitJS("the dentist heard back", `window.__heard.some((e) => e.id === `+js(id)+` && e.op !== 'delete' && e.seq > window.__heard.find((d) => d.id === `+js(id)+` && d.op === 'delete').seq)`, 10*time.Second)
	b.waitJS("the week read again, kept with the dentist", weekChip("Dentist")+` && `+keptCalendarHas("Dentist"), 10*time.Second)
	move("Room 3")

	b.goOffline()
	b.goTo("/tasks", `location.pathname === '/tasks'`)
	b.goTo("/calendar", `location.pathname === '/calendar' && !!document.querySelector('.cal-nav')`)
	b.waitJS("this week, kept", `!!document.querySelector('.cal-body .week-grid') && !document.querySelector('.offline-state')`, 10*time.Second)
	calNav(b, 3)
	calNav(b, 3)
	b.waitJS("the dentist's week, kept", `document.querySelector('.cal-nav .range').textContent === `+js(dentistWeek)+`
		&& !!document.querySelector('.cal-body .week-grid') && !document.querySelector('.offline-state')`, 5*time.Second)
	if !eval[bool](b, weekChip("Dentist")) {
		t.Errorf("offline the dentist's week (read after the Undo put the dentist back) shows %q, want the dentist",
			eval[string](b, `[...document.querySelectorAll('.week-grid li.event')].map((e) => e.dataset.title).join()`))
	}
}

// TestBrowserTaskReinserted: the same for a task (TaskReinsert). Ana's
// laptop changes the bike's note; its answer is held on the way while she
// tells the assistant "delete the task fix the bike", so the tasks page,
// hearing the deletion, keeps it over that older answer (which then comes
// and is not kept). She presses Undo, then changes the note again: that
// answer is kept, and the page shows it at once, with no read of the task
// (held here). Before, the deletion refused it: the outbox's until 200
// newer answers pushed it out, the page's until an event made it read the
// task again (answers.js).
func TestBrowserTaskReinserted(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // sign-in opens it
	id := restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Fix the bike"})["id"].(string)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/tasks", `!!document.querySelector('li.task[data-id=`+js(id)+`]')`)
	eval[bool](b, `(() => { window.__heard = []; const rt = window.familyhub.rt, on = rt.onEvent;
		rt.onEvent = (e) => { window.__heard.push(e); on(e); }; return true; })()`)
	// The answers to PATCHes of the bike wait (sent and done at the server) until __release.
	eval[bool](b, `(() => { window.__release = null; window.__sent = 0; const f = window.fetch;
		window.fetch = (path, opts) => {
			const p = f(path, opts);
			if (opts?.method !== 'PATCH' || !String(path).endsWith(`+js("/api/tasks/"+id)+`) || window.__sent++ > 0) return p;
			return p.then((res) => new Promise((resolve) => { window.__release = () => resolve(res); }));
		}; return true; })()`)
	note := func(notes string) {
		t.Helper()
		base, err := json.Marshal(restAs(t, ana, m, "GET", "/api/tasks/"+id, nil))
		if err != nil {
			t.Fatal(err)
		}
		eval[bool](b, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
			const base = %s;
			return enqueue({ kind: 'task.patch', method: 'PATCH', path: '/api/tasks/' + base.id, body: { notes: %q }, record: base.id, base, label: base.title });
		}), true)`, base, notes))
	}
	note("chain")
	b.waitJS("the note's answer held", `typeof window.__release === 'function'`, 10*time.Second)

	b.setValue(`#assistant-input`, "delete the task fix the bike")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the assistant's answer, with Undo", `!!document.querySelector('.assistant-reply button.undo')`, 10*time.Second)
	b.waitJS("the deletion heard", `window.__heard.some((e) => e.id === `+js(id)+` && e.op === 'delete')`, 10*time.Second)
	eval[bool](b, `(window.__release(), true)`)
	b.waitJS("the held answer came, the deletion kept over it", `window.familyhub.outbox.count() === 0
		&& import('/js/outbox.js').then((o) => { window.__gone = o.savedAnswers().get(`+js(id)+`)?.record === null; }) && window.__gone === true`, 10*time.Second)

	b.click(`.assistant-reply button.undo`)
	b.waitJS("the bike heard back", `window.__heard.some((e) => e.id === `+js(id)+` && e.op !== 'delete' && e.seq > window.__heard.find((d) => d.id === `+js(id)+` && d.op === 'delete').seq)`, 10*time.Second)
	bike := `document.querySelector('li.task[data-id=` + js(id) + `]')`
	b.waitJS("the bike shown again", `!!`+bike, 10*time.Second)
	// From now on the page's reads of the bike are never answered: only the answer to the write can show it.
	eval[bool](b, `(() => { const f = window.fetch;
		window.fetch = (path, opts) => (opts?.method ?? 'GET') === 'GET' && String(path).endsWith(`+js("/api/tasks/"+id)+`) ? new Promise(() => {}) : f(path, opts);
		return true; })()`)
	note("oil")
	b.waitJS("the note's answer kept", `window.familyhub.outbox.count() === 0
		&& import('/js/outbox.js').then((o) => { window.__notes = o.savedAnswers().get(`+js(id)+`)?.record?.notes; }) && window.__notes === 'oil'`, 10*time.Second)
	b.waitJS("the note's answer shown on the page", bike+`?.querySelector('.notes')?.textContent === 'oil'`, 5*time.Second)
}
