package assistant

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Tasks and chores: create (with a due time, an assignee, a recurrence).
// Changes to existing ones (rotate, reassign, snooze, delete, complete) are
// in taskchanges.go.

var taskCreateRulesEN = []rule{
	// "Will buy milk", "I'll buy milk": the speaker's shopping (or said to
	// a member called Will): either way milk goes on the list
	{rx(`(?:i'll|we'll|i will|we will|will) (buy|get|pick up|grab|fetch)(?: some| more| a few)? (.+)`), (*parser).willBuy},
	{rx(`(.+?),? (remind .+)`), (*parser).remindLater},
	{rx(`remind (me|us|\S+)\b(.*)`), (*parser).remind},
	{rx(`(?:set|create|add|make|new|schedule|put in)(?: a| an)?(?: new)? (?:reminder|task|todo|to-do|to do|chore) for (\S+) to (.+)`), (*parser).taskFor},
	{rx(`(?:set|create|add|make|new|schedule|put in)(?: a| an)?(?: new)? (?:reminder|task|todo|to-do|to do|chore)(?: to| for| called| named)?:? (.+)`), (*parser).taskPlain},
	{rx(`(?:todo|to-do|to do|task|reminder|chore):? (.+)`), (*parser).taskPlain},
	{rx(`(i|we|you) (?:need|have|must|should|'ve got|have got|got|gotta) to (.+)`), (*parser).taskSelf},
	// "for Friday we need a babysitter", "we need a babysitter on Friday":
	// something to get by a day, a task (it was the event "We need a
	// babysitter"); without a day it stays shopping
	{rx(`(?:for (.+?),? )?(i|we) (?:need|will need|'ll need) (?:some |more )?(.+)`), (*parser).needOnDay},
	{rx(`(i|we|you)(?:'ve got| have got|'ve) to (.+)`), (*parser).taskSelf},
	{rx(`(i|we|you) (?:must|should) (.+)`), (*parser).taskSelf},
	{rx(`don't (?:let (me|us) )?forget (?:to )?(.+)`), (*parser).dontForget},
	{rx(`(?:tell|ask) (\S+) to (.+)`), (*parser).tellEN},
	// "tell Tim he should buy milk", "tell Mia that she has to feed the
	// cat": as "tell Tim to …" (the first was not understood)
	{rx(`tell (\S+?),? (?:that )?(?:he|she|they) (?:should|must|has to|have to|needs to|need to|ought to|is to) (.+)`), (*parser).tellEN},
	// "Tim's got to tidy his room by friday", "Tim has got to …": as "Tim
	// has to …" (the first was the all-day event "Tim's got to tidy his
	// room", the second not understood)
	{rx(`(\S+?)(?:'s| has) (?:got to|gotta) (.+)`), (*parser).taskOf},
	{rx(`(\S+) (?:needs|has|have|is going|is supposed|ought) to (.+)`), (*parser).taskOf},
	{rx(`(\S+) (?:must|should|will|can|could|shall) (.+)`), (*parser).taskOf},
	// "I'll pick up Tim at 3", as "I will pick up Tim at 3" (it was the
	// event "I'll pick up Tim")
	{rx(`(i|we)'ll (.+)`), (*parser).taskOf},
}

