package ical

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// The XML of PROPFIND, PROPPATCH and REPORT (RFC 4918, 4791, 6578): request
// bodies in, multistatus answers out, streamed one response at a time
// within a byte budget.

const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
	nsApple  = "http://apple.com/ns/ical/"
)

// Bounds of one multistatus answer (issue 19: one small REPORT must not
// make the server build gigabytes).
var (
	// maxAnswerBytes is the most one PROPFIND or REPORT answer carries;
	// an answer that would grow beyond ends with a 507 for the request-URI
	// (RFC 6578 3.6's truncation), the client asks again for the rest.
	maxAnswerBytes int64 = 64 << 20
	// maxMultigetHrefs is the most distinct hrefs one calendar-multiget
	// may name (duplicates count once); more is 413.
	maxMultigetHrefs = 1000
	// davPageSize is how many objects are loaded at a time.
	davPageSize = 50
)

// prefixes of the namespaces the answers use.
var nsPrefix = map[string]string{nsDAV: "d", nsCalDAV: "c", nsCS: "cs", nsApple: "a"}

// propName is an XML element name of a property.
type propName = xml.Name

var (
	pResourceType      = propName{Space: nsDAV, Local: "resourcetype"}
	pDisplayName       = propName{Space: nsDAV, Local: "displayname"}
	pGetETag           = propName{Space: nsDAV, Local: "getetag"}
	pGetContentType    = propName{Space: nsDAV, Local: "getcontenttype"}
	pGetLastModified   = propName{Space: nsDAV, Local: "getlastmodified"}
	pCurrentPrincipal  = propName{Space: nsDAV, Local: "current-user-principal"}
	pPrincipalURL      = propName{Space: nsDAV, Local: "principal-URL"}
	pOwner             = propName{Space: nsDAV, Local: "owner"}
	pPrivileges        = propName{Space: nsDAV, Local: "current-user-privilege-set"}
	pSupportedReports  = propName{Space: nsDAV, Local: "supported-report-set"}
	pSyncToken         = propName{Space: nsDAV, Local: "sync-token"}
	pCalendarHome      = propName{Space: nsCalDAV, Local: "calendar-home-set"}
	pCalendarData      = propName{Space: nsCalDAV, Local: "calendar-data"}
	pCalendarDesc      = propName{Space: nsCalDAV, Local: "calendar-description"}
	pSupportedComps    = propName{Space: nsCalDAV, Local: "supported-calendar-component-set"}
	pSupportedData     = propName{Space: nsCalDAV, Local: "supported-calendar-data"}
	pMaxResourceSize   = propName{Space: nsCalDAV, Local: "max-resource-size"}
	pCalendarTimezone  = propName{Space: nsCalDAV, Local: "calendar-timezone"}
	pCalendarUserAddrs = propName{Space: nsCalDAV, Local: "calendar-user-address-set"}
	pGetCTag           = propName{Space: nsCS, Local: "getctag"}
	pPrincipalCollSet  = propName{Space: nsDAV, Local: "principal-collection-set"}
)

// propRequest is the prop/allprop/propname part of a PROPFIND or REPORT.
type propRequest struct {
	AllProp  *struct{} `xml:"DAV: allprop"`
	PropName *struct{} `xml:"DAV: propname"`
	Prop     *anyProps `xml:"DAV: prop"`
	Include  *anyProps `xml:"DAV: include"`
	XMLName  xml.Name
	Filter   *filterXML `xml:"urn:ietf:params:xml:ns:caldav filter"`
	Hrefs    []string   `xml:"DAV: href"`
	// sync-collection (RFC 6578)
	SyncToken *string `xml:"DAV: sync-token"`
	SyncLevel string  `xml:"DAV: sync-level"`
	Limit     *struct {
		NResults string `xml:"DAV: nresults"`
	} `xml:"DAV: limit"`
}

type anyProps struct {
	Names []anyElem `xml:",any"`
}

type anyElem struct {
	XMLName xml.Name
	Inner   []byte `xml:",innerxml"`
}

// names returns the requested property names (nil for allprop/propname).
func (r *propRequest) names() []propName {
	if r.Prop == nil {
		return nil
	}
	out := make([]propName, len(r.Prop.Names))
	for i, n := range r.Prop.Names {
		out[i] = n.XMLName
	}
	return out
}

// wants reports whether the request names property n.
func (r *propRequest) wants(n propName) bool {
	for _, m := range r.names() {
		if m == n {
			return true
		}
	}
	return false
}

// decodeXMLBody decodes the request body into v; an empty body (only
// white space) reports empty. Malformed XML is 400; a body over the limit
// the HTTP layer set is 413.
func decodeXMLBody(r *http.Request, v any) (empty bool, err error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return false, davStatusError(http.StatusRequestEntityTooLarge, "The request body is larger than %d bytes.", mbe.Limit)
		}
		return false, davStatusError(http.StatusBadRequest, "The request body could not be read: %s", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return true, nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if t, _, _ := mime.ParseMediaType(ct); t != "application/xml" && t != "text/xml" {
			return false, davStatusError(http.StatusUnsupportedMediaType, "The body must be application/xml, not %s.", t)
		}
	}
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(v); err != nil {
		return false, davStatusError(http.StatusBadRequest, "The body is not valid XML: %v.", err)
	}
	return false, nil
}

