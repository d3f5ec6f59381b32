package assistant

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Questions: what is on a day (or several), and when something is. They
// only read.

func (x *executor) today(in Intent) (Result, string, error) {
	first := familyhub.CivilDate(x.now, x.loc)
	if in.Slots.Date != "" {
		first, _ = time.Parse(time.DateOnly, in.Slots.Date)
	}
	days := max(in.Slots.Days, 1)
	start, _ := familyhub.DayBounds(first, x.loc)
	_, end := familyhub.DayBounds(first.AddDate(0, 0, days-1), x.loc)
	templates, err := x.tx.TaskList(x.ctx, db.TaskListParams{Templates: true, ReadOnly: true})
	if err != nil {
		return Result{}, "", err
	}
	occs, _, err := x.tx.CalendarOccurrences(x.ctx, start, end)
	if err != nil {
		return Result{}, "", err
	}
	res := Result{Date: first.Format(time.DateOnly), Days: days, Events: occs}
	var said []string
	for i := 0; i < days; i++ {
		day := first.AddDate(0, 0, i)
		tasks, err := x.tx.TaskList(x.ctx, db.TaskListParams{Day: &day, ReadOnly: true})
		if err != nil {
			return Result{}, "", err
		}
		chores := x.choresOn(day, templates, tasks)
		res.Tasks, res.Chores = append(res.Tasks, tasks...), append(res.Chores, chores...)
		if parts := x.agenda(day, tasks, chores, occs); len(parts) > 0 {
			said = append(said, x.say.say("agenda.day", "day", x.say.day(day, false), "items", strings.Join(parts, "; ")))
		}
	}
	if len(said) > 0 {
		return res, strings.Join(said, " "), nil
	}
	when := x.say.day(first, true)
	if days > 1 {
		when = x.say.word("days_from", "from", x.say.day(first, false), "to", x.say.day(first.AddDate(0, 0, days-1), false))
	}
	return res, x.say.say("agenda.nothing", "day", when), nil
}

// choresOn returns the chores due on day whose instance does not exist
// yet (the question writes nothing, so it does not make them).
func (x *executor) choresOn(day time.Time, templates, tasks []dbsqlc.Task) []Chore {
	have := map[uuid.UUID]bool{}
	for _, t := range tasks {
		if t.TemplateID != nil {
			have[*t.TemplateID] = true
		}
	}
	var out []Chore
	for _, t := range templates {
		if have[t.ID] || t.Recurrence == nil || day.Before(familyhub.CivilDate(t.CreatedAt, x.loc)) {
			continue
		}
		rec, err := familyhub.ParseRecurrence("recurrence", *t.Recurrence)
		if err != nil {
			continue
		}
		occ, ok := rec.OnDate(db.TaskTemplateStart(t, x.loc), x.loc, day)
		if !ok {
			continue
		}
		c := Chore{TemplateID: t.ID, Title: t.Title}
		if t.DueAt != nil {
			occ = occ.UTC()
			c.DueAt = &occ
		}
		out = append(out, c)
	}
	return out
}

// agenda words one day: its tasks, chores and events.
func (x *executor) agenda(day time.Time, tasks []dbsqlc.Task, chores []Chore, occs []db.Occurrence) []string {
	var parts []string
	s := x.say
	for _, t := range tasks {
		// A snoozed task is on the day for its new time (TaskListDay), and
		// is said at it, as the app shows it ("snoozed to 20:15").
		at := t.DueAt
		if t.SnoozedUntil != nil {
			at = t.SnoozedUntil
		}
		switch {
		case t.CompletedAt != nil:
			parts = append(parts, s.word("agenda.done", "title", t.Title))
		case at != nil && !isEndOfDay(at.In(x.loc)):
			parts = append(parts, s.word("agenda.at", "title", t.Title, "time", s.clock(*at)))
		default:
			parts = append(parts, t.Title)
		}
	}
	for _, c := range chores {
		if c.DueAt != nil && !isEndOfDay(c.DueAt.In(x.loc)) {
			parts = append(parts, s.word("agenda.at", "title", c.Title, "time", s.clock(*c.DueAt)))
		} else {
			parts = append(parts, c.Title)
		}
	}
	start, end := familyhub.DayBounds(day, x.loc)
	for _, o := range occs {
		if !o.Start.Before(end) || !o.End.After(start) && !o.Start.Equal(start) {
			continue
		}
		allDay := o.Event.AllDay
		if o.Override != nil {
			allDay = o.Override.AllDay
		}
		if allDay || o.Start.Before(start) {
			parts = append(parts, s.word("agenda.all_day", "title", occurrenceTitle(o)))
		} else {
			parts = append(parts, s.word("agenda.at", "title", occurrenceTitle(o), "time", s.clock(o.Start)))
		}
	}
	return parts
}

// when answers when an event is (its next occurrence) or, when no event
// matches, when a task is due.
func (x *executor) when(in Intent) (Result, string, error) {
	occ, err := x.findEvent(in, "", "")
	if err == nil {
		allDay := occ.Event.AllDay
		if occ.Override != nil {
			allDay = occ.Override.AllDay
		}
		return Result{Event: &occ.Event, Occurrence: &occ},
			x.say.say("when.event", "title", x.say.quote(occurrenceTitle(occ)), "when", x.eventWhen(occ.Start, allDay)), nil
	}
	if _, ok := err.(*refusal); !ok {
		return Result{}, "", err // a question, or the database failed
	}
	t, found, err := x.findTask(in, poolReassign)
	if _, ok := err.(*refusal); ok || err == nil && !found {
		return Result{}, "", x.say.refuse("title", "nothing_found", "title", x.say.quote(in.Slots.Title))
	} else if err != nil {
		return Result{}, "", err // a question, or the database failed
	}
	if t.DueAt == nil {
		return Result{Task: &t}, x.say.say("when.task_open", "title", x.say.quote(t.Title)), nil
	}
	return Result{Task: &t}, x.say.say("when.task", "title", x.say.quote(t.Title), "when", x.say.when(*t.DueAt, true)), nil
}
