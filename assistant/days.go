package assistant

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// weekdayDate matches at j a date said after its weekday d ("am Montag,
// 16. März", "Montag, den 16.3.", "on Monday, March 16": it was left in
// the title, "Zahnarzt 16. März"): the date, when it is a d; else 0.
func (p *parser) weekdayDate(sc *scan, j int, d time.Weekday) int {
	skip := 0
	if a := sc.at(j); a == "den" || a == "the" {
		skip = 1
	}
	saved := sc.w
	sc.w.weekday, sc.w.nextWeek, sc.w.possessive = -1, false, false
	if k := p.matchDay(sc, j+skip, true, false); k > 0 && sc.w.hasDate && sc.w.date.Weekday() == d {
		sc.w.part = saved.part
		return skip + k
	}
	sc.w = saved
	return 0
}

// matchDay matches a day at j: today, tomorrow, a weekday, a date, and a
// range of dates ("from the 1st to the 8th of April").
func (p *parser) matchDay(sc *scan, j int, hasPre, next bool) int {
	at, w := sc.at, &sc.w
	if w.hasDate || w.weekday >= 0 {
		return 0
	}
	setDay := func(d time.Time, n int) int {
		w.hasDate, w.date = true, d
		// "tomorrow morning", "morgen früh", "heute Abend"
		if pt, ok := parts[at(j+n)]; ok && w.part == "" && !sc.used[min(j+n, len(sc.used)-1)] {
			w.part = pt
			n++
		}
		return n + p.matchDateRangeEnd(sc, j+n)
	}
	today := p.today()
	switch at(j) {
	case "today", "heute", "2day":
		if at(j+1) == "morgen" {
			w.part = "morning"
			return setDay(today, 2)
		}
		return setDay(today, 1)
	case "tonight":
		w.part = "evening"
		return setDay(today, 1)
	case "tomorrow", "tmrw", "tmr", "2moro", "2morrow":
		return setDay(p.tomorrow(), 1)
	case "morgen":
		if hasPre && (at(j-1) == "am" || at(j-1) == "the") {
			return 0 // "am Morgen": a part of the day
		}
		return setDay(p.tomorrow(), 1)
	case "übermorgen":
		return setDay(p.tomorrow().AddDate(0, 0, 1), 1)
	case "day":
		if at(j+1) == "after" && at(j+2) == "tomorrow" {
			return setDay(p.tomorrow().AddDate(0, 0, 1), 3)
		}
	}
	if d, pt, poss, ok := weekdayWord(at(j)); ok {
		w.weekday, w.nextWeek, w.possessive = d, next, poss
		n := 1
		if pt != "" {
			w.part = pt
		} else if pt, ok := parts[at(j+1)]; ok && w.part == "" {
			w.part = pt
			n++
		}
		if k := p.weekdayDate(sc, j+n, d); k > 0 {
			return n + k // "am Montag, 16. März", "on Monday, March 16": that date
		}
		return n + p.matchDateRangeEnd(sc, j+n)
	}
	if d, ok := weekdayAbbr[at(j)]; ok && hasPre && (len(at(j)) > 2 || at(j-1) == "am") {
		w.weekday, w.nextWeek = d, next
		return 1
	}
	if m := isoDate.FindStringSubmatch(at(j)); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		if t, ok := p.civil(y, time.Month(mo), d); ok {
			return setDay(t, 1)
		}
		return 0
	}
	// German numeric dates: "18.3.", "24.03.", "18.03.2026".
	if j < len(sc.toks) {
		if m := germanDate.FindStringSubmatch(sc.toks[j].raw); m != nil && (strings.HasSuffix(sc.toks[j].raw, ".") || m[3] != "") {
			d, _ := strconv.Atoi(m[1])
			mo, _ := strconv.Atoi(m[2])
			if mo >= 1 && mo <= 12 {
				if m[3] != "" {
					y, _ := strconv.Atoi(m[3])
					if y < 100 {
						y += 2000
					}
					if t, ok := p.civil(y, time.Month(mo), d); ok {
						return setDay(t, 1)
					}
					return 0
				}
				return p.monthDay(d, time.Month(mo), at, j, 1, setDay)
			}
		}
	}
	// "12 March", "12th of March", "12. März", optionally a year; "the 1st
	// to the 8th of April", "23. bis 27. März".
	if m := dayToken.FindStringSubmatch(at(j)); m != nil {
		d, _ := strconv.Atoi(m[1])
		n := 1
		if at(j+1) == "of" {
			n = 2
		}
		if mo, ok := months[at(j+n)]; ok {
			return p.monthDay(d, mo, at, j, n+1, setDay)
		}
		if ordinalToken.MatchString(at(j)) || (j < len(sc.toks) && ordinalToken.MatchString(sc.toks[j].raw)) {
			// A range within one month: "1. bis 8. April".
			if rangeWords[at(j+1)] {
				k := j + 2
				if at(k) == "the" {
					k++
				}
				if m2 := dayToken.FindStringSubmatch(at(k)); m2 != nil {
					e := k + 1
					if at(e) == "of" {
						e++
					}
					if mo, ok := months[at(e)]; ok {
						d2, _ := strconv.Atoi(m2[1])
						if n := p.monthDay(d, mo, at, j, 0, func(t time.Time, _ int) int { w.hasDate, w.date = true, t; return 1 }); n > 0 {
							if t2, ok := p.civil(w.date.Year(), mo, d2); ok && !t2.Before(w.date) {
								w.hasEndDate, w.endDate = true, t2
								return e - j + 1
							}
						}
						w.hasDate = false
						return 0
					}
				}
			}
			// "on the 12th": this month, or the next when past.
			if hasPre {
				t, ok := p.civil(today.Year(), today.Month(), d)
				if ok && t.Before(today) {
					t, ok = p.civil(today.Year(), today.Month()+1, d)
				}
				if ok {
					return setDay(t, 1)
				}
			}
		}
	}
	// "March 12", "March 12th 2027". A bare month ("may") is no day.
	if mo, ok := months[at(j)]; ok {
		if m := dayToken.FindStringSubmatch(at(j + 1)); m != nil {
			d, _ := strconv.Atoi(m[1])
			return p.monthDay(d, mo, at, j, 2, setDay)
		}
	}
	return 0
}

