package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestBrowserCalendarAnswerOlderThanKept: an answer to the device's own
// write, kept on the device, is not laid over a kept range read after it.
// Ana renames the swims (the answer is saved), Ben deletes the series, and
// Ana's calendar reads the agenda again (kept: no swims). Offline, the
// calendar opened again from the kept agenda must not bring the deleted
// series back from the saved answer.
func TestBrowserCalendarAnswerOlderThanKept(t *testing.T) {
	browserTest(t)
	c, _, ben, swim, _ := weeklyFromTomorrow(t, map[string]any{"title": "Swimming"})
	id := swim["id"].(string)
	base, err := json.Marshal(swim)
	if err != nil {
		t.Fatal(err)
	}
	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	swims := func(title string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('.agenda li.event')].filter((e) => e.dataset.title === %q).length`, title)
	}
	a.goTo("/calendar", swims("Swimming")+` === 4`)
	eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(({ enqueue }) => {
		const base = %s;
		return enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id, body: { title: 'Swim club' }, record: base.id, base, label: base.title });
	}), true)`, base))
	a.waitJS("the rename saved and shown", `window.familyhub.outbox.count() === 0 && `+swims("Swim club")+` === 4`, 10*time.Second)
	restAs(t, ben, c.b, "DELETE", "/api/calendar/events/"+id, nil)
	a.goTo("/shopping", `!!document.querySelector('.add-item input')`)
	a.goTo("/calendar", `!!document.querySelector('.agenda') && `+swims("Swim club")+` === 0 && `+swims("Swimming")+` === 0`)
	a.waitJS("the agenda kept without the swims", `(import('/js/cache.js').then((c) => c.kept('calendar')).then((k) => {
		window.__keptSwims = k?.ranges?.some((r) => r.occurrences.some((o) => o.id === `+js(id)+`)); }), window.__keptSwims === false)`, 10*time.Second)

	a.goOffline()
	a.goTo("/shopping", `!!document.querySelector('.add-item input')`)
	a.goTo("/calendar", `!!document.querySelector('.agenda li.event, .agenda .empty, .agenda')`)
	a.waitJS("the kept agenda shown", `!!document.querySelector('.agenda') && !document.querySelector('.cal-body .loading')`, 10*time.Second)
	if n := eval[int](a, swims("Swim club")); n != 0 {
		t.Errorf("offline the calendar shows %d swims of the series deleted elsewhere, want none", n)
	}
}
