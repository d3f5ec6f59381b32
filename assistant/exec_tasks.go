package assistant

import (
	"sort"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Tasks and chores: who a name means, which task a title means, and the
// writes.

// member is a member of the family a command names.
type member struct {
	id      uuid.UUID
	name    string // the display name, as the records hold it
	speaker bool
}

// member resolves a name as said ("Tim", "me") to a member of the family;
// an unknown name is refused with the members, a name two members share
// is a question (set puts the chosen member's name into an option).
func (x *executor) member(in Intent, said string, set func(s *IntentSlots, name string)) (member, error) {
	members, err := x.memberList()
	if err != nil {
		return member{}, err
	}
	if said == AssigneeMe {
		for _, m := range members {
			if m.ID == x.me {
				return member{id: m.ID, name: m.DisplayName, speaker: true}, nil
			}
		}
		return member{}, familyhub.Errorf(familyhub.EFORBIDDEN, "Only a member of the family can be given a task.")
	}
	var hits []db.Member
	for _, m := range members {
		if nameMatches(said, m.DisplayName) {
			hits = append(hits, m)
		}
	}
	switch len(hits) {
	case 0:
		var names []string
		for _, m := range members {
			names = append(names, m.DisplayName)
		}
		sort.Strings(names)
		return member{}, x.say.refuse("assignee", "member_unknown", "name", said, "names", x.say.and(names))
	case 1:
		return member{id: hits[0].ID, name: hits[0].DisplayName, speaker: hits[0].ID == x.me}, nil
	}
	var opts []Intent
	var labels []string
	for _, m := range hits {
		name := m.DisplayName
		opts = append(opts, variant(in, func(s *IntentSlots) { set(s, name) }))
		labels = append(labels, name)
	}
	return member{}, x.ask("q.which_member", opts, labels)
}

// Which tasks a command may mean.
const (
	poolOpen      = iota // one-off tasks and instances not done (complete, snooze)
	poolReassign         // open ones, then chores
	poolDelete           // chores first, then open ones
	poolTemplates        // chores only (rotate)
)

// findTask finds the task a title means among the pool: the best match
// (small typos forgiven); two different titles as good are a question;
// several tasks of one title (a chore's instances) resolve to the one due
// today, else the earliest, or the chore itself for a delete. ok false:
// nothing matches (err says so, unless the pool is templates).
func (x *executor) findTask(in Intent, pool int) (t dbsqlc.Task, ok bool, err error) {
	var tasks []dbsqlc.Task
	if pool != poolTemplates {
		if tasks, err = x.tx.TaskList(x.ctx, db.TaskListParams{IncludeSnoozed: true, ReadOnly: in.Type == IntentQueryWhen}); err != nil {
			return t, false, err
		}
	}
	if pool != poolOpen {
		templates, err := x.tx.TaskList(x.ctx, db.TaskListParams{Templates: true, ReadOnly: true})
		if err != nil {
			return t, false, err
		}
		if pool == poolDelete || pool == poolTemplates {
			tasks = append(templates, tasks...)
		} else {
			tasks = append(tasks, templates...)
		}
	}
	names, err := x.nameWords()
	if err != nil {
		return t, false, err
	}
	scores := make([]float64, len(tasks))
	for i, c := range tasks {
		scores[i] = nameScore(in.Slots.Title, c.Title, names) // "done tim" is not "Pick up Tim"
	}
	pick := best(scores)
	if len(pick) == 0 {
		if pool == poolTemplates {
			return t, false, nil
		}
		return t, false, x.noTask(in, tasks)
	}
	titles := map[string]string{}
	for _, i := range pick {
		titles[itemKey(tasks[i].Title)] = tasks[i].Title
	}
	if len(titles) > 1 {
		return t, false, x.askTitle("q.which_task", in, titles)
	}
	choice := tasks[pick[0]] // templates first for a delete, else by due time
	if pool == poolDelete && choice.Recurrence != nil {
		return choice, true, nil
	}
	today := familyhub.CivilDate(x.now, x.loc)
	for _, i := range pick {
		if c := tasks[i]; c.InstanceDate.Valid && c.InstanceDate.Time.Equal(today) {
			return c, true, nil
		}
	}
	return choice, true, nil
}

func (x *executor) noTask(in Intent, tasks []dbsqlc.Task) error {
	var open []string
	for _, t := range tasks {
		if t.Recurrence == nil && len(open) < 5 {
			open = append(open, t.Title)
		}
	}
	title := x.say.quote(in.Slots.Title)
	if len(open) == 0 {
		return x.say.refuse("title", "task_none_open", "title", title)
	}
	return x.say.refuse("title", "task_not_found_in", "title", title, "titles", x.say.and(x.say.quoteAll(open)))
}

func (x *executor) createTask(in Intent) (Result, string, error) {
	sl := in.Slots
	p := db.TaskNew{Title: sl.Title, DueAt: sl.DueAt}
	var who member
	if sl.Assignee != "" {
		var err error
		if who, err = x.member(in, sl.Assignee, func(s *IntentSlots, n string) { s.Assignee = n }); err != nil {
			return Result{}, "", err
		}
		p.AssigneeID = &who.id
	}
	if sl.Recurrence != "" {
		p.Recurrence = &sl.Recurrence
	}
	t, err := x.taskCreate(p)
	if err != nil {
		return Result{}, "", err
	}
	kv := []string{"title", x.say.quote(t.Title), "for", "", "due", "", "repeat", ""}
	if sl.Assignee != "" && !who.speaker {
		kv[3] = x.say.word("for", "person", who.name)
	}
	if t.DueAt != nil {
		kv[5] = x.say.word("due", "when", x.say.when(*t.DueAt, true))
	}
	if t.Recurrence != nil {
		kv[7] = x.say.word("repeat", "rule", x.say.rule(*t.Recurrence))
	}
	msg := x.say.say("task.created", kv...)
	if t.DueAt != nil && t.Recurrence == nil {
		msg += x.say.past(*t.DueAt, isEndOfDay(t.DueAt.In(x.loc)))
	}
	return Result{Task: &t}, msg, nil
}

// rotateTask makes the chore of the title rotate between the members
// named: the existing chore's rotation changes, else a new chore is made
// (every day unless a recurrence was said).
func (x *executor) rotateTask(in Intent) (Result, string, error) {
	sl := in.Slots
	var ids []uuid.UUID
	var names []string
	for i, said := range sl.Rotation {
		m, err := x.member(in, said, func(s *IntentSlots, n string) { s.Rotation[i] = n })
		if err != nil {
			return Result{}, "", err
		}
		ids, names = append(ids, m.id), append(names, m.name)
	}
	chore, found, err := x.findTask(in, poolTemplates)
	if err != nil {
		return Result{}, "", err
	}
	people := x.say.and(names)
	if found {
		p := db.TaskPatch{Rotation: familyhub.Some(ids)}
		if sl.Recurrence != "" {
			p.Recurrence = familyhub.Some(sl.Recurrence)
		}
		t, err := x.taskUpdate(chore, p)
		if err != nil {
			return Result{}, "", err
		}
		return Result{Task: &t}, x.say.say("task.rotating", "title", x.say.quote(t.Title), "people", people, "rule", x.say.rule(*t.Recurrence)), nil
	}
	rule := sl.Recurrence
	if rule == "" {
		rule = "FREQ=DAILY"
	}
	t, err := x.taskCreate(db.TaskNew{Title: sl.Title, DueAt: sl.DueAt, Recurrence: &rule, Rotation: familyhub.Some(ids)})
	if err != nil {
		return Result{}, "", err
	}
	return Result{Task: &t}, x.say.say("task.rotation_created", "title", x.say.quote(t.Title), "people", people, "rule", x.say.rule(*t.Recurrence)), nil
}

func (x *executor) completeTask(in Intent) (Result, string, error) {
	cur, _, err := x.findTask(in, poolOpen)
	if err != nil {
		return Result{}, "", err
	}
	if err := x.personDone(in.Slots.Title, cur.Title); err != nil {
		return Result{}, "", err // "Tim is done": Tim, no task "Tim" (persondone.go)
	}
	t, err := x.taskComplete(cur)
	if err != nil {
		return Result{}, "", err
	}
	return Result{Task: &t}, x.say.say("task.completed", "title", x.say.quote(t.Title)), nil
}

func (x *executor) snoozeTask(in Intent) (Result, string, error) {
	until := *in.Slots.Until
	if !until.After(x.say.now) {
		return Result{}, "", x.say.refuse("until", "snooze_past", "when", x.say.when(until, false))
	}
	cur, _, err := x.findTask(in, poolOpen)
	if err != nil {
		return Result{}, "", err
	}
	t, err := x.taskSnooze(cur, until)
	if err != nil {
		return Result{}, "", err
	}
	return Result{Task: &t}, x.say.say("task.snoozed", "title", x.say.quote(t.Title), "when", x.say.when(until, false)), nil
}

func (x *executor) reassignTask(in Intent) (Result, string, error) {
	who, err := x.member(in, in.Slots.Assignee, func(s *IntentSlots, n string) { s.Assignee = n })
	if err != nil {
		return Result{}, "", err
	}
	cur, _, err := x.findTask(in, poolReassign)
	if err != nil {
		return Result{}, "", err
	}
	t, err := x.taskUpdate(cur, db.TaskPatch{AssigneeID: familyhub.Some(who.id)})
	if err != nil {
		return Result{}, "", err
	}
	if who.speaker {
		return Result{Task: &t}, x.say.say("task.reassigned_me", "title", x.say.quote(t.Title)), nil
	}
	return Result{Task: &t}, x.say.say("task.reassigned", "title", x.say.quote(t.Title), "person", who.name), nil
}

func (x *executor) deleteTask(in Intent) (Result, string, error) {
	cur, _, err := x.findTask(in, poolDelete)
	if err != nil {
		return Result{}, "", err
	}
	if err := x.taskDelete(cur); err != nil {
		return Result{}, "", err
	}
	key := "task.deleted"
	if cur.Recurrence != nil {
		key = "task.deleted_chore"
	}
	return Result{Task: &cur, Deleted: true}, x.say.say(key, "title", x.say.quote(cur.Title)), nil
}
