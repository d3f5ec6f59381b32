package assistant

import (
	"errors"
	"strings"

	"github.com/familyhub/familyhub"
)

// A new event or task is never made of a sentence that says something
// will not happen or asks whether it will: "wir fahren heute nicht" was
// the event "Wir fahren nicht", "Mia fährt morgen nicht zum Training" her
// task "Nicht zum Training fahren", "fahren wir morgen zu Oma?" the event
// "Fahren wir zu Oma", "kommt Oma morgen an?" the event "Kommt Oma", "may
// I go to Oma's on Saturday" the event "May I go to Oma's". They are not
// understood, and the family is asked again.

// negatedStatement: text says of someone (I, we, a member, a family role)
// that something will not happen: "wir fahren heute nicht", "we're not
// going to Oma's on Saturday", "Tim muss morgen nicht zur Schule".
// "Don't forget …", "ich darf nicht vergessen …" remind, and are no such
// statement.
func negatedStatement(text string, names []string) bool {
	f := words(strings.ReplaceAll(text, "’", "'"))
	if len(f) < 2 {
		return false
	}
	i := subjectsEnd(f, names)
	if i == 0 && selfSubjects[f[0]] {
		i = 1
	}
	if tf := strings.Fields(text); i == 0 && names == nil && isCapitalised(tf[0]) && nameLike(tf[0]) &&
		!closurePlace(strings.ToLower(tf[0])) {
		// without the members a capitalised name: "Tim muss morgen nicht
		// den Müll rausbringen" was the task "Tim muss nicht den Müll
		// rausbringen"; a place is no one ("Kita hat morgen nicht
		// geöffnet" is the Kita closed, see closure)
		i = 1
	}
	if i == 0 {
		return false
	}
	negated := false
	for _, w := range f[i:] {
		if negationWords[w] || strings.HasSuffix(w, "n't") {
			negated = true
		}
		if forgetWords[w] {
			return false
		}
	}
	return negated
}

// negatedTold: what someone is told to do (rest, after "sag Tim, er
// soll") is what they must not do: "sag Tim, er soll keine Milch kaufen",
// "sag Tim, dass er nichts kaufen soll" forbid, and were Tim's tasks
// "Keine Milch kaufen", "Nichts kaufen" (review64; negatedStatement does
// not see them, as "sag" comes first). "nicht vergessen" still asks.
func negatedTold(rest string) bool {
	negated := false
	for _, w := range words(rest) {
		if forgetWords[w] {
			return false
		}
		negated = negated || negationWords[w] || w == "nichts" || w == "keines"
	}
	return negated
}

// askedCreate: text asks (a question, not a request): a modal and a
// person first ("may I go to Oma's on Saturday", "can we have pizza on
// Friday", "darf ich am Samstag zu Oma"), an English auxiliary first ("are
// we going to grandma tomorrow", "is Oma coming on Saturday", "do we have
// swimming on Friday"), or, in German, a finite verb before its subject
// ("fahren wir morgen zu Oma", "gehen wir heute schwimmen", "kommt Oma
// morgen an", "fährt Tim morgen zum Training?"). Speech recognisers write
// no question mark, so none is needed: a German sentence with the verb
// first and "wir" after it was read as a proposal and became the event
// "Fahren wir zu Oma". Imperatives ("hol Tim um 3 ab", "fahr am Sonntag zu
// Oma", "geh einkaufen", "do the dishes") have no finite verb or no
// subject.
func askedCreate(text string, names []string) bool {
	t := strings.TrimSpace(text)
	question := strings.HasSuffix(t, "?")
	f := words(strings.ReplaceAll(cleanCommand(strings.TrimRight(t, "?!. ")), "’", "'"))
	if len(f) < 2 {
		return false
	}
	if askingModals[f[0]] && askingPeople[f[1]] {
		return true
	}
	if askingAuxEN[f[0]] || (f[0] == "do" && (askingPeople[f[1]] || statusSubjects[f[1]] || familyRoles[f[1]] || isMember(f[1], names))) {
		return true // "are we going to grandma tomorrow", "do we have swimming on friday"
	}
	if !finiteFirstDE(f[0], f[1]) {
		return false
	}
	if subjectsEnd(f[1:], names) > 0 && !statusSubjects[f[1]] && !firstPersonDE(f[0]) {
		return true // "kommt Oma morgen an", "fährt Tim morgen zum Training"
	}
	return questionSubjectsDE[f[1]] || question && statusSubjects[f[1]]
}

