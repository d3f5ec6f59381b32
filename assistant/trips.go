package assistant

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// tripStatement reads a statement of a trip with a day or a time, said of
// a member, a family role, "we" or "I" ("Tim fährt morgen um 8 zum
// Training", "wir fahren am Samstag zu Oma", "Wir fahren Sonntag um 10 an
// den See", "Tim is driving to practice tomorrow at 8", "we're flying to
// Rome on Friday"), as a plan for the calendar: an event named after the
// trip ("Fahrt zum Training", "Drive to practice"), the member's name
// before it ("Tim: Fahrt zum Training"; events have no assignee). Before,
// the German ones were Tim's task "Zum Training fahren" or the event "Wir
// fahren an den See", and "Tim is driving to practice tomorrow at 8" was
// not understood. An instruction stays a to-do ("fahr am Sonntag zu Oma",
// "am Sonntag zu Oma fahren"), and so does what is no trip: someone driven
// ("Tim fährt Mia morgen zum Training"), going home ("Tim fährt um 6 nach
// Hause", a status), "going to" before a verb ("we're going to swim on
// Saturday"). A repeated trip is a repeating event, as "Swimming lessons
// every Monday at 5pm" is: "Tim fährt jeden Dienstag zum Training" is the
// weekly all-day event "Tim: Fahrt zum Training" (it was his chore "Zum
// Training fahren", a task to tick every week though nobody asked for one).
// Only trips on named weekdays are (weeklyOnNamedDays): a daily routine
// ("Tim fährt jeden Tag zur Schule", "Mark goes to work every day",
// "werktags") stays the person's repeating task, as an all-day event on
// every day would fill the family's calendar.
func tripStatement(text string, now time.Time, names []string) (Intent, bool) {
	f := strings.Fields(cleanCommand(strings.ReplaceAll(text, "’", "'")))
	who, i := tripSubject(f, names)
	if i == 0 || i >= len(f)-2 {
		return Intent{}, false
	}
	v := strings.ToLower(f[i])
	if i+1 < len(f) && tripAuxEN[v] {
		i++
		v = strings.ToLower(f[i])
	}
	rest := strings.Join(f[i+1:], " ")
	p := &parser{now: now, loc: now.Location()}
	var title string
	switch {
	case goVerbsDE[v]:
		// "Tim geht am Dienstag zum Fußball": the activity, as "Tim goes to
		// football on Tuesday" is "Tim: Football" (it was Tim's task "Zum
		// Fußball gehen"); going anywhere else is no trip ("Tim geht um 8
		// ins Bett", "zur Schule")
		p.lang = "de"
		dest, ok := p.tripRest(rest, tripDestDERx)
		df := strings.Fields(dest)
		if !ok || len(df) != 2 || !strings.EqualFold(df[0], "zum") && !strings.EqualFold(df[0], "zur") || !activityDE(df[1]) {
			return Intent{}, false
		}
		title = capitalise(df[1])
	case tripVerbsDE[v] != "":
		p.lang = "de"
		dest, ok := p.tripRest(rest, tripDestDERx)
		if !ok {
			return Intent{}, false
		}
		title = tripVerbsDE[v] + " " + capitaliseDestDE(dest)
	case tripVerbsEN[v] != "":
		p.lang = "en"
		dest, ok := p.tripRest(rest, tripDestENRx)
		if !ok {
			return Intent{}, false
		}
		first := strings.Fields(dest)[1]
		if v == "going" && !isCapitalised(first) && !tripDestWordsEN[strings.ToLower(first)] &&
			!strings.HasSuffix(first, "'s") && !tripActivity(strings.Join(strings.Fields(dest)[1:], " ")) {
			return Intent{}, false // "we're going to swim on Saturday": a plan to do, no place
		}
		activity := strings.Join(strings.Fields(dest)[1:], " ")
		switch {
		case tripDestWordsEN[strings.TrimSuffix(strings.ToLower(first), "'s")]:
		case tripActivity(activity):
			// "Tim goes to football on Tuesday": the activity, no place
			// ("Tim: Go to Football"); going to it is "Tim: Football"
			if v == "go" || v == "goes" || v == "going" {
				title = capitalise(activity)
			}
		default:
			if place, ok := tripPlace(activity); ok {
				dest = strings.Fields(dest)[0] + " " + place // "to berlin": "to Berlin"
			}
		}
		if title == "" {
			title = tripVerbsEN[v] + " " + dest
		}
	default:
		return Intent{}, false
	}
	in, ok := p.event(title + " " + rest)
	if !ok || (in.Slots.Recurrence != "" && !weeklyOnNamedDays(in.Slots.Recurrence)) {
		return Intent{}, false // "Tim fährt jeden Tag zur Schule": his routine, a task
	}
	in.Slots.Title, in.Slots.Location = title, ""
	if who != "" {
		in.Slots.Title = who + ": " + title
	}
	in.Lang = p.lang
	if in.Validate() != nil {
		return Intent{}, false
	}
	return in, true
}

