package assistant

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanCommand prepares a command for the rules: one kind of quote, no
// fillers ("um", "ähm", "like"), no politeness ("could you", "please",
// "kannst du bitte mal"), no end punctuation, the most common slang
// ("2moro", "pls") spelled out and typos in command words fixed ("remnd",
// "tomorow", "Donerstag"). Item and title words are left as written.
func cleanCommand(s string) string {
	s = strings.NewReplacer("’", "'", "‘", "'", "´", "'", "`", "'", "“", `"`, "”", `"`, "„", `"`, "…", " ", "–", "-", "—", "-").Replace(s)
	toks := strings.Fields(s)
	out := toks[:0]
	for i, t := range toks {
		core := strings.ToLower(strings.Trim(t, `,.;:!?"()`))
		if fillerWords[core] || germanParticleWords[core] || (core == "like" && i > 0 && likeFiller(toks, i)) || (core == "um" && umFiller(toks, i)) ||
			(core == "er" && strings.HasSuffix(t, ",")) {
			continue
		}
		if r, ok := slang[core]; ok {
			t = strings.Replace(t, strings.Trim(t, `,.;:!?"()`), r, 1)
		} else if fix := fixKeyword(core); fix != "" {
			t = strings.Replace(t, strings.Trim(t, `,.;:!?"()`), fix, 1)
		}
		out = append(out, t)
	}
	s = strings.Join(out, " ")
	joined := s
	for {
		before := s
		s = strings.TrimSpace(strings.TrimRight(s, " .!?,;"))
		s = strings.TrimLeft(s, " ,.;:-")
		if m := politePrefix.FindStringSubmatchIndex(lowerSameLength(s)); m != nil {
			gerund := m[2] >= 0 // "would you mind putting ..."
			s = s[m[1]:]
			if gerund {
				f := strings.Fields(s)
				if len(f) > 0 {
					if base, ok := gerundBase(strings.ToLower(f[0])); ok {
						f[0] = base
						s = strings.Join(f, " ")
					}
				}
			}
		}
		if m := canWe.FindStringSubmatchIndex(lowerSameLength(s)); m != nil {
			s = s[m[2]:]
		}
		if m := ableTo.FindStringSubmatchIndex(lowerSameLength(s)); m != nil {
			// "is it possible to add milk", "do you mind adding milk": a
			// request (the question rule refused them)
			s = s[m[2]:]
			if f := strings.Fields(s); len(f) > 0 && ableGerunds[strings.ToLower(f[0])] != "" {
				f[0] = ableGerunds[strings.ToLower(f[0])]
				s = strings.Join(f, " ")
			}
		}
		if m := canI.FindStringSubmatchIndex(lowerSameLength(s)); m != nil {
			s = s[m[2]:]
		}
		s = canIDE(s)
		ls := lowerSameLength(s)
		for _, suf := range politeSuffixes {
			if strings.HasSuffix(ls, suf) && len(ls) > len(suf) {
				s = s[:len(s)-len(suf)]
				break
			}
		}
		s = strings.Join(strings.Fields(s), " ")
		if s == before {
			if m := dayOrdinalEnd.FindStringIndex(before + "."); m != nil && strings.HasSuffix(strings.TrimRight(joined, " !?"), ".") {
				s += "." // "Elternabend am 12.": the day's ordinal, no full stop
			}
			return s
		}
	}
}

// dayOrdinalEnd: a German day of the month said last ("am 12.", "bis zum
// 3."): its dot makes it a day, and is no full stop.
var dayOrdinalEnd = regexp.MustCompile(`(?i)(?:^|\s)(?:am|zum|den|vom|bis|ab)\s+\d{1,2}\.$`)

// canIDE: s without a leading "kann ich"/"darf ich" before a command
// whose last word puts something on a list ("kann ich Milch auf die Liste
// setzen" is "Milch auf die Liste setzen"; it added an item "kann ich
// Milch"). Other questions keep it ("kann ich ins Kino gehen").
func canIDE(s string) string {
	f := strings.Fields(s)
	if len(f) < 4 || !strings.EqualFold(f[1], "ich") {
		return s
	}
	switch strings.ToLower(f[0]) {
	case "kann", "darf", "könnte", "dürfte":
	default:
		return s
	}
	if !listInfinitivesDE[strings.ToLower(f[len(f)-1])] {
		return s
	}
	return strings.Join(f[2:], " ")
}

