package ical

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Config configures CalDAV and calendar subscriptions (docs/caldav.md).
type Config struct {
	// SecretKey is FAMILYHUB_SECRET_KEY: the secret that subscription
	// credentials are encrypted under (see DeriveSecretKey). Empty means
	// subscriptions that need a password cannot be stored.
	SecretKey string
	// AllowPrivateSubscriptions lets calendar subscriptions reach loopback,
	// private, link-local and other non-public addresses. Off by default:
	// otherwise any family member could make the server fetch from the
	// operator's internal network (cloud metadata, admin pages).
	AllowPrivateSubscriptions bool
}

// Key returns the AES key derived from SecretKey, or nil when it is unset
// or too short (Validate reports that).
func (c Config) Key() []byte {
	k, _ := DeriveSecretKey(c.SecretKey)
	return k
}

// Validate reports a SecretKey that is set but unusable.
func (c Config) Validate() error {
	_, err := DeriveSecretKey(c.SecretKey)
	return err
}

// Prefix is where the CalDAV server lives. Paths below it:
//
//	/dav/<user id>/                     the user's principal
//	/dav/<user id>/calendars/           the calendar home
//	/dav/<user id>/calendars/family/    the family calendar (VEVENT)
//	/dav/<user id>/calendars/family/<name>  one event
const (
	Prefix          = "/dav"
	davCalendarName = "family"
	// DeviceID is the device recorded on the events of CalDAV changes.
	DeviceID = "caldav"
)

// The backend.

// NewHandler returns the CalDAV server (mounted at Prefix) over store. The
// caller authenticates each request and puts the familyhub.Auth in its
// context; status maps familyhub error codes to HTTP statuses (the HTTP
// layer's one table).
func NewHandler(store *db.Store, logger *slog.Logger, status func(code string) int) http.Handler {
	return &caldav.Handler{Backend: &calendarBackend{store: store, logger: logger, status: status}, Prefix: Prefix}
}

// calendarBackend serves the caller's family calendar (Auth from the
// context) as CalDAV.
type calendarBackend struct {
	store  *db.Store
	logger *slog.Logger
	status func(code string) int
}

var _ caldav.Backend = (*calendarBackend)(nil)

type ifMatchKey struct{}

// WithIfMatch returns ctx carrying a request's If-Match header: go-webdav
// does not pass it to the backend for DELETE.
func WithIfMatch(ctx context.Context, ifMatch string) context.Context {
	return context.WithValue(ctx, ifMatchKey{}, webdav.ConditionalMatch(ifMatch))
}

func davAuthFrom(ctx context.Context) (*familyhub.Auth, error) {
	a := familyhub.AuthFromContext(ctx)
	if a == nil {
		return nil, davStatusError(http.StatusUnauthorized, errors.New("not signed in"))
	}
	return a, nil
}

func principalPath(a *familyhub.Auth) string { return Prefix + "/" + a.UserID.String() + "/" }
func homePath(a *familyhub.Auth) string      { return principalPath(a) + "calendars/" }
func calendarPath(a *familyhub.Auth) string  { return homePath(a) + davCalendarName + "/" }

// CurrentUserPrincipal implements webdav.UserPrincipalBackend.
func (b *calendarBackend) CurrentUserPrincipal(ctx context.Context) (string, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return "", err
	}
	return principalPath(a), nil
}

// CalendarHomeSetPath implements caldav.Backend.
func (b *calendarBackend) CalendarHomeSetPath(ctx context.Context) (string, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return "", err
	}
	return homePath(a), nil
}

// CreateCalendar implements caldav.Backend: there is one calendar per family.
func (b *calendarBackend) CreateCalendar(ctx context.Context, calendar *caldav.Calendar) error {
	return davStatusError(http.StatusForbidden, errors.New("FamilyHub has one calendar per family; new calendars cannot be created"))
}

// ListCalendars implements caldav.Backend.
func (b *calendarBackend) ListCalendars(ctx context.Context) ([]caldav.Calendar, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := b.calendar(ctx, a)
	if err != nil {
		return nil, err
	}
	return []caldav.Calendar{*cal}, nil
}

