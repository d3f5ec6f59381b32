package db

import (
	"context"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// CalendarEventFields is an event's modelled, writable state. ID is the
// client's choice of id for a new event (nil: the server chooses; ignored
// when replacing).
type CalendarEventFields struct {
	ID                     *uuid.UUID
	Title, Notes, Location string
	StartsAt, EndsAt       time.Time
	AllDay                 bool
	RRule                  *string
	Exdates                []time.Time
}

// CalendarInterchange is what an iCalendar writer (a CalDAV PUT, a
// subscription import) stores beside the modelled fields. A REST write
// has none.
type CalendarInterchange struct {
	UID      string
	Sequence int32
	// ICal is the whole calendar object as received: served again with the
	// modelled properties regenerated, so unmodelled ones round-trip.
	ICal    string
	DavName *string // the resource name a CalDAV client chose
	// SubscriptionID, SourceHref and SourceEtag tie an imported event to
	// its source; imported events are read-only.
	SubscriptionID *uuid.UUID
	SourceHref     *string
	SourceEtag     *string
	// Overrides are the series' changed occurrences as the object holds
	// them (VEVENTs with RECURRENCE-ID): they replace the stored ones.
	Overrides []CalendarOverrideFields
}

// Check validates f in the family's zone loc. Imported events keep a rule
// FamilyHub cannot expand (lenientRRule): they cannot be refused.
func (f *CalendarEventFields) Check(loc *time.Location, lenientRRule bool) (err error) {
	if f.Title, err = TrimmedText("title", f.Title, 1, familyhub.MaxEventTitle); err != nil {
		return err
	}
	if err := ValidateText("notes", f.Notes, 0, familyhub.MaxEventNotes); err != nil {
		return err
	}
	if err := ValidateText("location", f.Location, 0, familyhub.MaxEventLocation); err != nil {
		return err
	}
	if err := CheckEventTimes(&f.StartsAt, &f.EndsAt, &f.AllDay, loc); err != nil {
		return err
	}
	if f.RRule != nil && !lenientRRule {
		rec, err := familyhub.ParseRecurrence("rrule", *f.RRule)
		if err != nil {
			return err
		}
		f.RRule = ptr(rec.String())
	}
	if len(f.Exdates) > familyhub.MaxEventExdates {
		return familyhub.Invalid("exdates", "exdates may hold at most %d entries.", familyhub.MaxEventExdates)
	}
	if f.Exdates == nil {
		f.Exdates = []time.Time{}
	}
	return nil
}

// CheckEventTimes validates an event's times as far as they are given: a
// nil one is not known (a PATCH that leaves it as stored), and what needs
// it is not checked. Check passes all three; a PATCH passes its own first,
// so that a change invalid on its own is refused before its If-Match and
// one invalid only with the stored times after it (docs/api.md). It
// returns an invalid-input error naming the field.
func CheckEventTimes(start, end *time.Time, allDay *bool, loc *time.Location) error {
	if start != nil {
		if err := CheckYear("starts_at", *start); err != nil {
			return err
		}
	}
	if end != nil {
		if err := CheckYear("ends_at", *end); err != nil {
			return err
		}
	}
	if start != nil && end != nil && end.Before(*start) {
		return familyhub.Invalid("ends_at", "ends_at must not be before starts_at.")
	}
	if allDay == nil || !*allDay {
		return nil
	}
	if start != nil && !isLocalMidnight(*start, loc) {
		return familyhub.Invalid("starts_at", "An all-day event starts at midnight in the family's time zone (%s); give a date YYYY-MM-DD or that midnight.", loc)
	}
	if end != nil && (!isLocalMidnight(*end, loc) || start != nil && !end.After(*start)) {
		return familyhub.Invalid("ends_at", "An all-day event ends at the midnight after its last day in the family's time zone (%s), e.g. starts_at 2026-05-01 and ends_at 2026-05-02 for one day.", loc)
	}
	return nil
}

func isLocalMidnight(t time.Time, loc *time.Location) bool {
	start, _ := familyhub.DayBounds(t.In(loc), loc)
	return start.Equal(t)
}

// CalendarEventGet returns an event of the family.
func (tx *Tx) CalendarEventGet(ctx context.Context, id uuid.UUID) (dbsqlc.CalendarEvent, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	e, err := tx.q.CalendarEventGet(ctx, tx, dbsqlc.CalendarEventGetParams{ID: id, FamilyID: family})
	return e, Err(err, "calendar event")
}

// CalendarEventLock locks an event of the family for a change: not found
// when missing or another family's, forbidden when it is read-only (it
// comes from a subscribed calendar), stale when ctx asks for another
// version (If-Match).
func (tx *Tx) CalendarEventLock(ctx context.Context, id uuid.UUID) (dbsqlc.CalendarEvent, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	cur, err := tx.q.CalendarEventGetForUpdate(ctx, tx, dbsqlc.CalendarEventGetForUpdateParams{ID: id, FamilyID: family})
	if err != nil {
		return cur, Err(err, "calendar event")
	}
	if cur.ReadOnly {
		return cur, ErrReadOnlyEvent
	}
	if want := ifVersion(ctx); want != nil && *want != cur.Version {
		loc, err := tx.FamilyLocation(ctx, family)
		if err != nil {
			return cur, err
		}
		return cur, &StaleError{Current: ZonedEvent{CalendarEvent: cur, Loc: loc}}
	}
	return cur, nil
}

// CalendarEventCheckVersion refuses (StaleError, with the event as stored)
// a change of the locked event cur when ctx asks for another version
// (If-Match). A PATCH calls it between validating its body alone and
// validating the merged event (handleCalendarEventUpdate).
func (tx *Tx) CalendarEventCheckVersion(ctx context.Context, cur dbsqlc.CalendarEvent) error {
	if want := ifVersion(ctx); want == nil || *want == cur.Version {
		return nil
	}
	loc, err := tx.FamilyLocation(ctx, cur.FamilyID)
	if err != nil {
		return err
	}
	return &StaleError{Current: ZonedEvent{CalendarEvent: cur, Loc: loc}}
}

// ZonedEvent is an event with its family's zone, which its times are
// shown in.
type ZonedEvent struct {
	dbsqlc.CalendarEvent
	Loc *time.Location
	// Overrides, when not nil, are the series' changed occurrences: a
	// refused change of one occurrence answers them (CalendarOccurrenceLock).
	Overrides *[]dbsqlc.CalendarEventOverride
}

// ErrReadOnlyEvent refuses a change of an imported event.
var ErrReadOnlyEvent = familyhub.Errorf(familyhub.EFORBIDDEN, "This event comes from a subscribed calendar and is read-only; change it at its source.")

// CalendarEventAdd is CalendarEventCreate for REST and the assistant: with
// a client-chosen f.ID, a repeat answers the event made the first time
// (replayed) instead of making a second one.
func (tx *Tx) CalendarEventAdd(ctx context.Context, f CalendarEventFields) (e dbsqlc.CalendarEvent, replayed bool, err error) {
	if err := tx.authorize(familyhub.ActCalendarEventCreate); err != nil {
		return e, false, err
	}
	ids, replayed, err := tx.createOnce(ctx, f.ID, "calendar-event", f, func() ([]uuid.UUID, error) {
		e, err = tx.CalendarEventCreate(ctx, f, nil)
		return []uuid.UUID{e.ID}, err
	})
	if err != nil || !replayed {
		return e, replayed, err
	}
	e, err = tx.CalendarEventGet(ctx, ids[0])
	return e, true, err
}

// CalendarEventCreate creates an event: the one write every writer uses
// (REST, CalDAV, a subscription import, the assistant). x is nil for a
// REST write; the database then gives the event a UID. A family's own
// event (not imported) counts against familyhub.MaxCalendarEvents (ELIMIT
// at the limit).
func (tx *Tx) CalendarEventCreate(ctx context.Context, f CalendarEventFields, x *CalendarInterchange) (dbsqlc.CalendarEvent, error) {
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
	if x == nil {
		x = &CalendarInterchange{}
	}
	if err := f.Check(loc, x.SubscriptionID != nil); err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	if x.SubscriptionID == nil {
		if err := tx.calendarEventRoom(ctx, family); err != nil {
			return dbsqlc.CalendarEvent{}, err
		}
	}
	var ical *string
	if x.ICal != "" {
		ical = &x.ICal
	}
	e, err := tx.q.CalendarEventInsert(ctx, tx, dbsqlc.CalendarEventInsertParams{
		ID: f.ID, FamilyID: family, Uid: x.UID, Title: f.Title, Notes: f.Notes, Location: f.Location,
		StartsAt: f.StartsAt, EndsAt: f.EndsAt, AllDay: f.AllDay, Rrule: f.RRule, Exdates: f.Exdates,
		Sequence: x.Sequence, Ical: ical, DavName: x.DavName, SubscriptionID: x.SubscriptionID,
		ReadOnly: x.SubscriptionID != nil, SourceHref: x.SourceHref, SourceEtag: x.SourceEtag, CreatedBy: tx.user(),
	})
	if err != nil || len(x.Overrides) == 0 {
		return e, Err(err, "calendar event")
	}
	return tx.overridesReplace(ctx, e, loc, x.Overrides)
}

// calendarEventRoom refuses (ELIMIT) one more own event when the family
// has familyhub.MaxCalendarEvents, counted under the family's lock of
// that limit. Imported events are not counted: each subscription bounds
// its own (familyhub.MaxImportedEventsPerSubscription, the import).
func (tx *Tx) calendarEventRoom(ctx context.Context, family uuid.UUID) error {
	return tx.underLimit(ctx, limitEvents, family, familyhub.MaxCalendarEvents,
		func() (int32, error) {
			return tx.q.CalendarEventCountOwn(ctx, tx, dbsqlc.CalendarEventCountOwnParams{FamilyID: family, Most: familyhub.MaxCalendarEvents})
		},
		familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d calendar events; delete some first.", familyhub.MaxCalendarEvents))
}

// CalendarEventReplace writes f over the locked event cur, only at the
// version ctx asks for (If-Match), checked once f is valid: an invalid
// change is invalid whatever its If-Match (versions.go). Without x (REST)
// the iCalendar SEQUENCE goes up by one, the stored object is kept (its
// unmodelled properties still round-trip) and changed occurrences that are
// no longer occurrences of the series are dropped; with x it takes x's
// sequence, object and changed occurrences.
func (tx *Tx) CalendarEventReplace(ctx context.Context, cur dbsqlc.CalendarEvent, f CalendarEventFields, x *CalendarInterchange) (dbsqlc.CalendarEvent, error) {
	if err := tx.authorize(familyhub.ActCalendarEventUpdate); err != nil {
		return cur, err
	}
	loc, err := tx.FamilyLocation(ctx, cur.FamilyID)
	if err != nil {
		return cur, err
	}
	if err := f.Check(loc, cur.SubscriptionID != nil); err != nil {
		return cur, err
	}
	if want := ifVersion(ctx); want != nil && *want != cur.Version {
		return cur, &StaleError{Current: ZonedEvent{CalendarEvent: cur, Loc: loc}}
	}
	p := dbsqlc.CalendarEventUpdateParams{
		ID: cur.ID, FamilyID: cur.FamilyID, Title: f.Title, Notes: f.Notes, Location: f.Location,
		StartsAt: f.StartsAt, EndsAt: f.EndsAt, AllDay: f.AllDay, Rrule: f.RRule, Exdates: f.Exdates,
	}
	if x != nil {
		p.Interchange = true
		p.Sequence = &x.Sequence
		if x.ICal != "" {
			p.Ical = &x.ICal
		}
		p.SourceEtag = x.SourceEtag
	}
	e, err := tx.q.CalendarEventUpdate(ctx, tx, p)
	if err != nil {
		return e, Err(err, "calendar event")
	}
	if x != nil {
		return tx.overridesReplace(ctx, e, loc, x.Overrides)
	}
	return e, tx.overridesPrune(ctx, e, loc)
}

// CalendarEventDelete deletes an event of the family that is not read-only.
func (tx *Tx) CalendarEventDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActCalendarEventDelete); err != nil {
		return err
	}
	cur, err := tx.CalendarEventLock(ctx, id)
	if err != nil {
		return err
	}
	n, err := tx.q.CalendarEventDelete(ctx, tx, dbsqlc.CalendarEventDeleteParams{ID: cur.ID, FamilyID: cur.FamilyID})
	return deleted(n, err, "calendar event")
}

