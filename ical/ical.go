package ical

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// icalProdID names FamilyHub in the calendars it serves.
const icalProdID = "-//FamilyHub//FamilyHub//EN"

// ICalEvent is the part of a VEVENT that FamilyHub models: the columns of
// calendar_events. Times are instants; all-day events start and end at
// midnight in the family's zone.
type ICalEvent struct {
	UID      string
	Title    string
	Notes    string
	Location string
	StartsAt time.Time
	EndsAt   time.Time
	AllDay   bool
	RRule    *string
	Exdates  []time.Time
	Sequence int32
	// Overrides are the series' changed occurrences (VEVENTs with
	// RECURRENCE-ID), each with its own VEVENT as received.
	Overrides []db.CalendarOverrideFields
}

// ICalParseOpts says how forgiving ParseICalEvent is.
type ICalParseOpts struct {
	// KeepUnsupportedRRule stores a rule FamilyHub cannot expand as it is
	// (the REST API then shows the first occurrence only) instead of
	// refusing the event: for imports, which cannot be refused.
	KeepUnsupportedRRule bool
}

// Fields returns the event's modelled fields as the calendar write takes them.
func (ev ICalEvent) Fields() db.CalendarEventFields {
	return db.CalendarEventFields{
		Title: ev.Title, Notes: ev.Notes, Location: ev.Location, StartsAt: ev.StartsAt, EndsAt: ev.EndsAt,
		AllDay: ev.AllDay, RRule: ev.RRule, Exdates: ev.Exdates,
	}
}

// ParseICalEvent returns the modelled fields of the single VEVENT series in
// cal (the component without RECURRENCE-ID), read in the family's zone loc:
// floating times and unknown TZIDs are taken in loc, dates as midnights in
// loc. Text is cleaned (control characters dropped) and cut to FamilyHub's
// limits; a missing SUMMARY becomes "Untitled". Any refusal is an EINVALID
// *familyhub.Error with a message for people.
func ParseICalEvent(cal *ical.Calendar, loc *time.Location, opts ICalParseOpts) (ICalEvent, error) {
	var ev ICalEvent
	master, err := masterEvent(cal)
	if err != nil {
		return ev, err
	}
	props := master.Props
	if ev.UID, err = icalText(props, ical.PropUID); err != nil {
		return ev, err
	}
	ev.UID = strings.TrimSpace(ev.UID)
	if ev.UID == "" || len(ev.UID) > 255 || !utf8.ValidString(ev.UID) || strings.ContainsFunc(ev.UID, isControl) {
		return ev, familyhub.Invalid("uid", "The event needs a UID of 1 to 255 printable characters.")
	}
	title, err := icalText(props, ical.PropSummary)
	if err != nil {
		return ev, err
	}
	if ev.Title = strings.TrimSpace(cleanText(title, familyhub.MaxEventTitle)); ev.Title == "" {
		ev.Title = "Untitled"
	}
	notes, err := icalText(props, ical.PropDescription)
	if err != nil {
		return ev, err
	}
	ev.Notes = cleanText(notes, familyhub.MaxEventNotes)
	location, err := icalText(props, ical.PropLocation)
	if err != nil {
		return ev, err
	}
	ev.Location = cleanText(location, familyhub.MaxEventLocation)
	if p := props.Get(ical.PropSequence); p != nil {
		n, err := p.Int()
		if err != nil || n < 0 {
			return ev, familyhub.Invalid("sequence", "SEQUENCE must be a non-negative integer.")
		}
		ev.Sequence = int32(min(n, 1<<30))
	}

	if ev.StartsAt, ev.EndsAt, ev.AllDay, err = eventTimes(props, loc); err != nil {
		return ev, err
	}

	if rrules := props.Values(ical.PropRecurrenceRule); len(rrules) > 1 {
		return ev, familyhub.Invalid("rrule", "Only one RRULE per event is supported.")
	} else if len(rrules) == 1 {
		rule := strings.TrimSpace(rrules[0].Value)
		if rec, err := familyhub.ParseRecurrence("rrule", rule); err == nil {
			ev.RRule = ptr(rec.String())
		} else if !opts.KeepUnsupportedRRule {
			return ev, err
		} else if rule != "" && len(rule) <= familyhub.MaxRecurrenceLen && !strings.ContainsAny(rule, "\r\n") {
			ev.RRule = &rule
		}
	}
	if len(props.Values(ical.PropRecurrenceDates)) > 0 && !opts.KeepUnsupportedRRule {
		return ev, familyhub.Invalid("rrule", "RDATE is not supported; use an RRULE.")
	}
	for _, p := range props.Values(ical.PropExceptionDates) {
		for _, v := range strings.Split(p.Value, ",") {
			one := ical.Prop{Name: p.Name, Params: p.Params, Value: strings.TrimSpace(v)}
			t, err := icalTime(&one, loc)
			if err != nil {
				return ev, familyhub.Invalid("exdates", "EXDATE %q is not a date or date-time.", v)
			}
			switch {
			case isDateValue(&one) && !ev.AllDay:
				// A date excludes that day's occurrence of a timed series.
				s := ev.StartsAt.In(loc)
				y, m, d := t.Date()
				t = time.Date(y, m, d, s.Hour(), s.Minute(), s.Second(), 0, loc)
			case ev.AllDay:
				// An all-day series' occurrences start at midnight.
				t, _ = familyhub.DayBounds(t.In(loc), loc)
			}
			if y := t.Year(); y < 1900 || y > 2200 {
				continue // no occurrence to exclude there
			}
			ev.Exdates = append(ev.Exdates, t)
			if len(ev.Exdates) > familyhub.MaxEventExdates {
				return ev, familyhub.Invalid("exdates", "At most %d EXDATEs are supported.", familyhub.MaxEventExdates)
			}
		}
	}
	if ev.Exdates == nil {
		ev.Exdates = []time.Time{}
	}
	if ev.Overrides, err = parseOverrides(cal, ev, loc); err != nil {
		return ev, err
	}
	return ev, nil
}

