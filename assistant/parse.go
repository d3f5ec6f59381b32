package assistant

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ParseIntent is the built-in, offline understanding of a command: text
// (already checked by AssistantText) said at now, whose location is the
// family's time zone, on a device whose language is locale ("en" or "de").
// The command's own words decide its language (the locale breaks ties);
// the other language's patterns are tried too. Relative dates and times
// come back as instants in that zone. It is pure and deterministic, and
// it never guesses: a command it does not understand, or understands only
// in part, is an EINVALID *familyhub.Error on field "text" whose message
// suggests what works, and a command with two readings is a question
// (Needs "choice").
func ParseIntent(text, locale string, now time.Time) (Intent, error) {
	return parseIntent(text, locale, now, nil)
}

// parseIntent is ParseIntent knowing the display names of the family's
// members (nil: none known), which tell a name a command is said to from
// a first item ("Ben, Milch und Brot kaufen").
func parseIntent(text, locale string, now time.Time, names []string) (Intent, error) {
	in, err := parseIntentAs(text, locale, now, names)
	if err == nil {
		membersCapitalised(&in, names) // "pick up mia": "Pick up Mia" (namecase.go)
	}
	return in, err
}

func parseIntentAs(text, locale string, now time.Time, names []string) (Intent, error) {
	if in, ok := spokenUndo(text, locale); ok {
		return in, nil // "undo that", "mach das rückgängig" (spokenundo.go)
	}
	if in, ok := pickupQuestion(text, now); ok {
		return in, nil // "who's picking up Tim", "wer holt Tim ab" (pickup.go)
	}
	in, err := parseOne(text, locale, now, names)
	if (err != nil && !isAsked(err) || err == nil && oneOff(in) && (conjoined.MatchString(in.Slots.Title) || listedWhen(text, in, now, names))) && !refusedWhole(text) {
		// "dentist Monday at 9 and physio Wednesday at 4" (was one event
		// "Dentist and physio Wednesday at 4"): several events (multi.go)
		if many, ok, merr := severalEvents(text, locale, now, names); ok || merr != nil {
			return many, merr
		}
		if err == nil && swallowedEvent(in, now, names) {
			// "dentist Monday at 9 and physio Wednesday at 4 and Ben and
			// Jerry Friday" was the event "Dentist and physio Wednesday at
			// 4 and Ben and Jerry Friday": not written
			return Intent{}, NotUnderstood(text)
		}
	}
	return in, err
}

