package assistant

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/familyhub/familyhub"
)

// Several events in one sentence: "dentist Monday at 9 and physio
// Wednesday at 4", "Tim hat am Freitag Geburtstag und Mia am Samstag",
// "Elternabend am 12. und am 19." become one calendar.create_many: every
// event made by one command, answered in one reply, undone by one undo.

// MaxIntentEvents is how many events one command may create.
const MaxIntentEvents = 10

// IntentEvent is one event of calendar.create_many: the slots of a
// one-off calendar.create.
type IntentEvent struct {
	Title    string     `json:"title"`
	StartsAt *time.Time `json:"starts_at"`
	EndsAt   *time.Time `json:"ends_at,omitempty"`
	AllDay   bool       `json:"all_day,omitempty"`
	Location string     `json:"location,omitempty"`
}

// validateEvents checks the events of calendar.create_many: 2 to
// MaxIntentEvents, each a valid one-off calendar.create.
func (s *IntentSlots) validateEvents() error {
	if len(s.Events) == 0 {
		return nil
	}
	if len(s.Events) < 2 || len(s.Events) > MaxIntentEvents {
		return familyhub.Invalid("events", "events must be 2 to %d events.", MaxIntentEvents)
	}
	for i := range s.Events {
		e := &s.Events[i]
		one := Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: e.Title, StartsAt: e.StartsAt, EndsAt: e.EndsAt, AllDay: e.AllDay, Location: e.Location}}
		if err := one.Validate(); err != nil {
			var fe *familyhub.Error
			if errors.As(err, &fe) {
				// the event's own error (said in German too), on its field
				field := fe.Field
				if field == "" {
					field = "title"
				}
				return fe.WithField(fmt.Sprintf("events[%d].%s", i, field))
			}
			return err
		}
		e.Title, e.Location = one.Slots.Title, one.Slots.Location
	}
	return nil
}

// tooManyEvents is the parser's refusal of a sentence of more than
// MaxIntentEvents events: the service says so in the command's language.
type tooManyEvents struct{ lang string }

func (e *tooManyEvents) Error() string { return "more than 10 events in one command" }

// eventSplit cuts a sentence of several events into its parts: at "and",
// "und" and commas.
var eventSplit = regexp.MustCompile(`(?i)\s*,\s*(?:(?:and|und)\s+)?|\s+(?:and|und)\s+`)

// splitEvents cuts text at "and", "und" and commas, but not at a comma
// after a weekday that a date follows ("am Montag, 16. März", "on
// Monday, March 16": one day).
func splitEvents(text string) []string {
	text = strings.TrimSpace(text)
	var parts []string
	from := 0
	for _, m := range eventSplit.FindAllStringIndex(text, -1) {
		prev, next := strings.Fields(text[from:m[0]]), strings.Fields(text[m[1]:])
		if len(prev) > 0 && len(next) > 0 && strings.TrimSpace(text[m[0]:m[1]]) == "," {
			_, wd := weekdays[strings.ToLower(prev[len(prev)-1])]
			_, mo := months[strings.ToLower(strings.Trim(next[0], "."))]
			if wd && (mo || next[0][0] >= '0' && next[0][0] <= '9') {
				continue
			}
		}
		parts = append(parts, text[from:m[0]])
		from = m[1]
	}
	return append(parts, text[from:])
}

// bareClockRx: a part that is a bare clock time, maybe with its day,
// said after a part with a time ("dentist at 3 and 4 on Friday"; not "2
// kids").
var bareClockRx = regexp.MustCompile(`(?i)^\d{1,2}(?:[:.]\d{2})?(?:$|\s+(?:uhr|o'clock|pm|am|on)\b)`)

// leadingClockRx: the clock time a part starts with ("um 4 am Freitag",
// "4 on Friday"), to read the rest as that part's day.
var leadingClockRx = regexp.MustCompile(`(?i)^(?:(?:um|at)\s+)?\d{1,2}(?:[:.]\d{2})?(?:\s+uhr)?\s+`)

// conjoined: a title that swallowed a second event ("Dentist and physio
// Wednesday at 4", "Elternabend und am 19").
var conjoined = regexp.MustCompile(`(?i)\s(?:and|und)\s`)

