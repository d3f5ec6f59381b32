package ical

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Limits of outbound requests to subscribed calendars.
const (
	importTimeout      = 30 * time.Second // per request
	importMaxBody      = 10 << 20         // per response
	importMultiget     = 50               // objects per calendar-multiget
	importBackoffBase  = 5 * time.Minute  // after the first failure; doubles
	importBackoffMax   = 24 * time.Hour
	importMaxErrorList = 5 // per-event problems named in last_error
)

// ImportSubscriptions syncs every calendar subscription whose next attempt
// has come (see ImportSubscription). Each subscription's outcome is recorded
// on it; the error is only for not being able to list them, or ctx ending.
func ImportSubscriptions(ctx context.Context, store *db.Store, cfg Config, logger *slog.Logger) error {
	ids, err := store.SubscriptionsDue(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := ImportSubscription(ctx, store, cfg, logger, id); err != nil && ctx.Err() == nil {
			logger.Warn("calendar subscription sync failed", "subscription_id", id, "err", err)
		}
	}
	return nil
}

// ImportSubscription syncs one subscription now: the family's copies of
// its events are created, updated and deleted to match the source, each
// in its own transaction so that one bad event never blocks the rest.
// A failure of the whole sync (unreachable, refused credentials, malformed
// iCalendar) is recorded on the subscription as last_error with the next
// attempt pushed out exponentially, and returned; problems with single
// events are summarised in last_error of an otherwise successful sync.
func ImportSubscription(ctx context.Context, store *db.Store, cfg Config, logger *slog.Logger, id uuid.UUID) error {
	sub, err := store.SubscriptionGet(ctx, id)
	if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
		// Deleted since it was found due (or since the job was queued):
		// nothing to sync, nothing to retry.
		logger.Info("calendar subscription is gone; nothing to sync", "subscription_id", id)
		return nil
	} else if err != nil {
		return err
	}
	// The import acts for the subscription's family: its writes are scoped
	// to it and carry no person as actor.
	ctx = familyhub.NewContextWithAuth(ctx, familyhub.SystemAuth(sub.FamilyID))
	im := &importer{store: store, sub: sub, logger: logger.With("subscription_id", sub.ID), allowPrivate: cfg.AllowPrivateSubscriptions}
	res, err := im.runSafely(ctx, cfg.Key())
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, db.ErrSubscriptionGone) {
			// Deleted while this import ran: its events went with it, and
			// the import wrote none back (the foreign key of 00030).
			im.logger.Info("calendar subscription is gone; import stopped", "created", im.res.created, "updated", im.res.updated)
			return nil
		}
		msg := readableImportError(err)
		delay := min(importBackoffBase<<min(sub.Failures, 16), importBackoffMax)
		if rerr := store.SubscriptionFailed(ctx, sub.ID, msg, time.Now().Add(delay)); rerr != nil {
			return errors.Join(withoutAddress{err}, rerr)
		}
		return fmt.Errorf("%s: %w", msg, withoutAddress{err})
	}
	var lastErr *string
	if len(res.problems) > 0 {
		s := summarise(res.problems)
		lastErr, res.ctag = &s, nil // no ctag: look at everything again next time
	}
	im.logger.Info("calendar subscription synced", "kind", res.kind, "created", res.created, "updated", res.updated,
		"deleted", res.deleted, "unchanged", res.unchanged, "problems", len(res.problems))
	return store.SubscriptionSynced(ctx, sub.ID, res.kind, res.ctag, lastErr)
}