var taskCreateRulesDE = []rule{
	{rx(`(?:erinnere|erinner|erinnern|erinnre) (mich|uns|\S+)\b,?(.*)`), (*parser).remind},
	{rx(`(?:vergiss nicht|nicht vergessen|denk dran|denk daran|denke daran),?:? (.+)`), (*parser).dontForgetDE},
	// "denk an den Zahnarzt morgen", "denk morgen an den Zahnarzt": a
	// reminder, as "vergiss nicht den Zahnarzt" is (it was an event named
	// after the sentence)
	{rx(`(?:denk|denke) (?:(.+?) )?an (.+)`), (*parser).thinkOfDE},
	// "sag Tim, er soll das Zimmer aufräumen", "sag Tim, dass er das
	// Zimmer aufräumen soll": Tim's task, as "Tim soll das Zimmer
	// aufräumen" is (the first was read as a cancel, "sag … ab")
	{rx(`(?:sag|sage) (\S+?),? (?:dass )?(?:er|sie) (?:soll|muss|sollte) (.+)`), (*parser).tellDE},
	{rx(`(?:sag|sage) (\S+?),? dass (?:er|sie) (.+) (?:soll|muss|sollte)`), (*parser).tellDE},
	{rx(`(?:neue |eine )?(?:aufgabe|erinnerung|todo|to-do)(?: anlegen)? für (\S+?):? (.+)`), (*parser).taskFor},
	{rx(`(?:neue |eine )?(?:aufgabe|erinnerung|todo|to-do)(?: anlegen)?:? (.+)`), (*parser).taskPlain},
	{rx(`(ich|wir|\S+) (?:muss|müssen|musst|soll|sollst|sollte|solltest|sollten|sollen|will|möchte) (.+)`), (*parser).taskOf},
	// "für Freitag brauchen wir einen Babysitter", "wir brauchen am
	// Freitag einen Babysitter": as "for Friday we need a babysitter"
	{rx(`(?:für (.+?),? )?(ich|wir) (?:brauche|brauchen) (?:noch )?(.+)`), (*parser).needOnDay},
	{rx(`(?:für )?(.+?),? (?:brauche (ich)|brauchen (wir)) (?:noch )?(.+)`), (*parser).needOnDayInverted},
}

// newTask builds task.create from what is left of a command after its
// verb: the title, with the due time and recurrence taken out of it.
func (p *parser) newTask(s, assignee string) (Intent, bool) {
	sc := p.scanWhen(s, scanOpts{recurrence: true})
	title := sc.rest()
	title = stripTaskLead(strings.TrimSpace(title))
	if p.lang == "de" {
		title = germanInfinitiveClause(strings.TrimSpace(strings.TrimPrefix(title, "noch ")))
		title = imperativeBeforeInfinitiveDE(title)
		title = strings.TrimSpace(germanFillerInTitle.ReplaceAllString(title, " "))
	}
	title = tidyTitle(title)
	if title == "" || looksLikeQuestion(title) || (markedAsRx.MatchString(title) && !strings.HasPrefix(strings.ToLower(title), "mark ")) {
		// "take out the bins as done", "Mark, take out the bins as done":
		// no task "Take out the bins as done" ("remind me to mark … as done"
		// still is one)
		return Intent{}, false
	}
	in := Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: title, Assignee: assignee}}
	if !p.taskTimes(sc, &in.Slots) {
		return Intent{}, false
	}
	return in, true
}

// bedtime: title is going to bed or to sleep, which a child does in the
// evening: an hour from 7 to 11 said without am/pm or a part of the day
// is the evening's ("go to bed at 8" was due at 08:00 the next day). A bed
// that is made, changed, washed or bought is no bedtime ("make the bed at
// 9", "Bett beziehen um 10" keep their hour; they were due at 21:00 and
// 22:00), nor is getting out of it.
func bedtime(title string) bool {
	w := strings.Join(words(title), " ")
	return w == "bed" || bedtimeRx.MatchString(" "+w+" ")
}

// bedInTheEvening: sc (a task's or an event's time, title its name) is
// at an hour from 7 to 11 said without am/pm or a part of the day, when
// title is going to bed: the evening's ("bedtime at 8", "bed at 9:30" were
// events at 08:00 and 09:30 tomorrow).
func bedInTheEvening(sc *scan, title string) {
	if bedtime(title) && sc.w.hasTime && sc.w.part == "" && sc.w.clock.ampm == "" && !sc.w.clock.h24 &&
		sc.w.clock.hour >= 7 && sc.w.clock.hour <= 11 {
		sc.w.part = "evening"
	}
}

// morningInTheMorning: sc's hour from 5 to 7 said without am/pm or a part
// of the day is the morning's when title is breakfast or waking up
// ("breakfast with grandma at half 7", "Frühstück um halb 8", "wake up at
// half 6" were at 19:30 and 18:30: the hour rule's evening).
func morningInTheMorning(sc *scan, title string) {
	if morningRx.MatchString(" "+strings.Join(words(title), " ")+" ") && sc.w.hasTime && sc.w.part == "" &&
		sc.w.clock.ampm == "" && !sc.w.clock.h24 && sc.w.clock.hour >= 5 && sc.w.clock.hour <= 7 {
		sc.w.part = "morning"
	}
}

