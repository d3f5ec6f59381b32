package assistant

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// To-dos said without a time ("Zahnarzt anrufen", "call the dentist") and
// the tests that tell them from requests, pronoun objects and questions.

// noThingBeforeVerbDE: the German to-do f (lower case, the verb last) does
// something to no thing: every word before the verb is a pronoun ("mich
// anrufen", "ihn anrufen", "das machen"), as "call me" and "do it" in
// English: no task "Mich anrufen".
func noThingBeforeVerbDE(f []string) bool {
	if len(f) < 2 {
		return false
	}
	for _, w := range f[:len(f)-1] {
		if !pronounObjectsDE[strings.Trim(w, ",.")] {
			return false
		}
	}
	return true
}

// noThingAfterImperativeDE: f (lower case) is a German imperative whose
// other words are pronouns and a particle ("ruf mich an", "mach das",
// "melde dich"): a request to someone, no event named after it.
func noThingAfterImperativeDE(f []string) bool {
	if len(f) < 2 {
		return false
	}
	if _, ok := imperativeDE(f[0]); !ok {
		return false
	}
	rest := f[1:]
	if n := len(rest); n > 1 && isParticleDE(rest[n-1]) {
		rest = rest[:n-1]
	}
	return noThingBeforeVerbDE(append(append([]string{}, rest...), "verb"))
}

// noThingAfterSelfDE: f (lower case) is what the speaker or "wir" will do
// to a pronoun only ("ich kaufe es", "ich hole es ab", "wir erledigen
// das"): a reply about something said before, no plan. A reflexive alone
// is one ("wir treffen uns um 3" is the event "Treffen").
func noThingAfterSelfDE(f []string) bool {
	if len(f) < 3 || (f[0] != "ich" && f[0] != "wir") {
		return false
	}
	rest := f[2:]
	if n := len(rest); n > 1 && isParticleDE(rest[n-1]) {
		rest = rest[:n-1]
	}
	other := false
	for _, w := range rest {
		if !pronounObjectsDE[w] {
			return false
		}
		other = other || w != reflexiveDE[f[0]]
	}
	return other
}

// pronounObjectsDE are German objects that name nothing by themselves.
var pronounObjectsDE = setOf(`es das dies dieses mich dich ihn sie uns euch mir dir ihm ihr ihnen alles etwas nichts`)

// loneShortWord: s, said without a verb, is one word of four letters or
// fewer that the grocery lexicon does not know as spelled. Such a word is
// one edit away from many groceries and many other words ("lies": limes,
// "nice": rice), so alone it is no typo of an item; with a verb or among
// other items it may be ("add mlik and bred").
func loneShortWord(s string) bool {
	f := strings.Fields(strings.Trim(s, ` .!?"`))
	if len(f) != 1 || utf8.RuneCountInString(f[0]) > 4 {
		return false
	}
	_, known := lookupItem(f[0])
	return !known
}

// todo: a to-do said without a time is a task without a due time: in
// German its verb last ("Zahnarzt anrufen", "Fahrrad reparieren"), in
// English first ("call the dentist", "fix the bike"), as with a time. Only
// verbs of errands and chores (todoVerbsEN, todoVerbsDE) make one: "tell me
// a joke", "turn on the lights", "order a pizza", "Licht anmachen" are no
// to-dos. The verbs of shopping and fetching never do (kaufen, besorgen, holen, mitbringen; buy,
// get, pick up: "Mia holen", "pick up the kids" may be an errand or an
// event, and are not understood), nor a question, a negation, a person or
// modal verb, or a second verb ("Oma anrufen und Milch kaufen", "call mum
// and buy milk").
func (p *parser) todo(s string) (Intent, bool) {
	f, lw := strings.Fields(s), words(s)
	if p.question || len(f) < 2 || len(lw) < 2 {
		return Intent{}, false
	}
	for i, w := range lw {
		if i == 0 && choreEN(lw) {
			continue // "do the homework": "do" makes no question here
		}
		if p.sentenceWord(w) || meWords[w] || usWords[w] || questionWords[w] || notShoppingDE[w] || hasCommandWord(w) {
			return Intent{}, false
		}
	}
	switch p.lang {
	case "de":
		last := f[len(f)-1]
		// "Termin vereinbaren": "Termin" starts no command here, it is
		// the appointment to arrange (it was not understood)
		if isCapitalised(last) || !(todoVerbsDE[strings.ToLower(last)] || choreDE(f) || appointmentDE(f)) ||
			commandWordsDE[lw[0]] && !(lw[0] == "termin" && appointmentDE(f)) {
			return Intent{}, false
		}
		for i, w := range f[:len(f)-1] {
			if !isCapitalised(w) && isInfinitiveDE(strings.Trim(w, `,.;:`)) && !sharedObjectDE(f, i) {
				return Intent{}, false // two verbs: two commands
			}
		}
	default:
		if !(todoVerbsEN[lw[0]] || choreEN(lw)) || (lw[0] == "take" && !slices.Contains(lw, "out")) || (lw[0] == "book" && bookNouns[lw[1]]) || noThingAfterVerbEN(lw) {
			return Intent{}, false
		}
		for i := 1; i < len(lw); i++ {
			if _, item := lookupItem(lw[i]); (lw[i-1] == "and" || lw[i-1] == "then") && (verbsEN[lw[i]] || shoppingVerbs[lw[i]]) && !item &&
				!(i == 2 && lw[1] == "and" && todoVerbsEN[lw[i]]) { // "wash and iron the shirts": one object, one task
				return Intent{}, false // two verbs: two commands
			}
		}
	}
	return p.newTask(s, "")
}

