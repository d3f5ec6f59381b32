package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestBrowserOutboxRefusedOccurrence: a change of one occurrence refused
// for good (422) takes with it only the later changes of that occurrence,
// made on top of it. Ana, offline, moves the end of next week's
// "Swimming" before its start, then renames that occurrence, renames the
// one of the week after, and sets the series' pool. Back online the first
// is refused and the rename of the same occurrence waits in the notice;
// the other occurrence's rename and the series' pool do not depend on it
// and are saved (as after a 404 of one occurrence).
func TestBrowserOutboxRefusedOccurrence(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	ev := restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": "Swimming", "rrule": "FREQ=WEEKLY",
		"starts_at": day.Add(16 * time.Hour).Format(time.RFC3339), "ends_at": day.Add(17 * time.Hour).Format(time.RFC3339)})
	id := ev["id"].(string)
	base, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	week2 := day.AddDate(0, 0, 7).Add(16 * time.Hour)
	week3 := day.AddDate(0, 0, 14).Add(16 * time.Hour)
	a := newDevice(t, "Ana", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	a.goOffline()
	eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(async ({ enqueue }) => {
		const base = %s;
		const path = '/api/calendar/events/' + base.id;
		const occ = (rid, body) => ({ kind: 'event.occurrence.patch', method: 'PATCH', path: path + '/occurrences/' + encodeURIComponent(rid),
			body, record: base.id, base, rid, tz: 'UTC', label: base.title });
		await enqueue(occ(%q, { starts_at: %q, ends_at: %q }));
		await enqueue(occ(%q, { title: 'Swimming (late)' }));
		await enqueue(occ(%q, { title: 'Swimming (Ben)' }));
		await enqueue({ kind: 'event.patch', method: 'PATCH', path, body: { location: 'Pool B' }, record: base.id, base, label: base.title });
	}), true)`, base,
		week2.Format(time.RFC3339), week2.Add(2*time.Hour).Format(time.RFC3339), week2.Add(time.Hour).Format(time.RFC3339),
		week2.Format(time.RFC3339), week3.Format(time.RFC3339)))
	a.waitJS("four writes waiting", `window.familyhub.outbox.count() === 4`, 5*time.Second)

	a.setOffline(false)
	notice := `document.querySelector('#notices li.conflict[data-kind=refused]')`
	a.waitJS("the refusal in a notice", `window.familyhub.outbox.count() === 0 && !!`+notice, 10*time.Second)
	eval[bool](a, `(window.familyhub.outbox.notices().then((ns) => { window.refusedOps = ns.find((n) => n.kind === 'refused').ops.length; }), true)`)
	a.waitJS("the notice read", `window.refusedOps !== undefined`, 5*time.Second)
	if got := eval[int](a, `window.refusedOps`); got != 1 {
		t.Errorf("the notice holds %d changes, want 1 (the rename of the refused occurrence)", got)
	}
	got := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil)
	if got["location"] != "Pool B" {
		t.Errorf("the series' pool is %q, want Pool B: a series change does not depend on a refused change of one occurrence", got["location"])
	}
	renamed := map[string]string{}
	ovs, _ := got["overrides"].([]any)
	for _, o := range ovs {
		o := o.(map[string]any)
		renamed[o["recurrence_id"].(string)] = o["title"].(string)
	}
	if renamed[week3.Format(time.RFC3339)] != "Swimming (Ben)" || renamed[week2.Format(time.RFC3339)] != "" {
		t.Errorf("changed occurrences %v, want only the week after next renamed", renamed)
	}
}