// parseOverrides returns the changed occurrences of the series ev in cal
// (its VEVENTs with RECURRENCE-ID), read in loc: RECURRENCE-ID in the
// series' terms (a date on a timed series means that day's occurrence),
// times as for any VEVENT (those of the occurrence when DTSTART is
// missing), a missing SUMMARY the series' title. A single event has
// nothing to change: its changed occurrences are ignored.
func parseOverrides(cal *ical.Calendar, ev ICalEvent, loc *time.Location) ([]db.CalendarOverrideFields, error) {
	var out []db.CalendarOverrideFields
	for _, c := range cal.Children {
		ridProp := c.Props.Get(ical.PropRecurrenceID)
		if c.Name != ical.CompEvent || ridProp == nil || ev.RRule == nil {
			continue
		}
		if uid, _ := c.Props.Text(ical.PropUID); strings.TrimSpace(uid) != ev.UID {
			return nil, familyhub.Invalid("uid", "A changed occurrence must have the UID of its series.")
		}
		rid, err := icalTime(ridProp, loc)
		if err != nil {
			return nil, familyhub.Invalid("recurrence_id", "RECURRENCE-ID %q is not a date or date-time.", ridProp.Value)
		}
		switch {
		case ev.AllDay:
			rid, _ = familyhub.DayBounds(rid.In(loc), loc)
		case isDateValue(ridProp):
			s := ev.StartsAt.In(loc)
			y, m, d := rid.Date()
			rid = time.Date(y, m, d, s.Hour(), s.Minute(), s.Second(), 0, loc)
		}
		o := db.CalendarOverrideFields{RecurrenceID: rid}
		if c.Props.Get(ical.PropDateTimeStart) == nil {
			o.StartsAt, o.AllDay = rid, ev.AllDay
			o.EndsAt = rid.Add(ev.EndsAt.Sub(ev.StartsAt))
			if ev.AllDay {
				y, m, d := rid.Date()
				o.EndsAt = time.Date(y, m, d+calendarDaysBetween(ev.StartsAt, ev.EndsAt, loc), 0, 0, 0, 0, loc)
			}
		} else if o.StartsAt, o.EndsAt, o.AllDay, err = eventTimes(c.Props, loc); err != nil {
			return nil, err
		}
		title, err := icalText(c.Props, ical.PropSummary)
		if err != nil {
			return nil, err
		}
		if o.Title = strings.TrimSpace(cleanText(title, familyhub.MaxEventTitle)); o.Title == "" {
			o.Title = ev.Title
		}
		notes, err := icalText(c.Props, ical.PropDescription)
		if err != nil {
			return nil, err
		}
		location, err := icalText(c.Props, ical.PropLocation)
		if err != nil {
			return nil, err
		}
		o.Notes, o.Location = cleanText(notes, familyhub.MaxEventNotes), cleanText(location, familyhub.MaxEventLocation)
		one := ical.NewCalendar()
		one.Props.SetText(ical.PropVersion, "2.0")
		one.Props.SetText(ical.PropProductID, icalProdID)
		one.Children = []*ical.Component{c}
		raw, err := EncodeICal(one)
		if err != nil {
			return nil, familyhub.Invalid("recurrence_id", "A changed occurrence cannot be stored: %v.", err)
		}
		o.ICal = &raw
		out = append(out, o)
		if len(out) > db.MaxEventOverrides {
			return nil, familyhub.Invalid("recurrence_id", "At most %d changed occurrences per series are supported.", db.MaxEventOverrides)
		}
	}
	return out, nil
}

