package assistant

import (
	"regexp"
	"strings"
	"time"
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

// travelByRx: the speaker taking a means of transport ("I'll take the
// train to Berlin", "we're taking the bus to the zoo on Saturday"); m[1]
// is the vehicle, m[2] what follows it.
var travelByRx = regexp.MustCompile(`(?i)^\s*(?:i|we)(?:'ll|\s+will|'m|\s+am|'re|\s+are)(?:\s+going\s+to|\s+gonna)?\s+(?:take|taking)\s+` +
	`(?:(?:the|a|an|my|our)\s+)?(train|bus|tram|tube|underground|subway|metro|ferry|boat|plane|flight|taxi|cab|coach)\b(.*)$`)

// travelToRx: where the vehicle goes ("to Berlin", "into town").
var travelToRx = regexp.MustCompile(`(?i)\b(?:to|into)\s+\S`)

// travelBy: text is the speaker travelling by train, bus, plane ... That
// is no to-do ("I'll take the train to Berlin" was the task "Take the
// train to Berlin"): with a day or a time it is the trip, an event named
// after the vehicle and where it goes ("I'll take the train to Berlin on
// Friday": "Train to Berlin", all day Friday), as "train to Berlin on
// Friday" is; without one it tells how the speaker travels and writes
// nothing (refuse). Without a place it is takesForSelf's ("I'll take the
// bus tomorrow" writes nothing). A car or a bike taken somewhere stays an errand ("I'll
// take the car to the garage").
func travelBy(text string, now time.Time) (in Intent, ok, refuse bool) {
	m := travelByRx.FindStringSubmatch(strings.ReplaceAll(cleanCommand(text), "’", "'"))
	if m == nil || !travelToRx.MatchString(m[2]) {
		return Intent{}, false, false // "I'll take the bus tomorrow": takesForSelf's
	}
	in, err := parseCommand(m[1]+m[2], "en", now)
	if err != nil || in.Type != IntentCalendarCreate || in.Lang != "en" {
		return Intent{}, false, true
	}
	return in, true, false
}

// travelByDERx: a German trip by public transport ("ich fahre morgen mit
// dem Zug nach Berlin", "am Freitag fahren wir mit dem Zug nach
// Hamburg"); m[1] is the vehicle.
var travelByDERx = regexp.MustCompile(`(?i)\s+mit\s+(?:dem|der)\s+(zug|bahn|s-bahn|u-bahn|bus|fernbus|straßenbahn|tram|fähre|taxi)\b`)

// travelFahrtDE: the trip by each vehicle, as its title starts.
var travelFahrtDE = map[string]string{"zug": "Zugfahrt", "bahn": "Bahnfahrt", "s-bahn": "S-Bahn-Fahrt",
	"u-bahn": "U-Bahn-Fahrt", "bus": "Busfahrt", "fernbus": "Fernbusfahrt", "straßenbahn": "Straßenbahnfahrt",
	"tram": "Tramfahrt", "fähre": "Fährfahrt", "taxi": "Taxifahrt"}

// travelByDE: text is a German trip by train, bus, tram ... with a day or
// a time, said of the speaker, "wir", a member or to someone: the event
// the trip without the vehicle is, the vehicle named in its title ("ich
// fahre morgen mit dem Zug nach Berlin" is the all-day "Zugfahrt nach
// Berlin", "Tim fährt morgen mit dem Bus nach Rom" "Tim: Busfahrt nach
// Rom"), as "I'll take the train to Berlin on Friday" is in English (they
// were the tasks "Mit dem Zug nach Berlin fahren"). What the trip without
// the vehicle is not an event of stays as it was read ("ich fahre morgen
// mit dem Auto in die Werkstatt" is the speaker's task).
func travelByDE(text, locale string, now time.Time, names []string) (Intent, bool) {
	m := travelByDERx.FindStringSubmatchIndex(text)
	if m == nil {
		return Intent{}, false
	}
	in, err := parseIntent(text[:m[0]]+text[m[1]:], locale, now, names)
	if err != nil || in.Type != IntentCalendarCreate || in.Lang != "de" {
		return Intent{}, false
	}
	fahrt := travelFahrtDE[strings.ToLower(text[m[2]:m[3]])]
	title, n := in.Slots.Title, 0
	if who, trip, ok := strings.Cut(title, ": "); ok {
		title, n = trip, len(who)+2
	}
	if !strings.HasPrefix(title, "Fahrt ") || fahrt == "" {
		return Intent{}, false
	}
	in.Slots.Title = in.Slots.Title[:n] + fahrt + strings.TrimPrefix(title, "Fahrt")
	return in, true
}
