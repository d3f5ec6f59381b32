package assistant

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/familyhub/familyhub"
)

// Replies: every sentence the assistant says comes from one table per
// language (reply_en.go, reply_de.go), filled with the names and numbers
// the records hold. Dates, times, lists and recurrences are worded here,
// per language.

// phrases is one language's table: a key, a sentence with {name}
// placeholders.
type phrases map[string]string

var replyTables = map[string]phrases{"en": replyEN, "de": replyDE}

// speaker words replies in one language, with times in the family's zone
// relative to now.
type speaker struct {
	lang string
	t    phrases
	loc  *time.Location
	now  time.Time
	// hour12: the device shows a 12-hour clock ("7:00 PM"); English replies
	// say times so too. German ones stay "19:00 Uhr": German writes the
	// 24-hour clock whatever the device.
	hour12 bool
	// dayFirst: the device writes dates day first ("Wed 25 Mar", en-GB);
	// English replies do too. Without it English says "Wed, Mar 25".
	dayFirst bool
	// namesDate: "today", "tomorrow" are followed by their date ("today
	// (Sat, Dec 5)"): a command said after midnight named "tomorrow"
	// (NightEnds), and the date leaves no doubt which day was meant.
	namesDate bool
}

// twelveHour are the languages whose replies follow a 12-hour device.
var twelveHour = map[string]bool{"en": true}

func newSpeaker(lang string, loc *time.Location, now time.Time) *speaker {
	t, ok := replyTables[lang]
	if !ok {
		lang, t = "en", replyEN
	}
	return &speaker{lang: lang, t: t, loc: loc, now: now.In(loc)}
}

// say fills the phrase key with kv (name, value pairs) and starts the
// sentence with a capital. A key missing from the table is a bug that
// shows: the key itself is said.
func (s *speaker) say(key string, kv ...string) string {
	p, ok := s.t[key]
	if !ok {
		p = key
	}
	for i := 0; i+1 < len(kv); i += 2 {
		p = strings.ReplaceAll(p, "{"+kv[i]+"}", kv[i+1])
	}
	return capitalise(p)
}

// word is a table entry as it is (no capital): a fragment of a sentence.
func (s *speaker) word(key string, kv ...string) string {
	p := s.t[key]
	for i := 0; i+1 < len(kv); i += 2 {
		p = strings.ReplaceAll(p, "{"+kv[i]+"}", kv[i+1])
	}
	return p
}

// refusal is a refused command's error in the command's language: the
// answer's message as it is (no translation by error code).
type refusal struct{ err *familyhub.Error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// refuse returns an EINVALID refusal on field with the phrase key.
func (s *speaker) refuse(field, key string, kv ...string) error {
	return &refusal{&familyhub.Error{Code: familyhub.EINVALID, Field: field, Message: s.say(key, kv...)}}
}

// refuseCode is refuse with another error code.
func (s *speaker) refuseCode(code, field, key string, kv ...string) error {
	return &refusal{&familyhub.Error{Code: code, Field: field, Message: s.say(key, kv...)}}
}

// localize returns err in the speaker's language: a refusal as it is, any
// other *familyhub.Error (the domain operations speak English, for APIs)
// with a sentence for its code when the language is not English. Errors
// that are not *familyhub.Error pass (internal: their text is never shown),
// and so does busy (EBUSY: its reason kept for the client that words it)
// and a limit reached (ELIMIT): its sentence names the collection
// and what to do, and the HTTP layer answers it in the command's language
// from its catalogue (http/errors_de.go), as it answers a create at the
// limit.
func (s *speaker) localize(err error) error {
	var r *refusal
	var fe *familyhub.Error
	if err == nil || errors.As(err, &r) || !errors.As(err, &fe) || s.lang == "en" || fe.Code == familyhub.ELIMIT || fe.Code == familyhub.EBUSY {
		return err
	}
	key := "error." + fe.Code
	if _, ok := s.t[key]; !ok {
		key = "error.invalid"
	}
	return &refusal{&familyhub.Error{Code: fe.Code, Field: fe.Field, Message: s.say(key)}}
}

// quote puts a name in the language's quotation marks.
func (s *speaker) quote(name string) string { return s.word("quote", "x", name) }

func (s *speaker) quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = s.quote(n)
	}
	return out
}

