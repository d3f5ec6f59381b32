package assistant

import (
	"regexp"
	"strings"
	"time"
)

// hasPlan reads what a member or a family role "has" on a day or at a
// time as the plan it is for the family's calendar: "Tim has football on
// Friday at 5" is the event "Tim: Football" at 17:00, "Mia has a dentist
// appointment on Monday at 3" "Mia: Dentist appointment", "Tim hat am
// Freitag um 5 Fußball" "Tim: Fußball", "Oma hat am Sonntag Geburtstag"
// the all-day "Oma: Geburtstag" (they were not understood), named as
// "Tim goes to football on Tuesday" is ("Tim: Football"; events have no
// assignee). Only a short noun phrase is a plan: a to-do ("Mia has to
// finish her homework"), something done ("Tim hat den Rasen gemäht") and a
// question stay what they were; how someone is on a day ("Tim hat morgen
// frei", "Tim hat morgen keine Zeit", "Tim has nothing on Friday") writes
// nothing (refuse). Said with "no"/"kein" it is that day's occurrence
// cancelled: "Tim hat morgen kein Training", "Tim has no football on
// Friday" cancel "Training", "Football" that day.
func hasPlan(text string, now time.Time, names []string) (in Intent, ok, refuse bool) {
	if strings.HasSuffix(strings.TrimSpace(text), "?") {
		return Intent{}, false, false
	}
	f := strings.Fields(cleanCommand(strings.ReplaceAll(text, "’", "'")))
	who, i := tripSubject(f, names)
	if who == "" || i >= len(f)-1 {
		return Intent{}, false, false
	}
	p := &parser{now: now, loc: now.Location()}
	exam := false
	switch strings.ToLower(f[i]) {
	case "has", "have":
		p.lang = "en"
		if strings.EqualFold(f[i+1], "got") && i+1 < len(f)-1 {
			i++ // "Mia has got ballet on Monday": what she has
		}
	case "got":
		// "Mia's got ballet every Monday at 5" is "Mia has got …" (it was
		// the event "Mia's got ballet")
		if !strings.HasSuffix(strings.ToLower(f[i-1]), "'s") {
			return Intent{}, false, false
		}
		p.lang = "en"
	case "hat", "haben":
		p.lang = "de"
	case "schreibt", "schreiben":
		// "Tim schreibt am Donnerstag eine Mathearbeit": a test at school
		// is a date, "Tim: Mathearbeit", as "Tim hat am Donnerstag eine
		// Mathearbeit" is (it was Tim's task "Mathearbeit schreiben")
		p.lang, exam = "de", true
	default:
		return Intent{}, false, false
	}
	rest := strings.Join(f[i+1:], " ")
	// "for half an hour" is how long, not what Tim has (it was not understood)
	sc := p.scanWhen(rest, scanOpts{recurrence: true, durations: true})
	if !sc.found {
		return Intent{}, false, false
	}
	obj := strings.Fields(sc.rest())
	for len(obj) > 0 && planArticles[strings.ToLower(obj[0])] {
		obj = obj[1:]
	}
	cancelled := len(obj) > 1 && noPlanNegation[strings.ToLower(obj[0])]
	if cancelled {
		obj = obj[1:] // "Tim hat morgen kein Training": that day's "Training" is off
	}
	if len(obj) == 0 || len(obj) > 3 {
		return Intent{}, false, false
	}
	if exam && !examDE(obj[len(obj)-1]) {
		// "Tim schreibt morgen keinen Brief": no test to cancel, nor an
		// errand (it was the cancel of "Tim schreibt Brief")
		return Intent{}, false, cancelled
	}
	for _, w := range obj {
		lw := strings.ToLower(strings.Trim(w, ",.!"))
		if noPlanWords[lw] {
			// "Tim hat morgen keine Zeit", "Tim hat morgen frei": how
			// Tim is, nothing to write (the first cancelled "Tim hat Zeit")
			return Intent{}, false, true
		}
		if lw == "to" || negationWords[lw] || p.lang == "de" && !isCapitalised(w) ||
			p.lang == "en" && (strings.HasSuffix(lw, "ed") || irregularPastEN[lw] != "") {
			return Intent{}, false, false
		}
	}
	title := capitalise(strings.Trim(strings.Join(obj, " "), ",.!"))
	if cancelled {
		// as "morgen kein Yoga" is: the occurrence of that day, found by
		// its title (it was the cancel of "Tim hat Training")
		if sc.rec != nil || sc.w.hasTime || sc.w.hasRel || !sc.w.hasDate && sc.w.weekday < 0 {
			return Intent{}, false, false
		}
		day, today := p.cancelDay(sc.w)
		return Intent{Type: IntentCalendarCancel, Lang: p.lang, Slots: IntentSlots{Title: title, Date: day, weekdayToday: today}}, true, false
	}
	in, ok = p.event(rest)
	if !ok {
		return Intent{}, false, false
	}
	in.Slots.Title, in.Slots.Location, in.Lang = who+": "+title, "", p.lang
	if in.Validate() != nil {
		return Intent{}, false, false
	}
	return in, true, false
}

