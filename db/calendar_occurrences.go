package db

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Occurrences of a series: one changed (an override, iCalendar's
// RECURRENCE-ID), one cancelled (exdates), or the series split in two
// ("this and following"). REST and CalDAV both write overrides through
// these operations.

// MaxEventOverrides bounds the changed occurrences of one series.
const MaxEventOverrides = 1000

// CalendarOverrideFields is a changed occurrence: RecurrenceID names it
// (the occurrence's start as the series' rule gives it), the rest is what
// it is now. ICal is its VEVENT as a calendar app sent it (nil when made
// through REST).
type CalendarOverrideFields struct {
	RecurrenceID           time.Time
	Title, Notes, Location string
	StartsAt, EndsAt       time.Time
	AllDay                 bool
	ICal                   *string
}

// check validates o like an event's fields, in the family's zone loc.
func (o *CalendarOverrideFields) check(loc *time.Location) error {
	f := CalendarEventFields{Title: o.Title, Notes: o.Notes, Location: o.Location, StartsAt: o.StartsAt, EndsAt: o.EndsAt, AllDay: o.AllDay}
	if err := f.Check(loc, true); err != nil {
		return err
	}
	o.Title = f.Title
	if o.ICal != nil && len(*o.ICal) > familyhub.MaxICalBytes {
		return familyhub.Errorf(familyhub.ETOOLARGE, "A changed occurrence is larger than %d KiB.", familyhub.MaxICalBytes>>10)
	}
	return CheckYear("recurrence_id", o.RecurrenceID)
}

func (tx *Tx) overrideUpsert(ctx context.Context, e dbsqlc.CalendarEvent, o CalendarOverrideFields) (dbsqlc.CalendarEventOverride, error) {
	ov, err := tx.q.CalendarOverrideUpsert(ctx, tx, dbsqlc.CalendarOverrideUpsertParams{
		FamilyID: e.FamilyID, EventID: e.ID, RecurrenceID: o.RecurrenceID, Title: o.Title, Notes: o.Notes,
		Location: o.Location, StartsAt: o.StartsAt, EndsAt: o.EndsAt, AllDay: o.AllDay, Ical: o.ICal,
	})
	return ov, Err(err, "occurrence")
}

// overridesReplace makes os the changed occurrences of e (an iCalendar
// write: CalDAV PUT, import) and returns e as it is afterwards (the change
// of an override touches its series).
func (tx *Tx) overridesReplace(ctx context.Context, e dbsqlc.CalendarEvent, loc *time.Location, os []CalendarOverrideFields) (dbsqlc.CalendarEvent, error) {
	if len(os) > MaxEventOverrides {
		return e, familyhub.Invalid("overrides", "A series has at most %d changed occurrences.", MaxEventOverrides)
	}
	if e.Rrule == nil && len(os) > 0 {
		os = nil // without a series there is nothing to change
	}
	keep := make([]time.Time, 0, len(os))
	for _, o := range os {
		if err := o.check(loc); err != nil {
			return e, err
		}
		if _, err := tx.overrideUpsert(ctx, e, o); err != nil {
			return e, err
		}
		keep = append(keep, o.RecurrenceID)
	}
	if _, err := tx.q.CalendarOverridesDeleteExcept(ctx, tx, dbsqlc.CalendarOverridesDeleteExceptParams{FamilyID: e.FamilyID, EventID: e.ID, Keep: keep}); err != nil {
		return e, Err(err, "occurrence")
	}
	return tx.CalendarEventGet(ctx, e.ID)
}

// overridesPrune drops the changed occurrences of e that are no longer
// occurrences of its series (its rule or start changed, or it was
// cancelled): a REST change of the whole series.
func (tx *Tx) overridesPrune(ctx context.Context, e dbsqlc.CalendarEvent, loc *time.Location) error {
	ovs, err := tx.q.CalendarOverrideList(ctx, tx, dbsqlc.CalendarOverrideListParams{FamilyID: e.FamilyID, EventIds: []uuid.UUID{e.ID}})
	if err != nil {
		return Err(err, "occurrence")
	}
	rec := seriesRule(e)
	for _, o := range ovs {
		if isOccurrence(e, rec, loc, o.RecurrenceID) {
			continue
		}
		if _, err := tx.q.CalendarOverrideDeleteOne(ctx, tx, dbsqlc.CalendarOverrideDeleteOneParams{
			FamilyID: e.FamilyID, EventID: e.ID, RecurrenceID: o.RecurrenceID,
		}); err != nil {
			return Err(err, "occurrence")
		}
	}
	return nil
}

// CalendarOverrides returns the changed occurrences of the family's events
// ids, by event.
func (tx *Tx) CalendarOverrides(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]dbsqlc.CalendarEventOverride, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	out := map[uuid.UUID][]dbsqlc.CalendarEventOverride{}
	if len(ids) == 0 {
		return out, nil
	}
	ovs, err := tx.q.CalendarOverrideList(ctx, tx, dbsqlc.CalendarOverrideListParams{FamilyID: family, EventIds: ids})
	if err != nil {
		return nil, Err(err, "occurrence")
	}
	for _, o := range ovs {
		out[o.EventID] = append(out[o.EventID], o)
	}
	return out, nil
}

