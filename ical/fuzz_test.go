package ical

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/ical/caldavtest"
)

// FuzzICalPut feeds arbitrary bytes through what a CalDAV PUT does with its
// body: decode, take the event apart, store it, serve it again. It must
// never panic, and whatever is accepted must come back the same when the
// served object is parsed again (what a client sees is what was stored).
func FuzzICalPut(f *testing.F) {
	f.Add(caldavtest.RecurringICal)
	f.Add(caldavtest.AllDayICal)
	f.Add("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nDURATION:P1D\r\nSUMMARY:a\\, b\\nc\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	f.Add("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20260101\r\nEXDATE;VALUE=DATE:20260102,20260103\r\nRRULE:FREQ=DAILY;UNTIL=20260110\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;VALUE=DATE:20260104\r\nDTSTART;VALUE=DATE:20260105\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	f.Add("BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:\x01\r\nDTSTART;TZID=X:20260101T250000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	f.Add("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
	f.Add("not ical at all")
	loc, _ := time.LoadLocation("America/New_York")
	f.Fuzz(func(t *testing.T, body string) {
		cal, err := DecodeICal(strings.NewReader(body))
		if err != nil {
			return
		}
		ev, err := ParseICalEvent(cal, loc, ICalParseOpts{})
		if err != nil {
			return
		}
		raw, err := EncodeICal(cal)
		if err != nil {
			return // refused before storing
		}
		row := dbsqlc.CalendarEvent{
			ID: uuid.New(), Uid: ev.UID, Title: ev.Title, Notes: ev.Notes, Location: ev.Location, StartsAt: ev.StartsAt,
			EndsAt: ev.EndsAt, AllDay: ev.AllDay, Rrule: ev.RRule, Exdates: ev.Exdates, Sequence: ev.Sequence, Ical: &raw,
			CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0),
		}
		for _, f := range []struct {
			name, v  string
			min, max int
		}{{"title", ev.Title, 1, familyhub.MaxEventTitle}, {"notes", ev.Notes, 0, familyhub.MaxEventNotes}, {"location", ev.Location, 0, familyhub.MaxEventLocation}} {
			if err := db.ValidateText(f.name, f.v, f.min, f.max); err != nil {
				t.Fatalf("parsed %s is not storable: %v", f.name, err)
			}
		}
		var ovs []dbsqlc.CalendarEventOverride
		for _, o := range ev.Overrides {
			ovs = append(ovs, dbsqlc.CalendarEventOverride{EventID: row.ID, RecurrenceID: o.RecurrenceID, Title: o.Title, Notes: o.Notes,
				Location: o.Location, StartsAt: o.StartsAt, EndsAt: o.EndsAt, AllDay: o.AllDay, Ical: o.ICal})
		}
		served, err := EncodeICal(EventICal(row, ovs, loc))
		if err != nil {
			t.Fatalf("served object does not encode: %v", err)
		}
		cal2, err := DecodeICal(strings.NewReader(served))
		if err != nil {
			t.Fatalf("served object does not parse: %v\n%s", err, served)
		}
		ev2, err := ParseICalEvent(cal2, loc, ICalParseOpts{})
		if err != nil {
			t.Fatalf("served object refused: %v\n%s", err, served)
		}
		same := ev.UID == ev2.UID && ev.Title == ev2.Title && ev.Notes == ev2.Notes && ev.Location == ev2.Location &&
			ev.StartsAt.Equal(ev2.StartsAt) && ev.EndsAt.Equal(ev2.EndsAt) && ev.AllDay == ev2.AllDay &&
			(ev.RRule == nil) == (ev2.RRule == nil) && (ev.RRule == nil || *ev.RRule == *ev2.RRule) &&
			slices.EqualFunc(ev.Exdates, ev2.Exdates, time.Time.Equal) && ev.Sequence == ev2.Sequence
		if !same {
			t.Fatalf("round trip changed the event\n in: %+v\nout: %+v\n%s", ev, ev2, served)
		}
		if len(ev.Overrides) != len(ev2.Overrides) {
			t.Fatalf("round trip changed the changed occurrences: %d, then %d\n%s", len(ev.Overrides), len(ev2.Overrides), served)
		}
		for i, o := range ev.Overrides {
			o2 := ev2.Overrides[i]
			if !o.RecurrenceID.Equal(o2.RecurrenceID) || !o.StartsAt.Equal(o2.StartsAt) || !o.EndsAt.Equal(o2.EndsAt) || o.Title != o2.Title || o.AllDay != o2.AllDay {
				t.Fatalf("round trip changed occurrence %d\n in: %+v\nout: %+v\n%s", i, o, o2, served)
			}
		}
	})
}
