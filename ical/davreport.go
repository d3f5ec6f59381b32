package ical

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// REPORT: calendar-query and calendar-multiget (RFC 4791 7.8, 7.9) and
// sync-collection (RFC 6578), each answer streamed within maxAnswerBytes.

var (
	rCalendarQuery    = propName{Space: nsCalDAV, Local: "calendar-query"}
	rCalendarMultiget = propName{Space: nsCalDAV, Local: "calendar-multiget"}
	rSyncCollection   = propName{Space: nsDAV, Local: "sync-collection"}
)

func (s *davServer) report(w http.ResponseWriter, r *http.Request) error {
	a, err := davAuthFrom(r.Context())
	if err != nil {
		return err
	}
	var req propRequest
	empty, err := decodeXMLBody(r, &req)
	if err != nil {
		return err
	}
	if empty {
		return davStatusError(http.StatusBadRequest, "A REPORT needs a body.")
	}
	t, err := s.target(a, r.URL.Path)
	if err != nil {
		return err
	}
	switch req.XMLName {
	case rCalendarQuery, rSyncCollection:
		if t.kind != resCollection {
			return davStatusError(http.StatusForbidden, "%s is a report on a calendar collection.", req.XMLName.Local)
		}
		if req.XMLName == rSyncCollection {
			return s.syncCollection(w, r, a, &req, t.coll)
		}
		return s.calendarQuery(w, r, a, &req, t.coll)
	case rCalendarMultiget:
		return s.multiget(w, r, a, &req)
	}
	return preconditionError(http.StatusForbidden, "d:supported-report",
		"Unsupported report %s; supported: calendar-query, calendar-multiget, sync-collection.", req.XMLName.Local)
}

// Filters (RFC 4791 9.7).

type filterXML struct {
	CompFilter compFilterXML `xml:"urn:ietf:params:xml:ns:caldav comp-filter"`
}

type compFilterXML struct {
	Name         string           `xml:"name,attr"`
	IsNotDefined *struct{}        `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TimeRange    *timeRangeXML    `xml:"urn:ietf:params:xml:ns:caldav time-range"`
	PropFilters  []propFilterXML  `xml:"urn:ietf:params:xml:ns:caldav prop-filter"`
	CompFilters  []compFilterXML  `xml:"urn:ietf:params:xml:ns:caldav comp-filter"`
	ParamFilters []paramFilterXML `xml:"urn:ietf:params:xml:ns:caldav param-filter"`
}

type timeRangeXML struct {
	Start string `xml:"start,attr"`
	End   string `xml:"end,attr"`
}

type propFilterXML struct {
	Name         string           `xml:"name,attr"`
	IsNotDefined *struct{}        `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TimeRange    *timeRangeXML    `xml:"urn:ietf:params:xml:ns:caldav time-range"`
	TextMatch    *textMatchXML    `xml:"urn:ietf:params:xml:ns:caldav text-match"`
	ParamFilters []paramFilterXML `xml:"urn:ietf:params:xml:ns:caldav param-filter"`
}

