package assistant

import (
	"regexp"
	"strings"
	"time"
)

// Questions ("what's on today/this weekend", "when is the dentist") and
// the elliptic forms tried last ("milk", "dentist Friday at 3", "call
// grandma tomorrow", "Tim takes out the bins every Tuesday").

var queryRulesEN = []rule{
	// "is the dentist still on friday", "is swimming still on": whether a
	// date stands is when it is (they were not understood)
	{rx(`(?:is|are) (?:the |our |my )?(.+?) still (?:on|at|happening|going ahead|booked|planned)(?: .*)?`), (*parser).queryStill},
	{rx(`(?:when(?:'s| is| are| was|s)?|what time(?:'s| is| are)|what day(?:'s| is)|at what time is|when do(?:es)?) (.+?)(?: (?:start|starts|begin|begins|happen|on))?`), (*parser).queryWhen},
	{rx(`(?:what(?:'s| is| are)|what have (?:we|i) got|what do (?:we|i) have|what'?s happening|what'?s going on|what'?s planned|anything|is there anything|do we have anything|have we got anything|do i have anything|(?:show|tell|give)(?: me| us)?|is anything|what are we doing)\b(.*)`), (*parser).queryDay},
	{rx(`((?:today|tomorrow|today's agenda|agenda|my day|our day|this weekend|this week)(?: please)?)`), (*parser).queryDay},
}

var queryRulesDE = []rule{
	// "ist der Zahnarzt noch am Freitag", "findet das Training morgen noch
	// statt": whether a date stands is when it is (not understood)
	{rx(`(?:ist|sind) (?:der |die |das |unser |unsere )?(.+?) (?:immer )?noch (?:am|um|an|im|heute|morgen|übermorgen|diese|diesen|dieses|nächste|nächsten|nächstes)(?: .*)?`), (*parser).queryStill},
	{rx(`(?:findet|finden) (?:der |die |das |unser |unsere )?(.+?)(?: (?:heute|morgen|übermorgen|am \S+))? (?:immer )?noch statt`), (*parser).queryStill},
	{rx(`(?:wann (?:ist|sind|war|findet|kommt|beginnt|fängt|haben wir)|um wie ?viel uhr (?:ist|sind|beginnt|fängt|haben wir)|an welchem tag (?:ist|sind)) (.+?)(?: (?:statt|an|los))?`), (*parser).queryWhen},
	{rx(`(?:was (?:steht|ist|gibt'?s|gibt es|haben wir|habe ich|hab ich|liegt|läuft|geht|machen wir)|gibt'?s|gibt es|steht)\b(.*)`), (*parser).queryDay},
	{rx(`(?:haben|hab|habe) (?:wir|ich)( .*?)? (?:was|etwas|irgendwas|termine)(?: vor| an| los)?`), (*parser).queryDay},
	{rx(`(?:steht|ist) (.*?) (?:was|etwas|irgendwas) (?:an|los)`), (*parser).queryDay},
	// "ist am Samstag irgendwas", as dictated without "los" (it was not
	// understood)
	{rx(`(?:steht|ist) (.+?) (?:etwas|irgendwas)`), (*parser).queryDay},
}

var queryFiller = setOf(`on up planned happening scheduled going for the my our agenda plan plans schedule calendar day
	today's todays there anything everything do we i have got to is are in store left what's what me us any events
	appointments tasks else at all
	an los so auf dem den plan vor für uns mich mir noch da dran im in kalender termine was alles es steht ist am
	dieser diesem heute's`)

// queryDay: what is on a day or a span of days. Everything besides the
// day must be filler ("what's the weather tomorrow" is not understood).
func (p *parser) queryDay(m []string) (Intent, bool) {
	sc := p.scanWhen(m[1], scanOpts{})
	for _, f := range words(sc.rest()) {
		if !queryFiller[f] {
			return Intent{}, false
		}
	}
	w := sc.w
	if w.hasTime || w.hasRel || w.dur > 0 || w.hasEnd || w.allDay {
		return Intent{}, false
	}
	day, days := p.today(), 1
	switch {
	case w.span != "":
		day, days = p.spanDays(w.span)
	case w.hasDate && w.hasEndDate:
		day, days = w.date, int(w.endDate.Sub(w.date).Hours()/24+0.5)+1
	case w.hasDate || w.weekday >= 0:
		day, _ = p.resolveDay(w)
	}
	in := Intent{Type: IntentQueryToday, Slots: IntentSlots{Date: day.Format(time.DateOnly)}}
	if days > 1 {
		in.Slots.Days = days
	}
	return in, true
}

