package assistant

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/familyhub/familyhub"
)

// recur is a recurrence as said: "every other Tuesday", "werktags",
// "jeden ersten Samstag im Monat", "every morning".
type recur struct {
	freq       string // DAILY, WEEKLY, MONTHLY, YEARLY
	interval   int
	byday      []string // MO, TU, ... or with an ordinal: 1SA, -1FR
	bymonthday int
	part       string // "every morning": the time of day
}

// rule is the RRULE value: FREQ, INTERVAL, BYDAY, BYMONTHDAY in that order.
func (r *recur) rule() string {
	s := "FREQ=" + r.freq
	if r.interval > 1 {
		s += ";INTERVAL=" + strconv.Itoa(r.interval)
	}
	if len(r.byday) > 0 {
		days := append([]string(nil), r.byday...)
		sort.SliceStable(days, func(i, j int) bool { return dayOrder(days[i]) < dayOrder(days[j]) })
		s += ";BYDAY=" + strings.Join(days, ",")
	}
	if r.bymonthday != 0 {
		s += ";BYMONTHDAY=" + strconv.Itoa(r.bymonthday)
	}
	return s
}

var dayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func dayOrder(code string) int {
	code = strings.TrimLeft(code, "-0123456789")
	for i, c := range dayCodes {
		if c == code {
			return (i + 6) % 7 // Monday first
		}
	}
	return 7
}

var (
	recurEvery    = setOf(`every each jeden jede jedes alle`)
	recurOther    = setOf(`other second 2nd zweiten zweite zweites`)
	recurUnits    = map[string]string{"day": "DAILY", "days": "DAILY", "tag": "DAILY", "tage": "DAILY", "week": "WEEKLY", "weeks": "WEEKLY", "woche": "WEEKLY", "wochen": "WEEKLY", "month": "MONTHLY", "months": "MONTHLY", "monat": "MONTHLY", "monate": "MONTHLY", "year": "YEARLY", "years": "YEARLY", "jahr": "YEARLY", "jahre": "YEARLY"}
	recurAdverbs  = map[string]recur{"daily": {freq: "DAILY"}, "täglich": {freq: "DAILY"}, "weekly": {freq: "WEEKLY"}, "wöchentlich": {freq: "WEEKLY"}, "monthly": {freq: "MONTHLY"}, "monatlich": {freq: "MONTHLY"}, "yearly": {freq: "YEARLY"}, "annually": {freq: "YEARLY"}, "jährlich": {freq: "YEARLY"}, "fortnightly": {freq: "WEEKLY", interval: 2}, "biweekly": {freq: "WEEKLY", interval: 2}, "zweiwöchentlich": {freq: "WEEKLY", interval: 2}, "vierzehntägig": {freq: "WEEKLY", interval: 2}, "14-tägig": {freq: "WEEKLY", interval: 2}, "nightly": {freq: "DAILY", part: "night"}}
	weekdaysMF    = []string{"MO", "TU", "WE", "TH", "FR"}
	recurOrdinals = map[string]int{"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1,
		"erste": 1, "ersten": 1, "erster": 1, "zweite": 2, "zweiten": 2, "dritte": 3, "dritten": 3, "vierte": 4, "vierten": 4, "letzte": -1, "letzten": -1, "letzter": -1}
	recurPartWords = map[string]string{"morning": "morning", "mornings": "morning", "evening": "evening", "evenings": "evening", "night": "night", "afternoon": "afternoon", "morgen": "morning", "abend": "evening", "nachmittag": "afternoon", "nacht": "night", "vormittag": "morning"}
)

