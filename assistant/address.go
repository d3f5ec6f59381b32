package assistant

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Who a command is said to and who does what in it (assist12): the
// speaker's plan said to someone, a command said to several by name, a
// German statement of the speaker titled as a plan, someone driven
// somewhere, the person fetched after a verb that takes someone.

// speakerAfterAddress: text is said to someone (a member, a family role)
// and then says what the speaker or "we" will do, with or without a comma
// ("Mama ich hole Tim um 3 ab", "Papa, wir fahren am Samstag zu Oma");
// rest is the sentence without the address. Without the members a
// capitalised word that could be a name counts.
func speakerAfterAddress(text string, names []string) (rest string, ok bool) {
	m := speakerAfterAddressRx.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	if lw := strings.ToLower(m[1]); !addressee(m[1], names) || whenWordish(lw) || modalWords[lw] {
		return "", false // "Morgen ich …": a day; "May I add milk": asking leave
	}
	return youAddressed(m[2], m[1]), true
}

// youAddressed: rest (what the speaker says to name) with the English
// "you" as name: "Tim I will pick you up at 3" is the speaker's "Pick up
// Tim" (it was "Pick you up"), a particle after "you" before the name.
// The German "dich" after a verb that takes someone is name too: "Tim ich
// hole dich um 3 ab" is the speaker's "Tim abholen" (it was the event "Ich
// hole dich"); "ich sehe dich morgen" stays a goodbye.
func youAddressed(rest, name string) string {
	f := strings.Fields(rest)
	if len(f) > 2 && (strings.EqualFold(f[0], "ich") || strings.EqualFold(f[0], "wir")) &&
		(takeVerbsDE[strings.ToLower(f[1])] && strings.EqualFold(f[2], "dich") ||
			helpVerbsDE[strings.ToLower(f[1])] && strings.EqualFold(f[2], "dir")) {
		// "Tim ich helfe dir morgen bei deinen Hausaufgaben": "ich helfe
		// Tim morgen bei den Hausaufgaben" (it was the event "Dir helfen"
		// at "deinen Hausaufgaben")
		f[2] = capitalise(name)
		if helpVerbsDE[strings.ToLower(f[1])] {
			// "bei deinen Hausaufgaben" of the one helped: "bei den
			// Hausaufgaben" ("bei Tims Hausaufgaben" would be read as
			// the event's place)
			for i, w := range f {
				if a, ok := yourArticleDE[strings.ToLower(w)]; ok {
					f[i] = a
				}
			}
			return strings.Join(f, " ")
		}
		return strings.Join(yourSaidOfDE(f, name), " ")
	}
	if len(f) > 2 && (strings.EqualFold(f[0], "ich") || strings.EqualFold(f[0], "wir")) && slices.ContainsFunc(f, isYourDE) {
		// "Tim ich bringe die Tasche morgen zu deiner Freundin": the
		// speaker's "Tasche zu Tims Freundin bringen", as "Mum I'll wash
		// your car" is "Wash Mum's car" (it kept "deiner": the speaker's)
		return strings.Join(yourSaidOfDE(f, name), " ")
	}
	for i, w := range f {
		if !strings.EqualFold(w, "you") || i == 0 {
			continue
		}
		if i+2 < len(f) && wantVerbsEN[strings.ToLower(f[i-1])] && strings.EqualFold(f[i+1], "to") {
			// "Tim I need you to tidy your room": Tim's task, as "Tim needs
			// to tidy his room" is (it was the item "Tim to tidy your room")
			return capitalise(name) + " needs to " + strings.Join(f[i+2:], " ")
		}
		if farewellVerbsEN[strings.ToLower(f[i-1])] {
			return rest // "Mum, I'll see you tomorrow": a goodbye, no "See Mum"
		}
		if i+1 < len(f) && particlesEN[strings.ToLower(f[i+1])] {
			f[i], f[i+1] = f[i+1], capitalise(name)
		} else {
			f[i] = capitalise(name)
		}
		return strings.Join(yourSaidToName(f, ""), " ")
	}
	if slices.ContainsFunc(f, isYour) && len(f) > 0 && speakersEN[strings.ToLower(f[0])] {
		// "Mum I'll wash your car": the speaker's task "Wash Mum's car"
		return strings.Join(yourSaidToName(f, capitalise(name)+"'s"), " ")
	}
	return rest
}

// yourSaidToName: f with "your" (the one spoken to's) as the speaker
// says it of them: owner ("Mum's"), or nothing where the name is said
// already ("Tim I'll help you with your homework" is the speaker's task
// "Help Tim with homework"; it kept "your").
func yourSaidToName(f []string, owner string) []string {
	out := f[:0:0]
	for _, w := range f {
		switch {
		case !isYour(w):
			out = append(out, w)
		case owner != "":
			out = append(out, owner)
		}
	}
	return out
}

