package assistant

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Execution: an intent becomes the domain operations of package db, inside
// the command's one transaction, the same writes the REST API makes. Every
// write goes through the executor's journal, which records what undo needs.

// Result holds the records a command read or wrote, as it left them (a
// deleted record as it was): the HTTP layer shows them as the REST API
// does. It is stored with the command (JSON of these Go types) and
// answered again for a repeated command id.
type Result struct {
	List        *dbsqlc.ShoppingList       `json:",omitempty"`
	ToList      *dbsqlc.ShoppingList       `json:",omitempty"`
	ListCreated bool                       `json:",omitempty"`
	Items       []dbsqlc.ShoppingItemsView `json:",omitempty"`
	Recipe      string                     `json:",omitempty"` // the recipe's title
	Servings    int32                      `json:",omitempty"`
	Task        *dbsqlc.Task               `json:",omitempty"`
	Event       *dbsqlc.CalendarEvent      `json:",omitempty"`
	// Created are the events calendar.create_many made, in the order said.
	Created []dbsqlc.CalendarEvent `json:",omitempty"`
	// Occurrence is the occurrence moved, cancelled or asked about.
	Occurrence *db.Occurrence `json:",omitempty"`
	// Deleted says the Items, Task or Event are gone (as they were).
	Deleted bool `json:",omitempty"`
	// A question about days (query.today): from Date (YYYY-MM-DD) for Days.
	Date   string          `json:",omitempty"`
	Days   int             `json:",omitempty"`
	Tasks  []dbsqlc.Task   `json:",omitempty"`
	Chores []Chore         `json:",omitempty"`
	Events []db.Occurrence `json:",omitempty"`
}

// Chore is a recurring task due on a day whose instance the daily job has
// not made yet: a question writes nothing, so it shows the template.
type Chore struct {
	TemplateID uuid.UUID
	Title      string
	DueAt      *time.Time
}

// question is what execution answers when a command has several readings
// only the records tell apart (two tasks match, an item is on two lists):
// the command's transaction is rolled back and the person is asked.
type question struct {
	message string
	options []Intent
	labels  []string
}

func (q *question) Error() string { return "question: " + q.message }

// executor runs intents for one caller in one transaction.
type executor struct {
	ctx  context.Context
	tx   *db.Tx
	me   uuid.UUID // the speaker
	loc  *time.Location
	now  time.Time
	text string // the command as said
	say  *speaker
	j    *journal
	// ran is the option of a question that ran instead of the question
	// (the only one whose target exists).
	ran *Intent
	// members are the family's members, read once per transaction
	// (memberList): a command cannot change them.
	members []db.Member
}

// memberList is the family's members, read on first use.
func (x *executor) memberList() ([]db.Member, error) {
	if x.members == nil {
		m, err := x.tx.MemberList(x.ctx)
		if err != nil {
			return nil, err
		}
		x.members = m
	}
	return x.members, nil
}

func newExecutor(ctx context.Context, tx *db.Tx, lang, text string, loc *time.Location, now time.Time) *executor {
	x := &executor{ctx: ctx, tx: tx, loc: loc, now: now.In(loc), text: text, say: newSpeaker(lang, loc, now)}
	if a := tx.Auth(); a != nil {
		x.me = a.UserID
	}
	x.j = &journal{x: x, byKey: map[journalKey]*journalEntry{}}
	return x
}

// execute runs in and returns its result and the sentence that says what
// was done; a refusal is an error in the command's language, a question a
// *question.
func (x *executor) execute(in Intent) (Result, string, error) {
	if in.Needs == NeedsChoice {
		return x.choose(in)
	}
	switch in.Type {
	case IntentShoppingAddItems:
		return x.addItems(in)
	case IntentShoppingCheckItems:
		return x.checkItems(in)
	case IntentShoppingRemoveItems:
		return x.removeItems(in)
	case IntentShoppingMoveItems:
		return x.moveItems(in)
	case IntentShoppingClearChecked:
		return x.clearChecked(in)
	case IntentShoppingCreateList:
		return x.createList(in)
	case IntentShoppingAddRecipe:
		return x.addRecipe(in)
	case IntentTaskCreate:
		return x.createTask(in)
	case IntentTaskRotate:
		return x.rotateTask(in)
	case IntentTaskComplete:
		return x.completeTask(in)
	case IntentTaskSnooze:
		return x.snoozeTask(in)
	case IntentTaskReassign:
		return x.reassignTask(in)
	case IntentTaskDelete:
		return x.deleteTask(in)
	case IntentCalendarCreate:
		return x.createEvent(in)
	case IntentCalendarCreateMany:
		return x.createEvents(in)
	case IntentCalendarMove:
		return x.moveEvent(in)
	case IntentCalendarCancel:
		return x.cancelEvent(in)
	case IntentCalendarDelete:
		return x.deleteEvent(in)
	case IntentQueryToday:
		return x.today(in)
	case IntentQueryWhen:
		return x.when(in)
	case IntentQueryPickup:
		return x.pickup(in)
	case IntentCommandUndo:
		// the service undoes the last command (Service.undoSpoken); as an
		// option of a question there is nothing to run
		return Result{}, "", familyhub.Invalid("intent", "command.undo is no option of a question.")
	}
	return Result{}, "", familyhub.Invalid("intent", "Unknown intent type %q.", in.Type)
}

