package assistant

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// when is what a command says about time, before it is resolved against
// now: a day (date, weekday, relative) or a span of days, a time of day or
// a part of the day, a delay ("in 2 hours"), a length ("for 2 hours") and
// the ends of ranges ("from 4 to 5:30", "vom 23. bis 27. März").
type when struct {
	hasDate    bool
	date       time.Time // local midnight
	weekday    time.Weekday
	nextWeek   bool // "next Friday": never today
	possessive bool // "Friday's football": the day of the thing, not a target
	hasEndDate bool
	endDate    time.Time

	hasTime bool
	clock   clock
	hasEnd  bool
	end     clock
	part    string // morning, afternoon, evening, night

	// untilOnly: the time is only when it ends ("till 6", "bis 6"), no
	// start said
	untilOnly bool

	hasRel bool
	rel    time.Duration
	dur    time.Duration
	allDay bool
	span   string // weekend, nextweekend, week, nextweek
}

// clock is a time of day as said.
type clock struct {
	hour, min int
	ampm      string // "am", "pm" or ""
	h24       bool   // written as 24-hour time ("18:30", "06:00", "noon")
	uhr       bool   // German "N Uhr"
}

// scan is a command's tokens with the time and recurrence phrases found
// in them marked used; what is left is the title.
type scan struct {
	w     when
	rec   *recur
	toks  []token
	used  []bool
	found bool
}

type scanOpts struct {
	durations  bool // "for 2 hours" is an event's length (else part of a title)
	recurrence bool // "every Tuesday" is a recurrence
}

// scanWhen finds the day, time and recurrence phrases in s.
func (p *parser) scanWhen(s string, o scanOpts) *scan {
	sc := &scan{toks: tokenize(s)}
	sc.w.weekday = -1
	sc.used = make([]bool, len(sc.toks))
	for i := 0; i < len(sc.toks); {
		if n := sc.countRangeLen(i); n > 0 {
			i += n // "kauf 2 bis 3 Äpfel": no "bis 3" (15:00)
			continue
		}
		n := 0
		if o.recurrence {
			n = p.matchRecur(sc, i)
		}
		if n == 0 {
			n = p.matchWhen(sc, i, o)
		}
		if n > 0 {
			for j := i; j < i+n && j < len(sc.toks); j++ {
				sc.used[j] = true
			}
			i += n
			sc.found = true
			continue
		}
		i++
	}
	return sc
}

// countRangeLen is the length of a range of counts at i before a grocery
// ("2 bis 3 Äpfel", "2-3 apples"), which is no time (they were events at
// 15:00 and 14:00), or 0.
func (sc *scan) countRangeLen(i int) int {
	switch {
	case countRangeRx.MatchString(sc.at(i)) && (itemKnownPhrase(sc.at(i+1)) || i == 0 && sc.nounAt(i+1)):
		return 1
	case bareNumber.MatchString(sc.at(i)) && countRangeWords[sc.at(i+1)] && bareNumber.MatchString(sc.at(i+2)) &&
		(itemKnownPhrase(sc.at(i+3)) || i == 0 && sc.nounAt(i+3)):
		return 3
	}
	return 0
}

// nounAt: the word at j is no word of times or days ("2-3 tent pegs",
// said first, counts tent pegs; "2-3 pm", "2-3 on Friday", "2 to 3
// tomorrow" are times).
func (sc *scan) nounAt(j int) bool {
	w := strings.Trim(sc.at(j), ".,!?")
	if w == "" || strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != '\'' }) {
		return false
	}
	_, wd := weekdays[w]
	_, mo := months[w]
	return !wd && !mo && !keywords[w] && !timeWordsAfterRange[w]
}

// timeWordsAfterRange follow a range of hours ("2-3 pm", "2 bis 3 Uhr am
// Freitag").
var timeWordsAfterRange = setOf(`am pm a.m p.m uhr h hrs hr hour hours min mins minutes stunden minuten o'clock oclock on at in um am im ab
	this next every each jeden jede nächsten nächste diese diesen heute morgen übermorgen tomorrow today tonight morning afternoon
	evening night abend abends nachmittag nachmittags vormittag vormittags früh mittag mittags for für`)

