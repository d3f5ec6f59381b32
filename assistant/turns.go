package assistant

import (
	"regexp"
	"strings"
)

// Whose turn a chore is: the chore given to them, as "give the dishes to
// Mia" does (task.reassign). The day said with it ("this week", "heute")
// is when the turn is, not a due time. They were not understood.

// onDutyEN: "Mia is on dishes this week", "Tim's on bin duty": only a
// chore one can be on ("Tim is on holiday", "Mia is on the phone" are
// where someone is).
func (p *parser) onDutyEN(m []string) (Intent, bool) {
	sc := p.scanWhen(m[2], scanOpts{})
	w := words(sc.rest())
	if len(w) == 0 || !choreNounsEN[w[len(w)-1]] && w[len(w)-1] != "bins" && w[len(w)-1] != "bin" {
		return Intent{}, false
	}
	return p.reassignBy(m)
}

// turnEN: "it's Tim's turn to empty the dishwasher", "it's my turn to
// cook": the chore said as a to-do keeps its verb ("Empty the
// dishwasher").
func (p *parser) turnEN(m []string) (Intent, bool) {
	name, ok := AssigneeMe, true
	if who := strings.TrimSuffix(m[1], "'s"); who != "my" {
		name, ok = person(who)
	}
	if !ok {
		return Intent{}, false
	}
	sc := p.scanWhen(m[2], scanOpts{})
	if sc.w.hasTime || sc.w.hasRel {
		return Intent{}, false
	}
	title := tidyTitle(sc.rest())
	if title == "" {
		return Intent{}, false
	}
	in := Intent{Type: IntentTaskReassign, Slots: IntentSlots{Title: title, Assignee: name}}
	return p.turnOrTask(in, m[2]), true
}

// turnOrTask: a turn said with a part of a day ("it's my turn to cook
// tonight", "ich bin heute Abend mit Kochen dran") is the chore
// taken over, or, when the family has no such chore, a task of that
// member due then: a question execution answers by dropping the option
// that cannot run (it was only the reassign, refused with "No open task
// matches “Cook”"). what is the chore with its time words.
func (p *parser) turnOrTask(in Intent, what string) Intent {
	if sc := p.scanWhen(what, scanOpts{}); sc.w.part == "" {
		return in // "Ben ist heute dran mit Staubsaugen": the chore, as before
	}
	task, ok := p.newTask(what, in.Slots.Assignee)
	if !ok || task.Type != IntentTaskCreate || task.Slots.DueAt == nil {
		return in
	}
	return Intent{Type: IntentClarify, Needs: NeedsChoice, Options: []Intent{in, task}}
}

// dranDE: "Mia ist diese Woche mit dem Abwasch dran", "Ben ist heute dran
// mit Staubsaugen": m is who and the rest, which holds "dran"; without
// the chore ("Tim ist dran") nothing is said.
func (p *parser) dranDE(m []string) (Intent, bool) {
	var rest []string
	for _, w := range strings.Fields(m[2]) {
		if !strings.EqualFold(w, "dran") {
			rest = append(rest, w)
		}
	}
	what := dranLeadDE.ReplaceAllString(strings.Join(rest, " "), " ")
	if !dranLeadDE.MatchString(" "+m[2]+" ") || strings.TrimSpace(what) == "" {
		return Intent{}, false
	}
	in, ok := p.reassignBy([]string{m[0], m[1], strings.TrimSpace(what)})
	if !ok {
		return Intent{}, false
	}
	return p.turnOrTask(in, strings.TrimSpace(what)), true
}

var dranLeadDE = regexp.MustCompile(`(?i)(?:^|\s)mit(?:\s+(?:dem|der|den))?\s+`)