func (b *calendarBackend) calendar(ctx context.Context, a *familyhub.Auth) (*caldav.Calendar, error) {
	f, err := b.store.Q.FamilyGet(ctx, b.store.Pool, a.FamilyID)
	if err != nil {
		return nil, b.davError(db.Err(err, "family"))
	}
	return &caldav.Calendar{
		Path:                  calendarPath(a),
		Name:                  f.Name,
		Description:           "The family calendar of " + f.Name + " (FamilyHub)",
		MaxResourceSize:       familyhub.MaxICalBytes,
		SupportedComponentSet: []string{ical.CompEvent},
	}, nil
}

// GetCalendar implements caldav.Backend.
func (b *calendarBackend) GetCalendar(ctx context.Context, p string) (*caldav.Calendar, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSuffix(p, "/")+"/" != calendarPath(a) {
		return nil, davStatusError(http.StatusNotFound, errors.New("no such calendar"))
	}
	return b.calendar(ctx, a)
}

// objectName returns the resource name of p inside the caller's calendar,
// or a 404 error.
func objectName(a *familyhub.Auth, p string) (string, error) {
	dir, name := path.Split(p)
	if dir != calendarPath(a) || name == "" || len(name) > 255 {
		return "", davStatusError(http.StatusNotFound, errors.New("no such calendar object"))
	}
	return name, nil
}

// eventName is the resource name an event is served under.
func eventName(e dbsqlc.CalendarEvent) string {
	if e.DavName != nil {
		return *e.DavName
	}
	return e.ID.String() + ".ics"
}

// eventETag changes whenever the row does (updated_at is maintained by the
// database on every real change).
func eventETag(e dbsqlc.CalendarEvent) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d", e.ID, e.UpdatedAt.UnixMicro(), e.Sequence))
	return hex.EncodeToString(h[:12])
}

func (b *calendarBackend) object(a *familyhub.Auth, e dbsqlc.CalendarEvent, loc *time.Location) caldav.CalendarObject {
	cal := EventICal(e, loc)
	var n int64
	if s, err := EncodeICal(cal); err == nil {
		n = int64(len(s))
	}
	return caldav.CalendarObject{
		Path: calendarPath(a) + eventName(e), ModTime: e.UpdatedAt, ContentLength: n, ETag: eventETag(e), Data: cal,
	}
}

// GetCalendarObject implements caldav.Backend.
func (b *calendarBackend) GetCalendarObject(ctx context.Context, p string, req *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, err
	}
	name, err := objectName(a, p)
	if err != nil {
		return nil, err
	}
	var obj caldav.CalendarObject
	err = b.store.Tx(ctx, func(tx *db.Tx) error {
		e, err := tx.CalDAVEventByName(ctx, name, false)
		if err != nil {
			return err
		}
		loc, err := tx.Location(ctx)
		if err != nil {
			return err
		}
		obj = b.object(a, e, loc)
		return nil
	})
	if err != nil {
		return nil, b.davError(err)
	}
	return &obj, nil
}

// ListCalendarObjects implements caldav.Backend.
func (b *calendarBackend) ListCalendarObjects(ctx context.Context, p string, req *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := b.GetCalendar(ctx, p); err != nil {
		return nil, err
	}
	var out []caldav.CalendarObject
	err = b.store.Tx(ctx, func(tx *db.Tx) error {
		loc, err := tx.Location(ctx)
		if err != nil {
			return err
		}
		events, err := tx.CalDAVEventList(ctx)
		if err != nil {
			return err
		}
		for _, e := range events {
			out = append(out, b.object(a, e, loc))
		}
		return nil
	})
	return out, b.davError(err)
}

