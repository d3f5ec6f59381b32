package ical

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/emersion/go-webdav"
)

// A CalDAV collection may hold to-dos (and journals) beside its events:
// one "Personal" calendar with both is common. Only events are imported,
// so only they are listed, counted against
// familyhub.MaxImportedEventsPerSubscription and fetched.

// importEventsQuery is a calendar-query (RFC 4791 7.8) for the collection's
// events, with their ETags and no bodies.
const importEventsQuery = `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>` +
	`<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>`

// listEvents returns the href (a path, as go-webdav gives it) and ETag of
// each event object in the collection at path. A server that does not
// answer the query (anything but 207 Multi-Status) has every object
// listed instead (PROPFIND), as before, to-dos included.
func (im *importer) listEvents(ctx context.Context, path string) (map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, "REPORT", im.sub.Url, strings.NewReader(importEventsQuery))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Depth", "1")
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	resp, err := im.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		return im.listAll(ctx, path)
	}
	var ms struct {
		Responses []struct {
			Hrefs     []string `xml:"DAV: href"`
			Status    string   `xml:"DAV: status"`
			Propstats []struct {
				Status string `xml:"DAV: status"`
				ETag   string `xml:"DAV: prop>getetag"`
			} `xml:"DAV: propstat"`
		} `xml:"DAV: response"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&ms); err != nil {
		return nil, &importError{msg: "The server's calendar-query answer is not valid WebDAV XML.", err: err}
	}
	listed := map[string]string{}
	for _, r := range ms.Responses {
		if len(r.Hrefs) != 1 || !statusOK(r.Status) {
			continue
		}
		u, err := url.Parse(strings.TrimSpace(r.Hrefs[0]))
		if err != nil || strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(path, "/") {
			continue
		}
		etag := ""
		for _, ps := range r.Propstats {
			if statusOK(ps.Status) && ps.ETag != "" {
				etag = unquoteETag(ps.ETag)
			}
		}
		listed[u.Path] = etag
	}
	return listed, nil
}

// listAll returns the href and ETag of every object in the collection at
// path (PROPFIND, depth 1).
func (im *importer) listAll(ctx context.Context, path string) (map[string]string, error) {
	wc, err := webdav.NewClient(im.hc, im.sub.Url)
	if err != nil {
		return nil, err
	}
	infos, err := wc.ReadDir(ctx, path, false)
	if err != nil {
		return nil, err
	}
	listed := map[string]string{}
	for _, fi := range infos {
		if fi.IsDir || strings.TrimSuffix(fi.Path, "/") == strings.TrimSuffix(path, "/") {
			continue
		}
		listed[fi.Path] = fi.ETag
	}
	return listed, nil
}

// statusOK reports whether a multistatus status line ("HTTP/1.1 200 OK")
// is absent or a success.
func statusOK(s string) bool {
	f := strings.Fields(s)
	return len(f) < 2 || strings.HasPrefix(f[1], "2")
}

// unquoteETag is an ETag as go-webdav gives it: without its quotes.
func unquoteETag(s string) string {
	s = strings.TrimSpace(s)
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}
