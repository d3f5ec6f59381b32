package assistant

import (
	"regexp"
	"strings"
	"time"
)

// Calendar: create (length, all day, recurrence, location), move, cancel
// one occurrence, delete.

var calendarChangeRulesEN = []rule{
	// calendar.cancel (one occurrence) or calendar.delete
	{rx(`(?:there's|there is|there will be|we have|we've got) no (.+)`), (*parser).cancelDated},
	{rx(`no (.+)`), (*parser).cancelDated},
	// "football's cancelled this saturday": the 's joined to the title too
	// (it was the all-day event "Football's cancelled")
	{rx(`(?:the )?(.+?)(?: is| has been| was| ?'s| are| have been| ?'s been| got) (?:cancelled|canceled|called off|off)(.*)`), (*parser).cancelIs},
	{rx(`(?:skip|call off) (.+)`), (*parser).cancelDated},
	{rx(`(?:delete|remove|cancel|drop) (?:the |my |our )?(?:event|appointment|meeting|entry):? (.+)`), (*parser).eventDelete},
	{rx(`(?:delete|remove|cancel|drop) (?:the |my |our )?(.+?) (?:appointment|event|meeting)`), (*parser).eventDelete},
	{rx(`(?:delete|remove|take|cancel) (.+?) (?:from|off|out of) (?:the |my |our )?(?:family )?(?:calendar|diary|schedule)`), (*parser).eventDelete},
	{rx(`cancel (.+)`), (*parser).cancelOrDelete},
	// calendar.move (or shopping.move_items when the target is a list)
	{rx(`(?:push|move|put|shift) (.+?) back(?: by)? (` + shiftAmount + `)`), (*parser).shiftLater},
	{rx(`(?:push|move|put|shift) (.+?) (?:by )?(` + shiftAmount + `) (?:later|back)`), (*parser).shiftLater},
	{rx(`(?:bring|move|pull|shift) (.+?) forward (?:to|till|until) (.+)`), (*parser).moveTo},
	{rx(`(?:bring|move|pull|shift) (.+?) forward(?: by)? (` + shiftAmount + `)`), (*parser).shiftEarlier},
	{rx(`(?:bring|move|pull|shift) (.+?) (?:by )?(` + shiftAmount + `) (?:earlier|forward)`), (*parser).shiftEarlier},
	{rx(`(?:(?:we|i)(?:'re| are|'m| am|'ll| will) (?:moving|shifting|rescheduling|changing|pushing) |(?:we|i)(?:'ve| have)? (?:moved|shifted|rescheduled|changed|pushed) |(?:move|shift|reschedule|change|switch|push|bump) )(.+?) from (.+?) (?:to|till|until|for) (.+)`), (*parser).moveFromTo},
	{rx(`(?:(?:we|i)(?:'re| are|'m| am|'ll| will) (?:moving|shifting|rescheduling|changing|pushing) |(?:we|i)(?:'ve| have)? (?:moved|shifted|rescheduled|changed|pushed) |(?:move|shift|reschedule|change|switch|push|bump) )(.+?) (?:to|till|until|for) (.+)`), (*parser).moveTo},
	// a move said as news: "the dentist has moved to friday at 2" (it was
	// not understood), "swimming's been moved to tuesday" (the 's joined
	// to the title was not understood)
	{rx(`(?:the )?(.+?)(?: has been| have been| ?'s been| ?'ve been| has| have| was| were| is| are| ?'s| got) (?:moved|rescheduled|changed|pushed back|put back|brought forward|postponed) (?:to|till|until|for) (.+)`), (*parser).moveTo},
}

// shiftAmount is "an hour", "30 minutes", "half an hour", "eine Stunde".
const shiftAmount = `(?:half )?(?:an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|forty|forty-five|ninety|\d+(?:[.,]\d+)?|eine?r?|eine halbe|einer halben|zwei|drei|vier|fünf|zehn|fünfzehn|zwanzig|dreißig|anderthalb) (?:hours?|minutes?|mins?|hrs?|days?|stunden?|minuten?|std|tage?n?)`