// spanDays: this weekend is its Saturday and Sunday (what is left of it
// on a Sunday); this week is today to Sunday; next week and next weekend
// are the following ones.
func (p *parser) spanDays(span string) (time.Time, int) {
	today := p.today()
	wd := (int(today.Weekday()) + 6) % 7 // Monday 0
	switch span {
	case "weekend":
		if wd == 6 {
			return today, 1
		}
		return today.AddDate(0, 0, 5-wd), 2
	case "nextweekend":
		return today.AddDate(0, 0, 12-wd), 2
	case "week":
		return today, 7 - wd
	case "nextweek":
		return today.AddDate(0, 0, 7-wd), 7
	}
	return today, 1
}

// queryWhen: "when is the dentist", "wann ist der nächste Elternabend".
func (p *parser) queryWhen(m []string) (Intent, bool) {
	sc := p.scanWhen(m[1], scanOpts{})
	if sc.found {
		return Intent{}, false
	}
	f := strings.Fields(strings.ToLower(m[1]))
	if len(f) == 0 || (len(f) == 1 && notNameWords[f[0]]) || f[0] == "it" || f[0] == "es" {
		return Intent{}, false
	}
	title := lookupTitle(m[1])
	if title == "" || looksLikeQuestion(title) {
		return Intent{}, false
	}
	return Intent{Type: IntentQueryWhen, Slots: IntentSlots{Title: title}}, true
}

// queryStill: whether an event still stands ("is the dentist still on
// friday") is asked of an event, not of people ("is Tim still at school",
// "are we still on for friday" ask nothing FamilyHub knows).
func (p *parser) queryStill(m []string) (Intent, bool) {
	if _, ok := person(m[1]); ok || onlyPeople(m[1], p.names) || pronounOnly(words(m[1])) || hasAnyWord(m[1], usWords) {
		return Intent{}, false
	}
	return p.queryWhen(m)
}

// smallTalkRx: greetings and goodbyes, maybe to a person ("Guten Morgen",
// "gute Nacht, Mia", "see you tomorrow", "bis morgen"), which hold a
// time word but mean no event or task; a goodbye may come before a "see
// you" ("gute Nacht, bis morgen", "tschüss bis morgen", "good night see
// you tomorrow", "bye see you tonight"): no event "Gute Nacht" tomorrow.
// A name may come between them, and a day and a time after: "bye Tim,
// see you tomorrow at 3", "tschüss Tim, bis morgen um 3" were events "Bye
// Tim see you", "Tschüss Tim". A wish may come before a day ("good luck tomorrow", "viel Spaß morgen"):
// no event "Good luck".
var smallTalkRx = regexp.MustCompile(`(?i)^(?:(?:` + goodbyeRx + `|` + wishRx + `)(?:(?:[\s,]+\p{L}+)?[\s,!.]+(?:` + seeYouRx + `))?|` + seeYouRx +
	`|(?:` + wishRx + `)[\s,!.]+(?:for |für )?(?:tomorrow|today|tonight|morgen|heute(?: abend)?))(?:[\s,]+\p{L}+)?[\s!.]*$`)

