package ical

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// Prefix is where the CalDAV server lives. Paths below it:
//
//	/dav/<user id>/                     the user's principal
//	/dav/<user id>/calendars/           the calendar home
//	/dav/<user id>/calendars/family/    the family calendar (VEVENT)
//	/dav/<user id>/calendars/tasks/     the family's tasks (VTODO)
//	/dav/<user id>/calendars/<c>/<name> one event or task
const (
	Prefix = "/dav"
	// DeviceID is the device recorded on the events of CalDAV changes.
	DeviceID = "caldav"
)

// The server: go-webdav (v0.7.0) serves GET, PUT, DELETE and OPTIONS
// through calendarBackend; PROPFIND, PROPPATCH and REPORT are answered
// here (dav*.go), because the library has no sync-collection, no way to
// add properties (sync-token, getctag, supported-report-set) and builds
// every multistatus answer whole in memory, which one request naming a
// large object thousands of times turns into gigabytes.

// NewHandler returns the CalDAV server (mounted at Prefix) over store. The
// caller authenticates each request and puts the familyhub.Auth in its
// context, and bounds request bodies; status maps familyhub error codes to
// HTTP statuses (the HTTP layer's one table); message says an error in the
// request's language (its Accept-Language: calendar apps show the text of
// an error to people) and names that language, for Content-Language.
func NewHandler(store *db.Store, logger *slog.Logger, status func(code string) int, message func(r *http.Request, err error) (msg, lang string)) http.Handler {
	s := &davServer{store: store, logger: logger, status: status, message: message}
	s.events = &eventCollection{s: s}
	s.tasks = &taskCollection{s: s}
	s.lib = &caldav.Handler{Backend: &calendarBackend{s: s}, Prefix: Prefix}
	return s
}

type davServer struct {
	store   *db.Store
	logger  *slog.Logger
	status  func(code string) int
	message func(r *http.Request, err error) (msg, lang string)
	lib     *caldav.Handler
	events  collection
	tasks   collection
}

func (s *davServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var err error
	switch r.Method {
	case "PROPFIND":
		err = s.propfind(w, r)
	case "PROPPATCH":
		err = s.proppatch(w, r)
	case "REPORT":
		err = s.report(w, r)
	default:
		// The library answers an error as English text: the answer
		// writer says the error the backend kept instead.
		var kept error
		r = r.WithContext(context.WithValue(r.Context(), keptKey{}, &kept))
		s.lib.ServeHTTP(&answerWriter{ResponseWriter: w, r: r, s: s, kept: &kept}, r)
		return
	}
	if err != nil {
		s.serveError(w, r, err)
	}
}

type keptKey struct{}

// keep notes in ctx the error *err a backend method returns, for the
// answerWriter of its request.
func keep(ctx context.Context, err *error) {
	if k, ok := ctx.Value(keptKey{}).(*error); ok && *err != nil {
		*k = *err
	}
}

// answerWriter answers an error of the library's methods (GET, PUT,
// DELETE, ...) in the request's language: when the library writes a text
// error and the backend kept the error it returned (keep), the text is the
// backend's error said by davServer.message, not the library's English
// "403 Forbidden: …". The library's own errors (a request it cannot
// parse, for developers) stay English, and say so.
type answerWriter struct {
	http.ResponseWriter
	r        *http.Request
	s        *davServer
	kept     *error
	replaced bool // the library's body is dropped
}

func (w *answerWriter) WriteHeader(code int) {
	setRetryAfter(w.Header(), code)
	if code < 400 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if *w.kept == nil { // the library's own error (a malformed request): its English
		w.Header().Set("Content-Language", "en")
		w.ResponseWriter.WriteHeader(code)
		return
	}
	msg, lang := w.s.message(w.r, *w.kept)
	w.Header().Set("Content-Language", lang)
	w.ResponseWriter.WriteHeader(code)
	fmt.Fprintln(w.ResponseWriter, msg)
	w.replaced = true
}