// bareNoTodoDE: separable verbs that, said of a person with nothing
// else, tell what happens rather than a to-do.
var bareNoTodoDE = setOf(`anrufen zumachen aufmachen`)

// dinnerInTheEvening: sc's hour from 7 to 11 said without am/pm, a part
// of the day or a 24-hour figure is the evening's when title is the
// evening meal ("dinner half eight", "dinner with the Smiths at 8",
// "Abendessen um 8" were at 08:30 and 08:00: the hour rule's morning), as
// breakfast is the morning's.
func dinnerInTheEvening(sc *scan, title string) {
	if eveningMeal(title) && sc.w.hasTime && sc.w.part == "" && eveningHour(sc.w.clock) {
		sc.w.part = "evening"
	}
}

// eveningMeal: title is the evening meal itself ("Dinner", "Dinner with
// the Smiths", "Cook dinner", "Abendessen mit Oma"), not an errand done
// for it earlier: "remind me at 9 to book dinner", "take the dinner out of
// the freezer at 8", "shop for dinner at 10" keep the hour rule (they were
// moved to the evening).
func eveningMeal(title string) bool {
	return eveningMealRx.MatchString(strings.Join(words(title), " ") + " ")
}

// eveningHour: c is an hour from 7 to 11 said without am/pm or as a
// 24-hour figure, which the hour rule reads as the morning's.
func eveningHour(c clock) bool {
	return c.ampm == "" && !c.h24 && c.hour >= 7 && c.hour <= 11
}

// morningHour: c is an hour from 6 to 11 said without am/pm or a 24-hour
// figure, which a place's opening hour means in the morning. 5 is not:
// few places a family goes to open at 5 in the morning, and "the pool
// opens at 5" (it was 05:00) mostly means the afternoon, the hour rule's
// 17:00; a bakery at dawn is said "at 5am", "um 5 Uhr morgens".
func morningHour(c clock) bool {
	return c.ampm == "" && !c.h24 && c.hour >= 6 && c.hour <= 11
}

var eveningMealRx = regexp.MustCompile(`^(?:(?:have|eat|cook|make|family|big) )?(?:dinner|supper|abendessen|abendbrot) `)

var morningRx = regexp.MustCompile(` (?:breakfast|brekkie|wake up|get up|frühstück|frühstücken|aufstehen|aufwachen|wecken) `)

var bedtimeRx = regexp.MustCompile(` (?:(?:go|goes|going|get|gets|off|put|puts) (?:\S+ ){0,2}to bed|in bed|bedtime|(?:go|goes|going|get|gets|off|put|puts) (?:\S+ ){0,2}to sleep|asleep|` +
	`ins bett|zu bett|schlafen gehen|geht schlafen|geh schlafen|schlafen legen|hinlegen) `)

var (
	taskLead            = regexp.MustCompile(`(?i)^(?:(?:to|that|about|of|an|zu|daran|dran|dass|,)\s+|,\s*)`)
	germanFillerInTitle = regexp.MustCompile(`(?i)(?:^|\s)(?:noch|auch|heute noch)(?:\s|$)`)
)

// stripTaskLead takes the words that lead into a task off its title ("to
// call grandma", "daran, Oma anzurufen"). A German "zu" before a noun and
// a verb is a preposition and stays: "zu Oma fahren" (said "am Sonntag
// zu Oma fahren", "fahr am Sonntag zu Oma") is "Zu Oma fahren", not "Oma
// fahren" (driving grandma); "zu putzen" loses it.
func stripTaskLead(title string) string {
	for {
		m := taskLead.FindStringIndex(title)
		if m == nil {
			return title
		}
		rest := title[m[1]:]
		if f := strings.Fields(rest); strings.EqualFold(strings.TrimSpace(title[:m[1]]), "zu") && len(f) >= 2 && !isInfinitiveDE(f[0]) {
			return title
		}
		title = rest
	}
}

