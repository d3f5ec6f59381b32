package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Notices are made here, exactly once each: a notice is a row unique per
// member and key (task:<id>:<fire time>, ...), inserted with its River job
// in one transaction, so the event path, the periodic scan and several
// replicas may all derive it and only the first insert counts. Reminders
// are made from the state of the task or event when they are derived, and
// checked again when they are due (a task done or moved meanwhile is not
// reminded of; its new time gets a notice of its own).

// eventBatch bounds the events read per transaction.
const eventBatch = 500

// maxAlarmSpan is how far before an occurrence a calendar alarm may fire
// (VALARM triggers further out are ignored) and the widest lead time.
const (
	maxAlarmSpan = 7 * 24 * time.Hour
	maxLead      = db.MaxNotifyLeadMinutes * time.Minute
)

// family is what deriving one family's notices needs.
type family struct {
	id uuid.UUID
	// loc is the family's time zone; nil when the pass did not need it
	// (loadFamily).
	loc     *time.Location
	members []dbsqlc.NotifyMemberSettingsListRow
	byID    map[uuid.UUID]*dbsqlc.NotifyMemberSettingsListRow
}

// loadFamily reads the family's members with their settings, and its time
// zone when zone is true: only calendar occurrences and digests need it,
// so a pass over list additions and tasks leaves it out (a statement less).
func (s *Service) loadFamily(ctx context.Context, tx *db.Tx, id uuid.UUID, zone bool) (*family, error) {
	var loc *time.Location
	if zone {
		var err error
		if loc, err = tx.FamilyLocation(ctx, id); err != nil {
			return nil, err
		}
	}
	members, err := s.store.Q.NotifyMemberSettingsList(ctx, tx, id)
	if err != nil {
		return nil, db.Err(err, "")
	}
	f := &family{id: id, loc: loc, members: members, byID: map[uuid.UUID]*dbsqlc.NotifyMemberSettingsListRow{}}
	for i := range f.members {
		f.byID[f.members[i].UserID] = &f.members[i]
	}
	return f, nil
}

// noRow reports whether err says a :one query found no row.
func noRow(err error) bool { return familyhub.ErrorCode(db.Err(err, "")) == familyhub.ENOTFOUND }

// inWindow reports whether a notice firing at fire is derived now: not
// further ahead than the horizon (a later scan makes it), not further back
// than the grace (missed for good).
func (s *Service) inWindow(fire, now time.Time) bool {
	return !fire.Before(now.Add(-s.cfg.Grace)) && fire.Before(now.Add(s.cfg.Horizon))
}

type noticeNew struct {
	user    uuid.UUID
	key     string
	kind    string
	subject *uuid.UUID
	occurs  *time.Time
	fire    time.Time
	params  any
	lastSeq *int64
}

// addNotice makes a notice and its job unless the member has one with the
// key already.
func (s *Service) addNotice(ctx context.Context, tx *db.Tx, family uuid.UUID, n noticeNew) error {
	_, err := s.addNoticeID(ctx, tx, family, n)
	return err
}

// addNoticeID is addNotice returning the new notice's id (uuid.Nil when
// it existed).
func (s *Service) addNoticeID(ctx context.Context, tx *db.Tx, family uuid.UUID, n noticeNew) (uuid.UUID, error) {
	if s.onNotice != nil {
		s.onNotice(n.key)
	}
	params := []byte("{}")
	if n.params != nil {
		var err error
		if params, err = json.Marshal(n.params); err != nil {
			return uuid.Nil, err
		}
	}
	id, err := s.store.Q.NotifyNoticeInsert(ctx, tx, dbsqlc.NotifyNoticeInsertParams{
		FamilyID: family, UserID: n.user, Key: n.key, Kind: n.kind, SubjectID: n.subject,
		OccursAt: n.occurs, FireAt: n.fire, Params: params, LastSeq: n.lastSeq,
	})
	if noRow(err) {
		return uuid.Nil, nil // made before
	} else if err != nil {
		return uuid.Nil, db.Err(err, "")
	}
	return id, s.enqueue(ctx, tx, id, n.fire)
}

