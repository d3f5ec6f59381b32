package assistant

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Statements of what happens that are no one's to-do: a place that closes
// for a day, and English statements in the progressive ("grandma is coming
// over on Saturday").

// closure reads an institution's closing as the event it is for the
// family's calendar: "Kita macht am Freitag zu", "die Kita ist am Freitag
// zu", "the school is closed on Friday" are the all-day events "Kita
// geschlossen", "School closed" that day (the first was Kita's task "Zu
// machen", as if the Kita were a member; the last was not understood).
// With a time it is when the place closes: "Kita macht am Freitag um 12
// zu" is "Kita schließt" at 12:00, and a closing hour from 7 to 11 said
// without am/pm or a 24-hour figure is the evening's: "Laden macht um 8
// zu" is at 20:00 (it was 08:00; places close in the evening), and an
// opening hour from 5 to 11 is the morning's: "Kita macht um 7 auf" is at
// 07:00 (it was 19:00, the hour rule's), "macht um 8 auf" 08:00. Closing early and
// opening are events too: "Kita macht am Freitag früher zu" is the all-day
// "Kita schließt früher", "Schwimmbad macht am Montag auf" "Schwimmbad
// öffnet", "the pool reopens on Monday" "Pool reopens" (the German ones
// were tasks of the place); a place open on a day is "… geöffnet" ("die
// Bibliothek hat am Samstag geöffnet"). rest is s without its time; only
// places the family depends on count (closurePlaces), so "Tim macht am
// Freitag zu" stays what it was.
func (p *parser) closure(s, rest string) (in Intent, ok, refuse bool) {
	rest = strings.Join(strings.Fields(rest), " ")
	re := closureDE
	if p.lang == "en" {
		re = closureEN
	}
	m := re.FindStringSubmatch(lowerSameLength(rest))
	if m == nil {
		return Intent{}, false, false
	}
	place := m[1]
	if !closurePlace(place) {
		return Intent{}, false, false
	}
	// the place as written (lower-cased above for the pattern)
	if i := strings.Index(lowerSameLength(rest), place); i >= 0 {
		place = rest[i : i+len(place)]
	}
	said := m[0][len(m[1]):] // what the place does: " macht früher zu", " reopens"
	opens := closureOpensRx.MatchString(said)
	if closureNotRx.MatchString(said) {
		// "Kita hat morgen nicht geöffnet", "the nursery isn't open
		// tomorrow": not open that day is closed that day, the all-day
		// "Kita geschlossen" (it was not understood: "Kita" was taken
		// for the person the negation was said of). Not opening at an
		// hour, or not closing, says nothing the calendar can hold.
		in, ok = p.event(s)
		if !ok || !opens || !in.Slots.AllDay {
			return Intent{}, false, true
		}
		in.Slots.Title, in.Slots.Location = capitalise(place)+" "+closureWords[p.lang][0], ""
		return in, in.Validate() == nil, false
	}
	p.closing = !opens // "Laden macht um 8 zu": 20:00 (event reads the hour so)
	p.opening = opens  // "Kita macht um 7 auf": 07:00
	p.dawn = opens && dawnPlaces[strings.ToLower(place)]
	in, ok = p.event(s)
	p.closing, p.opening, p.dawn = false, false, false
	if !ok {
		return Intent{}, false, false
	}
	if opens && closureStateRx.MatchString(said) && !in.Slots.AllDay && !p.hoursOfADay(s) {
		// "die Bibliothek hat von 9 bis 18 Uhr geöffnet", "the library is
		// open from 9 to 6": opening hours, information as "macht um 9 auf
		// und um 4 zu" is (openingHoursRx), no event "Bibliothek öffnet"
		return Intent{}, false, true
	}
	word := closureWords[p.lang]
	var title string
	switch {
	case opens && closureAgainRx.MatchString(said):
		title = word[3] // "reopens", "öffnet wieder"
	case opens && closureStateRx.MatchString(said):
		title = word[4] // "hat am Samstag geöffnet", "hat am Freitag von 8 bis 12 geöffnet": "geöffnet"
	case opens:
		title = word[2]
	case closureEarlyRx.MatchString(said):
		title = word[5] // "macht früher zu": "schließt früher"
	case in.Slots.AllDay:
		title = word[0]
	default:
		title = word[1]
	}
	in.Slots.Title, in.Slots.Location = capitalise(place)+" "+title, ""
	return in, in.Validate() == nil, false
}