// calendarDaysBetween returns how many days apart the local dates of start
// and end are in loc.
func calendarDaysBetween(start, end time.Time, loc *time.Location) int {
	s, e := familyhub.CivilDate(start, loc), familyhub.CivilDate(end, loc)
	return int(e.Sub(s).Hours() / 24)
}

// MasterICal returns cal as stored for an event: without its changed
// occurrences, which are stored one by one (ICalEvent.Overrides).
func MasterICal(cal *ical.Calendar) (string, error) {
	one := *cal
	one.Component = &ical.Component{Name: cal.Name, Props: cal.Props}
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent && c.Props.Get(ical.PropRecurrenceID) != nil {
			continue
		}
		one.Children = append(one.Children, c)
	}
	return EncodeICal(&one)
}

// eventTimes reads DTSTART and DTEND (or DURATION) of a VEVENT in loc.
func eventTimes(props ical.Props, loc *time.Location) (start, end time.Time, allDay bool, err error) {
	var ev ICalEvent
	dtstart := props.Get(ical.PropDateTimeStart)
	if dtstart == nil {
		return ev.StartsAt, ev.EndsAt, ev.AllDay, familyhub.Invalid("starts_at", "The event has no DTSTART.")
	}
	ev.AllDay = isDateValue(dtstart)
	if ev.StartsAt, err = icalTime(dtstart, loc); err != nil {
		return ev.StartsAt, ev.EndsAt, ev.AllDay, familyhub.Invalid("starts_at", "DTSTART %q is not a date or date-time.", dtstart.Value)
	}
	switch dtend, dur := props.Get(ical.PropDateTimeEnd), props.Get(ical.PropDuration); {
	case dtend != nil:
		if ev.EndsAt, err = icalTime(dtend, loc); err != nil {
			return ev.StartsAt, ev.EndsAt, ev.AllDay, familyhub.Invalid("ends_at", "DTEND %q is not a date or date-time.", dtend.Value)
		}
		if ev.AllDay && !isDateValue(dtend) {
			ev.EndsAt = midnightAfter(ev.EndsAt, loc)
		}
	case dur != nil:
		d, err := dur.Duration()
		if err != nil || d < 0 {
			return ev.StartsAt, ev.EndsAt, ev.AllDay, familyhub.Invalid("ends_at", "DURATION %q is not a positive duration.", dur.Value)
		}
		if ev.AllDay {
			y, m, day := ev.StartsAt.In(loc).Date()
			ev.EndsAt = time.Date(y, m, day+max(1, int(d/(24*time.Hour))), 0, 0, 0, 0, loc)
		} else {
			ev.EndsAt = ev.StartsAt.Add(d)
		}
	case ev.AllDay:
		y, m, d := ev.StartsAt.In(loc).Date()
		ev.EndsAt = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	default:
		ev.EndsAt = ev.StartsAt
	}
	if ev.EndsAt.Before(ev.StartsAt) {
		return ev.StartsAt, ev.EndsAt, ev.AllDay, familyhub.Invalid("ends_at", "DTEND is before DTSTART.")
	}
	if ev.AllDay && !ev.EndsAt.After(ev.StartsAt) {
		y, m, d := ev.StartsAt.In(loc).Date()
		ev.EndsAt = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	}
	if y := ev.StartsAt.Year(); y < 1900 || y > 2200 || ev.EndsAt.Year() > 2200 {
		return ev.StartsAt, ev.EndsAt, ev.AllDay, familyhub.Invalid("starts_at", "The event must lie between the years 1900 and 2200.")
	}
	return ev.StartsAt, ev.EndsAt, ev.AllDay, nil
}