// CalendarEventListRange returns the events that may have occurrences in
// [from, to) (single events overlapping it, every series begun before to,
// every series with a changed occurrence in it), with the family's zone.
func (tx *Tx) CalendarEventListRange(ctx context.Context, from, to time.Time) ([]dbsqlc.CalendarEvent, *time.Location, error) {
	family, err := tx.family()
	if err != nil {
		return nil, nil, err
	}
	loc, err := tx.FamilyLocation(ctx, family)
	if err != nil {
		return nil, nil, err
	}
	events, err := tx.q.CalendarEventListRange(ctx, tx, dbsqlc.CalendarEventListRangeParams{FamilyID: family, RangeFrom: from, RangeTo: to})
	return events, loc, err
}

// Occurrence is one occurrence of an event in a range: a single event as it
// is, or one of a series, with RecurrenceID (iCalendar RECURRENCE-ID: the
// occurrence's start as the rule gives it, the value to put in exdates to
// cancel it). Override is set when that occurrence was changed: Start and
// End are then the changed ones, and its title, notes and location apply.
type Occurrence struct {
	Event        dbsqlc.CalendarEvent
	Start, End   time.Time
	RecurrenceID *time.Time
	Override     *dbsqlc.CalendarEventOverride
}

// ExpandCalendarEvents is ExpandCalendarOccurrences without changed
// occurrences.
func ExpandCalendarEvents(events []dbsqlc.CalendarEvent, loc *time.Location, from, to time.Time) []Occurrence {
	return ExpandCalendarOccurrences(events, nil, loc, from, to)
}