const (
	goodbyeRx = `guten (?:morgen|tag|abend)|gute nacht|good (?:morning|afternoon|evening|night)|night night|nighty night|` +
		`schlaf gut|schlaft gut|sleep (?:well|tight)|tschüss?|(?:good ?)?bye|ciao`
	wishRx = `good luck|have fun|have a (?:good|nice|great) (?:day|time|one)|sweet dreams|love you|` +
		`viel glück|viel spaß|viel erfolg|hab dich lieb|schlaf schön|träum (?:was )?schön(?:es)?|` +
		`break a leg|fingers crossed|toi,? toi,? toi|(?:ich )?drück(?:e)? (?:dir |euch )?die daumen|daumen drücken|hals- und beinbruch`
	// "I'll see you tomorrow", "ich sehe dich morgen", "wir sehen uns
	// morgen": goodbyes too (they were events "I'll see you", "Ich sehe dich")
	seeYouRx = `(?:i'll |i will |we'll |we will )?see you(?: all| guys)?(?: (?:later|soon|tomorrow|tonight|in the morning|on \p{L}+|at \S+)){0,2}|` +
		`(?:ich )?(?:seh|sehe) (?:dich|euch)(?: (?:morgen(?: früh)?|später|bald|nachher|gleich|übermorgen|heute abend|am \p{L}+|um \S+)){0,2}|` +
		`(?:wir )?sehen uns(?: (?:morgen(?: früh)?|später|bald|nachher|gleich|übermorgen|heute abend|am \p{L}+|um \S+)){0,2}|` +
		`bis (?:morgen(?: früh)?|später|bald|dann|nachher|gleich|übermorgen|heute abend|am \p{L}+)(?: um \S+)?`
)

// smallTalkWords are answers and remarks, no typos of items ("nein" is no
// "Wein", "nice" no "rice", "fine" no "wine").
var smallTalkWords = setOf(`nein jein nee nö toll prima klasse super danke tschüss tschüs ciao servus moin hallo
	nice fine cool great thanks thx cheers bye hello yes yeah yep nope sorry`)

var ellipticRules = []rule{
	{rx(`(.+)`), (*parser).elliptic},
}

// sentenceWords make a phrase a sentence, not a title: an elliptic event
// is a noun phrase.
// "will" contracted counts as "will": "I'll buy it tomorrow", "I'll see you
// tomorrow" were all-day events "I'll buy it", "I'll see you" (a day made
// any sentence the rules above declined an event).
var sentenceWords = setOf(`is are was were be been am will would can could should does do did has have had isn't
	what what's how how's who why where like weather ist sind war wird werden kann soll hat haben wie was wer warum
	wetter spät i'll we'll you'll he'll she'll they'll it'll`)

// sentenceWord: w makes a sentence of what has no command verb. German
// "am" is "at the" ("ich hole ihn morgen am Bahnhof ab"), no "I am".
func (p *parser) sentenceWord(w string) bool {
	return sentenceWords[w] && !(w == "am" && p.lang == "de")
}