// ProcessFamily turns the family's events not yet looked at into notices:
// reminders of changed tasks and calendar events (re)scheduled, list
// changes gathered. Replicas take turns per family (the cursor row, SKIP
// LOCKED: one that finds it taken leaves the work to the holder); the
// cursor moves in the transaction that writes the notices.
//
// A pass is one transaction of few round trips, as there is one for
// nearly every few writes under load (docs/benchmarks.md, seventeenth
// round): BEGIN with the settings, the cursor and its events in one
// statement (NotifyPassStartMany), what the events need, the cursor's
// move (NotifyPassEndMany), COMMIT; four round trips also when nothing is
// new, the cursor is missing or another replica holds it. Every statement
// here looks rows up by key, and PostgreSQL's own choice planned two of
// them (the events after the cursor, the items' names) anew on every
// call: custom plans, ~0.1 ms each, 12% of the statement time of a write
// under load (docs/benchmarks.md). The cached generic plans are the same
// index scans, so the pass runs with generic plans only
// (Store.TxGenericPlans, set at BEGIN).
func (s *Service) ProcessFamily(ctx context.Context, familyID uuid.UUID) error {
	return s.processFamily(ctx, familyID).err
}

// processFamily is ProcessFamily, saying what it did: the seq through
// which it read the family's events (the cursor it committed; 0 when it
// does not know: the cursor was another transaction's, held, or missing),
// or its error. It is a pass over several families (pass.go) with one: one
// code path, the same statements and round trips, so the two cannot drift
// apart; a family with more than eventBatch new events takes a
// transaction per batch.
func (s *Service) processFamily(ctx context.Context, familyID uuid.UUID) passOutcome {
	ids := []uuid.UUID{familyID}
	for {
		r, err := s.processFamilies(ctx, ids)
		if err != nil {
			return passOutcome{id: familyID, err: err}
		}
		if !r.more[familyID] {
			return passOutcome{id: familyID, through: r.through[familyID], held: r.held[familyID]}
		}
	}
}

// othersWatch reports whether anyone among watchers (the members who want
// list-change notices) may be told of one of evs: someone other than its
// actor (anyone, for an addition with no known actor).
func othersWatch(watchers []uuid.UUID, evs []dbsqlc.EventLog) bool {
	for _, ev := range evs {
		for _, w := range watchers {
			if ev.ActorID == nil || *ev.ActorID != w {
				return true
			}
		}
	}
	return false
}

// fromEvents derives the notices of a batch of events. listWatchers are
// the members who want list-change notices (NotifyPassStartMany): additions
// to a list that none of them but its actor wants to hear of are not
// looked at further, and a batch of only those reads nothing more (a
// family of one adding to its lists, say).
func (s *Service) fromEvents(ctx context.Context, tx *db.Tx, familyID uuid.UUID, events []dbsqlc.EventLog, listWatchers []uuid.UUID) error {
	var tasks, calendar []uuid.UUID
	lists := map[uuid.UUID][]dbsqlc.EventLog{}
	var listOrder []uuid.UUID
	for _, ev := range events {
		switch {
		case ev.Type == familyhub.EventTaskUpdated && ev.Op != "delete" && !slices.Contains(tasks, ev.EntityID):
			tasks = append(tasks, ev.EntityID)
		case ev.Type == familyhub.EventCalendarEventUpdated && ev.Op != "delete" && !slices.Contains(calendar, ev.EntityID):
			calendar = append(calendar, ev.EntityID)
		case ev.Type == familyhub.EventShoppingItemUpdated && ev.Op == "insert" && ev.ListID != nil:
			if lists[*ev.ListID] == nil {
				listOrder = append(listOrder, *ev.ListID)
			}
			lists[*ev.ListID] = append(lists[*ev.ListID], ev)
		}
	}
	listOrder = slices.DeleteFunc(listOrder, func(id uuid.UUID) bool { return !othersWatch(listWatchers, lists[id]) })
	if len(tasks)+len(calendar)+len(listOrder) == 0 {
		return nil
	}
	f, err := s.loadFamily(ctx, tx, familyID, len(calendar) > 0)
	if err != nil {
		return err
	}
	now := s.now()
	for _, id := range tasks {
		t, err := tx.TaskGet(ctx, id)
		if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			continue // deleted since
		} else if err != nil {
			return err
		}
		if err := s.scheduleTask(ctx, tx, f, t, now); err != nil {
			return err
		}
	}
	for _, id := range calendar {
		e, err := tx.CalendarEventGet(ctx, id)
		if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if err := s.scheduleEvent(ctx, tx, f, e, now); err != nil {
			return err
		}
	}
	for _, id := range listOrder {
		if err := s.gatherList(ctx, tx, f, id, lists[id], now); err != nil {
			return err
		}
	}
	return nil
}