// CalendarOccurrences returns the occurrences in [from, to) of the family's
// events, changed occurrences in place (ExpandCalendarOccurrences), with
// the family's zone.
func (tx *Tx) CalendarOccurrences(ctx context.Context, from, to time.Time) ([]Occurrence, *time.Location, error) {
	events, loc, err := tx.CalendarEventListRange(ctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	var series []uuid.UUID
	for _, e := range events {
		if e.Rrule != nil {
			series = append(series, e.ID)
		}
	}
	ovs, err := tx.CalendarOverrides(ctx, series)
	if err != nil {
		return nil, nil, err
	}
	return ExpandCalendarOccurrences(events, ovs, loc, from, to), loc, nil
}

// CalendarOccurrence returns the occurrence rid of the series cur (with
// its change, when it has one): not found when the series has no such
// occurrence (or it was cancelled), a conflict when cur is no series.
func (tx *Tx) CalendarOccurrence(ctx context.Context, cur dbsqlc.CalendarEvent, rid time.Time) (Occurrence, error) {
	loc, err := tx.FamilyLocation(ctx, cur.FamilyID)
	if err != nil {
		return Occurrence{}, err
	}
	rec := seriesRule(cur)
	if rec == nil {
		return Occurrence{}, errNotSeries
	}
	rid = rid.In(loc)
	if !isOccurrence(cur, rec, loc, rid) {
		return Occurrence{}, familyhub.NotFound("occurrence")
	}
	occ := Occurrence{Event: cur, Start: rid, End: occurrenceEnd(cur, rid, loc), RecurrenceID: &rid}
	ovs, err := tx.CalendarOverrides(ctx, []uuid.UUID{cur.ID})
	if err != nil {
		return occ, err
	}
	for _, o := range ovs[cur.ID] {
		if o.RecurrenceID.Equal(rid) {
			occ.Override, occ.Start, occ.End = &o, o.StartsAt.In(loc), o.EndsAt.In(loc)
		}
	}
	return occ, nil
}

var errNotSeries = familyhub.Errorf(familyhub.ECONFLICT, "This event does not repeat: change or delete the event itself.")

// occurrenceEnd is the end of the series e's occurrence starting at start:
// as long as the series' first, or as many days for an all-day series.
func occurrenceEnd(e dbsqlc.CalendarEvent, start time.Time, loc *time.Location) time.Time {
	if e.AllDay {
		y, m, d := start.In(loc).Date()
		return time.Date(y, m, d+calendarDays(e.StartsAt, e.EndsAt, loc), 0, 0, 0, 0, loc)
	}
	return start.Add(e.EndsAt.Sub(e.StartsAt))
}

// CalendarOccurrenceLock locks the series id for a change of one of its
// occurrences, as CalendarEventLock does, except that a stale If-Match
// (ctx) is no refusal when done(cur) reports that the change asked for is
// made already: a replay whose first answer was lost (the device's outbox
// sends again what it may have sent; RFC 9110 section 13.1.1 lets a server
// answer such a request as a success). already is then true and the
// caller writes nothing. A refusal (StaleError) carries the series with
// its changed occurrences, so the client can tell whether someone changed
// the occurrence it changes. done may fail with the client's error (the
// occurrence is gone, say): that is a refusal too. A caller who may not
// edit calendar events is refused (forbidden) before any of that, so a
// request of theirs that matches what is stored is not answered as saved.
func (tx *Tx) CalendarOccurrenceLock(ctx context.Context, id uuid.UUID, done func(cur dbsqlc.CalendarEvent) (bool, error)) (cur dbsqlc.CalendarEvent, already bool, err error) {
	cur, err = tx.CalendarEventLock(WithoutIfVersion(ctx), id)
	if err != nil {
		return cur, false, err
	}
	// Changing or cancelling one occurrence is an edit of the series
	// (CalendarOccurrenceSet, CalendarEventReplace); another family's
	// series was not found above, as for every write.
	if err := tx.authorize(familyhub.ActCalendarEventUpdate); err != nil {
		return cur, false, err
	}
	if want := ifVersion(ctx); want == nil || *want == cur.Version {
		return cur, false, nil
	}
	already, err = done(cur)
	if code := familyhub.ErrorCode(err); code == familyhub.EINTERNAL || code == familyhub.EUNAVAILABLE || Retryable(err) {
		return cur, false, err
	}
	if err == nil && already {
		return cur, true, nil
	}
	loc, err := tx.FamilyLocation(ctx, cur.FamilyID)
	if err != nil {
		return cur, false, err
	}
	ovs, err := tx.CalendarOverrides(ctx, []uuid.UUID{cur.ID})
	if err != nil {
		return cur, false, err
	}
	list := append([]dbsqlc.CalendarEventOverride{}, ovs[cur.ID]...)
	return cur, false, &StaleError{Current: ZonedEvent{CalendarEvent: cur, Loc: loc, Overrides: &list}}
}

// OverrideIs reports whether the changed occurrence o already has the
// fields f (a replay of the change that made it).
func OverrideIs(o dbsqlc.CalendarEventOverride, f CalendarEventFields) bool {
	return o.Title == f.Title && o.Notes == f.Notes && o.Location == f.Location && o.AllDay == f.AllDay &&
		o.StartsAt.Equal(f.StartsAt) && o.EndsAt.Equal(f.EndsAt)
}

// OccurrenceCancelled reports whether the occurrence rid of the series e
// was deleted on its own (it is among its exdates).
func OccurrenceCancelled(e dbsqlc.CalendarEvent, rid time.Time) bool {
	return slices.ContainsFunc(e.Exdates, rid.Equal)
}

// CalendarOccurrenceSet changes one occurrence of the locked series cur
// ("only this occurrence"): o.RecurrenceID names it. The series' SEQUENCE
// goes up by one, as for any change through REST; a stored VEVENT of that
// occurrence (from a calendar app) keeps its unmodelled properties.
func (tx *Tx) CalendarOccurrenceSet(ctx context.Context, cur dbsqlc.CalendarEvent, o CalendarOverrideFields) (dbsqlc.CalendarEvent, dbsqlc.CalendarEventOverride, error) {
	if err := tx.authorize(familyhub.ActCalendarEventUpdate); err != nil {
		return cur, dbsqlc.CalendarEventOverride{}, err
	}
	occ, err := tx.CalendarOccurrence(ctx, cur, o.RecurrenceID)
	if err != nil {
		return cur, dbsqlc.CalendarEventOverride{}, err
	}
	loc, err := tx.FamilyLocation(ctx, cur.FamilyID)
	if err != nil {
		return cur, dbsqlc.CalendarEventOverride{}, err
	}
	o.RecurrenceID = *occ.RecurrenceID
	if occ.Override != nil && o.ICal == nil {
		o.ICal = occ.Override.Ical
	}
	if err := o.check(loc); err != nil {
		return cur, dbsqlc.CalendarEventOverride{}, err
	}
	if occ.Override == nil {
		n, err := tx.overrideCount(ctx, cur)
		if err != nil {
			return cur, dbsqlc.CalendarEventOverride{}, err
		}
		if n >= MaxEventOverrides {
			return cur, dbsqlc.CalendarEventOverride{}, familyhub.Invalid("recurrence_id", "A series has at most %d changed occurrences; split it first.", MaxEventOverrides)
		}
	}
	e, err := tx.q.CalendarEventSequenceBump(ctx, tx, dbsqlc.CalendarEventSequenceBumpParams{ID: cur.ID, FamilyID: cur.FamilyID})
	if err != nil {
		return cur, dbsqlc.CalendarEventOverride{}, Err(err, "calendar event")
	}
	ov, err := tx.overrideUpsert(ctx, e, o)
	return e, ov, err
}

func (tx *Tx) overrideCount(ctx context.Context, e dbsqlc.CalendarEvent) (int, error) {
	ovs, err := tx.CalendarOverrides(ctx, []uuid.UUID{e.ID})
	return len(ovs[e.ID]), err
}

// CalendarOccurrenceCancel deletes one occurrence of the series id ("only
// this occurrence"): it joins the series' exdates, and its change, if any,
// goes.
func (tx *Tx) CalendarOccurrenceCancel(ctx context.Context, id uuid.UUID, rid time.Time) (dbsqlc.CalendarEvent, error) {
	cur, err := tx.CalendarEventLock(ctx, id)
	if err != nil {
		return cur, err
	}
	occ, err := tx.CalendarOccurrence(ctx, cur, rid)
	if err != nil {
		return cur, err
	}
	f := fieldsOf(cur)
	f.Exdates = append(slices.Clone(cur.Exdates), *occ.RecurrenceID)
	return tx.CalendarEventReplace(ctx, cur, f, nil)
}

func fieldsOf(e dbsqlc.CalendarEvent) CalendarEventFields {
	return CalendarEventFields{
		Title: e.Title, Notes: e.Notes, Location: e.Location, StartsAt: e.StartsAt, EndsAt: e.EndsAt,
		AllDay: e.AllDay, RRule: e.Rrule, Exdates: e.Exdates,
	}
}

// CalendarEventEndBefore deletes the occurrences of the series id from rid
// on ("this and following"): the series' rule gets an UNTIL just before
// rid. When rid is its first occurrence, the whole series is deleted (nil
// is returned).
func (tx *Tx) CalendarEventEndBefore(ctx context.Context, id uuid.UUID, rid time.Time) (*dbsqlc.CalendarEvent, error) {
	cur, err := tx.CalendarEventLock(ctx, id)
	if err != nil {
		return nil, err
	}
	occ, err := tx.CalendarOccurrence(ctx, cur, rid)
	if err != nil {
		return nil, err
	}
	loc, err := tx.FamilyLocation(ctx, cur.FamilyID)
	if err != nil {
		return nil, err
	}
	rid = *occ.RecurrenceID
	if isFirstOccurrence(cur, loc, rid) {
		return nil, tx.CalendarEventDelete(ctx, cur.ID)
	}
	e, err := tx.CalendarEventReplace(ctx, cur, endedBefore(cur, rid, loc), nil)
	return &e, err
}

// isFirstOccurrence reports whether the series e has no occurrence before rid.
func isFirstOccurrence(e dbsqlc.CalendarEvent, loc *time.Location, rid time.Time) bool {
	rec := seriesRule(e)
	return rec == nil || len(rec.Between(e.StartsAt, loc, e.StartsAt.Add(-time.Second), rid, 1)) == 0
}

// endedBefore returns the fields of series e ending just before rid: its
// rule with UNTIL (a date for an all-day series, else the instant before
// rid in UTC, as RFC 5545 wants with a TZID start) instead of COUNT or an
// earlier UNTIL, and only the exdates before rid.
func endedBefore(e dbsqlc.CalendarEvent, rid time.Time, loc *time.Location) CalendarEventFields {
	f := fieldsOf(e)
	until := rid.Add(-time.Second).UTC().Format("20060102T150405Z")
	if e.AllDay {
		y, m, d := rid.In(loc).Date()
		until = time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC).Format("20060102")
	}
	parts := ruleParts(*e.Rrule, "COUNT", "UNTIL")
	f.RRule = ptr(strings.Join(append(parts, "UNTIL="+until), ";"))
	f.Exdates = nil
	for _, x := range e.Exdates {
		if x.Before(rid) {
			f.Exdates = append(f.Exdates, x)
		}
	}
	return f
}