// elliptic: a command without a command verb. Without a time it must be
// groceries ("milk", "Äpfel, Birnen und Trauben"); with a time or a
// recurrence it is a chore of a named person ("Tim takes out the bins
// every Tuesday"), a task when it starts (English) or ends (German) with
// a verb ("call grandma tomorrow at 6", "Oma anrufen morgen um 18 Uhr"),
// else an event ("dentist Friday at 3").
func (p *parser) elliptic(m []string) (Intent, bool) {
	s := m[1]
	if smallTalkRx.MatchString(strings.TrimSpace(s)) {
		return Intent{}, false // "Guten Morgen" is no event "Guten" tomorrow
	}
	sc := p.scanWhen(s, scanOpts{durations: true, recurrence: true})
	if !sc.found {
		if loneShortWord(s) {
			return Intent{}, false // "lies", "Tim, lies": no "limes"
		}
		items, _ := splitItems(s, p.lang)
		if !itemsLookLikeGroceries(items) {
			return p.todo(s)
		}
		in, ok := p.itemsIntent(IntentShoppingAddItems, s, IntentSlots{})
		if ok {
			in.Lang = itemsLanguage(in, p.lang)
		}
		return in, ok
	}
	rest := strings.TrimSpace(sc.rest())
	if statusMessage(rest) {
		return Intent{}, false // "bin um 6 zuhause", "home at 6": a message, no event
	}
	if modalFirst(rest, p.lang) {
		return Intent{}, false // "may call the dentist tomorrow": no event "May call the dentist"
	}
	if in, ok, refuse := p.closure(s, rest); ok || refuse {
		return in, ok // "Kita macht am Freitag zu": an event, no task for "Kita"
	}
	if in, ok, refuse := p.progressive(s); ok || refuse {
		return in, ok // "grandma is coming over on Saturday"; "I'm coming home at 6" is a status
	}
	for i, w := range words(rest) {
		if p.sentenceWord(w) && !(i == 0 && p.lang == "en" && choreEN(words(rest))) {
			return Intent{}, false
		}
	}
	if in, ok := p.chore(sc); ok {
		return in, true
	}
	f := strings.Fields(strings.ToLower(rest))
	if len(f) == 0 {
		return Intent{}, false
	}
	if trip, title := tripTo(rest, p.lang); trip {
		// "drive to Berlin on Monday", "fahr am Montag nach Berlin": a
		// trip is a plan for the calendar, not an errand
		in, ok := p.event(s)
		if ok && title != "" {
			in.Slots.Title = title
		}
		return in, ok
	}
	if p.lang == "en" && verbsEN[f[0]] && noThingAfterVerbEN(words(rest)) {
		return Intent{}, false // "call it a day at 5": no task, no event
	}
	if p.lang == "en" && verbsEN[f[0]] && !(f[0] == "book" && len(f) > 1 && bookNouns[f[1]]) {
		if len(f) == 1 && objectVerbs[f[0]] {
			return Intent{}, false // "put on Friday at 3": put what?
		}
		return p.newTask(s, "")
	}
	if p.lang == "de" && isInfinitiveDE(f[len(f)-1]) && !isCapitalised(strings.Fields(rest)[len(f)-1]) {
		if noThingBeforeVerbDE(f) {
			return Intent{}, false // "mich morgen anrufen", "das morgen machen": no task "Mich anrufen"
		}
		return p.newTask(s, "")
	}
	if noThingAfterImperativeDE(f) || noThingAfterSelfDE(f) {
		// "ruf mich morgen an", "mach das morgen": no event "Mach das";
		// "ich kaufe es morgen", "ich mache das morgen": no event "Es
		// kaufen", "Machen", as "I'll buy it tomorrow" makes none
		return Intent{}, false
	}
	in, ok := p.event(s)
	if ok && copulaOnly(in.Slots.Title) {
		// "bin morgen um 10 beim Zahnarzt": the place is the appointment;
		// "bin bis 5 im Büro" is a status, no event "Bin"
		if in.Slots.Location == "" || statusPlaces[strings.ToLower(in.Slots.Location)] {
			return Intent{}, false
		}
		in.Slots.Title, in.Slots.Location = capitalise(in.Slots.Location), ""
	}
	return in, ok
}

// copulaOnly: title is only a subject and "am"/"bin" ("I'm", "Ich bin",
// "we're"): it names nothing.
func copulaOnly(title string) bool {
	f := words(strings.ReplaceAll(title, "’", "'"))
	if len(f) == 0 {
		return false
	}
	for _, w := range f {
		if !copulaWords[w] {
			return false
		}
	}
	return true
}

var (
	copulaWords = setOf(`i'm im i am we're we are bin ich sind wir`)
	// statusPlaces are where one is, not an appointment: "I'm at work
	// until 5" tells the family something and asks for nothing
	statusPlaces = setOf(`work office büro arbeit home zuhause`)
)

