package familyhub

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// MaxRecurrenceLen is the longest RRULE value accepted, in bytes.
const MaxRecurrenceLen = 500

// Recurrence is a validated RFC 5545 RRULE value (the part after "RRULE:"),
// without a start: the start comes from the record it recurs (a task's
// due_at, an event's starts_at) and the zone from the family.
//
// FamilyHub accepts FREQ=DAILY, WEEKLY, MONTHLY and YEARLY, without BYHOUR,
// BYMINUTE and BYSECOND: a series has at most one occurrence per day, at the
// local time of day of its start.
type Recurrence struct {
	rule string
}

// ParseRecurrence validates s as an RRULE ("RRULE:" prefix and letter case
// are forgiven) and returns it in normal form. Any problem is an EINVALID
// *Error naming field.
func ParseRecurrence(field, s string) (*Recurrence, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "RRULE:")
	switch {
	case s == "":
		return nil, Invalid(field, "%s is empty; give an RRULE such as FREQ=WEEKLY;BYDAY=MO,TH.", field)
	case len(s) > MaxRecurrenceLen:
		return nil, Invalid(field, "%s must be at most %d characters.", field, MaxRecurrenceLen)
	case strings.ContainsAny(s, "\r\n"):
		return nil, Invalid(field, "%s must be a single RRULE line.", field)
	}
	seen := map[string]bool{}
	var count int
	var hasUntil bool
	for _, part := range strings.Split(s, ";") {
		key, value, ok := strings.Cut(part, "=")
		if !ok || value == "" {
			return nil, Invalid(field, "%s: %q is not KEY=VALUE.", field, part)
		}
		if seen[key] {
			return nil, Invalid(field, "%s: %s is given twice.", field, key)
		}
		seen[key] = true
		switch key {
		case "FREQ":
			switch value {
			case "DAILY", "WEEKLY", "MONTHLY", "YEARLY":
			default:
				return nil, Invalid(field, "%s: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.", field)
			}
		case "BYHOUR", "BYMINUTE", "BYSECOND":
			return nil, Invalid(field, "%s: %s is not supported; the time of day comes from the start.", field, key)
		case "DTSTART":
			return nil, Invalid(field, "%s: DTSTART is not part of an RRULE; the start comes from the record.", field)
		case "COUNT":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > 10000 {
				return nil, Invalid(field, "%s: COUNT must be 1 to 10000.", field)
			}
			count = n
		case "INTERVAL":
			if n, err := strconv.Atoi(value); err != nil || n < 1 || n > 1000 {
				return nil, Invalid(field, "%s: INTERVAL must be 1 to 1000.", field)
			}
		case "UNTIL":
			hasUntil = true
		}
	}
	if !seen["FREQ"] {
		return nil, Invalid(field, "%s: FREQ is required.", field)
	}
	if count > 0 && hasUntil {
		return nil, Invalid(field, "%s: COUNT and UNTIL cannot both be given.", field)
	}
	if err := checkByDay(field, s); err != nil {
		return nil, err
	}
	r := &Recurrence{rule: s}
	// Parse with a start so that rrule-go's own checks (bounds of BYMONTH,
	// BYMONTHDAY, UNTIL's syntax...) run, and make sure the rule ever fires:
	// a rule that never occurs would make every expansion scan to year 9999.
	rr, err := r.rrule(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, Invalid(field, "%s is not a valid RRULE: %s.", field, err)
	}
	if !firesOnce(rr) {
		return nil, Invalid(field, "%s never occurs.", field)
	}
	return r, nil
}

// firesOnce reports whether the rule has an occurrence; a rule that makes
// rrule-go panic (found by fuzzing the assistant) has none.
func firesOnce(rr *rrule.RRule) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, ok = rr.Iterator()()
	return ok
}

// checkByDay refuses BYDAY entries that are no weekday, and ordinals RFC
// 5545 does not allow: none with DAILY or WEEKLY, -5..5 in a month
// (MONTHLY, or YEARLY with BYMONTH), -53..53 in a year. rrule-go panics on
// some of them ("FREQ=MONTHLY;BYDAY=10FR").
func checkByDay(field, rule string) error {
	parts := map[string]string{}
	for _, p := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	if parts["BYDAY"] == "" {
		return nil
	}
	limit := 0
	switch {
	case parts["FREQ"] == "MONTHLY" || parts["FREQ"] == "YEARLY" && parts["BYMONTH"] != "":
		limit = 5
	case parts["FREQ"] == "YEARLY":
		limit = 53
	}
	for _, d := range strings.Split(parts["BYDAY"], ",") {
		if len(d) < 2 || !slices.Contains([]string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}, d[len(d)-2:]) {
			return Invalid(field, "%s: BYDAY %q is not a weekday such as MO or 1SA.", field, d)
		}
		if nth := d[:len(d)-2]; nth != "" {
			n, err := strconv.Atoi(nth)
			if err != nil || n == 0 || n > limit || n < -limit {
				return Invalid(field, "%s: BYDAY %q: the number before the day must be 1 to %d or -1 to -%d (none with %s).", field, d, limit, limit, parts["FREQ"])
			}
		}
	}
	return nil
}

// String returns the rule in normal form, as stored.
func (r *Recurrence) String() string { return r.rule }

// rrule builds the rule with its first occurrence at start; times of day and
// UNTIL without a zone are taken in start's location.
func (r *Recurrence) rrule(start time.Time) (*rrule.RRule, error) {
	opt, err := rrule.StrToROptionInLocation(r.rule, start.Location())
	if err != nil {
		return nil, err
	}
	opt.Dtstart = start
	return rrule.NewRRule(*opt)
}

// Between returns the starts of the occurrences in [from, to) of the series
// that starts at start, expanded in loc: every occurrence keeps the local
// time of day of start, across daylight-saving changes (a local time that
// does not exist that day moves forward by the gap). start is an occurrence
// only when the rule matches it (RFC 5545 leaves the other case undefined).
// The result is in loc, in order, with at most max entries. An expansion
// failure (which ParseRecurrence has ruled out) yields nil.
func (r *Recurrence) Between(start time.Time, loc *time.Location, from, to time.Time, max int) []time.Time {
	rr, err := r.rrule(start.In(loc))
	if err != nil || !to.After(from) {
		return nil
	}
	var out []time.Time
	next := rr.Iterator()
	for len(out) < max {
		t, ok := next()
		if !ok || !t.Before(to) {
			break
		}
		if !t.Before(from) {
			out = append(out, t)
		}
	}
	return out
}

// OnDate returns the occurrence of the series that starts at start falling
// on the civil date of date (its year, month and day, whatever its
// location) in loc, and whether there is one.
func (r *Recurrence) OnDate(start time.Time, loc *time.Location, date time.Time) (time.Time, bool) {
	dayStart, dayEnd := DayBounds(date, loc)
	occ := r.Between(start, loc, dayStart, dayEnd, 1)
	if len(occ) == 0 {
		return time.Time{}, false
	}
	return occ[0], true
}

// DayBounds returns the first instant of the civil date of date (its year,
// month and day, whatever its location) in loc and the first instant of the
// next day: 23 or 25 hours apart on daylight-saving days.
func DayBounds(date time.Time, loc *time.Location) (start, end time.Time) {
	y, m, d := date.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// CivilDate returns midnight UTC of the date t has in loc: the form in which
// FamilyHub passes civil dates (YYYY-MM-DD) around.
func CivilDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