// severalEvents reads text as several one-off events, each part an event
// of its own ("physio Wednesday at 4") or said short after the first:
// only a day or time ("und am 19."), or another person with a day ("und
// Mia am Samstag": Mia has the first part's event then). ok is false when
// text is not that; err refuses more than MaxIntentEvents events.
func severalEvents(text, locale string, now time.Time, names []string) (in Intent, ok bool, err error) {
	parts := splitEvents(text)
	if len(parts) < 2 || len(parts) > 5*MaxIntentEvents {
		return Intent{}, false, nil // one event, or no sentence of events
	}
	first, err := parseOne(parts[0], locale, now, names)
	if day := leadingClockRx.ReplaceAllString(parts[len(parts)-1], ""); err != nil && day != parts[len(parts)-1] {
		// "Zahnarzt um 3 und 4 am Freitag": "Zahnarzt um 3" alone is not
		// understood, "Zahnarzt um 3 am Freitag" is
		parts[0] += " " + day
		first, err = parseOne(parts[0], locale, now, names)
	}
	if err != nil || !oneOff(first) || conjoined.MatchString(first.Slots.Title) {
		return Intent{}, false, nil
	}
	in = Intent{Type: IntentCalendarCreateMany, Lang: first.Lang}
	in.Slots.Events = append(in.Slots.Events, eventOf(first))
	p := &parser{now: now, loc: now.Location(), names: names, lang: first.Lang}
	fw := p.scanWhen(parts[0], scanOpts{durations: true}).w
	prevDay, prevTime, allShort, lastDay := fw.namesDay(), fw.hasTime, true, false
	// dayBefore: a part before the last named a day; timed: every part
	// said a time
	dayBefore, timed := fw.namesDay() || fw.hasRel, fw.hasTime
	for j, part := range parts[1:] {
		if prevTime && bareClockRx.MatchString(part) {
			at := "at " // "dentist at 3 and 4": at 4
			if first.Lang == "de" {
				at = "um "
			}
			part = at + part
		}
		ev, ok := p.shortEvent(parts[0], first, part, locale)
		sc := p.scanWhen(part, scanOpts{durations: true})
		allShort = allShort && ok
		prevTime, lastDay = sc.w.hasTime, sc.w.namesDay()
		timed = timed && sc.w.hasTime
		if j < len(parts)-2 {
			dayBefore = dayBefore || sc.w.namesDay() || sc.w.hasRel
		}
		if !ok {
			ev, err = parseOne(part, locale, now, names)
			if err != nil || !oneOff(ev) || !sc.found {
				return Intent{}, false, nil
			}
			if prevDay && sc.w.hasTime && !sc.w.namesDay() && !sc.w.hasRel && !ev.Slots.AllDay {
				// "dentist Monday at 9 and physio at 4": physio on Monday too
				ev.Slots.StartsAt, ev.Slots.EndsAt = onDayOf(in.Slots.Events[len(in.Slots.Events)-1].StartsAt, ev.Slots.StartsAt, ev.Slots.EndsAt, p.loc)
			}
		}
		prevDay = sc.w.namesDay() || prevDay && !sc.w.hasRel
		in.Slots.Events = append(in.Slots.Events, eventOf(ev))
	}
	if last := &in.Slots.Events[len(in.Slots.Events)-1]; (allShort || timed) && !dayBefore && lastDay {
		// "dentist at 3 and at 4 on Friday", "dentist at 3 and physio at
		// 4 on Friday": the day said last is every time's (the first was
		// today at 3)
		for i := range in.Slots.Events[:len(in.Slots.Events)-1] {
			if e := &in.Slots.Events[i]; !e.AllDay {
				e.StartsAt, e.EndsAt = onDayOf(last.StartsAt, e.StartsAt, e.EndsAt, p.loc)
			}
		}
	}
	if len(in.Slots.Events) > MaxIntentEvents {
		return Intent{}, false, &tooManyEvents{lang: first.Lang}
	}
	if in.Validate() != nil {
		return Intent{}, false, nil
	}
	return in, true, nil
}