// listInfinitivesDE put something on a list, last in a German command.
var listInfinitivesDE = setOf(`setzen schreiben packen hinzufügen draufsetzen aufschreiben notieren`)

// likeAfter: "add like butter", "we need like 6 eggs".
var likeAfter = setOf(`add need needs get buy grab put`)

// umFiller: English "um," and "um so ...", not German "um 18 Uhr".
func umFiller(toks []string, i int) bool {
	if strings.HasSuffix(toks[i], ",") {
		return true
	}
	if i+1 == len(toks) {
		return i == 0
	}
	next := strings.ToLower(strings.Trim(toks[i+1], `,.;:!?"()`))
	if numberToken.MatchString(next) || hourWords[next] > 0 || next == "halb" || next == "viertel" || next == "wie" ||
		next == "mitternacht" || next == "mittag" || strings.ContainsAny(next, "0123456789") {
		return false
	}
	return i == 0 || englishWords[next]
}

// likeFiller: "we need like 6 eggs", "uh, like, add milk".
func likeFiller(toks []string, i int) bool {
	prev := strings.ToLower(toks[i-1])
	if strings.HasSuffix(prev, ",") || likeAfter[strings.Trim(prev, ",")] {
		return true
	}
	if i+1 < len(toks) {
		next := strings.ToLower(toks[i+1])
		return numberToken.MatchString(next) || numberWords[next] > 0 || next == "a" || next == "some" || strings.HasSuffix(toks[i], ",")
	}
	return false
}

var (
	fillerWords = setOf(`umm uh uhh uhm erm ehm hmm hm ähm äh öhm ähem`)
	// germanParticleWords soften German commands and mean nothing there.
	germanParticleWords = setOf(`mal bitte doch eben halt`)
	slang               = map[string]string{
		"2day": "today", "2nite": "tonight", "tonite": "tonight", "2moro": "tomorrow", "2morrow": "tomorrow", "tmrw": "tomorrow",
		"tmr": "tomorrow", "tomoz": "tomorrow", "pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks",
		"u": "you", "r": "are", "whats": "what's", "wats": "what's", "hows": "how's", "wanna": "want to", "gotta": "got to",
		"gonna": "going to", "dont": "don't", "cant": "can't", "ive": "i've",
		"thru": "through", "nxt": "next", "mon.": "monday", "gibts": "gibt's", "morgn": "morgen",
	}
	politePrefix = regexp.MustCompile(`^(?:` +
		`(?:ok(?:ay)?|so|oh|right|well|alright|also|and|actually|hey|hi|hello|hallo|yo|ja|jo|na ja|naja|gut|okay so|oh and|and also)(?: familyhub| assistant)?\b,? ` +
		`|familyhub,? |assistant,? ` +
		`|(?:please|bitte|pls|just|kindly|quickly|schnell) ` +
		`|(would you mind|could you be so kind as to|would you be so kind as to) ` +
		`|(?:can|could|would|will|can't|could't) you(?: please| just| quickly)? ` +
		`|i'd like you to |i want you to |i need you to |i'd like to |let's |lets |i wanna ` +
		`|(?:kannst|könntest|würdest|magst|willst) du(?: bitte| mal| vielleicht| mir| uns)* ` +
		`|(?:können|könnten) sie(?: bitte)? |sei so (?:lieb|nett|gut) und |ich möchte(?:,? dass du)? ` +
		`)`)
	// ableTo asks the assistant whether it can do what it does: a request
	ableTo = regexp.MustCompile(`^(?:is it possible to|would it be possible to|are you able to|do you mind) ` +
		`((?:add|put|remind|schedule|adding|putting|reminding|scheduling)\b)`)
	ableGerunds = map[string]string{"adding": "add", "putting": "put", "reminding": "remind", "scheduling": "schedule"}
	canWe       = regexp.MustCompile(`^(?:can|could|shall) we(?: please)? (?:just )?((?:get|add|put|buy|move|cancel|delete|remove|pick|grab|take|skip|push|make|reschedule|change|clear)\b)`)
	// canI asks leave to add something, a polite request to add it ("May I
	// add milk", "Can I add milk to the list"); only with "add" and "put":
	// "May I go to the park", "can I have a cookie" ask for nothing the
	// family organiser does.
	canI = regexp.MustCompile(`^(?:can|could|may) i(?: please)? (?:just )?((?:add|put)\b)`)
	// politeSuffixes end commands and mean nothing (checked in lower case).
	politeSuffixes = strings.Split(", please| please|, thanks| thanks|, thank you| thank you|, thanks a lot| thanks a lot|, danke| danke|, danke schön| danke schön|, danke dir| danke dir|, cheers| cheers|, for me| for me|, ok?| ok?|, okay?| okay?|, ja?| ja?|, oder| oder|, thx| thx|, ta", "|")
)

