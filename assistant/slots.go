package assistant

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The words that fill an intent's slots: titles, list names and people.

// Titles.

var (
	leadingTitleWords  = setOf(`to the a an that about as , ein eine einen einem der die das den dem des`)
	danglingTitleWords = setOf(`on at by for in to from the a an as am um bis für zum zur ein and und , with of von vom ab`)
	lookupLeading      = setOf(`the a an my our your der die das den dem des ein eine einen mein meine unser unsere next nächste nächsten nächster nächstes`)
	possessives        = setOf(`my your his her its our their`)
	lookupMarkers      = setOf(`task chore todo to-do reminder appointment event meeting entry aufgabe termin ereignis erinnerung`)
)

// tidyTitle trims leftovers around a title, drops a leading article and
// capitalises it: "the dishes" → "Dishes", "den Müll rausbringen" → "Müll
// rausbringen".
func tidyTitle(s string) string {
	f := strings.Fields(strings.Trim(s, ` ,;:-"'`))
	keep := separableParticleLast(f) // "Oma kommt an": no "Oma kommt"
	for !keep && len(f) > 0 && danglingTitleWords[strings.ToLower(strings.Trim(f[len(f)-1], ",;:"))] {
		f = f[:len(f)-1]
	}
	for len(f) > 0 && leadingTitleWords[strings.ToLower(strings.Trim(f[0], ",;:"))] {
		f = f[1:]
	}
	s = strings.Trim(strings.Join(f, " "), ` ,;:-"'`)
	if s == "" || !strings.ContainsFunc(s, unicode.IsLetter) {
		return ""
	}
	return capitalise(s)
}

// separableParticleLast: f (a title) ends with the particle of a German
// separable verb it holds ("Oma kommt an", "Schule fängt wieder an", "wir
// ziehen um"), which is no dangling preposition: the title keeps it (they
// were "Oma kommt", "Schule fängt wieder", "Wir ziehen").
func separableParticleLast(f []string) bool {
	if len(f) < 3 || !separableDangling[strings.ToLower(f[len(f)-1])] {
		return false
	}
	for i, w := range f[:len(f)-1] {
		lw := strings.ToLower(w)
		if _, ok := thirdPersonDE(lw); (ok || separableFiniteDE[lw]) && i > 0 {
			return true
		}
		if i > 0 && (separableFiniteDE[lw] || verbsDE[lw]) && (strings.EqualFold(f[i-1], "wir") || strings.EqualFold(f[i-1], "sie")) {
			return true
		}
	}
	return false
}

var (
	// separableDangling are the particles danglingTitleWords would drop.
	separableDangling = setOf(`an ab um`)
	// separableFiniteDE: finite forms of verbs taking them that
	// thirdPersonDE does not read ("kommt", "fängt")
	separableFiniteDE = setOf(`kommt kommen fängt fangen zieht ziehen fährt fahren geht gehen hört hören ruft rufen
		reist reisen fliegt fliegen steigt steigen baut bauen`)
)

// lookupTitle is a title that names an existing task or event: articles,
// "next" and markers ("the dentist appointment", "der nächste
// Zahnarzttermin", "the task fix the bike") aside.
func lookupTitle(s string) string {
	f := strings.Fields(strings.Trim(s, ` ,;:-"'`))
	for len(f) > 1 && (lookupLeading[strings.ToLower(f[0])] || lookupMarkers[strings.ToLower(f[0])]) {
		f = f[1:]
	}
	for len(f) > 1 && lookupMarkers[strings.ToLower(f[len(f)-1])] {
		f = f[:len(f)-1]
	}
	if len(f) == 1 {
		if lw := strings.ToLower(f[0]); len(lw) > len("termin")+3 && strings.HasSuffix(lw, "termin") {
			f[0] = f[0][:len(f[0])-len("termin")]
		}
	}
	// "do the dishes", "do her homework": "do" is light, the thing is the title.
	if len(f) > 2 && strings.EqualFold(f[0], "do") && (lookupLeading[strings.ToLower(f[1])] || possessives[strings.ToLower(f[1])]) {
		f = f[2:]
	}
	t := tidyTitle(strings.Join(f, " "))
	if vagueTitles[strings.ToLower(t)] {
		return "" // "delete everything" names nothing
	}
	return t
}

var vagueTitles = setOf(`everything all it this that them these those anything something nothing stuff things
	alles es das dies alle etwas nichts sachen`)

// Lists.

var (
	listLeading  = regexp.MustCompile(`(?i)^(?:(?:the|my|our|a|an|die|der|den|meine|meiner|unsere|unserer|eine|einer)\s+)+`)
	newListRe    = regexp.MustCompile(`(?i)^(?:new|neue|neuen|neuer)\s+(?:shopping\s+)?(?:list|liste)\s+(?:called\s+|named\s+|namens\s+|mit dem namen\s+|for\s+(?:the\s+)?|für\s+(?:den\s+|die\s+|das\s+)?)?(.+)$`)
	newNamedList = regexp.MustCompile(`(?i)^(?:new|neue|neuen|neuer)\s+(.+?)(?:\s+list|-?liste)$`)
	listForRe    = regexp.MustCompile(`(?i)^(?:list|liste)\s+(?:for|für)\s+(?:the\s+|den\s+|die\s+|das\s+)?(.+)$`)
	listSuffix   = regexp.MustCompile(`(?i)(?:\s+list|\s+liste|-liste|-list|liste)$`)
	genericLists = setOf(`list liste shopping einkauf einkaufs einkaufszettel zettel shopping-list`)
	fugenS       = regexp.MustCompile(`(?i)(kauf|ung|heit|keit|ion|tät|schaft|ling|tag|amt|arbeit)s$`)
	// gluedListRe: a German list name written as one word with "liste"
	gluedListRe = regexp.MustCompile(`\p{Ll}liste$`)
	// fugenSAfterConsonant: a joining s after a consonant (not s, x, z) in
	// a word of five letters or more ("Urlaubs", "Hochzeits")
	fugenSAfterConsonant = regexp.MustCompile(`^(\p{Lu}\p{L}{3,}[bcdfghklmnprtvw])s$`)
)