func summarise(problems []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d event(s) could not be imported: ", len(problems))
	for i, p := range problems {
		if i == importMaxErrorList {
			fmt.Fprintf(&b, "; and %d more", len(problems)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p)
	}
	s := b.String()
	if len(s) > 2000 {
		s = s[:1997] + "..."
	}
	return s
}

type importResult struct {
	kind                                 string
	ctag                                 *string
	created, updated, deleted, unchanged int
	problems                             []string
}

type importer struct {
	allowPrivate bool
	store        *db.Store
	sub          dbsqlc.CalendarSubscription
	logger       *slog.Logger
	hc           *http.Client
	loc          *time.Location
	res          importResult
}

// importObject is one calendar object from the source: href identifies it
// there, etag tells whether it changed.
type importObject struct {
	href, etag string
	cal        *ical.Calendar
	err        error // it could not be fetched or parsed
}

func (im *importer) run(ctx context.Context, key []byte) (*importResult, error) {
	var password string
	if im.sub.PasswordEnc != nil {
		if key == nil {
			// The server's configuration, not the subscription, is what is
			// wrong: nothing the family can fix by re-adding it.
			return nil, &importError{msg: "The server has no FAMILYHUB_SECRET_KEY set, so the calendar's password cannot be read; its operator must set the key it was stored under."}
		}
		p, err := OpenSecret(key, im.sub.PasswordEnc, im.sub.ID[:])
		if err != nil {
			return nil, &importError{msg: "The stored password cannot be decrypted (FAMILYHUB_SECRET_KEY changed since it was stored); delete the subscription and add it again.", err: err}
		}
		password = string(p)
	}
	im.hc = newImportClient(im.sub.Url, im.sub.Username, password, im.sub.PasswordEnc != nil || im.sub.Username != "", im.allowPrivate)
	err := im.store.TxRetry(ctx, func(tx *db.Tx) error {
		var err error
		im.loc, err = tx.Location(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	kind := ""
	if im.sub.Kind != nil {
		kind = *im.sub.Kind
	}
	var ctag string
	if kind == "" || kind == "caldav" {
		var isCal bool
		ctag, isCal, err = im.probe(ctx)
		switch {
		case err != nil && kind == "caldav":
			return nil, err
		case isCal:
			kind = "caldav"
		default:
			var he *httpStatusError
			if errors.As(err, &he) && (he.code == http.StatusUnauthorized || he.code == http.StatusForbidden) {
				return nil, err
			}
			kind = "ics"
		}
	}
	im.res.kind = kind
	if kind == "caldav" {
		err = im.syncCalDAV(ctx, ctag)
	} else {
		err = im.syncICS(ctx)
	}
	if err != nil {
		return nil, err
	}
	return &im.res, nil
}

// probe asks the URL for its resource type and CTag (PROPFIND, depth 0),
// and reports whether it is a CalDAV calendar collection.
func (im *importer) probe(ctx context.Context) (ctag string, isCalendar bool, err error) {
	const body = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:resourcetype/><cs:getctag/></d:prop></d:propfind>`
	req, err := http.NewRequestWithContext(ctx, "PROPFIND", im.sub.Url, strings.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	resp, err := im.hc.Do(req)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		return "", false, &httpStatusError{code: resp.StatusCode}
	}
	var ms struct {
		Responses []struct {
			Propstats []struct {
				Prop struct {
					ResourceType struct {
						Calendar *struct{} `xml:"urn:ietf:params:xml:ns:caldav calendar"`
					} `xml:"DAV: resourcetype"`
					CTag string `xml:"http://calendarserver.org/ns/ getctag"`
				} `xml:"DAV: prop"`
			} `xml:"DAV: propstat"`
		} `xml:"DAV: response"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&ms); err != nil {
		return "", false, &importError{msg: "The server's PROPFIND answer is not valid WebDAV XML.", err: err}
	}
	for _, r := range ms.Responses {
		for _, ps := range r.Propstats {
			if ps.Prop.ResourceType.Calendar != nil {
				isCalendar = true
			}
			if ps.Prop.CTag != "" {
				ctag = ps.Prop.CTag
			}
		}
	}
	return strings.TrimSpace(ctag), isCalendar, nil
}

// syncCalDAV lists the collection's events with their ETags (listEvents) and fetches
// the new and changed ones (calendar-multiget). A CTag equal to last
// time's means nothing changed.
func (im *importer) syncCalDAV(ctx context.Context, ctag string) error {
	if ctag != "" {
		im.res.ctag = &ctag
		if im.sub.Ctag != nil && *im.sub.Ctag == ctag {
			return nil
		}
	}
	u, _ := url.Parse(im.sub.Url)
	listed, err := im.listEvents(ctx, u.Path)
	if err != nil {
		return err
	}
	if err := tooManyEvents(len(listed)); err != nil {
		return err
	}
	existing, err := im.existing(ctx)
	if err != nil {
		return err
	}
	var changed []string
	for href, etag := range listed {
		if cur, ok := existing[href]; ok && etag != "" && cur.SourceEtag != nil && *cur.SourceEtag == etag {
			im.res.unchanged++
			continue
		}
		changed = append(changed, href)
	}
	sort.Strings(changed)
	cc, err := caldav.NewClient(im.hc, im.sub.Url)
	if err != nil {
		return err
	}
	for start := 0; start < len(changed); start += importMultiget {
		batch := changed[start:min(start+importMultiget, len(changed))]
		objs, err := im.multiget(ctx, cc, batch)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if o.etag == "" {
				o.etag = listed[o.href]
			}
			if err := im.apply(ctx, existing, o); err != nil {
				return err
			}
		}
	}
	return im.deleteMissing(ctx, existing, listed)
}

// multiget fetches hrefs; when the batch fails as a whole (one malformed
// object spoils the library's decoding of all), it fetches them one by one
// so that the bad one is named and the others still come.
func (im *importer) multiget(ctx context.Context, cc *caldav.Client, hrefs []string) ([]importObject, error) {
	req := &caldav.CalendarMultiGet{Paths: hrefs, CompRequest: caldav.CalendarCompRequest{Name: ical.CompCalendar, AllProps: true, AllComps: true}}
	cos, err := cc.MultiGetCalendar(ctx, im.calPath(), req)
	if err == nil {
		out := make([]importObject, 0, len(cos))
		for _, co := range cos {
			out = append(out, importObject{href: co.Path, etag: co.ETag, cal: co.Data})
		}
		return out, nil
	}
	if isTransportError(err) {
		return nil, err
	}
	out := make([]importObject, 0, len(hrefs))
	for _, h := range hrefs {
		co, err := cc.GetCalendarObject(ctx, h)
		if err != nil {
			if isTransportError(err) {
				return nil, err
			}
			out = append(out, importObject{href: h, err: err})
			continue
		}
		out = append(out, importObject{href: h, etag: co.ETag, cal: co.Data})
	}
	return out, nil
}

// syncICS fetches a plain iCalendar file (conditionally, by its ETag) and
// splits it into one object per UID.
func (im *importer) syncICS(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, im.sub.Url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	if im.sub.Kind != nil && *im.sub.Kind == "ics" && im.sub.Ctag != nil {
		req.Header.Set("If-None-Match", *im.sub.Ctag)
	}
	resp, err := im.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		im.res.ctag = im.sub.Ctag
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		return &httpStatusError{code: resp.StatusCode}
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	cal, err := DecodeICalBytes(b)
	if err != nil {
		return &importError{msg: fmt.Sprintf("The calendar at this URL is not valid iCalendar: %s", familyhub.ErrorMessage(err)), err: err}
	}
	if et := resp.Header.Get("ETag"); et != "" && len(et) <= 512 {
		im.res.ctag = &et
	}
	var zones []*ical.Component
	byUID := map[string][]*ical.Component{}
	var uids []string
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompTimezone:
			zones = append(zones, c)
		case ical.CompEvent:
			uid, _ := c.Props.Text(ical.PropUID)
			if _, ok := byUID[uid]; !ok {
				uids = append(uids, uid)
			}
			byUID[uid] = append(byUID[uid], c)
		}
	}
	if err := tooManyEvents(len(uids)); err != nil {
		return err
	}
	existing, err := im.existing(ctx)
	if err != nil {
		return err
	}
	listed := map[string]string{}
	for _, uid := range uids {
		one := ical.NewCalendar()
		one.Props.SetText(ical.PropVersion, "2.0")
		one.Props.SetText(ical.PropProductID, "-//FamilyHub//import//EN")
		one.Children = append(append(one.Children, zones...), byUID[uid]...)
		var buf bytes.Buffer
		o := importObject{href: "uid:" + uid, cal: one}
		if err := ical.NewEncoder(&buf).Encode(one); err != nil {
			o.err = err
		}
		sum := sha256.Sum256(buf.Bytes())
		o.etag = hex.EncodeToString(sum[:16])
		listed[o.href] = o.etag
		if cur, ok := existing[o.href]; ok && cur.SourceEtag != nil && *cur.SourceEtag == o.etag {
			im.res.unchanged++
			continue
		}
		if err := im.apply(ctx, existing, o); err != nil {
			return err
		}
	}
	return im.deleteMissing(ctx, existing, listed)
}

