package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestBrowserOutboxNoticeAnsweredOnce: a notice answered twice at once (a
// double click on "Send the next change", or the same notice answered in
// two tabs) queues its writes once. Ana's room, taken into a notice by
// her refused change of "Dentist", is sent twice over by two answers to
// the notice; the event must be written once.
func TestBrowserOutboxNoticeAnsweredOnce(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	ev := restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": "Dentist",
		"starts_at": day.Add(10 * time.Hour).Format(time.RFC3339), "ends_at": day.Add(11 * time.Hour).Format(time.RFC3339)})
	id := ev["id"].(string)
	base, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	a := newDevice(t, "Ana", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	a.goOffline()
	eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(async ({ enqueue }) => {
		const base = %s;
		const path = '/api/calendar/events/' + base.id;
		await enqueue({ kind: 'event.patch', method: 'PATCH', path, body: { ends_at: %q }, record: base.id, base, label: base.title });
		await enqueue({ kind: 'event.patch', method: 'PATCH', path, body: { location: 'Room 2' }, record: base.id, base, label: base.title });
	}), true)`, base, day.Add(9*time.Hour).Format(time.RFC3339)))
	a.waitJS("two writes waiting", `window.familyhub.outbox.count() === 2`, 5*time.Second)
	a.setOffline(false)
	a.waitJS("the refusal in a notice", `window.familyhub.outbox.count() === 0
		&& !!document.querySelector('#notices li.conflict[data-kind=refused]')`, 10*time.Second)

	eval[bool](a, `(import('/js/outbox.js').then(async ({ notices, sendOthers }) => {
		const n = (await notices()).find((x) => x.kind === 'refused');
		await Promise.all([sendOthers(n), sendOthers(n)]);
		window.answeredTwice = true;
	}), true)`)
	a.waitJS("the answers queued and sent", `window.answeredTwice === true && window.familyhub.outbox.count() === 0`, 10*time.Second)
	if got := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil); got["location"] != "Room 2" || got["version"] != float64(2) {
		t.Errorf("the event is at version %v with room %q, want the room written once (version 2)", got["version"], got["location"])
	}
}