// matchRecur matches a recurrence at i and returns how many tokens it takes.
func (p *parser) matchRecur(sc *scan, i int) int {
	if sc.rec != nil {
		return 0
	}
	at := sc.at
	r := recur{interval: 1}
	k := i
	switch {
	case recurEvery[at(k)]:
		k++
		if recurOther[at(k)] && at(k+1) != "of" {
			r.interval = 2
			k++
		} else if n, ok := numberWords[at(k)]; ok && n >= 2 {
			r.interval = n
			k++
		} else if n, err := strconv.Atoi(at(k)); err == nil && n >= 2 && n <= 365 {
			r.interval = n
			k++
		}
		if unit, ok := recurUnits[at(k)]; ok {
			r.freq = unit
			k++
			if unit == "DAILY" && r.interval%7 == 0 {
				r.freq, r.interval = "WEEKLY", r.interval/7
			}
			k += p.recurOn(sc, k, &r)
			break
		}
		switch at(k) {
		case "weekday", "weekdays", "werktag":
			r.freq, r.byday = "WEEKLY", weekdaysMF
			k++
		case "weekend", "weekends", "wochenende":
			r.freq, r.byday = "WEEKLY", []string{"SA", "SU"}
			k++
		}
		if r.freq != "" {
			break
		}
		if pt, ok := recurPartWords[at(k)]; ok {
			r.freq, r.part = "DAILY", pt
			k++
			break
		}
		if ord, ok := recurOrdinals[at(k)]; ok {
			if d, _, _, ok := weekdayWord(at(k + 1)); ok {
				if n := monthPhrase(sc, k+2); n > 0 {
					r.freq, r.byday = "MONTHLY", []string{strconv.Itoa(ord) + dayCodes[d]}
					k += 2 + n
					break
				}
			}
			// "jeden 1. des Monats", "every 15th of the month"
		}
		if m := dayToken.FindStringSubmatch(at(k)); m != nil && (at(k+1) == "of" || at(k+1) == "des") {
			if n := monthPhrase(sc, k+1); n > 0 {
				d, _ := strconv.Atoi(m[1])
				r.freq, r.bymonthday = "MONTHLY", d
				k += 1 + n
				break
			}
		}
		if n := weekdayList(sc, k, &r, false); n > 0 {
			r.freq = "WEEKLY"
			k += n
			break
		}
		return 0
	case recurAdverbs[at(k)].freq != "":
		r = recurAdverbs[at(k)]
		if r.interval == 0 {
			r.interval = 1
		}
		k++
		k += p.recurOn(sc, k, &r)
	default:
		pre := 0
		if at(k) == "on" || at(k) == "an" || at(k) == "am" {
			pre = 1
		}
		switch at(k + pre) {
		case "weekdays", "werktags", "werktagen":
			r.freq, r.byday = "WEEKLY", weekdaysMF
			k += pre + 1
		case "weekends", "wochenends", "wochenenden":
			r.freq, r.byday = "WEEKLY", []string{"SA", "SU"}
			k += pre + 1
		case "unter":
			if at(k+pre+1) == "der" && at(k+pre+2) == "woche" {
				r.freq, r.byday = "WEEKLY", weekdaysMF
				k += pre + 3
			}
		}
		if r.freq != "" {
			break
		}
		if n := weekdayList(sc, k+pre, &r, true); n > 0 {
			r.freq = "WEEKLY"
			k += pre + n
			k += weeksInterval(sc, k, &r) // "montags alle zwei Wochen"
			break
		}
		// "on the first of every month", "am Ersten jedes Monats"
		j := k + pre
		if at(j) == "the" {
			j++
		}
		d := 0
		if m := dayToken.FindStringSubmatch(at(j)); m != nil {
			d, _ = strconv.Atoi(m[1])
		} else if o := recurOrdinals[at(j)]; o > 0 {
			d = o
		}
		if d > 0 && (at(j+1) == "of" || at(j+1) == "jedes" || at(j+1) == "des") {
			if n := monthPhrase(sc, j+1); n > 0 && (at(j+2) == "every" || at(j+2) == "each" || at(j+1) == "jedes") {
				r.freq, r.bymonthday = "MONTHLY", d
				k = j + 1 + n
				break
			}
		}
		// "the first Monday of every month"
		if o, ok := recurOrdinals[at(j)]; ok {
			if wd, _, _, ok := weekdayWord(at(j + 1)); ok && (at(j+3) == "every" || at(j+3) == "each" || at(j+3) == "jedes") {
				if n := monthPhrase(sc, j+2); n > 0 {
					r.freq, r.byday = "MONTHLY", []string{strconv.Itoa(o) + dayCodes[wd]}
					k = j + 2 + n
					break
				}
			}
		}
		return 0
	}
	// A part of the day after the recurrence: "every Monday night", "jeden Abend".
	if pt, ok := recurPartWords[at(k)]; ok && r.part == "" && at(k) != "morgen" {
		r.part = pt
		k++
	}
	sc.rec = &r
	return k - i
}

// recurOn takes "on Friday" after "every 2 weeks" and "on the 15th" after
// "every month".
func (p *parser) recurOn(sc *scan, k int, r *recur) int {
	at := sc.at
	if at(k) != "on" && at(k) != "am" {
		if r.freq == "WEEKLY" && r.byday == nil {
			// "alle zwei Wochen montags", "every other week mondays": the
			// day said as a plural, without "am"/"on" (it was lost, the
			// series ran from today and "montags" went into the title)
			return weekdayList(sc, k, r, true)
		}
		return 0
	}
	switch r.freq {
	case "WEEKLY":
		if n := weekdayList(sc, k+1, r, false); n > 0 {
			return n + 1
		}
	case "MONTHLY":
		j := k + 1
		if at(j) == "the" {
			j++
		}
		if m := dayToken.FindStringSubmatch(at(j)); m != nil {
			d, _ := strconv.Atoi(m[1])
			r.bymonthday = d
			return j - k + 1
		}
		if o := recurOrdinals[at(j)]; o > 0 {
			r.bymonthday = o
			return j - k + 1
		}
	}
	return 0
}

