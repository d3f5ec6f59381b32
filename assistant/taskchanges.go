package assistant

import (
	"regexp"
	"strings"
	"time"
)

// Changes to existing tasks and chores: rotate, reassign, snooze, delete,
// complete. Creating them is in tasks.go.

var taskChangeRulesEN = []rule{
	// task.rotate: "Tim and Mia take turns with the dishes"
	{rx(`(.+?) (?:take|takes|will take|are taking) (?:it in )?turns?(?: (?:with|doing|at|on|for|to do|to))? (.+)`), (*parser).rotateEN},
	// task.reassign
	{rx(`(?:give|hand|pass|reassign|assign|hand over) (?:the )?(.+?) (?:to|over to) (\S+)`), (*parser).reassignTo},
	{rx(`(?:give|hand|assign) (\S+) (?:the |my |our )(.+)`), (*parser).reassignBy},
	{rx(`(i|\S+?)(?:'ll| will| can| could| should| is going to| is gonna) (?:do|take|handle|take care of|take over|cover|have) (.+?)(?: (?:this week|today|tonight|tomorrow))? instead(?: of \S+)?`), (*parser).reassignBy},
	// "I'll take out the bins" is no "take": the speaker's task "Take out
	// the bins", as "I will take out the bins" is (it was the reassigned
	// "Out the bins"); "take care of" is one verb (it was "Care of …")
	{rx(`(i)'ll (?:take care of|take over|do|handle|take) (.+)`), (*parser).reassignIll},
	{rx(`can (\S+) (?:do|take|handle|take care of|take over) (.+?)(?: (?:this week|today|tonight|tomorrow))? instead(?: of \S+)?`), (*parser).reassignBy},
	// whose turn a chore is: "Mia is on dishes this week", "it's Tim's
	// turn to empty the dishwasher" (turns.go)
	{rx(`(\S+?)(?:'s| is) on (.+?)(?: duty| rota)?`), (*parser).onDutyEN},
	{rx(`(?:it's |it is |now it's )?(my|\S+?'s) turn (?:to do |to |for |with |on )?(.+)`), (*parser).turnEN},
	// task.snooze
	{rx(`(?:snooze|postpone|defer|delay|put off) (.+)`), (*parser).snooze},
	{rx(`remind (?:me|us) (?:about|of) (.+?) again(?: (.+))?`), (*parser).snoozeAgain},
	{rx(`remind (?:me|us) again (?:about |of )?(.+)`), (*parser).snooze},
	// task.delete
	{rx(`(?:delete|remove|drop|get rid of|cancel) (?:the |my |our )?(?:task|todo|to-do|chore|reminder):? (.+)`), (*parser).taskDelete},
	{rx(`(?:delete|remove|drop|get rid of|cancel) (?:the |my |our )?(.+?) (?:task|chore|todo|to-do|reminder)`), (*parser).taskDelete},
	{rx(`(?:we|i) (?:don't|do not|no longer) (?:need|have) to (.+?)(?: any ?more)?`), (*parser).taskDelete},
	// task.complete
	{rx(`mark (.+?) (?:as )?(?:done|complete|completed|finished)`), (*parser).complete},
	{rx(`(?:complete|finish|close) (?:the )?(?:task |todo |to-do |chore )?(.+)`), (*parser).complete},
	{rx(`(?:i've|we've|i|we|i have|we have) (?:just |already )?(?:finished|completed|done) (?:with )?(.+)`), (*parser).complete},
	{rx(`done(?: with)?:? (.+)`), (*parser).complete},
	{rx(`(?:just )?(?:finished|completed) (?:with )?(.+)`), (*parser).complete},
	// "the laundry is done", "laundry's done" (the 's joined to the title
	// was not understood)
	{rx(`(?:the )?(.+?)(?: is| are| was| were| has been| have been| ?'s been| ?'s) (?:all |now )?(?:done|finished|complete|completed|sorted)`), (*parser).completeNews},
	{rx(`(?:tick|check|cross) off (.+)`), (*parser).completeVerbPhrase},
	{rx(`(i|we|i've|we've|i have|we have|\S+) (?:just |already |now )?(\S+) (.+)`), (*parser).completePast},
}