func (w *answerWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// collections returns the collections of every calendar home.
func (s *davServer) collections() []collection { return []collection{s.events, s.tasks} }

// collection is one calendar collection of the family: its events or its
// tasks.
type collection interface {
	name() string      // the path segment: "family" or "tasks"
	component() string // the component it holds: VEVENT or VTODO
	eventType() string // the event log type of its changes
	displayName(family string) string
	// heads lists every object without its body.
	heads(ctx context.Context, tx *db.Tx) ([]db.DAVHead, error)
	etag(h db.DAVHead, loc *time.Location) string
	// byNames and byIDs load objects with their bodies.
	byNames(ctx context.Context, tx *db.Tx, names []string) ([]davObject, error)
	byIDs(ctx context.Context, tx *db.Tx, ids []uuid.UUID) ([]davObject, error)
	// headsByIDs returns the heads of the objects among ids.
	headsByIDs(ctx context.Context, tx *db.Tx, ids []uuid.UUID) ([]db.DAVHead, error)
	put(ctx context.Context, tx *db.Tx, name string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (davObject, error)
	delete(ctx context.Context, tx *db.Tx, name string, ifMatch webdav.ConditionalMatch) error
}

// davObject is a calendar object as served.
type davObject struct {
	id   uuid.UUID
	name string
	etag string
	mod  time.Time
	cal  *ical.Calendar
}

// etagOf makes an ETag from what changes whenever the served object does:
// the row's updated_at (maintained by the database on every real change),
// its sequence, and the family's zone (times are served in it).
func etagOf(id uuid.UUID, updated time.Time, seq int32, loc *time.Location) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d/%s", id, updated.UnixMicro(), seq, loc))
	return hex.EncodeToString(h[:12])
}

type ifMatchKey struct{}

// WithIfMatch returns ctx carrying a request's If-Match header: go-webdav
// does not pass it to the backend for DELETE.
func WithIfMatch(ctx context.Context, ifMatch string) context.Context {
	return context.WithValue(ctx, ifMatchKey{}, webdav.ConditionalMatch(ifMatch))
}

func davAuthFrom(ctx context.Context) (*familyhub.Auth, error) {
	a := familyhub.AuthFromContext(ctx)
	if a == nil {
		return nil, davStatusError(http.StatusUnauthorized, "Not signed in.")
	}
	return a, nil
}

func principalPath(a *familyhub.Auth) string { return Prefix + "/" + a.UserID.String() + "/" }
func homePath(a *familyhub.Auth) string      { return principalPath(a) + "calendars/" }
func collectionPath(a *familyhub.Auth, c collection) string {
	return homePath(a) + c.name() + "/"
}

// objectHref is the escaped href of an object.
func objectHref(a *familyhub.Auth, c collection, name string) string {
	return (&url.URL{Path: collectionPath(a, c) + name}).EscapedPath()
}

// The resources of the tree.
const (
	resRoot = iota
	resPrincipal
	resHome
	resCollection
	resObject
)

// davTarget is what a path names.
type davTarget struct {
	kind int
	coll collection // resCollection, resObject
	name string     // resObject
}

var errNoResource = davStatusError(http.StatusNotFound, "There is nothing at this address.")

// target returns what the (unescaped) path p names for the caller a; paths
// of other users and unknown names are not found.
func (s *davServer) target(a *familyhub.Auth, p string) (davTarget, error) {
	rest, ok := strings.CutPrefix(p, Prefix)
	if !ok {
		return davTarget{}, errNoResource
	}
	rest = strings.Trim(rest, "/")
	if rest == "" {
		return davTarget{kind: resRoot}, nil
	}
	parts := strings.Split(rest, "/")
	if parts[0] != a.UserID.String() {
		return davTarget{}, errNoResource
	}
	switch {
	case len(parts) == 1:
		return davTarget{kind: resPrincipal}, nil
	case parts[1] != "calendars":
		return davTarget{}, errNoResource
	case len(parts) == 2:
		return davTarget{kind: resHome}, nil
	}
	var c collection
	for _, cc := range s.collections() {
		if cc.name() == parts[2] {
			c = cc
		}
	}
	switch {
	case c == nil:
		return davTarget{}, errNoResource
	case len(parts) == 3:
		return davTarget{kind: resCollection, coll: c}, nil
	case len(parts) == 4 && parts[3] != "" && len(parts[3]) <= 255:
		return davTarget{kind: resObject, coll: c, name: parts[3]}, nil
	}
	return davTarget{}, errNoResource
}

// objectTarget returns the collection and name of an object path; a
// write to a collection itself is forbidden, a read not found.
func (s *davServer) objectTarget(ctx context.Context, p string, write bool) (collection, string, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, "", err
	}
	t, err := s.target(a, p)
	if err != nil {
		return nil, "", err
	}
	if t.kind != resObject {
		if t.kind == resCollection && write {
			return t.coll, "", davStatusError(http.StatusForbidden, "The family's calendars cannot be changed or deleted.")
		}
		return nil, "", errNoResource
	}
	return t.coll, t.name, nil
}

