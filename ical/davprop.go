package ical

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// PROPFIND (RFC 4918 9.1) and PROPPATCH over the fixed tree: root,
// principal, calendar home, the two collections, their objects.

// homeState is what the principal, home and collection properties need,
// read in one short transaction before the answer starts.
type homeState struct {
	a       *familyhub.Auth
	family  string
	loc     *time.Location
	sync    map[string]db.DAVSyncState // by collection name
	tzidCal string                     // the family zone's VTIMEZONE as a VCALENDAR, "" for UTC
}

func (s *davServer) homeState(ctx context.Context, a *familyhub.Auth) (*homeState, error) {
	h := &homeState{a: a, sync: map[string]db.DAVSyncState{}}
	err := s.store.TxRetry(ctx, func(tx *db.Tx) error {
		f, err := s.store.Q.FamilyGet(ctx, tx, a.FamilyID)
		if err != nil {
			return db.Err(err, "family")
		}
		h.family = f.Name
		if h.loc, err = tx.Location(ctx); err != nil {
			return err
		}
		for _, c := range s.collections() {
			if h.sync[c.name()], err = tx.CalDAVSyncState(ctx, c.eventType()); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		if vt := vtimezone(h.loc.String()); vt != nil {
			cal := ical.NewCalendar()
			cal.Props.SetText(ical.PropVersion, "2.0")
			cal.Props.SetText(ical.PropProductID, icalProdID)
			cal.Children = []*ical.Component{vt}
			h.tzidCal, _ = EncodeICal(cal)
		}
	}
	return h, err
}

// syncSeq is the event log position a collection's sync token names: the
// last change of its kind; when the log holds none any more, the position
// just before the oldest it holds (nothing of the kind since), or the
// family's last seq when the log is empty.
func syncSeq(st db.DAVSyncState) int64 {
	switch {
	case st.Last >= 0:
		return st.Last
	case st.Oldest >= 0:
		return st.Oldest - 1
	}
	return st.Current
}

const syncTokenPrefix = "urn:familyhub:sync:"

// syncToken renders a collection's sync token (RFC 6578: a URI).
func syncToken(coll string, seq int64) string {
	return syncTokenPrefix + coll + ":" + strconv.FormatInt(seq, 10)
}

// parseSyncToken returns the seq of a token of coll.
func parseSyncToken(coll, token string) (int64, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(token), syncTokenPrefix+coll+":")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n >= 0
}

func (h *homeState) rootProps() props {
	return props{
		pResourceType:     func() propValue { return val("<d:collection/>") },
		pCurrentPrincipal: func() propValue { return val(hrefXML(principalPath(h.a))) },
		pPrincipalCollSet: func() propValue { return val(hrefXML(Prefix + "/")) },
	}
}

func (h *homeState) principalProps() props {
	return props{
		pResourceType:      func() propValue { return val("<d:collection/><d:principal/>") },
		pCurrentPrincipal:  func() propValue { return val(hrefXML(principalPath(h.a))) },
		pPrincipalURL:      func() propValue { return val(hrefXML(principalPath(h.a))) },
		pCalendarHome:      func() propValue { return val(hrefXML(homePath(h.a))) },
		pPrincipalCollSet:  func() propValue { return val(hrefXML(Prefix + "/")) },
		pCalendarUserAddrs: func() propValue { return val(hrefXML("urn:uuid:" + h.a.UserID.String())) },
	}
}

func (h *homeState) homeProps() props {
	return props{
		pResourceType:     func() propValue { return val("<d:collection/>") },
		pCurrentPrincipal: func() propValue { return val(hrefXML(principalPath(h.a))) },
		pOwner:            func() propValue { return val(hrefXML(principalPath(h.a))) },
	}
}

const privileges = "<d:privilege><d:read/></d:privilege><d:privilege><d:write/></d:privilege>" +
	"<d:privilege><d:write-content/></d:privilege><d:privilege><d:bind/></d:privilege>" +
	"<d:privilege><d:unbind/></d:privilege><d:privilege><d:read-current-user-privilege-set/></d:privilege>"

const supportedReports = "<d:supported-report><d:report><c:calendar-query/></d:report></d:supported-report>" +
	"<d:supported-report><d:report><c:calendar-multiget/></d:report></d:supported-report>" +
	"<d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>"

func (h *homeState) collectionProps(c collection) props {
	token := syncToken(c.name(), syncSeq(h.sync[c.name()]))
	ps := props{
		pResourceType:     func() propValue { return val("<d:collection/><c:calendar/>") },
		pDisplayName:      func() propValue { return val(xmlText(c.displayName(h.family))) },
		pCurrentPrincipal: func() propValue { return val(hrefXML(principalPath(h.a))) },
		pOwner:            func() propValue { return val(hrefXML(principalPath(h.a))) },
		pCalendarDesc: func() propValue {
			what := map[string]string{ical.CompEvent: "The family calendar", ical.CompToDo: "The tasks and chores"}[c.component()]
			return val(xmlText(what + " of " + h.family + " (FamilyHub)"))
		},
		pSupportedComps:  func() propValue { return val(`<c:comp name="` + c.component() + `"/>`) },
		pSupportedData:   func() propValue { return val(`<c:calendar-data content-type="text/calendar" version="2.0"/>`) },
		pMaxResourceSize: func() propValue { return val(strconv.Itoa(familyhub.MaxICalBytes)) },
		pPrivileges:      func() propValue { return val(privileges) },
		pSupportedReports: func() propValue {
			return val(supportedReports)
		},
		pSyncToken: func() propValue { return val(xmlText(token)) },
		pGetCTag:   func() propValue { return val(xmlText(token)) },
	}
	if h.tzidCal != "" {
		ps[pCalendarTimezone] = func() propValue { return val(xmlText(h.tzidCal)) }
	}
	return ps
}

// allprop answers (RFC 4918: live properties a client wants; RFC 4791 and
// 6578 keep calendar-data and sync-token out of allprop).
var (
	allPropRoot       = []propName{pResourceType, pCurrentPrincipal}
	allPropPrincipal  = []propName{pResourceType, pCurrentPrincipal, pCalendarHome, pPrincipalURL}
	allPropHome       = []propName{pResourceType, pCurrentPrincipal, pOwner}
	allPropCollection = []propName{pResourceType, pDisplayName, pCalendarDesc, pSupportedComps, pGetCTag, pOwner, pCurrentPrincipal}
	allPropObject     = []propName{pResourceType, pGetETag, pGetContentType, pGetLastModified}
)

// objectProps are an object's properties; data loads its body (only a
// REPORT, or a PROPFIND naming calendar-data, asks).
func objectProps(c collection, etag string, mod time.Time, data func() propValue) props {
	ps := props{
		pResourceType: func() propValue { return val("") },
		pGetETag:      func() propValue { return val(xmlText(`"` + etag + `"`)) },
		pGetContentType: func() propValue {
			return val("text/calendar; charset=utf-8; component=" + strings.ToLower(c.component()))
		},
		pGetLastModified: func() propValue { return val(mod.UTC().Format(http.TimeFormat)) },
	}
	if data != nil {
		ps[pCalendarData] = data
	}
	return ps
}

// calendarDataValue renders an object's body for calendar-data.
func calendarDataValue(o davObject) func() propValue {
	return func() propValue {
		s, err := EncodeICal(o.cal)
		if err != nil {
			return propValue{}
		}
		return val(xmlText(s))
	}
}

func (s *davServer) propfind(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := davAuthFrom(ctx)
	if err != nil {
		return err
	}
	var req propRequest
	empty, err := decodeXMLBody(r, &req)
	if err != nil {
		return err
	}
	if empty {
		req.AllProp = &struct{}{} // RFC 4918 9.1: no body means allprop
	} else if req.XMLName != (propName{Space: nsDAV, Local: "propfind"}) {
		return davStatusError(http.StatusBadRequest, "The body must be a DAV:propfind.")
	} else if req.Prop == nil && req.AllProp == nil && req.PropName == nil {
		return davStatusError(http.StatusBadRequest, "A propfind needs prop, allprop or propname.")
	}
	d, err := depth(r, depthInfinity)
	if err != nil {
		return err
	}
	t, err := s.target(a, r.URL.Path)
	if err != nil {
		return err
	}
	if t.kind == resObject {
		return s.propfindObject(w, r, a, &req, t)
	}
	h, err := s.homeState(ctx, a)
	if err != nil {
		return err
	}
	ms := newMultistatus(w, r.URL.EscapedPath())
	level := map[int]int{resRoot: 0, resPrincipal: 0, resHome: 1, resCollection: 2}[t.kind]
	ok := true
	switch t.kind {
	case resRoot:
		ok = ms.add(responseXML(Prefix+"/", &req, h.rootProps(), allPropRoot))
	case resPrincipal:
		ok = ms.add(responseXML(principalPath(a), &req, h.principalProps(), allPropPrincipal))
	}
	if t.kind == resHome || (t.kind == resPrincipal && d >= 1) {
		ok = ok && ms.add(responseXML(homePath(a), &req, h.homeProps(), allPropHome))
	}
	colls := s.collections()
	if t.kind == resCollection {
		colls = []collection{t.coll}
	}
	for _, c := range colls {
		if t.kind == resRoot || (t.kind != resCollection && d < 2-level) {
			break
		}
		ok = ok && ms.add(responseXML(collectionPath(a, c), &req, h.collectionProps(c), allPropCollection))
		if ok && d >= 3-level {
			ok = s.streamMembers(ctx, ms, a, &req, c, nil)
		}
	}
	ms.end("")
	return nil
}

func (s *davServer) propfindObject(w http.ResponseWriter, r *http.Request, a *familyhub.Auth, req *propRequest, t davTarget) error {
	var o davObject
	var found bool
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		o, found = davObject{}, false
		objs, err := t.coll.byNames(r.Context(), tx, []string{t.name})
		if len(objs) == 1 {
			o, found = objs[0], true
		}
		return err
	})
	if err != nil {
		return err
	}
	if !found {
		return errNoResource
	}
	ms := newMultistatus(w, r.URL.EscapedPath())
	ms.add(responseXML(objectHref(a, t.coll, o.name), req, objectProps(t.coll, o.etag, o.mod, calendarDataValue(o)), allPropObject))
	ms.end("")
	return nil
}