// listName turns what the user called a list into the list slot: "the
// groceries list" → "groceries", "die Aldi-Liste" → "Aldi", "the list" and
// "die Einkaufsliste" → "" (the default list), "a new list called Camping"
// → "Camping", new. It refuses what is no list name (long, a time, a
// sentence).
func listName(s string) (name string, isNew, ok bool) {
	s = strings.Trim(strings.TrimSpace(s), ` "'.,:`)
	s = listLeading.ReplaceAllString(s, "")
	if m := newListRe.FindStringSubmatch(s); m != nil {
		s, isNew = m[1], true
	} else if m := newNamedList.FindStringSubmatch(s); m != nil {
		s, isNew = m[1], true
	} else if m := listForRe.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	if strings.EqualFold(s, "list") || strings.EqualFold(s, "liste") {
		return "", false, !isNew
	}
	glued := gluedListRe.MatchString(s)
	s = listSuffix.ReplaceAllString(s, "")
	s = strings.Trim(s, ` "'.,:-`)
	if !strings.ContainsAny(s, " ") {
		s = fugenS.ReplaceAllString(s, "$1")
		if glued {
			// "Urlaubsliste", "Hochzeitsliste": the s that joins a German
			// compound is no part of the list's name (it was "Urlaubs")
			s = fugenSAfterConsonant.ReplaceAllString(s, "$1")
		}
	}
	if genericLists[strings.ToLower(s)] || strings.EqualFold(s, "shopping") {
		return "", false, !isNew
	}
	if s == "" || utf8.RuneCountInString(s) > 60 || len(strings.Fields(s)) > 3 {
		return "", false, false
	}
	for _, w := range words(s) {
		if whenWordish(w) || commandWords[w] {
			return "", false, false
		}
	}
	if f := words(s); verbsEN[f[0]] && !isCapitalised(s) {
		return "", false, false // "call grandma" is no list
	}
	for _, w := range strings.Fields(s) {
		if !isCapitalised(w) && isInfinitiveDE(w) {
			return "", false, false // "Liste schreiben" is no list
		}
	}
	return s, isNew, true
}

// whenWordish: words that make a phrase a time, not a name.
func whenWordish(w string) bool {
	if _, ok := weekdays[w]; ok {
		return true
	}
	switch w {
	case "today", "tomorrow", "tonight", "heute", "morgen", "übermorgen", "calendar", "kalender", "diary":
		return true
	}
	return false
}

var (
	calendarTarget = regexp.MustCompile(`(?i)^(?:the\s+|my\s+|our\s+|den\s+|unseren\s+|meinen\s+)?(?:family\s+|shared\s+)?(?:calendar|diary|schedule|agenda|kalender)\b`)
	todoTarget     = regexp.MustCompile(`(?i)^(?:the\s+|my\s+|our\s+|die\s+|meine\s+|unsere\s+)?(?:to-?do|to do|task|chore|reminder|aufgaben)(?:s)?(?:\s*-?\s*(?:list|liste))?\b|^(?:die\s+)?aufgabenliste\b`)
)

// People.

var (
	meWords      = setOf(`me i myself mich ich mir i'll i've i'm`)
	usWords      = setOf(`us we uns wir everyone everybody alle`)
	familyRoles  = setOf(`mum mom mummy mommy dad daddy papa mama mutti vati grandma grandpa granny grandad nana oma opa`)
	notNameWords = setOf(`it this that there here he she they you someone somebody nobody who what which the a an
		es das dies er sie ihr du jemand niemand wer was man der die den`)
)

// person reads a person as the slot holds it: "me" for the speaker, a
// name capitalised as said; ok is false for "us" (nobody in particular)
// and for words that are no name.
func person(s string) (name string, ok bool) {
	s = strings.Trim(s, ` ,.:;!?"`)
	lw := strings.ToLower(s)
	switch {
	case meWords[lw]:
		return AssigneeMe, true
	case familyRoles[lw]:
		return capitalise(s), true
	case !nameLike(s):
		return "", false
	}
	return capitalise(s), true
}

// nameLike: one word of letters that is no common word, command word,
// item, verb, weekday or month.
func nameLike(s string) bool {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != '\'' }) {
		return false
	}
	l := strings.ToLower(s)
	if familyRoles[l] {
		return true
	}
	if notNameWords[l] || commonWords[l] || keywords[l] || verbsEN[l] || usWords[l] || meWords[l] || questionWords[l] {
		return false
	}
	if _, ok := weekdays[l]; ok {
		return false
	}
	if _, ok := months[l]; ok {
		return false
	}
	if _, ok := lookupItem(l); ok {
		return false
	}
	return utf8.RuneCountInString(s) <= 30
}

var peopleSeparators = regexp.MustCompile(`(?i)\s*(?:,\s*and\s+|,\s*und\s+|,|\s+and\s+|\s+und\s+|\s+&\s+)\s*`)

// people reads "Tim and Mia", "Tim, Mia and Ben", "Tim und Mia".
func people(s string) ([]string, bool) {
	parts := peopleSeparators.Split(strings.TrimSpace(s), -1)
	var out []string
	for _, part := range parts {
		name, ok := person(part)
		if !ok {
			return nil, false
		}
		out = append(out, name)
	}
	return out, len(out) >= 2
}