// ExpandCalendarOccurrences returns the occurrences of events that overlap
// [from, to), in start order: single events as they are, series expanded in
// loc without their exdates and with their changed occurrences (overrides,
// by event id) in place of the rule's, wherever those moved to. A series
// whose stored rule does not parse (an import gone wrong) shows as its
// first occurrence only. The REST listing and CalDAV's time-range query
// both use it, so both show the same.
func ExpandCalendarOccurrences(events []dbsqlc.CalendarEvent, overrides map[uuid.UUID][]dbsqlc.CalendarEventOverride, loc *time.Location, from, to time.Time) []Occurrence {
	out := []Occurrence{}
	for _, e := range events {
		rec := seriesRule(e)
		if rec == nil {
			if overlaps(e.StartsAt, e.EndsAt, from, to) {
				out = append(out, Occurrence{Event: e, Start: e.StartsAt, End: e.EndsAt})
			}
			continue
		}
		byRID := map[int64]*dbsqlc.CalendarEventOverride{}
		for i := range overrides[e.ID] {
			o := &overrides[e.ID][i]
			byRID[o.RecurrenceID.UnixNano()] = o
		}
		// An occurrence that starts before from may still overlap it.
		dur := e.EndsAt.Sub(e.StartsAt)
		days := calendarDays(e.StartsAt, e.EndsAt, loc)
		lookBack := dur
		if e.AllDay {
			lookBack = time.Duration(days)*24*time.Hour + 2*time.Hour // a DST day is 25 h
		}
		for _, start := range rec.Between(e.StartsAt, loc, from.Add(-lookBack), to, familyhub.MaxSeriesOccurrences) {
			if excluded(e.Exdates, start) {
				continue
			}
			if o := byRID[start.UnixNano()]; o != nil {
				delete(byRID, start.UnixNano())
				if overlaps(o.StartsAt, o.EndsAt, from, to) {
					out = append(out, Occurrence{Event: e, Start: o.StartsAt.In(loc), End: o.EndsAt.In(loc), RecurrenceID: &start, Override: o})
				}
				continue
			}
			end := start.Add(dur)
			if e.AllDay {
				y, m, d := start.Date()
				end = time.Date(y, m, d+days, 0, 0, 0, 0, loc)
			}
			if !overlaps(start, end, from, to) {
				continue
			}
			out = append(out, Occurrence{Event: e, Start: start, End: end, RecurrenceID: &start})
		}
		// Changed occurrences moved into the range from outside the rule's
		// window above.
		for _, o := range byRID {
			if !overlaps(o.StartsAt, o.EndsAt, from, to) || !isOccurrence(e, rec, loc, o.RecurrenceID) {
				continue
			}
			rid := o.RecurrenceID.In(loc)
			out = append(out, Occurrence{Event: e, Start: o.StartsAt.In(loc), End: o.EndsAt.In(loc), RecurrenceID: &rid, Override: o})
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].Start.Equal(out[b].Start) {
			return out[a].Start.Before(out[b].Start)
		}
		if out[a].Event.ID != out[b].Event.ID {
			return out[a].Event.ID.String() < out[b].Event.ID.String()
		}
		return out[a].RecurrenceID != nil && out[b].RecurrenceID != nil && out[a].RecurrenceID.Before(*out[b].RecurrenceID)
	})
	return out
}