// calendarBackend is what go-webdav calls for GET, PUT, DELETE and
// OPTIONS; the multistatus methods never reach it.
type calendarBackend struct{ s *davServer }

var _ caldav.Backend = (*calendarBackend)(nil)

// CurrentUserPrincipal implements webdav.UserPrincipalBackend.
func (b *calendarBackend) CurrentUserPrincipal(ctx context.Context) (_ string, err error) {
	defer keep(ctx, &err)
	a, err := davAuthFrom(ctx)
	if err != nil {
		return "", err
	}
	return principalPath(a), nil
}

// CalendarHomeSetPath implements caldav.Backend.
func (b *calendarBackend) CalendarHomeSetPath(ctx context.Context) (_ string, err error) {
	defer keep(ctx, &err)
	a, err := davAuthFrom(ctx)
	if err != nil {
		return "", err
	}
	return homePath(a), nil
}

// CreateCalendar implements caldav.Backend: the collections are fixed.
func (b *calendarBackend) CreateCalendar(ctx context.Context, calendar *caldav.Calendar) (err error) {
	defer keep(ctx, &err)
	return davStatusError(http.StatusForbidden, "FamilyHub has one calendar and one task list per family; new ones cannot be created.")
}

// ListCalendars implements caldav.Backend.
func (b *calendarBackend) ListCalendars(ctx context.Context) (_ []caldav.Calendar, err error) {
	defer keep(ctx, &err)
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, err
	}
	var out []caldav.Calendar
	for _, c := range b.s.collections() {
		out = append(out, caldav.Calendar{Path: collectionPath(a, c), SupportedComponentSet: []string{c.component()}, MaxResourceSize: familyhub.MaxICalBytes})
	}
	return out, nil
}

// GetCalendar implements caldav.Backend.
func (b *calendarBackend) GetCalendar(ctx context.Context, p string) (_ *caldav.Calendar, err error) {
	defer keep(ctx, &err)
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, err
	}
	t, err := b.s.target(a, p)
	if err != nil || t.kind != resCollection {
		return nil, errNoResource
	}
	return &caldav.Calendar{Path: collectionPath(a, t.coll), SupportedComponentSet: []string{t.coll.component()}, MaxResourceSize: familyhub.MaxICalBytes}, nil
}

// GetCalendarObject implements caldav.Backend (GET, HEAD).
func (b *calendarBackend) GetCalendarObject(ctx context.Context, p string, req *caldav.CalendarCompRequest) (_ *caldav.CalendarObject, err error) {
	defer keep(ctx, &err)
	c, name, err := b.s.objectTarget(ctx, p, false)
	if err != nil {
		return nil, err
	}
	a, _ := davAuthFrom(ctx)
	var obj *caldav.CalendarObject
	err = b.s.store.TxRetry(ctx, func(tx *db.Tx) error {
		objs, err := c.byNames(ctx, tx, []string{name})
		if err != nil {
			return err
		}
		if len(objs) == 0 {
			return errNoResource
		}
		o := objs[0]
		var n int64
		if s, err := EncodeICal(o.cal); err == nil {
			n = int64(len(s))
		}
		obj = &caldav.CalendarObject{Path: collectionPath(a, c) + o.name, ModTime: o.mod, ContentLength: n, ETag: o.etag, Data: o.cal}
		return nil
	})
	return obj, b.s.davError(err)
}

// ListCalendarObjects implements caldav.Backend; PROPFIND is answered by
// davServer, so the library never asks.
func (b *calendarBackend) ListCalendarObjects(ctx context.Context, p string, req *caldav.CalendarCompRequest) (_ []caldav.CalendarObject, err error) {
	defer keep(ctx, &err)
	return nil, davStatusError(http.StatusNotImplemented, "Not used.")
}