// fixKeyword returns the command word w is a typo of ("remnd" → "remind"),
// or "" when w is a known word or no single command word is one edit away.
// Words of four letters or fewer than that are never changed, except into
// words at least five long ("chek" → "check").
func fixKeyword(w string) string {
	if len([]rune(w)) < 4 || knownWord(w) {
		return ""
	}
	found := ""
	for _, k := range keywordTargets {
		if editDistance(w, k, 1) <= 1 {
			if found != "" && found != k {
				return ""
			}
			found = k
		}
	}
	return found
}

// knownWord: w is a word of the lexicons (command words, groceries,
// common words of either language), never to be corrected.
func knownWord(w string) bool {
	if keywords[w] || commonWords[w] || verbsEN[w] || verbsDE[w] || englishWords[w] || germanWords[w] || smallTalkWords[w] || isInfinitiveDE(w) {
		return true
	}
	if _, ok := thirdPersonBase(w); ok {
		return true
	}
	if _, ok := weekdays[strings.TrimSuffix(w, "s")]; ok {
		return true // "Tuesdays"
	}
	if _, ok := pastBase(w); ok {
		return true
	}
	if _, ok := gerundBase(w); ok {
		return true
	}
	if _, ok := lookupItem(w); ok {
		return true
	}
	_, ok := weekdays[w]
	return ok
}

// detectLanguage votes: the words of each language's function word list
// and lexicon in s. A tie is the locale's language.
func detectLanguage(s, locale string) string {
	lang, _ := languageVote(s, locale)
	return lang
}

// languageVote returns the language of s and whether the other one is
// possible too (it has a word of it, or neither has any).
func languageVote(s, locale string) (string, bool) {
	en, de := 0, 0
	ws := words(s)
	for i, w := range ws {
		switch {
		case i == len(ws)-1 && i > 1 && w == "an":
			// "Mark ruft morgen Oma an": a German particle; the English
			// article never ends a sentence (it made the command English,
			// and "Mark ruft Oma an" an event)
			de += 2
		case englishWords[w]:
			en += 2
		case germanWords[w]:
			de += 2
		case strings.ContainsAny(w, "äöüß"), isInfinitiveDE(w) || todoVerbsDE[w]:
			de++ // "Zahnarzt anrufen": a German verb
		case verbsEN[w]:
			en++
		default:
			if it, ok := lookupItem(w); ok {
				if it.lang == "de" {
					de++
				} else if it.lang == "en" {
					en++
				}
			}
		}
	}
	switch {
	case en > de:
		return "en", de > 0
	case de > en:
		return "de", en > 0
	}
	// a tie: the locale first, the other language only when the command
	// has words of it too (none of either: "limse" with a German locale
	// is not the English "lime")
	return locale, en > 0
}

// vocative is a command's opening address: "Papa, ...", "Ben: ...",
// "Ben bitte ...", "Ben, bitte ...", "Dad, please ...", and the list
// headings "Einkaufsliste: ..." / "Liste: ...".
var (
	vocativeRx     = regexp.MustCompile(`^([\p{L}][\p{L}'-]*)(?:\s*(,|:)\s*|\s+)((?:bitte|please)\s+)?(\S.*)$`)
	notVocative    = setOf(`todo to-do task tasks reminder note done erledigt erinnerung aufgabe aufgaben notiz termin event heute morgen übermorgen today tomorrow tonight also und dann and then ok okay`)
	listHeadingsRx = regexp.MustCompile(`(?i)^(?:einkaufsliste|einkaufszettel|liste|shopping list|list)\s*:\s*(\S.*)$`)
)

// spokenTo is a command's opening address, taken off: the person it is
// said to ("Papa, Milch kaufen", "Ben: Brot kaufen", "Ben bitte Milch
// kaufen", "Dad, buy milk", "Tim, take out the bins on Tuesday") or a list
// heading ("Einkaufsliste: ..."), which the rules would read as an item or
// part of a title.
type spokenTo struct {
	rest   string // the command without the address
	name   string // the word taken off
	person bool   // name may be a person (not a heading)
}