// masterEvent returns cal's VEVENT without RECURRENCE-ID.
func masterEvent(cal *ical.Calendar) (*ical.Component, error) {
	return masterComponent(cal, ical.CompEvent)
}

func icalText(props ical.Props, name string) (string, error) {
	s, err := props.Text(name)
	if err != nil {
		return "", familyhub.Invalid(strings.ToLower(name), "%s is not valid text: %v.", name, err)
	}
	return s, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// cleanText makes s acceptable to validateText: valid UTF-8, CRLF as LF, no
// control characters but newline and tab, at most max characters.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if isControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

func isDateValue(p *ical.Prop) bool {
	if p.ValueType() == ical.ValueDate {
		return true
	}
	return p.Params.Get(ical.ParamValue) == "" && len(strings.TrimSpace(p.Value)) == len("20060102")
}

// icalTime parses a DTSTART-like property: a date is midnight in loc, a
// floating time or one with an unknown TZID is taken in loc.
func icalTime(p *ical.Prop, loc *time.Location) (time.Time, error) {
	v := strings.TrimSpace(p.Value)
	if isDateValue(p) {
		d, err := time.ParseInLocation("20060102", v, time.UTC)
		if err != nil {
			return time.Time{}, err
		}
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc), nil
	}
	if strings.HasSuffix(v, "Z") {
		return time.ParseInLocation("20060102T150405Z", v, time.UTC)
	}
	in := loc
	if tzid := strings.TrimPrefix(p.Params.Get(ical.PropTimezoneID), "/"); tzid != "" {
		if l, err := time.LoadLocation(tzid); err == nil && tzid != "Local" {
			in = l
		}
	}
	return time.ParseInLocation("20060102T150405", v, in)
}

func midnightAfter(t time.Time, loc *time.Location) time.Time {
	start, end := familyhub.DayBounds(t.In(loc), loc)
	if t.Equal(start) {
		return start
	}
	return end
}

// modelledProps are the VEVENT properties FamilyHub keeps in columns: they
// are regenerated from the row, every other property is served as stored.
var modelledProps = []string{
	ical.PropUID, ical.PropSummary, ical.PropDescription, ical.PropLocation, ical.PropDateTimeStart,
	ical.PropDateTimeEnd, ical.PropDuration, ical.PropRecurrenceRule, ical.PropExceptionDates,
	ical.PropSequence, ical.PropDateTimeStamp, ical.PropLastModified, ical.PropCreated,
}