// QueryCalendarObjects implements caldav.Backend; REPORT is answered by
// davServer, so the library never asks.
func (b *calendarBackend) QueryCalendarObjects(ctx context.Context, p string, query *caldav.CalendarQuery) (_ []caldav.CalendarObject, err error) {
	defer keep(ctx, &err)
	return nil, davStatusError(http.StatusNotImplemented, "Not used.")
}

// PutCalendarObject implements caldav.Backend: it creates or replaces the
// object at p, honouring If-Match / If-None-Match (412 when they fail).
func (b *calendarBackend) PutCalendarObject(ctx context.Context, p string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (_ *caldav.CalendarObject, err error) {
	defer keep(ctx, &err)
	c, name, err := b.s.objectTarget(ctx, p, true)
	if err != nil {
		return nil, err
	}
	a, _ := davAuthFrom(ctx)
	if strings.ContainsFunc(name, isControl) {
		return nil, davStatusError(http.StatusForbidden, "The name of the object is not valid.")
	}
	if _, _, err := caldav.ValidateCalendarObject(cal); err != nil {
		return nil, davStatusError(http.StatusForbidden, "Not a valid calendar object: %v.", err)
	}
	var obj *caldav.CalendarObject
	err = b.s.store.TxRetry(ctx, func(tx *db.Tx) error {
		o, err := c.put(ctx, tx, name, cal, opts)
		if err != nil {
			return err
		}
		obj = &caldav.CalendarObject{Path: collectionPath(a, c) + o.name, ModTime: o.mod, ETag: o.etag, Data: o.cal}
		return nil
	})
	return obj, b.s.davError(err)
}

// DeleteCalendarObject implements caldav.Backend.
func (b *calendarBackend) DeleteCalendarObject(ctx context.Context, p string) (err error) {
	defer keep(ctx, &err)
	c, name, err := b.s.objectTarget(ctx, p, true)
	if err != nil {
		return err
	}
	ifMatch, _ := ctx.Value(ifMatchKey{}).(webdav.ConditionalMatch)
	return b.s.davError(b.s.store.TxRetry(ctx, func(tx *db.Tx) error {
		return c.delete(ctx, tx, name, ifMatch)
	}))
}

// checkPreconditions applies If-Match / If-None-Match to a resource whose
// current ETag is etag ("" when it does not exist).
func checkPreconditions(etag string, ifMatch, ifNoneMatch webdav.ConditionalMatch) error {
	if ifMatch.IsSet() {
		ok, err := ifMatch.MatchETag(etag)
		if err != nil {
			return davStatusError(http.StatusBadRequest, "If-Match is malformed: %v.", err)
		}
		if !ok || etag == "" {
			return davStatusError(http.StatusPreconditionFailed, "It was changed since your app read it (If-Match); sync and try again.")
		}
	}
	if ifNoneMatch.IsSet() && etag != "" {
		ok, err := ifNoneMatch.MatchETag(etag)
		if err != nil {
			return davStatusError(http.StatusBadRequest, "If-None-Match is malformed: %v.", err)
		}
		if ok {
			return davStatusError(http.StatusPreconditionFailed, "It exists already (If-None-Match).")
		}
	}
	return nil
}

// davStatus is an error with the HTTP status the CalDAV client gets; err
// is a *familyhub.Error (its Format is how the HTTP layer finds the
// German), or a *davPrecondition holding one.
type davStatus struct {
	code int
	err  error
}

func (e *davStatus) Error() string { return familyhub.ErrorMessage(e.err) }
func (e *davStatus) Unwrap() error { return e.err }

// davStatusError returns the library's HTTP error for code with a message
// of format and args (English, as familyhub.Errorf; errors_de.go has the
// German), marked so that davError passes it on unchanged.
func davStatusError(code int, format string, args ...any) error {
	return webdav.NewHTTPError(code, &davStatus{code: code, err: davMessage(format, args...)})
}

// davMessage is an error message of format and args, with no error code
// of its own: a davStatus says the status.
func davMessage(format string, args ...any) *familyhub.Error {
	return &familyhub.Error{Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// errUIDConflict answers a new object whose UID another object has.
var errUIDConflict = caldav.NewPreconditionError(caldav.PreconditionNoUIDConflict)

// davError maps FamilyHub errors to the HTTP errors the library serves;
// internal errors are logged and answered 500 without details.
func (s *davServer) davError(err error) error {
	if err == nil {
		return nil
	}
	var ds *davStatus
	if errors.As(err, &ds) {
		return err
	}
	if errors.Is(err, errUIDConflict) {
		return errUIDConflict
	}
	var fe *familyhub.Error
	if !errors.As(err, &fe) {
		if errors.Is(err, context.Canceled) {
			return err
		}
		s.logger.Error("caldav request failed", "err", err)
		return webdav.NewHTTPError(http.StatusInternalServerError, errors.New("internal error"))
	}
	status := s.status(fe.Code)
	if fe.Reason == "other_change" {
		// A deadlock PostgreSQL failed this write for (db.ErrOtherChange):
		// the client may try again; an operator should see it.
		s.logger.Warn("caldav request met another change", "err", err)
	}
	switch fe.Code {
	case familyhub.EINVALID, familyhub.EMALFORMED:
		// RFC 4791 5.3.2.1: a PUT the server cannot store is 403
		// (valid-calendar-object-resource), with the reason in the body.
		status = http.StatusForbidden
	case familyhub.ELIMIT:
		// A new object in a collection at its limit (the family's events
		// or open tasks, docs/api.md "Limits"): the collection's quota is
		// used up, which WebDAV answers 507 (RFC 4918 9.7.1, RFC 4331
		// quota-not-exceeded); a 409 means a missing parent collection to
		// a WebDAV client. The body names the limit.
		status = http.StatusInsufficientStorage
	}
	return webdav.NewHTTPError(status, &davStatus{code: status, err: fe})
}

// serveError answers a failed PROPFIND, PROPPATCH or REPORT (nothing of
// the answer written yet): a failed precondition as RFC 4918's DAV:error
// body, anything else as text.
func (s *davServer) serveError(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	var ds *davStatus
	var fe *familyhub.Error
	switch {
	case errors.As(err, &ds):
		code = ds.code
	case errors.As(err, &fe):
		code = s.status(fe.Code)
	case errors.Is(err, context.Canceled):
		return
	default:
		s.logger.Error("caldav request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		err = errors.New("internal error") // said without details
	}
	msg, lang := s.message(r, err)
	w.Header().Set("Content-Language", lang)
	setRetryAfter(w.Header(), code)
	var pe *davPrecondition
	if errors.As(err, &pe) {
		w.Header().Set("Content-Type", `application/xml; charset="utf-8"`)
		w.WriteHeader(code)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<d:error xmlns:d="DAV:" xmlns:c="%s"><%s/><d:responsedescription>%s</d:responsedescription></d:error>`,
			nsCalDAV, pe.element, xmlText(msg))
		return
	}
	http.Error(w, msg, code)
}

// busyRetryAfter is the Retry-After of a 503 (busy: another change got
// in the way until the retries gave up, db.ErrOtherChange): the pause
// REST asks for in the same case (http's busyRetryAfter), in seconds.
var busyRetryAfter = strconv.Itoa(int(db.AssistantCommandWait / time.Second))

// setRetryAfter sets Retry-After on an answer of status code when it is
// 503, as REST does: a calendar app waits that long before it tries
// again rather than at once.
func setRetryAfter(h http.Header, code int) {
	if code == http.StatusServiceUnavailable {
		h.Set("Retry-After", busyRetryAfter)
	}
}

// davPrecondition is a failed WebDAV precondition: the element (e.g.
// "d:valid-sync-token") of the DAV:error body, and the message of its
// responsedescription.
type davPrecondition struct {
	element string
	msg     *familyhub.Error
}

func (e *davPrecondition) Error() string { return e.msg.Message }
func (e *davPrecondition) Unwrap() error { return e.msg }

// preconditionError is a failed precondition answered with code, its
// message of format and args (as davStatusError's).
func preconditionError(code int, element, format string, args ...any) error {
	return webdav.NewHTTPError(code, &davStatus{code: code, err: &davPrecondition{element: element, msg: davMessage(format, args...)}})
}