var calendarCreateRulesEN = []rule{
	{rx(`(?:put|schedule|book|plan|add|create|enter|set up|pencil in|arrange|organise|organize)(?: an?| the)?(?: new)?(?: event| appointment| meeting| entry)?(?: for| called| named)?:? (.+)`), (*parser).eventRule},
	// "make" names an event only with its word: "make a cake for Sunday",
	// "make dinner tonight" are to-dos (no event "Cake", "Dinner").
	{rx(`make (?:an?|the) (?:new )?(?:event|appointment|meeting|entry)(?: for| called| named)?:? (.+)`), (*parser).eventRule},
	{rx(`(?:new (?:event|appointment|meeting):?|(?:event|appointment):?|meeting:) (.+)`), (*parser).eventRule},
}

var calendarChangeRulesDE = []rule{
	{rx(`(?:kein|keine|keinen) (.+)`), (*parser).cancelDated},
	{rx(`(.+?) (?:kein|keine|keinen) (.+)`), (*parser).cancelDatedDE},
	{rx(`(.+?) (?:fällt|fallen) (.*?) ?aus`), (*parser).cancelDatedDE},
	// "sag den Zahnarzt ab" (said with "ab"; "sag Tim, er soll …" is a
	// message to Tim, no cancel), "Zahnarzt absagen"
	{rx(`(?:sag|sage) (.+?) ab`), (*parser).cancelOrDelete},
	{rx(`absagen (.+?)(?: ab)?`), (*parser).cancelOrDelete},
	{rx(`(?:lösch|lösche|löschen|entfern|entferne|entfernen|streich|streiche) (?:den |das |die )?(?:termin|ereignis|eintrag):? (.+)`), (*parser).eventDelete},
	{rx(`(?:lösch|lösche|löschen|entfern|entferne|entfernen|streich|streiche) (?:den |das |die )?(\S+termin)`), (*parser).eventDelete},
	{rx(`(?:lösch|lösche|löschen|entfern|entferne|entfernen|nimm|nehm) (.+?) (?:aus dem|vom) kalender`), (*parser).eventDelete},
	{rx(`(?:(?:wir|ich) )?(?:verschieb|verschiebe|verschieben|schieb|schiebe|schieben) (.+?) (?:um )?(` + shiftAmount + `) (?:nach hinten|später|weiter nach hinten)`), (*parser).shiftLater},
	{rx(`(?:(?:wir|ich) )?(?:verschieb|verschiebe|verschieben|schieb|schiebe|schieben|zieh|ziehe) (.+?) (?:um )?(` + shiftAmount + `) (?:nach vorne|vor|früher)`), (*parser).shiftEarlier},
	{rx(`(?:(?:wir|ich) )?(?:verschieb|verschiebe|verschieben|verleg|verlege|verlegen|leg|lege|schieb|schiebe) (?:wir )?(.+?) von (.+?) auf (.+)`), (*parser).moveFromTo},
	{rx(`(?:(?:wir|ich) )?(?:verschieb|verschiebe|verschieben|verleg|verlege|verlegen|leg|lege|schieb|schiebe) (?:wir )?(.+?) auf (.+?)`), (*parser).moveTo},
	{rx(`(.+?) (?:ist|findet) (?:jetzt|nun|neu|stattdessen|doch)(?: erst)? (.+?)(?: statt)?`), (*parser).moveTo},
	// "der Zahnarzt ist auf Freitag um 14 Uhr verschoben", "… wurde auf
	// Freitag verlegt": a move said as news (it was not understood)
	{rx(`(?:der |die |das )?(.+?) (?:ist|wurde|wird|sind|wurden|werden) (?:jetzt |nun )?(?:auf|nach) (.+?) (?:verschoben|verlegt)(?: worden)?`), (*parser).moveTo},
}

var calendarCreateRulesDE = []rule{
	{rx(`(?:leg|lege|anlegen|erstell|erstelle|erstellen|mach|mache) (?:einen |ein )?(?:neuen |neues )?(?:termin|ereignis)(?: an)?:? (.+?)(?: an)?`), (*parser).eventRule},
	{rx(`(?:neuer |neues )?(?:termin|ereignis)(?: (?:beim|bei der|bei))?:? (.+)`), (*parser).eventRule},
	{rx(`(?:trag|trage|eintragen|plane|plan|planen|leg|lege|setz|setze|vormerken|notieren|notier) (.+?)(?: (?:in den|in unseren|in meinen|im|in|auf den) kalender)?(?: (?:ein|an|fest|vor))?`), (*parser).eventRule},
	// "mach" names an event only with its word ("mach einen Termin …",
	// above) or the calendar: "mach morgen die Hausaufgaben" is a to-do,
	// "mach morgen das Licht aus" no event "Licht aus".
	{rx(`(?:mach|mache) (.+?) (?:in den|in unseren|in meinen|im|in|auf den) kalender(?: (?:ein|an|fest))?`), (*parser).eventRule},
}