// taskTimes sets a task's due time and recurrence from what was said. A
// recurring task is due at its first occurrence when a time of day was
// said, else it has none; a day without a time is due at 23:59. Phrases
// that make no sense for a task (a length, a range, a span) refuse it.
func (p *parser) taskTimes(sc *scan, s *IntentSlots) bool {
	bedInTheEvening(sc, s.Title)     // "go to bed at 8", "Tim geht um 8 ins Bett": 20:00
	morningInTheMorning(sc, s.Title) // "wake up at half 6": 06:30
	dinnerInTheEvening(sc, s.Title)  // "dinner half eight": 20:30
	w := sc.w
	if w.hasEnd || w.dur > 0 || w.span != "" || w.allDay || w.hasEndDate || w.possessive {
		return false
	}
	if sc.rec != nil {
		if w.hasDate || w.weekday >= 0 || w.hasRel {
			return false
		}
		rule := sc.rec.rule()
		part := w.part
		if part == "" {
			part = sc.rec.part
		}
		if w.hasTime || part != "" {
			h, m := partHour[part], 0
			if w.hasTime {
				h, m = w.clock.hour24(part), w.clock.min
			}
			t, ok := p.firstOccurrence(rule, h, m, true)
			if !ok {
				return false
			}
			s.DueAt = &t
		}
		s.Recurrence = rule
		return true
	}
	if !sc.found {
		return true
	}
	t, hasTime, ok := p.resolve(w)
	if !ok {
		return false
	}
	if !hasTime {
		t = time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 0, 0, p.loc)
	}
	s.DueAt = &t
	return true
}

func looksLikeQuestion(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	return len(f) > 0 && questionWords[f[0]] && !choreEN(f) // "do the homework" asks nothing
}

func (p *parser) remind(m []string) (Intent, bool) {
	who, rest := strings.ToLower(m[1]), m[2]
	assignee := ""
	switch {
	case meWords[who]:
		assignee = AssigneeMe
	case usWords[who]:
	default:
		name, ok := person(m[1])
		if !ok || name == AssigneeMe {
			return Intent{}, false
		}
		assignee = name
	}
	if strings.Contains(" "+strings.ToLower(rest)+" ", " again ") {
		return Intent{}, false // a snooze
	}
	return p.newTask(rest, assignee)
}

var remindRe = rx(`remind (me|us|\S+)\b(.*)`)

// remindLater: "in 2 hours remind me to check the oven".
func (p *parser) remindLater(m []string) (Intent, bool) {
	sc := p.scanWhen(m[1], scanOpts{recurrence: true})
	if !sc.found || strings.TrimSpace(sc.rest()) != "" {
		return Intent{}, false
	}
	inner := submatches(m[2], remindRe.FindStringSubmatchIndex(lowerSameLength(m[2])))
	if inner == nil {
		return Intent{}, false
	}
	inner[2] += " " + m[1]
	return p.remind(inner)
}

func (p *parser) taskPlain(m []string) (Intent, bool) { return p.newTask(m[1], "") }

func (p *parser) taskFor(m []string) (Intent, bool) {
	name, ok := person(m[1])
	if !ok {
		return Intent{}, false
	}
	return p.newTask(m[2], name)
}

func (p *parser) taskSelf(m []string) (Intent, bool) {
	assignee := ""
	if meWords[strings.ToLower(m[1])] || youWords[strings.ToLower(m[1])] {
		assignee = AssigneeMe // "you need to call grandma": the user's (youWords)
	}
	rest := strings.ToLower(m[2])
	for _, buy := range []string{"buy ", "get ", "pick up ", "grab ", "fetch "} {
		if strings.HasPrefix(rest, buy) {
			// "I need to buy milk", "we need to get milk": shopping;
			// "we need to pick up the kids" is a task (fetchDefault).
			if sc := p.scanWhen(m[2], scanOpts{}); !sc.found && (buy == "buy " || p.groceries(m[2][len(buy):])) {
				return Intent{}, false
			}
		}
	}
	return p.newTask(m[2], assignee)
}

