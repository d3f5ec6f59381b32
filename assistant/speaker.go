package assistant

import (
	"regexp"
	"strings"
)

// Who is meant and what is no to-do (assist15): "you" said to the one
// using FamilyHub, the family's plans said with "we'll", what the speaker
// takes that is no chore.

// youWords: the one spoken to, who is the one using FamilyHub when no
// name is said ("you'll have to pick up Tim", "du musst Tim abholen": the
// speaker's task).
var youWords = setOf(`you you'll you've you're u du`)

// youMustLead: the obligation left after "you will" ("you will have to
// pick up Tim": "pick up Tim").
var youMustLead = regexp.MustCompile(`(?i)^\s*(?:have to|has to|need to|got to|gotta)\s+`)

// weWillPlanEN: m (taskOf's match: who, what) is "we'll"/"we will" and a
// verb of something the family does together that is no errand verb
// ("watch", "have", "eat", "play", "celebrate"), with a day or time: the
// family's plan, an event named after it ("we'll watch the match on
// Saturday at 3" is "Watch the match" on Saturday at 15:00; it was not
// understood, as taskOf takes only errand verbs). "we'll go swimming on
// Saturday", whose verb is an errand's too, is taskOfEN's.
func (p *parser) weWillPlanEN(m []string) (Intent, bool) {
	if p.lang != "en" || !willRx.MatchString(m[0]) || !usWords[strings.ToLower(m[1])] {
		return Intent{}, false
	}
	f := words(m[2])
	if len(f) < 2 || !planVerbsEN[f[0]] || verbsEN[f[0]] {
		return Intent{}, false
	}
	return p.event(m[2])
}

// takeForSelfRx: what the speaker says they will take that is no chore
// to take over: a way to travel, a wash, a rest, a medicine, or anything
// new ("a", "an", "some"): "I'll take the train", "I'll take a shower"
// (they took over chores "Train", "Shower"). "I'll take the bins" still
// takes the bins over.
var takeForSelfRx = regexp.MustCompile(`(?i)^\s*(?:i|we)(?:'ll| will) take (?:a|an|some|(?:the|my|our) (?:` + takenForSelf + `))(?:\s|$)|` +
	`^\s*(?:i|we)(?:'ll| will) take (?:` + takenForSelf + `)(?:\s|$)`)

const takenForSelf = `train|trains|bus|tram|tube|underground|subway|metro|ferry|boat|plane|flight|taxi|cab|coach|car|bike|lift|elevator|stairs|` +
	`shower|bath|nap|break|rest|day off|medicine|medication|pills?|tablets?|vitamins|temperature|photo|photos|picture|pictures|` +
	`exam|test|call|seat|chance|risk|time|hint`

// takesForSelf: text is the speaker taking something for themselves
// (takeForSelfRx): no chore taken over and no to-do either. Taking it
// somewhere stays the errand it was ("I'll take a cake to the party").
func takesForSelf(text string) bool {
	s := strings.ReplaceAll(cleanCommand(text), "’", "'")
	return takeForSelfRx.MatchString(s) && !takeErrandRx.MatchString(s)
}