func (p *parser) eventRule(m []string) (Intent, bool) {
	if f := strings.Fields(strings.ToLower(m[0])); len(f) > 1 && f[0] == "book" && bookNouns[f[1]] {
		return Intent{}, false // "book club every Monday": a club, not a booking
	}
	return p.event(m[1])
}

// bookNouns follow "book" in names of things ("book club").
var bookNouns = setOf(`club clubs fair group groups reading sale swap week day shop launch signing`)

// event understands an event: a title and a day or time, optionally a
// length or an end, a recurrence and a location ("at the pool", "in der
// Schule", "bei Oma").
func (p *parser) event(s string) (Intent, bool) {
	s = calendarPhrase.ReplaceAllString(s, " ")
	sc := p.scanWhen(s, scanOpts{durations: true, recurrence: true})
	w := sc.w
	if !sc.found || w.span != "" || w.possessive {
		return Intent{}, false
	}
	title, location := splitLocation(sc.rest())
	title = tidyTitle(title)
	if title == "" || looksLikeQuestion(title) || strings.Contains(" "+strings.ToLower(title)+" ", " list ") {
		return Intent{}, false
	}
	bedInTheEvening(sc, title)     // "bedtime at 8": 20:00
	morningInTheMorning(sc, title) // "breakfast with grandma at half 7": 07:30
	dinnerInTheEvening(sc, title)  // "dinner half eight": 20:30
	if p.closing && sc.w.hasTime && sc.w.part == "" && eveningHour(sc.w.clock) {
		sc.w.part = "evening" // "Laden macht um 8 zu": a place closes in the evening
	}
	if p.opening && sc.w.hasTime && sc.w.part == "" && (morningHour(sc.w.clock) || p.dawn && dawnHour(sc.w.clock)) {
		sc.w.part = "morning" // "Kita macht um 7 auf": a place opens in the morning
	}
	w = sc.w
	if w.untilOnly {
		// "football till 6 on saturday" says when it ends, not when it
		// starts (it was 18:00-19:00): which hours is not said, nothing
		// is written
		return Intent{}, false
	}
	in := Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: title, Location: location}}
	sl := &in.Slots
	allDay := func(day time.Time, last time.Time) {
		s := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, p.loc)
		e := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, p.loc)
		sl.StartsAt, sl.EndsAt, sl.AllDay = &s, &e, true
	}
	if sc.rec != nil {
		if w.hasDate || w.weekday >= 0 || w.hasRel || w.hasEndDate {
			return Intent{}, false
		}
		rule := sc.rec.rule()
		part := w.part
		if part == "" {
			part = sc.rec.part
		}
		timed := (w.hasTime || part != "") && !w.allDay
		h, mi := partHour[part], 0
		if w.hasTime {
			h, mi = w.clock.hour24(part), w.clock.min
		}
		first, ok := p.firstOccurrence(rule, h, mi, timed)
		if !ok {
			return Intent{}, false
		}
		if timed {
			start, end := p.timedRange(w, first)
			sl.StartsAt, sl.EndsAt = &start, &end
		} else {
			allDay(first, first)
		}
		sl.Recurrence = rule
		return in, true
	}
	start, hasTime, ok := p.resolve(w)
	if !ok {
		return Intent{}, false
	}
	switch {
	case w.hasEndDate:
		if hasTime && !w.allDay {
			return Intent{}, false
		}
		allDay(start, w.endDate)
	case hasTime && !w.allDay:
		start, end := p.timedRange(w, start)
		sl.StartsAt, sl.EndsAt = &start, &end
	default:
		allDay(start, start)
	}
	return in, true
}