type paramFilterXML struct {
	Name         string        `xml:"name,attr"`
	IsNotDefined *struct{}     `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TextMatch    *textMatchXML `xml:"urn:ietf:params:xml:ns:caldav text-match"`
}

type textMatchXML struct {
	Text   string `xml:",chardata"`
	Negate string `xml:"negate-condition,attr"`
}

func parseRange(tr *timeRangeXML) (start, end time.Time, err error) {
	parse := func(s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		return time.Parse("20060102T150405Z", strings.TrimSpace(s))
	}
	if start, err = parse(tr.Start); err != nil {
		return start, end, davStatusError(http.StatusBadRequest, "time-range start %q is not a UTC date-time.", tr.Start)
	}
	if end, err = parse(tr.End); err != nil {
		return start, end, davStatusError(http.StatusBadRequest, "time-range end %q is not a UTC date-time.", tr.End)
	}
	return start, end, nil
}

func (x textMatchXML) match() *caldav.TextMatch {
	return &caldav.TextMatch{Text: x.Text, NegateCondition: x.Negate == "yes"}
}

func (x compFilterXML) filter() (caldav.CompFilter, error) {
	cf := caldav.CompFilter{Name: strings.ToUpper(x.Name), IsNotDefined: x.IsNotDefined != nil}
	var err error
	if x.TimeRange != nil {
		if cf.Start, cf.End, err = parseRange(x.TimeRange); err != nil {
			return cf, err
		}
	}
	for _, p := range x.PropFilters {
		pf := caldav.PropFilter{Name: strings.ToUpper(p.Name), IsNotDefined: p.IsNotDefined != nil}
		if p.TimeRange != nil {
			if pf.Start, pf.End, err = parseRange(p.TimeRange); err != nil {
				return cf, err
			}
		}
		if p.TextMatch != nil {
			pf.TextMatch = p.TextMatch.match()
		}
		for _, q := range p.ParamFilters {
			qf := caldav.ParamFilter{Name: strings.ToUpper(q.Name), IsNotDefined: q.IsNotDefined != nil}
			if q.TextMatch != nil {
				qf.TextMatch = q.TextMatch.match()
			}
			pf.ParamFilter = append(pf.ParamFilter, qf)
		}
		cf.Props = append(cf.Props, pf)
	}
	for _, c := range x.CompFilters {
		sub, err := c.filter()
		if err != nil {
			return cf, err
		}
		cf.Comps = append(cf.Comps, sub)
	}
	return cf, nil
}

// calendarQuery answers a calendar-query: a time range on the collection's
// component is decided from the rows (events: with the same expansion as
// REST), anything else by matching each object, loaded a page at a time.
func (s *davServer) calendarQuery(w http.ResponseWriter, r *http.Request, a *familyhub.Auth, req *propRequest, c collection) error {
	ctx := r.Context()
	cf := caldav.CompFilter{Name: ical.CompCalendar}
	if req.Filter != nil {
		var err error
		if cf, err = req.Filter.CompFilter.filter(); err != nil {
			return err
		}
	}
	ms := newMultistatus(w, r.URL.EscapedPath())
	var sub *caldav.CompFilter
	if len(cf.Comps) == 1 {
		sub = &cf.Comps[0]
	}
	switch {
	case cf.Name != ical.CompCalendar || cf.IsNotDefined,
		sub != nil && sub.Name != c.component() && !sub.IsNotDefined:
		ms.end("") // nothing here can match
		return nil
	}
	// A time range on the component: the candidates come from the rows.
	var from, to time.Time
	if sub != nil && !sub.Start.IsZero() || sub != nil && !sub.End.IsZero() {
		from, to = sub.Start, sub.End
		if from.IsZero() {
			from = time.Date(familyhub.MinYear, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		if to.IsZero() {
			to = time.Date(familyhub.MaxYear, 1, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	var heads []db.DAVHead
	var loc *time.Location
	err := s.store.TxRetry(ctx, func(tx *db.Tx) error {
		var err error
		if loc, err = tx.Location(ctx); err != nil {
			return err
		}
		if ec, ok := c.(*eventCollection); ok && !from.IsZero() {
			heads, err = ec.inRange(ctx, tx, from, to)
		} else {
			heads, err = c.heads(ctx, tx)
		}
		return err
	})
	if err != nil {
		return err
	}
	// What is left to check on each object.
	rest := cf
	rest.Comps = nil
	if sub != nil {
		s := *sub
		if _, ok := c.(*eventCollection); ok {
			s.Start, s.End = time.Time{}, time.Time{}
		}
		rest.Comps = []caldav.CompFilter{s}
	}
	trivial := len(rest.Props) == 0 && (sub == nil || (rest.Comps[0].Start.IsZero() && rest.Comps[0].End.IsZero() &&
		len(rest.Comps[0].Props) == 0 && len(rest.Comps[0].Comps) == 0 && !rest.Comps[0].IsNotDefined))
	if trivial && !req.wants(pCalendarData) {
		for _, h := range heads {
			if !ms.add(responseXML(objectHref(a, c, h.Name), req, objectProps(c, c.etag(h, loc), h.UpdatedAt, nil), allPropObject)) {
				break
			}
		}
		ms.end("")
		return nil
	}
	var match func(davObject) bool
	if !trivial {
		match = func(o davObject) bool { return matches(rest, o, loc) }
	}
	ids := make([]uuid.UUID, len(heads))
	for i, h := range heads {
		ids[i] = h.ID
	}
	s.streamObjects(ctx, ms, a, req, c, ids, match)
	ms.end("")
	return nil
}

// matches applies the filter f (on VCALENDAR) to o (RFC 4791 9.7). The
// library's matcher answers is-not-defined wrongly for a present property
// and never matches a time range on a VTODO, so the filter is evaluated
// here. A time range on a recurring VEVENT was decided from the expansion
// before any object was loaded (calendarQuery), so it counts as a match.
func matches(f caldav.CompFilter, o davObject, loc *time.Location) bool {
	return matchComp(f, o.cal.Component, loc)
}

func matchComp(f caldav.CompFilter, c *ical.Component, loc *time.Location) bool {
	if !strings.EqualFold(c.Name, f.Name) {
		return false
	}
	if !f.Start.IsZero() || !f.End.IsZero() {
		switch c.Name {
		case ical.CompToDo:
			if !todoInRange(c, f.Start, f.End, loc) {
				return false
			}
		case ical.CompEvent:
			if c.Props.Get(ical.PropRecurrenceRule) == nil && c.Props.Get(ical.PropRecurrenceDates) == nil && !eventInRange(c, f.Start, f.End, loc) {
				return false
			}
		}
	}
	for _, sub := range f.Comps {
		found := false
		for _, child := range c.Children {
			if strings.EqualFold(child.Name, sub.Name) && (sub.IsNotDefined || matchComp(sub, child, loc)) {
				found = true
				break
			}
		}
		if found == sub.IsNotDefined {
			return false
		}
	}
	for _, pf := range f.Props {
		if !matchProp(pf, c, loc) {
			return false
		}
	}
	return true
}

func matchProp(f caldav.PropFilter, c *ical.Component, loc *time.Location) bool {
	ps := c.Props.Values(strings.ToUpper(f.Name))
	if len(ps) == 0 || f.IsNotDefined {
		return len(ps) == 0 && f.IsNotDefined
	}
	for _, p := range ps {
		if propMatches(f, &p, loc) {
			return true
		}
	}
	return false
}

func propMatches(f caldav.PropFilter, p *ical.Prop, loc *time.Location) bool {
	if !f.Start.IsZero() || !f.End.IsZero() {
		t, err := icalTime(p, loc)
		if err != nil || (!f.Start.IsZero() && t.Before(f.Start)) || (!f.End.IsZero() && !t.Before(f.End)) {
			return false
		}
	}
	if f.TextMatch != nil && !textMatches(*f.TextMatch, p.Value) {
		return false
	}
	for _, pf := range f.ParamFilter {
		v := p.Params.Get(pf.Name)
		switch {
		case v == "" || pf.IsNotDefined:
			if (v == "") != pf.IsNotDefined {
				return false
			}
		case pf.TextMatch != nil && !textMatches(*pf.TextMatch, v):
			return false
		}
	}
	return true
}

// textMatches is RFC 4791 9.7.5 with the default collation i;ascii-casemap.
func textMatches(m caldav.TextMatch, v string) bool {
	return strings.Contains(strings.ToLower(v), strings.ToLower(m.Text)) != m.NegateCondition
}

// eventInRange is RFC 4791 9.9 for a single VEVENT.
func eventInRange(c *ical.Component, start, end time.Time, loc *time.Location) bool {
	st, en, _, err := eventTimes(c.Props, loc)
	if err != nil {
		return true
	}
	if end.IsZero() {
		end = time.Date(familyhub.MaxYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if en.Equal(st) {
		return !start.After(st) && end.After(st)
	}
	return start.Before(en) && end.After(st)
}

// todoInRange is RFC 4791 9.9 for a VTODO.
func todoInRange(todo *ical.Component, start, end time.Time, loc *time.Location) bool {
	if end.IsZero() {
		end = time.Date(familyhub.MaxYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	get := func(name string) (time.Time, bool) {
		p := todo.Props.Get(name)
		if p == nil {
			return time.Time{}, false
		}
		t, err := icalTime(p, loc)
		return t, err == nil
	}
	dtstart, hasStart := get(ical.PropDateTimeStart)
	due, hasDue := get(ical.PropDue)
	switch {
	case hasStart && hasDue:
		return (start.Before(due) || !dtstart.Before(start)) && (end.After(dtstart) || !end.Before(due))
	case hasStart:
		return !dtstart.Before(start) && end.After(dtstart)
	case hasDue:
		return start.Before(due) && !end.Before(due)
	}
	completed, hasCompleted := get(ical.PropCompleted)
	created, hasCreated := get(ical.PropCreated)
	switch {
	case hasCompleted && hasCreated:
		return (!start.After(created) || !start.After(completed)) && (!end.Before(created) || !end.Before(completed))
	case hasCompleted:
		return !start.After(completed) && !end.Before(completed)
	case hasCreated:
		return end.After(created)
	}
	return true
}

// multiget answers a calendar-multiget: each object once however often it
// is named, at most maxMultigetHrefs of them, loaded a page at a time.
func (s *davServer) multiget(w http.ResponseWriter, r *http.Request, a *familyhub.Auth, req *propRequest) error {
	ctx := r.Context()
	type wanted struct {
		href string // as the client wrote it
		name string
	}
	byColl := map[collection][]wanted{}
	var missing []string
	seen := map[string]bool{}
	n := 0
	for _, href := range req.Hrefs {
		href = strings.TrimSpace(href)
		u, err := url.Parse(href)
		if err != nil {
			if !seen[href] {
				seen[href] = true
				missing = append(missing, href)
			}
			continue
		}
		t, err := s.target(a, u.Path)
		key := u.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		if n++; n > maxMultigetHrefs {
			return davStatusError(http.StatusRequestEntityTooLarge, "A calendar-multiget may name at most %d objects; ask in batches.", maxMultigetHrefs)
		}
		if err != nil || t.kind != resObject {
			missing = append(missing, href)
			continue
		}
		byColl[t.coll] = append(byColl[t.coll], wanted{href: href, name: t.name})
	}
	ms := newMultistatus(w, r.URL.EscapedPath())
	for _, c := range s.collections() {
		ws := byColl[c]
		for start := 0; start < len(ws); start += davPageSize {
			batch := ws[start:min(start+davPageSize, len(ws))]
			names := make([]string, len(batch))
			for i, w := range batch {
				names[i] = w.name
			}
			var objs []davObject
			err := s.store.TxRetry(ctx, func(tx *db.Tx) error {
				var err error
				objs, err = c.byNames(ctx, tx, names)
				return err
			})
			if err != nil {
				s.failStream(ms, err)
				ms.end("")
				return nil
			}
			byName := make(map[string]davObject, len(objs))
			for _, o := range objs {
				byName[o.name] = o
			}
			for _, w := range batch {
				resp := statusResponseXML(w.href, http.StatusNotFound)
				if o, ok := byName[w.name]; ok {
					resp = responseXML(w.href, req, objectProps(c, o.etag, o.mod, calendarDataValue(o)), allPropObject)
				}
				if !ms.add(resp) {
					ms.end("")
					return nil
				}
			}
		}
	}
	for _, href := range missing {
		if !ms.add(statusResponseXML(href, http.StatusNotFound)) {
			break
		}
	}
	ms.end("")
	return nil
}

// maxSyncChanges bounds the changes one sync-collection answer lists; more
// are truncated (RFC 6578 3.6) and the client asks again from the token.
var maxSyncChanges = 10000

// syncCollection answers RFC 6578's sync-collection: without a token every
// member, with one the members changed and removed since, each once with
// its current ETag. A token older than the event log reaches back (or not
// ours) is the valid-sync-token precondition: the client starts over.
func (s *davServer) syncCollection(w http.ResponseWriter, r *http.Request, a *familyhub.Auth, req *propRequest, c collection) error {
	ctx := r.Context()
	if lvl := strings.TrimSpace(req.SyncLevel); lvl != "" && lvl != "1" && lvl != "infinite" && lvl != "infinity" {
		return davStatusError(http.StatusBadRequest, "sync-level must be 1 or infinite, not %q.", lvl)
	}
	limit := maxSyncChanges
	if req.Limit != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(req.Limit.NResults)); err == nil && n > 0 && n < limit {
			limit = n
		}
	}
	token := ""
	if req.SyncToken != nil {
		token = strings.TrimSpace(*req.SyncToken)
	}
	var st db.DAVSyncState
	var loc *time.Location
	err := s.store.TxRetry(ctx, func(tx *db.Tx) error {
		var err error
		if st, err = tx.CalDAVSyncState(ctx, c.eventType()); err != nil {
			return err
		}
		loc, err = tx.Location(ctx)
		return err
	})
	if err != nil {
		return err
	}
	ms := newMultistatus(w, r.URL.EscapedPath())
	if token == "" {
		// The initial sync: every member, and where the log stood before
		// they were read.
		s.streamMembers(ctx, ms, a, req, c, nil)
		ms.end("<d:sync-token>" + xmlText(syncToken(c.name(), syncSeq(st))) + "</d:sync-token>")
		return nil
	}
	since, ok := parseSyncToken(c.name(), token)
	if !ok || since > st.Current || (since < st.Current && (st.Oldest < 0 || st.Oldest > since+1)) {
		return preconditionError(http.StatusForbidden, "d:valid-sync-token",
			"The sync token is unknown or older than the server's change history; sync again without a token.")
	}
	var changes []changeRow
	err = s.store.TxRetry(ctx, func(tx *db.Tx) error {
		changes = nil
		rows, err := tx.CalDAVChangesSince(ctx, c.eventType(), since, limit+1)
		for _, r := range rows {
			changes = append(changes, changeRow{id: r.EntityID, seq: r.Seq})
		}
		return err
	})
	if err != nil {
		return err
	}
	next := max(syncSeq(st), since)
	truncated := len(changes) > limit
	if truncated {
		changes = changes[:limit]
		next = changes[len(changes)-1].seq
	}
	if last, complete := s.streamChanges(ctx, ms, a, req, c, loc, since, changes); !complete {
		// Full (or failed): the token covers what was listed.
		ms.end("<d:sync-token>" + xmlText(syncToken(c.name(), last)) + "</d:sync-token>")
		return nil
	}
	if truncated {
		ms.add(statusResponseXML(ms.href, http.StatusInsufficientStorage))
	}
	ms.end("<d:sync-token>" + xmlText(syncToken(c.name(), next)) + "</d:sync-token>")
	return nil
}

type changeRow struct {
	id  uuid.UUID
	seq int64
}

// streamChanges writes a response per changed entity: the member with its
// ETag (and body when asked), or 404 under the name it had when it was
// removed. Entities that never were members (templates of chores) are
// left out. It returns the seq up to which every change was written
// (since when none was), and false when the answer ended early.
func (s *davServer) streamChanges(ctx context.Context, ms *multistatus, a *familyhub.Auth, req *propRequest, c collection, loc *time.Location, since int64, changes []changeRow) (int64, bool) {
	last := since
	withData := req.wants(pCalendarData)
	for start := 0; start < len(changes); start += davPageSize {
		page := changes[start:min(start+davPageSize, len(changes))]
		ids := make([]uuid.UUID, len(page))
		for i, ch := range page {
			ids[i] = ch.id
		}
		var heads map[uuid.UUID]db.DAVHead
		var objs map[uuid.UUID]davObject
		var gone map[uuid.UUID]string
		err := s.store.TxRetry(ctx, func(tx *db.Tx) error {
			heads, objs = map[uuid.UUID]db.DAVHead{}, map[uuid.UUID]davObject{}
			if withData {
				os, err := c.byIDs(ctx, tx, ids)
				if err != nil {
					return err
				}
				for _, o := range os {
					objs[o.id] = o
				}
			} else {
				hs, err := c.headsByIDs(ctx, tx, ids)
				if err != nil {
					return err
				}
				for _, h := range hs {
					heads[h.ID] = h
				}
			}
			var missing []uuid.UUID
			for _, id := range ids {
				if _, ok := heads[id]; !ok {
					if _, ok := objs[id]; !ok {
						missing = append(missing, id)
					}
				}
			}
			var err error
			gone, err = tx.DAVTombstones(ctx, c.name(), missing)
			return err
		})
		if err != nil {
			return last, s.failStream(ms, err)
		}
		for i, id := range ids {
			var resp string
			if h, ok := heads[id]; ok {
				resp = responseXML(objectHref(a, c, h.Name), req, objectProps(c, c.etag(h, loc), h.UpdatedAt, nil), allPropObject)
			} else if o, ok := objs[id]; ok {
				resp = responseXML(objectHref(a, c, o.name), req, objectProps(c, o.etag, o.mod, calendarDataValue(o)), allPropObject)
			} else if name, ok := gone[id]; ok {
				resp = statusResponseXML(objectHref(a, c, name), http.StatusNotFound)
			} else {
				last = page[i].seq
				continue
			}
			if !ms.add(resp) {
				return last, false
			}
			last = page[i].seq
		}
	}
	return last, true
}