// dawnPlaces open at 5 in the morning: "Bäcker macht um 5 auf",
// "die Bäckerei öffnet um 5:30" are at 05:00, 05:30 (review64: assist14
// made an opening at 5 the afternoon's, 17:00, for "the pool opens at
// 5", and a bakery's with it).
var dawnPlaces = setOf(`bäcker bäckerei bakery`)

// dawnHour: c is 5 o'clock said without am/pm or a 24-hour figure.
func dawnHour(c clock) bool { return c.ampm == "" && !c.h24 && c.hour == 5 }

// hoursOfADay: s names a day and the hours from … to on it ("die Kita
// hat am Freitag von 8 bis 12 geöffnet", "the nursery is open on Friday
// from 8 to 12"): that day's opening, a notice for the calendar, the
// event "Kita geöffnet" 08:00-12:00 (review64: it was not understood, as
// hours said for every day are).
func (p *parser) hoursOfADay(s string) bool {
	w := p.scanWhen(s, scanOpts{}).w
	return (w.hasDate || w.weekday >= 0) && w.hasTime && w.hasEnd
}

var (
	closureDE = regexp.MustCompile(`^(?:(?:die|der|das|unsere|unser|unserer) )?(\p{L}[\p{L}-]*)(?: (?:macht|machen|hat|haben|ist|sind|bleibt|bleiben)(?: (?:früher|eher|schon|wieder))?(?: nicht)? (?:zu|dicht|geschlossen|auf|offen|geöffnet)| (?:schließt|schließen|öffnet|öffnen)(?: (?:früher|eher|wieder))?(?: nicht)?)$`)
	closureEN = regexp.MustCompile(`^(?:(?:the|our) )?((?:\p{L}[\p{L}-]* )?\p{L}[\p{L}-]*?)(?:'s (?:closed|shut)| (?:is|will be|is going to be) (?:closed|shut)| (?:closes|shuts)(?: early)?| (?:opens|reopens|is open|will be open|'s open)| (?:isn't|is not|won't be|will not be|'s not) open)$`)
	// closureOpensRx: the place opens (or is open), not closes
	closureOpensRx = regexp.MustCompile(`(?:auf|offen|geöffnet|öffnet|öffnen|opens|open)$|öffnet |öffnen `)
	closureAgainRx = regexp.MustCompile(`wieder|reopens`)
	closureStateRx = regexp.MustCompile(`(?:hat|haben|ist|sind|bleibt|bleiben) (?:offen|geöffnet|auf)$|(?:is|will be|'s) open$`)
	closureEarlyRx = regexp.MustCompile(`früher|eher|early`)
	closureNotRx   = regexp.MustCompile(` nicht\b|n't | not `)
	// closureWords: closed (all day), closes (at a time), opens, opens
	// again, open (all day), closes early
	closureWords = map[string][6]string{
		"en": {"closed", "closes", "opens", "reopens", "open", "closes early"},
		"de": {"geschlossen", "schließt", "öffnet", "öffnet wieder", "geöffnet", "schließt früher"},
	}
)

// closurePlace: place (lower case; its last word counts) is an
// institution or shop the family depends on.
func closurePlace(place string) bool {
	f := strings.Fields(place)
	if len(f) == 0 {
		return false
	}
	w := f[len(f)-1]
	if closurePlaces[w] {
		return true
	}
	for _, suf := range closureSuffixesDE {
		if strings.HasSuffix(w, suf) && len(f) == 1 {
			return true
		}
	}
	return false
}

var (
	closurePlaces = setOf(`kita krippe kindergarten hort schule praxis bäcker bäckerei laden supermarkt bibliothek bücherei
		schwimmbad hallenbad freibad post bank büro apotheke rathaus amt geschäft markt zahnarzt kinderarzt arzt
		school nursery daycare preschool kindergarten library pool surgery office bank shop store gym centre center bakery
		clinic creche crèche playgroup`)
	closureSuffixesDE = []string{"kita", "schule", "bad", "praxis", "amt", "laden", "markt", "halle", "garten", "arzt"}
)

