package ical

import (
	"fmt"
	"sync"
	"time"

	"github.com/emersion/go-ical"
)

// RFC 5545 wants a VTIMEZONE for every TZID an object uses. Calendar apps
// mostly recognise IANA names by themselves, but some (and validators)
// read the definition, so FamilyHub writes one from Go's zone database.

// ensureTimezones makes cal hold a VTIMEZONE for every TZID its components
// use: the calendar's own when it has one, else one generated from Go's
// zone database (a TZID Go does not know is left as it is). VTIMEZONEs no
// TZID uses any more are dropped.
func ensureTimezones(cal *ical.Calendar) {
	used := map[string]bool{}
	var order []string
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			collectTZIDs(c, used, &order)
		}
	}
	have := map[string]bool{}
	kept := cal.Children[:0]
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			id, _ := c.Props.Text(ical.PropTimezoneID)
			if !used[id] || have[id] {
				continue
			}
			have[id] = true
		}
		kept = append(kept, c)
	}
	cal.Children = kept
	var zones []*ical.Component
	for _, id := range order {
		if have[id] {
			continue
		}
		if vt := vtimezone(id); vt != nil {
			zones = append(zones, vt)
		}
	}
	// Timezones first, as most servers and clients write them.
	cal.Children = append(zones, cal.Children...)
}

func collectTZIDs(c *ical.Component, used map[string]bool, order *[]string) {
	for _, ps := range c.Props {
		for _, p := range ps {
			if id := p.Params.Get(ical.PropTimezoneID); id != "" && !used[id] {
				used[id] = true
				*order = append(*order, id)
			}
		}
	}
	for _, child := range c.Children {
		collectTZIDs(child, used, order)
	}
}

var vtimezoneCache sync.Map // zone name → *ical.Component (read-only, shared)

// vtimezone returns a VTIMEZONE for the IANA zone name, or nil when Go does
// not know it. Zones with daylight saving get yearly rules (as Mozilla's
// and Apple's definitions do) when this and the next years' changes
// follow one; otherwise their changes from last year to ten years ahead
// are listed one by one.
func vtimezone(name string) *ical.Component {
	if name == "UTC" || name == "Local" || name == "" {
		return nil
	}
	if c, ok := vtimezoneCache.Load(name); ok {
		return cloneComponent(c.(*ical.Component))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	vt := ical.NewComponent(ical.CompTimezone)
	vt.Props.SetText(ical.PropTimezoneID, name)
	year := time.Now().Year()
	trans := transitions(loc, year)
	switch {
	case len(trans) == 0:
		t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
		abbr, off := t.Zone()
		vt.Children = append(vt.Children, observance(ical.CompTimezoneStandard, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), off, off, abbr, ""))
	case len(trans) == 2 && yearlyRulesHold(loc, year, trans):
		for _, tr := range trans {
			rule, first := yearlyRule(tr)
			vt.Children = append(vt.Children, observance(tr.kind(), first, tr.from, tr.to, tr.abbr, rule))
		}
	default:
		for y := year - 1; y <= year+10; y++ {
			for _, tr := range transitions(loc, y) {
				vt.Children = append(vt.Children, observance(tr.kind(), tr.wall(), tr.from, tr.to, tr.abbr, ""))
			}
		}
		if len(vt.Children) == 0 {
			return nil
		}
	}
	vtimezoneCache.Store(name, vt)
	return cloneComponent(vt)
}

// transition is a change of a zone's UTC offset.
type transition struct {
	at       time.Time // the instant
	from, to int       // offsets in seconds east of UTC, before and after
	abbr     string    // the zone's abbreviation after
	isDST    bool
}

func (tr transition) kind() string {
	if tr.isDST {
		return ical.CompTimezoneDaylight
	}
	return ical.CompTimezoneStandard
}

