package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserCalendarOccurrenceDST: a change of only one occurrence of a
// series that waits is laid out by the device (pending.js occurrenceOf,
// through apply and withPending) where the server will have it, in a
// family in Europe/Berlin, for occurrences on the last Sunday of March
// (a day of 23 hours) and of October (25 hours). For each, the device's
// change (a new title only) and the chip it draws have the start and end
// the server answers once the same change reaches it: an all-day day ends
// at the next midnight there, not 24 hours on (an hour into Monday in
// March, an hour before midnight in October). A series moved since the
// write was made moves its occurrence by as many days (all-day) or as far
// on the wall clock (timed), across the change too.
func TestBrowserCalendarOccurrenceDST(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	carla := signupAt(t, m.URL(), `{"email":"carla@example.org","password":"correct horse","display_name":"Carla","family_name":"Berg","time_zone":"Europe/Berlin"}`)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.do(chromedp.Navigate(m.URL() + "/login"))
	b.waitJS("the app", `document.querySelector('input[name=email]')`, 10*time.Second)

	type times struct {
		Start time.Time `json:"starts_at"`
		End   time.Time `json:"ends_at"`
	}
	show := func(x times) string {
		return x.Start.UTC().Format(time.RFC3339) + "–" + x.End.UTC().Format(time.RFC3339)
	}
	for _, tc := range []struct {
		name     string
		event    map[string]any
		rid      string // the occurrence changed
		from, to string // the range drawn
	}{
		{"all day, the start of summer time", map[string]any{"starts_at": "2026-03-22", "ends_at": "2026-03-23", "all_day": true, "rrule": "FREQ=WEEKLY"},
			"2026-03-29T00:00:00+01:00", "2026-03-23T00:00:00+01:00", "2026-04-06T00:00:00+02:00"},
		{"all day, the end of summer time", map[string]any{"starts_at": "2026-10-18", "ends_at": "2026-10-19", "all_day": true, "rrule": "FREQ=WEEKLY"},
			"2026-10-25T00:00:00+02:00", "2026-10-19T00:00:00+02:00", "2026-11-02T00:00:00+01:00"},
		{"all day, a weekend over the start of summer time", map[string]any{"starts_at": "2026-03-21", "ends_at": "2026-03-23", "all_day": true, "rrule": "FREQ=WEEKLY"},
			"2026-03-28T00:00:00+01:00", "2026-03-23T00:00:00+01:00", "2026-04-06T00:00:00+02:00"},
		{"timed, the end of summer time", map[string]any{"starts_at": "2026-10-18T10:00:00+02:00", "ends_at": "2026-10-18T11:00:00+02:00", "rrule": "FREQ=WEEKLY"},
			"2026-10-25T10:00:00+01:00", "2026-10-19T00:00:00+02:00", "2026-11-02T00:00:00+01:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"title": "Camp"}
			for k, v := range tc.event {
				body[k] = v
			}
			id := restAs(t, carla, m, "POST", "/api/calendar/events", body)["id"].(string)
			var series, listed json.RawMessage
			carla.call(t, m.URL(), 200, "GET", "/api/calendar/events/"+id, nil, &series)
			rangeQ := "/api/calendar/events?from=" + url.QueryEscape(tc.from) + "&to=" + url.QueryEscape(tc.to)
			carla.call(t, m.URL(), 200, "GET", rangeQ, nil, &listed)
			from, _ := time.Parse(time.RFC3339, tc.from)
			to, _ := time.Parse(time.RFC3339, tc.to)

			// The device: the change waits; what it holds and what it draws.
			b := b.on(t)
			eval[bool](b, fmt.Sprintf(`(window.__dst = null, Promise.all([import('/js/pending.js'), import('/js/views/calendar-pending.js')])
				.then(([{ apply }, { withPending }]) => {
					const series = %s;
					const op = { id: 'w', kind: 'event.occurrence.patch', record: series.id, base: series, rid: %q, body: { title: 'Renamed' }, tz: 'Europe/Berlin' };
					const held = apply(series, op).overrides.find((o) => Date.parse(o.recurrence_id) === Date.parse(op.rid));
					const chip = withPending(%s, [op], { from: %d, to: %d, tz: 'Europe/Berlin' }).find((o) => o.id === series.id && o.title === 'Renamed');
					window.__dst = JSON.stringify([held, chip || {}]);
				}), true)`, series, tc.rid, listed, from.UnixMilli(), to.UnixMilli()))
			b.waitJS("the device's change", `window.__dst !== null`, 5*time.Second)
			var dev []times
			if err := json.Unmarshal([]byte(eval[string](b, `window.__dst`)), &dev); err != nil {
				t.Fatal(err)
			}

			// The server: the same change, saved.
			restAs(t, carla, m, "PATCH", "/api/calendar/events/"+id+"/occurrences/"+url.PathEscape(tc.rid), map[string]any{"title": "Renamed"})
			var saved struct {
				Overrides []times
			}
			carla.call(t, m.URL(), 200, "GET", "/api/calendar/events/"+id, nil, &saved)
			var after []struct {
				times
				Title string
				ID    string
			}
			carla.call(t, m.URL(), 200, "GET", rangeQ, nil, &after)
			var drawn times
			for _, o := range after {
				if o.ID == id && o.Title == "Renamed" {
					drawn = o.times
				}
			}
			if len(saved.Overrides) != 1 || drawn.Start.IsZero() {
				t.Fatalf("the server has %d changed occurrences, lists %v", len(saved.Overrides), drawn)
			}
			if show(dev[0]) != show(saved.Overrides[0]) {
				t.Errorf("the device holds the changed occurrence at %s, the server at %s", show(dev[0]), show(saved.Overrides[0]))
			}
			if show(dev[1]) != show(drawn) {
				t.Errorf("the device draws the changed occurrence at %s, the server lists it at %s", show(dev[1]), show(drawn))
			}
		})
	}

	// The series moved a day later since the write was made: the
	// occurrence of Sunday 29 March moves to Monday (all day: from
	// midnight to midnight there; timed: 10:00 stays 10:00, summer time).
	got := evalAwait[string](b, `import('/js/pending.js').then(({ occurrenceOf }) => {
		const tz = 'Europe/Berlin';
		const day = { id: 's', version: 3, title: 'Camp', all_day: true, rrule: 'FREQ=WEEKLY', starts_at: '2026-03-22T00:00:00+01:00', ends_at: '2026-03-23T00:00:00+01:00' };
		const timed = { ...day, all_day: false, starts_at: '2026-03-21T10:00:00+01:00', ends_at: '2026-03-21T11:00:00+01:00' };
		const at = (s, o) => { const x = occurrenceOf(s, o); return new Date(x.starts_at).toISOString() + ' ' + new Date(x.ends_at).toISOString(); };
		return [
			at({ ...day, starts_at: '2026-03-23', ends_at: '2026-03-24' }, { rid: '2026-03-29T00:00:00+01:00', base: day, tz }),
			at({ ...timed, starts_at: '2026-03-22T09:00:00Z', ends_at: '2026-03-22T10:00:00Z' }, { rid: '2026-03-28T10:00:00+01:00', base: timed, tz }),
		].join(' | ');
	})`)
	if want := "2026-03-29T22:00:00.000Z 2026-03-30T22:00:00.000Z | 2026-03-29T08:00:00.000Z 2026-03-29T09:00:00.000Z"; got != want {
		t.Errorf("an occurrence of a series moved a day later:\n got %s\nwant %s", got, strings.TrimSpace(want))
	}
}
