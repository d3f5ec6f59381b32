package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// DAVConfig configures CalDAV (docs/caldav.md).
type DAVConfig struct {
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
func (c DAVConfig) Key() []byte {
	k, _ := DeriveSecretKey(c.SecretKey)
	return k
}

// Validate reports a SecretKey that is set but unusable.
func (c DAVConfig) Validate() error {
	_, err := DeriveSecretKey(c.SecretKey)
	return err
}

// davPrefix is where the CalDAV server lives. Paths below it:
//
//	/dav/<user id>/                     the user's principal
//	/dav/<user id>/calendars/           the calendar home
//	/dav/<user id>/calendars/family/    the family calendar (VEVENT)
//	/dav/<user id>/calendars/family/<name>  one event
const (
	davPrefix       = "/dav"
	davCalendarName = "family"
	// davDeviceID is the device recorded on the events of CalDAV changes.
	davDeviceID = "caldav"
	davRealm    = `Basic realm="FamilyHub", charset="UTF-8"`
)

// WebDAV's methods must be known to chi before any route is added, or chi
// answers them with 405.
func init() {
	for _, m := range []string{"PROPFIND", "PROPPATCH", "REPORT", "MKCOL", "MKCALENDAR", "COPY", "MOVE", "LOCK", "UNLOCK"} {
		chi.RegisterMethod(m)
	}
}

// mountDAV adds the CalDAV server (/dav/, /.well-known/caldav) to the root router.
func (s *Server) mountDAV(r chi.Router) {
	h := &caldav.Handler{Backend: &calendarBackend{s: s}, Prefix: davPrefix}
	dav := s.crossOriginProtection()(s.davAuth(h))
	r.Handle(davPrefix, dav)
	r.Handle(davPrefix+"/*", dav)
	// RFC 6764: clients that are given only the host name look here.
	r.Handle("/.well-known/caldav", http.RedirectHandler(davPrefix+"/", http.StatusMovedPermanently))
}

// mountDAVAPI adds the CalDAV management endpoints to the authenticated API router.
func (s *Server) mountDAVAPI(r chi.Router) {
	r.Post("/dav/app-passwords", s.handleAppPasswordCreate)
	r.Get("/dav/app-passwords", s.handleAppPasswordList)
	r.Delete("/dav/app-passwords/{id}", s.handleAppPasswordDelete)
	r.Post("/calendar/subscriptions", s.handleSubscriptionCreate)
	r.Get("/calendar/subscriptions", s.handleSubscriptionList)
	r.Delete("/calendar/subscriptions/{id}", s.handleSubscriptionDelete)
}

// Authentication.

type davRequestKey struct{}

// davRequest is what the backend needs from the HTTP request beyond the
// path: the library does not pass If-Match of a DELETE.
type davRequest struct {
	ifMatch webdav.ConditionalMatch
}

// davAuth authenticates CalDAV requests with HTTP Basic: the account's
// email with its password or one of its app passwords. Failures count
// towards the same limits as failed logins (auth_failures).
func (s *Server) davAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok {
			davUnauthorized(w, "Sign in with your FamilyHub email and password or an app password.")
			return
		}
		a, err := s.davAuthenticate(r, user, pass)
		var fe *familyhub.Error
		switch {
		case errors.As(err, &fe) && fe.Code == familyhub.EUNAUTHORIZED:
			davUnauthorized(w, fe.Message)
			return
		case errors.As(err, &fe) && fe.Code == familyhub.ERATELIMITED:
			w.Header().Set("Retry-After", strconv.Itoa(int(loginWindow.Seconds())))
			http.Error(w, fe.Message, http.StatusTooManyRequests)
			return
		case err != nil:
			s.logger.Error("caldav authentication failed", "err", err)
			http.Error(w, "The server could not check the credentials; try again.", http.StatusServiceUnavailable)
			return
		}
		ctx := WithAuth(r.Context(), a)
		ctx = db.WithActor(ctx, db.Actor{UserID: a.UserID, DeviceID: davDeviceID})
		ctx = context.WithValue(ctx, davRequestKey{}, &davRequest{ifMatch: webdav.ConditionalMatch(r.Header.Get("If-Match"))})
		r = r.WithContext(ctx)
		if r.Method == http.MethodPut {
			// Check the body before the library decodes it: a readable
			// 4xx instead of its panic on some malformed lines.
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxICalBytes))
			if err != nil {
				http.Error(w, fmt.Sprintf("The body is over %d KiB or could not be read.", MaxICalBytes>>10), http.StatusRequestEntityTooLarge)
				return
			}
			if _, err := decodeICalSafely(body); err != nil {
				http.Error(w, familyhub.ErrorMessage(err), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		} else if r.Method == "PROPPATCH" || r.Method == "REPORT" || r.Method == "PROPFIND" {
			r.Body = http.MaxBytesReader(w, r.Body, MaxICalBytes)
		}
		next.ServeHTTP(w, r)
	})
}

func davUnauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", davRealm)
	http.Error(w, msg, http.StatusUnauthorized)
}

// davAuthenticate checks Basic credentials and returns the caller's Auth
// (without a session). Wrong credentials are EUNAUTHORIZED, too many
// recent failures ERATELIMITED.
func (s *Server) davAuthenticate(r *http.Request, user, pass string) (*Auth, error) {
	ctx, addr := r.Context(), s.clientAddr(r)
	email := strings.ToLower(strings.TrimSpace(user))
	if len(email) > 254 || pass == "" || len(pass) > maxPasswordBytes {
		return nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Wrong email or password.")
	}
	if err := s.checkAuthFailures(ctx, email, addr); err != nil {
		return nil, err
	}
	u, err := s.store.Q.UserGetByEmail(ctx, s.store.Pool, email)
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, db.Err(err, "")
	}
	ok := false
	if known {
		if secret, isApp := normalizeAppPassword(pass); isApp {
			ap, err := s.store.Q.DAVAppPasswordFind(ctx, s.store.Pool, dbsqlc.DAVAppPasswordFindParams{UserID: u.ID, SecretHash: hashToken(secret)})
			if err == nil {
				ok = true
				if err := s.store.Q.DAVAppPasswordTouch(ctx, s.store.Pool, ap.ID); err != nil {
					s.logger.Warn("app password: recording last use", "err", err)
				}
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return nil, db.Err(err, "")
			}
		}
	}
	if !ok {
		hash := dummyHash
		if known {
			hash = u.PasswordHash
		}
		if ok, err = davPasswords.verify(pass, hash); err != nil {
			return nil, err
		}
		ok = ok && known
	}
	if !ok {
		if err := s.recordLoginFailure(ctx, email, addr); err != nil {
			return nil, err
		}
		return nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Wrong email or password.")
	}
	m, err := s.store.Q.MembershipGetByUser(ctx, s.store.Pool, u.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "This account belongs to no family.")
	} else if err != nil {
		return nil, db.Err(err, "")
	}
	return &Auth{UserID: u.ID, FamilyID: m.FamilyID}, nil
}

// checkAuthFailures refuses with ERATELIMITED when email or addr have
// failed to sign in too often lately: the limits of POST /api/auth/login,
// over the same auth_failures rows (so failures of either count for both).
func (s *Server) checkAuthFailures(ctx context.Context, email, addr string) error {
	counts, err := s.store.Q.AuthFailureCount(ctx, s.store.Pool, dbsqlc.AuthFailureCountParams{
		Email: email, ClientAddr: addr, WindowSeconds: loginWindow.Seconds(),
	})
	if err != nil {
		return db.Err(err, "")
	}
	if counts.ByEmail >= maxFailuresByEmail || counts.ByAddr >= maxFailuresByAddr {
		return familyhub.Errorf(familyhub.ERATELIMITED, "Too many failed sign-in attempts; try again in %d minutes.", int(loginWindow.Minutes()))
	}
	return nil
}

