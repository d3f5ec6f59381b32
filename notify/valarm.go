package notify

import (
	"strings"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/ical"
)

// An event written by a calendar app (CalDAV) keeps its iCalendar text in
// calendar_events.ical, with the alarms the person chose there (VALARM).
// Those decide when FamilyHub reminds of it, instead of the member's lead
// time: "15 minutes before" set on a phone holds on every device.

// alarm is one VALARM trigger: an offset from the occurrence's start (or
// end, RELATED=END), or an absolute time.
type alarm struct {
	offset     time.Duration
	relatedEnd bool
	absolute   time.Time // non-zero: VALUE=DATE-TIME
}

// fire returns when the alarm goes off for occurrence o; an absolute alarm
// belongs to a single event only (series: ignored).
func (a alarm) fire(o db.Occurrence, series bool) (time.Time, bool) {
	if !a.absolute.IsZero() {
		return a.absolute, !series
	}
	if a.relatedEnd {
		return o.End.Add(a.offset), true
	}
	return o.Start.Add(a.offset), true
}

// eventAlarms returns the alarms of an event's master VEVENT; nil when it
// has none (or no iCalendar text, or one that does not parse): then the
// member's lead time applies. Alarms that only show something elsewhere
// (ACTION:NONE, Apple's "no alert"; EMAIL) and those more than a week
// before or a day after their anchor are skipped: an event with only such
// alarms gets no reminder (empty, not nil).
func eventAlarms(e dbsqlc.CalendarEvent) []alarm {
	if e.Ical == nil || !strings.Contains(*e.Ical, "BEGIN:VALARM") {
		return nil
	}
	cal, err := ical.DecodeICalBytes([]byte(*e.Ical))
	if err != nil {
		return nil
	}
	var out []alarm
	for _, c := range cal.Children {
		if c.Name != goical.CompEvent || c.Props.Get(goical.PropRecurrenceID) != nil {
			continue
		}
		for _, al := range c.Children {
			if al.Name == goical.CompAlarm && out == nil {
				out = []alarm{} // the person chose alarms: their lead times, none of ours
			}
			if a, ok := parseAlarm(al); ok {
				out = append(out, a)
			}
		}
		break
	}
	return out
}

func parseAlarm(c *goical.Component) (alarm, bool) {
	if c.Name != goical.CompAlarm {
		return alarm{}, false
	}
	if act := c.Props.Get(goical.PropAction); act != nil {
		switch strings.ToUpper(strings.TrimSpace(act.Value)) {
		case "NONE", "EMAIL":
			return alarm{}, false
		}
	}
	p := c.Props.Get(goical.PropTrigger)
	if p == nil {
		return alarm{}, false
	}
	if strings.EqualFold(p.Params.Get(goical.ParamValue), "DATE-TIME") {
		t, err := p.DateTime(time.UTC)
		if err != nil {
			return alarm{}, false
		}
		return alarm{absolute: t}, true
	}
	d, err := p.Duration()
	if err != nil || d < -maxAlarmSpan || d > 24*time.Hour {
		return alarm{}, false
	}
	return alarm{offset: d, relatedEnd: strings.EqualFold(p.Params.Get(goical.ParamRelated), "END")}, true
}