// tripActivity: what follows "to" is an activity (football, swimming,
// ballet lessons): no place to capitalise.
func tripActivity(s string) bool {
	f := words(s)
	if len(f) == 0 || len(f) > 2 {
		return false
	}
	for i, w := range f {
		// a gerund only in lower case: "Reading" is a town
		ing := strings.HasSuffix(w, "ing") && len(w) > 5 && !pronounObjectsEN[w] // "something" is no activity
		if !(offActivities[w] && !activityVerbs[w]) && !(ing && !isCapitalised(strings.Fields(s)[i])) {
			return false
		}
	}
	return true
}

// activityDE: w is a German sport, lesson or club one goes to ("zum
// Fußball", "zum Ballett", "zum Klavierunterricht", "zum
// Schwimmtraining", "zum Sport", "zur Chorprobe"); "Training" alone stays a trip's goal, as "practice"
// does in English.
func activityDE(w string) bool {
	lw := strings.ToLower(w)
	if activitiesDE[lw] {
		return true
	}
	for _, suf := range activitySuffixesDE {
		if strings.HasSuffix(lw, suf) && len(lw) > len(suf)+2 {
			return true
		}
	}
	return false
}

var (
	goVerbsDE    = setOf(`geht gehen gehe`)
	activitiesDE = setOf(`fußball handball basketball volleyball hockey tennis tischtennis badminton ballett tanzen
		turnen schwimmen reiten judo karate chor yoga klavier gitarre geige klettern leichtathletik schach sport
		nachhilfe`)
	// activitySuffixesDE end compounds that are activities: "zum
	// Schwimmtraining", "zur Chorprobe", "zur Klavierstunde"
	activitySuffixesDE = []string{"training", "unterricht", "kurs", "probe", "stunde"}
	// groupSubjects: the children together, a subject as a member is
	// ("die Kinder gehen am Samstag zum Schwimmen")
	groupSubjects = setOf(`kinder kids children jungs mädels`)
)

// activityVerbs are activities that are verbs too: "going to swim" is a
// plan to do, no place or activity gone to.
var activityVerbs = setOf(`swim run dance visit date film show camp`)

// weeklyOnNamedDays: rule repeats weekly on one to four named weekdays
// ("FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"); daily,
// every weekday (MO–FR), monthly and yearly rules are not.
func weeklyOnNamedDays(rule string) bool {
	weekly, days := false, 0
	for _, part := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "FREQ":
			weekly = v == "WEEKLY"
		case "BYDAY":
			days = len(strings.Split(v, ","))
		}
	}
	return weekly && days > 0 && days < 5
}

// tripRest: rest (the words after the verb) is a destination (destRx)
// and a day or time, nothing else; dest is the destination as said.
func (p *parser) tripRest(rest string, destRx *regexp.Regexp) (dest string, ok bool) {
	sc := p.scanWhen(rest, scanOpts{durations: true, recurrence: true})
	if !sc.found {
		return "", false
	}
	dest = strings.Join(strings.Fields(sc.rest()), " ")
	m := destRx.FindStringSubmatch(dest)
	if m == nil {
		return "", false
	}
	f := words(m[1])
	for _, w := range f {
		if tripNotDest[w] {
			return "", false
		}
	}
	if p.lang == "en" && !tripDestWordsEN[f[0]] && (verbsEN[f[0]] || travelVerbs[f[0]]) {
		return "", false // "Tim is driving to pick up Mia": an errand
	}
	return dest, true
}