// davPasswords remembers recent successful argon2id checks: calendar apps
// send the password with every request, and argon2id is slow on purpose.
// An entry is keyed by the password and the stored hash, so a password
// change invalidates it; it lives a few minutes.
var davPasswords = &passwordCache{entries: map[[32]byte]time.Time{}}

type passwordCache struct {
	mu      sync.Mutex
	entries map[[32]byte]time.Time
}

const (
	passwordCacheTTL  = 5 * time.Minute
	passwordCacheSize = 10000
)

func (c *passwordCache) verify(password, hash string) (bool, error) {
	key := sha256.Sum256([]byte(password + "\x00" + hash))
	c.mu.Lock()
	exp, hit := c.entries[key]
	c.mu.Unlock()
	if hit && time.Now().Before(exp) {
		return true, nil
	}
	ok, err := VerifyPassword(password, hash)
	if err != nil || !ok {
		return ok, err
	}
	c.mu.Lock()
	if len(c.entries) >= passwordCacheSize {
		clear(c.entries)
	}
	c.entries[key] = time.Now().Add(passwordCacheTTL)
	c.mu.Unlock()
	return true, nil
}

// The backend.

// calendarBackend serves the caller's family calendar (Auth from the
// context) as CalDAV.
type calendarBackend struct {
	s *Server
}

var _ caldav.Backend = (*calendarBackend)(nil)

func davAuthFrom(ctx context.Context) (*Auth, error) {
	a := AuthFrom(ctx)
	if a == nil {
		return nil, davStatusError(http.StatusUnauthorized, errors.New("not signed in"))
	}
	return a, nil
}

func principalPath(a *Auth) string { return davPrefix + "/" + a.UserID.String() + "/" }
func homePath(a *Auth) string      { return principalPath(a) + "calendars/" }
func calendarPath(a *Auth) string  { return homePath(a) + davCalendarName + "/" }

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

