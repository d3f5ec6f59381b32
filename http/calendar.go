package http

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// mountCalendar adds the calendar endpoints to the authenticated API router.
func (s *Server) mountCalendar(r chi.Router) {
	r.Get("/calendar/events", s.handleCalendarEventList)
	r.Post("/calendar/events", s.handleCalendarEventCreate)
	r.Get("/calendar/events/{id}", s.handleCalendarEventGet)
	r.Patch("/calendar/events/{id}", s.handleCalendarEventUpdate)
	r.Delete("/calendar/events/{id}", s.deleteHandler("calendar event", (*db.Tx).CalendarEventDelete))
	// One occurrence of a series, and splitting a series (calendar_occurrences.go).
	r.Patch("/calendar/events/{id}/occurrences/{recurrence_id}", s.handleOccurrenceUpdate)
	r.Delete("/calendar/events/{id}/occurrences/{recurrence_id}", s.handleOccurrenceDelete)
	r.Post("/calendar/events/{id}/split", s.handleCalendarEventSplit)
}

type calendarEventJSON struct {
	ID             uuid.UUID   `json:"id"`
	Version        int64       `json:"version"`
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
	// Overrides are the series' changed occurrences: only in the answer
	// to GET /api/calendar/events/{id}.
	Overrides *[]calendarOverrideJSON `json:"overrides,omitempty"`
}

// calendarOccurrenceJSON is one entry of a range listing: the event, with
// starts_at/ends_at of this occurrence and, for a series, recurrence_id
// (the occurrence's start as the rule gives it: iCalendar RECURRENCE-ID,
// the value to put in exdates to cancel it). overridden says this
// occurrence was changed on its own: its title, notes, location and times
// are then the occurrence's.
//
// series is, for a series, what the occurrence's own fields replace: the
// series' first start and end and its texts, so a device that read a
// range can open and change the whole series without asking the server
// again (the PWA offline).
type calendarOccurrenceJSON struct {
	calendarEventJSON
	RecurrenceID *time.Time          `json:"recurrence_id"`
	Overridden   bool                `json:"overridden"`
	Series       *calendarSeriesJSON `json:"series,omitempty"`
}

// calendarSeriesJSON is a series as it is defined, in an occurrence of it.
type calendarSeriesJSON struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	AllDay   bool      `json:"all_day"`
	Title    string    `json:"title"`
	Notes    string    `json:"notes"`
	Location string    `json:"location"`
}

// calendarOverrideJSON is one changed occurrence of a series.
type calendarOverrideJSON struct {
	RecurrenceID time.Time `json:"recurrence_id"`
	Title        string    `json:"title"`
	Notes        string    `json:"notes"`
	Location     string    `json:"location"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	AllDay       bool      `json:"all_day"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toCalendarOverrideJSON(o dbsqlc.CalendarEventOverride, loc *time.Location) calendarOverrideJSON {
	return calendarOverrideJSON{
		RecurrenceID: o.RecurrenceID.In(loc), Title: o.Title, Notes: o.Notes, Location: o.Location,
		StartsAt: o.StartsAt.In(loc), EndsAt: o.EndsAt.In(loc), AllDay: o.AllDay, UpdatedAt: o.UpdatedAt.UTC(),
	}
}

// toOccurrenceJSON renders one occurrence in the family's zone loc.
func toOccurrenceJSON(o db.Occurrence, loc *time.Location) calendarOccurrenceJSON {
	j := calendarOccurrenceJSON{calendarEventJSON: toCalendarEventJSON(o.Event, loc), RecurrenceID: o.RecurrenceID}
	if o.RecurrenceID != nil {
		rid := o.RecurrenceID.In(loc)
		j.RecurrenceID = &rid
		j.Series = &calendarSeriesJSON{StartsAt: j.StartsAt, EndsAt: j.EndsAt, AllDay: j.AllDay, Title: j.Title, Notes: j.Notes, Location: j.Location}
	}
	j.StartsAt, j.EndsAt = o.Start.In(loc), o.End.In(loc)
	if ov := o.Override; ov != nil {
		j.Overridden, j.Title, j.Notes, j.Location, j.AllDay = true, ov.Title, ov.Notes, ov.Location, ov.AllDay
	}
	return j
}

// toCalendarEventJSON renders e with its times in the family's zone loc.
func toCalendarEventJSON(e dbsqlc.CalendarEvent, loc *time.Location) calendarEventJSON {
	ex := make([]time.Time, len(e.Exdates))
	for i, t := range e.Exdates {
		ex[i] = t.In(loc)
	}
	return calendarEventJSON{
		ID: e.ID, Version: e.Version, UID: e.Uid, Title: e.Title, Notes: e.Notes, Location: e.Location,
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
	case to.Sub(from) > familyhub.MaxCalendarRange:
		s.Error(w, r, familyhub.Invalid("to", "The range from..to must be at most 366 days."))
		return
	}
	var out []calendarOccurrenceJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		occs, loc, err := tx.CalendarOccurrences(r.Context(), from, to)
		if err != nil {
			return err
		}
		out = make([]calendarOccurrenceJSON, len(occs))
		for i, o := range occs {
			out[i] = toOccurrenceJSON(o, loc)
		}
		return nil
	})
	s.respond(w, r, http.StatusOK, out, err)
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
	if len(ss) > familyhub.MaxEventExdates {
		return nil, familyhub.Invalid("exdates", "exdates may hold at most %d entries.", familyhub.MaxEventExdates)
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
	ID       *string  `json:"id"`
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
	id, err := clientID(req.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var out calendarEventJSON
	var replayed bool
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		loc, err := tx.Location(r.Context())
		if err != nil {
			return err
		}
		f := db.CalendarEventFields{ID: id, Title: req.Title, Notes: req.Notes, Location: req.Location, AllDay: req.AllDay, RRule: req.RRule, Exdates: exdates}
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
		var ev dbsqlc.CalendarEvent
		ev, replayed, err = tx.CalendarEventAdd(r.Context(), f)
		out = toCalendarEventJSON(ev, loc)
		return err
	})
	s.respondRecord(w, r, createdStatus(replayed), out, out.Version, err)
}

