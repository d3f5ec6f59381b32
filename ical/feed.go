package ical

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Read-only iCalendar feeds (/ical/<token>.ics) for apps that can only
// subscribe to a URL: Google Calendar, Outlook. A feed holds every event of
// the family and the tasks with a due date (the family's, or one member's)
// from feedPastDays ago to a year ahead, as events: those apps ignore
// VTODO.

// FeedPrefix is where feeds are served: FeedPrefix + <token> + ".ics".
const FeedPrefix = "/ical/"

const (
	feedPastDays = 60
	feedMaxTasks = 5000
)

// NewFeedHandler serves GET and HEAD of FeedPrefix<token>.ics: 404 for an
// unknown token, 410 for a revoked one, 304 when If-None-Match names the
// current ETag (computed without building the feed, so pollers cost little).
// Its error answers are text in the request's language, said by message
// as NewHandler's (a person reads them: the calendar app shows them, or
// whoever opens the URL in a browser), with Content-Language.
func NewFeedHandler(store *db.Store, logger *slog.Logger, message func(r *http.Request, err error) (msg, lang string)) http.Handler {
	return &feedHandler{store: store, logger: logger, message: message}
}

type feedHandler struct {
	store   *db.Store
	logger  *slog.Logger
	message func(r *http.Request, err error) (msg, lang string)
}

// The feed's error answers (errors_de.go in http has their German).
var (
	errNoFeed          = davMessage("No such calendar feed.")
	errFeedRevoked     = davMessage("This calendar feed was revoked.")
	errFeedUnavailable = davMessage("The calendar is unavailable; try again shortly.")
)

// feedState is what a feed's content depends on, read before it is built.
type feedState struct {
	feed   dbsqlc.IcalFeed
	family string
	loc    *time.Location
	names  map[uuid.UUID]string
	from   time.Time // tasks due from
	etag   string
}

func (h *feedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(path.Base(r.URL.Path), ".ics")
	if !ok || token == "" || len(token) > 100 {
		h.answer(w, r, http.StatusNotFound, errNoFeed)
		return
	}
	f, err := h.store.ICalFeedByToken(r.Context(), token)
	switch {
	case familyhub.ErrorCode(err) == familyhub.ENOTFOUND:
		h.answer(w, r, http.StatusNotFound, errNoFeed)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	case f.RevokedAt != nil:
		h.answer(w, r, http.StatusGone, errFeedRevoked)
		return
	}
	ctx := familyhub.NewContextWithAuth(r.Context(), familyhub.SystemAuth(f.FamilyID))
	st, err := h.state(ctx, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"`+st.etag+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	if etagListed(r.Header.Get("If-None-Match"), st.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	if err := h.write(ctx, w, st); err != nil && ctx.Err() == nil {
		h.logger.Error("calendar feed failed", "feed_id", f.ID, "err", err)
	}
}

// fail answers a feed that could not be read: 503 when the database is
// unavailable (the app polls again), else 500, logged, without details.
func (h *feedHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if familyhub.ErrorCode(err) == familyhub.EUNAVAILABLE {
		w.Header().Set("Retry-After", "10")
		h.answer(w, r, http.StatusServiceUnavailable, errFeedUnavailable)
		return
	}
	h.logger.Error("calendar feed failed", "err", err)
	h.answer(w, r, http.StatusInternalServerError, errors.New("internal error"))
}

// answer writes err as the text of an error answer with code, in the
// request's language (h.message), and names that language. Vary says the
// text depends on Accept-Language: a feed is fetched without credentials,
// so a shared cache may keep a 404 or 410 and must not give it to a
// request in another language.
func (h *feedHandler) answer(w http.ResponseWriter, r *http.Request, code int, err error) {
	msg, lang := h.message(r, err)
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	http.Error(w, msg, code)
}

// etagListed reports whether an If-None-Match header names etag.
func etagListed(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == "*" || strings.Trim(v, `"`) == etag {
			return true
		}
	}
	return false
}

