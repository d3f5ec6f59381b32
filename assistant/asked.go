package assistant

import "strings"

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

// askedCreate: text asks (a question, not a request): a modal and a
// person first ("may I go to Oma's on Saturday", "can we have pizza on
// Friday", "darf ich am Samstag zu Oma"), or, in German, a finite verb
// before its subject, with a question mark or said of someone ("fahren wir
// morgen zu Oma?", "kommt Oma morgen an", "fährt Tim morgen zum
// Training?"). Imperatives ("hol Tim um 3 ab", "fahr am Sonntag zu Oma")
// are no finite verb.
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
	if !separableFiniteDE[f[0]] && tripVerbsDE[f[0]] == "" {
		if _, ok := thirdPersonDE(f[0]); !ok {
			return false
		}
	}
	if subjectsEnd(f[1:], names) > 0 && !statusSubjects[f[1]] {
		return true // "kommt Oma morgen an", "fährt Tim morgen zum Training"
	}
	return question && (askingPeople[f[1]] || statusSubjects[f[1]])
}

var (
	selfSubjects  = setOf(`i i'm im i'll i've we we're we'll we've ich`)
	negationWords = setOf(`not never nicht nie niemals kein keine keinen keinem keiner`)
	forgetWords   = setOf(`forget vergessen vergiss`)
	askingModals  = setOf(`may can could shall should will would darf dürfen kann können könnte könnten soll sollen sollten`)
	askingPeople  = setOf(`i we you ich wir du ihr man`)
)