// examDE: w names a test at school ("Mathearbeit", "Vokabeltest",
// "Klausur"), which one writes on a day.
func examDE(w string) bool {
	lw := strings.ToLower(strings.Trim(w, ",.!"))
	for _, suf := range []string{"arbeit", "test", "klausur", "prüfung", "probe", "ex"} {
		if isCapitalised(w) && strings.HasSuffix(lw, suf) && lw != "hausarbeit" && lw != "gartenarbeit" {
			return true
		}
	}
	return false
}

var (
	// planArticles go before what someone has ("a dentist appointment",
	// "seinen Schwimmkurs"): the title starts after them
	planArticles = setOf(`a an the his her their its ein eine einen einem sein seine seinen ihr ihre ihren`)
	// noPlanNegation: what someone has not ("kein Training")
	noPlanNegation = setOf(`no kein keine keinen`)
	// noPlanWords: what someone has that is no plan but how they are
	// ("hat frei", "has nothing", "hat keine Zeit"): not understood
	noPlanWords = setOf(`time nothing something anything fun off free cold fever zeit nichts frei lust hunger durst fieber`)
)

// dayIsRx: a day first, then what it is ("Friday is an inset day", "am
// Montag ist schulfrei", "morgen ist die Schule zu"); m[1] the day, m[2]
// the German verb ("" in English), m[3] the rest.
var dayIsRx = regexp.MustCompile(`(?i)^((?:(?:on|this|next|am|diesen|nächsten) )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|` +
	`montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|morgen|übermorgen|heute))(?:'s| is| will be| (ist|hat|macht|bleibt)) (.+)$`)

// dayIs reads what a day is as that day's all-day event: "Friday is an
// inset day" is "Inset day", "tomorrow is Tim's birthday" "Tim's
// birthday", "am Montag ist schulfrei" "Schulfrei", "morgen ist Feiertag"
// "Feiertag" (they were not understood), and a place closed said the day
// first as said the place first: "morgen ist die Schule zu", "am Freitag
// hat die Kita zu" are "Schule geschlossen", "Kita geschlossen". Only a
// noun phrase counts: in English after "a"/"an" or with an owner, in
// German capitalised nouns or a word of a day off ("schulfrei",
// "hitzefrei"); "tomorrow is fine", "morgen ist gut" and a question stay
// not understood.
func dayIs(text string, now time.Time) (Intent, bool) {
	if strings.HasSuffix(strings.TrimSpace(text), "?") {
		return Intent{}, false
	}
	m := dayIsRx.FindStringSubmatch(cleanCommand(strings.ReplaceAll(text, "’", "'")))
	if m == nil {
		return Intent{}, false
	}
	p := &parser{now: now, loc: now.Location(), lang: "en"}
	verb, obj := strings.ToLower(m[2]), strings.Fields(strings.Trim(m[3], " .!"))
	if verb != "" {
		p.lang = "de"
	}
	if p.lang == "de" && len(obj) > 1 && dayIsPlaceArticles[strings.ToLower(obj[0])] && closurePlace(strings.ToLower(obj[1])) {
		// "morgen ist die Schule zu", "am Freitag hat die Kita zu": "die
		// Schule ist morgen zu", "die Kita hat am Freitag zu"
		in, err := parseCommand(strings.Join(obj[:2], " ")+" "+verb+" "+m[1]+" "+strings.Join(obj[2:], " "), "de", now)
		return in, err == nil && in.Type == IntentCalendarCreate
	}
	if verb != "" && verb != "ist" {
		return Intent{}, false // "am Freitag hat Tim Fußball": only a place is read so
	}
	named := false
	for len(obj) > 0 && dayIsArticles[strings.ToLower(obj[0])] {
		named = true
		obj = obj[1:]
	}
	if len(obj) == 0 || len(obj) > 3 {
		return Intent{}, false
	}
	for _, w := range obj {
		lw := strings.ToLower(w)
		switch {
		case dayIsNotWords[lw] || negationWords[lw]:
			return Intent{}, false
		case p.lang == "en" && strings.HasSuffix(lw, "'s"):
			named = true
		case p.lang == "de" && (isCapitalised(w) || strings.HasSuffix(lw, "frei") && len(lw) > 6):
			named = true
		case p.lang == "de":
			return Intent{}, false
		}
	}
	if !named {
		return Intent{}, false
	}
	in, ok := p.event("x " + m[1])
	if !ok || !in.Slots.AllDay {
		return Intent{}, false
	}
	in.Slots.Title, in.Slots.Location, in.Lang = capitalise(strings.Join(obj, " ")), "", p.lang
	return in, in.Validate() == nil
}

