package assistant

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// The calendar: which event (and which of its occurrences) a title means,
// and the writes. An event of a series is changed on that occurrence only
// ("move swimming to 6pm" moves the next swimming, not every one).

// searchDays is how far ahead a title is looked for.
const searchDays = 366

func eventFields(e dbsqlc.CalendarEvent) db.CalendarEventFields {
	return db.CalendarEventFields{Title: e.Title, Notes: e.Notes, Location: e.Location, StartsAt: e.StartsAt, EndsAt: e.EndsAt,
		AllDay: e.AllDay, RRule: e.Rrule, Exdates: e.Exdates}
}

func occurrenceTitle(o db.Occurrence) string {
	if o.Override != nil {
		return o.Override.Title
	}
	return o.Event.Title
}

// newEventFields are the fields of the event sl asks for: an hour long
// without an end, to the next midnight all day.
func (x *executor) newEventFields(sl IntentSlots) db.CalendarEventFields {
	f := db.CalendarEventFields{Title: sl.Title, StartsAt: *sl.StartsAt, AllDay: sl.AllDay, Location: sl.Location, Exdates: []time.Time{}}
	switch {
	case sl.EndsAt != nil:
		f.EndsAt = *sl.EndsAt
	case sl.AllDay:
		y, m, d := sl.StartsAt.In(x.loc).Date()
		f.EndsAt = time.Date(y, m, d+1, 0, 0, 0, 0, x.loc)
	default:
		f.EndsAt = f.StartsAt.Add(time.Hour)
	}
	if sl.Recurrence != "" {
		f.RRule = &sl.Recurrence
	}
	return f
}

func (x *executor) createEvent(in Intent) (Result, string, error) {
	e, err := x.eventAdd(x.newEventFields(in.Slots))
	if err != nil {
		return Result{}, "", err
	}
	kv := []string{"title", x.say.quote(e.Title), "when", x.eventWhen(e.StartsAt, e.AllDay), "where", "", "repeat", ""}
	if e.Location != "" {
		kv[5] = x.say.word("where", "location", e.Location)
	}
	if e.Rrule != nil {
		kv[7] = x.say.word("repeat", "rule", x.say.rule(*e.Rrule))
	}
	msg := x.say.say("event.created", kv...)
	if e.Rrule == nil {
		msg += x.say.past(e.StartsAt, e.AllDay)
	}
	return Result{Event: &e}, msg, nil
}

// eventWhen says when an event starts: a day for an all-day one.
func (x *executor) eventWhen(start time.Time, allDay bool) string {
	if allDay {
		return x.say.word("all_day", "day", x.say.dayOf(start, true))
	}
	return x.say.when(start, true)
}

