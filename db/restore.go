package db

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Moving an item between lists, and putting records back as they were (the
// assistant's undo). Each is an ordinary write: the row triggers announce
// it as usual. A put-back honours If-Match (the version ctx asks for), so
// that nothing someone changed since is overwritten; a move of many items
// takes none (see ShoppingItemsMove). What a restore adds to a
// bounded collection (an item back on its list, a task reopened or put
// back, an event put back) is counted as a create is, under the same lock,
// and refused (ELIMIT) at the limit: else undoing could grow a collection
// past it.

// ShoppingItemsMove puts items of the family at the end of another list
// of the family, in the order of ids (the assistant's "move milk, eggs and
// bread to Aldi"), and returns them as they are then, in that order. An
// unknown list or item is not found (nothing moves). The list is counted
// once for all the items not on it yet, under its limit lock, and refused
// (ELIMIT) unless they all fit, as a put-back is (itemsOnto); counting it
// per item read the list each time. It takes no If-Match: one version
// cannot speak for many items. The items are read once and moved in one
// statement.
func (tx *Tx) ShoppingItemsMove(ctx context.Context, ids []uuid.UUID, toListID uuid.UUID) ([]dbsqlc.ShoppingItemsView, error) {
	if err := tx.authorize(familyhub.ActShoppingItemUpdate); err != nil {
		return nil, err
	}
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	// The target list before the items: moving an item already on it
	// (locked) and then another onto it (the foreign key's lock on the
	// list) met a delete of the list that held the list and waited for the
	// first item (40P01).
	held, err := tx.q.ShoppingListKeyShare(ctx, tx, dbsqlc.ShoppingListKeyShareParams{ListID: toListID, FamilyID: family})
	if err := deleted(held, err, "shopping list"); err != nil {
		return nil, err
	}
	cur, err := tx.shoppingItemsGet(ctx, family, ids)
	if err != nil {
		return nil, err
	}
	onto := 0 // items not on the list yet
	befores := make([]dbsqlc.ShoppingItemsView, len(ids))
	for i, id := range ids {
		c, ok := cur[id]
		if !ok {
			return nil, familyhub.NotFound("shopping item")
		}
		if c.ListID != toListID {
			onto++
		}
		befores[i] = c
		befores[i].ListID = toListID // where it goes (itemsOnto)
	}
	o := newItemsOnto(map[uuid.UUID]int{toListID: onto}, befores)
	if onto > 0 {
		if _, err := tx.shoppingListsRoom(ctx, family, o); err != nil {
			return nil, err
		}
	}
	moved, err := tx.q.ShoppingItemsMove(ctx, tx, dbsqlc.ShoppingItemsMoveParams{Ids: ids, FamilyID: family, ToListID: toListID})
	if err != nil {
		return nil, Err(err, "shopping item")
	}
	if len(moved) < len(cur) { // deleted since it was read
		return nil, familyhub.NotFound("shopping item")
	}
	if _, err := tx.shoppingListsRecount(ctx, family, o); err != nil {
		return nil, err
	}
	after, err := tx.shoppingItemsGet(ctx, family, ids)
	if err != nil {
		return nil, err
	}
	out := make([]dbsqlc.ShoppingItemsView, len(ids))
	for i, id := range ids {
		out[i] = after[id]
	}
	return out, nil
}

// ShoppingItemRestore sets an item of the family back to the state before
// (its list, name, quantity, note, category, tick and position), at the
// version ctx asks for (If-Match; without one, the version it has now).
// A missing item or list is not found; another version is a StaleError.
// Back on another list (the undo of a move) it is added to that list: a
// full one refuses it (ELIMIT).
func (tx *Tx) ShoppingItemRestore(ctx context.Context, before dbsqlc.ShoppingItemsView) (dbsqlc.ShoppingItemsView, error) {
	if err := tx.authorize(familyhub.ActShoppingItemUpdate); err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	cur, err := tx.ShoppingItemGet(ctx, before.ID)
	if err != nil {
		return cur, err
	}
	if err := checkVersion(ctx, cur.Version, cur); err != nil {
		return cur, err
	}
	if _, err := tx.ShoppingItemsRestore(ctx, []dbsqlc.ShoppingItemsView{before}, []int64{cur.Version}); err != nil {
		return cur, err
	}
	return tx.ShoppingItemGet(ctx, before.ID)
}

// ShoppingItemsRestore sets items of the family back to the states
// befores, in the order given, as ShoppingItemRestore does each, item i
// only at version versions[i]: the undo of a move of many items puts them
// all back at once. Each list that items go back onto from another list
// is counted once, under its limit lock, for all of them, and refused
// (ELIMIT) unless they all fit, before any is written; counting it again
// for every item read the list each time (about n²/2 index entries for n
// items). The lists' locks are taken in the order of their ids. A list
// that takes more than one item is counted again once they are on it, as
// ShoppingItemsReinsert does (adds well below the limit take no lock:
// shoppingItemsMargin). On an error, failed is the index of the item
// refused (missing, or its list: not found; another version than
// versions[i]: a StaleError, after the items before it were written; its
// list full: the first item going onto it), or -1 when no one item is.
//
// The items are read in one statement and written in one (locked in the
// order of their ids, so two put-backs never deadlock): a statement or two
// per item made 1,000 items some 2,000 statements.
func (tx *Tx) ShoppingItemsRestore(ctx context.Context, befores []dbsqlc.ShoppingItemsView, versions []int64) (failed int, err error) {
	if err := tx.authorize(familyhub.ActShoppingItemUpdate); err != nil {
		return -1, err
	}
	family, err := tx.family()
	if err != nil {
		return -1, err
	}
	if len(versions) != len(befores) {
		return -1, errors.New("db: ShoppingItemsRestore needs one version per item")
	}
	cur, err := tx.shoppingItemsByID(ctx, family, befores)
	if err != nil {
		return -1, err
	}
	per := map[uuid.UUID]int{}     // items going onto each list from another
	firstOn := map[uuid.UUID]int{} // each list's first item
	for i, before := range befores {
		c, ok := cur[before.ID]
		if !ok {
			return i, familyhub.NotFound("shopping item")
		}
		if _, ok := firstOn[before.ListID]; !ok {
			firstOn[before.ListID] = i
		}
		// At another version the write below refuses it; the list it is
		// on then does not matter.
		if c.ListID != before.ListID {
			per[before.ListID]++
		}
	}
	// The lists items go back onto from another list, before the items'
	// write, key-share-locked in the order of their ids (the lock order,
	// docs/architecture.md): a list deleted meanwhile is not found, not the
	// write's foreign key violation. Not the lists items stay on (the undo
	// of a tick or a merge): their write takes no list lock, and taking one
	// here, after the undo's earlier steps hold items, would wait for a
	// list delete that waits for those items (a deadlock every time).
	for _, id := range slices.SortedFunc(maps.Keys(per), CompareIDs) {
		held, err := tx.q.ShoppingListKeyShare(ctx, tx, dbsqlc.ShoppingListKeyShareParams{ListID: id, FamilyID: family})
		if err := deleted(held, err, "shopping list"); err != nil {
			return firstOn[id], err
		}
	}
	onto := newItemsOnto(per, befores)
	if failed, err := tx.shoppingListsRoom(ctx, family, onto); err != nil {
		return failed, err
	}
	rows := make([]restoreRow, len(befores))
	for i, b := range befores {
		rows[i] = restoreRow{Ord: i, ID: b.ID, Version: versions[i], ListID: b.ListID, Name: b.Name, Quantity: b.Quantity, Note: b.Note,
			CategoryID: b.CategoryID, CategorySource: b.CategorySource, Checked: b.Checked, CheckedAt: b.CheckedAt,
			CheckedBy: b.CheckedBy, Position: b.Position}
	}
	items, err := json.Marshal(rows)
	if err != nil {
		return -1, err
	}
	written, err := tx.q.ShoppingItemsRestore(ctx, tx, dbsqlc.ShoppingItemsRestoreParams{FamilyID: family, Items: items})
	if err != nil {
		return -1, Err(err, "shopping item")
	}
	if len(written) < len(befores) {
		// Those before the first item missing or at another version were
		// written: say why that one was not.
		done := make(map[uuid.UUID]bool, len(written))
		for _, id := range written {
			done[id] = true
		}
		i := slices.IndexFunc(befores, func(b dbsqlc.ShoppingItemsView) bool { return !done[b.ID] })
		return i, staleOrMissing(WithIfVersion(ctx, versions[i]), "shopping item", func() (dbsqlc.ShoppingItemsView, error) { return tx.ShoppingItemGet(ctx, befores[i].ID) })
	}
	return tx.shoppingListsRecount(ctx, family, onto)
}

// restoreRow is one item of ShoppingItemsRestore's JSON (queries/assistant.sql).
type restoreRow struct {
	Ord            int        `json:"ord"`
	ID             uuid.UUID  `json:"id"`
	Version        int64      `json:"version"`
	ListID         uuid.UUID  `json:"list_id"`
	Name           string     `json:"name"`
	Quantity       *string    `json:"quantity"`
	Note           *string    `json:"note"`
	CategoryID     *uuid.UUID `json:"category_id"`
	CategorySource *string    `json:"category_source"`
	Checked        bool       `json:"checked"`
	CheckedAt      *time.Time `json:"checked_at"`
	CheckedBy      *uuid.UUID `json:"checked_by"`
	Position       int32      `json:"position"`
}

// shoppingItemsByID reads the family's items of befores (or of ids) in one
// statement, by id; one that is not the family's is absent.
func (tx *Tx) shoppingItemsByID(ctx context.Context, family uuid.UUID, befores []dbsqlc.ShoppingItemsView) (map[uuid.UUID]dbsqlc.ShoppingItemsView, error) {
	ids := make([]uuid.UUID, len(befores))
	for i, b := range befores {
		ids[i] = b.ID
	}
	return tx.shoppingItemsGet(ctx, family, ids)
}

// ShoppingItemsGet reads the family's items of ids in one statement and
// returns them by id; an id of no item of the family is absent (not an
// error). The assistant's undo checks many items against its journal with
// it, as a move or a put-back reads them.
func (tx *Tx) ShoppingItemsGet(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]dbsqlc.ShoppingItemsView, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.shoppingItemsGet(ctx, family, ids)
}