// needOnDay: m is a day said first ("for Friday", "für Freitag") or
// nothing, who needs (i, we, ich, wir) and what. With a day or a time,
// said first or after the thing, something needed is a task to get it by
// then: "for Friday we need a babysitter" is the task "Get a babysitter"
// due Friday, "für Freitag brauchen wir einen Babysitter" "Babysitter
// besorgen" (they were events named after the sentence), as a shopping
// note with a day is a task ("bring milk tomorrow"). "I" makes it the
// speaker's. Without a day, or with a purpose first ("for the party we
// need balloons"), it is what it was: shopping; what is had already ("I
// need the car tomorrow", "morgen brauche ich das Auto") is no errand.
func (p *parser) needOnDay(m []string) (Intent, bool) {
	first, who, what := strings.TrimSpace(m[1]), strings.ToLower(m[2]), m[3]
	if first != "" {
		if sc := p.scanWhen(first, scanOpts{}); !sc.found || strings.TrimSpace(sc.rest()) != "" {
			return Intent{}, false // "for the party we need balloons": what it is for
		}
	}
	if sc := p.scanWhen(first+" "+what, scanOpts{recurrence: true}); !sc.found || strings.HasPrefix(strings.ToLower(what), "to ") {
		return Intent{}, false
	}
	if f := strings.Fields(strings.ToLower(p.scanWhen(what, scanOpts{recurrence: true}).rest())); len(f) > 1 && neededOwnedWords[f[0]] {
		return Intent{}, false // "I need the car tomorrow": to use it, nothing to get
	}
	assignee := ""
	if who == "i" || who == "ich" {
		assignee = AssigneeMe
	}
	if p.lang == "de" {
		return p.newTask(what+" besorgen "+first, assignee)
	}
	return p.newTask("get "+what+" "+first, assignee)
}

// neededOwnedWords start what is had already: needing it is using it.
var neededOwnedWords = setOf(`the my our your his her their this that der die das den dem mein meine meinen unser unsere unseren dein deine`)

// needOnDayInverted: German says the day first with the verb before its
// subject ("für Freitag brauchen wir einen Babysitter", "morgen brauche
// ich Milch"); m is the day, "ich" or "wir" (one of them) and what.
func (p *parser) needOnDayInverted(m []string) (Intent, bool) {
	return p.needOnDay([]string{m[0], m[1], m[2] + m[3], m[4]})
}

func (p *parser) dontForget(m []string) (Intent, bool) {
	if strings.EqualFold(m[1], "us") {
		return p.newTask(m[2], "")
	}
	return p.newTask(m[2], AssigneeMe)
}

func (p *parser) dontForgetDE(m []string) (Intent, bool) { return p.newTask(m[1], AssigneeMe) }

// thinkOfDE: "denk an den Zahnarzt morgen" (m[1] a day or time before
// "an", or nothing; m[2] what to think of).
func (p *parser) thinkOfDE(m []string) (Intent, bool) {
	if noThingBeforeVerbDE(append(strings.Fields(strings.ToLower(m[2])), "denken")) {
		return Intent{}, false // "denk an mich" was the task "Mich"
	}
	if sc := p.scanWhen(m[1], scanOpts{}); strings.TrimSpace(m[1]) != "" && (!sc.found || strings.TrimSpace(sc.rest()) != "") {
		return Intent{}, false
	}
	return p.newTask(m[1]+" "+m[2], AssigneeMe)
}

// tellDE: "sag Tim, er soll …": the person's task, as "Tim soll …".
// Shopping asked of someone is their errand too: "sag Tim, dass er Milch
// kaufen soll" is Tim's task "Milch kaufen" (it was not understood, and
// so was "Tim soll Milch kaufen", now Tim's task too).
func (p *parser) tellDE(m []string) (Intent, bool) {
	if meWords[strings.ToLower(m[1])] || negatedTold(m[2]) {
		return Intent{}, false // "sag mir, …" asks for an answer; "…, er soll keine Milch kaufen" forbids
	}
	return p.taskOfTold(m[1], m[2], true, false)
}