// finiteFirstDE: w, followed by next, is a German finite verb: one the
// lexicons know ("fahren", "kommt", "fährt"), an auxiliary or modal ("bist",
// "gibt", "müssen"), or a form whose ending agrees with the pronoun after
// it ("spielen wir", "kommst du", "spielt ihr", "hole ich"). An imperative ("hol",
// "fahr", "geh") is no finite verb.
func finiteFirstDE(w, next string) bool {
	if separableFiniteDE[w] || tripVerbsDE[w] != "" || finiteAuxDE[w] || isInfinitiveDE(w) {
		return true
	}
	if _, ok := thirdPersonDE(w); ok {
		return true
	}
	if whenWordish(w) || len([]rune(w)) < 4 {
		return false // "morgen wir …" is no verb first
	}
	switch next {
	case "wir", "sie":
		return strings.HasSuffix(w, "en") || strings.HasSuffix(w, "ern") || strings.HasSuffix(w, "eln")
	case "du":
		return strings.HasSuffix(w, "st")
	case "ich":
		return strings.HasSuffix(w, "e") // "hole ich Tim um 3 ab": no imperative takes "ich"
	case "ihr", "er", "es":
		return strings.HasSuffix(w, "t")
	}
	return false
}

var (
	selfSubjects  = setOf(`i i'm im i'll i've we we're we'll we've ich`)
	negationWords = setOf(`not never nicht nie niemals kein keine keinen keinem keiner`)
	forgetWords   = setOf(`forget vergessen vergiss`)
	askingModals  = setOf(`may can could shall should will would darf dürfen kann können könnte könnten soll sollen sollten`)
	askingPeople  = setOf(`i we you ich wir du ihr man`)
	// askingAuxEN start English questions and no command ("do" starts
	// "do the dishes": only with a person after it)
	askingAuxEN = setOf(`is are was were does did isn't aren't wasn't weren't doesn't didn't`)
	// questionSubjectsDE after a finite verb make a German question
	questionSubjectsDE = setOf(`wir ihr du ich er es sie man`)
	finiteAuxDE        = setOf(`bin bist ist sind seid war warst waren hab habe hast hat haben habt gibt gab kann kannst können
		könnt muss musst müssen müsst soll sollst sollen sollt will willst wollen wollt darf darfst dürfen dürft wird
		wirst werden werdet mag magst mögen möchte möchtest möchten`)
)

// askedError refuses a command read as a question (askedCreate): the
// parser's not-understood error, which the service words as "sounds like
// a question, so I wrote nothing" rather than "did not understand".
type askedError struct{ err *familyhub.Error }

func (e *askedError) Error() string { return e.err.Error() }
func (e *askedError) Unwrap() error { return e.err }

// asked refuses text as a question.
func asked(text string) error { return &askedError{NotUnderstood(text)} }

// isAsked: err is the parser's refusal of a question.
func isAsked(err error) bool {
	var a *askedError
	return errors.As(err, &a)
}

// politeRequestDE: text is a German finite verb with "du" or "ihr" after
// it and "bitte" ("bringst du bitte den Müll raus", "gießt ihr bitte morgen
// die Blumen"): a request, as "kannst du bitte …" is, not the question
// askedCreate takes it for (it wrote nothing and said so). r is its
// imperative ("bring bitte den Müll raus", "gießt bitte morgen die
// Blumen"); the caller keeps only a to-do or items made of it, so "kommst
// du bitte morgen um 3" stays a question.
func politeRequestDE(text string) (r string, ok bool) {
	f := strings.Fields(strings.TrimSpace(text))
	if len(f) < 3 {
		return "", false
	}
	bitte := false
	for _, w := range f[2:] {
		bitte = bitte || strings.ToLower(strings.Trim(w, ",.!?")) == "bitte"
	}
	v, who := strings.ToLower(f[0]), strings.ToLower(strings.Trim(f[1], ","))
	if !bitte {
		return "", false
	}
	switch who {
	case "du":
		stem, ok := strings.CutSuffix(v, "st")
		if !ok {
			return "", false
		}
		if _, ok := imperativeDE(stem); !ok {
			// "fährst" → "fahr", "läufst" → "lauf"
			stem = strings.NewReplacer("äu", "au", "ä", "a").Replace(stem)
			if _, ok := imperativeDE(stem); !ok {
				return "", false
			}
		}
		v = stem
	case "ihr":
		if !strings.HasSuffix(v, "t") {
			return "", false
		}
	default:
		return "", false
	}
	return v + " " + strings.Join(f[2:], " "), true
}

// firstPersonDE: w ("fahre", "fliege", "reise") agrees only with "ich": a
// name after it is its object, the imperative's ("fahre Oma morgen zum
// Arzt" was refused as a question). Auxiliaries ("habe", "möchte") are
// left as they were.
func firstPersonDE(w string) bool {
	return strings.HasSuffix(w, "e") && !finiteAuxDE[w]
}