// findEvent finds the occurrence a title means: on date (YYYY-MM-DD) when
// given, else the next one from today on (within a year). Two events that
// match as well are a question (dateSlot names the slot that tells apart
// two events of the same title); none is refused.
func (x *executor) findEvent(in Intent, date, dateSlot string) (db.Occurrence, error) {
	from, _ := familyhub.DayBounds(x.now, x.loc)
	to := from.AddDate(0, 0, searchDays)
	if date != "" {
		d, _ := time.Parse(time.DateOnly, date)
		from, to = familyhub.DayBounds(d, x.loc)
	}
	occs, _, err := x.tx.CalendarOccurrences(x.ctx, from, to)
	if err != nil {
		return db.Occurrence{}, err
	}
	names, err := x.nameWords()
	if err != nil {
		return db.Occurrence{}, err
	}
	scores := make([]float64, len(occs))
	for i, o := range occs {
		scores[i] = nameScore(in.Slots.Title, occurrenceTitle(o), names) // "Tim" is not "Tim's football"
	}
	pick := best(scores)
	if len(pick) == 0 {
		if date != "" {
			d, _ := time.Parse(time.DateOnly, date)
			return db.Occurrence{}, x.say.refuse("title", "event_not_on", "title", x.say.quote(in.Slots.Title), "day", x.say.day(d, true))
		}
		return db.Occurrence{}, x.say.refuse("title", "event_not_found", "title", x.say.quote(in.Slots.Title))
	}
	// The first occurrence of each event that matches, in time order.
	var firsts []db.Occurrence
	seen := map[uuid.UUID]bool{}
	titles := map[string]string{}
	for _, i := range pick {
		o := occs[i]
		titles[itemKey(occurrenceTitle(o))] = occurrenceTitle(o)
		if !seen[o.Event.ID] {
			seen[o.Event.ID] = true
			firsts = append(firsts, o)
		}
	}
	if len(firsts) == 1 {
		return firsts[0], nil
	}
	if len(titles) > 1 {
		return db.Occurrence{}, x.askTitle("q.which_event", in, titles)
	}
	if dateSlot == "" || date != "" {
		return firsts[0], nil // two of that title on the day asked: the first
	}
	var opts []Intent
	var labels []string
	for _, o := range firsts {
		day := familyhub.CivilDate(o.Start, x.loc).Format(time.DateOnly)
		opts = append(opts, variant(in, func(s *IntentSlots) {
			if dateSlot == "from_date" {
				s.FromDate = day
			} else {
				s.Date = day
			}
		}))
		labels = append(labels, x.say.word("label.event_at", "title", x.say.quote(occurrenceTitle(o)), "when", x.eventWhen(o.Start, o.Event.AllDay)))
	}
	return db.Occurrence{}, x.ask("q.which_event", opts, labels)
}

// changeable refuses an occurrence of a subscribed (read-only) calendar.
func (x *executor) changeable(o db.Occurrence) error {
	if o.Event.ReadOnly {
		return x.say.refuseCode(familyhub.EFORBIDDEN, "title", "read_only", "title", x.say.quote(occurrenceTitle(o)))
	}
	return nil
}