// tooManyEvents refuses a source that holds n events (objects, one per
// UID) when that is more than familyhub.MaxImportedEventsPerSubscription:
// the import fails as a whole before writing any, so the family's copies
// stay as the last sync left them, and last_error says why.
func tooManyEvents(n int) error {
	if n <= familyhub.MaxImportedEventsPerSubscription {
		return nil
	}
	return &importError{msg: fmt.Sprintf("The calendar has %d events; FamilyHub imports at most %d from one calendar. Nothing was imported or changed.",
		n, familyhub.MaxImportedEventsPerSubscription)}
}

func (im *importer) existing(ctx context.Context) (map[string]dbsqlc.CalendarSubscriptionImportedListRow, error) {
	rows, err := im.store.SubscriptionImported(ctx, im.sub.ID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]dbsqlc.CalendarSubscriptionImportedListRow, len(rows))
	for _, r := range rows {
		if r.SourceHref != nil {
			out[*r.SourceHref] = r
		}
	}
	return out, nil
}

// apply creates or updates the family's copy of o in its own transaction;
// a problem is noted and the sync goes on. The one error it returns is
// db.ErrSubscriptionGone: the subscription was deleted meanwhile, and the
// sync must stop.
func (im *importer) apply(ctx context.Context, existing map[string]dbsqlc.CalendarSubscriptionImportedListRow, o importObject) error {
	problem := func(format string, args ...any) {
		name := o.href
		if i := strings.LastIndex(name, "/"); i >= 0 && i < len(name)-1 {
			name = name[i+1:]
		}
		im.res.problems = append(im.res.problems, name+": "+fmt.Sprintf(format, args...))
	}
	if o.err != nil {
		problem("%v", o.err)
		return nil
	}
	ev, err := ParseICalEvent(o.cal, im.loc, ICalParseOpts{KeepUnsupportedRRule: true})
	if err != nil {
		problem("%s", familyhub.ErrorMessage(err))
		return nil
	}
	raw, err := MasterICal(o.cal)
	if err != nil || len(raw) > familyhub.MaxICalBytes {
		problem("the event cannot be stored (too large or not encodable)")
		return nil
	}
	etag := o.etag
	cur, had := existing[o.href]
	var ok bool // an update of the copy cur, not a new event
	err = im.store.TxRetry(ctx, func(tx *db.Tx) error {
		ok = had
		if ok && cur.Uid != ev.UID {
			if err := tx.SubscriptionImportedDelete(ctx, im.sub.ID, cur.ID); err != nil {
				return err
			}
			ok = false
		}
		href := o.href
		x := &db.CalendarInterchange{UID: ev.UID, Sequence: ev.Sequence, ICal: raw, SubscriptionID: &im.sub.ID, SourceHref: &href, SourceEtag: &etag,
			Overrides: ev.Overrides}
		if ok {
			row, err := tx.CalendarEventGetForImport(ctx, cur.ID)
			if err != nil {
				return err
			}
			_, err = tx.CalendarEventReplace(ctx, row, ev.Fields(), x)
			return err
		}
		_, err := tx.CalendarEventCreate(ctx, ev.Fields(), x)
		return err
	})
	switch {
	case err == nil && ok:
		im.res.updated++
	case err == nil:
		im.res.created++
	case im.gone(ctx, err):
		return db.ErrSubscriptionGone
	case familyhub.ErrorCode(err) == familyhub.ECONFLICT:
		problem("another event in the family calendar already has UID %q", ev.UID)
	case familyhub.ErrorCode(err) == familyhub.EINVALID:
		problem("%s", familyhub.ErrorMessage(err))
	case errors.Is(err, db.ErrOtherChange):
		problem("another change got in the way; it is tried again at the next sync")
	default:
		im.logger.Error("importing an event failed", "href", o.href, "err", err)
		problem("internal error")
	}
	return nil
}