// parseOne is parseIntent reading text as one command.
func parseOne(text, locale string, now time.Time, names []string) (Intent, error) {
	if praiseRx.MatchString(text) {
		// "well done tim" as dictated: praise, not "done: Tim" (which
		// completed a task whose title holds "Tim")
		return Intent{}, NotUnderstood(text)
	}
	if needsRest(text) {
		return Intent{}, NotUnderstood(text) // "I need a break tomorrow": no errand
	}
	if rest, ok := withoutWhenYou(text); ok {
		if in, err := parseIntent(rest, locale, now, names); err == nil && (in.Type == IntentTaskCreate || in.Type == IntentShoppingAddItems) {
			return in, nil // "Mia, empty the dishwasher when you get home": the task
		}
	}
	if in, ok, refuse := travelBy(text, now); ok || refuse {
		if refuse {
			return Intent{}, NotUnderstood(text) // "I'll take the train to Berlin": how, no to-do
		}
		return in, nil // "I'll take the train to Berlin on Friday": the trip
	}
	if in, ok := travelByDE(text, locale, now, names); ok {
		return in, nil // "ich fahre morgen mit dem Zug nach Berlin": the trip
	}
	if takesForSelf(text) {
		// "I'll take the train", "I'll take a shower": what the speaker
		// does, no chore taken over (they were task.reassign "Train",
		// "Shower") and no to-do
		return Intent{}, NotUnderstood(text)
	}
	if openingHoursRx.MatchString(text) {
		// "Bank macht um 9 auf und um 4 zu", "the bank opens at 9 and
		// closes at 4": opening hours, which hold every day, are
		// information, no plan (it was one event "Bank macht auf und zu"
		// at 09:00); FamilyHub keeps no notes, so it is not understood
		return Intent{}, NotUnderstood(text)
	}
	// "Guten Morgen, Milch kaufen", "good morning, buy milk", "Guten Tag,
	// Tim, kauf Milch": the greeting goes ("Morgen" is no day here).
	// Greeting alone, or a name after it ("Guten Morgen, Mia"), is small
	// talk (the elliptic rule's).
	if m := greetingPrefix.FindStringSubmatchIndex(text); m != nil && !smallTalkRx.MatchString(strings.TrimSpace(text)) {
		if rest := text[m[1]:]; strings.ContainsFunc(rest, unicode.IsLetter) {
			if name, after, ok := strings.Cut(strings.TrimSpace(rest), " "); ok && modalWords[strings.ToLower(name)] &&
				isMember(name, names) && startsWithCommand(after) {
				// "hi Will take out the bins": after a greeting a member
				// called Will is spoken to, as after a comma
				rest = name + ", " + after
			}
			in, err := parseIntent(rest, locale, now, names)
			if err != nil {
				return Intent{}, NotUnderstood(text)
			}
			return in, nil
		}
	}
	if rest, ok := speakerAfterAddress(text, names); ok {
		// "Mama ich hole Tim um 3 ab", "Mama, ich hole Tim um 3 ab": what
		// the speaker says they will do, said to someone, is read as said
		// without the address (it was the event "Mama ich hole Tim")
		return parseIntent(rest, locale, now, names)
	}
	if rest, ok := namesAddress(text, names); ok {
		// "Tim und Mia, geht um 8 ins Bett": said to both, as to "Kinder,"
		// (it was the event "Tim und Mia geht ins Bett"); the task is for
		// nobody in particular, as a task has one assignee
		if t, ok := imperativeTodoDE(rest, now, Intent{}); ok {
			return t, nil
		}
		if in, err := parseCommand(rest, locale, now); err == nil &&
			(in.Type == IntentTaskCreate && in.Slots.Assignee == "" || strings.HasPrefix(in.Type, "shopping.")) {
			return in, nil
		}
	}
	// "Papa, Milch kaufen", "Ben: Brot kaufen", "Dad, buy milk", "Tim, take
	// out the bins on Tuesday": without the person spoken to; a task said
	// to a person is theirs. New events keep the word ("Zahnarzt: Montag
	// 10 Uhr" is an event, "Mia: Geburtstag am 5. Mai" one named "Mia
	// Geburtstag").
	if v, ok := stripVocative(text, names); ok {
		if in, ok := spokenCommand(v, locale, now, names); ok {
			return in, nil
		}
	}
	if s, ok := invertedDE(text, now, names); ok {
		if strings.HasSuffix(s, "?") {
			return Intent{}, asked(text) // "morgen fahren wir zu Oma?"
		}
		// "morgen fahren wir zu Oma": said as "wir fahren morgen zu Oma"
		in, err := parseIntent(s, locale, now, names)
		if isAsked(err) {
			return Intent{}, asked(text)
		} else if err != nil {
			return Intent{}, NotUnderstood(text) // "morgen fahren wir nicht zu Oma"
		}
		return in, nil
	}
	if in, ok := tripStatement(text, now, names); ok {
		return in, nil // "Tim fährt morgen um 8 zum Training": a plan, an event
	}
	if in, ok, refuse := hasPlan(text, now, names); ok {
		return in, nil // "Tim has football on Friday at 5": "Tim: Football"
	} else if refuse {
		return Intent{}, NotUnderstood(text) // "Tim hat morgen keine Zeit"
	}
	if in, ok := dayIs(text, now); ok {
		return in, nil // "am Montag ist schulfrei": "Schulfrei"
	}
	if in, ok := eventIsOn(text, now); ok {
		return in, nil // "Mia's swimming gala is on Saturday at 9": the event
	}
	in, err := parseCommandNames(text, locale, now, names)
	if err == nil && twoKinds(in) {
		return Intent{}, NotUnderstood(text) // "add milk and tim needs his kit washed" (twokinds.go)
	}
	if passOnRx.MatchString(text) && !(err == nil && in.Type == IntentTaskCreate && in.Slots.Assignee != "") {
		// "sag Oma, dass wir morgen kommen", "tell grandma we're coming
		// tomorrow": a message for someone, which FamilyHub does not
		// pass on (they were the event "Sag Oma dass wir kommen" and the
		// task "Tell grandma we're"); only a message that asks them to do
		// something is their task ("sag Mia, dass sie … soll": tellDE)
		return Intent{}, NotUnderstood(text)
	}
	if err == nil && in.Type == IntentCalendarCreate && correctsNothingNamed(text, now) {
		return Intent{}, NotUnderstood(text) // "it's at 4 not 3": which event? (corrections.go)
	}
	if err == nil && in.Type == IntentCalendarCreate && statusOf(in.Slots.Title, names) {
		return Intent{}, NotUnderstood(text) // "Tim home at 6": a status, no event
	}
	if err == nil && (in.Type == IntentCalendarCreate || in.Type == IntentTaskCreate) && negatedStatement(text, names) {
		return Intent{}, NotUnderstood(text) // "wir fahren heute nicht"
	}
	if (err != nil || in.Type == IntentCalendarCreate || in.Type == IntentTaskCreate) && askedCreate(text, names) &&
		!personIsObjectDE(text, now) {
		if r, ok := politeRequestDE(text); ok {
			// "bringst du bitte den Müll raus": a request, as "kannst du
			// bitte …" is; its imperative's to-do or items
			if rin, rerr := parseIntent(r, locale, now, names); rerr == nil &&
				(rin.Type == IntentTaskCreate || rin.Type == IntentShoppingAddItems) {
				return rin, nil
			}
		}
		return Intent{}, asked(text) // "fahren wir morgen zu Oma", "are we going to grandma tomorrow"
	}
	if err == nil && in.Type == IntentCalendarCancel && (onlyPeople(in.Slots.Title, names) || nameOff(text, in.Slots.Title, names) || offSickRx.MatchString(text)) {
		return Intent{}, NotUnderstood(text) // "Mark is off on Friday": his day off, no event cancelled
	}
	if err != nil || in.Type == IntentCalendarCreate {
		if t, ok := imperativeTodoDE(text, now, in); ok {
			return t, nil
		}
		if m := groupAddressDE.FindStringIndex(text); m != nil {
			// "Kinder, geht um 8 ins Bett": said to the children, no
			// event "Kinder geht ins Bett"
			if t, ok := imperativeTodoDE(text[m[1]:], now, Intent{}); ok {
				return t, nil
			}
		} else if m := groupBareDE.FindStringIndex(text); m != nil {
			// "kinder geht um 8 ins bett" as dictated, without its comma:
			// "geht" (not "gehen") says it is said to them
			if v, _, _ := strings.Cut(text[m[1]:], " "); strings.HasSuffix(strings.ToLower(v), "t") {
				if t, ok := imperativeTodoDE(text[m[1]:], now, Intent{}); ok {
					return t, nil
				}
			}
		}
		if t, ok := selfTodoDE(text, now); ok {
			return t, nil // "ich hole Tim um 3 ab": "Tim abholen", the speaker's
		}
	}
	if f := strings.Fields(cleanCommand(text)); err == nil && in.Type == IntentCalendarCreate && !isParticleDE(f[len(f)-1]) {
		// a particle the title lost keeps the sentence: "ich fange morgen
		// an" is no "Fangen", "Morgen ich hole Tim ab" no "Tim holen"
		if t, ok := selfEventTitleDE(in.Slots.Title); ok {
			in.Slots.Title = t // "ich treffe Oma um 3": "Oma treffen", not "Ich treffe oma"
		}
	}
	return in, err
}

