package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// holdTaskReads is a script for browserOpts: the page's reads of tasks are
// counted with the path shown when each was sent (window.__taskReads), and
// while window.__hold is set they wait until the test lets them go
// (window.__letTasksGo()); window.__tasksAnswered counts the answers.
const holdTaskReads = `window.__taskReads = []; window.__heldTasks = []; window.__tasksAnswered = 0;
{
	const send = window.fetch.bind(window);
	const read = (input, init) => send(input, init).then((r) => { window.__tasksAnswered++; return r; });
	window.fetch = (input, init) => {
		if (!String(input?.url ?? input).includes('/api/tasks')) return send(input, init);
		window.__taskReads.push(location.pathname);
		if (!window.__hold) return read(input, init);
		return new Promise((resolve) => window.__heldTasks.push(() => resolve(read(input, init))));
	};
	window.__letTasksGo = () => { window.__hold = false; for (const go of window.__heldTasks.splice(0)) go(); return true; };
}`

// TestBrowserTasksLeftClockStops: the tasks page's clock (it draws the page
// again at due times and at midnight) stops with the page. Ana opens the
// tasks on a slow network (the device's copy shows, the server's answer
// is on its way), goes to the calendar, and then the answer comes: the
// page left takes it. At midnight (the page's clock is set so that it
// is ten minutes ahead and moved on past it, its timers held: pageTimers;
// the family's zone is UTC) the calendar
// moves on, and no tasks are read while the calendar is shown. Before,
// the answer drew the page left and armed its clock again, never cleared:
// it went on for good and read the tasks at every midnight.
func TestBrowserTasksLeftClockStops(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"UTC"}`)
	seedFamily(t, m, ana)
	start := time.Now()
	midnight := start.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if midnight.Sub(start) < time.Hour {
		midnight = midnight.Add(24 * time.Hour)
	}
	off := midnight.Add(-10 * time.Minute).Sub(start) // the page starts ten minutes before its midnight
	restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Pick up the parcel", "due_at": midnight.Add(17 * time.Hour).Format(time.RFC3339)})
	restAs(t, ana, m, "POST", "/api/calendar/events", map[string]any{"title": "Dentist", "starts_at": midnight.Add(10 * time.Hour).Format(time.RFC3339), "ends_at": midnight.Add(11 * time.Hour).Format(time.RFC3339)})

	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB", script: pageTimers(off, heldTasksClock, heldCalendarMidnight) + holdTaskReads})
	phone.login(m.URL(), "ana@example.org")
	parcel := `[...document.querySelectorAll('li.task')].find((li) => li.querySelector('.title')?.textContent === 'Pick up the parcel')`
	dentist := `[...document.querySelectorAll('section.day')].find((s) => s.querySelector('li.event[data-title="Dentist"]'))?.querySelector('h2').textContent`
	phone.goTo("/tasks", parcel) // read and kept on the device
	phone.goTo("/calendar", dentist)
	eval[bool](phone, `window.__hold = true`)
	phone.goTo("/tasks", parcel) // the kept copy, the server's answer held
	phone.goTo("/calendar", dentist+`?.startsWith('Tomorrow · ')`)
	answered := eval[int](phone, `window.__tasksAnswered`)
	held := eval[int](phone, `window.__heldTasks.length`)
	if held == 0 {
		t.Fatal("no read of the tasks was held")
	}
	eval[bool](phone, `window.__letTasksGo()`)
	phone.waitJS("the held reads answered", `window.__tasksAnswered >= `+strconv.Itoa(answered+held), 10*time.Second)
	// The answer drawn on the page left would arm its clock again within
	// moments; a little more for a slow machine.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n := eval[int](phone, `window.__held('tasksClock')`); n != 0 {
			t.Fatalf("%d clocks of the tasks page left armed while the calendar is shown", n)
		}
	}
	before := eval[int](phone, `window.__taskReads.length`)
	advanceTo(phone, midnight.Add(time.Second))
	phone.waitJS("the calendar moved on at midnight", dentist+`?.startsWith('Today · ')`, 10*time.Second)
	// A page left's clock would have fired with the calendar's, at
	// midnight: its read would have been sent by now; a little more for a
	// slow machine.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if got := eval[[]string](phone, `window.__taskReads.slice(`+strconv.Itoa(before)+`)`); len(got) > 0 {
			t.Fatalf("tasks read while the calendar is shown, at midnight: %v", got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