// weekdayWord reads a weekday: "friday", "friday's", "montagabend",
// "montags" is a recurrence and not read here.
func weekdayWord(s string) (d time.Weekday, part string, possessive, ok bool) {
	if d, ok := weekdays[s]; ok {
		return d, "", false, true
	}
	if base, ok := strings.CutSuffix(s, "'s"); ok {
		if d, ok := weekdays[base]; ok {
			return d, "", true, true
		}
	}
	for name, d := range weekdays {
		if rest, ok := strings.CutPrefix(s, name); ok && rest != "" {
			if pt, ok := parts[rest]; ok && !strings.HasSuffix(rest, "s") {
				return d, pt, false, true
			}
		}
	}
	return 0, "", false, false
}

// matchDateRangeEnd reads the end of a range of days after its start:
// "to Sunday", "bis 27. März".
func (p *parser) matchDateRangeEnd(sc *scan, j int) int {
	at, w := sc.at, &sc.w
	if !rangeWords[at(j)] || at(j) == "and" || w.hasEndDate {
		return 0
	}
	k := j + 1
	if at(k) == "the" || at(k) == "zum" {
		k++
	}
	start, ok := p.resolveDay(*w)
	if !ok {
		return 0
	}
	if d, _, _, ok := weekdayWord(at(k)); ok {
		delta := (int(d) - int(start.Weekday()) + 7) % 7
		w.hasEndDate, w.endDate = true, start.AddDate(0, 0, delta)
		return k - j + 1
	}
	if m := dayToken.FindStringSubmatch(at(k)); m != nil {
		d, _ := strconv.Atoi(m[1])
		e := k + 1
		if at(e) == "of" {
			e++
		}
		mo, ok := months[at(e)]
		if !ok {
			mo, e = start.Month(), e-1
		}
		if t, ok := p.civil(start.Year(), mo, d); ok && !t.Before(start) {
			w.hasEndDate, w.endDate = true, t
			return e - j + 1
		}
	}
	return 0
}

