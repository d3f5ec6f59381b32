package ical

import (
	"context"
	"net/http"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// eventCollection is the family calendar: one VEVENT object per event or
// series, with its changed occurrences.
type eventCollection struct{ s *davServer }

var _ collection = (*eventCollection)(nil)

func (c *eventCollection) name() string                     { return "family" }
func (c *eventCollection) component() string                { return ical.CompEvent }
func (c *eventCollection) eventType() string                { return familyhub.EventCalendarEventUpdated }
func (c *eventCollection) displayName(family string) string { return family }

func (c *eventCollection) heads(ctx context.Context, tx *db.Tx) ([]db.DAVHead, error) {
	return tx.CalDAVEventHeads(ctx)
}

func (c *eventCollection) etag(h db.DAVHead, loc *time.Location) string {
	return etagOf(h.ID, h.UpdatedAt, h.Sequence, loc)
}

// objects renders events with their changed occurrences.
func (c *eventCollection) objects(ctx context.Context, tx *db.Tx, events []dbsqlc.CalendarEvent) ([]davObject, error) {
	loc, err := tx.Location(ctx)
	if err != nil {
		return nil, err
	}
	var series []uuid.UUID
	for _, e := range events {
		if e.Rrule != nil {
			series = append(series, e.ID)
		}
	}
	ovs, err := tx.CalendarOverrides(ctx, series)
	if err != nil {
		return nil, err
	}
	out := make([]davObject, len(events))
	for i, e := range events {
		out[i] = davObject{
			id: e.ID, name: db.DAVName(e.ID, e.DavName), etag: etagOf(e.ID, e.UpdatedAt, e.Sequence, loc),
			mod: e.UpdatedAt, cal: EventICal(e, ovs[e.ID], loc),
		}
	}
	return out, nil
}

func (c *eventCollection) byNames(ctx context.Context, tx *db.Tx, names []string) ([]davObject, error) {
	events, err := tx.CalDAVEventsByNames(ctx, names)
	if err != nil {
		return nil, err
	}
	return c.objects(ctx, tx, events)
}

func (c *eventCollection) byIDs(ctx context.Context, tx *db.Tx, ids []uuid.UUID) ([]davObject, error) {
	events, err := tx.CalDAVEventsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return c.objects(ctx, tx, events)
}

func (c *eventCollection) headsByIDs(ctx context.Context, tx *db.Tx, ids []uuid.UUID) ([]db.DAVHead, error) {
	events, err := tx.CalDAVEventsByIDs(ctx, ids)
	out := make([]db.DAVHead, len(events))
	for i, e := range events {
		out[i] = db.DAVHead{ID: e.ID, Name: db.DAVName(e.ID, e.DavName), UpdatedAt: e.UpdatedAt, Sequence: e.Sequence}
	}
	return out, err
}

// inRange returns the heads of the events with an occurrence in [from,
// to): the same expansion as GET /api/calendar/events, so a calendar app's
// time-range query and REST show the same occurrences.
func (c *eventCollection) inRange(ctx context.Context, tx *db.Tx, from, to time.Time) ([]db.DAVHead, error) {
	events, ovs, err := tx.CalDAVEventRangeHeads(ctx, from, to)
	if err != nil {
		return nil, err
	}
	loc, err := tx.Location(ctx)
	if err != nil {
		return nil, err
	}
	hit := map[uuid.UUID]bool{}
	for _, occ := range db.ExpandCalendarOccurrences(events, ovs, loc, from, to) {
		hit[occ.Event.ID] = true
	}
	var out []db.DAVHead
	for _, e := range events {
		if hit[e.ID] {
			out = append(out, db.DAVHead{ID: e.ID, Name: db.DAVName(e.ID, e.DavName), UpdatedAt: e.UpdatedAt, Sequence: e.Sequence})
		}
	}
	return out, nil
}

var errReadOnlyEvent = davStatusError(http.StatusForbidden, "This event comes from a subscribed calendar and is read-only; change it at its source.")

// put creates or replaces the event served as name; imported events are
// read-only (403) and a UID never changes.
func (c *eventCollection) put(ctx context.Context, tx *db.Tx, name string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (davObject, error) {
	loc, err := tx.Location(ctx)
	if err != nil {
		return davObject{}, err
	}
	ev, err := ParseICalEvent(cal, loc, ICalParseOpts{})
	if err != nil {
		return davObject{}, err
	}
	raw, err := MasterICal(cal)
	if err != nil {
		return davObject{}, familyhub.Errorf(familyhub.EINVALID, "The iCalendar object cannot be stored: %v.", err)
	}
	if len(raw) > familyhub.MaxICalBytes {
		return davObject{}, familyhub.Errorf(familyhub.ETOOLARGE, "The event is larger than %d KiB.", familyhub.MaxICalBytes>>10)
	}
	cur, err := tx.CalDAVEventByName(ctx, name, true)
	exists := err == nil
	if err != nil && familyhub.ErrorCode(err) != familyhub.ENOTFOUND {
		return davObject{}, err
	}
	etag := ""
	if exists {
		etag = etagOf(cur.ID, cur.UpdatedAt, cur.Sequence, loc)
	}
	if err := checkPreconditions(etag, opts.IfMatch, opts.IfNoneMatch); err != nil {
		return davObject{}, err
	}
	x := &db.CalendarInterchange{UID: ev.UID, Sequence: ev.Sequence, ICal: raw, Overrides: ev.Overrides}
	var e dbsqlc.CalendarEvent
	if exists {
		if cur.ReadOnly {
			return davObject{}, errReadOnlyEvent
		}
		if cur.Uid != ev.UID {
			return davObject{}, davStatusError(http.StatusForbidden, "The UID of an event cannot change; create a new event instead.")
		}
		x.Sequence, x.SourceEtag = max(ev.Sequence, cur.Sequence), cur.SourceEtag
		e, err = tx.CalendarEventReplace(ctx, cur, ev.Fields(), x)
	} else {
		x.DavName = &name
		e, err = tx.CalendarEventCreate(ctx, ev.Fields(), x)
	}
	if err != nil {
		if familyhub.ErrorCode(err) == familyhub.ECONFLICT {
			return davObject{}, errUIDConflict
		}
		return davObject{}, err
	}
	objs, err := c.objects(ctx, tx, []dbsqlc.CalendarEvent{e})
	if err != nil {
		return davObject{}, err
	}
	return objs[0], nil
}

func (c *eventCollection) delete(ctx context.Context, tx *db.Tx, name string, ifMatch webdav.ConditionalMatch) error {
	cur, err := tx.CalDAVEventByName(ctx, name, true)
	if err != nil {
		return err
	}
	loc, err := tx.Location(ctx)
	if err != nil {
		return err
	}
	if err := checkPreconditions(etagOf(cur.ID, cur.UpdatedAt, cur.Sequence, loc), ifMatch, ""); err != nil {
		return err
	}
	if cur.ReadOnly {
		return errReadOnlyEvent
	}
	return tx.CalendarEventDelete(ctx, cur.ID)
}
