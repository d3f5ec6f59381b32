// Package familyhub holds the domain words every other package shares: the
// error type with its stable codes. It imports nothing of FamilyHub's own.
package familyhub

import (
	"errors"
	"fmt"
)

// Error codes. They are part of the API contract: clients switch on them, so
// they never change once published. docs/api.md lists them with their HTTP
// status.
const (
	EMALFORMED    = "malformed_request"    // the body or a parameter cannot be parsed at all
	EINVALID      = "invalid"              // a field has a value the server refuses
	EUNAUTHORIZED = "unauthorized"         // no valid credentials
	EREMOVED      = "removed_from_family"  // 401 too: the session ended because its member left or was removed from the family
	EDEVREVOKED   = "device_revoked"       // 401 too: the children's device key was revoked by an adult; forget it
	EFORBIDDEN    = "forbidden"            // credentials are fine, the action is not allowed
	ENOTFOUND     = "not_found"            // missing, or belongs to another family
	ECONFLICT     = "conflict"             // clashes with existing data (e.g. email taken)
	EALREADYMADE  = "already_created"      // 409 too: a create_key's create was made by an earlier send; its secret is not shown again
	ETOOLARGE     = "too_large"            // request body or message over the limit
	ELIMIT        = "limit_reached"        // a collection holds the most it may (limits.go); delete some first
	ERATELIMITED  = "rate_limited"         // too many attempts; retry later
	ECONNLIMIT    = "too_many_connections" // too many open realtime connections of one member; retry later
	ETICKETLIMIT  = "too_many_tickets"     // a session holds the most unexpired realtime tickets; retry later
	EUNAVAILABLE  = "unavailable"          // the database is unreachable; retry later
	EBUSY         = "busy"                 // 503 too: the caller's earlier assistant command still runs, or another change got in the way (an undo's time or a write's deadlock retries ran out); retry after Retry-After
	EINTERNAL     = "internal"             // a bug or an unexpected failure
)

// Error is an error a user can act on. Code is one of the E* constants,
// Message is a sentence for people (in English), Field names the offending
// input field when there is one, Reason tells apart the causes of one code
// where a client words them differently (busy: "previous_command",
// "other_change"; docs/api.md).
//
// Format and Args are what Message was made of, fmt.Sprintf(Format,
// Args...), so that the http package can say the same in the caller's
// language (a catalogue keyed by Format). Errorf, Invalid and NotFound set
// them; build every Error through them. Format is "" only for a message
// that is already in some language of its own (the assistant's refusals).
type Error struct {
	Code    string
	Message string
	Field   string
	Reason  string
	Format  string
	Args    []any
}

// Phrase is English text passed as an argument of an Error's format that a
// translation replaces as well: a kind of thing ("shopping list"), a role,
// an action. Plain strings among the Args (field names, the user's own
// text) are kept as they are. It prints as the string it is.
type Phrase string

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("familyhub error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("familyhub error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Invalid returns an EINVALID *Error naming the field.
func Invalid(field string, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// NotFound returns the ENOTFOUND error for a kind of thing ("shopping list").
// The same error is used for rows that exist in another family, so that the
// answer never reveals that they exist.
func NotFound(what string) *Error {
	return Errorf(ENOTFOUND, "%s not found", Phrase(what))
}

// WithField returns a copy of e with its Field set to field: an Errorf
// error that names the input it refuses with a code other than EINVALID.
// A copy, so that calling it on a package-level error at run time changes
// no other answer.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// WithReason returns a copy of e with its Reason set to reason: which of
// its code's causes it is, for a client to word.
func (e *Error) WithReason(reason string) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err if it is (or wraps) an *Error, and a
// generic message otherwise: internal details never reach clients.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