func (x *executor) moveEvent(in Intent) (Result, string, error) {
	sl := in.Slots
	occ, err := x.findEvent(in, sl.FromDate, "from_date")
	if sl.fromWeekdayToday && nextWeekInstead(occ, err, x.now) {
		// "move Friday's football to Saturday" said on a Friday after
		// football: next Friday's, to the Saturday of that week (it moved
		// today's, which was over, to tomorrow)
		d, _ := time.Parse(time.DateOnly, sl.FromDate)
		if next, nerr := x.findEvent(in, d.AddDate(0, 0, 7).Format(time.DateOnly), "from_date"); nerr == nil {
			occ, err = next, nil
			if sl.dateInFromWeek {
				nd, _ := time.Parse(time.DateOnly, sl.Date)
				sl.Date = nd.AddDate(0, 0, 7).Format(time.DateOnly)
			}
		}
	}
	if err != nil {
		return Result{}, "", err
	}
	if err := x.changeable(occ); err != nil {
		return Result{}, "", err
	}
	allDay := occ.Event.AllDay
	if occ.Override != nil {
		allDay = occ.Override.AllDay
	}
	start, end := occ.Start.In(x.loc), occ.End.In(x.loc)
	if sl.FromTime != "" && (allDay || !sameClock(sl.FromTime, start)) {
		// "the dentist is at 4 not 3" when it is not at 3: which is right?
		ft, _ := time.ParseInLocation("15:04", sl.FromTime, x.loc)
		return Result{}, "", x.say.refuse("from_time", "event_not_at", "title", x.say.quote(occurrenceTitle(occ)),
			"when", x.eventWhen(start, allDay), "time", x.say.clock(time.Date(start.Year(), start.Month(), start.Day(), ft.Hour(), ft.Minute(), 0, 0, x.loc)))
	}
	if allDay && sl.Time != "" {
		return Result{}, "", x.say.refuse("time", "all_day_time", "title", x.say.quote(occurrenceTitle(occ)))
	}
	newStart := start
	if sl.Date != "" {
		d, _ := time.Parse(time.DateOnly, sl.Date)
		newStart = time.Date(d.Year(), d.Month(), d.Day(), start.Hour(), start.Minute(), 0, 0, x.loc)
	}
	if sl.Time != "" {
		h, m := x.clockFor(sl.Time, start, occurrenceTitle(occ))
		y, mo, d := newStart.Date()
		newStart = time.Date(y, mo, d, h, m, 0, 0, x.loc)
	}
	newStart = newStart.Add(time.Duration(sl.ShiftMinutes) * time.Minute)
	if sl.weekdayToday && !allDay && !newStart.After(x.now) {
		// "move the dentist to Friday" said on a Friday evening: next
		// Friday, not today at a time that has passed
		newStart = newStart.AddDate(0, 0, 7)
	}
	newEnd := newStart.Add(end.Sub(start))
	if allDay {
		days := int(familyhub.CivilDate(end, x.loc).Sub(familyhub.CivilDate(start, x.loc)).Hours()/24 + 0.5)
		y, mo, d := newStart.Date()
		newStart = time.Date(y, mo, d, 0, 0, 0, 0, x.loc)
		newEnd = time.Date(y, mo, d+max(days, 1), 0, 0, 0, 0, x.loc)
	}
	var e dbsqlc.CalendarEvent
	if occ.RecurrenceID == nil {
		f := eventFields(occ.Event)
		f.StartsAt, f.EndsAt = newStart, newEnd
		e, err = x.eventReplace(occ.Event, f)
	} else {
		o := db.CalendarOverrideFields{RecurrenceID: *occ.RecurrenceID, Title: occ.Event.Title, Notes: occ.Event.Notes,
			Location: occ.Event.Location, StartsAt: newStart, EndsAt: newEnd, AllDay: allDay}
		if ov := occ.Override; ov != nil {
			o.Title, o.Notes, o.Location = ov.Title, ov.Notes, ov.Location
		}
		e, err = x.occurrenceSet(occ.Event, o)
	}
	if err != nil {
		return Result{}, "", err
	}
	moved := db.Occurrence{Event: e, Start: newStart, End: newEnd, RecurrenceID: occ.RecurrenceID}
	return Result{Event: &e, Occurrence: &moved},
		x.say.say("event.moved", "title", x.say.quote(occurrenceTitle(occ)), "when", x.eventWhen(newStart, allDay)), nil
}

// sameClock: t is at the time slot said ("15:00"), either half of the
// day ("not 3": 15:00 or 03:00, as the parser reads 1 to 12 o'clock).
func sameClock(slot string, t time.Time) bool {
	h, _ := strconv.Atoi(slot[:2])
	m, _ := strconv.Atoi(slot[3:])
	return t.Minute() == m && t.Hour()%12 == h%12
}

// clockFor reads a time slot ("08:00") for an event now at cur. A time
// from 7 to 12 said without am/pm, a part of the day or a 24-hour figure
// ("move dinner to 8") could be either half of the day: the reading nearer
// the event's current time wins (dinner at 19:00 moves to 20:00, breakfast
// at 7:30 to 8:00). 1 to 6 o'clock stays the afternoon (the parser's rule).
func (x *executor) clockFor(slot string, cur time.Time, title string) (int, int) {
	h, _ := strconv.Atoi(slot[:2])
	m, _ := strconv.Atoi(slot[3:])
	low := h % 12
	if x.timeExplicit(h, title) || low >= 1 && low <= 6 {
		return h, m // as said, or 1 to 6 o'clock: the afternoon, as the parser reads it
	}
	curMin := cur.Hour()*60 + cur.Minute()
	dist := func(hour int) int { return abs(hour*60 + m - curMin) }
	if dist(low+12) < dist(low) {
		return low + 12, m
	}
	if low == 0 {
		return 12, m // "12" is noon
	}
	return low, m
}

