// Package http serves FamilyHub's REST API: chi routes, JSON in and out,
// sessions and the one mapping from familyhub error codes to HTTP statuses.
package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/db"
)

// MaxBodyBytes caps every request body. A larger body answers 413.
const MaxBodyBytes = 1 << 20

// connLimitRetryAfter is the Retry-After (seconds) of a realtime connection
// refused because its user has the most open (familyhub.ECONNLIMIT).
const connLimitRetryAfter = "10"

// codeStatus is the one table from error codes to HTTP statuses.
var codeStatus = map[string]int{
	familyhub.EMALFORMED:    http.StatusBadRequest,
	familyhub.EINVALID:      http.StatusUnprocessableEntity,
	familyhub.EUNAUTHORIZED: http.StatusUnauthorized,
	familyhub.EREMOVED:      http.StatusUnauthorized,
	familyhub.EDEVREVOKED:   http.StatusUnauthorized,
	familyhub.EFORBIDDEN:    http.StatusForbidden,
	familyhub.ENOTFOUND:     http.StatusNotFound,
	familyhub.ECONFLICT:     http.StatusConflict,
	familyhub.EALREADYMADE:  http.StatusConflict,
	familyhub.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	familyhub.ELIMIT:        http.StatusConflict,
	familyhub.ERATELIMITED:  http.StatusTooManyRequests,
	familyhub.ECONNLIMIT:    http.StatusTooManyRequests,
	familyhub.ETICKETLIMIT:  http.StatusTooManyRequests,
	familyhub.EUNAVAILABLE:  http.StatusServiceUnavailable,
	familyhub.EBUSY:         http.StatusServiceUnavailable,
	familyhub.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for an error code.
func ErrorStatus(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// writeError writes err as {"error":{"code","message","field","reason"}} with the
// status its code maps to, the message in the caller's language (see
// errorLanguage) and Content-Language saying which. Only internal,
// unavailable and other_change busy errors are logged: the rest are the
// client's to fix.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	lang := errorLanguage(w, r)
	var stale *db.StaleError
	if errors.As(err, &stale) {
		writeStale(w, stale, lang)
		return
	}
	code := familyhub.ErrorCode(err)
	msg, msgLang := errorMessage(err, lang)
	body := errorJSON{Code: code, Message: msg}
	var fe *familyhub.Error
	if errors.As(err, &fe) {
		body.Field, body.Reason = fe.Field, fe.Reason
	}
	switch code {
	case familyhub.EINTERNAL:
		logger.Error("request failed", "method", r.Method, "path", logPath(r), "err", err)
	case familyhub.EUNAVAILABLE:
		logger.Warn("database unavailable", "method", r.Method, "path", logPath(r), "err", err)
		w.Header().Set("Retry-After", "2")
	case familyhub.ECONNLIMIT:
		// A connection of the user's has to end first; when is unknown.
		w.Header().Set("Retry-After", connLimitRetryAfter)
	case familyhub.EBUSY:
		// Nothing was done: the member's earlier assistant command
		// still runs (waited for db.AssistantCommandWait already), or
		// another change got in the way (other_change: an undo's time
		// ran out, or a write's deadlock retries did; logged, as an
		// operator should see writes that keep meeting each other).
		if body.Reason == "other_change" {
			logger.Warn("request met other changes until it gave up", "method", r.Method, "path", logPath(r), "err", err)
		}
		w.Header().Set("Retry-After", busyRetryAfter)
	}
	w.Header().Set("Content-Language", msgLang)
	WriteJSON(w, ErrorStatus(code), errorBody{Error: body})
}

// errorLanguage is the language an error answer is wanted in: the one a
// handler already answers in (Content-Language, set by the assistant for
// the language of the command), else the request's Accept-Language ("de"
// or "en", the one parser the assistant uses too).
func errorLanguage(w http.ResponseWriter, r *http.Request) string {
	if lang := w.Header().Get("Content-Language"); lang != "" {
		return lang
	}
	return assistant.AcceptLanguage(r.Header.Get("Accept-Language"))
}

// errorMessage returns err's message in lang when the catalogue has it
// (errors_de.go), else in English, and the language it is in. A
// familyhub.Error without Format (an assistant's refusal) is in lang
// already; any other error is internal and says only that.
func errorMessage(err error, lang string) (msg, msgLang string) {
	var fe *familyhub.Error
	if !errors.As(err, &fe) {
		if lang == "de" {
			return "Interner Fehler.", "de"
		}
		return familyhub.ErrorMessage(err), "en"
	}
	if fe.Format == "" {
		return fe.Message, lang
	}
	if lang != "de" {
		return fe.Message, "en"
	}
	format, ok := deFormats[fe.Format]
	if !ok {
		return fe.Message, "en"
	}
	args := make([]any, len(fe.Args))
	for i, a := range fe.Args {
		args[i] = a
		if p, ok := a.(familyhub.Phrase); ok {
			if de, ok := dePhrases[string(p)]; ok {
				args[i] = de
			}
		}
	}
	return fmt.Sprintf(format, args...), "de"
}

// writeJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// decodeJSON reads exactly one JSON object from the body into v, strictly:
// unknown fields, wrong types, trailing data and bodies over MaxBodyBytes are
// refused with an error naming the problem (and the field when there is one).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return familyhub.Errorf(familyhub.EMALFORMED, "Content-Type must be application/json.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return decodeError(err)
	}
	if field, bad := invalidTextField(body); bad {
		if field == "" {
			return familyhub.Errorf(familyhub.EMALFORMED, "The request body is not valid UTF-8.")
		}
		return familyhub.Invalid(field, "%s is not valid UTF-8 text.", field)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return decodeError(err)
		}
		return familyhub.Errorf(familyhub.EMALFORMED, "The body must hold a single JSON object.")
	}
	return nil
}

