package assistant

import (
	"regexp"
	"strings"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// "who's picking up Tim", "wer holt Tim ab": a question (query.pickup)
// answered from the calendar and the tasks of today and tomorrow (or the
// day asked): who is down to pick the person up, and when, or that nobody
// is. It writes nothing.

var (
	pickupAskEN = regexp.MustCompile(`(?i)^\s*who(?:'s| is| will| 'll|'ll| are| has| does| do|'s going to| is going to)?\s+(?:be\s+)?(?:picking|picks|pick|collecting|collects|collect|fetching|fetches|fetch|getting|gets|get)\s+(?:up\s+)?(.+?)(?:\s+up)?\s*\??\s*$`)
	pickupAskDE = regexp.MustCompile(`(?i)^\s*wer\s+(?:holt|holen|wird|kann|soll)\s+(.+?)\s+(?:ab|abholen)\s*\??\s*$`)
	// pickupWords say a title is about picking someone up.
	pickupWords = setOf(`pick picking pickup collect collecting fetch fetching get getting abholen abholung abholt holt hole holen abhol`)
)

// pickupQuestion reads "who's picking up Tim (tomorrow)", "wer holt Tim
// (morgen) ab": the person, and a day when one was said.
func pickupQuestion(text string, now time.Time) (Intent, bool) {
	lang, m := "en", pickupAskEN.FindStringSubmatch(text)
	if m == nil {
		lang, m = "de", pickupAskDE.FindStringSubmatch(text)
	}
	if m == nil {
		return Intent{}, false
	}
	p := &parser{now: now, loc: now.Location(), lang: lang}
	sc := p.scanWhen(m[1], scanOpts{})
	in := Intent{Type: IntentQueryPickup, Lang: lang}
	if sc.found {
		if sc.w.hasTime || sc.w.span != "" || sc.rec != nil {
			return Intent{}, false
		}
		day, _, ok := p.resolve(sc.w)
		if !ok {
			return Intent{}, false
		}
		in.Slots.Date = day.Format(time.DateOnly)
	}
	who := strings.Fields(strings.Trim(sc.rest(), " ?.!,"))
	if len(who) == 0 || len(who) > 2 || pickupWords[strings.ToLower(who[0])] || itemKnownPhrase(strings.ToLower(who[len(who)-1])) {
		return Intent{}, false // "who's getting milk" asks for no pick-up
	}
	if len(who) == 1 {
		who[0] = capitalise(who[0]) // "tim" as dictated is Tim; "the kids" stays as said
	}
	in.Slots.Title = strings.Join(who, " ")
	return in, in.Validate() == nil
}

// pickup answers query.pickup: the tasks (a person's, or nobody's) and
// events of the days asked whose title says picking up the person.
func (x *executor) pickup(in Intent) (Result, string, error) {
	first, days := familyhub.CivilDate(x.now, x.loc), 2
	if in.Slots.Date != "" {
		first, _ = time.Parse(time.DateOnly, in.Slots.Date)
		days = 1
	}
	start, _ := familyhub.DayBounds(first, x.loc)
	_, end := familyhub.DayBounds(first.AddDate(0, 0, days-1), x.loc)
	members, err := x.memberList()
	if err != nil {
		return Result{}, "", err
	}
	res := Result{Date: first.Format(time.DateOnly), Days: days, Tasks: []dbsqlc.Task{}, Events: []db.Occurrence{}}
	var said []string
	for i := 0; i < days; i++ {
		day := first.AddDate(0, 0, i)
		tasks, err := x.tx.TaskList(x.ctx, db.TaskListParams{Day: &day, ReadOnly: true})
		if err != nil {
			return Result{}, "", err
		}
		for _, t := range tasks {
			if t.CompletedAt != nil || !pickingUp(t.Title, in.Slots.Title) {
				continue
			}
			res.Tasks = append(res.Tasks, t)
			when := x.say.day(day, true)
			if t.DueAt != nil {
				when = x.say.when(*t.DueAt, true)
			}
			who, isSpeaker := "", false
			for _, m := range members {
				if t.AssigneeID != nil && m.ID == *t.AssigneeID {
					who, isSpeaker = m.DisplayName, m.ID == x.me
				}
			}
			said = append(said, x.pickupSays(who, isSpeaker, in.Slots.Title, t.Title, when))
		}
	}
	occs, _, err := x.tx.CalendarOccurrences(x.ctx, start, end)
	if err != nil {
		return Result{}, "", err
	}
	for _, o := range occs {
		title := occurrenceTitle(o)
		if !pickingUp(title, in.Slots.Title) {
			continue
		}
		res.Events = append(res.Events, o)
		who, isSpeaker := "", false
		for _, w := range strings.Fields(title) {
			if w = strings.Trim(w, ",.:;!?"); familyRoles[strings.ToLower(w)] {
				who = capitalise(w) // "Mama holt Tim ab"
			}
		}
		for _, m := range members {
			if nameIn(title, m.DisplayName) && !nameMatches(in.Slots.Title, m.DisplayName) {
				who, isSpeaker = m.DisplayName, m.ID == x.me
			}
		}
		said = append(said, x.pickupSays(who, isSpeaker, in.Slots.Title, title, x.eventWhen(o.Start, o.Event.AllDay)))
	}
	if len(said) > 0 {
		return res, strings.Join(said, " "), nil
	}
	when := x.say.word("pickup.today_tomorrow")
	if days == 1 {
		when = x.say.day(first, true)
	}
	return res, x.say.say("pickup.nobody", "person", in.Slots.Title, "when", when), nil
}

// pickupSays says who picks up person when (title is the record's).
func (x *executor) pickupSays(who string, isSpeaker bool, person, title, when string) string {
	switch {
	case isSpeaker:
		return x.say.say("pickup.you", "person", person, "when", when)
	case who != "":
		return x.say.say("pickup.who", "who", who, "person", person, "when", when)
	}
	return x.say.say("pickup.unassigned", "title", x.say.quote(title), "when", when)
}

// pickingUp: title says picking up person ("Pick up Tim", "Tim abholen",
// "Mama holt Tim ab").
func pickingUp(title, person string) bool {
	has := false
	for _, w := range strings.Fields(strings.ToLower(familyhub.Fold(title))) {
		if pickupWords[strings.Trim(w, ",.:;!?")] {
			has = true
		}
	}
	return has && nameIn(title, person)
}

// nameIn: title holds the words of name (its first word suffices: "Tim"
// for "Tim Rivera"), a possessive or a colon after it too.
func nameIn(title, name string) bool {
	nw := titleWords(name)
	if len(nw) == 0 {
		return false
	}
	for _, w := range titleWords(title) {
		if w == nw[0] || w == nw[0]+"s" {
			return true
		}
	}
	return false
}