// tellEN: "tell Tim to tidy his room", "ask Tim to take out the bins":
// Tim's task, as "Tim needs to …" is.
func (p *parser) tellEN(m []string) (Intent, bool) {
	if lw := strings.ToLower(m[1]); meWords[lw] || usWords[lw] || pronounObjectsEN[lw] {
		return Intent{}, false // "tell me …" asks for an answer; "tell him …" names nobody (it was the assignee "Him")
	}
	in, ok := p.taskOfTold(m[1], m[2], true, false)
	if !ok {
		return in, ok
	}
	return p.taskOfEN([]string{"", m[1], m[2]}, in)
}

// taskOf: "Ben needs to mow the lawn", "Ben muss den Rasen mähen".
func (p *parser) taskOf(m []string) (Intent, bool) {
	if negatedTold(m[2]) {
		return Intent{}, false // "Tim soll nicht den Müll rausbringen": forbidden, no to-do
	}
	if in, ok := p.weWillPlanEN(m); ok {
		return in, true // "we'll watch the match on Saturday at 3": the family's plan
	}
	in, ok := p.taskOfTold(m[1], m[2], false, p.lang == "de" && wishModalDE(m[0]))
	if !ok || p.lang != "en" {
		return in, ok
	}
	return p.taskOfEN(m, in)
}

// taskOfTold is taskOf of who and what they are to do (rest); told: it
// was asked of them through the speaker ("sag Tim, er soll …", "tell Tim
// to …"), where shopping is their errand, no item for the list; wish:
// what they want, no errand ("Tim möchte ein Eis kaufen": wishModalDE).
func (p *parser) taskOfTold(whoSaid, rest string, told, wish bool) (Intent, bool) {
	who := strings.ToLower(whoSaid)
	assignee := ""
	switch {
	case meWords[who] || youWords[who]:
		// "you'll have to pick up Tim", "du musst Tim abholen": said to
		// the one using FamilyHub, the speaker's task (it was the
		// assignee "You'll")
		assignee = AssigneeMe
		rest = youMustLead.ReplaceAllString(rest, "")
	case usWords[who]:
	default:
		name, ok := person(whoSaid)
		if !ok {
			return Intent{}, false
		}
		assignee = name
	}
	if p.lang == "de" {
		f := strings.Fields(rest)
		if len(f) == 0 || !isInfinitiveDE(strings.ToLower(f[len(f)-1])) {
			return Intent{}, false
		}
		switch verb := strings.ToLower(f[len(f)-1]); verb {
		case "kaufen", "besorgen", "holen", "einkaufen":
			// "wir müssen noch Milch kaufen": shopping; "wir müssen Mia
			// holen" is a task (holen fetches people too: buyLastDE).
			// Someone named is to shop: their errand ("Tim soll Milch
			// kaufen" is Tim's task, as "Tim should buy milk" is).
			if sc := p.scanWhen(rest, scanOpts{}); !sc.found && !told && (assignee == "" || assignee == AssigneeMe || wish) &&
				(verb != "holen" || p.groceries(strings.Join(f[:len(f)-1], " "))) {
				return Intent{}, false
			}
		}
	} else if f := strings.Fields(strings.ToLower(rest)); len(f) == 0 || !verbsEN[f[0]] {
		return Intent{}, false
	}
	return p.newTask(rest, assignee)
}