// dayParts are words (or their starts) that fix the half of the day of a
// time said, per language ("am" is a preposition in German).
var dayParts = map[string][]string{
	"en": {"am", "pm", "a.m", "p.m", "morning", "afternoon", "evening", "night", "tonight", "noon", "midnight"},
	"de": {"morgens", "vormittag", "mittag", "nachmittag", "abend", "nacht", "früh", "frueh"},
}

// timeExplicit reports whether the command said which half of the day
// the hour h is in: a part of the day ("8pm", "abends"; words of the
// event's title aside: "Abendessen"), or the hour as a 24-hour figure.
func (x *executor) timeExplicit(h int, title string) bool {
	text := strings.ToLower(x.text)
	inTitle := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(title)) {
		inTitle[w] = true
	}
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ',' || r == '!' || r == '?' }) {
		if inTitle[w] {
			continue
		}
		for _, p := range dayParts[x.say.lang] {
			if strings.HasPrefix(strings.TrimSuffix(w, "."), p) && (len(p) > 2 || strings.TrimSuffix(w, ".") == p) {
				return true
			}
		}
		if x.say.lang == "en" && (strings.HasSuffix(w, "am") || strings.HasSuffix(w, "pm")) {
			if _, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(w, "am"), "pm")); err == nil {
				return true // "8pm"
			}
		}
	}
	for _, form := range []string{strconv.Itoa(h) + ":", strconv.Itoa(h) + ".", "0" + strconv.Itoa(h)} {
		if (h >= 13 || h == 0 || strings.HasPrefix(form, "0")) && strings.Contains(text, form) {
			return true
		}
	}
	return h >= 13 && containsNumber(text, h)
}

// containsNumber reports whether text has n as a number of its own.
func containsNumber(text string, n int) bool {
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r < '0' || r > '9' }) {
		if v, err := strconv.Atoi(f); err == nil && v == n {
			return true
		}
	}
	return false
}

// nextWeekInstead: a bare weekday that is today ("on Friday" said on a
// Friday) names next week's occurrence when findEvent found none today
// (err) or today's (occ) has begun at now. A question about today's (two
// of them match) is asked: next week's was taken without a word.
func nextWeekInstead(occ db.Occurrence, err error, now time.Time) bool {
	var q *question
	if errors.As(err, &q) {
		return false
	}
	return err != nil || !occ.Start.After(now)
}

func (x *executor) cancelEvent(in Intent) (Result, string, error) {
	if closed, ok, err := x.closedDay(in); err != nil || ok {
		if err != nil {
			return Result{}, "", err
		}
		x.ran = &closed
		return x.createEvent(closed)
	}
	occ, err := x.findEvent(in, in.Slots.Date, "")
	if in.Slots.weekdayToday && nextWeekInstead(occ, err, x.now) {
		// "zumba is off on Friday" said on a Friday with no Zumba left
		// today: next Friday's
		d, _ := time.Parse(time.DateOnly, in.Slots.Date)
		if next, nerr := x.findEvent(in, d.AddDate(0, 0, 7).Format(time.DateOnly), ""); nerr == nil {
			occ, err = next, nil
		}
	}
	if err != nil {
		return Result{}, "", err
	}
	if err := x.changeable(occ); err != nil {
		return Result{}, "", err
	}
	return x.cancelOccurrence(occ)
}

// closedDayOver is the hour from which a place's day is over for a
// closing said of a bare weekday that is today ("no school on Friday" said
// on a Friday): without an event of the place, its hours are not known,
// and by 17:00 school, daycare and most shops of a family's day are done.
const closedDayOver = 17