func isYour(w string) bool { return strings.EqualFold(w, "your") }

// speakersEN start what the speaker says they will do.
var speakersEN = setOf(`i we i'll we'll i'm we're`)

var (
	particlesEN     = setOf(`up off out in back`)
	farewellVerbsEN = setOf(`see love miss thank`)
	wantVerbsEN     = setOf(`need want`)
	// takeVerbsDE: the speaker's (or our) verbs that take someone somewhere
	// or call them ("ich hole dich ab", "wir bringen dich hin")
	takeVerbsDE = setOf(`hole holen bringe bringen fahre fahren nehme nehmen rufe rufen`)
	// helpVerbsDE: the speaker's (or our) verbs with "dir" for the one
	// spoken to ("ich helfe dir")
	helpVerbsDE = setOf(`helfe helfen`)
	// yourDE: "dein", the one spoken to's, in all its forms
	yourDE = setOf(`dein deine deinen deinem deiner deines`)
	// yourArticleDE: "dein" as the article it stands for
	yourArticleDE = map[string]string{"deinen": "den", "deinem": "dem", "deiner": "der", "deine": "die", "deines": "des", "dein": "das"}
)

func isYourDE(w string) bool { return yourDE[strings.ToLower(w)] }

// yourSaidOfDE: f with "dein" (the one spoken to's) as the speaker says
// it of them, the name's genitive: "Tim ich bringe dich morgen zu deiner
// Freundin" is the speaker's "Tim zu Tims Freundin bringen" (it was "zu
// der Freundin", whose friend lost), "Mama ich hole dich bei deiner Arbeit
// ab" "Mama bei Mamas Arbeit abholen".
func yourSaidOfDE(f []string, name string) []string {
	for i, w := range f {
		if isYourDE(w) {
			f[i] = genitiveDE(capitalise(name))
		}
	}
	return f
}

// genitiveDE: a name's genitive as an owner before a noun ("Tims",
// "Mamas"; "Max'", "Jens'" after an s sound).
func genitiveDE(name string) string {
	if l := strings.ToLower(name); strings.HasSuffix(l, "s") || strings.HasSuffix(l, "ß") || strings.HasSuffix(l, "x") ||
		strings.HasSuffix(l, "z") || strings.HasSuffix(l, "ce") {
		return name + "'"
	}
	return name + "s"
}

var speakerAfterAddressRx = regexp.MustCompile(`^\s*([\p{L}'-]+)\s*[,:]?\s+((?i:ich|wir|i|we|i'll|i'm|we're|we'll)\s.+)$`)

// addressee: w is a member's name, a family role or, without the
// members, a capitalised word that could be a name.
func addressee(w string, names []string) bool {
	lw := strings.ToLower(w)
	return familyRoles[lw] || isMember(w, names) || names == nil && isCapitalised(w) && nameLike(w)
}

// namesAddress: text starts with two or more people it is said to, then a
// comma or colon ("Tim und Mia, geht um 8 ins Bett", "Tim and Mia: take
// out the bins"); rest is what is said to them.
func namesAddress(text string, names []string) (rest string, ok bool) {
	m := namesAddressRx.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	for _, w := range peopleSeparators.Split(strings.TrimSpace(m[1]), -1) {
		if !addressee(w, names) {
			return "", false
		}
	}
	return m[2], true
}

var namesAddressRx = regexp.MustCompile(`^\s*([\p{L}'-]+(?:\s*,\s*[\p{L}'-]+)*\s+(?i:und|and|&)\s+[\p{L}'-]+)\s*[,:]\s*(.+)$`)

// reflexiveDE: the reflexive pronoun of the speaker and of "wir".
var reflexiveDE = map[string]string{"ich": "mich", "wir": "uns"}