// weeksInterval takes "alle zwei Wochen", "every other week", "every 3
// weeks", "fortnightly" after the days of a weekly series said first
// ("montags alle zwei Wochen": it was every Monday, the rest in the title).
func weeksInterval(sc *scan, k int, r *recur) int {
	at := sc.at
	if a := recurAdverbs[at(k)]; a.freq == "WEEKLY" {
		r.interval = max(a.interval, 1)
		return 1
	}
	if !recurEvery[at(k)] {
		return 0
	}
	n, j := 1, k+1
	if recurOther[at(j)] {
		n, j = 2, j+1
	} else if w, ok := numberWords[at(j)]; ok && w >= 2 {
		n, j = w, j+1
	} else if d, err := strconv.Atoi(at(j)); err == nil && d >= 2 && d <= 52 {
		n, j = d, j+1
	}
	if recurUnits[at(j)] != "WEEKLY" {
		return 0
	}
	r.interval = n
	return j + 1 - k
}

// monthPhrase matches "of the month", "of every month", "im Monat", "des
// Monats", "jedes Monats" at k.
func monthPhrase(sc *scan, k int) int {
	at := sc.at
	switch {
	case (at(k) == "of" || at(k) == "in") && (at(k+1) == "the" || at(k+1) == "every" || at(k+1) == "each") && at(k+2) == "month":
		return 3
	case (at(k) == "im" && at(k+1) == "monat") || ((at(k) == "des" || at(k) == "jedes") && at(k+1) == "monats"):
		return 2
	}
	return 0
}

// weekdayList reads "Monday", "Monday and Thursday", "Mondays",
// "dienstags und donnerstags", "montags bis freitags" at k. plural: only
// plural forms count ("on Mondays"; a bare "Monday" is one day).
func weekdayList(sc *scan, k int, r *recur, plural bool) int {
	at := sc.at
	one := func(s string) (time.Weekday, string, bool) {
		if d, ok := weekdays[s]; ok && !plural {
			return d, "", true
		}
		for _, suf := range []string{"s", "'s"} {
			if base, ok := strings.CutSuffix(s, suf); ok {
				if d, ok := weekdays[base]; ok {
					return d, "", true
				}
			}
		}
		if d, pt, poss, ok := weekdayWord(s); ok && !poss && !plural {
			return d, pt, true
		}
		return 0, "", false
	}
	d, pt, ok := one(at(k))
	if !ok {
		return 0
	}
	days := []string{dayCodes[d]}
	n := 1
	if (at(k+1) == "bis" || at(k+1) == "to") && plural {
		if d2, _, ok := one(at(k + 2)); ok {
			days = nil
			for x := d; ; x = (x + 1) % 7 {
				days = append(days, dayCodes[x])
				if x == d2 {
					break
				}
			}
			n = 3
		}
	}
	for (at(k+n) == "and" || at(k+n) == "und" || sc.toks[min(k+n-1, len(sc.toks)-1)].comma) && n < 14 {
		step := 1
		if at(k+n) != "and" && at(k+n) != "und" {
			step = 0
		}
		d2, pt2, ok := one(at(k + n + step))
		if !ok {
			break
		}
		days = append(days, dayCodes[d2])
		if pt2 != "" {
			pt = pt2
		}
		n += step + 1
	}
	r.byday = days
	if pt != "" {
		r.part = pt
	}
	return n
}

// firstOccurrence returns the first occurrence of rule at or after now
// (timed: at hour:min) or today (untimed: its local midnight).
func (p *parser) firstOccurrence(rule string, hour, min int, timed bool) (time.Time, bool) {
	// "bin day every other monday" starts on the next Monday, not the one
	// after it: counted from today's week, INTERVAL=2 skipped next week's
	// Monday (it was 23 March when said on 11 March). The first is the next
	// day said, whatever the interval; the rule counts on from it.
	if i := strings.Index(rule, ";INTERVAL="); i >= 0 {
		j := strings.IndexByte(rule[i+1:], ';')
		once := rule[:i]
		if j >= 0 {
			once += rule[i+1+j:]
		}
		rule = once
	}
	r, err := familyhub.ParseRecurrence("recurrence", rule)
	if err != nil {
		return time.Time{}, false
	}
	today := p.today()
	start := time.Date(today.Year(), today.Month(), today.Day(), hour, min, 0, 0, p.loc)
	from := today
	if timed {
		from = p.now
	}
	occ := r.Between(start, p.loc, from, from.AddDate(3, 0, 0), 1)
	if len(occ) == 0 {
		return time.Time{}, false
	}
	return occ[0], true
}