// imperativeTodoDE reads a German imperative of an errand or chore as the
// to-do it asks for, as when said to a person: "bring am Dienstag den Müll
// raus" is the task "Müll rausbringen" due Tuesday (not an all-day event
// "Bring den Müll raus"), "ruf morgen Oma an" the task "Oma anrufen". Only
// the verbs of to-dos (todoVerbsDE) and "mach" with a chore ("mach morgen
// die Hausaufgaben") are read so: "trag den Zahnarzt am
// Freitag ein" stays an event, "bring Milch mit" shopping. Any other
// imperative whose all-day event (ev, the sentence's other reading) would be
// named after the sentence itself is the to-do too, its particle kept: "hol
// morgen das Paket ab" is the task "Paket abholen" (not the event "Hol das
// Paket"), "mach morgen das Licht aus" the task "Licht ausmachen", as
// "pick up the parcel tomorrow" is in English; an event with a time ("triff
// Oma um 15 Uhr") stays an event.
func imperativeTodoDE(text string, now time.Time, ev Intent) (Intent, bool) {
	if ev.Type == IntentCalendarCreate && tripTitleDE(ev.Slots.Title) {
		return Intent{}, false // "fahr am Montag nach Berlin": a trip, no to-do
	}
	clean := cleanCommand(text)
	s, ok := germanVerbSecond(clean, imperativeDE)
	plural := false
	if !ok {
		s, ok = pluralImperativeDE(clean)
		plural = true
	}
	f := strings.Fields(s)
	cf := strings.Fields(clean)
	named := namedAfterImperative(clean, ev) && (!plural || len(cf) > 2 && isParticleDE(cf[len(cf)-1]))
	if !ok || len(f) < 2 {
		return Intent{}, false
	}
	last := strings.ToLower(f[len(f)-1])
	other := todoVerbsDE[last] || last == "machen" || named || routineDE(f)
	if !other && !drivingVerbsDE[last] {
		return Intent{}, false
	}
	in, err := parseCommand(s, "de", now)
	if err != nil || in.Type != IntentTaskCreate || in.Lang != "de" {
		return Intent{}, false
	}
	if !other && !drivesSomeoneDE(strings.Fields(in.Slots.Title)) {
		return Intent{}, false // "fahr morgen um 5 zum Training": nobody driven
	}
	if f[len(f)-1] == "machen" && !choreDE(strings.Fields(in.Slots.Title)) {
		return Intent{}, false // "mach morgen das Licht aus" is no to-do
	}
	return in, true
}