var taskChangeRulesDE = []rule{
	{rx(`(.+?) wechseln sich (.+?) ab`), (*parser).rotateDE},
	{rx(`(.+?) (\S+(?:en|ern|eln)) (?:sich )?abwechselnd (.+)`), (*parser).rotateVerbDE},
	{rx(`(?:gib|gebe|geben|übergib|übergebe) (.+?) an (\S+)`), (*parser).reassignTo},
	{rx(`(?:weise|weis|zuweisen) (.+?) (\S+) zu`), (*parser).reassignTo},
	{rx(`(?:zuweisen) (.+?) (\S+)`), (*parser).reassignTo},
	{rx(`(ich) übernehme (.+)`), (*parser).reassignBy},
	{rx(`(\S+) übernimmt (.+)`), (*parser).reassignBy},
	// "Mia ist diese Woche mit dem Abwasch dran", "Ben ist heute dran mit
	// Staubsaugen" (turns.go)
	{rx(`(\S+) ist (.*\bdran\b.*)`), (*parser).dranDE},
	{rx(`(ich) bin (.*\bdran\b.*)`), (*parser).dranDE},
	{rx(`(\S+) macht (.+?) statt \S+`), (*parser).reassignBy},
	{rx(`(?:schlummer|schlummere|schlummern) (.+)`), (*parser).snooze},
	{rx(`(?:erinnere|erinner|erinnern) (?:mich|uns)(.*?)(?:später )?(?:nochmal|noch mal|noch einmal|erneut)(.*)`), (*parser).snoozeAgainDE},
	{rx(`(?:verschieb|verschiebe|verschieben|schieb|schiebe|schieben) (?:die )?aufgabe (.+)`), (*parser).snooze},
	{rx(`(?:lösch|lösche|löschen|entfern|entferne|entfernen) (?:die )?(?:aufgabe|erinnerung) (.+)`), (*parser).taskDelete},
	{rx(`(?:markiere|markier|markieren) (.+?) als (?:erledigt|fertig|gemacht)`), (*parser).complete},
	{rx(`(?:hak|hake|abhaken) (.+?) als erledigt(?: ab)?`), (*parser).complete},
	{rx(`(.+?) (?:ist|sind|wurde|wurden) (?:jetzt |schon )?(?:erledigt|fertig|gemacht|geschafft)`), (*parser).complete},
	{rx(`erledigt:? (.+)`), (*parser).complete},
	{rx(`(.+?) erledigt`), (*parser).complete},
	{rx(`(?:erledige|erledigen) (.+)`), (*parser).complete},
	{rx(`(ich habe|ich hab|hab|habe|wir haben|\S+ hat) (?:gerade |schon |jetzt )?(.+)`), (*parser).completeParticipleDE},
}

// rotateEN: "Tim and Mia take turns with the dishes (every day)".
func (p *parser) rotateEN(m []string) (Intent, bool) {
	names, ok := people(m[1])
	if !ok {
		return Intent{}, false
	}
	return p.rotation(names, m[2], func(s string) string {
		if t, ok := titleFromVerbPhrase(s, gerundBase); ok {
			return t
		}
		return s
	})
}

// rotateDE: "Tim und Mia wechseln sich (jede Woche) beim Abwasch ab".
func (p *parser) rotateDE(m []string) (Intent, bool) {
	names, ok := people(m[1])
	if !ok {
		return Intent{}, false
	}
	return p.rotation(names, m[2], func(s string) string {
		return rotationLeadDE.ReplaceAllString(strings.TrimSpace(s), "")
	})
}

var rotationLeadDE = regexp.MustCompile(`(?i)^(?:beim|bei der|bei dem|mit dem|mit der|mit den|mit|bei)\s+`)

// rotateVerbDE: "Tim und Mia machen abwechselnd den Abwasch".
func (p *parser) rotateVerbDE(m []string) (Intent, bool) {
	names, ok := people(m[1])
	if !ok || !isInfinitiveDE(m[2]) {
		return Intent{}, false
	}
	verb := strings.ToLower(m[2])
	return p.rotation(names, m[3], func(s string) string { return s + " " + verb })
}

func (p *parser) rotation(names []string, rest string, title func(string) string) (Intent, bool) {
	sc := p.scanWhen(rest, scanOpts{recurrence: true})
	in := Intent{Type: IntentTaskRotate, Slots: IntentSlots{Title: tidyTitle(title(sc.rest())), Rotation: names}}
	if in.Slots.Title == "" || !p.taskTimes(sc, &in.Slots) {
		return Intent{}, false
	}
	return in, true
}