// sharedObjectDE: the infinitive f[i] and the last one share the words
// before them ("Hemden waschen und bügeln"): both verbs of to-dos, only
// "und" between them. One task, not two commands.
func sharedObjectDE(f []string, i int) bool {
	n := len(f)
	return i == n-3 && strings.EqualFold(f[n-2], "und") && todoVerbsDE[strings.ToLower(f[i])] && todoVerbsDE[strings.ToLower(f[n-1])]
}

// choreEN: "do" or "make" with a chore ("do the homework", "do the
// laundry", "make the beds"): a to-do, where "do a barrel roll" and "make
// a wish" are none.
func choreEN(lw []string) bool {
	if len(lw) < 2 || (lw[0] != "do" && lw[0] != "make") {
		return false
	}
	i := 1
	for i < len(lw)-1 && (lw[i] == "the" || lw[i] == "your" || lw[i] == "his" || lw[i] == "her" || lw[i] == "their" || lw[i] == "our") {
		i++
	}
	if lw[0] == "do" && i+1 < len(lw) && questionVerbsEN[lw[i+1]] {
		return false // "do the beds need changing": a question about the beds
	}
	return choreNounsEN[lw[i]]
}

// questionVerbsEN follow the subject of a question with "do" ("do the
// beds need changing", "do the dishes look clean").
var questionVerbsEN = setOf(`need want have look seem smell get go belong`)

// choreDE: "machen" after a chore ("Hausaufgaben machen", "die Betten
// machen"): a to-do, where "Musik lauter machen" and "Pause machen" are none.
func choreDE(f []string) bool {
	n := len(f)
	return n >= 2 && strings.EqualFold(f[n-1], "machen") && choreNounsDE[strings.ToLower(f[n-2])]
}

// appointmentDE: f (a German to-do, the verb last) arranges an
// appointment: "Friseurtermin für Tim ausmachen", "Termin beim Zahnarzt
// machen" ("ausmachen" alone also switches off: "Licht ausmachen" stays
// no to-do).
func appointmentDE(f []string) bool {
	n := len(f)
	if n < 2 || !appointmentVerbsDE[strings.ToLower(f[n-1])] {
		return false
	}
	for _, w := range f[:n-1] {
		if lw := strings.ToLower(w); isCapitalised(w) && strings.HasSuffix(lw, "termin") {
			return true
		}
	}
	return false
}

var appointmentVerbsDE = setOf(`ausmachen machen abmachen vereinbaren`)

var (
	choreNounsEN = setOf(`homework dishes laundry washing washing-up ironing hoovering vacuuming dusting cleaning
		beds bed lunch lunches packed dinner breakfast taxes tax accounts gardening`)
	choreNounsDE = setOf(`hausaufgaben hausaufgabe abwasch wäsche betten bett frühstück mittagessen abendessen
		steuererklärung steuer hausarbeit gartenarbeit pausenbrot pausenbrote brotdose`)
)

// todoVerbsDE end a German to-do said without a time: errands and chores,
// as todoVerbsEN start an English one. "Licht anmachen", "Musik lauter
// machen", "Wecker stellen", "Fernsehen schauen" are no to-dos, as "turn on
// the lights" and "set an alarm" are not; the verbs of shopping and
// fetching (kaufen, besorgen, holen, mitbringen, bestellen) are not here:
// they add groceries or are not understood.
var todoVerbsDE = setOf(`anrufen zurückrufen telefonieren bezahlen zahlen überweisen verlängern erneuern reparieren
	mähen gießen füttern ausführen putzen aufräumen wegräumen einräumen ausräumen waschen abwaschen spülen saugen
	staubsaugen bügeln leeren ausleeren wischen fegen kehren abstauben schrubben polieren jäten pflanzen schneiden
	zurückgeben zurückbringen abgeben einwerfen abschicken unterschreiben buchen abtauen einpacken auspacken packen
	zusammenlegen sortieren entsorgen ausmisten rausbringen wegbringen decken abräumen beziehen lüften wechseln
	kündigen anmelden abmelden tanken erledigen vereinbaren`)

// todoVerbsEN start an English to-do said without a time.
var todoVerbsEN = setOf(`call ring phone pay renew fix repair mend mow water feed walk clean tidy wash vacuum hoover iron
	empty mop sweep dust scrub polish weed rake plant trim return post sign book service defrost wrap pack unpack fold
	sort recycle declutter take`)

// noThingAfterVerbEN: the English to-do lw (its words, the verb first)
// does something to no thing: its object is a pronoun that points at
// nothing said ("call it a day", "call it a night", "call it quits",
// "pack it in": idioms, no errands), or a bare number ("call 911", "ring
// 999": an emergency, or a number with no one named, is no task).
func noThingAfterVerbEN(lw []string) bool {
	if len(lw) > 3 && lw[1] == "and" {
		lw = lw[2:] // "wash and iron it": the object of both verbs
	}
	if len(lw) < 2 {
		return false
	}
	return pronounObjectsEN[lw[1]] || (len(lw) == 2 && strings.Trim(lw[1], "0123456789+-") == "")
}

// pronounObjectsEN are objects that name nothing by themselves.
var pronounObjectsEN = setOf(`it this that them these those one him her you us me everything something nothing anything`)

// objectVerbs make no task without an object.
var objectVerbs = setOf(`put take get add make bring give set buy pick send move delete remove cancel do have fetch
	order book check clear fill hang lay`)