// QueryCalendarObjects implements caldav.Backend. A time range on VEVENT
// (what calendar apps ask for) is answered with the same expansion as
// GET /api/calendar/events, so both show the same occurrences; any other
// filter goes through the library's matcher.
func (b *calendarBackend) QueryCalendarObjects(ctx context.Context, p string, query *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := b.GetCalendar(ctx, p); err != nil {
		return nil, err
	}
	cf := query.CompFilter
	var rng *caldav.CompFilter
	if cf.Name == ical.CompCalendar && len(cf.Props) == 0 && len(cf.Comps) == 1 && !cf.IsNotDefined {
		if ev := cf.Comps[0]; ev.Name == ical.CompEvent && !ev.IsNotDefined && len(ev.Props) == 0 && len(ev.Comps) == 0 {
			rng = &ev
		} else if ev.Name != ical.CompEvent {
			return []caldav.CalendarObject{}, nil // only VEVENTs live here
		}
	}
	if rng == nil {
		all, err := b.ListCalendarObjects(ctx, p, &query.CompRequest)
		if err != nil {
			return nil, err
		}
		out, err := caldav.Filter(query, all)
		return out, b.davError(err)
	}
	from, to := rng.Start, rng.End
	if from.IsZero() {
		from = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if to.IsZero() {
		to = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var out []caldav.CalendarObject
	err = b.store.Tx(ctx, func(tx *db.Tx) error {
		events, loc, err := tx.CalendarEventListRange(ctx, from, to)
		if err != nil {
			return err
		}
		hit := map[uuid.UUID]bool{}
		for _, occ := range db.ExpandCalendarEvents(events, loc, from, to) {
			hit[occ.Event.ID] = true
		}
		for _, e := range events {
			if hit[e.ID] {
				out = append(out, b.object(a, e, loc))
			}
		}
		return nil
	})
	return out, b.davError(err)
}

// PutCalendarObject implements caldav.Backend: it creates or replaces the
// event at p, honouring If-Match / If-None-Match (412 when they fail).
// Imported events are read-only (403).
func (b *calendarBackend) PutCalendarObject(ctx context.Context, p string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return nil, err
	}
	name, err := objectName(a, p)
	if err != nil {
		return nil, err
	}
	if strings.ContainsFunc(name, isControl) {
		return nil, davStatusError(http.StatusForbidden, errors.New("invalid resource name"))
	}
	if _, _, err := caldav.ValidateCalendarObject(cal); err != nil {
		return nil, davStatusError(http.StatusForbidden, fmt.Errorf("not a valid calendar object: %v", err))
	}
	var obj caldav.CalendarObject
	err = b.store.Tx(ctx, func(tx *db.Tx) error {
		loc, err := tx.Location(ctx)
		if err != nil {
			return err
		}
		ev, err := ParseICalEvent(cal, loc, ICalParseOpts{})
		if err != nil {
			return err
		}
		raw, err := EncodeICal(cal)
		if err != nil {
			return familyhub.Errorf(familyhub.EINVALID, "The iCalendar object cannot be stored: %v.", err)
		}
		if len(raw) > familyhub.MaxICalBytes {
			return familyhub.Errorf(familyhub.ETOOLARGE, "The event is larger than %d KiB.", familyhub.MaxICalBytes>>10)
		}
		cur, err := tx.CalDAVEventByName(ctx, name, true)
		exists := err == nil
		if err != nil && familyhub.ErrorCode(err) != familyhub.ENOTFOUND {
			return err
		}
		if err := checkPreconditions(exists, cur, opts.IfMatch, opts.IfNoneMatch); err != nil {
			return err
		}
		x := &db.CalendarInterchange{UID: ev.UID, Sequence: ev.Sequence, ICal: raw}
		var e dbsqlc.CalendarEvent
		if exists {
			if cur.ReadOnly {
				return errReadOnlyEvent
			}
			if cur.Uid != ev.UID {
				return davStatusError(http.StatusForbidden, errors.New("the UID of an event cannot change; create a new event instead"))
			}
			x.Sequence, x.SourceEtag = max(ev.Sequence, cur.Sequence), cur.SourceEtag
			e, err = tx.CalendarEventReplace(ctx, cur, ev.Fields(), x)
		} else {
			x.DavName = &name
			e, err = tx.CalendarEventCreate(ctx, ev.Fields(), x)
		}
		if err != nil {
			if familyhub.ErrorCode(err) == familyhub.ECONFLICT {
				return errUIDConflict
			}
			return err
		}
		obj = b.object(a, e, loc)
		return nil
	})
	if err != nil {
		return nil, b.davError(err)
	}
	return &obj, nil
}

var errReadOnlyEvent = davStatusError(http.StatusForbidden, errors.New("this event comes from a subscribed calendar and is read-only; change it at its source"))

// checkPreconditions applies If-Match / If-None-Match to the current state
// of a resource.
func checkPreconditions(exists bool, cur dbsqlc.CalendarEvent, ifMatch, ifNoneMatch webdav.ConditionalMatch) error {
	etag := ""
	if exists {
		etag = eventETag(cur)
	}
	if ifMatch.IsSet() {
		ok, err := ifMatch.MatchETag(etag)
		if err != nil {
			return davStatusError(http.StatusBadRequest, fmt.Errorf("malformed If-Match: %v", err))
		}
		if !ok {
			return davStatusError(http.StatusPreconditionFailed, errors.New("the event has changed since you read it (If-Match)"))
		}
	}
	if ifNoneMatch.IsSet() && exists {
		ok, err := ifNoneMatch.MatchETag(etag)
		if err != nil {
			return davStatusError(http.StatusBadRequest, fmt.Errorf("malformed If-None-Match: %v", err))
		}
		if ok {
			return davStatusError(http.StatusPreconditionFailed, errors.New("the event already exists (If-None-Match)"))
		}
	}
	return nil
}

// DeleteCalendarObject implements caldav.Backend.
func (b *calendarBackend) DeleteCalendarObject(ctx context.Context, p string) error {
	a, err := davAuthFrom(ctx)
	if err != nil {
		return err
	}
	name, err := objectName(a, p)
	if err != nil {
		if strings.TrimSuffix(p, "/")+"/" == calendarPath(a) {
			return davStatusError(http.StatusForbidden, errors.New("the family calendar cannot be deleted"))
		}
		return err
	}
	ifMatch, _ := ctx.Value(ifMatchKey{}).(webdav.ConditionalMatch)
	err = b.store.Tx(ctx, func(tx *db.Tx) error {
		cur, err := tx.CalDAVEventByName(ctx, name, true)
		if err != nil {
			return err
		}
		if err := checkPreconditions(true, cur, ifMatch, ""); err != nil {
			return err
		}
		if cur.ReadOnly {
			return errReadOnlyEvent
		}
		return tx.CalendarEventDelete(ctx, cur.ID)
	})
	return b.davError(err)
}

// davStatus is an error with the HTTP status the CalDAV client gets.
type davStatus struct {
	code int
	err  error
}

func (e *davStatus) Error() string { return e.err.Error() }

// davStatusError returns the library's HTTP error for code, marked so that
// davError passes it on unchanged.
func davStatusError(code int, err error) error {
	return webdav.NewHTTPError(code, &davStatus{code: code, err: err})
}

// errUIDConflict answers a new event whose UID another event has.
var errUIDConflict = caldav.NewPreconditionError(caldav.PreconditionNoUIDConflict)

// davError maps FamilyHub errors to the HTTP errors the library serves;
// internal errors are logged by the caller's chain and answered 500
// without details.
func (b *calendarBackend) davError(err error) error {
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
		b.logger.Error("caldav request failed", "err", err)
		return webdav.NewHTTPError(http.StatusInternalServerError, errors.New("internal error"))
	}
	status := b.status(fe.Code)
	switch fe.Code {
	case familyhub.EINVALID, familyhub.EMALFORMED:
		// RFC 4791 5.3.2.1: a PUT the server cannot store is 403
		// (valid-calendar-object-resource), with the reason in the body.
		status = http.StatusForbidden
	}
	return webdav.NewHTTPError(status, errors.New(fe.Message))
}