// streamMembers writes a response per object of c: from the bodiless
// listing (heads, or only those in ids when not nil), or, when the request
// wants calendar-data, loading the objects a page at a time. It reports
// false when the answer is full or failed.
func (s *davServer) streamMembers(ctx context.Context, ms *multistatus, a *familyhub.Auth, req *propRequest, c collection, heads []db.DAVHead) bool {
	if heads == nil {
		var loc *time.Location
		err := s.store.TxRetry(ctx, func(tx *db.Tx) error {
			var err error
			if heads, err = c.heads(ctx, tx); err != nil {
				return err
			}
			loc, err = tx.Location(ctx)
			return err
		})
		if err != nil {
			return s.failStream(ms, err)
		}
		if !req.wants(pCalendarData) {
			for _, hd := range heads {
				if !ms.add(responseXML(objectHref(a, c, hd.Name), req, objectProps(c, c.etag(hd, loc), hd.UpdatedAt, nil), allPropObject)) {
					return false
				}
			}
			return true
		}
	}
	ids := make([]uuid.UUID, len(heads))
	for i, hd := range heads {
		ids[i] = hd.ID
	}
	return s.streamObjects(ctx, ms, a, req, c, ids, nil)
}

// streamObjects loads the objects ids of c a page at a time and writes a
// response for each that match accepts (nil: all).
func (s *davServer) streamObjects(ctx context.Context, ms *multistatus, a *familyhub.Auth, req *propRequest, c collection, ids []uuid.UUID, match func(davObject) bool) bool {
	for start := 0; start < len(ids); start += davPageSize {
		var objs []davObject
		err := s.store.TxRetry(ctx, func(tx *db.Tx) error {
			var err error
			objs, err = c.byIDs(ctx, tx, ids[start:min(start+davPageSize, len(ids))])
			return err
		})
		if err != nil {
			return s.failStream(ms, err)
		}
		for _, o := range objs {
			if match != nil && !match(o) {
				continue
			}
			if !ms.add(responseXML(objectHref(a, c, o.name), req, objectProps(c, o.etag, o.mod, calendarDataValue(o)), allPropObject)) {
				return false
			}
		}
	}
	return true
}