// state reads what the feed depends on and derives its ETag from it: the
// last change of events and of tasks (the family's event log), the names
// shown, the zone and the first day of the task window.
func (h *feedHandler) state(ctx context.Context, f dbsqlc.IcalFeed) (*feedState, error) {
	st := &feedState{feed: f}
	sum := sha256.New()
	err := h.store.TxRetry(ctx, func(tx *db.Tx) error {
		sum.Reset()
		fam, err := h.store.Q.FamilyGet(ctx, tx, f.FamilyID)
		if err != nil {
			return db.Err(err, "family")
		}
		st.family = fam.Name
		if st.loc, err = tx.Location(ctx); err != nil {
			return err
		}
		if st.names, err = memberNames(ctx, tx); err != nil {
			return err
		}
		fmt.Fprintf(sum, "%s\x00%s\x00%s\x00%v\x00", f.ID, fam.Name, st.loc, f.MemberID)
		for _, typ := range []string{familyhub.EventCalendarEventUpdated, familyhub.EventTaskUpdated} {
			s, err := tx.CalDAVSyncState(ctx, typ)
			if err != nil {
				return err
			}
			fmt.Fprintf(sum, "%d\x00", syncSeq(s))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, 0, len(st.names))
	for id := range st.names {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	for _, id := range ids {
		fmt.Fprintf(sum, "%s=%s\x00", id, st.names[id])
	}
	today, _ := familyhub.DayBounds(time.Now().In(st.loc), st.loc)
	st.from = today.AddDate(0, 0, -feedPastDays)
	fmt.Fprintf(sum, "%s", today.Format(time.DateOnly))
	st.etag = hex.EncodeToString(sum.Sum(nil)[:16])
	return st, nil
}

// write streams the feed: the calendar's head, the family zone's
// VTIMEZONE, the events a page at a time, the tasks, and the VTIMEZONEs
// of any other TZID met on the way.
func (h *feedHandler) write(ctx context.Context, w io.Writer, st *feedState) error {
	// The calendar's head, encoded (escaped, folded) by the library: a
	// calendar with a placeholder child, cut before it.
	hc := ical.NewCalendar()
	hc.Props.SetText(ical.PropVersion, "2.0")
	hc.Props.SetText(ical.PropProductID, icalProdID)
	hc.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	hc.Props.SetText(ical.PropMethod, "PUBLISH")
	hc.Props.SetText("X-WR-CALNAME", st.family)
	hc.Props.SetText("X-WR-TIMEZONE", st.loc.String())
	hc.Children = []*ical.Component{ical.NewComponent("X-FAMILYHUB-PLACEHOLDER")}
	var b bytes.Buffer
	if err := ical.NewEncoder(&b).Encode(hc); err != nil {
		return err
	}
	head, _, _ := strings.Cut(b.String(), "BEGIN:X-FAMILYHUB-PLACEHOLDER")
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	written := map[string]bool{}
	tzids := []string{}
	emit := func(comps []*ical.Component) error {
		for _, c := range comps {
			collectTZIDs(c, map[string]bool{}, &tzids)
		}
		return writeComponents(w, comps)
	}
	if vt := vtimezone(st.loc.String()); vt != nil {
		written[st.loc.String()] = true
		if err := writeComponents(w, []*ical.Component{vt}); err != nil {
			return err
		}
	}
	after := uuid.Nil
	for {
		var comps []*ical.Component
		var n int
		var next uuid.UUID
		err := h.store.TxRetry(ctx, func(tx *db.Tx) error {
			comps, next = nil, after
			events, err := tx.CalDAVEventPage(ctx, after, davPageSize)
			if err != nil {
				return err
			}
			n = len(events)
			if n > 0 {
				next = events[n-1].ID
			}
			objs, err := (&eventCollection{}).objects(ctx, tx, events)
			for _, o := range objs {
				for _, c := range o.cal.Children {
					if c.Name == ical.CompEvent {
						comps = append(comps, c)
					}
				}
			}
			return err
		})
		if err != nil {
			return err
		}
		after = next
		if err := emit(comps); err != nil {
			return err
		}
		if n < davPageSize {
			break
		}
	}
	var tasks []dbsqlc.Task
	err := h.store.TxRetry(ctx, func(tx *db.Tx) error {
		var err error
		tasks, err = tx.CalDAVTasksDue(ctx, st.feed.MemberID, st.from, st.from.AddDate(1, 0, feedPastDays), feedMaxTasks)
		return err
	})
	if err != nil {
		return err
	}
	var comps []*ical.Component
	for _, t := range tasks {
		comps = append(comps, taskFeedEvent(t, st))
	}
	if err := emit(comps); err != nil {
		return err
	}
	var zones []*ical.Component
	for _, id := range tzids {
		if !written[id] {
			written[id] = true
			if vt := vtimezone(id); vt != nil {
				zones = append(zones, vt)
			}
		}
	}
	if err := writeComponents(w, zones); err != nil {
		return err
	}
	_, err = io.WriteString(w, "END:VCALENDAR\r\n")
	return err
}

// writeComponents writes comps as iCalendar text, without a VCALENDAR
// around them.
func writeComponents(w io.Writer, comps []*ical.Component) error {
	if len(comps) == 0 {
		return nil
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, icalProdID)
	cal.Children = comps
	var b bytes.Buffer
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		return err
	}
	s := b.String()
	start := strings.Index(s, "\r\nBEGIN:") + 2
	end := strings.LastIndex(s, "END:VCALENDAR\r\n")
	if start < 2 || end < start {
		return fmt.Errorf("unexpected encoding of %d components", len(comps))
	}
	_, err := io.WriteString(w, s[start:end])
	return err
}

// taskFeedEvent shows task t as an event at its due time (all day on its
// day without a time): ☐ title, ☑ once done, with the assignee's name in
// the family's feed. It takes no time (TRANSP:TRANSPARENT).
func taskFeedEvent(t dbsqlc.Task, st *feedState) *ical.Component {
	c := ical.NewComponent(ical.CompEvent)
	c.Props.SetText(ical.PropUID, "task-"+t.ID.String()+"@familyhub")
	c.Props.SetDateTime(ical.PropDateTimeStamp, t.UpdatedAt.UTC())
	c.Props.SetDateTime(ical.PropLastModified, t.UpdatedAt.UTC())
	title := "☐ " + t.Title
	if t.CompletedAt != nil {
		title = "☑ " + t.Title
	}
	if t.AssigneeID != nil && st.feed.MemberID == nil && st.names[*t.AssigneeID] != "" {
		title += " — " + st.names[*t.AssigneeID]
	}
	c.Props.SetText(ical.PropSummary, title)
	if t.Notes != "" {
		c.Props.SetText(ical.PropDescription, t.Notes)
	}
	if t.DueAt != nil {
		c.Props.Set(icalTimeProp(ical.PropDateTimeStart, *t.DueAt, false, st.loc))
		c.Props.Set(icalTimeProp(ical.PropDateTimeEnd, *t.DueAt, false, st.loc))
	} else {
		d := t.InstanceDate.Time
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, st.loc)
		c.Props.Set(icalTimeProp(ical.PropDateTimeStart, day, true, st.loc))
		c.Props.Set(icalTimeProp(ical.PropDateTimeEnd, day.AddDate(0, 0, 1), true, st.loc))
	}
	c.Props.SetText(ical.PropTransparency, "TRANSPARENT")
	return c
}