// stripVocative finds the address a command opens with; ok is false when
// there is none. A member's name may be unknown to the parser, so the
// shape decides: a word then "bitte"/"please"; a word then ":" with a
// shopping verb after it, a verb first or a member's name ("Tim: call the
// dentist"); a word then "," when the word is a family role
// or a capitalised word that is no grocery and what follows is one thing
// ("Milch, Brot kaufen" and "Tim, Mia und Ben wechseln sich ab" stay),
// starts with a verb ("Ben, buy milk and bread": a list of items never
// does), or the word is a member's name (names: the display names of the
// family's members, when known) before a list ("Ben, Milch und Brot
// kaufen"). A word the grocery lexicon knows is an item, unless it is a
// member's name or a verb follows ("Rose, buy milk": rosé). Days and words
// that head a command ("todo:", "Erinnerung:") stay too. ParseIntent decides which commands lose the address.
func stripVocative(s string, names []string) (spokenTo, bool) {
	s = strings.TrimSpace(s)
	if m := listHeadingsRx.FindStringSubmatch(s); m != nil {
		return spokenTo{rest: m[1]}, true
	}
	m := vocativeRx.FindStringSubmatch(s)
	if m == nil {
		return spokenTo{}, false
	}
	name, punct, please, rest := m[1], m[2], m[3], m[4]
	ln := strings.ToLower(name)
	if punct == "" && please == "" && !addressedBare(name, rest, names) {
		return spokenTo{}, false
	}
	if notVocative[ln] || fillerWords[ln] || germanParticleWords[ln] {
		return spokenTo{}, false
	}
	if _, ok := weekdays[ln]; ok {
		return spokenTo{}, false
	}
	if _, ok := lookupItem(ln); ok && !isMember(name, names) && !startsWithVerb(rest) {
		return spokenTo{}, false
	}
	r, _ := utf8.DecodeRuneInString(name)
	upper := unicode.IsUpper(r)
	if !familyRoles[ln] && !upper && !isMember(name, names) {
		return spokenTo{}, false
	}
	if punct == ":" && please == "" && !familyRoles[ln] && !hasAnyWord(rest, shoppingVerbs) && !isMember(name, names) && !startsWithVerb(rest) {
		return spokenTo{}, false // "Aldi: Milch und Brot" may mean the Aldi list
	}
	if punct == "," && please == "" && !familyRoles[ln] && !startsWithVerb(rest) && !isMember(name, names) {
		lr := " " + strings.ToLower(rest) + " "
		if strings.Contains(rest, ",") || strings.Contains(lr, " und ") || strings.Contains(lr, " and ") || strings.Contains(lr, " & ") {
			return spokenTo{}, false
		}
	}
	return spokenTo{rest: rest, name: name, person: true}, true
}

// startsWithVerb: s starts with an imperative ("buy milk and bread",
// "kauf Milch und Brot", "take out the bins", "bring den Müll raus"),
// which no list of items does.
func startsWithVerb(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return false
	}
	w := strings.Trim(f[0], `,.;:!?"'()`)
	if shoppingVerbs[w] || verbsEN[w] {
		return true
	}
	_, ok := imperativeDE(w)
	return ok
}