// Trips to a named place: a verb of travel and the place, nothing else
// ("drive to Berlin", "fly to Rome", "fahr nach Berlin", "nach Rom
// fliegen"). "drive Mia to school" and "go to the doctor" stay to-dos.
// Speech recognisers often write the place in lower case ("drive to
// berlin on monday"): a place is one to three words, capitalised or not,
// that are no routine's or errand's goal (notPlaces: "go to bed at 8",
// "drive to work on Monday", "go to school" stay to-dos, capitalised or
// not), no article or pronoun ("go to the doctor") and no verb ("drive to
// pick up Mia"). A lower-case place is capitalised in the title ("Drive
// to Berlin", "Fahrt nach Berlin").
var (
	tripENRx   = regexp.MustCompile(`^((?i:drive|go|fly|travel) to) ` + placeRx + `$`)
	tripDERx   = regexp.MustCompile(`^(?:(?i:(fahr|flieg|reis)e?) nach ` + placeRx + `|nach ` + placeRx + ` (?i:(fahr|flieg|reis)en))$`)
	placeRx    = `(\p{L}[\p{L}-]*(?: \p{L}[\p{L}-]*){0,2})`
	tripNounDE = map[string]string{"fahr": "Fahrt", "flieg": "Flug", "reis": "Reise"}
	// notPlaces: the goals of routines and errands, articles, pronouns
	// and family roles ("drive to grandma" is a visit, a to-do as "drive
	// to grandma's" is), lower case
	notPlaces = setOf(`bed sleep work school church mass class lunch dinner breakfast town gym practice training
		kindergarten nursery daycare college uni university hospital home bath shower toilet
		the a an my your his her our their its this that it them him me us there here
		grandma granny nana grandpa grandad mum mom mummy mommy dad daddy aunt auntie uncle
		hause bett arbeit schule kita uni oben unten draußen drinnen links rechts vorne hinten
		der die das dem den des ein eine einem einer mir dir ihm ihr uns euch oma opa mama papa tante onkel`)
	// lower-case words a place keeps in its title ("Frankfurt am Main")
	placeJoinWords = setOf(`am an der im ob upon on`)
)

// tripPlace: place (one to three words) can be a trip's destination; its
// title form capitalises its words.
func tripPlace(place string) (string, bool) {
	f := strings.Fields(place)
	for i, w := range f {
		lw := strings.ToLower(w)
		if notPlaces[lw] || verbsEN[lw] || travelVerbs[lw] {
			return "", false
		}
		if i > 0 && placeJoinWords[lw] {
			continue
		}
		f[i] = capitalise(w)
	}
	return strings.Join(f, " "), true
}

// travelVerbs: verbs after "to" that make it an errand ("drive to get
// milk"), beyond verbsEN
var travelVerbs = setOf(`get see fetch collect visit meet help do make take bring check buy pick drop`)

// tripTo: rest (a command without its time) is a trip to a place; title
// is the event's name for it ("Fahrt nach Berlin" rather than "Fahr
// nach Berlin"; "Drive to Berlin" for "drive to berlin"), "" to keep the
// sentence's ("Drive to Berlin").
func tripTo(rest, lang string) (trip bool, title string) {
	rest = strings.Join(strings.Fields(rest), " ")
	if lang == "en" {
		return tripEN(rest)
	}
	m := tripDERx.FindStringSubmatch(rest)
	if m == nil {
		return false, ""
	}
	verb, place := strings.ToLower(m[1]+m[4]), m[2]+m[3]
	place, ok := tripPlace(place)
	if !ok {
		return false, "" // "nach Hause fahren": going home
	}
	return true, tripNounDE[verb] + " nach " + place
}

// tripEN: rest is an English trip ("drive to Berlin"); title is its
// title when the place was written in lower case, else "".
func tripEN(rest string) (trip bool, title string) {
	m := tripENRx.FindStringSubmatch(rest)
	if m == nil {
		return false, ""
	}
	place, ok := tripPlace(m[2])
	if !ok {
		return false, ""
	}
	if place == m[2] {
		return true, ""
	}
	return true, capitalise(m[1]) + " " + place
}

// tripTitleDE: title is one tripTo gives a German trip ("Fahrt nach Berlin").
func tripTitleDE(title string) bool {
	noun, _, ok := strings.Cut(title, " nach ")
	return ok && (noun == "Fahrt" || noun == "Flug" || noun == "Reise")
}

// modalFirst: rest starts with a modal verb, a statement or question
// about doing something ("may call the dentist", "must call Oma", "muss
// morgen Oma anrufen"), no event or task named after it. In English only
// before a verb: "May Day party" is an event.
func modalFirst(rest, lang string) bool {
	f := words(rest)
	if len(f) < 2 || !modalWords[f[0]] {
		return false
	}
	if lang == "de" {
		return true
	}
	return verbsEN[f[1]]
}

