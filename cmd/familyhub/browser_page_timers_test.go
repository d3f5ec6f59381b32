package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The page's own timers that browser tests hold and let go on demand, each
// known by a piece of its callback's source (no hook in the app): a check
// that a timer has not fired yet cannot race it on a loaded machine, and a
// clock that strikes in 25 s is struck at once. A timer held is not
// scheduled at all; no other timer of the app is touched.
const (
	// heldSettle: the pause after ticks before a ticked row moves
	// (views/settle.js).
	heldSettle = "settle"
	// heldTasksClock: the tasks page drawn again at a due time or at
	// midnight (views/tasks.js).
	heldTasksClock = "tasksClock"
	// heldCalendarMidnight: the calendar moving on at midnight
	// (views/calendar.js).
	heldCalendarMidnight = "calendarMidnight"
	// heldTypeAhead: the pause after which a letter typed in a menu starts
	// a new type-ahead prefix (menu.js).
	heldTypeAhead = "typeAhead"
)

var heldMarks = map[string]string{
	heldSettle:           `before.clear()`,
	heldTasksClock:       `today() !== shownDay`,
	heldCalendarMidnight: `anchor === day`,
	heldTypeAhead:        `function forgetTyped()`,
}

// pageTimers is a script for browserOpts: the page's clock (Date and
// Date.now) is off by off milliseconds, and the timers named by held are
// held. In the page, __held(name) counts the held timers of that name,
// __delays(name) lists the delays (ms) they were set with,
// __fire(name) runs them now, and __advance(ms) moves the clock on by ms
// and runs the held timers due by then (in order, and those they set).
func pageTimers(off time.Duration, held ...string) string {
	marks := make([]string, 0, len(held))
	for _, h := range held {
		mark, ok := heldMarks[h]
		if !ok {
			panic("pageTimers: unknown timer " + h)
		}
		marks = append(marks, fmt.Sprintf("[%s, %s]", js(h), js(mark)))
	}
	return fmt.Sprintf(`{
  let off = %d;
  const RD = Date, set = window.setTimeout.bind(window), clear = window.clearTimeout.bind(window);
  const marks = [%s], held = new Map();
  let next = 1e9;
  globalThis.Date = class extends RD { constructor(...a) { if (a.length) super(...a); else super(RD.now() + off); } static now() { return RD.now() + off; } };
  window.setTimeout = function (fn, ms, ...args) {
    const src = typeof fn === 'function' ? String(fn) : '';
    const m = marks.find(([, mark]) => src.includes(mark));
    if (!m) return set(fn, ms, ...args);
    const id = next++;
    held.set(id, { name: m[0], fn, args, ms: Number(ms) || 0, at: Date.now() + (Number(ms) || 0) });
    return id;
  };
  window.clearTimeout = (id) => { if (!held.delete(id)) clear(id); };
  window.__held = (name) => [...held.values()].filter((h) => h.name === name).length;
  window.__delays = (name) => [...held.values()].filter((h) => h.name === name).map((h) => h.ms);
  window.__fire = (name) => {
    let n = 0;
    for (const [id, h] of [...held]) if (h.name === name) { held.delete(id); h.fn(...h.args); n++; }
    return n;
  };
  window.__advance = (ms) => {
    off += ms;
    let n = 0;
    for (;;) {
      const due = [...held].filter(([, h]) => h.at <= Date.now()).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) return n;
      held.delete(due[0]);
      due[1].fn(...due[1].args);
      n++;
    }
  };
}`, off.Milliseconds(), strings.Join(marks, ", "))
}

// fireSettle ends the pause after the ticks on b's page now (pageTimers
// with heldSettle): the ticked rows move or go.
func fireSettle(t *testing.T, b *browser) {
	t.Helper()
	if n := eval[int](b, `window.__fire('settle')`); n != 1 {
		t.Fatalf("%d pauses after ticks held, want 1", n)
	}
}

// advanceTo moves b's page clock (pageTimers) on to at and runs the held
// timers due by then; it answers how many ran.
func advanceTo(b *browser, at time.Time) int {
	return eval[int](b, fmt.Sprintf(`window.__advance(Math.max(0, %d - Date.now()))`, at.UnixMilli()))
}

// TestHeldMarksUnique: each piece of source pageTimers knows a held timer
// by appears exactly once in the app's scripts (served as written, no
// build step), so holding it cannot hold another timer, and a rename that
// loses it fails here rather than as a timer left running.
func TestHeldMarksUnique(t *testing.T) {
	counts := map[string]int{}
	err := filepath.WalkDir("../../web/static/js", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		src, err := os.ReadFile(path)
		for name, mark := range heldMarks {
			counts[name] += strings.Count(string(src), mark)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, mark := range heldMarks {
		if counts[name] != 1 {
			t.Errorf("%s: %q appears %d times in web/static/js, want 1", name, mark, counts[name])
		}
	}
}