// failStream ends an answer already under way after a failure: the error
// is logged and the request-URI answered 500 inside the multistatus.
func (s *davServer) failStream(ms *multistatus, err error) bool {
	if !errors.Is(err, context.Canceled) {
		s.logger.Error("caldav answer failed", "href", ms.href, "err", err)
	}
	ms.add(statusResponseXML(ms.href, http.StatusInternalServerError))
	ms.truncated = true
	return false
}

// proppatch refuses every change (RFC 4918 9.2: 403 per property): the
// collections' names and colours come from FamilyHub.
func (s *davServer) proppatch(w http.ResponseWriter, r *http.Request) error {
	a, err := davAuthFrom(r.Context())
	if err != nil {
		return err
	}
	if _, err := s.target(a, r.URL.Path); err != nil {
		return err
	}
	var req struct {
		Set []struct {
			Prop anyProps `xml:"DAV: prop"`
		} `xml:"DAV: set"`
		Remove []struct {
			Prop anyProps `xml:"DAV: prop"`
		} `xml:"DAV: remove"`
	}
	if _, err := decodeXMLBody(r, &req); err != nil {
		return err
	}
	var names strings.Builder
	for _, s := range req.Set {
		for _, n := range s.Prop.Names {
			names.WriteString(element(n.XMLName, ""))
		}
	}
	for _, s := range req.Remove {
		for _, n := range s.Prop.Names {
			names.WriteString(element(n.XMLName, ""))
		}
	}
	ms := newMultistatus(w, r.URL.EscapedPath())
	ms.add(fmt.Sprintf("<d:response>%s<d:propstat><d:prop>%s</d:prop><d:status>%s</d:status></d:propstat></d:response>",
		hrefXML(r.URL.EscapedPath()), names.String(), statusLine(http.StatusForbidden)))
	ms.end("")
	return nil
}