// statusRx is a message about where the speaker is or will be, its time
// taken off: "(I'm) home", "back", "on my way", "(ich) bin zuhause", "wir
// sind zurück", "ich komme später". Said with a time ("bin um 6 zuhause",
// "home at 6", "back in 10 minutes", "ich komme morgen später") it tells
// the family something and asks for nothing: no event "Bin zuhause". So
// are being out, off or working late ("out tonight", "I'm off on Monday",
// "working late tonight", "arbeite heute länger", "ich hab am Montag
// frei"), which were events "Out", "I'm off", "Ich hab frei", and
// arriving ("ich komme um 6 an", "komm um 6 an", dictated without "ich"):
// it was the event "Ich komme an" (or "Komm", its particle lost).
var statusRx = regexp.MustCompile(`^(?:(?:i|we|i'm|im|i am|i'll be|ill be|i will be|we're|we are|we'll be|we will be|be|` +
	`(?:ich )?bin|(?:wir )?sind|(?:ich )?komme|(?:wir )?kommen|(?:ich )?hab(?:e)?|(?:wir )?haben)(?: \p{L}+)?? )?` +
	`(?:(?:back )?home(?: late| early)?|back(?: late| early)?|late home|there|here|late|later|on (?:my|our|the) way|` +
	`out(?: late)?|off(?: sick| ill| work| school)?|away|(?:working|at work|work|works) late|(?:ich )?(?:arbeite|arbeiten|arbeitet) (?:länger|lange|spät|später)|frei|` +
	`(?:wieder )?(?:spät |später |früh |früher )?(?:zuhause|zu hause|daheim|da|zurück|weg)|später|heim|nach hause|unterwegs|dort|` +
	`(?:ich |wir )?(?:komm|komme|kommen) (?:wieder |spät |später |früh |früher )?an)$`)

// statusMessage: rest (a command without its time) is a status message.
func statusMessage(rest string) bool {
	return statusRx.MatchString(strings.Join(words(strings.ReplaceAll(rest, "’", "'")), " "))
}

// statusOf: title (an event's, its time taken off) is a status of a
// member: a subject (a member's name, a family role, a pronoun; "Tim",
// "Mum and Dad", "Tim's") and a status, with or without a verb ("Tim home
// at 6", "Mum back at 6", "Tim um 6 zuhause", "Tim's home at 6"): it
// tells the family something and asks for nothing, as "Tim is home at 6"
// does. "Tim football at 6", "Tim's dentist at 6" stay events.
func statusOf(title string, names []string) bool {
	f := words(strings.ReplaceAll(title, "’", "'"))
	i := subjectsEnd(f, names)
	if i == 0 && names == nil && len(f) > 1 && (strings.HasSuffix(f[0], "'s") || statusVerbs[f[1]] || bareStatusWords[f[1]]) &&
		bareName(strings.TrimSuffix(f[0], "'s")) {
		i = 1 // without the members: "tim's off on friday", "Tim home at 6"
	}
	if i == 0 || i == len(f) {
		return false
	}
	rest := f[i:]
	if statusVerbs[rest[0]] && len(rest) > 1 {
		rest = rest[1:]
	}
	return statusMessage(strings.Join(rest, " "))
}

// subjectsEnd: the index after the people f (lower-case words) starts
// with: members' names, family roles, pronouns, joined by "and"/"und".
func subjectsEnd(f []string, names []string) int {
	i := 0
	for i < len(f) {
		w := strings.TrimSuffix(f[i], "'s")
		if !familyRoles[w] && !statusSubjects[w] && !isMember(w, names) {
			break
		}
		i++
		if i < len(f) && (f[i] == "and" || f[i] == "und") {
			i++
		}
	}
	return i
}

// onlyPeople: title names people and nothing else ("Mark", "Mum and
// Dad"): no event is called so, and "Mark is off on Friday" (a day off)
// cancels none (it cancelled Friday's event matching "Mark").
func onlyPeople(title string, names []string) bool {
	f := words(strings.ReplaceAll(title, "’", "'"))
	return len(f) > 0 && subjectsEnd(f, names) == len(f)
}

