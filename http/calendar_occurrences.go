package http

import (
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// One occurrence of a series ("only this occurrence": an override, as
// iCalendar's RECURRENCE-ID), and splitting a series ("this and
// following"). docs/api/calendar.md describes them.

// parseRecurrenceID reads the {recurrence_id} of a path (or a body field):
// an RFC 3339 timestamp, or a date YYYY-MM-DD meaning that midnight in the
// family's zone (an all-day series' occurrences start then). Anything else
// names no occurrence (not found).
func parseRecurrenceID(s string, loc *time.Location) (time.Time, error) {
	// chi hands over the raw path segment: encodeURIComponent writes
	// "+" and ":" as %2B and %3A.
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	if len(s) == len(time.DateOnly) {
		d, err := parseDate("recurrence_id", s)
		if err != nil {
			return time.Time{}, familyhub.NotFound("occurrence")
		}
		start, _ := familyhub.DayBounds(d, loc)
		return start, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, familyhub.NotFound("occurrence")
	}
	return t, nil
}

type occurrenceUpdateRequest struct {
	Title    familyhub.Optional[string] `json:"title"`
	StartsAt familyhub.Optional[string] `json:"starts_at"`
	EndsAt   familyhub.Optional[string] `json:"ends_at"`
	AllDay   familyhub.Optional[bool]   `json:"all_day"`
	Location familyhub.Optional[string] `json:"location"`
	Notes    familyhub.Optional[string] `json:"notes"`
}

// handleOccurrenceUpdate changes one occurrence of a series: the fields
// given replace the occurrence's (as it is now: the series', or its
// earlier change), the result is validated as a whole.
func (s *Server) handleOccurrenceUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "calendar event")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req occurrenceUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var out calendarOccurrenceJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		ctx := r.Context()
		var (
			loc *time.Location
			occ db.Occurrence
			f   db.CalendarEventFields
		)
		ev := calendarEventUpdateRequest{Title: req.Title, StartsAt: req.StartsAt, EndsAt: req.EndsAt, AllDay: req.AllDay, Location: req.Location, Notes: req.Notes}
		// The occurrence as it is, then the request on top (as PATCH of an
		// event does).
		occurrence := func(cur dbsqlc.CalendarEvent) (err error) {
			if loc, err = tx.Location(ctx); err != nil {
				return err
			}
			rid, err := parseRecurrenceID(chi.URLParam(r, "recurrence_id"), loc)
			if err != nil {
				return err
			}
			if occ, err = tx.CalendarOccurrence(ctx, cur, rid); err != nil {
				return err
			}
			f = db.CalendarEventFields{Title: cur.Title, Notes: cur.Notes, Location: cur.Location, StartsAt: occ.Start, EndsAt: occ.End, AllDay: cur.AllDay}
			if o := occ.Override; o != nil {
				f = db.CalendarEventFields{Title: o.Title, Notes: o.Notes, Location: o.Location, StartsAt: o.StartsAt, EndsAt: o.EndsAt, AllDay: o.AllDay}
			}
			f, err = ev.applyTo(f, loc)
			return err
		}
		// Invalid on its own: refused before the If-Match (docs/api.md),
		// which a stale one would answer (CalendarOccurrenceLock).
		if loc, err = tx.Location(ctx); err != nil {
			return err
		}
		if err := ev.checkAlone(loc); err != nil {
			return err
		}
		// A replay of a change already made (its answer was lost) is
		// answered with the occurrence as it is, however stale its If-Match.
		cur, already, err := tx.CalendarOccurrenceLock(ctx, id, func(cur dbsqlc.CalendarEvent) (bool, error) {
			if err := occurrence(cur); err != nil {
				return false, err
			}
			return occ.Override != nil && db.OverrideIs(*occ.Override, f), nil
		})
		if err != nil {
			return err
		}
		if already {
			out = toOccurrenceJSON(occ, loc)
			return nil
		}
		if err := occurrence(cur); err != nil {
			return err
		}
		e, ov, err := tx.CalendarOccurrenceSet(ctx, cur, db.CalendarOverrideFields{
			RecurrenceID: *occ.RecurrenceID, Title: f.Title, Notes: f.Notes, Location: f.Location,
			StartsAt: f.StartsAt, EndsAt: f.EndsAt, AllDay: f.AllDay,
		})
		if err != nil {
			return err
		}
		out = toOccurrenceJSON(db.Occurrence{Event: e, Start: ov.StartsAt, End: ov.EndsAt, RecurrenceID: occ.RecurrenceID, Override: &ov}, loc)
		return nil
	})
	s.respond(w, r, http.StatusOK, out, err)
}