// errDryRun rolls a trial of an option back.
var errDryRun = errors.New("dry run")

// choose answers a question the parser asked ("fish and chips": one item
// or two; "delete the dentist": the task or the event?). Each option is
// tried in a savepoint and rolled back; options whose target does not
// exist drop out. When one is left it runs (the answer says what was
// done); when none is, the first one's refusal is the answer.
func (x *executor) choose(in Intent) (Result, string, error) {
	var left []Intent
	var labels []string
	var firstErr error
	for _, o := range in.Options {
		err := x.tx.Savepoint(x.ctx, func(tx *db.Tx) error {
			y := newExecutor(x.ctx, tx, x.say.lang, x.text, x.loc, x.now)
			y.members = x.members
			defer func() { x.members = y.members }() // a savepoint rolled back leaves the members as they were
			if _, _, err := y.execute(o); err != nil {
				return err
			}
			return errDryRun
		})
		var q *question
		switch {
		case errors.Is(err, errDryRun), errors.As(err, &q):
			left = append(left, o)
			labels = append(labels, x.label(o))
		case !isRefusal(err):
			return Result{}, "", err // the database failed: no guessing
		case firstErr == nil:
			firstErr = err
		}
	}
	switch len(left) {
	case 0:
		return Result{}, "", firstErr
	case 1:
		x.ran = &left[0]
		return x.execute(left[0])
	}
	if len(left) == 2 && labels[0] == labels[1] {
		// "it's my turn to cook tonight" with a chore "Cook": take it over
		// or add a new one (both were "the task “Cook”")
		for i, o := range left {
			switch o.Type {
			case IntentTaskReassign:
				labels[i] = x.say.word("label.task_take", "title", x.say.quote(o.Slots.Title))
			case IntentTaskCreate:
				labels[i] = x.say.word("label.task_new", "title", x.say.quote(o.Slots.Title))
			}
		}
	}
	return Result{}, "", x.ask("q.generic", left, labels)
}

// isRefusal reports whether err refuses the command (the user's to fix),
// rather than a failure of the database.
func isRefusal(err error) bool {
	switch familyhub.ErrorCode(err) {
	case familyhub.EINVALID, familyhub.ENOTFOUND, familyhub.ECONFLICT, familyhub.EFORBIDDEN, familyhub.ELIMIT:
		return true
	}
	return false
}

// ask returns the question with options (labelled for buttons), worded by
// key with the labels as {options}, and kv.
func (x *executor) ask(key string, options []Intent, labels []string, kv ...string) *question {
	if len(options) > MaxIntentOptions {
		options, labels = options[:MaxIntentOptions], labels[:MaxIntentOptions]
	}
	for i := range options {
		options[i].Lang = x.say.lang
	}
	return &question{message: x.say.say(key, append(kv, "options", x.say.or(labels))...), options: options, labels: labels}
}

// askTitle asks which of titles (records that match alike) in means: one
// option per title, in order.
func (x *executor) askTitle(key string, in Intent, titles map[string]string) *question {
	var opts []Intent
	var labels []string
	for _, title := range sortedValues(titles) {
		opts = append(opts, variant(in, func(s *IntentSlots) { s.Title = title }))
		labels = append(labels, x.say.quote(title))
	}
	return x.ask(key, opts, labels)
}

// variant returns in with its slots changed by set: one option of a
// question.
func variant(in Intent, set func(s *IntentSlots)) Intent {
	o := Intent{Type: in.Type, Lang: in.Lang, Slots: in.Slots}
	o.Slots.Items = append([]IntentItem(nil), in.Slots.Items...)
	o.Slots.Rotation = append([]string(nil), in.Slots.Rotation...)
	set(&o.Slots)
	return o
}

// label words an option of the parser's questions for its button.
func (x *executor) label(o Intent) string {
	s := x.say
	switch o.Type {
	case IntentShoppingAddItems:
		if len(o.Slots.Items) == 1 {
			return s.word("label.one_item", "item", s.quote(o.Slots.Items[0].Name))
		}
		var names []string
		for _, it := range o.Slots.Items {
			names = append(names, it.Name)
		}
		return s.word("label.items", "items", s.quote(joinComma(names)), "n", itoa(len(names)))
	case IntentTaskCreate, IntentTaskRotate, IntentTaskComplete, IntentTaskSnooze, IntentTaskReassign, IntentTaskDelete:
		return s.word("label.task", "title", s.quote(o.Slots.Title))
	case IntentCalendarCreate, IntentCalendarCreateMany, IntentCalendarMove, IntentCalendarCancel, IntentCalendarDelete, IntentQueryWhen:
		return s.word("label.event", "title", s.quote(o.Slots.Title))
	}
	if o.Slots.Title != "" {
		return s.quote(o.Slots.Title)
	}
	return o.Type
}
