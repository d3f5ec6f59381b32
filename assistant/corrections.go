package assistant

import (
	"regexp"
	"strings"
	"time"
)

// A correction of when an event is, said as news with what it is not:
// "the dentist is at 4 not 3", "der Zahnarzt ist um 4, nicht um 3", "der
// Zahnarzt ist nicht um 3, sondern um 4" move the event (they were not
// understood). Both sides must say only when; the side it is not names
// the occurrence when it is a day ("the party is on Saturday not Friday"
// moves Friday's party; with none on Friday nothing moves). The time it
// is not is from_time: an event found at another time is not moved.

var correctionRulesEN = []rule{
	// "is" before "'s", so that an owner stays in the title ("Tim's
	// football is at 5 not 4")
	{rx(`(?:(?:no|actually|sorry|oops|wait|oh),? )*(?:the )?(.+?) (?:is|are) (.+?),? not (.+)`), (*parser).correctedWhen},
	{rx(`(?:(?:no|actually|sorry|oops|wait|oh),? )*(?:the )?(.+?) ?'s (.+?),? not (.+)`), (*parser).correctedWhen},
}

var correctionRulesDE = []rule{
	{rx(`(?:(?:nein|doch|sorry|ach|quatsch|halt|ups),? )*(?:der |die |das )?(.+?) (?:ist|sind) (.+?),? nicht (.+)`), (*parser).correctedWhen},
	{rx(`(?:(?:nein|doch|sorry|ach|quatsch|halt|ups),? )*(?:der |die |das )?(.+?) (?:ist|sind) nicht (.+?),? sondern (.+)`), (*parser).correctedWhenDE},
}

func (p *parser) correctedWhenDE(m []string) (Intent, bool) {
	return p.corrected(m[1], m[3], m[2])
}

func (p *parser) correctedWhen(m []string) (Intent, bool) {
	return p.corrected(m[1], m[2], m[3])
}

// corrected: the event what is at is, not at not.
func (p *parser) corrected(what, is, not string) (Intent, bool) {
	tw, ok := p.target(is)
	if !ok {
		return Intent{}, false
	}
	nw, ok := p.target(not)
	if !ok || tw.hasTime != nw.hasTime || (tw.hasDate || tw.weekday >= 0) != (nw.hasDate || nw.weekday >= 0) {
		return Intent{}, false // "at 4 not on Friday": no correction of one thing
	}
	if _, ok := person(what); ok || onlyPeople(what, p.names) || pronounOnly(words(what)) {
		return Intent{}, false // "Tim is at 4 not 3", "it's at 4 not 3": no event named
	}
	from := ""
	if !nw.hasTime {
		from = not
	}
	in, ok := p.move(what, from, is)
	if ok && nw.hasTime {
		// "at 4 not 3": only an event at 3 moves (exec checks)
		in.Slots.FromTime = clock{hour: nw.clock.hour24(nw.part), min: nw.clock.min}.String()
	}
	return in, ok
}

// sameTimeRx ends a move's target with the time kept, which a move to
// another day does anyway: "to thursday same time", "auf Donnerstag
// gleiche Uhrzeit", "to friday at the same time" (they were all-day events
// "Move swimming to same time").
var sameTimeRx = regexp.MustCompile(`(?i)^(.*?\S)[,\s]+(?:(?:at|um|zur|zu der|zu|in) )?(?:the |die |der )?(?:same|gleiche|gleichen|selbe|selben)(?: time| uhrzeit| zeit)$`)

func withoutSameTime(to string) string {
	if m := sameTimeRx.FindStringSubmatch(strings.TrimSpace(to)); m != nil {
		return m[1]
	}
	return to
}

// correctsNothingNamed: text corrects when something is without naming an
// event ("it's at 4 not 3", "that's on friday not thursday", "tim's at 4
// not 3"): which event is meant is not said, so nothing is written (they
// were the events "It's not 3", "That's not thursday", "Tim's not 3").
// Called only when the sentence became a new event, so a correction that
// names one (a move) never gets here.
func correctsNothingNamed(text string, now time.Time) bool {
	clean := cleanCommand(text)
	lc := lowerSameLength(clean)
	for _, lang := range []string{"en", "de"} {
		p := &parser{now: now, loc: now.Location(), lang: lang}
		rs := correctionRulesEN
		if lang == "de" {
			rs = correctionRulesDE
		}
		for _, r := range rs {
			m := submatches(clean, r.re.FindStringSubmatchIndex(lc))
			if m == nil {
				continue
			}
			if _, ok := p.target(m[2]); ok {
				if _, ok := p.target(m[3]); ok {
					return true
				}
			}
		}
	}
	return false
}
