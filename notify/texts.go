package notify

import (
	"cmp"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The notices' texts, in English and German. Every notice carries both
// (push: the service worker shows the member's language, or the device's;
// ntfy gets the member's, else English). Times are the family's local
// times.

// Languages notices are written in.
var Languages = []string{"en", "de"}

// Text is one notice in one language.
type Text struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Message is what a notice says and where a click leads: URL is a path of
// the app (/tasks?task=<id>, /calendar?date=<YYYY-MM-DD>&event=<id>,
// /shopping/<list id>, /tasks, /family); Tag groups notices on a device (a
// newer one with the same tag replaces the older).
type Message struct {
	Kind string `json:"kind"`
	URL  string `json:"url"`
	Tag  string `json:"tag"`
	EN   Text   `json:"en"`
	DE   Text   `json:"de"`
}

// In returns the text in lang ("de"; anything else is English).
func (m Message) In(lang string) Text {
	if lang == "de" {
		return m.DE
	}
	return m.EN
}

// Limits that keep a push payload far below the 4 KiB a push service takes.
const (
	maxTitleRunes = 120
	maxBodyRunes  = 600
	maxBodyLines  = 8
)

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func (m Message) clipped() Message {
	for _, t := range []*Text{&m.EN, &m.DE} {
		t.Title = clip(oneLine(t.Title), maxTitleRunes)
		t.Body = clip(t.Body, maxBodyRunes)
	}
	return m
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clock formats a local time of day.
func clock(t time.Time, lang string) string {
	if lang == "de" {
		return t.Format("15:04")
	}
	return t.Format("3:04 PM")
}

var (
	deWeekdays = []string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."}
	deMonths   = []string{"", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
)

// dayPhrase says which day t is, seen from now (both in the family's
// zone): "" for today, "tomorrow", "on Mon, Mar 3" (German alike).
func dayPhrase(t, now time.Time, lang string) string {
	switch days := int(civil(t).Sub(civil(now)).Hours()/24 + 0.5); {
	case days == 0:
		return ""
	case days == 1 && lang == "de":
		return "morgen"
	case days == 1:
		return "tomorrow"
	case lang == "de":
		return fmt.Sprintf("am %s %d. %s", deWeekdays[t.Weekday()], t.Day(), deMonths[t.Month()])
	}
	return "on " + t.Format("Mon, Jan 2")
}

// when says when t is: "at 6:00 PM", "tomorrow at 6:00 PM", "on Mon, Mar 3
// at 6:00 PM" ("um 18:00", "morgen um 18:00", "am Mo., 3. März um 18:00").
func when(t, now time.Time, lang string) string {
	at := "at " + clock(t, lang)
	if lang == "de" {
		at = "um " + clock(t, lang)
	}
	if d := dayPhrase(t, now, lang); d != "" {
		return d + " " + at
	}
	return at
}

func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// capitalise upper-cases the first letter.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// taskText is a task reminder: due now, at a time, or overdue.
func taskText(title string, due, now time.Time, lang string) Text {
	var body string
	d := due.Sub(now)
	switch {
	case d > -time.Minute && d < time.Minute && lang == "de":
		body = "Jetzt fällig"
	case d > -time.Minute && d < time.Minute:
		body = "Due now"
	case d < 0 && lang == "de":
		body = "War fällig " + when(due, now, lang)
	case d < 0:
		body = "Was due " + when(due, now, lang)
	case lang == "de":
		body = "Fällig " + when(due, now, lang)
	default:
		body = "Due " + when(due, now, lang)
	}
	return Text{Title: title, Body: body}
}

// eventText is a calendar reminder.
func eventText(title, location string, start, now time.Time, allDay bool, lang string) Text {
	var body string
	switch d := start.Sub(now); {
	case allDay && lang == "de":
		body = capitalise(cmp.Or(dayPhrase(start, now, lang), "heute")) + ", ganztägig"
	case allDay:
		body = capitalise(cmp.Or(dayPhrase(start, now, lang), "today")) + ", all day"
	case d > -time.Minute && d < time.Minute && lang == "de":
		body = "Beginnt jetzt"
	case d > -time.Minute && d < time.Minute:
		body = "Starts now"
	case d < 0 && lang == "de":
		body = "Hat begonnen " + when(start, now, lang)
	case d < 0:
		body = "Started " + when(start, now, lang)
	case lang == "de":
		body = "Beginnt " + when(start, now, lang)
	default:
		body = "Starts " + when(start, now, lang)
	}
	if location = oneLine(location); location != "" {
		body += " · " + location
	}
	return Text{Title: title, Body: body}
}

// digestItem is one line of the morning digest.
type digestItem struct {
	Title  string
	At     *time.Time // an event's start (nil: all day) or a task's due time
	AllDay bool
}

// digestText is the morning digest: today's events, then chores.
func digestText(events, chores []digestItem, lang string) Text {
	var parts []string
	if len(events) > 0 {
		parts = append(parts, plural(len(events), lang, "event", "events", "Termin", "Termine"))
	}
	if len(chores) > 0 {
		parts = append(parts, plural(len(chores), lang, "chore", "chores", "Aufgabe", "Aufgaben"))
	}
	title := "Today: " + strings.Join(parts, ", ")
	if lang == "de" {
		title = "Heute: " + strings.Join(parts, ", ")
	}
	var lines []string
	for _, e := range events {
		switch {
		case e.AllDay && lang == "de":
			lines = append(lines, "Ganztägig: "+e.Title)
		case e.AllDay:
			lines = append(lines, "All day: "+e.Title)
		default:
			lines = append(lines, clock(*e.At, lang)+" "+e.Title)
		}
	}
	for _, c := range chores {
		if c.At != nil {
			lines = append(lines, "• "+c.Title+" ("+clock(*c.At, lang)+")")
		} else {
			lines = append(lines, "• "+c.Title)
		}
	}
	if len(lines) > maxBodyLines {
		more := len(lines) - (maxBodyLines - 1)
		lines = lines[:maxBodyLines-1]
		if lang == "de" {
			lines = append(lines, fmt.Sprintf("… und %d weitere", more))
		} else {
			lines = append(lines, fmt.Sprintf("… and %d more", more))
		}
	}
	return Text{Title: title, Body: strings.Join(lines, "\n")}
}

func plural(n int, lang, en1, enN, de1, deN string) string {
	switch {
	case lang == "de" && n == 1:
		return "1 " + de1
	case lang == "de":
		return fmt.Sprintf("%d %s", n, deN)
	case n == 1:
		return "1 " + en1
	}
	return fmt.Sprintf("%d %s", n, enN)
}

// listText is "Ben added 5 items to Weekly: milk, eggs, …". actors are the
// names of those who added (none known: said passively); items the first
// few item names.
func listText(list string, actors []string, count int, items []string, lang string) Text {
	what := plural(count, lang, "item", "items", "Artikel", "Artikel")
	if count == 1 && len(items) == 1 {
		what = items[0]
	}
	var body string
	switch who := names(actors, lang); {
	case who == "" && lang == "de" && count == 1:
		body = fmt.Sprintf("%s wurde zu %s hinzugefügt", what, list)
	case who == "" && lang == "de":
		body = fmt.Sprintf("%s wurden zu %s hinzugefügt", what, list)
	case who == "" && count == 1:
		body = fmt.Sprintf("%s was added to %s", capitalise(what), list)
	case who == "":
		body = fmt.Sprintf("%s were added to %s", what, list)
	case lang == "de" && len(actors) == 1:
		body = fmt.Sprintf("%s hat %s zu %s hinzugefügt", who, what, list)
	case lang == "de":
		body = fmt.Sprintf("%s haben %s zu %s hinzugefügt", who, what, list)
	default:
		body = fmt.Sprintf("%s added %s to %s", who, what, list)
	}
	if count > 1 && len(items) > 0 {
		body += ": " + strings.Join(items, ", ")
		if count > len(items) {
			body += ", …"
		}
	}
	return Text{Title: list, Body: body}
}

// names joins people's names: "Ben", "Ben and Ana", "Ben, Ana and Mia".
func names(ns []string, lang string) string {
	and := " and "
	if lang == "de" {
		and = " und "
	}
	switch len(ns) {
	case 0:
		return ""
	case 1:
		return ns[0]
	}
	return strings.Join(ns[:len(ns)-1], ", ") + and + ns[len(ns)-1]
}

// testText is the test notification.
func testText(lang string) Text {
	if lang == "de" {
		return Text{Title: "FamilyHub", Body: "Benachrichtigungen von FamilyHub kommen hier an."}
	}
	return Text{Title: "FamilyHub", Body: "Notifications from FamilyHub reach you here."}
}