// progressive reads an English statement in the progressive with a day or
// time as the plan it tells: "grandma is coming over on Saturday" is the
// all-day event "Grandma coming over", "we're having pizza on Friday"
// "Pizza", "we're having dinner with the Smiths at 7" "Dinner with the
// Smiths", "we're going swimming on Saturday" "Swimming", "the plumber is
// coming on Monday at 8" "Plumber coming" (they were not understood, while
// "grandma comes over on Saturday at 3" was an event). As in the simple
// present, a member or family role doing an errand or chore is their task:
// "Tim is picking up Mia at 3" is Tim's task "Pick up Mia" (as "Tim picks
// up Mia at 3" is). Where someone is or how they work is a status and
// writes nothing ("I'm coming home at 6", "Tim is working late tonight",
// "I'm leaving at 5"); refuse says so.
func (p *parser) progressive(s string) (in Intent, ok, refuse bool) {
	if p.lang != "en" {
		return Intent{}, false, false
	}
	ev, ok := p.event(s)
	if !ok || ev.Slots.Title == "" {
		return Intent{}, false, false
	}
	f := strings.Fields(strings.ReplaceAll(ev.Slots.Title, "’", "'"))
	if hasAnyWord(s, comingWord) && !hasAnyWord(ev.Slots.Title, comingWord) {
		// "the plumber is coming on Monday", "grandma's coming at 3": the
		// days' scan took "coming" for "this coming Monday"
		f = append(f, "coming")
	}
	who, i := progressiveSubject(f)
	if i == 0 || i >= len(f) {
		return Intent{}, false, false
	}
	g := strings.ToLower(f[i])
	if g == "going" && i+2 < len(f) && strings.EqualFold(f[i+1], "to") && (who == "" || who == AssigneeMe) {
		// "we're going to swim on Saturday": the plan "Swim", as "we're
		// playing football" is "Play football" (it was the event "We're
		// going to swim"); only activities: "going to be late" says how,
		// no plan, and errands keep the reading they had
		if v := strings.ToLower(f[i+2]); activityVerbs[v] || v == "play" {
			ev.Slots.Title = tidyTitle(strings.Join(f[i+2:], " "))
			return ev, ev.Slots.Title != "" && ev.Validate() == nil, false
		}
	}
	if len(g) < 5 || !strings.HasSuffix(g, "ing") || (g == "going" && i+1 < len(f) && strings.EqualFold(f[i+1], "to")) {
		return Intent{}, false, false // "we're going to swim": tripStatement's or nothing
	}
	phrase := f[i:]
	after := strings.Join(phrase[1:], " ")
	if progressiveStatus[g] || ((g == "coming" || g == "going" || g == "getting") && statusMessage(after)) {
		return Intent{}, false, true // "I'm coming home at 6", "Tim is working late tonight"
	}
	guest := g == "visiting" && (len(phrase) == 1 || guestObjects[strings.ToLower(phrase[1])])
	if base, todo := gerundBase(g); todo && who != "" && !strings.Contains(who, " ") && g != "going" && !guest &&
		(who == AssigneeMe || familyRoles[strings.ToLower(who)] || isCapitalised(f[0])) {
		// ("grandma is visiting on Sunday", "… visiting us" is a guest
		// coming, the event: it was Grandma's task "Visit")
		// "Tim is picking up Mia at 3": Tim's task, as "Tim picks up Mia at
		// 3" is, "I'm picking up Mia at 3" the speaker's; the sentence
		// from the gerund on, its base first
		sf := strings.Fields(s)
		for k, w := range sf {
			if strings.EqualFold(w, g) {
				t, ok := p.newTask(strings.Join(append([]string{base}, sf[k+1:]...), " "), who)
				return t, ok, false
			}
		}
		return Intent{}, false, false
	}
	if who == AssigneeMe {
		who = "" // "I'm having a haircut at 3": "Haircut"
	}
	var title string
	switch {
	case who != "":
		title = who + " " + strings.Join(phrase, " ")
	case g == "having" && len(phrase) > 1:
		title = tidyTitle(after) // "we're having pizza": "Pizza"
	case g == "going" && len(phrase) > 1 && strings.HasSuffix(strings.ToLower(phrase[1]), "ing"):
		title = tidyTitle(after) // "we're going swimming": "Swimming"
	case len(phrase) > 1:
		// "we're visiting grandma on Sunday": "Visit grandma", named as a
		// plan is, not "Visiting grandma" (a guest visiting stays so)
		title = tidyTitle(strings.Join(phrase, " "))
		if base, ok := gerundBase(g); ok && !guest {
			title = tidyTitle(base + " " + after)
		}
	default:
		title = tidyTitle(strings.Join(phrase, " "))
	}
	if title == "" {
		return Intent{}, false, false
	}
	ev.Slots.Title = title
	return ev, ev.Validate() == nil, false
}

