package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// dueTexts lists each task's title and due line, "title=due".
const dueTexts = `[...document.querySelectorAll('li.task:has(label.tick)')].map((li) => li.querySelector('.title').textContent + '=' + (li.querySelector('.due')?.textContent ?? '')).join(' | ')`

// TestBrowserTasksOverdueSaid: a task past its due time says so in words,
// not only in red: "Overdue: …" in English (a 360 px phone), "Überfällig:
// …" in German (the kitchen tablet, dark), for one due an hour ago and one
// due yesterday; one due later today does not. Before, the late ones
// showed their time in red alone (nothing for a colour-blind reader or a
// screen reader).
func TestBrowserTasksOverdueSaid(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	seedFamily(t, m, ana)
	now := time.Now()
	for title, due := range map[string]time.Time{"Feed the cat": now.Add(-time.Hour), "Return library books": now.Add(-26 * time.Hour), "Order pizza": now.Add(3 * time.Hour)} {
		restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": title, "due_at": due.UTC().Format(time.RFC3339)})
	}
	for _, run := range []struct {
		name, lang, late string
		w, h             int64
		dark             bool
	}{{"phone-en", "en-GB", "Overdue: ", 360, 740, false}, {"tablet-de", "de-DE", "Überfällig: ", 1180, 820, true}} {
		t.Run(run.name, func(t *testing.T) {
			b := newDevice(t, run.name, run.w, run.h, browserOpts{lang: run.lang, dark: run.dark})
			b.login(m.URL(), "ana@example.org")
			b.goTo("/tasks", `[...document.querySelectorAll('li.task .title')].some((e) => e.textContent === 'Order pizza')`)
			said := func(title string) bool {
				return eval[bool](b, `(() => { const li = [...document.querySelectorAll('li.task')].find((li) => li.querySelector('.title')?.textContent === `+js(title)+`);
  const due = li.querySelector('.due'); return due.classList.contains('late') && due.textContent.startsWith(`+js(run.late)+`); })()`)
			}
			for _, title := range []string{"Feed the cat", "Return library books"} {
				if !said(title) {
					t.Errorf("%q is not said to be late (%s): %s", title, run.late, eval[string](b, dueTexts))
				}
			}
			if said("Order pizza") {
				t.Errorf("Order pizza, due later, is said to be late: %s", eval[string](b, dueTexts))
			}
		})
	}
}

// TestBrowserTasksTurnLate: the tasks page left open (a kitchen tablet,
// German) says a task is late once its time passes, by itself: "Bins out",
// due ten minutes after the page shows it on time, says "Überfällig: …"
// once the page's clock passes its time (the clock moved on, its timers
// held: pageTimers). Before, it kept its time (not red, no word)
// until something else drew the page again.
func TestBrowserTasksTurnLate(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	seedFamily(t, m, ana)
	b := newDevice(t, "tablet", 1180, 820, browserOpts{lang: "de-DE", script: pageTimers(0, heldTasksClock)})
	b.login(m.URL(), "ana@example.org")
	due := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Bins out", "due_at": due.UTC().Format(time.RFC3339)})
	b.goTo("/tasks", `[...document.querySelectorAll('li.task .title')].some((e) => e.textContent === 'Bins out')`)
	dueLine := `[...document.querySelectorAll('li.task')].find((li) => li.querySelector('.title')?.textContent === 'Bins out').querySelector('.due')`
	if eval[bool](b, dueLine+`.classList.contains('late')`) {
		t.Fatalf("Bins out is late before its time: %s", eval[string](b, dueLine+`.textContent`))
	}
	advanceTo(b, due.Add(-time.Second))
	if eval[bool](b, dueLine+`.classList.contains('late')`) {
		t.Fatalf("Bins out is late a second before its time: %s", eval[string](b, dueLine+`.textContent`))
	}
	advanceTo(b, due.Add(time.Second))
	b.waitJS("Bins out late by itself", dueLine+`.classList.contains('late') && `+dueLine+`.textContent.startsWith('Überfällig: ')`, 10*time.Second)
}
