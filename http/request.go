package http

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// pathID parses the {id} URL parameter. A malformed id is answered like a
// missing row (404, naming what): it cannot exist.
func pathID(r *http.Request, what string) (uuid.UUID, error) {
	return parseID(chi.URLParam(r, "id"), what)
}

// parseID parses a UUID from a path or query parameter, with the same 404
// for malformed ids as pathID.
func parseID(s, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, familyhub.NotFound(what)
	}
	return id, nil
}

// DeviceID returns the client's X-Device-ID header when it is well-formed
// (1-64 of A-Z a-z 0-9 . _ : -), else "". Realtime uses it to send
// device-targeted events to the device that made the request.
func DeviceID(r *http.Request) string {
	if id := r.Header.Get("X-Device-ID"); ValidDeviceID(id) {
		return id
	}
	return ""
}

// ValidDeviceID reports whether id is a well-formed device id: 1-64 of
// A-Z, a-z, 0-9 and "._:-", as ^[A-Za-z0-9._:-]{1,64}$ says (checked by
// hand, not by that regexp: it is asked on every request).
func ValidDeviceID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// respond answers v with status, or err when the operation failed.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, status, v)
}

// respondRecord answers one record with its version as the ETag.
func (s *Server) respondRecord(w http.ResponseWriter, r *http.Request, status int, v any, version int64, err error) {
	if err == nil {
		setETag(w, version)
	}
	s.respond(w, r, status, v, err)
}

// deleteHandler answers DELETE .../{id}: del removes the row with that id
// of the caller's family inside the request's transaction: 204, or 404
// (missing, or another family's).
func (s *Server) deleteHandler(what string, del func(tx *db.Tx, ctx context.Context, id uuid.UUID) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, what)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error { return del(tx, r.Context(), id) })
		if err != nil {
			s.Error(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// parseTimestamp parses an RFC 3339 timestamp, refusing anything else (and
// years outside FamilyHub's range) with EINVALID naming field.
func parseTimestamp(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, familyhub.Invalid(field, "%s must be an RFC 3339 timestamp such as 2026-03-29T09:00:00+02:00.", field)
	}
	return t, db.CheckYear(field, t)
}

// optionalTimestamp parses an Optional timestamp field of a PATCH body.
func optionalTimestamp(field string, o familyhub.Optional[string]) (familyhub.Optional[time.Time], error) {
	out := familyhub.Optional[time.Time]{Set: o.Set, Null: o.Null}
	if o.Set && !o.Null {
		var err error
		out.Value, err = parseTimestamp(field, o.Value)
		return out, err
	}
	return out, nil
}

// parseDate parses a civil date YYYY-MM-DD into midnight UTC of that date.
func parseDate(field, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < familyhub.MinYear || d.Year() > familyhub.MaxYear {
		return time.Time{}, familyhub.Invalid(field, "%s must be a date YYYY-MM-DD.", field)
	}
	return d, nil
}

// checkQuery refuses query parameters other than allowed, and repeated
// ones, naming the parameter.
func checkQuery(r *http.Request, allowed ...string) error {
	for name, values := range r.URL.Query() {
		known := false
		for _, a := range allowed {
			known = known || a == name
		}
		if !known {
			return familyhub.Invalid(name, "Unknown query parameter %q.", name)
		}
		if len(values) > 1 {
			return familyhub.Invalid(name, "Query parameter %q is given more than once.", name)
		}
	}
	return nil
}

// queryBool parses an optional true/false query parameter.
func queryBool(r *http.Request, name string) (bool, error) {
	switch r.URL.Query().Get(name) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, familyhub.Invalid(name, "%s must be true or false.", name)
}

func ptr[T any](v T) *T { return &v }