// progressiveSubject: f (an event title) starts with who does something and
// "is"/"are": "we're", "we are" (who ""), "I'm", "I am" (who "me"), or a word (a name,
// a family role, "plumber") and "is"/"'s", or two joined by "and" and
// "are" (who capitalised as said); i is the index after the verb, 0 when
// there is none.
// tradeHeads end a subject of two words named by a trade ("boiler man",
// "gas engineer", "cleaning lady").
var tradeHeads = setOf(`man men woman lady guy engineer fitter people`)

func progressiveSubject(f []string) (who string, i int) {
	if len(f) < 2 {
		return "", 0
	}
	l := func(k int) string {
		if k < len(f) {
			return strings.ToLower(f[k])
		}
		return ""
	}
	switch {
	case l(0) == "we're":
		return "", 1
	case l(0) == "i'm" || l(0) == "im":
		return AssigneeMe, 1
	case l(0) == "we" && l(1) == "are":
		return "", 2
	case l(0) == "i" && l(1) == "am":
		return AssigneeMe, 2
	case strings.HasSuffix(l(0), "'s") && len(l(0)) > 2 && !progressiveNoSubject[strings.TrimSuffix(l(0), "'s")] &&
		(len(f) == 2 || progressiveAfter[l(2)]):
		// "Tim's coming over", not "Mia's swimming lesson"
		return capitalise(strings.TrimSuffix(f[0], "'s")), 1
	case l(1) == "is" && !progressiveNoSubject[l(0)]:
		return capitalise(f[0]), 2
	case l(2) == "is" && tradeHeads[l(1)] && !progressiveNoSubject[l(0)]:
		// "the boiler man is coming on Tuesday": someone named by their
		// trade in two words (it was not understood)
		return capitalise(f[0]) + " " + f[1], 3
	case groupSubjects[l(0)] && l(1) == "are":
		return capitalise(f[0]), 2 // "the kids are going swimming on Saturday": "Kids going swimming"
	case l(1) == "and" && l(3) == "are" && !progressiveNoSubject[l(0)] && !progressiveNoSubject[l(2)]:
		second := capitalise(f[2])
		if familyRoles[l(2)] {
			// "grandma and grandpa are coming …": a role keeps its case
			// within a title, as in "Lunch with grandma" (it was
			// "Grandma and Grandpa coming …")
			second = f[2]
		}
		return capitalise(f[0]) + " and " + second, 4
	}
	return "", 0
}

var (
	comingWord = setOf(`coming`)
	// progressiveStatus: gerunds of where one is or how one works
	progressiveStatus = setOf(`working leaving running feeling being staying sleeping`)
	// progressiveNoSubject: words that start no statement of a plan
	progressiveNoSubject = setOf(`it this that there here what who which where when how he she they you it's`)
	// progressiveAfter may follow the gerund of "Tim's coming over"
	progressiveAfter = setOf(`over round around by along to with for in at up out off down back home`)
)