// depth parses the Depth header; absent means infinity (RFC 4918 9.1).
func depth(r *http.Request, def int) (int, error) {
	switch r.Header.Get("Depth") {
	case "":
		return def, nil
	case "0":
		return 0, nil
	case "1":
		return 1, nil
	case "infinity":
		return depthInfinity, nil
	}
	return 0, davStatusError(http.StatusBadRequest, "Depth must be 0, 1 or infinity.")
}

const depthInfinity = 1 << 10

// xmlText escapes s for XML character data.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// element renders <n>inner</n> (or <n/>) with the namespace prefixes of
// the multistatus root, or an own declaration for other namespaces.
func element(n propName, inner string) string {
	tag, decl := n.Local, ""
	if p, ok := nsPrefix[n.Space]; ok {
		tag = p + ":" + n.Local
	} else if n.Space != "" {
		tag, decl = "x:"+n.Local, ` xmlns:x="`+xmlText(n.Space)+`"`
	}
	if inner == "" {
		return "<" + tag + decl + "/>"
	}
	return "<" + tag + decl + ">" + inner + "</" + tag + ">"
}

func hrefXML(href string) string { return "<d:href>" + xmlText(href) + "</d:href>" }

func statusLine(code int) string {
	return "HTTP/1.1 " + strconv.Itoa(code) + " " + http.StatusText(code)
}

// propValue is a property's value: inner XML, or found false.
type propValue struct {
	inner string
	found bool
}

// props is what a resource can answer: a function per property, so that
// only asked-for properties are computed.
type props map[propName]func() propValue

func val(inner string) propValue { return propValue{inner: inner, found: true} }

// responseXML renders one DAV:response for href: the properties req asks
// for (allprop: those in allProp; propname: every name), found ones under
// 200, the others under 404.
func responseXML(href string, req *propRequest, ps props, allProp []propName) string {
	var ok, missing strings.Builder
	switch {
	case req.PropName != nil:
		for n := range ps {
			ok.WriteString(element(n, ""))
		}
	case req.Prop == nil: // allprop (or an empty body)
		names := allProp
		if req.Include != nil {
			for _, n := range req.Include.Names {
				names = append(names, n.XMLName)
			}
		}
		for _, n := range names {
			if f := ps[n]; f != nil {
				if v := f(); v.found {
					ok.WriteString(element(n, v.inner))
				}
			}
		}
	default:
		for _, n := range req.names() {
			f := ps[n]
			if f == nil {
				missing.WriteString(element(n, ""))
				continue
			}
			if v := f(); v.found {
				ok.WriteString(element(n, v.inner))
			} else {
				missing.WriteString(element(n, ""))
			}
		}
	}
	var b strings.Builder
	b.WriteString("<d:response>")
	b.WriteString(hrefXML(href))
	if ok.Len() > 0 || missing.Len() == 0 {
		b.WriteString("<d:propstat><d:prop>" + ok.String() + "</d:prop><d:status>" + statusLine(http.StatusOK) + "</d:status></d:propstat>")
	}
	if missing.Len() > 0 {
		b.WriteString("<d:propstat><d:prop>" + missing.String() + "</d:prop><d:status>" + statusLine(http.StatusNotFound) + "</d:status></d:propstat>")
	}
	b.WriteString("</d:response>")
	return b.String()
}

// statusResponseXML renders a DAV:response with a status and no properties.
func statusResponseXML(href string, code int) string {
	return "<d:response>" + hrefXML(href) + "<d:status>" + statusLine(code) + "</d:status></d:response>"
}

// multistatus streams a 207 answer: responses are written as they come,
// and when the next one would take the answer over maxAnswerBytes the
// answer ends with a 507 response for the request-URI instead (RFC 6578
// 3.6; RFC 4918 clients read it as "incomplete").
type multistatus struct {
	w         http.ResponseWriter
	href      string // the request-URI, for the truncation response
	written   int64
	started   bool
	truncated bool
}

func newMultistatus(w http.ResponseWriter, href string) *multistatus {
	return &multistatus{w: w, href: href}
}

func (m *multistatus) start() {
	if m.started {
		return
	}
	m.started = true
	m.w.Header().Set("Content-Type", `application/xml; charset="utf-8"`)
	m.w.WriteHeader(http.StatusMultiStatus)
	m.write(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<d:multistatus xmlns:d="DAV:" xmlns:c="` + nsCalDAV +
		`" xmlns:cs="` + nsCS + `" xmlns:a="` + nsApple + `">`)
}

func (m *multistatus) write(s string) {
	n, _ := io.WriteString(m.w, s)
	m.written += int64(n)
}

// add writes one response; it reports false when the answer is full (and
// from then on writes nothing more).
func (m *multistatus) add(resp string) bool {
	m.start()
	if m.truncated {
		return false
	}
	if m.written+int64(len(resp)) > maxAnswerBytes {
		m.truncated = true
		m.write(statusResponseXML(m.href, http.StatusInsufficientStorage))
		return false
	}
	m.write(resp)
	return true
}

// end closes the answer; tail (e.g. a DAV:sync-token) comes last.
func (m *multistatus) end(tail string) {
	m.start()
	m.write(tail + "</d:multistatus>")
}