// addressedBare: name, said without a comma or "bitte"/"please" before
// rest, is the person spoken to, as dictation gives "Tim kauf Milch", "tim
// take out the bins", "Ben don't forget the dentist". Only before a command
// verb (startsWithCommand), so a member called Mark, Will or May keeps "mark
// the milk as bought", "will you buy milk" and "may I …"; and only when the
// word is a family role or a member's name (in any case: dictation often
// gives lower case), or, when the members are not known (names nil), a
// capitalised word that is no common word, item, verb or day (nameLike):
// "Don't buy milk", "Go buy milk" and "Milch kauf" are no address.
//
// A modal verb is no name here, even a member's ("will take out the bins"
// with a member called Will is a statement, not said to Will): only a
// comma, "please" or a greeting before it makes it one ("Will, take out
// the bins", "hi Will take out the bins"), or, for a member's name, a
// rest that can only be said to someone (modalSpokenTo).
func addressedBare(name, rest string, names []string) bool {
	if m := askedToRx.FindStringSubmatch(rest); m != nil && !modalWords[strings.ToLower(name)] && startsWithVerb(m[1]) {
		// "Ben can you empty the dishwasher tonight", "Tim could you
		// please take out the bins": a request to Ben, as with a comma
		// (it was not understood)
		rest = m[1]
	}
	if m := askedToDERx.FindStringSubmatch(rest); m != nil && !modalWords[strings.ToLower(name)] && askedOwnObjectDE(m[1]) {
		// "Mia kannst du die Spülmaschine ausräumen": a request to Mia, as
		// with a comma (it was not understood)
		return familyRoles[strings.ToLower(name)] || isMember(name, names) || names == nil && nameLike(name)
	}
	if !startsWithCommand(rest) {
		return false
	}
	if modalWords[strings.ToLower(name)] {
		return isMember(name, names) && modalSpokenTo(rest)
	}
	if strings.EqualFold(name, "mark") && markedAsRx.MatchString(strings.TrimSpace(rest)) {
		return false // "mark take out the bins as done" with a member Mark: the verb
	}
	switch {
	case familyRoles[strings.ToLower(name)] || isMember(name, names):
		return true
	case names != nil:
		return false
	}
	r, _ := utf8.DecodeRuneInString(name)
	return unicode.IsUpper(r) && nameLike(name)
}

// askedToRx: a request said to the one named ("can you …", "could you
// please …"); m[1] is what is asked.
var askedToRx = regexp.MustCompile(`(?i)^(?:can|could|would|will) you (?:please )?(.+)$`)

// markedAsRx ends a "mark … as done": with it, "mark" is the verb even
// when a member is called Mark ("Mark take out the bins as done" completes
// the task; it was Mark's new task "Take out the bins as done").
var markedAsRx = regexp.MustCompile(`(?i)\bas (?:done|bought|complete|completed|finished|ticked|checked|purchased|got)$`)

// modalWords start sentences as verbs ("will take out the bins", "may
// I", "soll ich"), also when a member is called so.
var modalWords = setOf(`will may might can could shall should would must soll sollst muss musst kann kannst darf mag`)

// modalSpokenTo: rest, after a member's name that is also a modal verb,
// is said to that member: it speaks to someone ("Will clean your room",
// "May räum dein Zimmer auf"), or it starts with a German imperative, which
// no modal takes ("Will kauf Milch": the modal says "will Milch kaufen").
func modalSpokenTo(rest string) bool {
	f := words(rest)
	if len(f) == 0 {
		return false
	}
	if _, ok := imperativeDE(f[0]); (ok || shoppingImperativeDE[f[0]]) && !isInfinitiveDE(f[0]) &&
		!verbsEN[f[0]] && !englishWords[f[0]] {
		return true
	}
	for _, w := range f[1:] {
		if secondPersonWords[w] {
			return true
		}
	}
	return false
}

// shoppingImperativeDE are the German imperatives of shoppingVerbs.
var shoppingImperativeDE = setOf(`kauf kaufe besorg besorge hol hole bring bringe`)

// secondPersonWords say the one spoken to is meant ("your room", "dein
// Zimmer").
var secondPersonWords = setOf(`your yours yourself dein deine deinen deinem deiner deins dir dich`)

// dontForgetRx starts a reminder said to someone ("don't forget the
// dentist"), a command though it starts with no verb of the lists.
var dontForgetRx = regexp.MustCompile(`(?i)^(?:don'?t|do not|never) forget\b`)

// startsWithCommand: s starts with an imperative or "don't forget".
func startsWithCommand(s string) bool {
	return startsWithVerb(s) || dontForgetRx.MatchString(strings.TrimSpace(s))
}

// isMember: name is the first word(s) of a member's display name.
func isMember(name string, names []string) bool {
	for _, n := range names {
		if nameMatches(name, n) {
			return true
		}
	}
	return false
}

// shoppingVerbs make "Ben: Brot kaufen" a command to Ben; without one
// "Aldi: Milch" may be a heading naming a list.
var shoppingVerbs = setOf(`kaufen kauf kaufe besorgen besorg besorge holen hol hole mitbringen bring bringe
	buy get pick grab fetch add put`)

func hasAnyWord(s string, set map[string]bool) bool {
	for _, w := range strings.Fields(s) {
		if set[strings.ToLower(strings.Trim(w, `,.;:!?"'()`))] {
			return true
		}
	}
	return false
}