// ruleParts returns the KEY=VALUE parts of rule without the keys drop.
func ruleParts(rule string, drop ...string) []string {
	var out []string
	for _, p := range strings.Split(rule, ";") {
		key, _, _ := strings.Cut(p, "=")
		if !slices.Contains(drop, strings.ToUpper(key)) {
			out = append(out, p)
		}
	}
	return out
}

// CalendarSplitDefaults returns what the series cur continues as from its
// occurrence rid when split there: the same title, notes, location and
// rule (a COUNT lessened by the occurrences before rid), starting at rid
// with the series' length, with the exdates from rid on.
func CalendarSplitDefaults(cur dbsqlc.CalendarEvent, rid time.Time, loc *time.Location) CalendarEventFields {
	f := fieldsOf(cur)
	rid = rid.In(loc)
	f.StartsAt, f.EndsAt = rid, occurrenceEnd(cur, rid, loc)
	f.Exdates = nil
	for _, x := range cur.Exdates {
		if !x.Before(rid) {
			f.Exdates = append(f.Exdates, x)
		}
	}
	if cur.Rrule != nil {
		parts := ruleParts(*cur.Rrule)
		for i, p := range parts {
			key, value, _ := strings.Cut(p, "=")
			if strings.EqualFold(key, "COUNT") {
				n, _ := strconv.Atoi(value)
				if rec := seriesRule(cur); rec != nil {
					n -= len(rec.Between(cur.StartsAt, loc, cur.StartsAt.Add(-time.Second), rid, familyhub.MaxSeriesOccurrences*10))
				}
				parts[i] = "COUNT=" + strconv.Itoa(max(n, 1))
			}
		}
		f.RRule = ptr(strings.Join(parts, ";"))
	}
	return f
}

