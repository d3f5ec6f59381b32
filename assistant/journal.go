package assistant

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// The undo journal: every write of a command goes through the executor's
// methods below, which call the domain operation and note the record
// before it (the first time the command touches it). When the command is
// done, journal.writes reads each record as the command left it (its
// version included): undo restores the befores, and refuses when a record
// is no longer as the command left it.

type journalKey struct {
	entity string
	id     uuid.UUID
}

type journalEntry struct {
	key    journalKey
	op     string
	before any
}

type journal struct {
	x       *executor
	entries []*journalEntry
	byKey   map[journalKey]*journalEntry
}

// eventState is an event with its changed occurrences: what an event's
// journal entry holds.
type eventState struct {
	Event     dbsqlc.CalendarEvent
	Overrides []dbsqlc.CalendarEventOverride
}

func (j *journal) note(entity string, id uuid.UUID, op string, before any) {
	k := journalKey{entity, id}
	e := j.byKey[k]
	switch {
	case e == nil:
		e = &journalEntry{key: k, op: op, before: before}
		j.byKey[k] = e
		j.entries = append(j.entries, e)
	case op == db.WriteDelete && e.op == db.WriteInsert: // made and gone: nothing to undo
		delete(j.byKey, k)
		for i, f := range j.entries {
			if f == e {
				j.entries = append(j.entries[:i], j.entries[i+1:]...)
				break
			}
		}
	case op == db.WriteDelete:
		e.op = db.WriteDelete
	}
}

// writes returns the journal for the command's record: each record with
// its state before and as the command left it.
func (j *journal) writes() ([]db.AssistantWrite, error) {
	out := make([]db.AssistantWrite, 0, len(j.entries))
	for _, e := range j.entries {
		w := db.AssistantWrite{Entity: e.key.entity, ID: e.key.id, Op: e.op}
		var err error
		if e.before != nil {
			if w.Before, err = json.Marshal(e.before); err != nil {
				return nil, fmt.Errorf("journal: %w", err)
			}
		}
		if e.op != db.WriteDelete {
			after, version, err := j.x.current(e.key)
			if err != nil {
				return nil, err
			}
			if w.After, err = json.Marshal(after); err != nil {
				return nil, fmt.Errorf("journal: %w", err)
			}
			w.Version = &version
		}
		out = append(out, w)
	}
	return out, nil
}

// current reads a journalled record as it is now, with its version.
func (x *executor) current(k journalKey) (any, int64, error) {
	switch k.entity {
	case db.EntityShoppingList:
		l, err := x.tx.ShoppingListGet(x.ctx, k.id)
		return l, l.Version, err
	case db.EntityShoppingItem:
		it, err := x.tx.ShoppingItemGet(x.ctx, k.id)
		return it, it.Version, err
	case db.EntityTask:
		t, err := x.tx.TaskGet(x.ctx, k.id)
		return t, t.Version, err
	case db.EntityCalendarEvent:
		st, err := x.eventState(k.id)
		return st, st.Event.Version, err
	}
	return nil, 0, fmt.Errorf("journal: unknown entity %q", k.entity)
}

func (x *executor) eventState(id uuid.UUID) (eventState, error) {
	e, err := x.tx.CalendarEventGet(x.ctx, id)
	if err != nil {
		return eventState{}, err
	}
	ovs, err := x.tx.CalendarOverrides(x.ctx, []uuid.UUID{id})
	return eventState{Event: e, Overrides: ovs[id]}, err
}

// Shopping writes.

func (x *executor) listCreate(name string) (dbsqlc.ShoppingList, error) {
	l, _, err := x.tx.ShoppingListCreate(x.ctx, db.ShoppingListNew{Name: name})
	if err == nil {
		x.j.note(db.EntityShoppingList, l.ID, db.WriteInsert, nil)
	}
	return l, err
}

// itemPut puts an item on a list by the rule every merging add keeps
// (db.Tx.ShoppingItemPut: an open line of the name kept, its amount added
// to; a ticked one unticked). onList is the list as the command has left
// it so far; it comes back with the item in it. A line changed is noted
// as it was, so an undo puts back the tick and the amount.
func (x *executor) itemPut(listID uuid.UUID, onList []dbsqlc.ShoppingItemsView, p db.ShoppingItemNew) (dbsqlc.ShoppingItemsView, []dbsqlc.ShoppingItemsView, error) {
	put, err := x.tx.ShoppingItemPut(x.ctx, listID, onList, p, x.say.lang == "de")
	if err != nil {
		return put.Item, onList, err
	}
	x.notePut(put)
	return put.Item, put.OnList, nil
}

// notePut notes what a merging add's put did: a line changed as it was
// (an undo puts back the tick and the amount), a new line as made; a line
// kept as it is not at all (the add did not change it).
func (x *executor) notePut(put db.ShoppingPut) {
	if put.Before != nil {
		x.j.note(db.EntityShoppingItem, put.Item.ID, db.WriteUpdate, *put.Before)
	} else if put.New {
		x.j.note(db.EntityShoppingItem, put.Item.ID, db.WriteInsert, nil)
	}
}