// seriesRule returns e's rule, or nil for a single event (or a rule that
// does not parse).
func seriesRule(e dbsqlc.CalendarEvent) *familyhub.Recurrence {
	if e.Rrule == nil {
		return nil
	}
	rec, _ := familyhub.ParseRecurrence("rrule", *e.Rrule)
	return rec
}

// isOccurrence reports whether the series e (rule rec) has an occurrence
// starting at rid that is not cancelled.
func isOccurrence(e dbsqlc.CalendarEvent, rec *familyhub.Recurrence, loc *time.Location, rid time.Time) bool {
	if rec == nil || excluded(e.Exdates, rid) {
		return false
	}
	got := rec.Between(e.StartsAt, loc, rid, rid.Add(time.Second), 1)
	return len(got) == 1 && got[0].Equal(rid)
}

// overlaps reports whether [start, end) meets [from, to); an instant event
// (start == end) meets it when it lies inside.
func overlaps(start, end, from, to time.Time) bool {
	return start.Before(to) && (end.After(from) || !start.Before(from))
}

func excluded(exdates []time.Time, t time.Time) bool {
	for _, x := range exdates {
		if x.Equal(t) {
			return true
		}
	}
	return false
}

// calendarDays returns how many days apart the local dates of start and end
// are in loc.
func calendarDays(start, end time.Time, loc *time.Location) int {
	s, e := familyhub.CivilDate(start, loc), familyhub.CivilDate(end, loc)
	return int(e.Sub(s).Hours() / 24)
}
