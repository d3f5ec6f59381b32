package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// One occurrence of a series, changed or deleted offline, waits in the
// outbox like any other calendar write: shown at once where it will be,
// marked waiting, sent when the connection is back (a lost answer's
// replay is answered as saved, and makes no second change), seen live on
// another device, and a change made meanwhile to the same occurrence is a
// conflict notice.

// occChips is a JavaScript expression: the agenda's chips titled title as
// "rid@day" (rid as an ISO instant, day the one it is listed under), with
// ":waiting" (or ":saving") while a write to it waits, in order.
func occChips(title string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('.agenda li.event')].filter((e) => e.dataset.title === %q)
		.map((e) => new Date(e.dataset.rid).toISOString() + '@' + e.querySelector('button.event-open').dataset.key.slice(-10)
			+ (e.dataset.pending ? ':' + e.dataset.pending : '')).join()`, title)
}

// occSel selects the agenda's chip of the occurrence rid titled title
// (a series the device lays out itself has the server's recurrence ids,
// "Z" for UTC included: zonedISO).
func occSel(rid, title string) string {
	return fmt.Sprintf(`.agenda li.event[data-rid=%q][data-title=%q] button.event-open`, rid, title)
}

// isoRID is a recurrence id as occChips writes it.
func isoRID(t *testing.T, rid string) string {
	t.Helper()
	at, _ := dayOfRID(t, rid)
	return at.Format("2006-01-02T15:04:05.000Z")
}

// seriesState is the series id as the server has it: its changed
// occurrences ("title start" in UTC), its cancelled ones and its version.
func seriesState(t *testing.T, m member, c *cluster, id string) (overrides []string, exdates int, version int) {
	t.Helper()
	var ev struct {
		Version   int
		Exdates   []string
		Overrides []struct {
			Title    string
			StartsAt time.Time `json:"starts_at"`
		}
	}
	m.call(t, c.a.URL(), 200, "GET", "/api/calendar/events/"+id, nil, &ev)
	for _, o := range ev.Overrides {
		overrides = append(overrides, o.Title+" "+o.StartsAt.UTC().Format("2006-01-02T15:04"))
	}
	return overrides, len(ev.Exdates), ev.Version
}

// TestBrowserCalendarOccurrenceOffline: Ana's phone (English, agenda, no
// service worker, so the page's own requests can be held) and Ben's
// phone (German, agenda), a weekly swim from tomorrow. Offline, Ana opens
// the first swim (from the occurrences the agenda read) and moves only it
// a day later to 18:00 with a new title, and deletes only the third:
// the moved one shows at once on its new day marked waiting (the others
// not), the third is gone, the badge says 2 waiting, the server has
// neither. "This and the following ones" still needs a connection, and the
// dialog says so. Back online the change's answer is lost on its way
// back; the outbox's retry is answered as saved, the server holds one
// change and one deleted occurrence, and Ben's open agenda shows both
// without a reload. Offline again Ana renames the fourth swim while Ben
// renames the same occurrence online: back online Ana gets the conflict
// in plain words, keeps hers, and Ben's agenda follows.
func TestBrowserCalendarOccurrenceOffline(t *testing.T) {
	browserTest(t)
	c, ana, _, swim, _ := weeklyFromTomorrow(t, map[string]any{"title": "Swimming", "location": "City pool"})
	id, v0 := swim["id"].(string), int(swim["version"].(float64))
	a, b := anaAndBen(t, c,
		device{"Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`}},
		device{"Ben's phone", phoneW, phoneH, browserOpts{lang: "de-DE"}})
	a.goTo("/calendar", `document.querySelector('.agenda li.event')`)
	b.goTo("/calendar", `document.querySelector('.agenda li.event')`)
	four := fmt.Sprintf(`[...document.querySelectorAll('.agenda li.event')].filter((e) => e.dataset.title === 'Swimming')`)
	a.waitJS("four swims on Ana's phone", four+`.length === 4`, 5*time.Second)
	b.waitJS("four swims on Ben's phone", four+`.length === 4`, 5*time.Second)
	rids := eval[[]string](a, four+`.map((e) => e.dataset.rid)`)
	iso := make([]string, 4)
	days := make([]string, 4)
	for i, r := range rids {
		iso[i] = isoRID(t, r)
		_, days[i] = dayOfRID(t, r)
	}
	at0, _ := dayOfRID(t, rids[0])
	movedDay := at0.AddDate(0, 0, 1).Format("2006-01-02")
	b.markPage()
	a.waitLive()
	judgeOccurrenceWrites(t, a)

	a.goOffline()

	// Only this one, offline: the first swim a day later at 18:00, renamed.
	a.click(occSel(rids[0], "Swimming"))
	a.waitJS("the occurrence's dialog, offline", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=this]')?.checked
		&& document.querySelector('dialog[open] input[name=title]').value === 'Swimming'`, 5*time.Second)
	hint := `document.querySelector('dialog[open] fieldset.scope .hint').textContent`
	if h := eval[string](a, hint); strings.Contains(h, "offline") {
		t.Errorf("offline, the hint for only this one says %q: it can wait", h)
	}
	a.setValue(`dialog[open] input[name=title]`, "Swimming (moved)")
	a.setValue(`dialog[open] input[name=start]`, movedDay+"T18:00")
	a.setValue(`dialog[open] input[name=end]`, movedDay+"T19:00")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the moved swim waiting on its new day, the others not", `!document.querySelector('dialog[open]') && `+
		occChips("Swimming (moved)")+` === `+js(iso[0]+"@"+movedDay+":waiting")+` && `+
		occChips("Swimming")+` === `+js(iso[1]+"@"+days[1]+","+iso[2]+"@"+days[2]+","+iso[3]+"@"+days[3])+`
		&& document.querySelector('.agenda li.event[data-pending] .sync-state')?.textContent === 'waiting to sync'
		&& document.querySelector('.agenda li.event[data-pending] .time').textContent.startsWith('18:00')
		&& document.getElementById('pending').textContent === '1 waiting'`, 5*time.Second)

	// Delete only this one, offline: the third swim goes at once.
	a.click(occSel(rids[2], "Swimming"))
	a.waitJS("the third swim's dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=this]')?.checked`, 5*time.Second)
	// This and the following ones need a connection: offline the choice
	// is disabled, with the reason under it, before anything is edited.
	following := `document.querySelector('dialog[open] input[name=scope][value=following]')`
	a.waitJS("this and the following ones disabled, saying why", following+`.disabled
		&& document.getElementById(`+following+`.getAttribute('aria-describedby'))?.textContent === 'Needs a connection: you are offline.'
		&& document.querySelector('dialog[open] .scope-why').checkVisibility()`, 5*time.Second)
	a.click(`dialog[open] input[name=scope][value=following]`)
	if eval[bool](a, following+`.checked`) {
		t.Error("offline, this and the following ones can be chosen")
	}
	a.click(`dialog[open] .actions button.danger`)
	a.waitJS("what to delete: this and the following ones disabled, saying why", `[...document.querySelectorAll('dialog.ask[open] button')]
		.some((b) => b.textContent === 'Delete this and the following ones' && b.disabled
			&& document.getElementById(b.getAttribute('aria-describedby'))?.textContent === 'Needs a connection: you are offline.')`, 5*time.Second)
	a.clickText(`dialog.ask[open] button`, "Delete only this one")
	a.waitJS("the third swim gone, two writes waiting", `!document.querySelector('dialog[open]') && `+
		occChips("Swimming")+` === `+js(iso[1]+"@"+days[1]+","+iso[3]+"@"+days[3])+
		` && document.getElementById('pending').textContent === '2 waiting'`, 5*time.Second)
	// Reading the outbox's writes: both are the series' occurrences'.
	if got := eval[string](a, `window.familyhub.outbox.waiting().map((o) => o.kind).join()`); got != "event.occurrence.patch,event.occurrence.delete" {
		t.Errorf("the writes waiting: %q", got)
	}
	if ov, ex, _ := seriesState(t, ana, c, id); len(ov) != 0 || ex != 0 {
		t.Fatalf("while Ana is offline the server has changes %v and %d deleted occurrences", ov, ex)
	}

	// Back online the change's answer is lost: the retry is answered as saved.
	paused := holdRequests(t, a, fetch.RequestPattern{URLPattern: "*/occurrences/*", RequestStage: fetch.RequestStageResponse})
	a.setOffline(false)
	loseAnswer(t, a, heldAnswer(t, paused, "PATCH", 200, 10*time.Second))
	a.waitJS("both saved", occChips("Swimming (moved)")+` === `+js(iso[0]+"@"+movedDay)+` && `+
		occChips("Swimming")+` === `+js(iso[1]+"@"+days[1]+","+iso[3]+"@"+days[3])+
		` && !document.getElementById('pending').checkVisibility() && !document.querySelector('#notices li.conflict')`, 15*time.Second)
	seen(t, b, "both on Ben's agenda", occChips("Swimming (moved)")+` === `+js(iso[0]+"@"+movedDay)+` && `+
		occChips("Swimming")+` === `+js(iso[1]+"@"+days[1]+","+iso[3]+"@"+days[3])+
		fmt.Sprintf(` && document.querySelector('.agenda li.event[data-title="Swimming (moved)"] .time').textContent.startsWith('18:00')`)+` && `+notReloaded)
	// Two writes, two versions: the replay wrote nothing.
	if ov, ex, v := seriesState(t, ana, c, id); strings.Join(ov, "|") != "Swimming (moved) "+movedDay+"T18:00" || ex != 1 || v != v0+2 {
		t.Errorf("after the replay the server has changes %v, %d deleted occurrences and version %d, want one of each and version %d", ov, ex, v, v0+2)
	}

	// Offline again, Ana renames the fourth swim while Ben renames it too.
	a.waitLive()
	a.goOffline()
	a.click(occSel(rids[3], "Swimming"))
	a.waitJS("the fourth swim's dialog, offline", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=this]')?.checked`, 5*time.Second)
	a.setValue(`dialog[open] input[name=title]`, "Swimming (Ana)")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("Ana's name waiting", `!document.querySelector('dialog[open]') && `+occChips("Swimming (Ana)")+` === `+js(iso[3]+"@"+days[3]+":waiting"), 5*time.Second)

	b.click(occSel(rids[3], "Swimming"))
	b.waitJS("Ben's dialog", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=this]')?.checked`, 5*time.Second)
	b.setValue(`dialog[open] input[name=title]`, "Schwimmen (Ben)")
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("Ben's change saved", `!document.querySelector('dialog[open]') && `+occChips("Schwimmen (Ben)")+` === `+js(iso[3]+"@"+days[3]), 5*time.Second)

	a.setOffline(false)
	notice := `document.querySelector('#notices li.conflict[data-kind=stale]')`
	a.waitJS("the conflict", notice+`?.textContent.includes('Ben changed “Swimming” to “Schwimmen (Ben)” while you were offline.')
		&& `+notice+`.textContent.includes('You changed only this occurrence, to “Swimming (Ana)”.')
		&& `+occChips("Schwimmen (Ben)")+` === `+js(iso[3]+"@"+days[3])+` && !document.querySelector('li.event[data-pending]')`, 10*time.Second)
	a.clickText(`#notices li.conflict button`, "Keep mine")
	a.waitJS("Ana's name kept", `!document.querySelector('#notices li.conflict') && `+occChips("Swimming (Ana)")+` === `+js(iso[3]+"@"+days[3])+
		` && !document.querySelector('li.event[data-pending]')`, 10*time.Second)
	seen(t, b, "Ana's name on Ben's agenda", occChips("Swimming (Ana)")+` === `+js(iso[3]+"@"+days[3])+` && `+occChips("Schwimmen (Ben)")+` === '' && `+notReloaded)

	// Offline, a swim moved to a week the device never read: it cannot
	// show there, and a notice says so; so do four more weeks of the
	// agenda, never read (in German on Ben's phone).
	a.waitLive()
	a.goOffline()
	farDay := at0.AddDate(0, 0, 70).Format("2006-01-02")
	a.click(occSel(rids[1], "Swimming"))
	a.waitJS("the second swim's dialog, offline", dialogOpen+` && document.querySelector('dialog[open] input[name=scope][value=this]')?.checked`, 5*time.Second)
	a.setValue(`dialog[open] input[name=start]`, farDay+"T16:00")
	a.setValue(`dialog[open] input[name=end]`, farDay+"T17:00")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the notice: that week was never read", `!document.querySelector('dialog[open]')
		&& document.getElementById('toast').textContent.includes('This device has not read that week yet, so it shows there once you are online.')
		&& `+occChips("Swimming")+` === '' && document.getElementById('pending').textContent === '1 waiting'`, 5*time.Second)
	a.clickText(`.cal-body p.center button`, "Show 4 more weeks")
	a.waitJS("the notice: the next weeks were never read", `document.getElementById('toast').textContent === 'The next weeks are not available offline: this device has not read them yet.'`, 5*time.Second)
	b.goOffline()
	b.clickText(`.cal-body p.center button`, "4 weitere Wochen zeigen")
	b.waitJS("the notice in German", `document.getElementById('toast').textContent === 'Die nächsten Wochen sind offline nicht verfügbar: Dieses Gerät hat sie noch nicht geladen.'`, 5*time.Second)
	b.setOffline(false)
	a.setOffline(false)
	a.waitJS("the far move saved", `!document.getElementById('pending').checkVisibility()`, 10*time.Second)
	if ov, ex, _ := seriesState(t, ana, c, id); len(ov) != 3 || !strings.Contains(strings.Join(ov, "|"), "Swimming "+farDay+"T16:00") || ex != 1 {
		t.Errorf("at the end the server has changes %v and %d deleted occurrences, want three (one on %s) and one", ov, ex, farDay)
	}
}

// judgeOccurrenceWrites checks how the outbox decides a 412 to a write of
// one occurrence (pending.js judge) against the series as stored: a replay
// of what is there is done; a change elsewhere to another occurrence or a
// field the write does not depend on is sent again (rebase); a change of
// that occurrence, or of the series' name or time, is a conflict.
func judgeOccurrenceWrites(t *testing.T, b *browser) {
	t.Helper()
	const cases = `import('/js/pending.js').then(({ judge }) => {
		const rid = '2026-05-10T10:00:00+02:00';
		const base = { id: 's', version: 3, title: 'Swim', location: 'Pool', notes: '', all_day: false, rrule: 'FREQ=WEEKLY',
			starts_at: '2026-05-03T10:00:00+02:00', ends_at: '2026-05-03T11:00:00+02:00', exdates: [], overrides: [] };
		const patch = { kind: 'event.occurrence.patch', rid, base, body: { title: 'Swim (late)', starts_at: '2026-05-10T10:00:00Z', ends_at: '2026-05-10T11:00:00Z', all_day: false } };
		const del = { kind: 'event.occurrence.delete', rid, base };
		const ov = (o) => ({ recurrence_id: rid, title: 'Swim', location: 'Pool', notes: '', all_day: false,
			starts_at: '2026-05-10T10:00:00+02:00', ends_at: '2026-05-10T11:00:00+02:00', ...o });
		const at = (o) => ({ ...base, version: 4, ...o });
		const v = (op, cur) => { const j = judge(op, cur); return j.is + (j.fields ? ':' + j.fields.join('+') : ''); };
		return [
			v(patch, at({ overrides: [ov({ title: 'Swim (late)', starts_at: '2026-05-10T12:00:00+02:00', ends_at: '2026-05-10T13:00:00+02:00' })] })),
			v(del, at({ exdates: ['2026-05-10T08:00:00Z'] })),
			v(patch, at({ location: 'Lake' })),
			v(patch, at({ overrides: [ov({ recurrence_id: '2026-05-17T10:00:00+02:00', title: 'Other' })] })),
			v(patch, at({ overrides: [ov({ title: 'Swim (Ben)' })] })),
			v(del, at({ overrides: [ov({ starts_at: '2026-05-10T09:00:00+02:00' })] })),
			v(del, at({ starts_at: '2026-05-03T11:00:00+02:00', ends_at: '2026-05-03T12:00:00+02:00' })),
			v(patch, at({ rrule: 'FREQ=DAILY' })),
		].join(' ');
	})`
	got := evalAwait[string](b, cases)
	want := "done done rebase rebase conflict:title conflict:starts_at conflict:starts_at+ends_at conflict:rrule"
	if got != want {
		t.Errorf("judge of one occurrence's writes:\n got %s\nwant %s", got, want)
	}
}

// TestBrowserOccurrenceSeriesAfter: the series as a saved write of one of
// its occurrences leaves it on the device (pending.js seriesAfter), made
// against version 3. Saved now, the answer is at version 4: the device
// holds the server's override at 4. A replay answered as saved after Ben
// renamed the series (the answer at version 6, with the override as it is
// now) leaves the device's own series at 4, not 6: the title it never saw
// is not in what it holds, so a later write of it made against 6 would
// overwrite Ben's rename unseen; against 4 it meets a 412 and is judged.
// A delete leaves 4; a write sent without If-Match takes the answer's.
func TestBrowserOccurrenceSeriesAfter(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.do(chromedp.Navigate(m.URL() + "/login"))
	const cases = `import('/js/pending.js').then(({ seriesAfter }) => {
		const rid = '2026-05-10T08:00:00Z';
		const base = { id: 's', version: 3, title: 'Swim', location: 'Pool', notes: '', all_day: false, rrule: 'FREQ=WEEKLY',
			starts_at: '2026-05-03T08:00:00Z', ends_at: '2026-05-03T09:00:00Z', exdates: [], overrides: [] };
		const patch = { kind: 'event.occurrence.patch', rid, base, ifMatch: 3, body: { title: 'Swim (late)' } };
		const answer = (version, o) => ({ id: 's', recurrence_id: rid, title: 'Swim (late)', location: 'Pool', notes: '', all_day: false,
			starts_at: '2026-05-10T08:00:00Z', ends_at: '2026-05-10T09:00:00Z', overridden: true, version, ...o });
		const show = (s) => s.version + ' ' + s.title + ' ' + (s.overrides || []).map((o) => o.title + '/' + o.notes).join(',') + ' ' + (s.exdates || []).length;
		return [
			show(seriesAfter(patch, answer(4, { notes: 'n' }))),
			show(seriesAfter(patch, answer(6, { notes: 'Ben' }))),
			show(seriesAfter({ kind: 'event.occurrence.delete', rid, base, ifMatch: 3 }, undefined)),
			show(seriesAfter({ ...patch, ifMatch: null }, answer(6, { notes: 'n' }))),
		].join(' | ');
	})`
	got := evalAwait[string](b, cases)
	want := "4 Swim Swim (late)/n 0 | 4 Swim Swim (late)/ 0 | 4 Swim  1 | 6 Swim Swim (late)/n 0"
	if got != want {
		t.Errorf("seriesAfter:\n got %s\nwant %s", got, want)
	}
}

// TestBrowserOccurrenceGoneLaterWrite: offline, Ana renames only the
// second swim and then the whole series (two writes of the series in the
// outbox; the second waits for the first's version). Meanwhile Ben
// cancels that second swim. Back online Ana's first write meets a 412
// (sent again: nothing it watches changed), then a 404 (the occurrence is
// gone): it is dropped, the series stands at the version it was sent
// against. Ben renames the series while Ana's rename of it is on its way:
// it carries If-Match of that version, so it is a 412 and a conflict, not
// sent without If-Match and saved over Ben's rename unseen.
func TestBrowserOccurrenceGoneLaterWrite(t *testing.T) {
	browserTest(t)
	c, ana, ben, swim, first := weeklyFromTomorrow(t, map[string]any{"title": "Swimming"})
	id := swim["id"].(string)
	series := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil)
	base, err := json.Marshal(series)
	if err != nil {
		t.Fatal(err)
	}
	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	a.goOffline()
	rid := first.AddDate(0, 0, 7).Format(time.RFC3339) // the second swim
	eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(async ({ enqueue }) => {
		const base = %s;
		await enqueue({ kind: 'event.occurrence.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id + '/occurrences/' + %q,
			body: { title: 'Swimming (Ana)' }, record: base.id, base, rid: %q, label: 'Swimming' });
		await enqueue({ kind: 'event.patch', method: 'PATCH', path: '/api/calendar/events/' + base.id,
			body: { title: 'Swim' }, record: base.id, base, label: 'Swimming' });
	}), true)`, base, rid, rid))
	a.waitJS("two writes waiting", `window.familyhub.outbox.waiting().length === 2`, 5*time.Second)
	ben.call(t, c.b.URL(), 204, "DELETE", "/api/calendar/events/"+id+"/occurrences/"+rid, nil, nil)

	// Ana's rename of the series is held on its way; Ben renames it then.
	paused := holdRequests(t, a, fetch.RequestPattern{URLPattern: "*/api/calendar/events/" + id, RequestStage: fetch.RequestStageRequest})
	a.setOffline(false)
	deadline := time.After(15 * time.Second)
	for held := false; !held; {
		select {
		case p := <-paused:
			if p.Request.Method == "PATCH" {
				held = true
				restAs(t, ben, c.b, "PATCH", "/api/calendar/events/"+id, map[string]any{"title": "Schwimmen"})
			}
			if _, err := chromedp.Call(a.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: p.RequestID}); err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("Ana's rename of the series was not sent")
		}
	}
	stopHolding(t, a)
	a.waitJS("the outbox done", `window.familyhub.outbox.waiting().length === 0`, 10*time.Second)
	if got := restAs(t, ana, c.a, "GET", "/api/calendar/events/"+id, nil); got["title"] != "Schwimmen" {
		t.Fatalf("the series is called %q, want Ben's %q", got["title"], "Schwimmen")
	}
	a.waitJS("Ana's rename a conflict", `document.querySelector('#notices li.conflict[data-kind=stale]')`, 5*time.Second)
}