func (s *Server) handleCalendarEventGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "calendar event")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var out calendarEventJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		ev, err := tx.CalendarEventGet(r.Context(), id)
		if err != nil {
			return err
		}
		loc, err := tx.Location(r.Context())
		if err != nil {
			return err
		}
		out = toCalendarEventJSON(ev, loc)
		ovs, err := tx.CalendarOverrides(r.Context(), []uuid.UUID{ev.ID})
		list := []calendarOverrideJSON{}
		for _, o := range ovs[ev.ID] {
			list = append(list, toCalendarOverrideJSON(o, loc))
		}
		out.Overrides = &list
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

type calendarEventUpdateRequest struct {
	Title    familyhub.Optional[string]   `json:"title"`
	StartsAt familyhub.Optional[string]   `json:"starts_at"`
	EndsAt   familyhub.Optional[string]   `json:"ends_at"`
	AllDay   familyhub.Optional[bool]     `json:"all_day"`
	Location familyhub.Optional[string]   `json:"location"`
	Notes    familyhub.Optional[string]   `json:"notes"`
	RRule    familyhub.Optional[string]   `json:"rrule"`
	Exdates  familyhub.Optional[[]string] `json:"exdates"`
}

// apply returns cur's fields with req applied (not yet checked as a whole).
func (req *calendarEventUpdateRequest) apply(cur dbsqlc.CalendarEvent, loc *time.Location) (db.CalendarEventFields, error) {
	return req.applyTo(db.CalendarEventFields{
		Title: cur.Title, Notes: cur.Notes, Location: cur.Location, StartsAt: cur.StartsAt, EndsAt: cur.EndsAt,
		AllDay: cur.AllDay, RRule: cur.Rrule, Exdates: cur.Exdates,
	}, loc)
}

// applyTo returns f with req applied (not yet checked as a whole).
func (req *calendarEventUpdateRequest) applyTo(f db.CalendarEventFields, loc *time.Location) (db.CalendarEventFields, error) {
	for _, p := range []struct {
		name string
		in   familyhub.Optional[string]
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
		in   familyhub.Optional[string]
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

// checkAlone validates the change on its own, without the event it
// changes: formats, lengths, the rule, and the times as far as the body
// gives them. What is invalid only together with the stored event (an end
// before a start another device has moved since) is checked after the
// If-Match, so that a stale change of it is a conflict (412), not refused
// for good (docs/api.md).
func (req *calendarEventUpdateRequest) checkAlone(loc *time.Location) error {
	if req.Title.Set {
		if req.Title.Null {
			return familyhub.Invalid("title", "title cannot be null.")
		}
		if _, err := db.TrimmedText("title", req.Title.Value, 1, familyhub.MaxEventTitle); err != nil {
			return err
		}
	}
	if err := db.ValidateText("notes", req.Notes.Value, 0, familyhub.MaxEventNotes); err != nil {
		return err
	}
	if err := db.ValidateText("location", req.Location.Value, 0, familyhub.MaxEventLocation); err != nil {
		return err
	}
	var allDay *bool
	if req.AllDay.Set {
		if req.AllDay.Null {
			return familyhub.Invalid("all_day", "all_day must be true or false.")
		}
		allDay = &req.AllDay.Value
	}
	var times [2]*time.Time
	for i, p := range []struct {
		name string
		in   familyhub.Optional[string]
	}{{"starts_at", req.StartsAt}, {"ends_at", req.EndsAt}} {
		if !p.in.Set {
			continue
		}
		if p.in.Null {
			return familyhub.Invalid(p.name, "%s cannot be null.", p.name)
		}
		// Unless the body says, the event may be all-day or not: a date
		// or a timestamp are both well-formed on their own.
		t, err := parseEventTime(p.name, p.in.Value, allDay == nil || *allDay, loc)
		if err != nil {
			return err
		}
		times[i] = &t
	}
	if err := db.CheckEventTimes(times[0], times[1], allDay, loc); err != nil {
		return err
	}
	if req.RRule.Set && !req.RRule.Null {
		if _, err := familyhub.ParseRecurrence("rrule", req.RRule.Value); err != nil {
			return err
		}
	}
	if req.Exdates.Set {
		if _, err := parseExdates(req.Exdates.Value); err != nil {
			return err
		}
	}
	return nil
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
	var out calendarEventJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		// The change alone is validated before the If-Match (an invalid
		// change is invalid whatever it), the event it makes after it.
		cur, err := tx.CalendarEventLock(db.WithoutIfVersion(r.Context()), id)
		if err != nil {
			return err
		}
		loc, err := tx.Location(r.Context())
		if err != nil {
			return err
		}
		if err := req.checkAlone(loc); err != nil {
			return err
		}
		if err := tx.CalendarEventCheckVersion(r.Context(), cur); err != nil {
			return err
		}
		f, err := req.apply(cur, loc)
		if err != nil {
			return err
		}
		ev, err := tx.CalendarEventReplace(r.Context(), cur, f, nil)
		out = toCalendarEventJSON(ev, loc)
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}