// selfTodoDE reads what the speaker or "wir" says they will do, with a
// separable verb or a to-do verb and a day or time, as the to-do it is, its
// verb whole: "ich hole Tim um 3 ab" is the speaker's task "Tim abholen" at
// 15:00, as "I'll pick up Tim at 3" is, "wir räumen am Samstag den Keller
// auf" the task "Keller aufräumen" (they were events "Ich hole Tim",
// the particle lost). "ich gehe um 8 ins Bett" is the speaker's bedtime.
// Without a particle, a to-do verb or a routine ("ich treffe Oma um 3") it
// stays what it was; trips said so are events (tripStatement).
func selfTodoDE(text string, now time.Time) (Intent, bool) {
	f := strings.Fields(cleanCommand(text))
	if len(f) < 3 {
		return Intent{}, false
	}
	who, verb := "", strings.ToLower(f[1])
	var inf string
	var ok bool
	switch strings.ToLower(f[0]) {
	case "ich":
		who = AssigneeMe
		if strings.HasSuffix(verb, "e") || strings.HasSuffix(verb, "el") {
			inf, ok = imperativeDE(verb) // "hole" → "holen", as the imperative "hole"
		} else if n := len(f); n > 3 && isParticleDE(f[n-1]) {
			// spoken German drops the -e: "ich hol Tim um 3 ab", "ich ruf
			// morgen Oma an" (the event "Ich ruf Oma", its particle lost)
			inf, ok = imperativeDE(verb)
		}
	case "wir":
		inf, ok = verb, isInfinitiveDE(verb)
	}
	if !ok {
		return Intent{}, false
	}
	rest := f[2:]
	if n := len(rest); n > 1 && isParticleDE(rest[n-1]) {
		inf = strings.ToLower(rest[n-1]) + inf
		rest = rest[:n-1]
	} else if !todoVerbsDE[inf] && !routineDE(append(append([]string{}, rest...), inf)) && !drivingVerbsDE[inf] && !selfBuyDE[inf] {
		return Intent{}, false
	}
	pronoun := ""
	if len(rest) > 1 && personPronounsDE[strings.ToLower(rest[0])] && objectVerbsDE[inf] {
		// "ich hole sie um 3 ab": the speaker's "Sie abholen" at 15:00,
		// as "I'll pick her up at 3" is "Pick her up" (it was not
		// understood); "ich hole es ab" still names nothing
		pronoun, rest = strings.ToLower(rest[0]), rest[1:]
	}
	in, err := parseCommand(strings.Join(rest, " ")+" "+inf, "de", now)
	if selfBuyDE[inf] && err == nil && in.Type == IntentShoppingAddItems {
		return in, true // "ich kaufe Milch": milk on the list, as "I'll buy milk"
	}
	if err != nil || in.Type != IntentTaskCreate || in.Lang != "de" ||
		len(strings.Fields(in.Slots.Title)) < 2 && !todoVerbsDE[inf] && inf != "einkaufen" && pronoun == "" {
		// "wir fangen am Montag an" is no task "Anfangen"; "ich räume
		// morgen auf", "ich kaufe morgen ein" are "Aufräumen", "Einkaufen"
		return Intent{}, false
	}
	if drivingVerbsDE[inf] && !todoVerbsDE[inf] && !drivesSomeoneDE(strings.Fields(in.Slots.Title)) {
		return Intent{}, false // "ich fahre morgen zum Training": a trip, no errand
	}
	if in.Slots.Assignee == "" {
		in.Slots.Assignee = who
	}
	if pronoun != "" {
		t := strings.Fields(in.Slots.Title)
		if strings.EqualFold(t[0], inf) || !slices.Contains(rest, t[0]) {
			t[0] = strings.ToLower(t[0]) // "Abholen", "Vom Bahnhof abholen": no noun
		}
		in.Slots.Title = capitalise(pronoun) + " " + strings.Join(t, " ")
	}
	return in, true
}

var (
	// personPronounsDE: a person fetched or taken, said with a pronoun
	// ("ich hole sie ab", "ich nehme ihn mit")
	personPronounsDE = setOf(`sie ihn`)
	// selfBuyDE: the speaker's (or our) verbs of shopping: "ich kaufe
	// morgen Milch" is the speaker's task "Milch kaufen" due tomorrow, as
	// "I'll buy milk tomorrow" is "Buy milk" (it was the all-day event
	// "Milch kaufen"); without a day, groceries go on the list
	selfBuyDE = setOf(`kaufen besorgen`)
)

// invertedDE: text is a German statement that starts with its day or time,
// the verb and its subject after it ("morgen fahren wir zu Oma", "am
// Samstag holen wir Oma vom Bahnhof ab", "Sonntag fliegt Tim nach Rom"); s
// is the same said subject first ("wir fahren morgen zu Oma"), which the
// rules read (as a plan, a trip, a to-do). It was the event "Fahren wir zu
// oma". The subject is "wir", "ich", a member or a family role. A question
// mark stays at the end of s: "morgen fahren wir zu Oma?" was the event too,
// and is a question.
func invertedDE(text string, now time.Time, names []string) (string, bool) {
	t := strings.TrimSpace(text)
	f := strings.Fields(cleanCommand(t))
	p := &parser{now: now, loc: now.Location(), lang: "de"}
	for k := 1; k+2 < len(f) && k <= 4; k++ {
		verb, subj := strings.ToLower(f[k]), strings.ToLower(f[k+1])
		if !(subj == "wir" || subj == "ich" || familyRoles[subj] || isMember(subj, names)) || !finiteFirstDE(verb, subj) {
			continue
		}
		head := strings.Join(f[:k], " ")
		sc := p.scanWhen(head, scanOpts{recurrence: true})
		if !sc.found || strings.TrimSpace(sc.rest()) != "" {
			return "", false
		}
		out := append([]string{f[k+1], f[k], head}, f[k+2:]...)
		if strings.HasSuffix(t, "?") {
			return strings.Join(out, " ") + "?", true
		}
		return strings.Join(out, " "), true
	}
	return "", false
}

// guestObjects after "visiting" make the visit the family's guest's.
var guestObjects = setOf(`us me`)