// handleOccurrenceDelete deletes one occurrence of a series (it joins the
// series' exdates) or, with ?following=true, that occurrence and every
// later one (the series ends before it; from its first occurrence on, the
// series is deleted).
func (s *Server) handleOccurrenceDelete(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "following"); err != nil {
		s.Error(w, r, err)
		return
	}
	following := false
	switch r.URL.Query().Get("following") {
	case "", "false":
	case "true":
		following = true
	default:
		s.Error(w, r, familyhub.Invalid("following", "following must be true or false."))
		return
	}
	id, err := pathID(r, "calendar event")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		ctx := r.Context()
		loc, err := tx.Location(ctx)
		if err != nil {
			return err
		}
		rid, err := parseRecurrenceID(chi.URLParam(r, "recurrence_id"), loc)
		if err != nil {
			return err
		}
		if following {
			cur, err := tx.CalendarEventLock(ctx, id)
			if err != nil {
				return err
			}
			_, err = tx.CalendarEventEndBefore(ctx, cur.ID, rid)
			return err
		}
		// A replay of a delete already made (its answer was lost) is done,
		// however stale its If-Match.
		cur, already, err := tx.CalendarOccurrenceLock(ctx, id, func(cur dbsqlc.CalendarEvent) (bool, error) {
			return db.OccurrenceCancelled(cur, rid), nil
		})
		if err != nil || already {
			return err
		}
		_, err = tx.CalendarOccurrenceCancel(ctx, cur.ID, rid)
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type calendarSplitRequest struct {
	RecurrenceID *string `json:"recurrence_id"`
	calendarEventUpdateRequest
}

type calendarSplitJSON struct {
	// Ended is the series as it is now, ending before the split point;
	// null when the split point was its first occurrence (the series
	// itself then became following).
	Ended     *calendarEventJSON `json:"ended"`
	Following calendarEventJSON  `json:"following"`
}

// handleCalendarEventSplit changes "this and following" occurrences: the
// series ends before recurrence_id and a new series begins there, with the
// series' fields and the request's on top (201); from the first occurrence
// on it is the whole series (200).
func (s *Server) handleCalendarEventSplit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "calendar event")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req calendarSplitRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.RecurrenceID == nil {
		s.Error(w, r, familyhub.Invalid("recurrence_id", "recurrence_id is required: the occurrence the series continues from."))
		return
	}
	var out calendarSplitJSON
	var status int
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		// afresh on each try (TxRetry): a failed one may have set either
		out, status = calendarSplitJSON{}, http.StatusCreated
		ctx := r.Context()
		cur, err := tx.CalendarEventLock(ctx, id)
		if err != nil {
			return err
		}
		loc, err := tx.Location(ctx)
		if err != nil {
			return err
		}
		rid, err := parseRecurrenceID(*req.RecurrenceID, loc)
		if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			return familyhub.Invalid("recurrence_id", "recurrence_id must be an occurrence's recurrence_id (RFC 3339).")
		} else if err != nil {
			return err
		}
		occ, err := tx.CalendarOccurrence(ctx, cur, rid)
		if err != nil {
			return err
		}
		next, err := req.applyTo(db.CalendarSplitDefaults(cur, *occ.RecurrenceID, loc), loc)
		if err != nil {
			return err
		}
		ended, following, err := tx.CalendarEventSplit(ctx, cur, rid, next)
		if err != nil {
			return err
		}
		if ended == nil {
			status = http.StatusOK
		} else {
			e := toCalendarEventJSON(*ended, loc)
			out.Ended = &e
		}
		out.Following = toCalendarEventJSON(following, loc)
		return nil
	})
	s.respond(w, r, status, out, err)
}
