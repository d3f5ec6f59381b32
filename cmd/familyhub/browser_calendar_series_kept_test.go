package main

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// What the device knows of a series it opens offline: the version its own
// last write made, and every changed occurrence the ranges it read hold.

// recordCalendarWrites is a script for browserOpts: no service worker (the
// page's own requests can be failed), and every calendar write the page
// sends is noted in window.__writes as "METHOD status".
const recordCalendarWrites = `delete Navigator.prototype.serviceWorker;
window.__writes = [];
{
	const send = window.fetch.bind(window);
	window.fetch = async (input, init = {}) => {
		const res = await send(input, init);
		const method = init.method || 'GET';
		if (method !== 'GET' && String(input).includes('/api/calendar/')) window.__writes.push(method + ' ' + res.status);
		return res;
	};
}`

// TestBrowserCalendarOccurrenceDeleteVersion: Ana deletes only the second
// swim online (204: the answer names no version; the server's version
// goes up by exactly one, as the device counts), and the calendar's read
// after it fails (503), so the week shown is the one kept from before.
// Offline she renames only the third swim, opened from what the device
// knows: made against the version her delete made, it is saved at once
// when she is back online, not refused (412) for the version before the
// delete and sent a second time.
func TestBrowserCalendarOccurrenceDeleteVersion(t *testing.T) {
	browserTest(t)
	c, ana, _, swim, _ := weeklyFromTomorrow(t, map[string]any{"title": "Swimming"})
	id, v0 := swim["id"].(string), int(swim["version"].(float64))
	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB", script: recordCalendarWrites})
	a.login(c.a.URL(), "ana@example.org")
	four := `[...document.querySelectorAll('.agenda li.event')].filter((e) => e.dataset.title === 'Swimming')`
	a.goTo("/calendar", four+`.length === 4`)
	a.waitJS("the agenda kept", keptCalendarHas("Swimming"), 10*time.Second)
	rids := eval[[]string](a, four+`.map((e) => e.dataset.rid)`)

	fail := failRequests(t, a)
	fail.start(`*/api/calendar/events\?*`, 503, `{"error":{"code":"internal","message":"unavailable"}}`)
	a.click(occSel(rids[1], "Swimming"))
	a.waitJS("the second swim's dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=this]')?.checked`, 5*time.Second)
	a.click(`dialog[open] .actions button.danger`)
	a.waitJS("what to delete", `document.querySelector('dialog.ask[open]')`, 5*time.Second)
	a.clickText(`dialog.ask[open] button`, "Delete only this one")
	a.waitJS("the delete saved, the week read again failing", `!document.querySelector('dialog[open]') && window.familyhub.outbox.count() === 0
		&& `+four+`.length === 3 && window.__writes.join() === 'DELETE 204' && document.querySelector('#main .kept-notice')?.checkVisibility()`, 10*time.Second)
	if _, ex, v := seriesState(t, ana, c, id); ex != 1 || v != v0+1 {
		t.Fatalf("after the delete the server has %d deleted occurrences at version %d, want 1 at %d", ex, v, v0+1)
	}

	a.goOffline()
	fail.stop()
	a.click(occSel(rids[2], "Swimming"))
	a.waitJS("the third swim's dialog, offline", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=this]')?.checked
		&& document.querySelector('dialog[open] input[name=title]').value === 'Swimming'`, 5*time.Second)
	a.setValue(`dialog[open] input[name=title]`, "Swimming (late)")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the rename waiting", `!document.querySelector('dialog[open]') && window.familyhub.outbox.count() === 1`, 5*time.Second)
	a.setOffline(false)
	a.waitJS("the rename saved", `window.familyhub.outbox.count() === 0 && `+four+`.length === 2
		&& document.querySelector('.agenda li.event[data-title="Swimming (late)"]') && !document.querySelector('li.event[data-pending]')`, 15*time.Second)
	if got := eval[string](a, `window.__writes.join()`); got != "DELETE 204,PATCH 200" {
		t.Errorf("the calendar writes sent: %s, want the delete and the rename once each (DELETE 204,PATCH 200)", got)
	}
	if ov, ex, v := seriesState(t, ana, c, id); len(ov) != 1 || ex != 1 || v != v0+2 {
		t.Errorf("at the end the server has changes %v, %d deleted occurrences, version %d; want one, one, %d", ov, ex, v, v0+2)
	}
}

// TestBrowserCalendarSeriesKeptChanges: Ben changed the second swim (next
// week); Ana's laptop read this week and next week, then this week again
// after Ben renamed the first swim too (a later version of the series).
// Offline, on next week (kept from before that), Ana renames the whole
// series from Ben's swim: the series she changes is the newest the device
// read, with both of Ben's changed swims. This week, kept at the later
// version, shows Ben's first swim as he changed it (waiting, as the whole
// series' write), not the series' new name at the rule's time; and back
// online the rename is saved at once, not refused (412) for the older
// version of next week and sent again.
func TestBrowserCalendarSeriesKeptChanges(t *testing.T) {
	browserTest(t)
	c, _, ben, swim, first := weeklyFromTomorrow(t, map[string]any{"title": "Swimming"})
	id := swim["id"].(string)
	occ := func(at time.Time) string {
		return "/api/calendar/events/" + id + "/occurrences/" + url.PathEscape(at.Format(time.RFC3339))
	}
	restAs(t, ben, c.b, "PATCH", occ(first.AddDate(0, 0, 7)), map[string]any{"title": "Swimming (Ben)"})

	a := newDevice(t, "Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: recordCalendarWrites})
	a.login(c.a.URL(), "ana@example.org")
	a.dataSaver(true) // no week read ahead: next week stays as read
	chip := func(title string) string {
		return fmt.Sprintf(`document.querySelector('.week-grid li.event[data-title=%q]')`, title)
	}
	a.goTo("/calendar", chip("Swimming"))
	calNav(a, 3)
	a.waitJS("next week: Ben's swim", chip("Swimming (Ben)"), 5*time.Second)
	a.waitJS("next week kept", keptCalendarHas("Swimming (Ben)"), 5*time.Second)
	calNav(a, 1)
	a.waitJS("this week", chip("Swimming"), 5*time.Second)
	restAs(t, ben, c.b, "PATCH", occ(first), map[string]any{"title": "Swimming (early)"})
	a.waitJS("this week read again, Ben's rename", chip("Swimming (early)"), 10*time.Second)
	a.waitJS("this week kept", keptCalendarHas("Swimming (early)"), 5*time.Second)

	a.goOffline()
	calNav(a, 3)
	a.waitJS("next week from the device", chip("Swimming (Ben)"), 5*time.Second)
	a.click(`.week-grid li.event[data-title="Swimming (Ben)"] button.event-open`)
	a.waitJS("Ben's swim's dialog, offline", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=all]')
		&& document.querySelector('dialog[open] input[name=title]').value === 'Swimming (Ben)'`, 5*time.Second)
	a.click(`dialog[open] input[name=scope][value=all]`)
	a.setValue(`dialog[open] input[name=title]`, "Swim")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the rename waiting", `!document.querySelector('dialog[open]') && window.familyhub.outbox.count() === 1
		&& `+chip("Swimming (Ben)")+`?.dataset.pending === 'waiting'`, 5*time.Second)
	calNav(a, 1)
	a.waitJS("this week from the device: Ben's first swim as he changed it, waiting", chip("Swimming (early)")+`?.dataset.pending === 'waiting'
		&& !`+chip("Swim"), 5*time.Second)

	a.setOffline(false)
	a.waitJS("the rename saved: Ben's swims stay", `window.familyhub.outbox.count() === 0 && `+chip("Swimming (early)")+`
		&& !document.querySelector('li.event[data-pending]') && !document.querySelector('#notices li.conflict')`, 15*time.Second)
	if got := eval[string](a, `window.__writes.join()`); got != "PATCH 200" {
		t.Errorf("the calendar writes sent: %s, want the rename once (PATCH 200)", got)
	}
}