// taskDue is when a task counts as due: its snooze, else its due time.
func taskDue(t dbsqlc.Task) *time.Time {
	if t.SnoozedUntil != nil {
		return t.SnoozedUntil
	}
	return t.DueAt
}

// taskRecipients are who a task's reminder goes to: its assignee, else the
// whole family.
func (f *family) taskRecipients(t dbsqlc.Task) []*dbsqlc.NotifyMemberSettingsListRow {
	if t.AssigneeID != nil {
		if m := f.byID[*t.AssigneeID]; m != nil {
			return []*dbsqlc.NotifyMemberSettingsListRow{m}
		}
	}
	out := make([]*dbsqlc.NotifyMemberSettingsListRow, len(f.members))
	for i := range f.members {
		out[i] = &f.members[i]
	}
	return out
}

func minutes(n int32) time.Duration { return time.Duration(n) * time.Minute }

// taskFire is when member m is reminded of a task due at due.
func taskFire(m *dbsqlc.NotifyMemberSettingsListRow, due time.Time) time.Time {
	return due.Add(-minutes(m.TaskLeadMinutes))
}

func taskKey(id uuid.UUID, fire time.Time) string { return fmt.Sprintf("task:%s:%d", id, fire.Unix()) }

// scheduleTask makes the reminders of a task due within the window.
func (s *Service) scheduleTask(ctx context.Context, tx *db.Tx, f *family, t dbsqlc.Task, now time.Time) error {
	due := taskDue(t)
	if t.Recurrence != nil || t.CompletedAt != nil || due == nil {
		return nil
	}
	for _, m := range f.taskRecipients(t) {
		if !m.TaskReminders {
			continue
		}
		fire := taskFire(m, *due)
		if !s.inWindow(fire, now) {
			continue
		}
		err := s.addNotice(ctx, tx, f.id, noticeNew{user: m.UserID, key: taskKey(t.ID, fire), kind: "task",
			subject: &t.ID, occurs: due, fire: fire})
		if err != nil {
			return err
		}
	}
	return nil
}

// eventFires returns when member m is reminded of occurrence o of e: at
// the event's own alarms (VALARM), else the member's lead time before its
// start (all-day events without an alarm get none: the digest has them).
func eventFires(m *dbsqlc.NotifyMemberSettingsListRow, e dbsqlc.CalendarEvent, alarms []alarm, o db.Occurrence) []time.Time {
	if alarms != nil {
		out := make([]time.Time, 0, len(alarms))
		for _, a := range alarms {
			if t, ok := a.fire(o, e.Rrule != nil); ok {
				out = append(out, t)
			}
		}
		return out
	}
	if e.AllDay {
		return nil
	}
	return []time.Time{o.Start.Add(-minutes(m.CalendarLeadMinutes))}
}

func eventKey(id uuid.UUID, start, fire time.Time) string {
	return fmt.Sprintf("event:%s:%d:%d", id, start.Unix(), fire.Unix())
}

// eventOccurrences returns the occurrences of e in [from, to), changed
// occurrences (moved, retitled) in place.
func eventOccurrences(ctx context.Context, tx *db.Tx, f *family, e dbsqlc.CalendarEvent, from, to time.Time) ([]db.Occurrence, error) {
	var ovs map[uuid.UUID][]dbsqlc.CalendarEventOverride
	if e.Rrule != nil {
		var err error
		if ovs, err = tx.CalendarOverrides(ctx, []uuid.UUID{e.ID}); err != nil {
			return nil, err
		}
	}
	return db.ExpandCalendarOccurrences([]dbsqlc.CalendarEvent{e}, ovs, f.loc, from, to), nil
}