// countRangeRx is a range of whole counts in one word ("2-3"); "9.30-10.30"
// is a clock range, which clockRange reads.
var countRangeRx = regexp.MustCompile(`^\d+-\d+$`)

// rest is the command without its time phrases.
func (sc *scan) rest() string { return joinRaw(sc.toks, sc.used) }

func (sc *scan) at(j int) string {
	if j >= 0 && j < len(sc.toks) {
		return sc.toks[j].w
	}
	return ""
}

var (
	weekdays = map[string]time.Weekday{
		"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
		"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
		"sonntag": time.Sunday, "montag": time.Monday, "dienstag": time.Tuesday, "mittwoch": time.Wednesday,
		"donnerstag": time.Thursday, "freitag": time.Friday, "samstag": time.Saturday, "sonnabend": time.Saturday,
	}
	// Abbreviations count only after "on", "next", "this" or "am".
	weekdayAbbr = map[string]time.Weekday{
		"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday,
		"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
		"so": time.Sunday, "mo": time.Monday, "di": time.Tuesday, "mi": time.Wednesday, "do": time.Thursday, "fr": time.Friday, "sa": time.Saturday,
	}
	months = map[string]time.Month{
		"january": 1, "jan": 1, "januar": 1, "jänner": 1, "february": 2, "feb": 2, "februar": 2, "march": 3, "mar": 3, "märz": 3, "maerz": 3,
		"april": 4, "apr": 4, "may": 5, "mai": 5, "june": 6, "jun": 6, "juni": 6, "july": 7, "jul": 7, "juli": 7,
		"august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "oktober": 10, "okt": 10,
		"november": 11, "nov": 11, "december": 12, "dec": 12, "dezember": 12, "dez": 12,
	}
	parts = map[string]string{
		"morning": "morning", "afternoon": "afternoon", "evening": "evening", "night": "night",
		"morgens": "morning", "früh": "morning", "vormittag": "morning", "vormittags": "morning",
		"nachmittag": "afternoon", "nachmittags": "afternoon", "abend": "evening", "abends": "evening",
		"nacht": "night", "nachts": "night",
	}
	partHour = map[string]int{"morning": 9, "afternoon": 15, "evening": 19, "night": 21}

	ordinalToken = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th|\.)$`)
	dayToken     = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th|\.)?$`)
	isoDate      = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	germanDate   = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?$`)
	clockAmPm    = regexp.MustCompile(`^(\d{1,2})(?:[:.](\d{2}))?(am|pm|a\.m\.|p\.m\.|a\.m|p\.m)$`)
	clockHM      = regexp.MustCompile(`^(\d{1,2})[:.h](\d{2})$`)
	bareNumber   = regexp.MustCompile(`^(\d{1,2})$`)
	clockRange   = regexp.MustCompile(`^(\d{1,2})(?:[:.](\d{2}))?-(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$`)
	relUnits     = map[string]time.Duration{
		"minute": time.Minute, "minutes": time.Minute, "min": time.Minute, "mins": time.Minute, "minuten": time.Minute, "minute(n)": time.Minute,
		"hour": time.Hour, "hours": time.Hour, "hr": time.Hour, "hrs": time.Hour, "h": time.Hour, "stunde": time.Hour, "stunden": time.Hour, "std": time.Hour,
		"day": 24 * time.Hour, "days": 24 * time.Hour, "tag": 24 * time.Hour, "tage": 24 * time.Hour, "tagen": 24 * time.Hour,
		"week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour, "woche": 7 * 24 * time.Hour, "wochen": 7 * 24 * time.Hour,
		"viertelstunde": 15 * time.Minute, "dreiviertelstunde": 45 * time.Minute,
	}
	hourWords = map[string]int{
		"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
		"eleven": 11, "twelve": 12, "eins": 1, "ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
		"sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
	}
)

// Words before a day or time that belong to the phrase.
var (
	whenPre    = setOf(`on at by for am um bis gegen @ the this coming diesen diese dieses kommenden kommender until till til from ab vom von between zwischen`)
	whenNext   = setOf(`next nächsten nächster nächste nächstes`)
	whenAtPre  = setOf(`at um @ gegen by bis until till til from ab von between zwischen`)
	rangeWords = setOf(`to till until bis - and`)
	untilWords = setOf(`till until til bis`)
	// betweenWords start a span whose ends "and"/"und" join ("between 8
	// and 12", "zwischen 8 und 12": they were all-day events with the
	// span in their titles)
	betweenWords = setOf(`between zwischen`)
	allDayPhrase = [][]string{{"all", "day"}, {"all-day"}, {"ganztägig"}, {"ganztags"}, {"den", "ganzen", "tag"}, {"the", "whole", "day"}, {"whole", "day"}}
)

// matchWhen matches one day or time phrase at toks[i] and returns how many
// tokens it takes (0: none).
func (p *parser) matchWhen(sc *scan, i int, o scanOpts) int {
	at, w := sc.at, &sc.w
	// A delay: "in 2 hours", "in an hour", "in half an hour", "in 3 days", "in einer halben Stunde".
	if at(i) == "in" {
		if n, d := quarterHour(at, i+1); n > 0 && !w.hasRel && !w.hasDate && w.weekday < 0 {
			w.hasRel, w.rel = true, d // "in a quarter of an hour" (it was not understood)
			return n + 1
		}
		if n, d, ok := amount(at(i+1), at(i+2), at(i+3)); ok {
			if unit, ok := relUnits[at(i+n+1)]; ok && !w.hasRel && !w.hasDate && w.weekday < 0 {
				total := time.Duration(float64(unit) * d)
				if unit >= 24*time.Hour {
					w.hasDate, w.date = true, p.today().AddDate(0, 0, int(total/(24*time.Hour)))
				} else {
					w.hasRel, w.rel = true, total
				}
				return n + 2
			}
		}
	}
	// A length: "for 2 hours", "für eine halbe Stunde", "2 Stunden lang".
	if o.durations && (at(i) == "for" || at(i) == "für" || at(i) == "um") && w.dur == 0 {
		if n, d, ok := amount(at(i+1), at(i+2), at(i+3)); ok {
			if unit, ok := relUnits[at(i+n+1)]; ok && unit <= time.Hour {
				w.dur = time.Duration(float64(unit) * d)
				return n + 2
			}
		}
	}
	if o.durations && w.dur == 0 {
		if n, d, ok := amount(at(i), at(i+1), at(i+2)); ok {
			if unit, ok := relUnits[at(i+n)]; ok && unit <= time.Hour && (at(i+n+1) == "lang" || at(i+n+1) == "long") {
				w.dur = time.Duration(float64(unit) * d)
				return n + 2
			}
		}
	}
	for _, ph := range allDayPhrase {
		if matchWords(sc, i, ph) {
			w.allDay = true
			return len(ph)
		}
	}
	if n := p.matchSpan(sc, i); n > 0 {
		return n
	}
	// Leading words that only make sense before a day or time.
	pre, next := 0, false
	for pre < 3 {
		if whenNext[at(i+pre)] {
			pre, next = pre+1, true
			continue
		}
		if whenPre[at(i+pre)] {
			pre++
			continue
		}
		break
	}
	j := i + pre
	if n := p.matchDay(sc, j, pre > 0, next); n > 0 {
		return pre + n
	}
	if !w.hasTime && !w.hasRel {
		afterAt := pre > 0 && whenAtPre[at(j-1)]
		if c, n := p.clockAt(at, j, afterAt); n > 0 {
			w.hasTime, w.clock = true, c
			n += timeSuffix(at, j+n, w)
			n += spokenMinutes(at, j, n, afterAt, &w.clock, w)
			// A range: "from 4 to 5:30", "von 16 bis 17:30 Uhr", "6 to 8pm".
			if rangeWords[at(j+n)] && at(j+n) != "and" || betweenWords[at(j-1)] && (at(j+n) == "and" || at(j+n) == "und") {
				if e, m := p.clockAt(at, j+n+1, true); m > 0 {
					w.hasEnd, w.end = true, e
					m += timeSuffix(at, j+n+1+m, w)
					m += spokenMinutes(at, j+n+1, m, true, &w.end, w) // "from 4 to 5 30"
					if at(j+n+m+1) == "uhr" {
						w.clock.uhr, w.end.uhr = true, true
						m++
					}
					n += m + 1
				}
			}
			if w.end.uhr {
				w.clock.uhr = true
			}
			w.untilOnly = !w.hasEnd && pre > 0 && untilWords[at(j-1)]
			return pre + n
		}
		// "dentist thursday 3 to 4", "Zahnarzt Donnerstag 15 bis 16 Uhr":
		// bare hours joined by "to"/"bis" after a day, or ending in "Uhr",
		// are a span (they were the all-day "Dentist 3 to 4" and
		// "Zahnarzt 15" at 16:00); "till" and "until" too ("parents
		// evening next tuesday 6 till 8" was "Parents evening 6" at 8:00)
		if (at(j+1) == "to" || at(j+1) == "bis" || at(j+1) == "till" || at(j+1) == "until" || at(j+1) == "til") && bareNumber.MatchString(at(j)) && bareNumber.MatchString(at(j+2)) &&
			(w.hasDate || w.weekday >= 0 || at(j+3) == "uhr") {
			if c, n := p.clockAt(at, j, true); n == 1 {
				if e, m := p.clockAt(at, j+2, true); m == 1 {
					w.hasTime, w.clock, w.hasEnd, w.end = true, c, true, e
					if at(j+3) == "uhr" {
						w.clock.uhr, w.end.uhr = true, true
						m++
					}
					return pre + 2 + m
				}
			}
		}
		// "5 to 6pm": a bare hour starts a range whose end says am or pm.
		if h, ok := hourWords[at(j)]; (ok || bareNumber.MatchString(at(j))) && rangeWords[at(j+1)] && at(j+1) != "and" {
			if e, m := parseClock(at, j+2, false); m > 0 && e.ampm != "" {
				if !ok {
					h, _ = strconv.Atoi(at(j))
				}
				w.hasTime, w.clock = true, clock{hour: h}
				w.hasEnd, w.end = true, e
				return pre + 2 + m
			}
		}
		if m := clockRange.FindStringSubmatch(at(j)); m != nil {
			h1, _ := strconv.Atoi(m[1])
			m1, _ := strconv.Atoi(m[2])
			h2, _ := strconv.Atoi(m[3])
			m2, _ := strconv.Atoi(m[4])
			if h1 <= 24 && h2 <= 24 && m1 < 60 && m2 < 60 {
				w.hasTime, w.clock = true, clock{hour: h1, min: m1}
				w.hasEnd, w.end = true, clock{hour: h2, min: m2, ampm: m[5]}
				return pre + 1
			}
		}
	}
	// "this morning", "in the evening", "at night", "abends", "am Abend".
	if pt, ok := parts[at(j)]; ok && w.part == "" {
		prev := at(j - 1)
		switch {
		case pre > 0 && (prev == "this" || prev == "diesen" || prev == "dieses" || prev == "diese"):
			w.part = pt
			if !w.hasDate && w.weekday < 0 {
				w.hasDate, w.date = true, p.today()
			}
			return pre + 1
		case pre > 0 && (prev == "am" || prev == "at"):
			w.part = pt
			return pre + 1
		case pre == 0 && (strings.HasSuffix(at(j), "s") || at(j) == "früh"):
			w.part = pt
			return 1
		}
	}
	if at(i) == "in" && at(i+1) == "the" {
		if pt, ok := parts[at(i+2)]; ok && w.part == "" {
			w.part = pt
			return 3
		}
	}
	if at(i) == "tonight" && !w.hasDate && w.weekday < 0 {
		w.hasDate, w.date, w.part = true, p.today(), "evening"
		return 1
	}
	return 0
}

func matchWords(sc *scan, i int, ws []string) bool {
	for k, x := range ws {
		if sc.at(i+k) != x {
			return false
		}
	}
	return true
}

// matchSpan matches a span of days a question may ask about: this
// weekend, next week, diese Woche.
func (p *parser) matchSpan(sc *scan, i int) int {
	if sc.w.span != "" {
		return 0
	}
	pre := 0
	for whenPre[sc.at(i+pre)] || sc.at(i+pre) == "over" || sc.at(i+pre) == "im" || sc.at(i+pre) == "in" {
		pre++
		if pre > 2 {
			return 0
		}
	}
	next := false
	if whenNext[sc.at(i+pre)] {
		next = true
		pre++
	}
	switch sc.at(i + pre) {
	case "weekend", "wochenende":
		sc.w.span = "weekend"
	case "week", "woche":
		if pre == 0 {
			return 0 // "a week" is no span
		}
		sc.w.span = "week"
	default:
		return 0
	}
	if next {
		sc.w.span = "next" + sc.w.span
	}
	return pre + 1
}

// quarterHour reads "a quarter of an hour" or "three quarters of an hour"
// at toks[i]: how many tokens it takes (0: none) and how long it is.
func quarterHour(at func(int) string, i int) (int, time.Duration) {
	q, d := 1, 15*time.Minute
	switch {
	case (at(i) == "a" || at(i) == "one") && at(i+1) == "quarter":
	case at(i) == "three" && at(i+1) == "quarters":
		d = 45 * time.Minute
	default:
		return 0, 0
	}
	q++
	if at(i+q) == "of" && (at(i+q+1) == "an" || at(i+q+1) == "a") && at(i+q+2) == "hour" {
		return q + 3, d
	}
	return 0, 0
}

// amount reads "2", "two", "an", "a", "half an", "einer halben", "1.5" as a
// number and says how many tokens it takes.
func amount(a, b, c string) (int, float64, bool) {
	if (a == "half" && (b == "an" || b == "a")) || ((a == "einer" || a == "eine") && (b == "halben" || b == "halbe")) {
		return 2, 0.5, true
	}
	if a == "anderthalb" || a == "eineinhalb" {
		return 1, 1.5, true
	}
	if a == "a" || a == "an" || a == "one" || a == "einer" || a == "einem" || a == "eine" || a == "ein" {
		if b == "and" && c == "a" { // "an hour and a half" is not worth it
			return 0, 0, false
		}
		return 1, 1, true
	}
	if n, ok := numberWords[a]; ok {
		return 1, float64(n), true
	}
	if f, err := strconv.ParseFloat(strings.Replace(a, ",", ".", 1), 64); err == nil && f > 0 && f <= 1000 {
		return 1, f, true
	}
	return 0, 0, false
}

// timeSuffix takes what may follow a time: "o'clock", "Uhr", "in the
// morning", "at night", "abends".
func timeSuffix(at func(int) string, j int, w *when) int {
	n := 0
	switch at(j) {
	case "o'clock", "oclock", "h":
		n++
	case "uhr":
		w.clock.uhr = true
		n++
	}
	switch {
	case at(j+n) == "in" && at(j+n+1) == "the":
		if pt, ok := parts[at(j+n+2)]; ok {
			w.part = pt
			n += 3
		}
	case at(j+n) == "at" && at(j+n+1) == "night":
		w.part = "night"
		n += 2
	case at(j+n) == "am" && (parts[at(j+n+1)] != "" || at(j+n+1) == "morgen"):
		// "um 5 am Morgen": the morning (German "am" after an hour is no
		// a.m. and "Morgen" no tomorrow here: clockAt)
		w.part = parts[at(j+n+1)]
		if at(j+n+1) == "morgen" {
			w.part = "morning"
		}
		n += 2
	default:
		if pt, ok := parts[at(j+n)]; ok && (strings.HasSuffix(at(j+n), "s") || at(j+n) == "früh") {
			w.part = pt
			n++
		}
	}
	return n
}

// spokenMinutes reads the minutes dictation gives as a word of their own
// after an hour said at j (n tokens so far): "at 6 30", "um 18 Uhr 30",
// "um 3 Uhr 15", "at 7 15 pm" (they were 6:00 and a title "Dentist 30").
// Only after "at"/"um" or "Uhr", and only two digits from 00 to 59 that
// count nothing ("at 6 30 minutes" is no clock). c is the clock (the
// start's or the end's) they belong to. It returns the tokens it took.
func spokenMinutes(at func(int) string, j, n int, afterAt bool, c *clock, w *when) int {
	if c.min != 0 || !bareNumber.MatchString(at(j)) || !(afterAt || c.uhr) || !minuteWord.MatchString(at(j+n)) {
		return 0
	}
	if _, unit := relUnits[at(j+n+1)]; unit {
		return 0
	}
	c.min, _ = strconv.Atoi(at(j + n))
	k := 1
	if ap := ampmWord(at(j + n + 1)); ap != "" && c.ampm == "" && !c.h24 && c.hour >= 1 && c.hour <= 12 {
		c.ampm = ap
		k++
	}
	if w.part == "" {
		k += timeSuffix(at, j+n+k, w)
	}
	return k
}

var minuteWord = regexp.MustCompile(`^[0-5][0-9]$`)

// clockAt is parseClock in the parser's language: German has no a.m., and
// its "am" after an hour is the next phrase's ("ich hole ihn um 3 am
// Bahnhof ab" is at 15:00, at the station; it was 03:00, "Bahnhof").
func (p *parser) clockAt(at func(int) string, j int, afterAt bool) (clock, int) {
	c, n := parseClock(at, j, afterAt)
	if p.lang == "de" && n > 1 && c.ampm == "am" && at(j+n-1) == "am" {
		c.ampm, n = "", n-1
		c.h24 = c.hour > 12 || c.hour == 0 || strings.HasPrefix(at(j), "0")
	}
	return c, n
}

// parseClock reads a time of day at j: "6pm", "6 pm", "18:30", "noon",
// "6 o'clock", "18 Uhr", "halb acht", "Viertel nach 5", "quarter to 8",
// and a bare hour after "at"/"um".
func parseClock(at func(int) string, j int, afterAt bool) (clock, int) {
	ok := func(h, m int, ampm string) bool {
		return h <= 24 && m <= 59 && (ampm == "" || (h >= 1 && h <= 12)) && (h != 24 || m == 0)
	}
	hourAt := func(k int) (int, bool) {
		if h, ok := hourWords[at(k)]; ok {
			return h, true
		}
		if m := bareNumber.FindStringSubmatch(at(k)); m != nil {
			h, _ := strconv.Atoi(m[1])
			return h, h >= 1 && h <= 24
		}
		return 0, false
	}
	t := at(j)
	switch t {
	case "noon", "midday", "mittag", "mittags":
		return clock{hour: 12, h24: true}, 1
	case "midnight", "mitternacht":
		return clock{hour: 0, h24: true}, 1
	case "halb":
		if h, ok := hourAt(j + 1); ok {
			return clock{hour: (h + 23) % 24, min: 30}, 2
		}
	case "half", "quarter", "viertel":
		rel := at(j + 1)
		// an "am"/"pm" after the hour ("half 8 pm", "half past 8pm") is
		// the clock's: it was left in the title ("Dentist pm") or the
		// half hour lost ("half 8am" was 8:00)
		ampmAt := func(c clock, k int) (clock, int) {
			if m := clockAmPm.FindStringSubmatch(at(k)); m != nil && m[2] == "" {
				if h, _ := strconv.Atoi(m[1]); h == c.hour || (h+23)%24 == c.hour {
					if ap := m[3][:1] + "m"; ok(c.hour, c.min, ap) {
						c.ampm = ap
					}
					return c, k - j + 1
				}
			}
			if ap := ampmWord(at(k + 1)); ap != "" && ok(c.hour, c.min, ap) {
				c.ampm = ap
				return c, k - j + 2
			}
			return c, k - j + 1
		}
		// Said without "at", "half" before an hour is the clock's too
		// ("dinner half eight", "half 8 pm") when nothing or a word of
		// time follows the hour; before any other word it is an amount
		// ("half 2 litres", "half 12 eggs", "half 1 gallon": "add half
		// 12 eggs" was the event "Eggs" at 12:30).
		if t == "half" && halfClockFollows(at(j+2)) {
			afterAt = true
		}
		if m := clockAmPm.FindStringSubmatch(rel); m != nil && m[2] == "" && t == "half" && afterAt {
			if h, _ := strconv.Atoi(m[1]); h >= 1 && h <= 12 {
				return ampmAt(clock{hour: h, min: 30}, j+1) // "at half 8am"
			}
		}
		if h, ok := hourAt(j + 1); ok && t == "half" && afterAt && h <= 12 {
			// British "at half 8" is half past eight (German "halb 9" is
			// half past eight too, read above); the hour rule then
			// applies, as to "half past 8". "half an hour" has no hour.
			return ampmAt(clock{hour: h, min: 30}, j+1)
		}
		h, ok2 := hourAt(j + 2)
		if m := clockAmPm.FindStringSubmatch(at(j + 2)); !ok2 && m != nil && m[2] == "" {
			h, _ = strconv.Atoi(m[1]) // "half past 8pm"
			ok2 = h >= 1 && h <= 12
		}
		if ok2 {
			switch {
			case t == "half" && rel == "past":
				return ampmAt(clock{hour: h, min: 30}, j+2)
			case (t == "quarter" && rel == "past") || (t == "viertel" && rel == "nach"):
				return ampmAt(clock{hour: h, min: 15}, j+2)
			case (t == "quarter" && rel == "to") || (t == "viertel" && rel == "vor"):
				return ampmAt(clock{hour: (h + 23) % 24, min: 45}, j+2)
			}
		}
	}
	if m := clockAmPm.FindStringSubmatch(t); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		if ap := m[3][:1] + "m"; ok(h, mi, ap) {
			return clock{hour: h, min: mi, ampm: ap}, 1
		}
		return clock{}, 0
	}
	if m := clockHM.FindStringSubmatch(t); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		ap, n := ampmWord(at(j+1)), 1
		if ap != "" {
			n = 2
		}
		if !ok(h, mi, ap) {
			return clock{}, 0
		}
		return clock{hour: h, min: mi, ampm: ap, h24: ap == "" && (h > 12 || h == 0 || strings.HasPrefix(m[1], "0"))}, n
	}
	h, isHour := hourAt(j)
	if !isHour {
		return clock{}, 0
	}
	_, isWord := hourWords[t]
	c := clock{hour: h, h24: !isWord && (h > 12 || h == 0 || strings.HasPrefix(t, "0"))}
	if ap := ampmWord(at(j + 1)); ap != "" && ok(h, 0, ap) {
		c.ampm, c.h24 = ap, false
		return c, 2
	}
	switch at(j + 1) {
	case "o'clock", "oclock", "uhr":
		return c, 1
	}
	if afterAt && ok(h, 0, "") {
		return c, 1
	}
	return clock{}, 0
}

// String is the clock as HH:MM.
func (c clock) String() string { return fmt.Sprintf("%02d:%02d", c.hour, c.min) }

// halfClockFollows: w, the word after "half N" said without "at", lets it
// be the clock: nothing, am/pm, a day ("tomorrow", "friday") or a word
// joining the rest of the sentence ("on", "to", "with").
func halfClockFollows(w string) bool {
	return w == "" || ampmWord(w) != "" || whenWordish(w) || halfClockJoins[w]
}

var halfClockJoins = setOf(`o'clock on at in to with for and then this next every please`)

func ampmWord(s string) string {
	switch s {
	case "am", "a.m", "a.m.":
		return "am"
	case "pm", "p.m", "p.m.":
		return "pm"
	}
	return ""
}