// closedDay: in cancels a place the family depends on on a day ("no
// school on Monday", "keine Schule am Montag", "Schule fällt morgen aus")
// and no event of that day is called so. Then the place is closed that
// day, and the all-day event "School closed", "Schule geschlossen" is what
// to record, as "school is closed on Monday" records it (it was refused:
// there was no "School" to cancel). When the family keeps such an event
// ("School" every weekday) that day's occurrence is cancelled instead:
// the calendar then says there is no school, without a second event that
// says it twice; "School play" or "Schulfest" that day is no such event and
// stays.
func (x *executor) closedDay(in Intent) (Intent, bool, error) {
	title := strings.TrimSpace(in.Slots.Title)
	if in.Slots.Date == "" || !closurePlace(strings.ToLower(title)) {
		return Intent{}, false, nil
	}
	d, err := time.Parse(time.DateOnly, in.Slots.Date)
	if err != nil {
		return Intent{}, false, nil
	}
	from, to := familyhub.DayBounds(d, x.loc)
	occs, _, err := x.tx.CalendarOccurrences(x.ctx, from, to)
	if err != nil {
		return Intent{}, false, err
	}
	for _, o := range occs {
		if titleScore(title, occurrenceTitle(o)) >= 1 {
			return Intent{}, false, nil // "School" that day: cancel it
		}
	}
	if in.Slots.weekdayToday && !x.now.Before(time.Date(d.Year(), d.Month(), d.Day(), closedDayOver, 0, 0, 0, x.loc)) {
		// "no school on Friday" said on a Friday evening: today's school
		// day is over, so next Friday's, as a bare weekday that is today
		// means for a cancel, a move or a delete once today's is past
		next := in
		next.Slots.Date, next.Slots.weekdayToday = d.AddDate(0, 0, 7).Format(time.DateOnly), false
		return x.closedDay(next)
	}
	lang := in.Lang
	if lang != "de" {
		lang = "en"
	}
	out := Intent{Type: IntentCalendarCreate, Lang: in.Lang, Slots: IntentSlots{Title: capitalise(title) + " " + closureWords[lang][0],
		StartsAt: &from, EndsAt: &to, AllDay: true}}
	return out, true, nil
}

// cancelOccurrence cancels one occurrence of a series, or deletes a single
// event (cancelling its only date).
func (x *executor) cancelOccurrence(occ db.Occurrence) (Result, string, error) {
	msg := x.say.say("event.cancelled", "title", x.say.quote(occurrenceTitle(occ)), "day", x.say.dayOf(occ.Start, true))
	if occ.RecurrenceID == nil {
		if err := x.eventDelete(occ.Event); err != nil {
			return Result{}, "", err
		}
		return Result{Event: &occ.Event, Occurrence: &occ, Deleted: true}, msg, nil
	}
	e, err := x.occurrenceCancel(occ.Event, *occ.RecurrenceID)
	if err != nil {
		return Result{}, "", err
	}
	return Result{Event: &e, Occurrence: &occ}, msg, nil
}

// deleteEvent deletes the event a title means; with a date, a series
// loses that date only.
func (x *executor) deleteEvent(in Intent) (Result, string, error) {
	occ, err := x.findEvent(in, in.Slots.Date, "date")
	if in.Slots.weekdayToday && nextWeekInstead(occ, err, x.now) {
		// "delete football on Friday" said on a Friday after football:
		// next Friday's, as a cancel's (it deleted today's, which was over)
		d, _ := time.Parse(time.DateOnly, in.Slots.Date)
		if next, nerr := x.findEvent(in, d.AddDate(0, 0, 7).Format(time.DateOnly), "date"); nerr == nil {
			occ, err = next, nil
		}
	}
	if err != nil {
		return Result{}, "", err
	}
	if err := x.changeable(occ); err != nil {
		return Result{}, "", err
	}
	if occ.RecurrenceID != nil && in.Slots.Date != "" {
		return x.cancelOccurrence(occ)
	}
	if err := x.eventDelete(occ.Event); err != nil {
		return Result{}, "", err
	}
	key := "event.deleted"
	if occ.Event.Rrule != nil {
		key = "event.deleted_series"
	}
	return Result{Event: &occ.Event, Deleted: true}, x.say.say(key, "title", x.say.quote(occ.Event.Title)), nil
}
