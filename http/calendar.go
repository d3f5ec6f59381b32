package http

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Calendar limits; the CHECK constraints of 00006_calendar.sql mirror them.
const (
	maxEventTitle    = 200
	maxEventNotes    = 4000
	maxEventLocation = 500
	maxEventExdates  = 1000
	// maxCalendarRange is the longest from..to a listing may ask for.
	maxCalendarRange = 366 * 24 * time.Hour
	// maxSeriesOccurrences bounds one series' expansion in one listing
	// (a series has at most one occurrence a day, so 367 would do).
	maxSeriesOccurrences = 1000
)

// mountCalendar adds the calendar endpoints to the authenticated API router.
func (s *Server) mountCalendar(r chi.Router) {
	r.Get("/calendar/events", s.handleCalendarEventList)
	r.Post("/calendar/events", s.handleCalendarEventCreate)
	r.Get("/calendar/events/{id}", s.handleCalendarEventGet)
	r.Patch("/calendar/events/{id}", s.handleCalendarEventUpdate)
	r.Delete("/calendar/events/{id}", s.handleCalendarEventDelete)
}

type calendarEventJSON struct {
	ID             uuid.UUID   `json:"id"`
	UID            string      `json:"uid"`
	Title          string      `json:"title"`
	Notes          string      `json:"notes"`
	Location       string      `json:"location"`
	StartsAt       time.Time   `json:"starts_at"`
	EndsAt         time.Time   `json:"ends_at"`
	AllDay         bool        `json:"all_day"`
	RRule          *string     `json:"rrule"`
	Exdates        []time.Time `json:"exdates"`
	Sequence       int32       `json:"sequence"`
	ReadOnly       bool        `json:"read_only"`
	SubscriptionID *uuid.UUID  `json:"subscription_id"`
	CreatedBy      *uuid.UUID  `json:"created_by"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
}

// calendarOccurrenceJSON is one entry of a range listing: the event, with
// starts_at/ends_at of this occurrence and, for a series, recurrence_id
// (the occurrence's start as the rule gives it: iCalendar RECURRENCE-ID,
// the value to put in exdates to cancel it).
type calendarOccurrenceJSON struct {
	calendarEventJSON
	RecurrenceID *time.Time `json:"recurrence_id"`
}

// toCalendarEventJSON renders e with its times in the family's zone loc.
func toCalendarEventJSON(e dbsqlc.CalendarEvent, loc *time.Location) calendarEventJSON {
	ex := make([]time.Time, len(e.Exdates))
	for i, t := range e.Exdates {
		ex[i] = t.In(loc)
	}
	return calendarEventJSON{
		ID: e.ID, UID: e.Uid, Title: e.Title, Notes: e.Notes, Location: e.Location,
		StartsAt: e.StartsAt.In(loc), EndsAt: e.EndsAt.In(loc), AllDay: e.AllDay, RRule: e.Rrule,
		Exdates: ex, Sequence: e.Sequence, ReadOnly: e.ReadOnly, SubscriptionID: e.SubscriptionID,
		CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC(),
	}
}

func (s *Server) handleCalendarEventList(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "from", "to"); err != nil {
		s.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	var from, to time.Time
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if !q.Has(p.name) {
			s.Error(w, r, familyhub.Invalid(p.name, "%s is required (an RFC 3339 timestamp).", p.name))
			return
		}
		var err error
		if *p.t, err = parseTimestamp(p.name, q.Get(p.name)); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	switch {
	case !to.After(from):
		s.Error(w, r, familyhub.Invalid("to", "to must be after from."))
		return
	case to.Sub(from) > maxCalendarRange:
		s.Error(w, r, familyhub.Invalid("to", "The range from..to must be at most 366 days."))
		return
	}
	a := AuthFrom(r.Context())
	var out []calendarOccurrenceJSON
	err := s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		loc, err := s.store.FamilyLocation(r.Context(), tx, a.FamilyID)
		if err != nil {
			return err
		}
		events, err := s.store.Q.CalendarEventListRange(r.Context(), tx, dbsqlc.CalendarEventListRangeParams{FamilyID: a.FamilyID, RangeFrom: from, RangeTo: to})
		if err != nil {
			return err
		}
		out = expandCalendarEvents(events, loc, from, to)
		return nil
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

// expandCalendarEvents returns the occurrences of events that overlap
// [from, to), in start order: single events as they are, series expanded
// in loc without their exdates. A series whose stored rule does not parse
// (an import gone wrong) shows as its first occurrence only.
func expandCalendarEvents(events []dbsqlc.CalendarEvent, loc *time.Location, from, to time.Time) []calendarOccurrenceJSON {
	out := []calendarOccurrenceJSON{}
	for _, e := range events {
		j := toCalendarEventJSON(e, loc)
		var rec *familyhub.Recurrence
		if e.Rrule != nil {
			rec, _ = familyhub.ParseRecurrence("rrule", *e.Rrule)
		}
		if rec == nil {
			if overlaps(e.StartsAt, e.EndsAt, from, to) {
				out = append(out, calendarOccurrenceJSON{calendarEventJSON: j})
			}
			continue
		}
		// An occurrence that starts before from may still overlap it.
		dur := e.EndsAt.Sub(e.StartsAt)
		days := calendarDays(e.StartsAt, e.EndsAt, loc)
		lookBack := dur
		if e.AllDay {
			lookBack = time.Duration(days)*24*time.Hour + 2*time.Hour // a DST day is 25 h
		}
		for _, start := range rec.Between(e.StartsAt, loc, from.Add(-lookBack), to, maxSeriesOccurrences) {
			if excluded(e.Exdates, start) {
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
			occ := calendarOccurrenceJSON{calendarEventJSON: j, RecurrenceID: &start}
			occ.StartsAt, occ.EndsAt = start, end
			out = append(out, occ)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].StartsAt.Equal(out[b].StartsAt) {
			return out[a].StartsAt.Before(out[b].StartsAt)
		}
		return out[a].ID.String() < out[b].ID.String()
	})
	return out
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

// calendarEventFields is an event's writable state: the create request, or
// the current row with a PATCH applied, validated by check.
type calendarEventFields struct {
	Title, Notes, Location string
	StartsAt, EndsAt       time.Time
	AllDay                 bool
	RRule                  *string
	Exdates                []time.Time
}

// check validates f as a whole, in the family's zone loc.
func (f *calendarEventFields) check(loc *time.Location) error {
	f.Title = strings.TrimSpace(f.Title)
	if err := validateText("title", f.Title, 1, maxEventTitle); err != nil {
		return err
	}
	if err := validateText("notes", f.Notes, 0, maxEventNotes); err != nil {
		return err
	}
	if err := validateText("location", f.Location, 0, maxEventLocation); err != nil {
		return err
	}
	if f.EndsAt.Before(f.StartsAt) {
		return familyhub.Invalid("ends_at", "ends_at must not be before starts_at.")
	}
	if f.AllDay {
		if !isLocalMidnight(f.StartsAt, loc) {
			return familyhub.Invalid("starts_at", "An all-day event starts at midnight in the family's time zone (%s); give a date YYYY-MM-DD or that midnight.", loc)
		}
		if !isLocalMidnight(f.EndsAt, loc) || !f.EndsAt.After(f.StartsAt) {
			return familyhub.Invalid("ends_at", "An all-day event ends at the midnight after its last day in the family's time zone (%s), e.g. starts_at 2026-05-01 and ends_at 2026-05-02 for one day.", loc)
		}
	}
	if f.RRule != nil {
		rec, err := familyhub.ParseRecurrence("rrule", *f.RRule)
		if err != nil {
			return err
		}
		f.RRule = ptr(rec.String())
	}
	if len(f.Exdates) > maxEventExdates {
		return familyhub.Invalid("exdates", "exdates may hold at most %d entries.", maxEventExdates)
	}
	return nil
}

func isLocalMidnight(t time.Time, loc *time.Location) bool {
	start, _ := familyhub.DayBounds(t.In(loc), loc)
	return start.Equal(t)
}

// parseEventTime parses starts_at/ends_at: RFC 3339, or for all-day events
// also a date YYYY-MM-DD meaning that midnight in the family's zone.
func parseEventTime(field, s string, allDay bool, loc *time.Location) (time.Time, error) {
	if allDay && len(s) == len(time.DateOnly) {
		d, err := parseDate(field, s)
		if err != nil {
			return time.Time{}, err
		}
		start, _ := familyhub.DayBounds(d, loc)
		return start, nil
	}
	return parseTimestamp(field, s)
}

func parseExdates(ss []string) ([]time.Time, error) {
	if len(ss) > maxEventExdates {
		return nil, familyhub.Invalid("exdates", "exdates may hold at most %d entries.", maxEventExdates)
	}
	out := make([]time.Time, len(ss))
	for i, s := range ss {
		t, err := parseTimestamp("exdates", s)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

type calendarEventCreateRequest struct {
	Title    string   `json:"title"`
	StartsAt *string  `json:"starts_at"`
	EndsAt   *string  `json:"ends_at"`
	AllDay   bool     `json:"all_day"`
	Location string   `json:"location"`
	Notes    string   `json:"notes"`
	RRule    *string  `json:"rrule"`
	Exdates  []string `json:"exdates"`
}

func (s *Server) handleCalendarEventCreate(w http.ResponseWriter, r *http.Request) {
	var req calendarEventCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	exdates, err := parseExdates(req.Exdates)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var ev dbsqlc.CalendarEvent
	var loc *time.Location
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		var err error
		if loc, err = s.store.FamilyLocation(r.Context(), tx, a.FamilyID); err != nil {
			return err
		}
		f := calendarEventFields{Title: req.Title, Notes: req.Notes, Location: req.Location, AllDay: req.AllDay, RRule: req.RRule, Exdates: exdates}
		for _, p := range []struct {
			name string
			in   *string
			out  *time.Time
		}{{"starts_at", req.StartsAt, &f.StartsAt}, {"ends_at", req.EndsAt, &f.EndsAt}} {
			if p.in == nil {
				return familyhub.Invalid(p.name, "%s is required.", p.name)
			}
			if *p.out, err = parseEventTime(p.name, *p.in, f.AllDay, loc); err != nil {
				return err
			}
		}
		ev, err = s.calendarEventInsert(r.Context(), tx, a.FamilyID, a.UserID, f, loc)
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, toCalendarEventJSON(ev, loc))
}

// calendarEventInsert checks f in the family's zone loc and creates the
// event, made by user (the assistant creates events through it too).
func (s *Server) calendarEventInsert(ctx context.Context, tx pgx.Tx, family, user uuid.UUID, f calendarEventFields, loc *time.Location) (dbsqlc.CalendarEvent, error) {
	if err := f.check(loc); err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	ev, err := s.store.Q.CalendarEventInsert(ctx, tx, dbsqlc.CalendarEventInsertParams{
		FamilyID: family, Title: f.Title, Notes: f.Notes, Location: f.Location, StartsAt: f.StartsAt,
		EndsAt: f.EndsAt, AllDay: f.AllDay, Rrule: f.RRule, Exdates: f.Exdates, CreatedBy: &user,
	})
	return ev, db.Err(err, "calendar event")
}

func (s *Server) handleCalendarEventGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "calendar event")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var ev dbsqlc.CalendarEvent
	var loc *time.Location
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		var err error
		if ev, err = s.store.Q.CalendarEventGet(r.Context(), tx, dbsqlc.CalendarEventGetParams{ID: id, FamilyID: a.FamilyID}); err != nil {
			return db.Err(err, "calendar event")
		}
		loc, err = s.store.FamilyLocation(r.Context(), tx, a.FamilyID)
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, toCalendarEventJSON(ev, loc))
}

type calendarEventUpdateRequest struct {
	Title    Optional[string]   `json:"title"`
	StartsAt Optional[string]   `json:"starts_at"`
	EndsAt   Optional[string]   `json:"ends_at"`
	AllDay   Optional[bool]     `json:"all_day"`
	Location Optional[string]   `json:"location"`
	Notes    Optional[string]   `json:"notes"`
	RRule    Optional[string]   `json:"rrule"`
	Exdates  Optional[[]string] `json:"exdates"`
}

// apply returns cur's fields with req applied (not yet checked as a whole).
func (req *calendarEventUpdateRequest) apply(cur dbsqlc.CalendarEvent, loc *time.Location) (calendarEventFields, error) {
	f := calendarEventFields{
		Title: cur.Title, Notes: cur.Notes, Location: cur.Location, StartsAt: cur.StartsAt, EndsAt: cur.EndsAt,
		AllDay: cur.AllDay, RRule: cur.Rrule, Exdates: cur.Exdates,
	}
	for _, p := range []struct {
		name string
		in   Optional[string]
		out  *string
	}{{"title", req.Title, &f.Title}, {"notes", req.Notes, &f.Notes}, {"location", req.Location, &f.Location}} {
		if p.in.Set {
			if p.in.Null && p.name == "title" {
				return f, familyhub.Invalid("title", "title cannot be null.")
			}
			*p.out = p.in.Value // null clears notes and location
		}
	}
	if req.AllDay.Set {
		if req.AllDay.Null {
			return f, familyhub.Invalid("all_day", "all_day must be true or false.")
		}
		f.AllDay = req.AllDay.Value
	}
	for _, p := range []struct {
		name string
		in   Optional[string]
		out  *time.Time
	}{{"starts_at", req.StartsAt, &f.StartsAt}, {"ends_at", req.EndsAt, &f.EndsAt}} {
		if p.in.Set {
			if p.in.Null {
				return f, familyhub.Invalid(p.name, "%s cannot be null.", p.name)
			}
			var err error
			if *p.out, err = parseEventTime(p.name, p.in.Value, f.AllDay, loc); err != nil {
				return f, err
			}
		}
	}
	if req.RRule.Set {
		f.RRule = req.RRule.Ptr()
	}
	if req.Exdates.Set {
		var err error
		if f.Exdates, err = parseExdates(req.Exdates.Value); err != nil {
			return f, err
		}
	}
	return f, nil
}

func (s *Server) handleCalendarEventUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "calendar event")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req calendarEventUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var ev dbsqlc.CalendarEvent
	var loc *time.Location
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		cur, err := s.lockWritableEvent(r, tx, id)
		if err != nil {
			return err
		}
		if loc, err = s.store.FamilyLocation(r.Context(), tx, a.FamilyID); err != nil {
			return err
		}
		f, err := req.apply(cur, loc)
		if err != nil {
			return err
		}
		if err := f.check(loc); err != nil {
			return err
		}
		ev, err = s.store.Q.CalendarEventUpdate(r.Context(), tx, dbsqlc.CalendarEventUpdateParams{
			ID: id, FamilyID: a.FamilyID, Title: f.Title, Notes: f.Notes, Location: f.Location, StartsAt: f.StartsAt,
			EndsAt: f.EndsAt, AllDay: f.AllDay, Rrule: f.RRule, Exdates: f.Exdates,
		})
		return db.Err(err, "calendar event")
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, toCalendarEventJSON(ev, loc))
}

func (s *Server) handleCalendarEventDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "calendar event")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		if _, err := s.lockWritableEvent(r, tx, id); err != nil {
			return err
		}
		_, err := s.store.Q.CalendarEventDelete(r.Context(), tx, dbsqlc.CalendarEventDeleteParams{ID: id, FamilyID: AuthFrom(r.Context()).FamilyID})
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// lockWritableEvent locks the caller's event id for a change; it is not
// found when missing or another family's, forbidden when read-only.
func (s *Server) lockWritableEvent(r *http.Request, tx pgx.Tx, id uuid.UUID) (dbsqlc.CalendarEvent, error) {
	cur, err := s.store.Q.CalendarEventGetForUpdate(r.Context(), tx, dbsqlc.CalendarEventGetForUpdateParams{ID: id, FamilyID: AuthFrom(r.Context()).FamilyID})
	if err != nil {
		return cur, db.Err(err, "calendar event")
	}
	if cur.ReadOnly {
		return cur, familyhub.Errorf(familyhub.EFORBIDDEN, "This event comes from a subscribed calendar and is read-only; change it at its source.")
	}
	return cur, nil
}