// gone reports whether err, from writing one event, means the
// subscription was deleted meanwhile: the foreign key refused a new event
// (db.ErrSubscriptionGone), or the event to update went with it (not
// found, and so is the subscription).
func (im *importer) gone(ctx context.Context, err error) bool {
	if errors.Is(err, db.ErrSubscriptionGone) {
		return true
	}
	if familyhub.ErrorCode(err) != familyhub.ENOTFOUND {
		return false
	}
	_, serr := im.store.SubscriptionGet(ctx, im.sub.ID)
	return familyhub.ErrorCode(serr) == familyhub.ENOTFOUND
}

// deleteMissing deletes the copies of events the source no longer lists.
func (im *importer) deleteMissing(ctx context.Context, existing map[string]dbsqlc.CalendarSubscriptionImportedListRow, listed map[string]string) error {
	for href, cur := range existing {
		if _, ok := listed[href]; ok {
			continue
		}
		err := im.store.TxRetry(ctx, func(tx *db.Tx) error {
			return tx.SubscriptionImportedDelete(ctx, im.sub.ID, cur.ID)
		})
		if err != nil {
			return err
		}
		im.res.deleted++
	}
	return nil
}

// calPath is the path of the subscription's collection.
func (im *importer) calPath() string {
	u, err := url.Parse(im.sub.Url)
	if err != nil {
		return ""
	}
	return u.Path
}

// runSafely is run with a panic turned into a failed sync: the iCalendar
// decoder the CalDAV client uses panics on some malformed input, and a
// feed must not be able to crash the server.
func (im *importer) runSafely(ctx context.Context, key []byte) (res *importResult, err error) {
	defer func() {
		if v := recover(); v != nil {
			im.logger.Error("calendar import panicked", "panic", v)
			res, err = nil, &importError{msg: "The calendar's data could not be parsed (malformed iCalendar)."}
		}
	}()
	return im.run(ctx, key)
}