func (b *calendarBackend) calendar(ctx context.Context, a *Auth) (*caldav.Calendar, error) {
	f, err := b.s.store.Q.FamilyGet(ctx, b.s.store.Pool, a.FamilyID)
	if err != nil {
		return nil, b.davError(db.Err(err, "family"))
	}
	return &caldav.Calendar{
		Path:                  calendarPath(a),
		Name:                  f.Name,
		Description:           "The family calendar of " + f.Name + " (FamilyHub)",
		MaxResourceSize:       MaxICalBytes,
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
func objectName(a *Auth, p string) (string, error) {
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

func (b *calendarBackend) object(a *Auth, e dbsqlc.CalendarEvent, loc *time.Location) caldav.CalendarObject {
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
	err = b.s.store.Tx(ctx, func(tx pgx.Tx) error {
		e, err := b.s.store.Q.CalDAVEventGetByName(ctx, tx, dbsqlc.CalDAVEventGetByNameParams{FamilyID: a.FamilyID, Name: &name})
		if err != nil {
			return db.Err(err, "calendar object")
		}
		loc, err := b.s.store.FamilyLocation(ctx, tx, a.FamilyID)
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
	err = b.s.store.Tx(ctx, func(tx pgx.Tx) error {
		loc, err := b.s.store.FamilyLocation(ctx, tx, a.FamilyID)
		if err != nil {
			return err
		}
		events, err := b.s.store.Q.CalDAVEventList(ctx, tx, a.FamilyID)
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
	err = b.s.store.Tx(ctx, func(tx pgx.Tx) error {
		loc, err := b.s.store.FamilyLocation(ctx, tx, a.FamilyID)
		if err != nil {
			return err
		}
		events, err := b.s.store.Q.CalendarEventListRange(ctx, tx, dbsqlc.CalendarEventListRangeParams{FamilyID: a.FamilyID, RangeFrom: from, RangeTo: to})
		if err != nil {
			return err
		}
		hit := map[uuid.UUID]bool{}
		for _, occ := range expandCalendarEvents(events, loc, from, to) {
			hit[occ.ID] = true
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
	err = b.s.store.Tx(ctx, func(tx pgx.Tx) error {
		loc, err := b.s.store.FamilyLocation(ctx, tx, a.FamilyID)
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
		if len(raw) > MaxICalBytes {
			return familyhub.Errorf(familyhub.ETOOLARGE, "The event is larger than %d KiB.", MaxICalBytes>>10)
		}
		cur, err := b.s.store.Q.CalDAVEventGetByNameForUpdate(ctx, tx, dbsqlc.CalDAVEventGetByNameForUpdateParams{FamilyID: a.FamilyID, Name: &name})
		exists := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := checkPreconditions(exists, cur, opts.IfMatch, opts.IfNoneMatch); err != nil {
			return err
		}
		var e dbsqlc.CalendarEvent
		if exists {
			if cur.ReadOnly {
				return errReadOnlyEvent
			}
			if cur.Uid != ev.UID {
				return davStatusError(http.StatusForbidden, errors.New("the UID of an event cannot change; create a new event instead"))
			}
			e, err = b.s.store.Q.CalDAVEventUpdate(ctx, tx, dbsqlc.CalDAVEventUpdateParams{
				ID: cur.ID, FamilyID: a.FamilyID, Title: ev.Title, Notes: ev.Notes, Location: ev.Location,
				StartsAt: ev.StartsAt, EndsAt: ev.EndsAt, AllDay: ev.AllDay, Rrule: ev.RRule, Exdates: ev.Exdates,
				Sequence: max(ev.Sequence, cur.Sequence), Ical: &raw, SourceEtag: cur.SourceEtag,
			})
		} else {
			var davName *string
			if name != "" {
				davName = &name
			}
			e, err = b.s.store.Q.CalDAVEventInsert(ctx, tx, dbsqlc.CalDAVEventInsertParams{
				FamilyID: a.FamilyID, Uid: ev.UID, Title: ev.Title, Notes: ev.Notes, Location: ev.Location,
				StartsAt: ev.StartsAt, EndsAt: ev.EndsAt, AllDay: ev.AllDay, Rrule: ev.RRule, Exdates: ev.Exdates,
				Sequence: ev.Sequence, Ical: &raw, DavName: davName, CreatedBy: &a.UserID,
			})
		}
		if err != nil {
			if familyhub.ErrorCode(db.Err(err, "")) == familyhub.ECONFLICT {
				return errUIDConflict
			}
			return db.Err(err, "calendar event")
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
	var ifMatch webdav.ConditionalMatch
	if dr, ok := ctx.Value(davRequestKey{}).(*davRequest); ok {
		ifMatch = dr.ifMatch
	}
	err = b.s.store.Tx(ctx, func(tx pgx.Tx) error {
		cur, err := b.s.store.Q.CalDAVEventGetByNameForUpdate(ctx, tx, dbsqlc.CalDAVEventGetByNameForUpdateParams{FamilyID: a.FamilyID, Name: &name})
		if err != nil {
			return db.Err(err, "calendar object")
		}
		if err := checkPreconditions(true, cur, ifMatch, ""); err != nil {
			return err
		}
		if cur.ReadOnly {
			return errReadOnlyEvent
		}
		_, err = b.s.store.Q.CalendarEventDelete(ctx, tx, dbsqlc.CalendarEventDeleteParams{ID: cur.ID, FamilyID: a.FamilyID})
		return err
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
		b.s.logger.Error("caldav request failed", "err", err)
		return webdav.NewHTTPError(http.StatusInternalServerError, errors.New("internal error"))
	}
	status := ErrorStatus(fe.Code)
	switch fe.Code {
	case familyhub.EINVALID, familyhub.EMALFORMED:
		// RFC 4791 5.3.2.1: a PUT the server cannot store is 403
		// (valid-calendar-object-resource), with the reason in the body.
		status = http.StatusForbidden
	}
	return webdav.NewHTTPError(status, errors.New(fe.Message))
}