// reassignTo: "give the dishes to Tim", "gib den Abwasch an Mia".
func (p *parser) reassignTo(m []string) (Intent, bool) {
	name, ok := person(m[2])
	if !ok {
		return Intent{}, false
	}
	return p.reassign(m[1], name)
}

// reassignBy: "Mia will do the vacuuming instead", "ich übernehme das Staubsaugen".
func (p *parser) reassignBy(m []string) (Intent, bool) {
	name, ok := person(m[1])
	if !ok {
		return Intent{}, false
	}
	return p.reassign(m[2], name)
}

// reassignIll: "I'll do the dishes", "I'll take the bins" take a chore
// over; "I'll take out the bins" is no "take" (see the rule), and neither
// is taking someone or something somewhere: "I'll take the kids to
// school", "I'll take the dog out" are the speaker's errand, the task
// "Take the kids to school" (they took over chores "Kids to school", "Dog
// out"), as "I will take the kids to school" is.
func (p *parser) reassignIll(m []string) (Intent, bool) {
	if takeParticleRx.MatchString(m[0]) || takeErrandRx.MatchString(m[0]) && !takeOverRx.MatchString(m[0]) {
		return Intent{}, false
	}
	return p.reassignBy(m)
}

var (
	takeParticleRx = regexp.MustCompile(`(?i)^i'll take (?:out|up|down|back|off|away|in)\s`)
	// takeErrandRx: "I'll take" someone or something somewhere: a place
	// or a particle after the object ("take over", "take care of" stay)
	takeErrandRx = regexp.MustCompile(`(?i)^i'll take \S.*?\s(?:to|out|back|home|along|for a walk|with me)(?:\s|$)`)
	takeOverRx   = regexp.MustCompile(`(?i)^i'll take (?:over|care of)\s`)
)

func (p *parser) reassign(what, name string) (Intent, bool) {
	sc := p.scanWhen(what, scanOpts{})
	title := lookupTitle(sc.rest())
	if title == "" || sc.w.hasTime || sc.w.hasRel {
		return Intent{}, false
	}
	return Intent{Type: IntentTaskReassign, Slots: IntentSlots{Title: title, Assignee: name}}, true
}

// snooze: "snooze the bins until tonight", "snooze laundry for an hour",
// "schlummere den Abwasch bis heute Abend". Without a time: one hour.
func (p *parser) snooze(m []string) (Intent, bool) {
	sc := p.scanWhen(m[1], scanOpts{durations: true})
	rest := strings.TrimSpace(snoozeNoise.ReplaceAllString(" "+sc.rest()+" ", " "))
	if t, ok := titleFromVerbPhrase(rest, gerundBase); ok {
		rest = t
	}
	title := lookupTitle(rest)
	if title == "" {
		return Intent{}, false
	}
	until, ok := p.snoozeUntil(sc)
	if !ok {
		return Intent{}, false
	}
	return Intent{Type: IntentTaskSnooze, Slots: IntentSlots{Title: title, Until: &until}}, true
}

var snoozeNoise = regexp.MustCompile(`(?i)\s(?:again|later|till|until|to|auf|bis|später|nochmal|noch mal|an|for|für|by|um)\s*$`)

func (p *parser) snoozeAgain(m []string) (Intent, bool) {
	return p.snooze([]string{"", m[1] + " " + m[2]})
}

// snoozeAgainDE: "erinnere mich in einer Stunde nochmal an den Müll".
func (p *parser) snoozeAgainDE(m []string) (Intent, bool) {
	s := strings.TrimSpace(m[1] + " " + m[2])
	s = snoozeLeadDE.ReplaceAllString(" "+s+" ", " ")
	return p.snooze([]string{"", s})
}

var snoozeLeadDE = regexp.MustCompile(`(?i)(?:^|\s)(?:an|später|daran)(?:\s|$)`)