// CalendarEventSplit splits the locked series cur at its occurrence rid
// ("this and following"): cur ends just before rid (its rule gets an
// UNTIL) and a new series with the fields next begins (a new event with
// its own UID, as calendar apps do). Changed occurrences from rid on move
// to the new series when it starts at rid, and are dropped where they are
// no longer occurrences. When rid is the series' first occurrence, the
// series itself becomes next and ended is nil.
func (tx *Tx) CalendarEventSplit(ctx context.Context, cur dbsqlc.CalendarEvent, rid time.Time, next CalendarEventFields) (ended *dbsqlc.CalendarEvent, following dbsqlc.CalendarEvent, err error) {
	occ, err := tx.CalendarOccurrence(ctx, cur, rid)
	if err != nil {
		return nil, cur, err
	}
	loc, err := tx.FamilyLocation(ctx, cur.FamilyID)
	if err != nil {
		return nil, cur, err
	}
	rid = *occ.RecurrenceID
	if isFirstOccurrence(cur, loc, rid) {
		e, err := tx.CalendarEventReplace(ctx, cur, next, nil)
		return nil, e, err
	}
	following, err = tx.CalendarEventCreate(ctx, next, nil)
	if err != nil {
		return nil, following, err
	}
	if following.StartsAt.Equal(rid) && following.Rrule != nil {
		if _, err := tx.q.CalendarOverridesMove(ctx, tx, dbsqlc.CalendarOverridesMoveParams{
			ToEventID: following.ID, FamilyID: cur.FamilyID, EventID: cur.ID, FromRecurrenceID: rid,
		}); err != nil {
			return nil, following, Err(err, "occurrence")
		}
		if err := tx.overridesPrune(ctx, following, loc); err != nil {
			return nil, following, err
		}
	}
	if _, err := tx.q.CalendarOverridesDeleteFrom(ctx, tx, dbsqlc.CalendarOverridesDeleteFromParams{
		FamilyID: cur.FamilyID, EventID: cur.ID, FromRecurrenceID: rid,
	}); err != nil {
		return nil, following, Err(err, "occurrence")
	}
	e, err := tx.CalendarEventReplace(ctx, cur, endedBefore(cur, rid, loc), nil)
	if err != nil {
		return nil, following, err
	}
	following, err = tx.CalendarEventGet(ctx, following.ID)
	return &e, following, err
}