// monthDay resolves day d of month mo (this year, or the next when it has
// passed, unless a year follows at toks[j+n]).
func (p *parser) monthDay(d int, mo time.Month, at func(int) string, j, n int, setDay func(time.Time, int) int) int {
	year, explicit := p.today().Year(), false
	if y, err := strconv.Atoi(at(j + n)); err == nil && len(at(j+n)) == 4 && n > 0 {
		year, explicit = y, true
		n++
	}
	t, ok := p.civil(year, mo, d)
	if !ok {
		return 0
	}
	if !explicit && t.Before(p.today()) {
		if t, ok = p.civil(year+1, mo, d); !ok {
			return 0
		}
	}
	return setDay(t, n)
}

// civil returns local midnight of y-m-d, refusing dates that do not exist.
func (p *parser) civil(y int, m time.Month, d int) (time.Time, bool) {
	if y < minIntentYear || y > maxIntentYear || d < 1 || d > 31 || m < 1 || m > 12 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, p.loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// today returns local midnight of now's date.
// NightEnds is the hour (on the family's clock) until which "tomorrow" said after midnight names
// the day just begun: who is still up at 00:30 and says "tomorrow" means
// the coming day (the one that started half an hour ago), not the one
// after it. The answer names that day's date too (speaker.namesDate).
const NightEnds = 4

// early reports whether t (on the family's clock) is in the hours after
// midnight in which "tomorrow" names the day just begun.
func early(t time.Time) bool { return t.Hour() < NightEnds }

// saysTomorrow: a command names "tomorrow" ("morgen", "übermorgen"); said
// early, its answer names the date (speaker.namesDate).
var saysTomorrow = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:tomorrow|tmrw|tmr|2moro|2morrow|tomoz|morgen|morgn|übermorgen)(?:[^\p{L}]|$)`)

// tomorrow is the day "tomorrow" names (NightEnds).
func (p *parser) tomorrow() time.Time { return tomorrowOf(p.now) }

// tomorrowOf is local midnight of the day "tomorrow" said at now names:
// the day just begun before NightEnds, else the next one. The parser and
// the model's prompt count it alike.
func tomorrowOf(now time.Time) time.Time {
	y, m, d := now.Date()
	if !early(now) {
		d++
	}
	return time.Date(y, m, d, 0, 0, 0, 0, now.Location())
}

func (p *parser) today() time.Time {
	y, m, d := p.now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, p.loc)
}

// resolveDay returns the day w names (local midnight), today when none.
// A weekday is the next such day, today included unless "next" was said.
func (p *parser) resolveDay(w when) (time.Time, bool) {
	switch {
	case w.hasDate:
		return w.date, true
	case w.weekday >= 0:
		delta := (int(w.weekday) - int(p.now.Weekday()) + 7) % 7
		if delta == 0 && w.nextWeek {
			delta = 7
		}
		return p.today().AddDate(0, 0, delta), true
	}
	return p.today(), false
}

// cancelDay is the day a cancel names, and whether it is today only
// because a bare weekday said so (today or a week on: the executor looks).
func (p *parser) cancelDay(w when) (string, bool) {
	day, _ := p.resolveDay(w)
	return day.Format(time.DateOnly), p.bareToday(w, day)
}

// bareToday: day, which w names, is today only because w is a bare
// weekday (not "today", not a date, not "next").
func (p *parser) bareToday(w when, day time.Time) bool {
	return !w.hasDate && w.weekday >= 0 && !w.nextWeek && day.Equal(p.today())
}

// hour24 is the hour a clock means: an hour without am/pm from 1 to 7 is
// in the afternoon or evening, from 8 to 12 as said, unless a part of the
// day decides; with German "Uhr", 1 to 6 are afternoon and 7 to 12 as said.
func (c clock) hour24(part string) int {
	h := c.hour
	switch {
	case c.h24:
		return h % 24
	case c.ampm == "pm" && h < 12:
		return h + 12
	case c.ampm == "am" && h == 12:
		return 0
	case c.ampm != "":
		return h
	}
	switch part {
	case "afternoon", "evening":
		if h < 12 {
			h += 12
		}
	case "night":
		if h >= 6 && h < 12 {
			h += 12
		}
	case "morning":
	default:
		if h >= 1 && (h <= 6 || (h == 7 && !c.uhr)) {
			h += 12
		}
	}
	return h % 24
}

// resolve turns w into an instant and says whether it has a time of day
// and whether it said anything. A time without a day is the next such
// time; a weekday whose time has passed today is next week's.
func (p *parser) resolve(w when) (t time.Time, hasTime, ok bool) {
	if w.hasRel {
		return p.now.Add(w.rel).Truncate(time.Minute), true, true
	}
	day, dayGiven := p.resolveDay(w)
	hour, min, hasTime := 0, 0, w.hasTime
	if hasTime {
		hour, min = w.clock.hour24(w.part), w.clock.min
	} else if w.part != "" {
		hour, hasTime = partHour[w.part], true
	}
	if !hasTime {
		return day, false, dayGiven
	}
	t = time.Date(day.Year(), day.Month(), day.Day(), hour, min, 0, 0, p.loc)
	switch {
	case !w.hasTime && (w.part == "evening" || w.part == "night") && w.weekday < 0 && day.Equal(p.today()) && !t.After(p.now):
		t = restOfEvening(p.now) // "tonight" said at 23:30: still tonight, not 19:00 gone
	case !dayGiven && !t.After(p.now):
		t = t.AddDate(0, 0, 1) // "at 6pm" said at 7pm: tomorrow
	case w.weekday >= 0 && !w.nextWeek && !t.After(p.now):
		t = t.AddDate(0, 0, 7) // "on Friday at 3" said on Friday at 4
	}
	return t, true, true
}

// timedRange returns the start and end of a timed event that starts at
// start: the end clock on the same day (12 hours on while it would not be
// later), else start plus the length said, else one hour.
func (p *parser) timedRange(w when, start time.Time) (time.Time, time.Time) {
	if w.hasEnd {
		e := w.end
		if e.ampm == "" && !e.h24 && w.clock.ampm != "" {
			e.ampm = w.clock.ampm
		}
		h := e.hour24(w.part)
		if w.clock.ampm == "" && !w.clock.h24 && e.ampm != "" {
			// "from 6 to 8pm": the start takes the end's half of the day.
			sc := w.clock
			sc.ampm = e.ampm
			if sh := sc.hour24(w.part); sh <= h {
				start = time.Date(start.Year(), start.Month(), start.Day(), sh, start.Minute(), 0, 0, p.loc)
			}
		}
		end := time.Date(start.Year(), start.Month(), start.Day(), h, e.min, 0, 0, p.loc)
		for !end.After(start) {
			end = end.Add(12 * time.Hour)
		}
		return start, end
	}
	if w.dur > 0 {
		return start, start.Add(w.dur)
	}
	return start, start.Add(time.Hour)
}

// restOfEvening is when "tonight" ("heute Abend") said after the evening's
// usual hour is due: the next full quarter hour at least 15 minutes after
// now (23:30: 23:45), at the latest 23:59 of today, which a task shows as
// due today. A family saying "take out the bins tonight" at 23:30 means
// the rest of this evening, not 19:00 past nor tomorrow evening.
func restOfEvening(now time.Time) time.Time {
	t := now.Add(15 * time.Minute).Truncate(time.Minute)
	if q := t.Minute() % 15; q != 0 {
		t = t.Add(time.Duration(15-q) * time.Minute)
	}
	y, m, d := now.Date()
	if last := time.Date(y, m, d, 23, 59, 0, 0, now.Location()); t.After(last) {
		return last
	}
	return t
}