var (
	dayIsArticles      = setOf(`a an ein eine`)
	dayIsPlaceArticles = setOf(`die der das`)
	// dayIsNotWords: what a day is that is no event ("tomorrow is a good
	// day", "Friday is a bit busy")
	dayIsNotWords = setOf(`good bad fine great busy better worse free ok okay long short gut schlecht besser voll frei`)
)

// eventIsOnRx: a named event, then when it is ("Mia's swimming gala is on
// Saturday at 9", "Mias Schwimmwettkampf ist am Samstag um 9"); m[1] the
// event, m[2] when.
// A series counts too: "tim's football is every saturday at 10", "Mias
// Ballett ist jeden Montag um 5", "… ist montags um 5" (they were not
// understood: only a day or time after "is" was).
var eventIsOnRx = regexp.MustCompile(`^(\S+(?: \S+){1,3}) (?:is|'s|will be|ist) ((?:on|at|am|um|this|next|tomorrow|today|morgen|heute|übermorgen|nächsten|nächste|diesen|diese|every|each|jeden|jede|jedes|alle|` +
	`(?:mon|tues|wednes|thurs|fri|satur|sun)days|(?:mon|diens|mitt|donners|frei|sams|sonn)tags|mittwochs|daily|weekly|fortnightly|täglich|wöchentlich) .+)$`)

// eventIsOn reads when a named event is as that event: "Mia's swimming
// gala is on Saturday at 9" is "Mia's swimming gala" at 09:00, "the school
// play is on Friday at 6" "School play", "Mias Schwimmwettkampf ist am
// Samstag um 9" "Mias Schwimmwettkampf", "das Schulfest ist am Freitag" the
// all-day "Schulfest" (they were not understood), as said without "is".
// Only a noun phrase counts: in English with an owner ("Mia's") or after
// "the"/"our", in German an owner ("Mias") or an article before
// capitalised nouns; everything after "is" must say when. So "Tim is at
// school on Monday", "the school is closed on Monday", "the party is at
// Mia's on Saturday" and questions are left to the other rules.
func eventIsOn(text string, now time.Time) (Intent, bool) {
	if strings.HasSuffix(strings.TrimSpace(text), "?") {
		return Intent{}, false
	}
	s := strings.Trim(cleanCommand(strings.ReplaceAll(text, "’", "'")), " .!")
	m := eventIsOnRx.FindStringSubmatch(s)
	if m == nil {
		return Intent{}, false
	}
	f := strings.Fields(m[1])
	first, de := strings.ToLower(f[0]), strings.Contains(m[0], " ist ")
	switch {
	case !de && (strings.HasSuffix(first, "'s") && len(first) > 3 || eventIsOnArticles[first]):
	case de && len(f) >= 2 && (eventIsOnArticles[first] || isCapitalised(f[0]) && strings.HasSuffix(f[0], "s")):
		for _, w := range f[1:] {
			if !isCapitalised(w) {
				return Intent{}, false // "Tim ist morgen krank"
			}
		}
	default:
		return Intent{}, false
	}
	lang := "en"
	if de {
		lang = "de"
	}
	in, err := parseCommand(m[1]+" "+m[2], lang, now)
	if err != nil || in.Type != IntentCalendarCreate || in.Slots.Location != "" || !strings.EqualFold(in.Slots.Title, tidyTitle(m[1])) {
		return Intent{}, false // "the party is at Mia's on Saturday": more than when
	}
	return in, true
}

// eventIsOnArticles start an event named by what it is.
var eventIsOnArticles = setOf(`the our der die das unser unsere`)