// and joins "a, b and c"; or joins "a, b or c".
func (s *speaker) and(items []string) string { return s.join(items, s.word("and")) }
func (s *speaker) or(items []string) string  { return s.join(items, s.word("or")) }

func (s *speaker) join(items []string, word string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + word + " " + items[len(items)-1]
}

// count says n things: the phrase key+".one" for one, key+".many" else.
func (s *speaker) count(key string, n int, kv ...string) string {
	if n == 1 {
		return s.say(key+".one", append(kv, "n", "1")...)
	}
	return s.say(key+".many", append(kv, "n", strconv.Itoa(n))...)
}

// person names a member as the answer addresses them: "you" for the
// speaker.
func (s *speaker) person(name string, isSpeaker bool) string {
	if isSpeaker {
		return s.word("you")
	}
	return name
}

// Days and times.

func (s *speaker) today() time.Time { return familyhub.CivilDate(s.now, s.loc) }

// dayOffset is how many days d (a civil date) lies after today.
func (s *speaker) dayOffset(d time.Time) int {
	return int(d.Sub(s.today()).Round(time.Hour).Hours() / 24)
}

// day names a civil date relative to today: "today", "tomorrow", "on
// Friday" within the week, else "on Fri, Mar 20" ("on Fri 20 Mar" on a
// day-first device, "am Fr., 20. März"; with the year when it is
// another); with on false the same without "on" where English has one.
func (s *speaker) day(d time.Time, on bool) string {
	rel := ""
	switch off := s.dayOffset(d); {
	case off == 0:
		rel = s.word("day.today")
	case off == 1:
		rel = s.word("day.tomorrow")
	case off == -1:
		rel = s.word("day.yesterday")
	case off == 2 && s.t["day.after_tomorrow"] != "":
		rel = s.word("day.after_tomorrow")
	case off > 1 && off < 7:
		return s.prep(on, s.word(fmt.Sprintf("weekday.%d", d.Weekday())))
	}
	switch {
	case rel != "" && s.namesDate:
		// "tomorrow" said at 00:30 was today: "today (Sat, Dec 5)"
		return s.word("day.named", "day", rel, "date", s.date(d))
	case rel != "":
		return rel
	}
	return s.prep(on, s.date(d))
}

// date writes a civil date: "Fri, Mar 20" ("Fri 20 Mar" on a day-first
// device, "Fr., 20. März"; with the year when it is another).
func (s *speaker) date(d time.Time) string {
	key := "date"
	if s.dayFirst {
		key = "date.day_first"
	}
	if d.Year() != s.today().Year() {
		key += "_year"
	}
	return s.word(key, "wd", s.word(fmt.Sprintf("wd.%d", d.Weekday())), "d", strconv.Itoa(d.Day()),
		"month", s.word(fmt.Sprintf("month.%d", d.Month())), "y", strconv.Itoa(d.Year()))
}

func (s *speaker) prep(on bool, what string) string {
	if on {
		return s.word("on", "x", what)
	}
	return s.word("on.plain", "x", what)
}

// dayOf names the day of an instant.
func (s *speaker) dayOf(t time.Time, on bool) string {
	return s.day(familyhub.CivilDate(t, s.loc), on)
}

// clock says a time of day: "18:00" / "18:00 Uhr", or "6:00 PM" in
// English for a device with a 12-hour clock.
func (s *speaker) clock(t time.Time) string {
	if s.hour12 && twelveHour[s.lang] {
		return s.word("clock", "hm", t.In(s.loc).Format("3:04 PM"))
	}
	return s.word("clock", "hm", t.In(s.loc).Format("15:04"))
}

// when says an instant: "tomorrow at 18:00", "am Freitag um 15:00 Uhr";
// a task due at 23:59 is due that day.
func (s *speaker) when(t time.Time, on bool) string {
	t = t.In(s.loc)
	if isEndOfDay(t) {
		return s.dayOf(t, on)
	}
	return s.word("day_at", "day", s.dayOf(t, on), "time", s.clock(t))
}