// listedWhen: text lists events with commas and the one event read from
// it kept another's day or time in its title ("swimming Saturday at 10,
// football Sunday at 11" was "Swimming football Sunday at 11").
func listedWhen(text string, in Intent, now time.Time, names []string) bool {
	if !strings.Contains(text, ",") {
		return false
	}
	p := &parser{now: now, loc: now.Location(), names: names, lang: in.Lang}
	return p.scanWhen(in.Slots.Title, scanOpts{durations: true}).found
}

// swallowedEvent: the one event in kept another event in its title, a
// day or time after "and"/"und", when the sentence could not be cut into
// events.
func swallowedEvent(in Intent, now time.Time, names []string) bool {
	i := conjoined.FindStringIndex(in.Slots.Title)
	if !oneOff(in) || i == nil {
		return false
	}
	p := &parser{now: now, loc: now.Location(), names: names, lang: in.Lang}
	sc := p.scanWhen(in.Slots.Title[i[1]:], scanOpts{durations: true})
	return sc.found && (sc.w.hasTime || sc.w.hasDate || sc.w.weekday >= 0)
}

// refusedWhole: text is refused as a whole whatever its parts say
// ("the bank opens at 9 and closes at 4": opening hours, no two events).
func refusedWhole(text string) bool {
	return openingHoursRx.MatchString(text) || praiseRx.MatchString(text) || passOnRx.MatchString(text) || needsRest(text)
}

// oneOff: in creates one event that does not repeat.
func oneOff(in Intent) bool {
	return in.Type == IntentCalendarCreate && in.Needs == "" && in.Slots.Recurrence == ""
}

func eventOf(in Intent) IntentEvent {
	s := in.Slots
	return IntentEvent{Title: s.Title, StartsAt: s.StartsAt, EndsAt: s.EndsAt, AllDay: s.AllDay, Location: s.Location}
}

// shortEvent reads part said short after the first part firstText (read
// as first): its day or time in place of the first's ("und am 19."), and
// a person in place of the first's subject ("und Mia am Samstag" after
// "Tim hat am Freitag Geburtstag": "Mia hat am Samstag Geburtstag"). A
// day without a time keeps the first's time; a time without a day its
// day.
func (p *parser) shortEvent(firstText string, first Intent, part, locale string) (Intent, bool) {
	sc := p.scanWhen(part, scanOpts{durations: true})
	if !sc.found || sc.rec != nil || sc.w.span != "" {
		return Intent{}, false
	}
	who := strings.Fields(sc.rest())
	fc := p.scanWhen(firstText, scanOpts{durations: true})
	if !fc.found {
		return Intent{}, false
	}
	k := -1 // the first part's person who stands in for
	switch {
	case len(who) == 0:
	case len(who) == 1 && personLike(who[0], p.names):
		if k = p.personOf(fc.toks, fc.used, first.Slots.Title, who[0]); k < 0 {
			return Intent{}, false
		}
	default:
		return Intent{}, false
	}
	var out []string
	placed := false
	for i, t := range fc.toks {
		switch {
		case fc.used[i] && !placed:
			placed = true
			for j, u := range sc.toks {
				if sc.used[j] {
					out = append(out, u.raw)
				}
			}
		case fc.used[i]:
		case i == k:
			out = append(out, who[0])
		default:
			out = append(out, t.raw)
		}
	}
	if k >= 0 && len(out) < 2 {
		return Intent{}, false
	}
	ev, err := parseOne(strings.Join(out, " "), locale, p.now, p.names)
	want := first.Slots.Title
	if k >= 0 {
		want = replaceWord(want, fc.toks[k].raw, who[0])
	}
	if err != nil || !oneOff(ev) || !strings.EqualFold(ev.Slots.Title, want) {
		return Intent{}, false // only the day, time or person differ from the first
	}
	s, f := &ev.Slots, first.Slots
	hasDay := sc.w.hasDate || sc.w.weekday >= 0
	switch {
	case !sc.w.hasTime && hasDay && s.AllDay && !f.AllDay:
		// "Elternabend am 12. um 19 Uhr und am 19.": at 19:00 too
		y, m, d := s.StartsAt.In(p.loc).Date()
		h, mi, _ := f.StartsAt.In(p.loc).Clock()
		start := time.Date(y, m, d, h, mi, 0, 0, p.loc)
		if sc.w.weekday >= 0 && !sc.w.hasDate && start.Before(p.now) {
			// "Arzttermin Montag 9 Uhr und Mittwoch" said Wednesday at 10:
			// next Wednesday, as "Mittwoch 9 Uhr" is (today's 9:00 is gone)
			start = time.Date(y, m, d+7, h, mi, 0, 0, p.loc)
		}
		end := start.Add(f.EndsAt.Sub(*f.StartsAt))
		s.StartsAt, s.EndsAt, s.AllDay = &start, &end, false
	case sc.w.hasTime && !hasDay && !sc.w.hasRel && !f.AllDay:
		// "the dentist Monday at 9 and at 11": Monday at 11
		s.StartsAt, s.EndsAt = onDayOf(f.StartsAt, s.StartsAt, s.EndsAt, p.loc)
	}
	return ev, true
}