// taskOfEN: in, the task taskOf read from m, unless it is a reply, a
// pronoun bought or the family's plan.
func (p *parser) taskOfEN(m []string, in Intent) (Intent, bool) {
	who, rest := strings.ToLower(m[1]), m[2]
	lw := words(in.Slots.Title)
	will := willRx.MatchString(m[0])
	switch {
	case len(lw) >= 2 && buyVerbsEN[lw[0]] && pronounItem(strings.Join(lw[1:], " "), "en"):
		// "I will buy it": no task "Buy it", as no item "it"; nor "Buy milk
		// and it"
		return Intent{}, false
	case slices.Contains(lw, "you"):
		// "I'll see you later", "I'll get back to you", "I'll call you
		// back": said to someone unnamed, no task "See you later" (a
		// name said first is the "you": youAddressed)
		return Intent{}, false
	case will && len(lw) == 1 && replyVerbsEN[lw[0]]:
		return Intent{}, false // "I'll check", "we'll see": a reply, no task "Check"
	case will && onlyAThing(lw):
		// "I'll take care of it", "I'll sort it out": a reply about
		// something said before, no task "Take care of it"
		return Intent{}, false
	case will && usWords[who] && (in.Slots.DueAt != nil || in.Slots.Recurrence != "") && planVerbEN(lw[0]):
		// "we'll go swimming on Saturday", "we'll visit grandma on Sunday":
		// the family's plan, the event "Go swimming", as "we're visiting
		// grandma on Sunday" is (it was a task for nobody); an errand
		// stays a task ("we will pick up Tim at 3")
		return p.event(rest)
	}
	return in, true
}

// onlyAThing: title words (lw) are a verb, "it"/"this"/"that" and no
// other word but particles ("fix it", "sort it out", "take care of it").
func onlyAThing(lw []string) bool {
	thing := false
	for _, w := range lw[1:] {
		switch {
		case w == "it" || w == "this" || w == "that":
			thing = true
		case !thingParticles[w]:
			return false
		}
	}
	return thing
}

var thingParticles = setOf(`up off out in back down over care of about with for`)

// planVerbEN: v names something the family does together, a plan for
// the calendar ("go", "visit", "meet", "swim"), no errand.
func planVerbEN(v string) bool {
	return activityVerbs[v] || planVerbsEN[v]
}

var planVerbsEN = setOf(`go visit meet have eat play celebrate watch`)

// willRx: a sentence said with "will"/"'ll" ("I'll check", "we will see").
var willRx = regexp.MustCompile(`(?i)^\s*\S+?(?:'ll| will)\s`)

// replyVerbsEN: a verb alone after "I'll"/"we'll" answers someone ("I'll
// check", "we'll see", "I'll call"): no to-do.
var replyVerbsEN = setOf(`see check go start call remember try wait think come stop ask`)

// chore: "Tim takes out the bins every Tuesday", "Tim bringt jeden
// Dienstag den Müll raus": a name, an inflected verb and a time or
// recurrence; the title is the verb's base form with its object.
func (p *parser) chore(sc *scan) (Intent, bool) {
	if sc.rec == nil && !sc.w.hasDate && sc.w.weekday < 0 && !sc.w.hasTime && sc.w.part == "" {
		return Intent{}, false
	}
	f := strings.Fields(sc.rest())
	if len(f) < 2 {
		return Intent{}, false
	}
	name, ok := person(f[0])
	if !ok && p.lang == "de" && (isMember(f[0], p.names) || p.names == nil && isCapitalised(f[0]) && verbsEN[strings.ToLower(f[0])]) {
		// "Mark ruft morgen Oma an": a member called Mark (in German,
		// where "mark" is no verb); it was the event "Mark ruft Oma an"
		name, ok = capitalise(f[0]), true
	}
	if !ok || name == AssigneeMe && p.lang == "en" {
		return Intent{}, false
	}
	var title string
	if inf, ok := thirdPersonDE(f[1]); ok && p.lang == "de" && len(f) == 3 && bareNoTodoDE[strings.ToLower(f[2])+inf] {
		// "Oma ruft morgen um 3 an", "Oma macht am Freitag zu": said
		// with nothing to do it to, what happens, no to-do (they were
		// Oma's "Anrufen", "Zu machen"); "Tim räumt morgen auf" stays
		return Intent{}, false
	}
	if p.lang == "de" {
		title, ok = germanVerbSecond(strings.Join(f[1:], " "), thirdPersonDE)
	} else {
		title, ok = titleFromVerbPhrase(strings.Join(f[1:], " "), thirdPersonBase)
	}
	if !ok {
		return Intent{}, false
	}
	in := Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: tidyTitle(title), Assignee: name}}
	if in.Slots.Title == "" || !p.taskTimes(sc, &in.Slots) {
		return Intent{}, false
	}
	return in, true
}
