package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Undo: a command's writes reversed, newest first, in one transaction of
// ordinary writes (the devices see the usual events). Each record must
// still be as the command left it; otherwise nothing is undone.

// UndoAnswer says that a command was undone, in its language.
type UndoAnswer struct {
	ID      uuid.UUID
	Message string
	Lang    string
}

// Undo reverses the writes of the caller's family's command id: items
// removed or put back, tasks and events back as they were. Only who gave
// it, or an owner, may undo it. Not found: no such command of the family;
// conflict: undone already, nothing to undo (a question, a refusal, a
// question about the days), or a record the command touched was changed
// since. tie is the language of errors about a command not found; dev is
// how the undoing device writes times and dates (LocaleDevice), as for
// Command and Choose.
func (s *Service) Undo(ctx context.Context, id uuid.UUID, tie string, dev Device) (UndoAnswer, error) {
	ctx = db.WithoutIfVersion(ctx)
	// under the deadline of a spoken undo, from its arrival (undorun.go):
	// the app waits 30 s for the answer, also to its Undo button
	r, cancel := s.startUndo(ctx, time.Now())
	defer cancel()
	ans := UndoAnswer{ID: id, Lang: tie}
	err := r.tx(s.store, nil, func(ctx context.Context, tx *db.Tx) (err error) {
		ans, err = s.undoIn(ctx, tx, id, tie, dev)
		return err
	})
	return ans, r.answer(err, dev.speaker(ans.Lang, time.UTC, time.Now()))
}

// undoIn is undo in tx: the button's (Undo) and a spoken undo's
// (undoSpoken) one undo.
func (s *Service) undoIn(ctx context.Context, tx *db.Tx, id uuid.UUID, tie string, dev Device) (UndoAnswer, error) {
	ans := UndoAnswer{ID: id, Lang: tie}
	err := func() error {
		loc, err := tx.Location(ctx)
		if err != nil {
			return err
		}
		cmd, err := tx.AssistantCommandLock(ctx, id)
		if err != nil {
			return err
		}
		ans.Lang = cmd.Locale
		u := &undoer{ctx: ctx, tx: tx, say: dev.speaker(cmd.Locale, loc, s.now())}
		if err := u.allowed(cmd); err != nil {
			return err
		}
		writes, err := tx.AssistantWrites(ctx, id)
		if err != nil {
			return err
		}
		if len(writes) == 0 {
			return u.say.refuseCode(familyhub.ECONFLICT, "", "undo.nothing")
		}
		if err := u.holdLists(cmd, writes); err != nil {
			return err
		}
		for i := len(writes) - 1; i >= 0; {
			// Items the command deleted go back together, newest first, and
			// so do items it changed (ticked, moved): their lists are
			// counted once, not once per item.
			// Items it added are checked together and deleted one by one.
			n, del, upd, ins := 0, 0, 0, 0
			for del <= i && isItemDelete(writes[i-del]) {
				del++
			}
			for upd <= i && isItemUpdate(writes[i-upd]) {
				upd++
			}
			for ins <= i && isItemInsert(writes[i-ins]) {
				ins++
			}
			switch {
			case del > 0:
				n, err = del, u.reinsertItems(writes[i-del+1:i+1])
			case upd > 0:
				n, err = upd, u.restoreItems(writes[i-upd+1:i+1])
			case ins > 0:
				n, err = ins, u.deleteItems(writes[i-ins+1:i+1])
			default:
				n, err = 1, u.revert(writes[i])
			}
			if err != nil {
				return err
			}
			i -= n
		}
		if err := tx.AssistantCommandSetUndone(ctx, id); err != nil {
			return err
		}
		ans.Message = u.undoneMessage(cmd, writes, loc)
		return nil
	}()
	return ans, err
}

// retold is the command's sentence said again for its undo (retell).
func (u *undoer) retold(cmd dbsqlc.AssistantCommand, loc *time.Location) string {
	return retell(cmd, loc, u.say)
}