// groupAddressDE starts a German command said to the children together
// ("Kinder, geht um 8 ins Bett", "ihr zwei, räumt eure Zimmer auf").
var groupAddressDE = regexp.MustCompile(`(?i)^\s*(?:kinder|kids|jungs|mädels|leute|ihr (?:beiden|beide|zwei|drei))\s*[,:]\s*`)

// groupBareDE is groupAddressDE as a speech recogniser writes it, without
// the comma ("kinder geht um 8 ins bett"); only a verb in -t after it
// makes it an address.
var groupBareDE = regexp.MustCompile(`(?i)^\s*(?:kinder|kids|jungs|mädels|leute|ihr (?:beiden|beide|zwei|drei))\s+`)

// pluralImperativeDE: clean starts with the imperative said to several
// children ("geht um 8 ins Bett", "bringt am Dienstag den Müll raus"),
// which has the third person's form: s is its to-do with the verb last, as
// germanVerbSecond gives for "geh". A subject after the verb makes it a
// question or a statement ("geht ihr um 8 ins Bett", "kommt Oma morgen
// an"), and only the verbs of to-dos and routines are read so: "kommt
// morgen um 3 an" is no to-do "Ankommen".
func pluralImperativeDE(clean string) (s string, ok bool) {
	f := strings.Fields(clean)
	if len(f) < 2 || questionSubjectsDE[strings.ToLower(f[1])] || familyRoles[strings.ToLower(f[1])] && !takesSomeoneDE(f) {
		// "kommt Oma morgen an" is a question; "holt Oma um 3 ab" fetches
		// Oma, as "holt Tim um 3 ab" fetches Tim (it was the event "Holt Oma")
		return "", false
	}
	return germanVerbSecond(clean, thirdPersonDE)
}

