package ical

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
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

	dtstart := props.Get(ical.PropDateTimeStart)
	if dtstart == nil {
		return ev, familyhub.Invalid("starts_at", "The event has no DTSTART.")
	}
	ev.AllDay = isDateValue(dtstart)
	if ev.StartsAt, err = icalTime(dtstart, loc); err != nil {
		return ev, familyhub.Invalid("starts_at", "DTSTART %q is not a date or date-time.", dtstart.Value)
	}
	switch dtend, dur := props.Get(ical.PropDateTimeEnd), props.Get(ical.PropDuration); {
	case dtend != nil:
		if ev.EndsAt, err = icalTime(dtend, loc); err != nil {
			return ev, familyhub.Invalid("ends_at", "DTEND %q is not a date or date-time.", dtend.Value)
		}
		if ev.AllDay && !isDateValue(dtend) {
			ev.EndsAt = midnightAfter(ev.EndsAt, loc)
		}
	case dur != nil:
		d, err := dur.Duration()
		if err != nil || d < 0 {
			return ev, familyhub.Invalid("ends_at", "DURATION %q is not a positive duration.", dur.Value)
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
		return ev, familyhub.Invalid("ends_at", "DTEND is before DTSTART.")
	}
	if ev.AllDay && !ev.EndsAt.After(ev.StartsAt) {
		y, m, d := ev.StartsAt.In(loc).Date()
		ev.EndsAt = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	}
	if y := ev.StartsAt.Year(); y < 1900 || y > 2200 || ev.EndsAt.Year() > 2200 {
		return ev, familyhub.Invalid("starts_at", "The event must lie between the years 1900 and 2200.")
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
	return ev, nil
}

// masterEvent returns cal's VEVENT without RECURRENCE-ID.
func masterEvent(cal *ical.Calendar) (*ical.Component, error) {
	var master *ical.Component
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompTimezone:
		case ical.CompEvent:
			if c.Props.Get(ical.PropRecurrenceID) != nil {
				continue
			}
			if master != nil {
				return nil, familyhub.Invalid("uid", "One calendar object holds one event (one VEVENT without RECURRENCE-ID).")
			}
			master = c
		default:
			return nil, familyhub.Invalid("type", "Only VEVENT components are stored in this calendar, not %s.", c.Name)
		}
	}
	if master == nil {
		return nil, familyhub.Invalid("type", "The calendar object holds no VEVENT.")
	}
	return master, nil
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
// alarms, attendees and single-occurrence changes) with the modelled
// properties regenerated from the row, so that a change made through REST
// shows over CalDAV. A stored object that no longer parses is replaced.
func EventICal(e dbsqlc.CalendarEvent, loc *time.Location) *ical.Calendar {
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
	if e.Rrule == nil {
		// Without a series, changed occurrences have nothing to change.
		kept := cal.Children[:0]
		for _, c := range cal.Children {
			if c.Name != ical.CompEvent || c == master || c.Props.Get(ical.PropRecurrenceID) == nil {
				kept = append(kept, c)
			}
		}
		cal.Children = kept
	}
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
	return cal
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

// Subscription credentials are sealed with AES-256-GCM under a key derived
// from FAMILYHUB_SECRET_KEY.

// minSecretKeyLen is the shortest FAMILYHUB_SECRET_KEY accepted.
const minSecretKeyLen = 16

// DeriveSecretKey returns the 32-byte AES key for the configured secret
// (FAMILYHUB_SECRET_KEY): nil for "", an error when it is shorter than 16
// characters.
func DeriveSecretKey(secret string) ([]byte, error) {
	if secret == "" {
		return nil, nil
	}
	if len(secret) < minSecretKeyLen {
		return nil, fmt.Errorf("FAMILYHUB_SECRET_KEY must be at least %d characters (e.g. `openssl rand -base64 32`)", minSecretKeyLen)
	}
	k := sha256.Sum256([]byte("familyhub subscription credentials v1\x00" + secret))
	return k[:], nil
}

// SealSecret encrypts plaintext under key, bound to aad (the subscription
// id), as nonce || ciphertext.
func SealSecret(key, plaintext, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	return gcm.Seal(nonce, nonce, plaintext, aad), nil
}

// OpenSecret reverses SealSecret; it fails when key or aad differ or the
// data was altered.
func OpenSecret(key, sealed, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("sealed secret is too short")
	}
	return gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], aad)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("no secret key configured (FAMILYHUB_SECRET_KEY)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
func ptr[T any](v T) *T { return &v }