// decodeError turns an encoding/json error into a familyhub error.
func decodeError(err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		maxErr    *http.MaxBytesError
	)
	switch {
	case errors.As(err, &maxErr):
		return familyhub.Errorf(familyhub.ETOOLARGE, "The request body is larger than %d bytes.", MaxBodyBytes)
	case errors.Is(err, io.EOF):
		return familyhub.Errorf(familyhub.EMALFORMED, "The request body is empty; a JSON object is expected.")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return familyhub.Errorf(familyhub.EMALFORMED, "The request body is not valid JSON.")
	case errors.As(err, &typeErr):
		typeErr.Field = jsonFieldPath(typeErr.Field)
		if typeErr.Field == "" {
			return familyhub.Errorf(familyhub.EMALFORMED, "The body must be a JSON object.")
		}
		return familyhub.Invalid(typeErr.Field, "%s must be %s.", typeErr.Field, familyhub.Phrase(jsonKind(typeErr.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if field == "" {
			return familyhub.Errorf(familyhub.EMALFORMED, "The body has a field with an empty name.")
		}
		return familyhub.Invalid(field, "Unknown field %q.", field)
	}
	var fe *familyhub.Error
	if errors.As(err, &fe) { // from an UnmarshalJSON method of ours
		return fe
	}
	return familyhub.Errorf(familyhub.EMALFORMED, "The request body could not be read: %s", err)
}

// jsonFieldPath drops the Go names of embedded structs from the path
// encoding/json reports ("ShoppingItemNew.quantity" is "quantity"): the
// client knows only the JSON keys, which are lower case.
func jsonFieldPath(path string) string {
	var keep []string
	for _, p := range strings.Split(path, ".") {
		if p != "" && !unicode.IsUpper(rune(p[0])) {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ".")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int32", "int64", "uint", "float64", "float32":
		return "a number"
	}
	return fmt.Sprintf("of type %s", goKind)
}