// wall returns the transition's local time before it (what an observance's
// DTSTART says), as a UTC-located value to be formatted without zone.
func (tr transition) wall() time.Time {
	return tr.at.Add(time.Duration(tr.from) * time.Second).UTC()
}

// transitions returns the offset changes of loc during year, in order.
func transitions(loc *time.Location, year int) []transition {
	var out []transition
	t := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	_, prev := t.In(loc).Zone()
	for t.Before(end) {
		next := t.Add(24 * time.Hour)
		if _, off := next.In(loc).Zone(); off != prev {
			// Narrow down to the second the offset changes.
			lo, hi := t.Unix(), next.Unix()
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if _, o := time.Unix(mid, 0).In(loc).Zone(); o == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			at := time.Unix(hi, 0).UTC()
			abbr, _ := at.In(loc).Zone()
			out = append(out, transition{at: at, from: prev, to: off, abbr: abbr, isDST: at.In(loc).IsDST()})
			prev = off
		}
		t = next
	}
	return out
}

// yearlyRule returns the RRULE that repeats tr every year (the nth, or the
// last, weekday of its month at the same local time) and its first date
// from 1970 on.
func yearlyRule(tr transition) (string, time.Time) {
	w := tr.wall()
	nth := (w.Day()-1)/7 + 1
	last := w.Day()+7 > daysIn(w.Year(), w.Month())
	byday := fmt.Sprintf("%d%s", nth, weekdays[w.Weekday()])
	if last {
		byday = "-1" + weekdays[w.Weekday()]
	}
	rule := fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%s", int(w.Month()), byday)
	return rule, nthWeekday(1970, w.Month(), w.Weekday(), nth, last, w)
}

// yearlyRulesHold reports whether the yearly rules of year's transitions
// give the transitions of the next five years too.
func yearlyRulesHold(loc *time.Location, year int, trans []transition) bool {
	for y := year + 1; y <= year+5; y++ {
		next := transitions(loc, y)
		if len(next) != len(trans) {
			return false
		}
		for i, tr := range trans {
			w := tr.wall()
			nth := (w.Day()-1)/7 + 1
			last := w.Day()+7 > daysIn(w.Year(), w.Month())
			want := nthWeekday(y, w.Month(), w.Weekday(), nth, last, w)
			if !next[i].wall().Equal(want) || next[i].from != tr.from || next[i].to != tr.to {
				return false
			}
		}
	}
	return true
}

var weekdays = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// nthWeekday returns the nth (or last) weekday wd of month m in year, at
// the time of day of clock.
func nthWeekday(year int, m time.Month, wd time.Weekday, nth int, last bool, clock time.Time) time.Time {
	var d int
	if last {
		d = daysIn(year, m)
		for time.Date(year, m, d, 0, 0, 0, 0, time.UTC).Weekday() != wd {
			d--
		}
	} else {
		d = 1
		for time.Date(year, m, d, 0, 0, 0, 0, time.UTC).Weekday() != wd {
			d++
		}
		d += 7 * (nth - 1)
	}
	return time.Date(year, m, d, clock.Hour(), clock.Minute(), clock.Second(), 0, time.UTC)
}

// observance returns a STANDARD or DAYLIGHT component starting at the
// local time start (a UTC-located value), optionally repeating by rule.
func observance(kind string, start time.Time, from, to int, abbr, rule string) *ical.Component {
	c := ical.NewComponent(kind)
	c.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{}, Value: start.Format("20060102T150405")})
	c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetFrom, Params: ical.Params{}, Value: utcOffset(from)})
	c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetTo, Params: ical.Params{}, Value: utcOffset(to)})
	if abbr != "" {
		c.Props.SetText(ical.PropTimezoneName, abbr)
	}
	if rule != "" {
		c.Props.Set(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: rule})
	}
	return c
}

// utcOffset formats seconds east of UTC as RFC 5545's UTC-OFFSET (+HHMM,
// +HHMMSS when there are seconds).
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