// selfEventTitleDE: title is an event named after a German sentence of
// the speaker or "wir" ("Ich treffe oma", "Wir essen Pizza", from "ich
// treffe Oma um 3", "heute Abend essen wir Pizza"); t names it as German
// names a plan, the verb last: "Oma treffen", "Pizza essen". A verb's
// particle keeps the sentence ("Wir ziehen um": no "Umziehen"), and so do
// "sein", "haben" and the modals. A verb alone is its infinitive ("wir
// grillen am Samstag": "Grillen").
func selfEventTitleDE(title string) (t string, ok bool) {
	f := strings.Fields(title)
	if len(f) < 2 || isParticleDE(f[len(f)-1]) || separableDangling[strings.ToLower(f[len(f)-1])] {
		return "", false
	}
	verb := strings.ToLower(f[1])
	if finiteAuxDE[verb] || auxPastDE[verb] {
		return "", false // "wir wollten morgen grillen" was "Grillen wollten"
	}
	for _, w := range f[2:] {
		if clauseWordsDE[strings.ToLower(w)] {
			return "", false // "ich glaube, wir grillen am Samstag" was "Wir grillen glauben"
		}
	}
	var inf string
	switch strings.ToLower(f[0]) {
	case "ich":
		if !strings.HasSuffix(verb, "e") {
			return "", false
		}
		inf = verb + "n" // "treffe": "treffen"
	case "wir":
		if !strings.HasSuffix(verb, "en") && !strings.HasSuffix(verb, "ern") && !strings.HasSuffix(verb, "eln") {
			return "", false
		}
		inf = verb
	default:
		return "", false
	}
	rest := f[2:]
	if len(rest) > 0 && reflexiveDE[strings.ToLower(f[0])] == strings.ToLower(rest[0]) {
		rest = rest[1:] // "wir treffen uns bei Oma": "Treffen" ("ich hole dich" keeps "dich")
	}
	if len(rest) == 0 && bareMotionDE[inf] {
		return "", false // "wir kommen morgen", "wir sehen uns am Freitag": no "Kommen", "Sehen"
	}
	t = tidyTitle(strings.Join(append(rest, inf), " "))
	return t, t != ""
}

var (
	// auxPastDE: modals and auxiliaries in the past or the subjunctive,
	// which finiteAuxDE (the present) does not hold
	auxPastDE = setOf(`wollte wollten würde würden sollte sollten könnte könnten müsste müssten musste mussten
		konnte konnten durfte durften hatte hatten wäre wären`)
	// clauseWordsDE: a subject or conjunction after the verb starts a
	// clause of its own ("ich glaube, wir grillen", "ich hoffe, dass …")
	clauseWordsDE = setOf(`ich wir du er ihr dass ob`)
	// bareMotionDE: verbs that alone say no plan
	bareMotionDE = setOf(`kommen gehen fahren laufen sehen`)
)

// drivesSomeoneDE: f (a German to-do's title, the verb last) takes someone or
// something somewhere: "Tim morgen um 5 zum Training fahren", "die Kinder
// um 8 zur Schule bringen". Said as an imperative, with a time too, it is
// the errand ("fahr Tim morgen um 5 zum Training" was the event "Fahr Tim
// zum Training"), as "drive Mia to school on Monday" is in English.
func drivesSomeoneDE(f []string) bool {
	if len(f) < 4 || !drivingVerbsDE[strings.ToLower(f[len(f)-1])] {
		return false
	}
	if destPrepsDE[strings.ToLower(f[0])] {
		return false // "zum Training fahren": nobody driven
	}
	for _, w := range f[1 : len(f)-1] {
		if destPrepsDE[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

var (
	drivingVerbsDE = setOf(`fahren bringen hinbringen hinfahren wegbringen heimbringen heimfahren`)
	destPrepsDE    = setOf(`zum zur nach ins in zu an ans aufs`)
)

// personIsObjectDE: text is a German verb first, a person, a day or time
// and the verb's particle, of a verb that takes someone ("holt Tim um 3
// ab"): the person is the one fetched, not the subject of a question
// ("holt Tim um 3 ab?" fetches nobody), so it is the imperative said to
// several ("[ihr] holt Tim um 3 ab"). "kommt Oma morgen an", "räumt Tim
// morgen auf" stay questions.
func personIsObjectDE(text string, now time.Time) bool {
	if strings.HasSuffix(strings.TrimSpace(text), "?") {
		return false
	}
	f := strings.Fields(cleanCommand(text))
	n := len(f)
	if n < 4 || !takesSomeoneDE(f) {
		return false
	}
	p := &parser{now: now, loc: now.Location(), lang: "de"}
	sc := p.scanWhen(strings.Join(f[2:n-1], " "), scanOpts{})
	return sc.found && strings.TrimSpace(sc.rest()) == ""
}

// takesSomeoneDE: f starts with a third person's (or plural imperative's)
// form of a verb that takes someone and ends with its particle ("holt …
// ab", "nimmt … mit").
func takesSomeoneDE(f []string) bool {
	n := len(f)
	if n < 2 || !isParticleDE(f[n-1]) {
		return false
	}
	inf, ok := thirdPersonDE(f[0])
	return ok && objectVerbsDE[strings.ToLower(f[n-1])+inf]
}

// objectVerbsDE: separable verbs said of someone taken somewhere, never
// without the one taken.
var objectVerbsDE = setOf(`abholen mitnehmen hinbringen wegbringen heimbringen hinfahren heimfahren abgeben`)
