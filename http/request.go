package http

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
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

// Optional is a field of a PATCH body: Set says the field was present (even
// as null), Null that it was null, Value holds it otherwise. Absent fields
// keep their stored value; null clears a nullable one.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// Ptr returns nil when the field was absent or null, else a pointer to the value.
func (o Optional[T]) Ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	return &o.Value
}

var deviceIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// DeviceID returns the client's X-Device-ID header when it is well-formed
// (1-64 of A-Z a-z 0-9 . _ : -), else "". Realtime uses it to send
// device-targeted events to the device that made the request.
func DeviceID(r *http.Request) string {
	if id := r.Header.Get("X-Device-ID"); ValidDeviceID(id) {
		return id
	}
	return ""
}

// ValidDeviceID reports whether id is a well-formed device id.
func ValidDeviceID(id string) bool { return deviceIDPattern.MatchString(id) }

// deleteHandler answers DELETE .../{id}: del removes the row with that id
// of the caller's family inside the request's transaction and returns how
// many rows it removed; none is 404 (missing, or another family's), one
// is 204.
func (s *Server) deleteHandler(what string, del func(ctx context.Context, tx pgx.Tx, id, familyID uuid.UUID) (int64, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, what)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		family := AuthFrom(r.Context()).FamilyID
		err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
			n, err := del(r.Context(), tx, id, family)
			if err == nil && n == 0 {
				return familyhub.NotFound(what)
			}
			return err
		})
		if err != nil {
			s.Error(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