// namesDay: w names a day ("Monday", "on the 12th", "tomorrow", "this
// weekend").
func (w when) namesDay() bool {
	return w.hasDate || w.weekday >= 0 || w.span != ""
}

// onDayOf moves start and end to the day of day, keeping their clock
// times and length.
func onDayOf(day, start, end *time.Time, loc *time.Location) (*time.Time, *time.Time) {
	y, m, d := day.In(loc).Date()
	h, mi, _ := start.In(loc).Clock()
	s := time.Date(y, m, d, h, mi, 0, 0, loc)
	if end == nil {
		return &s, nil
	}
	e := s.Add(end.Sub(*start))
	return &s, &e
}

// replaceWord replaces the first word of s that is old (or starts with
// it: "Tims") by new, case aside.
func replaceWord(s, old, new string) string {
	f := strings.Fields(s)
	for i, w := range f {
		if strings.HasPrefix(strings.ToLower(w), strings.ToLower(old)) {
			f[i] = new + w[len(old):]
			return strings.Join(f, " ")
		}
	}
	return s
}

// personLike: w names a member, or is a capitalised word as a name is
// written.
func personLike(w string, names []string) bool {
	if isMember(w, names) {
		return true
	}
	r := []rune(w)
	return len(r) > 1 && unicode.IsUpper(r[0]) && !notNameWords[strings.ToLower(w)]
}

// personOf is the index of the person in the first part's tokens toks
// (used: its day and time) whom who stands in for, -1 if none: its
// first word when the title is that person's ("Tim: Geburtstag", "Tim's
// birthday"), else the one member or family role it names ("lunch with
// Tim", "Kino mit Oma") when who is one too. A word that merely starts
// the title is no person ("Kino am Freitag um 8 und Essen am Samstag":
// "Essen" is an event of its own, not the cinema again).
func (p *parser) personOf(toks []token, used []bool, title, who string) int {
	if len(toks) > 0 && !used[0] && ownedBy(toks[0].w, title) {
		return 0
	}
	known := func(w string) bool { return familyRoles[strings.ToLower(w)] || isMember(w, p.names) }
	// without the members, a capitalised word may be a name
	maybe := func(w string) bool { return p.names == nil && isCapitalised(w) && nameLike(w) }
	if !known(who) && !maybe(who) {
		return -1
	}
	for _, person := range []func(string) bool{known, maybe} {
		k := -1
		for i, t := range toks {
			if used[i] || !person(strings.Trim(t.raw, ".,;:!?")) {
				continue
			}
			if k >= 0 {
				return -1 // two people: which one?
			}
			k = i
		}
		if k >= 0 {
			return k
		}
	}
	return -1
}

// ownedBy: title is the event of the person w (lower case): it starts
// "Tim:", "Tim's", "Tims".
func ownedBy(w, title string) bool {
	f := strings.Fields(strings.ToLower(title))
	if len(f) < 2 || w == "" {
		return false
	}
	switch f[0] {
	case w + ":", w + "'s", w + "’s", w + "s", w + "s:":
		return true
	}
	return false
}