// routineDE: f (a German to-do, the verb last) goes to bed, to sleep, to
// school or to work: "geh um 8 ins Bett" is the task "Ins Bett gehen", as
// "go to bed at 8" is in English (it was the event "Geh ins Bett"). An
// instruction to a child is a to-do, never a plan for the calendar.
func routineDE(f []string) bool {
	if len(f) < 2 || (f[len(f)-1] != "gehen" && f[len(f)-1] != "fahren") {
		return false
	}
	s := " " + strings.ToLower(strings.Join(f[:len(f)-1], " ")) + " "
	for _, goal := range routineGoalsDE {
		if strings.HasSuffix(s, " "+goal+" ") {
			return true
		}
	}
	return false
}

var routineGoalsDE = []string{"ins bett", "schlafen", "zur schule", "in die schule", "zur arbeit", "in die kita", "in den kindergarten", "duschen", "baden"}

// namedAfterImperative: ev is an all-day event whose title starts with
// the imperative verb clean starts with ("Hol das Paket" from "hol morgen
// das Paket ab"), a sentence said to someone rather than a thing that
// happens on a day.
func namedAfterImperative(clean string, ev Intent) bool {
	c, t := strings.Fields(clean), strings.Fields(ev.Slots.Title)
	if ev.Type != IntentCalendarCreate || len(c) == 0 || !ev.Slots.AllDay && !isParticleDE(c[len(c)-1]) {
		// with a time it is an event ("triff Oma um 15 Uhr"), unless
		// the imperative ends with its particle: "hol Tim um 3 ab" is the
		// task "Tim abholen" at 15:00 (it was the event "Hol Tim")
		return false
	}
	return len(c) > 0 && len(t) > 0 && strings.EqualFold(c[0], t[0])
}

// spokenCommand understands the command v says to a person (or under a
// heading): shopping under either, anything but a new event said to a
// person. A new task said to a person is theirs ("Tim, take out the bins"),
// unless the family's members are known (names) and none is called so:
// "Papa, Zahnarzt anrufen" in a family whose father is Thomas is a task
// for nobody in particular. A German imperative said to a person ("Tim,
// bring am Dienstag den Müll raus") is read as the to-do it asks for ("am
// Dienstag den Müll rausbringen").
func spokenCommand(v spokenTo, locale string, now time.Time, names []string) (Intent, bool) {
	who, isPerson := "", false
	if v.person {
		who, isPerson = person(v.name)
		if !isPerson && isMember(v.name, names) {
			who, isPerson = capitalise(v.name), true // a member called Rose or Kiwi, words the lexicon knows
		}
	}
	assign := isPerson && (names == nil || isMember(v.name, names))
	take := func(in Intent) (Intent, bool) {
		switch {
		case strings.HasPrefix(in.Type, "shopping."):
			return in, true
		case in.Type == IntentTaskRotate && v.name != "":
			// "Tim, Mia and Ben take turns …" in a family with a Tim: Tim
			// is the first of those who take turns, not the one spoken to
			// (the rotation was Mia and Ben)
			return Intent{}, false
		case in.Type == IntentCalendarCreate && (tripTitleDE(in.Slots.Title) || isTripEN(in.Slots.Title)):
			return in, true // "Tim, drive to Berlin on Monday": the trip, without the name
		case !isPerson || who == AssigneeMe || in.Type == IntentCalendarCreate:
			return Intent{}, false
		case in.Type == IntentTaskCreate && in.Slots.Assignee == "" && assign:
			in.Slots.Assignee = who
		case in.Type == IntentTaskCreate && in.Slots.Assignee == AssigneeMe && !hasAnyWord(v.rest, meWords):
			// "Tim, don't forget the bins", "Tim, vergiss nicht den
			// Müll": a reminder said to Tim is his, not the speaker's
			// ("Tim, remind me …", which says "me", stays the speaker's)
			in.Slots.Assignee = ""
			if assign {
				in.Slots.Assignee = who
			}
		}
		return in, true
	}
	if in, err := parseCommand(v.rest, locale, now); err == nil {
		if in, ok := take(in); ok {
			return in, true
		}
	}
	if isPerson {
		if s, ok := germanVerbSecond(v.rest, imperativeDE); ok {
			if in, err := parseCommand(s, "de", now); err == nil && in.Type == IntentTaskCreate && in.Lang == "de" {
				return take(in)
			}
		}
	}
	return Intent{}, false
}