var (
	calendarPhrase = regexp.MustCompile(`(?i)(?:^|\s)(?:in|on|to|into|onto|im|in den|auf den|zum)\s+(?:the\s+|my\s+|our\s+|den\s+|unseren\s+|meinen\s+)?(?:family\s+)?(?:calendar|diary|kalender)\b`)
	locationRe     = regexp.MustCompile(`(?i)^(.+?)\s+(?:at|in der|in dem|in|im|am|bei der|bei dem|beim|bei|auf dem|auf der)\s+(?:the\s+)?(.+)$`)
)

// splitLocation takes "at the bowling alley", "in der Schule", "bei
// Müllers" off an event title.
func splitLocation(s string) (title, location string) {
	m := locationRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return s, ""
	}
	loc := strings.Trim(m[2], ` ,.`)
	f := strings.Fields(loc)
	if len(f) == 0 || len(f) > 4 || strings.ContainsAny(loc, "0123456789") {
		return s, ""
	}
	if lw := strings.ToLower(f[0]); notNameWords[lw] && lw != "der" && lw != "die" {
		return s, ""
	}
	return m[1], loc
}

// moveTo: "move the dentist to 4pm", "verschieb den Zahnarzt auf
// Freitag"; a target that is a shopping list makes it shopping.move_items.
func (p *parser) moveTo(m []string) (Intent, bool) { return p.move(m[1], "", m[2]) }

func (p *parser) moveFromTo(m []string) (Intent, bool) { return p.move(m[1], m[2], m[3]) }

func (p *parser) move(what, from, to string) (Intent, bool) {
	to = withoutSameTime(to) // "move swimming to thursday same time" (corrections.go)
	tw, ok := p.target(to)
	if !ok {
		return p.moveItems(what, from, to)
	}
	in := Intent{Type: IntentCalendarMove}
	if !p.eventRef(what, from, &in.Slots) {
		return Intent{}, false
	}
	if tw.hasDate || tw.weekday >= 0 {
		day, _ := p.resolveDay(tw)
		in.Slots.weekdayToday = p.bareToday(tw, day) // "move the dentist to Friday" said on a Friday
		if in.Slots.FromDate != "" && !tw.hasDate && !tw.nextWeek {
			// "from Tuesday to Wednesday": the Wednesday of that week.
			from, _ := time.ParseInLocation(time.DateOnly, in.Slots.FromDate, p.loc)
			monday := from.AddDate(0, 0, -((int(from.Weekday()) + 6) % 7))
			day = monday.AddDate(0, 0, (int(tw.weekday)+6)%7)
			in.Slots.weekdayToday, in.Slots.dateInFromWeek = false, true
		}
		in.Slots.Date = day.Format(time.DateOnly)
	}
	if tw.hasTime && tw.part == "" && eveningMeal(in.Slots.Title) && eveningHour(tw.clock) {
		tw.part = "evening" // "move dinner with the Smiths to 8": 20:00
	}
	if tw.hasTime {
		in.Slots.Time = clock{hour: tw.clock.hour24(tw.part), min: tw.clock.min}.String()
	} else if tw.part != "" {
		in.Slots.Time = clock{hour: partHour[tw.part]}.String()
	}
	if in.Slots.Date == in.Slots.FromDate && in.Slots.Time == "" {
		return Intent{}, false
	}
	return in, true
}

// target reads where an event moves to: a day, a time or both, and
// nothing else.
func (p *parser) target(s string) (when, bool) {
	sc := p.scanWhen("at "+s, scanOpts{})
	if !sc.found || strings.TrimSpace(strings.Trim(sc.rest(), "at")) != "" {
		sc = p.scanWhen(s, scanOpts{})
		if !sc.found || strings.TrimSpace(sc.rest()) != "" {
			return when{}, false
		}
	}
	w := sc.w
	if w.hasRel || w.dur > 0 || w.span != "" || w.hasEnd || w.hasEndDate || w.allDay {
		return when{}, false
	}
	return w, true
}