// scheduleEvent makes the reminders of an event's occurrences whose alarm
// falls within the window, for every member who wants calendar reminders.
func (s *Service) scheduleEvent(ctx context.Context, tx *db.Tx, f *family, e dbsqlc.CalendarEvent, now time.Time) error {
	alarms := eventAlarms(e)
	occs, err := eventOccurrences(ctx, tx, f, e, now.Add(-s.cfg.Grace-maxLead), now.Add(s.cfg.Horizon+maxAlarmSpan))
	if err != nil {
		return err
	}
	for _, o := range occs {
		for i := range f.members {
			m := &f.members[i]
			if !m.CalendarReminders {
				continue
			}
			for _, fire := range eventFires(m, e, alarms, o) {
				if !s.inWindow(fire, now) {
					continue
				}
				start := o.Start
				err := s.addNotice(ctx, tx, f.id, noticeNew{user: m.UserID, key: eventKey(e.ID, start, fire), kind: "event",
					subject: &e.ID, occurs: &start, fire: fire})
				if err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// digestFire is when a family's digest of day (a civil date) goes out.
func digestFire(day time.Time, hour int, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, loc)
}

// listParams is a list-change notice's tally.
type listParams struct {
	Count  int         `json:"count"`
	Actors []uuid.UUID `json:"actors"` // who added, in order; uuid.Nil: unknown (psql, a job)
	Items  []string    `json:"items"`  // the first few names
}

const maxListItems = 5

// add counts one addition to a list notice: its actor (nil: unknown) once,
// and its name among the first few ("" or ok false: not named).
func (p *listParams) add(actorID *uuid.UUID, name string, ok bool) {
	p.Count++
	actor := uuid.Nil
	if actorID != nil {
		actor = *actorID
	}
	if !slices.Contains(p.Actors, actor) {
		p.Actors = append(p.Actors, actor)
	}
	if ok && len(p.Items) < maxListItems {
		p.Items = append(p.Items, name)
	}
}

// gatherList folds a batch's additions to one list into each follower's
// open notice for the list, or opens one that goes out ListFold after the
// first addition. People are not told of their own additions, nor of
// additions older than the grace (a replica catching up after downtime).
func (s *Service) gatherList(ctx context.Context, tx *db.Tx, f *family, listID uuid.UUID, evs []dbsqlc.EventLog, now time.Time) error {
	// Who is told of what, first: when nobody is (a family of one adding
	// to its own list), the list and its items are not read at all.
	type recipient struct {
		user uuid.UUID
		evs  []dbsqlc.EventLog
	}
	var to []recipient
	for i := range f.members {
		m := &f.members[i]
		if !m.ListChanges || (m.FollowedLists != nil && !slices.Contains(m.FollowedLists, listID)) {
			continue
		}
		var mine []dbsqlc.EventLog
		for _, ev := range evs {
			if (ev.ActorID == nil || *ev.ActorID != m.UserID) && ev.At.After(now.Add(-s.cfg.Grace)) {
				mine = append(mine, ev)
			}
		}
		if len(mine) > 0 {
			to = append(to, recipient{m.UserID, mine})
		}
	}
	if len(to) == 0 {
		return nil
	}
	if _, err := tx.ShoppingListGet(ctx, listID); familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
		return nil // deleted since
	} else if err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(evs))
	for i, ev := range evs {
		ids[i] = ev.EntityID
	}
	rows, err := s.store.Q.NotifyItemNames(ctx, tx, dbsqlc.NotifyItemNamesParams{FamilyID: f.id, Ids: ids})
	if err != nil {
		return db.Err(err, "")
	}
	names := map[uuid.UUID]string{}
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	for _, r := range to {
		if err := s.foldList(ctx, tx, f, r.user, listID, r.evs, names); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) foldList(ctx context.Context, tx *db.Tx, f *family, user, listID uuid.UUID, evs []dbsqlc.EventLog, names map[uuid.UUID]string) error {
	var p listParams
	open, err := s.store.Q.NotifyListNoticeOpen(ctx, tx, dbsqlc.NotifyListNoticeOpenParams{UserID: user, ListID: &listID})
	found := err == nil
	if err != nil && !noRow(err) {
		return db.Err(err, "")
	}
	if found {
		if err := json.Unmarshal(open.Params, &p); err != nil {
			return fmt.Errorf("list notice %s: %w", open.ID, err)
		}
	}
	for _, ev := range evs {
		name, ok := names[ev.EntityID]
		p.add(ev.ActorID, name, ok)
	}
	last := evs[len(evs)-1].Seq
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if found {
		return db.Err(s.store.Q.NotifyListNoticeGather(ctx, tx, dbsqlc.NotifyListNoticeGatherParams{ID: open.ID, Params: b, LastSeq: &last}), "")
	}
	return s.addNotice(ctx, tx, f.id, noticeNew{user: user, key: fmt.Sprintf("list:%s:%d", listID, evs[0].Seq), kind: "list",
		subject: &listID, fire: evs[0].At.Add(s.cfg.ListFold), params: p, lastSeq: &last})
}

// Scan derives the notices due within the horizon for every family:
// reminders of tasks and calendar events (also those no event announced:
// the next occurrence of a series, a task due in a week), and the morning
// digests. It also deletes notices older than the retention and presence
// not live for a day. Safe to run concurrently (the notices' keys).
func (s *Service) Scan(ctx context.Context) error {
	families, err := s.store.Q.NotifyFamilyList(ctx, s.store.Pool)
	if err != nil {
		return db.Err(err, "")
	}
	var errs []error
	for _, fam := range families {
		err := s.store.TxRetry(system(ctx, fam.ID), func(tx *db.Tx) error { return s.ScheduleFamily(ctx, tx) })
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("family %s: %w", fam.ID, err))
		}
	}
	before := s.now().Add(-s.cfg.Retention)
	if _, err := s.store.Q.NotifyNoticePrune(ctx, s.store.Pool, before); err != nil {
		errs = append(errs, db.Err(err, ""))
	}
	if err := s.prunePresence(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ScheduleFamily derives the notices due within the horizon for the
// transaction's family (its caller): Scan for one family, also run when
// settings change so that new lead times take effect at once.
func (s *Service) ScheduleFamily(ctx context.Context, tx *db.Tx) error {
	a := tx.Auth()
	if a == nil {
		return familyhub.Errorf(familyhub.EUNAUTHORIZED, "no family")
	}
	// The family's cursor first, as a pass takes it before it writes the
	// family's notices (NotifyCursorLock): the two write the same ones in
	// their own orders, and each waited for the other's in a circle.
	// While this holds it, the leader's passes leave the family and look
	// again shortly after. A family without a cursor row gets one here,
	// held the same way (NotifyCursorLock).
	if err := s.store.Q.NotifyCursorLock(ctx, tx, a.FamilyID); err != nil {
		return db.Err(err, "")
	}
	f, err := s.loadFamily(ctx, tx, a.FamilyID, true)
	if err != nil {
		return err
	}
	now := s.now()
	tasks, err := s.store.Q.NotifyTasksDue(ctx, tx, dbsqlc.NotifyTasksDueParams{
		FamilyID: f.id, DueFrom: now.Add(-s.cfg.Grace), DueTo: now.Add(s.cfg.Horizon + maxLead),
	})
	if err != nil {
		return db.Err(err, "")
	}
	for _, t := range tasks {
		if err := s.scheduleTask(ctx, tx, f, t, now); err != nil {
			return err
		}
	}
	sys := tx.WithAuth(familyhub.SystemAuth(f.id))
	events, _, err := sys.CalendarEventListRange(ctx, now.Add(-s.cfg.Grace-maxLead), now.Add(s.cfg.Horizon+maxAlarmSpan))
	if err != nil {
		return db.Err(err, "")
	}
	for _, e := range events {
		if err := s.scheduleEvent(ctx, tx, f, e, now); err != nil {
			return err
		}
	}
	fs, err := s.store.Q.NotifyFamilySettingsGet(ctx, tx, f.id)
	if noRow(err) {
		return nil
	} else if err != nil {
		return db.Err(err, "")
	}
	today := familyhub.CivilDate(now, f.loc)
	for _, day := range []time.Time{today, today.AddDate(0, 0, 1)} {
		fire := digestFire(day, int(fs.DigestHour), f.loc)
		if !s.inWindow(fire, now) {
			continue
		}
		midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, f.loc)
		for i := range f.members {
			m := &f.members[i]
			if !m.Digest {
				continue
			}
			err := s.addNotice(ctx, tx, f.id, noticeNew{user: m.UserID, key: fmt.Sprintf("digest:%s:%d", day.Format(time.DateOnly), fire.Unix()), kind: "digest",
				occurs: &midnight, fire: fire})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