// retell is the sentence of the executed command cmd said again by say,
// for its undo or a repeat of its id. The sentence named days from the
// day the command ran ("due tomorrow"); said again on another day, each
// day it named is named again from say's today ("due today"), so it never
// repeats a "tomorrow" that is now today. Only the words change: the
// records are the ones the command wrote, whatever their day.
func retell(cmd dbsqlc.AssistantCommand, loc *time.Location, say *speaker) string {
	then := newSpeaker(cmd.Locale, loc, cmd.ReceivedAt)
	then.dayFirst = say.dayFirst
	var res Result
	if then.today().Equal(say.today()) || cmd.Intent == nil || json.Unmarshal(cmd.Result, &res) != nil {
		return cmd.Message
	}
	msg := cmd.Message
	pos := 0 // the days of several records are said in their order
	for _, d := range saidDays(*cmd.Intent, res) {
		old, now := then.dayOf(d.at, d.on), say.dayOf(d.at, d.on)
		// The day comes after the record's title in every sentence that
		// names one: a title that holds the same word keeps it.
		from := pos
		if i := strings.Index(msg[pos:], then.quote(d.title)); i >= 0 {
			from = pos + i + len(then.quote(d.title))
		}
		pos = from
		if i := strings.Index(msg[from:], old); old != now && i >= 0 {
			msg = msg[:from+i] + now + msg[from+i+len(old):]
			pos = from + i + len(now)
		}
	}
	return msg
}

// saidDay is a day a command's sentence named: the instant, whether with
// "on", and the title of the record it is the day of.
type saidDay struct {
	at    time.Time
	on    bool
	title string
}

// saidDays are the days the sentence of a command of intent typ with
// result res named (exec_tasks.go and exec_calendar.go word them).
func saidDays(typ string, res Result) []saidDay {
	switch {
	case typ == IntentTaskCreate && res.Task != nil && res.Task.DueAt != nil:
		return []saidDay{{*res.Task.DueAt, true, res.Task.Title}}
	case typ == IntentTaskSnooze && res.Task != nil && res.Task.SnoozedUntil != nil:
		return []saidDay{{*res.Task.SnoozedUntil, false, res.Task.Title}}
	case typ == IntentCalendarCreateMany:
		return createdDays(res.Created)
	case typ == IntentCalendarCreate && res.Event != nil:
		return []saidDay{{res.Event.StartsAt, true, res.Event.Title}}
	case (typ == IntentCalendarMove || typ == IntentCalendarCancel || typ == IntentCalendarDelete) && res.Occurrence != nil:
		return []saidDay{{res.Occurrence.Start, true, occurrenceTitle(*res.Occurrence)}}
	}
	return nil
}

type undoer struct {
	ctx context.Context
	tx  *db.Tx
	say *speaker
}

func (u *undoer) allowed(cmd dbsqlc.AssistantCommand) error {
	a := u.tx.Auth()
	switch {
	case cmd.Outcome != OutcomeExecuted:
		return u.say.refuseCode(familyhub.ECONFLICT, "", "undo.not_executed")
	case cmd.UndoneAt != nil:
		return u.say.refuseCode(familyhub.ECONFLICT, "", "undo.already")
	case a == nil || (cmd.UserID == nil || *cmd.UserID != a.UserID) && a.Role != familyhub.RoleOwner:
		return u.say.refuseCode(familyhub.EFORBIDDEN, "", "undo.not_yours")
	}
	return nil
}

// changed refuses the undo: what (a record's name) is not as the command
// left it.
func (u *undoer) changed(what string) error {
	return u.say.refuseCode(familyhub.ECONFLICT, "", "undo.changed", "what", u.say.quote(what))
}

// stale turns what a write refused because the record moved on (not
// found, another version, a conflict) into changed(what).
func (u *undoer) stale(err error, what string) error {
	var st *db.StaleError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &st), familyhub.ErrorCode(err) == familyhub.ENOTFOUND, familyhub.ErrorCode(err) == familyhub.ECONFLICT:
		return u.changed(what)
	}
	return err
}

// at asks a write for version v only.
func (u *undoer) at(v int64) context.Context { return db.WithIfVersion(u.ctx, v) }

// revert undoes one write.
func (u *undoer) revert(w db.AssistantWrite) error {
	switch w.Entity {
	case db.EntityShoppingList:
		return u.revertList(w)
	case db.EntityShoppingItem:
		return u.revertItem(w)
	case db.EntityTask:
		return u.revertTask(w)
	case db.EntityCalendarEvent:
		return u.revertEvent(w)
	}
	return errors.New("undo: unknown entity " + w.Entity)
}