func parseCommand(text, locale string, now time.Time) (Intent, error) {
	return parseCommandNames(text, locale, now, nil)
}

// parseCommandNames is parseCommand knowing the members' names (nil:
// none known), which tell a member called Mark from the verb ("Mark ruft
// morgen Oma an").
func parseCommandNames(text, locale string, now time.Time, names []string) (Intent, error) {
	p := &parser{now: now, loc: now.Location(), names: names, question: strings.HasSuffix(strings.TrimRight(text, " \t\"'”“)"), "?")}
	clean := cleanCommand(text)
	if !strings.ContainsFunc(clean, unicode.IsLetter) {
		return Intent{}, NotUnderstood(text)
	}
	first, other := languageVote(clean, locale)
	langs := []string{first}
	if other {
		langs = append(langs, otherLang(first))
	}
	for _, lang := range langs {
		p.lang = lang
		c := clean
		if lang == "de" {
			c = germanCommandFirst(c)
		}
		lc := lowerSameLength(c)
		for _, r := range rules[lang] {
			m := submatches(c, r.re.FindStringSubmatchIndex(lc))
			if m == nil {
				continue
			}
			in, ok := r.fn(p, m)
			if !ok {
				continue
			}
			if in.Lang == "" {
				in.Lang = lang
			}
			for i := range in.Options {
				in.Options[i].Lang = in.Lang
			}
			if in.Validate() != nil {
				continue
			}
			return in, nil
		}
	}
	return Intent{}, NotUnderstood(text)
}

// passOnRx starts a message to pass on to someone: "sag Oma, dass …",
// "sag Oma, wir kommen …", "tell grandma we're coming …", "sag Papa
// Bescheid, dass wir um 6 essen" (it was the event "Sag Papa Bescheid dass
// wir essen").
var passOnRx = regexp.MustCompile(`(?i)^\s*(?:sag|sage|tell)\s+[\p{L}'-]+(?:\s+bescheid)?\s*,?\s+(?:dass|that|wir|ich|du|we|we're|we'll|we are|i|i'm|i'll|you|you're)\b`)

// openingHoursRx: a place's opening and closing said together ("macht um
// 9 auf und um 4 zu", "öffnet um 9 und schließt um 4", "opens at 9 and
// closes at 4", "closes at 4 and opens at 9").
var openingHoursRx = regexp.MustCompile(`(?i)(?:^|\s)(?:auf\s+(?:und|and)|(?:öffnet|öffnen|opens)\s.*\s(?:und|and))\s(?:.*\s)?(?:zu[.!]?\s*$|(?:schließt|schließen|closes|shuts)(?:\s|[.!]|$))|` +
	`(?:^|\s)(?:zu\s+(?:und|and)|(?:schließt|schließen|closes|shuts)\s.*\s(?:und|and))\s(?:.*\s)?(?:auf[.!]?\s*$|(?:öffnet|öffnen|opens)(?:\s|[.!]|$))`)

// praiseRx starts a sentence of praise ("well done Tim", "well done on the
// dishes"): "well" is a filler elsewhere, and "done X" a task done.
var praiseRx = regexp.MustCompile(`(?i)^\s*well\s+done\b`)

// greetingPrefix starts a command with a greeting (smallTalkRx is one alone).
var greetingPrefix = regexp.MustCompile(`(?i)^\s*(?:guten (?:morgen|tag|abend)|gute nacht|good (?:morning|afternoon|evening|night)|moin|servus|hallöchen|hallo|hello|hi|hey)(?:\s*[,!.:]\s*|\s+(?:and|und)\s+|\s+)`)

func otherLang(lang string) string {
	if lang == "de" {
		return "en"
	}
	return "de"
}