// snoozeUntil: a delay or length from now; a day without a time is 09:00
// that day; nothing said is one hour from now.
func (p *parser) snoozeUntil(sc *scan) (time.Time, bool) {
	w := sc.w
	switch {
	case sc.rec != nil || w.hasEnd || w.span != "" || w.allDay:
		return time.Time{}, false
	case w.dur > 0:
		return p.now.Add(w.dur).Truncate(time.Minute), true
	case !sc.found:
		return p.now.Add(time.Hour).Truncate(time.Minute), true
	}
	t, hasTime, ok := p.resolve(w)
	if !ok {
		return time.Time{}, false
	}
	if !hasTime {
		t = time.Date(t.Year(), t.Month(), t.Day(), partHour["morning"], 0, 0, 0, p.loc)
	}
	// A moment passed already ("until tonight" said at 23:00) is still a
	// snooze: execution says it has passed, rather than another rule
	// reading "snooze the bins" as an event.
	return t, true
}

func (p *parser) taskDelete(m []string) (Intent, bool) {
	title := lookupTitle(m[1])
	if title == "" || strings.Contains(" "+strings.ToLower(title)+" ", " list ") {
		return Intent{}, false
	}
	return Intent{Type: IntentTaskDelete, Slots: IntentSlots{Title: title}}, true
}

// complete: the task to mark done, as said.
func (p *parser) complete(m []string) (Intent, bool) {
	s := m[1]
	if sc := p.scanWhen(s, scanOpts{}); sc.found {
		return Intent{}, false
	}
	if p.lang == "de" {
		if t, ok := germanParticipleClause(s); ok {
			s = t
		}
	}
	title := lookupTitle(s)
	if title == "" || looksLikeQuestion(title) {
		return Intent{}, false
	}
	return Intent{Type: IntentTaskComplete, Slots: IntentSlots{Title: title}}, true
}

// completeNews: "the laundry is done" completes "Laundry"; someone done
// ("he's done", "Tim is done", "mum's finished") is how they are, no task
// (they completed tasks "He", "Tim" and "Mum").
func (p *parser) completeNews(m []string) (Intent, bool) {
	w := strings.ToLower(strings.TrimSpace(m[1]))
	if peopleDoneEN[w] || familyRoles[w] || isMember(strings.TrimSpace(m[1]), p.names) {
		return Intent{}, false
	}
	return p.complete(m)
}

var peopleDoneEN = setOf(`he she they it that this everything everyone everybody someone somebody`)

// completeVerbPhrase: "tick off call grandma" is a task (it starts with a
// verb); "tick off milk" is shopping.
func (p *parser) completeVerbPhrase(m []string) (Intent, bool) {
	f := strings.Fields(strings.ToLower(m[1]))
	if len(f) < 2 || !verbsEN[f[0]] {
		return Intent{}, false
	}
	return p.complete(m)
}

// completePast: "I took out the bins", "Tim fed the cat", "Ben mowed the
// lawn": a past tense of a household verb (bought and got are shopping).
func (p *parser) completePast(m []string) (Intent, bool) {
	verb := strings.ToLower(m[2])
	switch verb {
	case "bought", "got", "picked", "grabbed", "found":
		return Intent{}, false
	}
	who := strings.ToLower(m[1])
	if !meWords[who] && !usWords[who] && !strings.HasPrefix(who, "i'") && !strings.HasPrefix(who, "we'") && !strings.HasPrefix(who, "i ") && !strings.HasPrefix(who, "we ") {
		if _, ok := person(m[1]); !ok {
			return Intent{}, false
		}
	}
	base, ok := pastBase(verb)
	if !ok {
		return Intent{}, false
	}
	return p.complete([]string{"", base + " " + m[3]})
}

// completeParticipleDE: "ich habe den Müll rausgebracht", "Tim hat den
// Rasen gemäht" (gekauft and besorgt are shopping).
func (p *parser) completeParticipleDE(m []string) (Intent, bool) {
	f := strings.Fields(m[2])
	if len(f) == 0 {
		return Intent{}, false
	}
	switch strings.ToLower(f[len(f)-1]) {
	case "gekauft", "besorgt", "geholt", "abgeholt", "mitgebracht", "bekommen":
		return Intent{}, false
	}
	if _, ok := participleDE(f[len(f)-1]); !ok {
		return Intent{}, false
	}
	if w := strings.Fields(m[1]); len(w) == 2 && strings.EqualFold(w[1], "hat") {
		if _, ok := person(w[0]); !ok {
			return Intent{}, false
		}
	}
	return p.complete([]string{"", m[2]})
}