func decode[T any](raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// holdLists takes every list lock of the undo before any item, in the
// order of the lists' ids: the list before its items, as every writer
// (docs/architecture.md). The lists the command made FOR UPDATE
// (ShoppingListHold): deleting "milk" and then the new list "Aldi" met a
// merging add to Aldi (the list, then milk) the other way round (40P01);
// and revertList's look for items put on the list since, read before the
// list's lock, missed an add holding it and then deleted that add's line
// with the list. The lists of the items it deletes, puts back or sets back
// FOR KEY SHARE (ShoppingListKeyShare): the undo of "add milk and eggs"
// (milk merged onto a line, eggs new) deleted eggs and then put milk back,
// taking the list's key share only then, so a list delete that held the
// list and waited for eggs met it the other way round. A list gone
// refuses the undo, naming the list (listGone).
func (u *undoer) holdLists(cmd dbsqlc.AssistantCommand, writes []db.AssistantWrite) error {
	// name: the list's, when the command's result or write tells it; item:
	// the first item on it, named instead when it does not (a tick of
	// items on several lists names the first list only).
	type held struct {
		made       bool
		name, item string
	}
	lists := map[uuid.UUID]*held{}
	var ids []uuid.UUID
	list := func(id uuid.UUID) *held {
		if lists[id] == nil {
			lists[id] = &held{}
			ids = append(ids, id)
		}
		return lists[id]
	}
	for _, w := range writes {
		switch {
		case w.Entity == db.EntityShoppingList && w.Op == db.WriteInsert:
			after, err := decode[dbsqlc.ShoppingList](w.After)
			if err != nil {
				return err
			}
			l := list(w.ID)
			l.made, l.name = true, after.Name
		case w.Entity == db.EntityShoppingItem:
			for _, raw := range []json.RawMessage{w.Before, w.After} {
				if len(raw) == 0 || string(raw) == "null" {
					continue
				}
				// Only the list and the name: an undo of a thousand
				// items reads every write's rows again in its steps.
				it, err := decode[struct {
					ListID uuid.UUID
					Name   string
				}](raw)
				if err != nil {
					return err
				}
				if l := list(it.ListID); l.item == "" {
					l.item = it.Name
				}
			}
		}
	}
	var res struct{ List, ToList *dbsqlc.ShoppingList } // names only: an unreadable result names the items instead
	_ = json.Unmarshal(cmd.Result, &res)
	for _, r := range []*dbsqlc.ShoppingList{res.List, res.ToList} {
		if r != nil && lists[r.ID] != nil && lists[r.ID].name == "" {
			lists[r.ID].name = r.Name
		}
	}
	slices.SortFunc(ids, db.CompareIDs)
	for _, id := range ids {
		l := lists[id]
		hold := u.tx.ShoppingListKeyShare
		if l.made {
			hold = u.tx.ShoppingListHold
		}
		there, err := hold(u.ctx, id)
		switch {
		case err != nil:
			return err
		case there:
			continue
		case l.name == "":
			return u.changed(l.item)
		}
		return u.listGone(l.name)
	}
	return nil
}

// listGone refuses the undo: the list name, which the command wrote to or
// made, was deleted since.
func (u *undoer) listGone(name string) error {
	return u.say.refuseCode(familyhub.ECONFLICT, "", "undo.list_gone", "list", name)
}

// revertList deletes a list the command made, when nobody put anything
// on it since (its own items are gone by now: they were written after it;
// the list is held since holdLists, so an add to it is seen, and it is
// there: holdLists refused the undo of a list gone).
func (u *undoer) revertList(w db.AssistantWrite) error {
	after, err := decode[dbsqlc.ShoppingList](w.After)
	if err != nil || w.Op != db.WriteInsert {
		return errors.Join(err, errors.New("undo: a list is only ever created"))
	}
	cur, err := u.tx.ShoppingListGet(u.ctx, w.ID)
	if err != nil {
		return u.stale(err, after.Name)
	}
	items, err := u.tx.ShoppingItemList(u.ctx, w.ID)
	if err != nil {
		return err
	}
	if cur.Version != *w.Version || len(items) > 0 {
		return u.changed(cur.Name)
	}
	return u.stale(u.tx.ShoppingListDelete(u.at(cur.Version), w.ID), cur.Name)
}

func isItemDelete(w db.AssistantWrite) bool {
	return w.Entity == db.EntityShoppingItem && w.Op == db.WriteDelete
}

// reinsertItems puts back the items the writes ws deleted, the newest
// (the last) first, in one ShoppingItemsReinsert: a list that cannot take
// them all refuses the undo (ELIMIT).
func (u *undoer) reinsertItems(ws []db.AssistantWrite) error {
	befores := make([]dbsqlc.ShoppingItemsView, len(ws))
	for i, w := range ws {
		before, err := decode[dbsqlc.ShoppingItemsView](w.Before)
		if err != nil {
			return err
		}
		befores[len(ws)-1-i] = before
	}
	failed, err := u.tx.ShoppingItemsReinsert(u.ctx, befores)
	switch {
	case err == nil || failed < 0:
		return err
	case familyhub.ErrorCode(err) == familyhub.ELIMIT:
		return u.listFull(err, befores[failed].ListID)
	}
	return u.stale(err, befores[failed].Name)
}

// listFull refuses the undo (ELIMIT, as err) because the list listID
// cannot take back what the command took off it: it says so with the
// list's name, and that nothing was undone.
func (u *undoer) listFull(err error, listID uuid.UUID) error {
	l, lerr := u.tx.ShoppingListGet(u.ctx, listID)
	if lerr != nil {
		return err
	}
	return u.say.refuseCode(familyhub.ELIMIT, "", "undo.list_full", "list", l.Name)
}

func isItemUpdate(w db.AssistantWrite) bool {
	return w.Entity == db.EntityShoppingItem && w.Op == db.WriteUpdate
}

// restoreItems sets back the items the writes ws changed, the newest (the
// last) first, in one ShoppingItemsRestore: a list that cannot take back
// all the items moved off it refuses the undo (ELIMIT). Each item must be
// as the command left it: all are read in one statement (itemsAsLeft).
func (u *undoer) restoreItems(ws []db.AssistantWrite) error {
	n := len(ws)
	befores, afters := make([]dbsqlc.ShoppingItemsView, n), make([]dbsqlc.ShoppingItemsView, n)
	for i, w := range ws {
		var err error
		if afters[i], err = decode[dbsqlc.ShoppingItemsView](w.After); err != nil {
			return err
		}
		if befores[n-1-i], err = decode[dbsqlc.ShoppingItemsView](w.Before); err != nil {
			return err
		}
	}
	left, err := u.itemsAsLeft(ws, afters)
	if err != nil {
		return err
	}
	versions, names := make([]int64, n), make([]string, n)
	for i, c := range left {
		versions[n-1-i], names[n-1-i] = c.Version, c.Name
	}
	// The categoriser may file an item between the read and the write
	// (its change is no person's): then read it again, once, and go on
	// from it (the items before it are set back).
	again := map[int]bool{}
	for from := 0; ; {
		failed, err := u.tx.ShoppingItemsRestore(u.ctx, befores[from:], versions[from:])
		if err == nil || failed < 0 {
			return err
		}
		k := from + failed
		var st *db.StaleError
		switch {
		case familyhub.ErrorCode(err) == familyhub.ELIMIT:
			return u.listFull(err, befores[k].ListID)
		case errors.As(err, &st) && !again[k]:
			again[k], from = true, k
			i := n - 1 - k
			if left, err = u.itemsAsLeft(ws[i:i+1], afters[i:i+1]); err != nil {
				return err
			}
			versions[k], names[k] = left[0].Version, left[0].Name
			continue
		}
		return u.stale(err, names[k])
	}
}

// itemsAsLeft reads the items of the writes ws (afters[i]: as ws[i] left
// it) in one statement and returns them as they are now, in the order of
// ws, or refuses the undo at the first, in that order, that is not as the
// command left it: a missing one by the name it was left with, a changed
// one by its name now. Reading each by a statement of its own made the
// undo of a move of 1,000 items some 1,000 statements more.
func (u *undoer) itemsAsLeft(ws []db.AssistantWrite, afters []dbsqlc.ShoppingItemsView) ([]dbsqlc.ShoppingItemsView, error) {
	ids := make([]uuid.UUID, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	cur, err := u.tx.ShoppingItemsGet(u.ctx, ids)
	if err != nil {
		return nil, u.stale(err, afters[0].Name)
	}
	out := make([]dbsqlc.ShoppingItemsView, len(ws))
	for i, w := range ws {
		c, ok := cur[w.ID]
		switch {
		case !ok:
			return nil, u.changed(afters[i].Name)
		case !itemAsLeft(c, afters[i], *w.Version):
			return nil, u.changed(c.Name)
		}
		out[i] = c
	}
	return out, nil
}

// revertItem undoes one write of an item: an add is deleted, a delete put
// back, a change set back.
func (u *undoer) revertItem(w db.AssistantWrite) error {
	switch w.Op {
	case db.WriteDelete:
		return u.reinsertItems([]db.AssistantWrite{w})
	case db.WriteUpdate:
		return u.restoreItems([]db.AssistantWrite{w})
	}
	return u.deleteItems([]db.AssistantWrite{w})
}

func isItemInsert(w db.AssistantWrite) bool {
	return w.Entity == db.EntityShoppingItem && w.Op == db.WriteInsert
}

// deleteItems deletes the items the writes ws added, the newest (the last)
// first, each at the version it has; all must be as the command left
// them, checked in one read (itemsAsLeft, newest first, as they were
// checked one by one) before any is deleted.
func (u *undoer) deleteItems(ws []db.AssistantWrite) error {
	n := len(ws)
	rev, afters := make([]db.AssistantWrite, n), make([]dbsqlc.ShoppingItemsView, n)
	for i, w := range ws {
		after, err := decode[dbsqlc.ShoppingItemsView](w.After)
		if err != nil {
			return err
		}
		rev[n-1-i], afters[n-1-i] = w, after
	}
	// Locked first in id order, as every writer of several items: deleted
	// newest first, they could deadlock with another member's change of
	// both. Read after the lock, as they are now.
	if n > 1 {
		ids := make([]uuid.UUID, n)
		for i, w := range ws {
			ids[i] = w.ID
		}
		if err := u.tx.ShoppingItemsLock(u.ctx, ids); err != nil {
			return err
		}
	}
	left, err := u.itemsAsLeft(rev, afters)
	if err != nil {
		return err
	}
	for i, w := range rev {
		cur := left[i]
		// The categoriser may file the item between the read and the
		// write (its change is no person's): then read it again, once.
		for try := 0; ; try++ {
			err := u.tx.ShoppingItemDelete(u.at(cur.Version), w.ID)
			var st *db.StaleError
			if try == 0 && errors.As(err, &st) {
				again, err := u.itemsAsLeft(rev[i:i+1], afters[i:i+1])
				if err != nil {
					return err
				}
				cur = again[0]
				continue
			}
			if err != nil {
				return u.stale(err, cur.Name)
			}
			break
		}
	}
	return nil
}

// itemAsLeft reports whether an item is as the command left it: the same
// version, or changed since only by the categoriser (which files new items
// a moment after they are added: no person changed them).
func itemAsLeft(cur, after dbsqlc.ShoppingItemsView, version int64) bool {
	if cur.Version == version {
		return true
	}
	if cur.CategorySource == nil || *cur.CategorySource != "auto" {
		return false
	}
	return cur.ListID == after.ListID && cur.Name == after.Name && eqStr(cur.Quantity, after.Quantity) &&
		eqStr(cur.Note, after.Note) && cur.Checked == after.Checked && cur.Position == after.Position
}

func eqStr(a, b *string) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func (u *undoer) revertTask(w db.AssistantWrite) error {
	if w.Op == db.WriteDelete {
		before, err := decode[dbsqlc.Task](w.Before)
		if err != nil {
			return err
		}
		_, err = u.tx.TaskReinsert(u.ctx, before)
		return u.stale(err, before.Title)
	}
	after, err := decode[dbsqlc.Task](w.After)
	if err != nil {
		return err
	}
	cur, err := u.tx.TaskGet(u.ctx, w.ID)
	if err != nil {
		return u.stale(err, after.Title)
	}
	if cur.Version != *w.Version {
		return u.changed(cur.Title)
	}
	if w.Op == db.WriteInsert {
		return u.stale(u.tx.TaskDelete(u.at(cur.Version), w.ID), cur.Title)
	}
	before, err := decode[dbsqlc.Task](w.Before)
	if err != nil {
		return err
	}
	_, err = u.tx.TaskRestore(u.at(cur.Version), before)
	return u.stale(err, cur.Title)
}

func (u *undoer) revertEvent(w db.AssistantWrite) error {
	if w.Op == db.WriteDelete {
		before, err := decode[eventState](w.Before)
		if err != nil {
			return err
		}
		_, err = u.tx.CalendarEventReinsert(u.ctx, before.Event, before.Overrides)
		return u.stale(err, before.Event.Title)
	}
	after, err := decode[eventState](w.After)
	if err != nil {
		return err
	}
	cur, err := u.tx.CalendarEventGet(u.ctx, w.ID)
	if err != nil {
		return u.stale(err, after.Event.Title)
	}
	if cur.Version != *w.Version {
		return u.changed(cur.Title)
	}
	if w.Op == db.WriteInsert {
		return u.stale(u.tx.CalendarEventDelete(u.at(cur.Version), w.ID), cur.Title)
	}
	before, err := decode[eventState](w.Before)
	if err != nil {
		return err
	}
	_, err = u.tx.CalendarEventRestore(u.at(cur.Version), before.Event, before.Overrides)
	return u.stale(err, cur.Title)
}