// EventICal returns the iCalendar object of e in the family's zone loc: the
// stored iCalendar (for the properties FamilyHub does not model, such as
// alarms and attendees) with the modelled properties regenerated from the
// row, so that a change made through REST shows over CalDAV, and one VEVENT
// per changed occurrence of a series (overrides), with a VTIMEZONE for
// every TZID used. A stored object that no longer parses is replaced.
func EventICal(e dbsqlc.CalendarEvent, overrides []dbsqlc.CalendarEventOverride, loc *time.Location) *ical.Calendar {
	var cal *ical.Calendar
	var master *ical.Component
	if e.Ical != nil {
		if c, err := ical.NewDecoder(strings.NewReader(*e.Ical)).Decode(); err == nil {
			if m, err := masterEvent(c); err == nil {
				cal, master = c, m
			}
		}
	}
	if cal == nil {
		cal = ical.NewCalendar()
		master = ical.NewComponent(ical.CompEvent)
		cal.Children = append(cal.Children, master)
	}
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, icalProdID)
	cal.Props.Del(ical.PropMethod)
	// Changed occurrences are served from their rows, below.
	kept := cal.Children[:0]
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent || c == master || c.Props.Get(ical.PropRecurrenceID) == nil {
			kept = append(kept, c)
		}
	}
	cal.Children = kept
	p := master.Props
	for _, name := range modelledProps {
		p.Del(name)
	}
	p.SetText(ical.PropUID, e.Uid)
	p.SetDateTime(ical.PropDateTimeStamp, e.UpdatedAt.UTC())
	p.SetDateTime(ical.PropCreated, e.CreatedAt.UTC())
	p.SetDateTime(ical.PropLastModified, e.UpdatedAt.UTC())
	p.SetText(ical.PropSummary, e.Title)
	if e.Notes != "" {
		p.SetText(ical.PropDescription, e.Notes)
	}
	if e.Location != "" {
		p.SetText(ical.PropLocation, e.Location)
	}
	p.Set(icalTimeProp(ical.PropDateTimeStart, e.StartsAt, e.AllDay, loc))
	p.Set(icalTimeProp(ical.PropDateTimeEnd, e.EndsAt, e.AllDay, loc))
	if e.Rrule != nil {
		p.Set(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: *e.Rrule})
	}
	if len(e.Exdates) > 0 {
		vals := make([]string, len(e.Exdates))
		var ex *ical.Prop
		for i, t := range e.Exdates {
			ex = icalTimeProp(ical.PropExceptionDates, t, e.AllDay, loc)
			vals[i] = ex.Value
		}
		ex.Value = strings.Join(vals, ",")
		p.Set(ex)
	}
	p.Set(&ical.Prop{Name: ical.PropSequence, Params: ical.Params{}, Value: strconv.Itoa(int(e.Sequence))})
	if e.Rrule != nil {
		for _, o := range overrides {
			cal.Children = append(cal.Children, overrideComponent(master, e, o, loc))
		}
	}
	ensureTimezones(cal)
	return cal
}

// overrideComponent returns the VEVENT of the changed occurrence o of the
// series e (master): the VEVENT a calendar app sent for it, or else a copy
// of the series' own (its alarms and other unmodelled properties apply to
// the occurrence too), with the modelled properties from o.
func overrideComponent(master *ical.Component, e dbsqlc.CalendarEvent, o dbsqlc.CalendarEventOverride, loc *time.Location) *ical.Component {
	var c *ical.Component
	if o.Ical != nil {
		if stored, err := ical.NewDecoder(strings.NewReader(*o.Ical)).Decode(); err == nil {
			for _, sc := range stored.Children {
				if sc.Name == ical.CompEvent {
					c = sc
					break
				}
			}
		}
	}
	if c == nil {
		c = cloneComponent(master)
		c.Props.Del(ical.PropRecurrenceRule)
		c.Props.Del(ical.PropRecurrenceDates)
		c.Props.Del(ical.PropExceptionDates)
	}
	p := c.Props
	for _, name := range modelledProps {
		p.Del(name)
	}
	p.SetText(ical.PropUID, e.Uid)
	p.Set(icalTimeProp(ical.PropRecurrenceID, o.RecurrenceID, e.AllDay, loc))
	p.SetDateTime(ical.PropDateTimeStamp, o.UpdatedAt.UTC())
	p.SetDateTime(ical.PropCreated, o.CreatedAt.UTC())
	p.SetDateTime(ical.PropLastModified, o.UpdatedAt.UTC())
	p.SetText(ical.PropSummary, o.Title)
	if o.Notes != "" {
		p.SetText(ical.PropDescription, o.Notes)
	}
	if o.Location != "" {
		p.SetText(ical.PropLocation, o.Location)
	}
	p.Set(icalTimeProp(ical.PropDateTimeStart, o.StartsAt, o.AllDay, loc))
	p.Set(icalTimeProp(ical.PropDateTimeEnd, o.EndsAt, o.AllDay, loc))
	p.Set(&ical.Prop{Name: ical.PropSequence, Params: ical.Params{}, Value: strconv.Itoa(int(e.Sequence))})
	return c
}