// past notes a task's due time or a one-off event's start that has passed
// (" That day has passed already."; "" when it has not): a command said
// days ago (said_at) may name "tomorrow" that is yesterday by now, and
// the reply should not only say "due yesterday". dayOnly: only the day
// counts (an all-day event, a task due at the end of a day).
func (s *speaker) past(t time.Time, dayOnly bool) string {
	switch {
	case familyhub.CivilDate(t, s.loc).Before(s.today()):
		return " " + s.say("past.day")
	case !dayOnly && t.Before(s.now):
		return " " + s.say("past.time")
	}
	return ""
}

func isEndOfDay(t time.Time) bool { return t.Hour() == 23 && t.Minute() == 59 }

// rule says a recurrence: "every Tuesday", "alle zwei Wochen"; a rule it
// cannot word is "repeating".
func (s *speaker) rule(rrule string) string {
	parts := map[string]string{}
	for _, p := range strings.Split(strings.ToUpper(rrule), ";") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	interval, _ := strconv.Atoi(parts["INTERVAL"])
	if interval < 1 {
		interval = 1
	}
	n := strconv.Itoa(interval)
	days := strings.Split(parts["BYDAY"], ",")
	if parts["BYDAY"] == "" {
		days = nil
	}
	switch parts["FREQ"] {
	case "DAILY":
		if interval == 1 {
			return s.word("rule.daily")
		}
		return s.word("rule.days", "n", n)
	case "WEEKLY":
		switch {
		case len(days) == 0 && interval == 1:
			return s.word("rule.weekly")
		case len(days) == 0 && interval == 2:
			return s.word("rule.fortnightly")
		case len(days) == 0:
			return s.word("rule.weeks", "n", n)
		case parts["BYDAY"] == "MO,TU,WE,TH,FR" && interval == 1:
			return s.word("rule.weekdays")
		case parts["BYDAY"] == "SA,SU" && interval == 1:
			return s.word("rule.weekends")
		}
		var names []string
		for _, d := range days {
			wd, ok := rruleDay[d]
			if !ok {
				return s.word("rule.other")
			}
			names = append(names, s.word(fmt.Sprintf("weekday.%d", wd)))
		}
		if interval == 2 {
			return s.word("rule.other_weekday", "days", s.and(names))
		}
		if interval > 2 {
			return s.word("rule.other")
		}
		return s.word("rule.weekday", "days", s.and(names))
	case "MONTHLY":
		if interval != 1 {
			return s.word("rule.other")
		}
		if md := parts["BYMONTHDAY"]; md != "" && !strings.Contains(md, ",") {
			d, err := strconv.Atoi(md)
			if err == nil && d > 0 {
				return s.word("rule.monthday", "d", s.ordinal(d))
			}
		}
		if bd := parts["BYDAY"]; len(bd) >= 3 && !strings.Contains(bd, ",") {
			wd, ok := rruleDay[bd[len(bd)-2:]]
			nth, err := strconv.Atoi(bd[:len(bd)-2])
			if ok && err == nil && (nth >= 1 && nth <= 4 || nth == -1) {
				return s.word("rule.nth_weekday", "nth", s.word(fmt.Sprintf("nth.%d", nth)), "day", s.word(fmt.Sprintf("weekday.%d", wd)))
			}
		}
		if parts["BYDAY"] == "" {
			return s.word("rule.monthly")
		}
	case "YEARLY":
		if interval == 1 {
			return s.word("rule.yearly")
		}
	}
	return s.word("rule.other")
}

var rruleDay = map[string]time.Weekday{
	"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday,
}

// ordinal says a day of the month: "15th" / "15.".
func (s *speaker) ordinal(d int) string {
	if s.lang == "de" {
		return strconv.Itoa(d) + "."
	}
	suffix := "th"
	if d%100 < 11 || d%100 > 13 {
		switch d % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(d) + suffix
}

func itoa(n int) string { return strconv.Itoa(n) }

func joinComma(s []string) string { return strings.Join(s, ", ") }