func (x *executor) itemTick(cur dbsqlc.ShoppingItemsView) (dbsqlc.ShoppingItemsView, error) {
	x.j.note(db.EntityShoppingItem, cur.ID, db.WriteUpdate, cur)
	return x.tx.ShoppingItemUpdate(x.ctx, cur.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
}

// itemsMove moves items to a list at once: the list is counted once for
// all of them (db.Tx.ShoppingItemsMove).
func (x *executor) itemsMove(curs []dbsqlc.ShoppingItemsView, to uuid.UUID) ([]dbsqlc.ShoppingItemsView, error) {
	ids := make([]uuid.UUID, len(curs))
	for i, cur := range curs {
		x.j.note(db.EntityShoppingItem, cur.ID, db.WriteUpdate, cur)
		ids[i] = cur.ID
	}
	return x.tx.ShoppingItemsMove(x.ctx, ids, to)
}

func (x *executor) itemDelete(cur dbsqlc.ShoppingItemsView) error {
	x.j.note(db.EntityShoppingItem, cur.ID, db.WriteDelete, cur)
	return x.tx.ShoppingItemDelete(x.ctx, cur.ID)
}

// Task writes.

// taskCreate creates a task; a recurring one's instances made with it are
// the command's too.
func (x *executor) taskCreate(p db.TaskNew) (dbsqlc.Task, error) {
	t, _, err := x.tx.TaskCreate(x.ctx, p)
	if err != nil {
		return t, err
	}
	x.j.note(db.EntityTask, t.ID, db.WriteInsert, nil)
	if t.Recurrence == nil {
		return t, nil
	}
	open, err := x.tx.TaskList(x.ctx, db.TaskListParams{IncludeSnoozed: true, ReadOnly: true})
	for _, o := range open {
		if o.TemplateID != nil && *o.TemplateID == t.ID {
			x.j.note(db.EntityTask, o.ID, db.WriteInsert, nil)
		}
	}
	return t, err
}

func (x *executor) taskUpdate(cur dbsqlc.Task, p db.TaskPatch) (dbsqlc.Task, error) {
	x.j.note(db.EntityTask, cur.ID, db.WriteUpdate, cur)
	return x.tx.TaskUpdate(x.ctx, cur.ID, p)
}

func (x *executor) taskComplete(cur dbsqlc.Task) (dbsqlc.Task, error) {
	x.j.note(db.EntityTask, cur.ID, db.WriteUpdate, cur)
	return x.tx.TaskComplete(x.ctx, cur.ID)
}

func (x *executor) taskSnooze(cur dbsqlc.Task, until time.Time) (dbsqlc.Task, error) {
	x.j.note(db.EntityTask, cur.ID, db.WriteUpdate, cur)
	return x.tx.TaskSnooze(x.ctx, cur.ID, until)
}

// taskDelete deletes a task; a chore takes its open instances with it,
// and the journal keeps them too.
func (x *executor) taskDelete(cur dbsqlc.Task) error {
	if cur.Recurrence != nil {
		open, err := x.tx.TaskList(x.ctx, db.TaskListParams{IncludeSnoozed: true, ReadOnly: true})
		if err != nil {
			return err
		}
		for _, o := range open {
			if o.TemplateID != nil && *o.TemplateID == cur.ID {
				x.j.note(db.EntityTask, o.ID, db.WriteDelete, o)
			}
		}
	}
	x.j.note(db.EntityTask, cur.ID, db.WriteDelete, cur)
	return x.tx.TaskDelete(x.ctx, cur.ID)
}

// Calendar writes.

func (x *executor) eventAdd(f db.CalendarEventFields) (dbsqlc.CalendarEvent, error) {
	e, _, err := x.tx.CalendarEventAdd(x.ctx, f)
	if err == nil {
		x.j.note(db.EntityCalendarEvent, e.ID, db.WriteInsert, nil)
	}
	return e, err
}

func (x *executor) eventBefore(id uuid.UUID) error {
	st, err := x.eventState(id)
	if err == nil {
		x.j.note(db.EntityCalendarEvent, id, db.WriteUpdate, st)
	}
	return err
}

func (x *executor) eventReplace(cur dbsqlc.CalendarEvent, f db.CalendarEventFields) (dbsqlc.CalendarEvent, error) {
	if err := x.eventBefore(cur.ID); err != nil {
		return cur, err
	}
	return x.tx.CalendarEventReplace(x.ctx, cur, f, nil)
}

func (x *executor) occurrenceSet(cur dbsqlc.CalendarEvent, o db.CalendarOverrideFields) (dbsqlc.CalendarEvent, error) {
	if err := x.eventBefore(cur.ID); err != nil {
		return cur, err
	}
	e, _, err := x.tx.CalendarOccurrenceSet(x.ctx, cur, o)
	return e, err
}

func (x *executor) occurrenceCancel(cur dbsqlc.CalendarEvent, rid time.Time) (dbsqlc.CalendarEvent, error) {
	if err := x.eventBefore(cur.ID); err != nil {
		return cur, err
	}
	return x.tx.CalendarOccurrenceCancel(x.ctx, cur.ID, rid)
}

func (x *executor) eventDelete(cur dbsqlc.CalendarEvent) error {
	st, err := x.eventState(cur.ID)
	if err != nil {
		return err
	}
	x.j.note(db.EntityCalendarEvent, cur.ID, db.WriteDelete, st)
	return x.tx.CalendarEventDelete(x.ctx, cur.ID)
}