// nameOff: without the family's members (names nil, as for ParseIntent
// alone), text says a person is off ("tim is off on friday", "Tim's off
// on Friday"): title (the cancel's) is one word said bare, with no article
// or owner, that could be a name and names no activity (offActivities, a
// gerund: "football is off", "swimming is off" cancel). It cancelled
// Friday's event matching "Tim"; with the members known onlyPeople decides.
func nameOff(text, title string, names []string) bool {
	if names != nil {
		return false
	}
	t := words(strings.ReplaceAll(title, "’", "'"))
	f := words(strings.ReplaceAll(cleanCommand(text), "’", "'"))
	n := len(t)
	if n == 0 || len(f) < n+1 || strings.HasSuffix(t[n-1], "'s") {
		return false
	}
	for k, w := range t {
		if f[k] != w && !(k == n-1 && f[k] == w+"'s") {
			return false
		}
	}
	switch {
	case f[n-1] == t[n-1]+"'s" && f[n] == "off": // "tim's off"
	case f[n-1] == t[n-1] && (f[n] == "is" || f[n] == "are") && len(f) > n+1 && f[n+1] == "off":
	default:
		return false
	}
	for k, w := range t {
		if !(k%2 == 1 && w == "and") && !(k%2 == 0 && bareName(w)) {
			return false // "mark and tim are off", not "tim's football"
		}
	}
	return n%2 == 1
}

// bareName: w (lower case), said without the members known, could be a
// name: no activity (offActivities, a gerund), no common word.
func bareName(w string) bool {
	if _, ing := gerundBase(w); ing || offActivities[w] || englishWords[w] || commonWords[w] || strings.HasSuffix(w, "ing") {
		return false
	}
	return nameLike(w)
}

// offSickRx: someone is off sick, ill or off work ("Tim is off sick on
// Friday"): a status, never an event cancelled (it cancelled "Tim sick").
var offSickRx = regexp.MustCompile(`(?i)\b(?:is|are|'s|’s) off (?:sick|ill|work|school)\b`)

// bareStatusWords follow a name without a verb in a status ("Tim home at
// 6"); "out" and "off" name events too ("night out", "day off").
var bareStatusWords = setOf(`home back zuhause heim zurück`)

// offActivities are what is off when it is cancelled ("football is off
// on Friday"), not a person's day off.
var offActivities = setOf(`football soccer rugby cricket tennis hockey basketball netball baseball volleyball badminton
	practice training school nursery kindergarten kita preschool daycare class classes lesson lessons course party
	dinner lunch breakfast brunch game match rehearsal choir club meeting appointment dentist doctor yoga pilates
	ballet dance dancing piano guitar violin drums gym scouts brownies cubs guides beavers karate judo taekwondo
	gymnastics drama band orchestra playdate sleepover trip camp church mass bingo quiz concert show film movie
	cinema date bbq barbecue picnic playgroup tutoring homework work shift bowling golf riding climbing run parkrun
	swim sports pe netball event wedding funeral birthday holiday holidays visit sleepover fair market`)

var (
	statusSubjects = setOf(`he she they we er sie wir kids kinder`)
	statusVerbs    = setOf(`is are will ist sind kommt kommen wird werden`)
)

// itemsLanguage: a command that is only item names is in the language of
// its items ("Milch" is German whatever the locale).
func itemsLanguage(in Intent, fallback string) string {
	en, de := 0, 0
	for _, it := range in.Slots.Items {
		for _, w := range strings.Fields(it.Name) {
			if li, ok := lookupItem(w); ok {
				switch li.lang {
				case "en":
					en++
				case "de":
					de++
				}
			}
		}
	}
	switch {
	case en > de:
		return "en"
	case de > en:
		return "de"
	}
	return fallback
}

// isTripEN: title is an English trip's ("Drive to Berlin").
func isTripEN(title string) bool { trip, _ := tripEN(title); return trip }