func (tx *Tx) shoppingItemsGet(ctx context.Context, family uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]dbsqlc.ShoppingItemsView, error) {
	rows, err := tx.q.ShoppingItemsGet(ctx, tx, dbsqlc.ShoppingItemsGetParams{FamilyID: family, Ids: ids})
	if err != nil {
		return nil, Err(err, "shopping item")
	}
	out := make(map[uuid.UUID]dbsqlc.ShoppingItemsView, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// itemsOnto is what a put-back or an undo puts onto lists: per, how many
// items go onto each; lists, those lists in the order their limit locks
// are taken (by id); befores, the items, to name the first going onto a
// list that refuses them.
type itemsOnto struct {
	per     map[uuid.UUID]int
	lists   []uuid.UUID
	befores []dbsqlc.ShoppingItemsView
}

func newItemsOnto(per map[uuid.UUID]int, befores []dbsqlc.ShoppingItemsView) itemsOnto {
	lists := slices.SortedFunc(maps.Keys(per), CompareIDs)
	return itemsOnto{per: per, lists: lists, befores: befores}
}

// first is the index of the first item going onto list l.
func (o itemsOnto) first(l uuid.UUID) int {
	return slices.IndexFunc(o.befores, func(b dbsqlc.ShoppingItemsView) bool { return b.ListID == l })
}

// shoppingListsRoom takes each list's limit lock, in order, and refuses
// (ELIMIT) unless all its items fit, failed naming the first going onto
// the list that is full.
func (tx *Tx) shoppingListsRoom(ctx context.Context, family uuid.UUID, o itemsOnto) (failed int, err error) {
	for _, l := range o.lists {
		if err := tx.shoppingListRoomFor(ctx, family, l, o.per[l]); err != nil {
			return o.first(l), err
		}
	}
	return -1, nil
}

// shoppingListsRecount counts again each list that took more than one
// item once they are in: an add to a list well below the limit takes no
// limit lock (shoppingItemsMargin), and those that committed while many
// items went in (seconds for thousands) were not in the count before. One
// item is an add like any other. A list over the limit with them is
// refused (ELIMIT), failed naming the first item going onto it.
func (tx *Tx) shoppingListsRecount(ctx context.Context, family uuid.UUID, o itemsOnto) (failed int, err error) {
	for _, l := range o.lists {
		if o.per[l] < 2 {
			continue
		}
		n, err := tx.q.ShoppingItemCountList(ctx, tx, dbsqlc.ShoppingItemCountListParams{ListID: l, FamilyID: family, Most: familyhub.MaxShoppingItemsPerList + 1})
		if err != nil {
			return -1, Err(err, "")
		}
		if n > familyhub.MaxShoppingItemsPerList {
			return o.first(l), errListFull()
		}
	}
	return -1, nil
}

// ShoppingItemReinsert puts a deleted item of the family back, with its
// id, on its list as it was. Its list gone is not found; an item with that
// id already there is a conflict; a full list refuses it (ELIMIT).
func (tx *Tx) ShoppingItemReinsert(ctx context.Context, before dbsqlc.ShoppingItemsView) (dbsqlc.ShoppingItemsView, error) {
	if _, err := tx.ShoppingItemsReinsert(ctx, []dbsqlc.ShoppingItemsView{before}); err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	return tx.ShoppingItemGet(ctx, before.ID)
}

// ShoppingItemsReinsert puts deleted items of the family back, in the
// order given, as ShoppingItemReinsert does each (without reading them
// again): the undo of a clear of the ticked items puts back up to a whole
// list at once. Each list is counted once, under its limit lock, for all
// the items going back on it, and refused (ELIMIT) unless they all fit;
// counting it again for every item read the list each time (about n²/2
// index entries for n items). The lists' locks are taken in the order of
// their ids. On an error, failed is the index of the item refused (its
// list gone: not found; its id taken: a conflict; its list full: the
// first item going back on it), or -1 when no one item is. A list that
// takes more than one item is counted again once they are in: adds that
// committed meanwhile without the limit lock (shoppingItemsMargin) are
// seen, and the put back refused when the list is over the limit with
// them.
func (tx *Tx) ShoppingItemsReinsert(ctx context.Context, befores []dbsqlc.ShoppingItemsView) (failed int, err error) {
	if err := tx.authorize(familyhub.ActShoppingItemAdd); err != nil {
		return -1, err
	}
	family, err := tx.family()
	if err != nil {
		return -1, err
	}
	per := map[uuid.UUID]int{}
	for _, b := range befores {
		per[b.ListID]++
	}
	onto := newItemsOnto(per, befores)
	if failed, err := tx.shoppingListsRoom(ctx, family, onto); err != nil {
		return failed, err
	}
	for i, before := range befores {
		_, err := tx.q.ShoppingItemReinsert(ctx, tx, dbsqlc.ShoppingItemReinsertParams{
			ID: before.ID, FamilyID: family, ListID: before.ListID, Name: before.Name, Quantity: before.Quantity, Note: before.Note,
			CategoryID: before.CategoryID, CategorySource: before.CategorySource, Checked: before.Checked,
			CheckedAt: before.CheckedAt, CheckedBy: before.CheckedBy, Position: before.Position, CreatedAt: before.CreatedAt,
		})
		if isNoRows(err) {
			return i, familyhub.NotFound("shopping list")
		} else if err != nil {
			return i, Err(err, "shopping item")
		}
	}
	return tx.shoppingListsRecount(ctx, family, onto)
}

// TaskRestore sets a task of the family back to the state before (title,
// notes, due time, assignee, recurrence, snooze, completion, rotation), at
// the version ctx asks for (If-Match; without one, the version it has now).
// The right it needs is the one of what changes: completing for a
// completion, snoozing for a snooze, editing for the rest. A one-off task
// reopened (the undo of a completion) counts against
// familyhub.MaxOpenTasks, as TaskUncomplete does (ELIMIT at the limit).
func (tx *Tx) TaskRestore(ctx context.Context, before dbsqlc.Task) (dbsqlc.Task, error) {
	cur, err := tx.taskLock(ctx, before.ID)
	if err != nil {
		return cur, err
	}
	if err := tx.authorizeFor(taskRestoreAction(cur, before), cur.AssigneeID); err != nil {
		return cur, err
	}
	if err := checkVersion(ctx, cur.Version, cur); err != nil {
		return cur, err
	}
	if cur.CompletedAt != nil && before.CompletedAt == nil {
		reopened := cur // a restore changes neither its recurrence nor its day
		reopened.CompletedAt = nil
		if err := tx.taskRoomFor(ctx, cur.FamilyID, reopened); err != nil {
			return cur, err
		}
	}
	t, err := tx.q.TaskRestore(ctx, tx, dbsqlc.TaskRestoreParams{
		ID: before.ID, FamilyID: cur.FamilyID, Version: cur.Version, Title: before.Title, Notes: before.Notes, DueAt: before.DueAt,
		AssigneeID: before.AssigneeID, Recurrence: before.Recurrence, SnoozedUntil: before.SnoozedUntil,
		CompletedAt: before.CompletedAt, CompletedBy: before.CompletedBy, Rotation: nilIfEmpty(before.Rotation),
	})
	return t, Err(err, "task")
}

// taskRestoreAction is the action a restore of cur to before takes.
func taskRestoreAction(cur, before dbsqlc.Task) familyhub.Action {
	same := cur
	same.CompletedAt, same.CompletedBy, same.SnoozedUntil = before.CompletedAt, before.CompletedBy, before.SnoozedUntil
	if !sameTaskFields(same, before) {
		return familyhub.ActTaskUpdate
	}
	if !timeEqual(cur.SnoozedUntil, before.SnoozedUntil) && timeEqual(cur.CompletedAt, before.CompletedAt) {
		return familyhub.ActTaskSnooze
	}
	return familyhub.ActTaskComplete
}

func sameTaskFields(a, b dbsqlc.Task) bool {
	return a.Title == b.Title && a.Notes == b.Notes && timeEqual(a.DueAt, b.DueAt) && uuidEqual(a.AssigneeID, b.AssigneeID) &&
		strEqual(a.Recurrence, b.Recurrence) && timeEqual(a.SnoozedUntil, b.SnoozedUntil) &&
		timeEqual(a.CompletedAt, b.CompletedAt) && slices.Equal(a.Rotation, b.Rotation)
}

// TaskReinsert puts a deleted task of the family back with its id (an
// instance keeps its template when that is still there). An assignee who
// left is dropped; a CalDAV name or UID taken since is a conflict. A
// recurring chore or an open one-off task counts against its limit as a
// new one does (ELIMIT).
func (tx *Tx) TaskReinsert(ctx context.Context, before dbsqlc.Task) (dbsqlc.Task, error) {
	if err := tx.authorizeFor(familyhub.ActTaskCreate, before.AssigneeID); err != nil {
		return dbsqlc.Task{}, err
	}
	family, err := tx.family()
	if err != nil {
		return dbsqlc.Task{}, err
	}
	if err := tx.taskRoomFor(ctx, family, before); err != nil {
		return dbsqlc.Task{}, err
	}
	t, err := tx.q.TaskReinsert(ctx, tx, dbsqlc.TaskReinsertParams{
		ID: before.ID, FamilyID: family, Title: before.Title, Notes: before.Notes, DueAt: before.DueAt, AssigneeID: before.AssigneeID,
		Recurrence: before.Recurrence, TemplateID: before.TemplateID, InstanceDate: before.InstanceDate,
		CompletedAt: before.CompletedAt, CompletedBy: before.CompletedBy, SnoozedUntil: before.SnoozedUntil,
		CreatedBy: before.CreatedBy, CreatedAt: before.CreatedAt, Rotation: nilIfEmpty(before.Rotation), Uid: before.Uid, DavName: before.DavName, Ical: before.Ical,
	})
	if err != nil {
		return t, Err(err, "task")
	}
	return t, Err(tx.q.DavTombstoneForget(ctx, tx, dbsqlc.DavTombstoneForgetParams{FamilyID: family, EntityID: t.ID}), "task")
}

// CalendarEventRestore sets an event of the family back to the state
// before, its changed occurrences included, at the version ctx asks for
// (If-Match; without one, the version it has now). Its SEQUENCE goes up:
// for calendar apps the restored event is news.
func (tx *Tx) CalendarEventRestore(ctx context.Context, before dbsqlc.CalendarEvent, overrides []dbsqlc.CalendarEventOverride) (dbsqlc.CalendarEvent, error) {
	if err := tx.authorize(familyhub.ActCalendarEventUpdate); err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	cur, err := tx.CalendarEventLock(ctx, before.ID)
	if err != nil {
		return cur, err
	}
	loc, err := tx.FamilyLocation(ctx, cur.FamilyID)
	if err != nil {
		return cur, err
	}
	f := fieldsOf(before)
	if err := f.Check(loc, true); err != nil {
		return cur, err
	}
	e, err := tx.q.CalendarEventRestore(ctx, tx, dbsqlc.CalendarEventRestoreParams{
		ID: cur.ID, FamilyID: cur.FamilyID, Version: cur.Version, Title: f.Title, Notes: f.Notes, Location: f.Location,
		StartsAt: f.StartsAt, EndsAt: f.EndsAt, AllDay: f.AllDay, Rrule: f.RRule, Exdates: f.Exdates,
	})
	if err != nil {
		return e, Err(err, "calendar event")
	}
	return tx.overridesReplace(ctx, e, loc, overrideFields(overrides))
}

// CalendarEventReinsert puts a deleted event of the family back with its
// id, UID and CalDAV name, and its changed occurrences. A UID or name
// taken since is a conflict; a family's own event counts against
// familyhub.MaxCalendarEvents as a new one does (ELIMIT).
func (tx *Tx) CalendarEventReinsert(ctx context.Context, before dbsqlc.CalendarEvent, overrides []dbsqlc.CalendarEventOverride) (dbsqlc.CalendarEvent, error) {
	if err := tx.authorize(familyhub.ActCalendarEventCreate); err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	family, err := tx.family()
	if err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	loc, err := tx.FamilyLocation(ctx, family)
	if err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	f := fieldsOf(before)
	if err := f.Check(loc, true); err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	if before.SubscriptionID == nil {
		if err := tx.calendarEventRoom(ctx, family); err != nil {
			return dbsqlc.CalendarEvent{}, err
		}
	}
	e, err := tx.q.CalendarEventInsert(ctx, tx, dbsqlc.CalendarEventInsertParams{
		ID: &before.ID, FamilyID: family, Uid: before.Uid, Title: f.Title, Notes: f.Notes, Location: f.Location,
		StartsAt: f.StartsAt, EndsAt: f.EndsAt, AllDay: f.AllDay, Rrule: f.RRule, Exdates: f.Exdates,
		Sequence: before.Sequence + 1, Ical: before.Ical, DavName: before.DavName, SubscriptionID: before.SubscriptionID,
		ReadOnly: before.ReadOnly, SourceHref: before.SourceHref, SourceEtag: before.SourceEtag, CreatedBy: tx.user(),
	})
	if err != nil {
		return e, Err(err, "calendar event")
	}
	if err := tx.q.DavTombstoneForget(ctx, tx, dbsqlc.DavTombstoneForgetParams{FamilyID: family, EntityID: e.ID}); err != nil {
		return e, Err(err, "calendar event")
	}
	if len(overrides) == 0 {
		return e, nil
	}
	return tx.overridesReplace(ctx, e, loc, overrideFields(overrides))
}

func nilIfEmpty(ids []uuid.UUID) []uuid.UUID {
	if len(ids) == 0 {
		return nil // no rotation is NULL
	}
	return ids
}

func overrideFields(ovs []dbsqlc.CalendarEventOverride) []CalendarOverrideFields {
	out := make([]CalendarOverrideFields, len(ovs))
	for i, o := range ovs {
		out[i] = CalendarOverrideFields{RecurrenceID: o.RecurrenceID, Title: o.Title, Notes: o.Notes, Location: o.Location,
			StartsAt: o.StartsAt, EndsAt: o.EndsAt, AllDay: o.AllDay, ICal: o.Ical}
	}
	return out
}

func timeEqual(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

func uuidEqual(a, b *uuid.UUID) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func strEqual(a, b *string) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