// eventRef reads which event a command is about: "the dentist",
// "Friday's football", "Fußball am Samstag", from "Thursday".
func (p *parser) eventRef(what, from string, sl *IntentSlots) bool {
	sc := p.scanWhen(what, scanOpts{})
	if sc.w.hasTime || sc.w.hasRel || sc.rec != nil {
		return false
	}
	if sc.w.hasDate || sc.w.weekday >= 0 {
		w := sc.w
		w.nextWeek = w.nextWeek && !w.possessive
		day, _ := p.resolveDay(w)
		sl.FromDate, sl.fromWeekdayToday = day.Format(time.DateOnly), p.bareToday(w, day)
	}
	if strings.TrimSpace(from) != "" {
		fw, ok := p.target(from)
		if !ok || !(fw.hasDate || fw.weekday >= 0) || sl.FromDate != "" {
			return false
		}
		day, _ := p.resolveDay(fw)
		sl.FromDate, sl.fromWeekdayToday = day.Format(time.DateOnly), p.bareToday(fw, day)
	}
	sl.Title = lookupTitle(sc.rest())
	return sl.Title != "" && !looksLikeQuestion(sl.Title)
}

func (p *parser) shiftLater(m []string) (Intent, bool)   { return p.shift(m[1], m[2], 1) }
func (p *parser) shiftEarlier(m []string) (Intent, bool) { return p.shift(m[1], m[2], -1) }

// shift: "push the dentist back an hour", "eine Stunde nach hinten".
func (p *parser) shift(what, by string, sign int) (Intent, bool) {
	f := strings.Fields(strings.ToLower(by))
	for len(f) > 0 && (f[0] == "by" || f[0] == "um") {
		f = f[1:]
	}
	f = append(f, "", "", "")
	n, d, ok := amount(f[0], f[1], f[2])
	if !ok {
		return Intent{}, false
	}
	unit, ok := relUnits[f[n]]
	if !ok || unit > 24*time.Hour || strings.TrimSpace(strings.Join(f[n+1:], "")) != "" {
		return Intent{}, false
	}
	in := Intent{Type: IntentCalendarMove, Slots: IntentSlots{ShiftMinutes: sign * int(float64(unit/time.Minute)*d)}}
	if !p.eventRef(what, "", &in.Slots) {
		return Intent{}, false
	}
	return in, true
}

// cancelDated: "no swimming next Monday", "skip yoga on Thursday": one
// occurrence, so a day is required.
func (p *parser) cancelDated(m []string) (Intent, bool) { return p.cancel(m[1], true) }

func (p *parser) cancelDatedDE(m []string) (Intent, bool) {
	return p.cancel(strings.TrimSpace(m[1]+" "+m[2]), true)
}

// cancelIs: "swimming is cancelled on Monday".
func (p *parser) cancelIs(m []string) (Intent, bool) {
	return p.cancel(strings.TrimSpace(m[1]+" "+m[2]), true)
}

// cancelOrDelete: "cancel football this Saturday" cancels that
// occurrence; "cancel the dentist" deletes the event.
func (p *parser) cancelOrDelete(m []string) (Intent, bool) { return p.cancel(m[1], false) }

func (p *parser) cancel(s string, needDay bool) (Intent, bool) {
	sc := p.scanWhen(s, scanOpts{})
	w := sc.w
	if w.hasRel || w.span != "" || w.hasEnd || w.hasEndDate || w.dur > 0 || sc.rec != nil {
		return Intent{}, false
	}
	title := lookupTitle(sc.rest())
	if title == "" || looksLikeQuestion(title) {
		return Intent{}, false
	}
	if !w.hasDate && w.weekday < 0 {
		if needDay || w.hasTime {
			return Intent{}, false
		}
		return Intent{Type: IntentCalendarDelete, Slots: IntentSlots{Title: title}}, true
	}
	day, today := p.cancelDay(w)
	return Intent{Type: IntentCalendarCancel, Slots: IntentSlots{Title: title, Date: day, weekdayToday: today}}, true
}

func (p *parser) eventDelete(m []string) (Intent, bool) {
	sc := p.scanWhen(m[1], scanOpts{})
	title := lookupTitle(sc.rest())
	if title == "" || sc.w.hasTime || sc.w.hasRel || sc.rec != nil {
		return Intent{}, false
	}
	in := Intent{Type: IntentCalendarDelete, Slots: IntentSlots{Title: title}}
	if sc.w.hasDate || sc.w.weekday >= 0 {
		day, _ := p.resolveDay(sc.w)
		in.Slots.Date, in.Slots.weekdayToday = day.Format(time.DateOnly), p.bareToday(sc.w, day)
	}
	return in, true
}
