package assistant

import (
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
// finish her homework"), something done ("Tim hat den Rasen gemäht"), a
// negation of what is no plan, being free ("Tim hat morgen
// frei", "Tim has nothing on Friday") and a question stay what they were.
// Said with "no"/"kein" it is that day's occurrence cancelled: "Tim hat
// morgen kein Training", "Tim has no football on Friday" cancel
// "Training", "Football" that day.
func hasPlan(text string, now time.Time, names []string) (Intent, bool) {
	if strings.HasSuffix(strings.TrimSpace(text), "?") {
		return Intent{}, false
	}
	f := strings.Fields(cleanCommand(strings.ReplaceAll(text, "’", "'")))
	who, i := tripSubject(f, names)
	if who == "" || i >= len(f)-1 {
		return Intent{}, false
	}
	p := &parser{now: now, loc: now.Location()}
	switch strings.ToLower(f[i]) {
	case "has", "have":
		p.lang = "en"
	case "hat", "haben":
		p.lang = "de"
	default:
		return Intent{}, false
	}
	rest := strings.Join(f[i+1:], " ")
	sc := p.scanWhen(rest, scanOpts{recurrence: true})
	if !sc.found {
		return Intent{}, false
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
		return Intent{}, false
	}
	for _, w := range obj {
		lw := strings.ToLower(strings.Trim(w, ",.!"))
		if negationWords[lw] || noPlanWords[lw] || p.lang == "de" && !isCapitalised(w) ||
			p.lang == "en" && (strings.HasSuffix(lw, "ed") || irregularPastEN[lw] != "") {
			return Intent{}, false
		}
	}
	title := capitalise(strings.Trim(strings.Join(obj, " "), ",.!"))
	if cancelled {
		// as "morgen kein Yoga" is: the occurrence of that day, found by
		// its title (it was the cancel of "Tim hat Training")
		if sc.rec != nil || sc.w.hasTime || sc.w.hasRel || !sc.w.hasDate && sc.w.weekday < 0 {
			return Intent{}, false
		}
		day, _ := p.resolveDay(sc.w)
		return Intent{Type: IntentCalendarCancel, Lang: p.lang, Slots: IntentSlots{Title: title, Date: day.Format(time.DateOnly)}}, true
	}
	in, ok := p.event(rest)
	if !ok {
		return Intent{}, false
	}
	in.Slots.Title, in.Slots.Location, in.Lang = who+": "+title, "", p.lang
	if in.Validate() != nil {
		return Intent{}, false
	}
	return in, true
}

var (
	// planArticles go before what someone has ("a dentist appointment",
	// "seinen Schwimmkurs"): the title starts after them
	planArticles = setOf(`a an the his her their its ein eine einen einem sein seine seinen ihr ihre ihren`)
	// noPlanWords: what someone has that is no plan ("has to", "hat
	// frei", "has nothing", "hat Zeit")
	noPlanNegation = setOf(`no kein keine keinen`)
	noPlanWords    = setOf(`to time nothing something anything fun off free cold fever zeit nichts frei lust hunger durst fieber`)
)