// parser holds the moment, zone and language a command is understood in.
type parser struct {
	now  time.Time
	loc  *time.Location
	lang string
	// question: the command ends with "?" (cleaning drops it), which makes
	// "Milch kaufen?" no note to buy milk.
	question bool
	// names: the members' display names, nil when not known
	names []string
	// closing: the event read is a place closing (closure), whose hour
	// from 7 to 11 is the evening's
	closing bool
	// opening: the event read is a place opening (closure), whose hour
	// from 6 to 11 is the morning's
	opening bool
	// dawn: the place opening is a bakery, whose hour 5 is the morning's too
	dawn bool
}

// A rule maps a pattern to an intent; fn may still decline.
type rule struct {
	re *regexp.Regexp
	fn func(p *parser, m []string) (Intent, bool)
}

// rx compiles a rule's pattern, written in lower case, to match a whole
// command lower-cased by lowerSameLength: without (?i), a pattern that
// starts with a word is rejected at once by its literal prefix.
func rx(s string) *regexp.Regexp { return regexp.MustCompile(`^` + s + `$`) }

// lowerSameLength lower-cases s rune by rune where that keeps the byte
// length, so that match offsets in it are offsets in s.
func lowerSameLength(s string) string {
	return strings.Map(func(r rune) rune {
		if l := unicode.ToLower(r); utf8.RuneLen(l) == utf8.RuneLen(r) {
			return l
		}
		return r
	}, s)
}

// submatches slices s at a match's offsets (nil when there is none).
func submatches(s string, idx []int) []string {
	if idx == nil {
		return nil
	}
	m := make([]string, len(idx)/2)
	for i := range m {
		if idx[2*i] >= 0 {
			m[i] = s[idx[2*i]:idx[2*i+1]]
		}
	}
	return m
}

// rules are tried in order, the command's language first. Specific
// patterns come before general ones: questions, recipes and lists, then
// what changes an existing thing (rotation, reassign, snooze, cancel,
// delete, move, complete, tick), then what creates one (tasks, items,
// events), and last the elliptic forms.
var rules = map[string][]rule{}

func init() {
	rules["en"] = concat(queryRulesEN, recipeRulesEN, listRulesEN, taskChangeRulesEN, calendarChangeRulesEN, correctionRulesEN,
		shoppingChangeRulesEN, taskCreateRulesEN, shoppingAddRulesEN, calendarCreateRulesEN, ellipticRules)
	rules["de"] = concat(queryRulesDE, recipeRulesDE, listRulesDE, taskChangeRulesDE, calendarChangeRulesDE, correctionRulesDE,
		shoppingChangeRulesDE, taskCreateRulesDE, shoppingAddRulesDE, calendarCreateRulesDE, ellipticRules)
}

func concat(lists ...[]rule) []rule {
	var out []rule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// commandInfinitivesDE are verbs a German command may end with ("Eier auf
// die Lidl-Liste verschieben", "kannst du Tomaten auf die Liste setzen").
var commandInfinitivesDE = setOf(`setzen schreiben packen tun hinzufügen löschen entfernen streichen verschieben
	verlegen eintragen planen abhaken erinnern anlegen erstellen absagen schieben zuweisen markieren umsetzen
	vormerken notieren aufschreiben draufsetzen`)

// germanCommandFirst moves a German command's final infinitive to the
// front, where the imperative would be: "Eier auf die Lidl-Liste
// verschieben" → "verschieben Eier auf die Lidl-Liste". A clause after
// a comma stays ("mich morgen daran erinnern, den Arzt anzurufen").
func germanCommandFirst(s string) string {
	f := strings.Fields(s)
	if len(f) < 2 {
		return s
	}
	switch strings.ToLower(f[0]) {
	case "ich", "wir", "du", "er", "sie", "man", "uns", "mir":
		return s
	}
	for i := len(f) - 1; i > 0; i-- {
		w := strings.ToLower(strings.TrimRight(f[i], ","))
		if commandInfinitivesDE[w] && (i == len(f)-1 || strings.HasSuffix(f[i], ",")) {
			verb := w
			rest := append(append([]string{}, f[:i]...), f[i+1:]...)
			if strings.HasSuffix(f[i], ",") && i > 0 {
				rest[i-1] += ","
			}
			return verb + " " + strings.Join(rest, " ")
		}
		if strings.HasSuffix(f[i], ",") {
			break
		}
	}
	return s
}