// tripSubject: f starts with who travels: "wir", "ich", "we", "I" (who
// ""), or members' names or family roles, joined by "and"/"und" (who as
// said, capitalised); i is the index after it, 0 when there is none.
// Without the members (names nil) a capitalised word that is no common
// word, item or verb is taken for a name. "we're", "I'm", "Tim's" carry
// their verb ("'re", "'m", "'s" read as is).
func tripSubject(f []string, names []string) (who string, i int) {
	if len(f) == 0 {
		return "", 0
	}
	switch lw := strings.ToLower(f[0]); lw {
	case "wir", "ich", "we", "i":
		return "", 1
	case "we're", "i'm", "we'll", "i'll":
		return "", 1
	case "die", "the":
		if len(f) > 1 && groupSubjects[strings.ToLower(f[1])] {
			return capitalise(f[1]), 2 // "die Kinder gehen am Samstag zum Schwimmen": "Kinder: Schwimmen"
		}
	}
	if groupSubjects[strings.ToLower(f[0])] {
		return capitalise(f[0]), 1
	}
	var parts []string
	for i < len(f) {
		w := f[i]
		base := strings.TrimSuffix(w, "'s")
		lb := strings.ToLower(base)
		member := isMember(base, names) || familyRoles[lb] ||
			(names == nil && unicode.IsUpper([]rune(base)[0]) && nameLike(base))
		if !member || (len(parts) > 0 && strings.ToLower(f[i-1]) != "and" && strings.ToLower(f[i-1]) != "und") {
			break
		}
		parts = append(parts, capitalise(base))
		i++
		if base != w {
			break // "Tim's driving": the verb follows
		}
		if i+1 < len(f) && (strings.EqualFold(f[i], "and") || strings.EqualFold(f[i], "und")) {
			i++
		}
	}
	if len(parts) == 0 {
		return "", 0
	}
	if strings.EqualFold(f[i-1], "and") || strings.EqualFold(f[i-1], "und") {
		return "", 0
	}
	joiner := " and "
	if i < len(f) && (tripVerbsDE[strings.ToLower(f[i])] != "" || goVerbsDE[strings.ToLower(f[i])]) {
		// "Tim und Mia gehen am Dienstag zum Fußball": "Tim und Mia:
		// Fußball", German as the trips' titles are (it was "Tim and Mia")
		joiner = " und "
	}
	return strings.Join(parts, joiner), i
}

var (
	// tripVerbsDE: the statement's verb and the trip's noun
	tripVerbsDE = map[string]string{"fährt": "Fahrt", "fahren": "Fahrt", "fahre": "Fahrt",
		"fliegt": "Flug", "fliegen": "Flug", "fliege": "Flug", "reist": "Reise", "reisen": "Reise", "reise": "Reise"}
	// tripVerbsEN: the statement's verb and the trip's (as "Drive to Berlin")
	tripVerbsEN = map[string]string{"driving": "Drive", "drives": "Drive", "drive": "Drive",
		"going": "Go", "goes": "Go", "go": "Go", "flying": "Fly", "flies": "Fly", "fly": "Fly",
		"travelling": "Travel", "traveling": "Travel", "travels": "Travel", "travel": "Travel"}
	tripAuxEN = setOf(`is are am will 's 're 'm`)
	// a destination: a preposition and one to four words
	tripDestDERx = regexp.MustCompile(`^(?i:nach|zu|zum|zur|an|ans|in|ins|aufs|auf) ((?:\p{L}[\p{L}'-]*)(?: \p{L}[\p{L}'-]*){0,3})$`)
	tripDestENRx = regexp.MustCompile(`^(?i:to) ((?:\p{L}[\p{L}'-]*)(?: \p{L}[\p{L}'-]*){0,3})$`)
	// tripNotDest: going home is a status ("Tim fährt um 6 nach Hause"),
	// a pronoun names no place, "be"/"have" follow a "going to" of plans
	tripNotDest = setOf(`home hause heim bed bett mir dir ihm ihr uns euch me you him her us them it this that be have`)
	// tripDestWordsEN: places said without an article after "going to"
	tripDestWordsEN = setOf(`the a an my our your his her their practice training school work church town
		grandma grandpa granny nana mum mom dad`)
)

// capitaliseDestDE: dest (a German destination, its preposition first)
// with its nouns capitalised, as speech recognisers write them in lower
// case: "nach berlin" is "nach Berlin", "an den see" "an den See", "zum
// training" "zum Training" (they were "Fahrt nach berlin", "Fahrt an den
// see"), as the instructions' trips are ("Fahrt nach Berlin").
func capitaliseDestDE(dest string) string {
	f := strings.Fields(dest)
	for i := 1; i < len(f); i++ {
		if !articlesDE[strings.ToLower(f[i])] {
			f[i] = capitalise(f[i])
		}
	}
	return strings.Join(f, " ")
}

var articlesDE = setOf(`der die das den dem des ein eine einen einem einer`)