// cloneComponent returns a deep copy of c.
func cloneComponent(c *ical.Component) *ical.Component {
	out := &ical.Component{Name: c.Name, Props: make(ical.Props, len(c.Props))}
	for name, ps := range c.Props {
		cp := make([]ical.Prop, len(ps))
		for i, p := range ps {
			cp[i] = ical.Prop{Name: p.Name, Value: p.Value, Params: make(ical.Params, len(p.Params))}
			for k, v := range p.Params {
				cp[i].Params[k] = append([]string(nil), v...)
			}
		}
		out.Props[name] = cp
	}
	for _, child := range c.Children {
		out.Children = append(out.Children, cloneComponent(child))
	}
	return out
}

// icalTimeProp renders t as a date (all-day) or as a local time with the
// zone's TZID (UTC as ...Z): a series then keeps its local time of day
// across daylight-saving changes in clients, as it does in FamilyHub.
func icalTimeProp(name string, t time.Time, allDay bool, loc *time.Location) *ical.Prop {
	p := ical.NewProp(name)
	t = t.In(loc)
	switch {
	case allDay:
		p.SetDate(t)
	case loc == time.UTC || loc.String() == "UTC":
		p.SetDateTime(t.UTC())
	default:
		p.SetDateTime(t)
	}
	return p
}

// EncodeICal returns cal as text; an error means cal breaks an iCalendar
// rule the encoder checks.
func EncodeICal(cal *ical.Calendar) (string, error) {
	var b bytes.Buffer
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		return "", err
	}
	return b.String(), nil
}

// DecodeICal parses one iCalendar object of at most familyhub.MaxICalBytes; errors
// are EINVALID (or ETOOLARGE) *familyhub.Error with a readable message.
func DecodeICal(r io.Reader) (*ical.Calendar, error) {
	b, err := io.ReadAll(io.LimitReader(r, familyhub.MaxICalBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > familyhub.MaxICalBytes {
		return nil, familyhub.Errorf(familyhub.ETOOLARGE, "The iCalendar object is larger than %d KiB.", familyhub.MaxICalBytes>>10)
	}
	return decodeICalSafely(b)
}

// DecodeICalBytes decodes b whatever its size (the caller bounds it);
// errors are EINVALID *familyhub.Error.
func DecodeICalBytes(b []byte) (*ical.Calendar, error) { return decodeICalSafely(b) }

// decodeICalSafely decodes b, turning a panic of the decoder into an error:
// go-ical (v0.0.0-20250329121855) indexes past the end of some malformed
// parameter lines (e.g. "X;A=", found by FuzzICalPut).
func decodeICalSafely(b []byte) (cal *ical.Calendar, err error) {
	defer func() {
		if v := recover(); v != nil {
			cal, err = nil, familyhub.Errorf(familyhub.EINVALID, "Malformed iCalendar: a content line cannot be parsed.")
		}
	}()
	cal, err = ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		return nil, familyhub.Errorf(familyhub.EINVALID, "Malformed iCalendar: %v.", err)
	}
	return cal, nil
}

func ptr[T any](v T) *T { return &v }
