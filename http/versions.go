package http

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Safe retries (docs/api.md): creates take a client-chosen "id", changes
// take If-Match with the version the client last saw.

// clientID parses the "id" of a create body; nil when the body has none.
func clientID(s *string) (*uuid.UUID, error) {
	if s == nil {
		return nil, nil
	}
	id, err := uuid.Parse(*s)
	if err != nil || len(*s) != 36 {
		return nil, familyhub.Invalid("id", "id must be a UUID the client chose, such as 7f1e0c1e-3d4f-4f6e-9a59-3f2d6b7c8d90.")
	}
	if err := db.ClientUUID("id", &id); err != nil {
		return nil, err
	}
	return &id, nil
}

// createdStatus is 201 for a record made now, 200 for a repeated create
// that answers the record made the first time.
func createdStatus(replayed bool) int {
	if replayed {
		return http.StatusOK
	}
	return http.StatusCreated
}

// ifMatch reads a request's If-Match ("3", W/"3" or 3) into the context
// for the domain operations; "*" and no header mean no condition. Anything
// else is refused before any work.
func (s *Server) ifMatch(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := strings.TrimSpace(r.Header.Get("If-Match"))
		if h == "" || h == "*" {
			next.ServeHTTP(w, r)
			return
		}
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
		if err != nil || v < 1 {
			s.Error(w, r, familyhub.Errorf(familyhub.EMALFORMED, "If-Match must be the version of the record you last saw, such as \"3\"."))
			return
		}
		next.ServeHTTP(w, r.WithContext(db.WithIfVersion(r.Context(), v)))
	})
}

// setETag sets the ETag of a record answered alone: its version.
func setETag(w http.ResponseWriter, version int64) {
	w.Header().Set("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
}

// errStale is the message of a 412.
var errStale = familyhub.Errorf(familyhub.ECONFLICT,
	"Someone changed this since you last saw it; look at the current version and try again.")

// staleBody is a 412 answer: the error and the record as it is now.
type staleBody struct {
	Error   errorJSON `json:"error"`
	Current any       `json:"current,omitempty"`
}

// writeStale answers a change refused by If-Match: 412 with code conflict
// and the current record, so the client can show both versions.
// The message is in lang when the catalogue has it.
func writeStale(w http.ResponseWriter, e *db.StaleError, lang string) {
	msg, msgLang := errorMessage(errStale, lang)
	body := staleBody{Error: errorJSON{Code: familyhub.ECONFLICT, Message: msg}}
	w.Header().Set("Content-Language", msgLang)
	switch c := e.Current.(type) {
	case dbsqlc.ShoppingList:
		body.Current = toShoppingListJSON(c)
		setETag(w, c.Version)
	case dbsqlc.ShoppingItemsView:
		body.Current = toShoppingItemJSON(c)
		setETag(w, c.Version)
	case db.Recipe:
		body.Current = toRecipeJSON(c)
		setETag(w, c.Version)
	case dbsqlc.Task:
		body.Current = toTaskJSON(c)
		setETag(w, c.Version)
	case dbsqlc.Family:
		body.Current = toFamilyJSON(c)
		setETag(w, c.Version)
	case db.ZonedEvent:
		j := toCalendarEventJSON(c.CalendarEvent, c.Loc)
		if c.Overrides != nil {
			list := make([]calendarOverrideJSON, len(*c.Overrides))
			for i, o := range *c.Overrides {
				list[i] = toCalendarOverrideJSON(o, c.Loc)
			}
			j.Overrides = &list
		}
		body.Current = j
		setETag(w, c.Version)
	}
	WriteJSON(w, http.StatusPreconditionFailed, body)
}
