package ical

// The import's outbound HTTP: the client it reaches subscribed calendars
// with (timeouts, redirects, credentials for the subscription's origin
// only, bodies cut at importMaxBody, public addresses only), and its
// errors in words for the family.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// newImportClient returns a client with timeouts, a bounded number of
// redirects, bodies cut at importMaxBody, and Basic credentials when the
// subscription has some, sent only to the origin (scheme, host and port)
// of its URL subURL: never after a redirect to another host or from https
// to http. Unless allowPrivate, it refuses to reach a non-public
// address: the check is on the address actually dialled, after DNS and
// after every redirect, so neither can lead it inside; through a proxy
// (HTTPS_PROXY), on the target's resolved addresses before each request
// (ical/outbound.go).
func newImportClient(subURL, username, password string, withAuth, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	dial, proxy := dialer.DialContext, http.ProxyFromEnvironment
	if !allowPrivate {
		dial, proxy = PublicOnly(dialer, proxy)
	}
	base := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dial,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: importTimeout,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Timeout:   importTimeout,
		Transport: &importTransport{base: base, username: username, password: password, auth: withAuth, origin: originOf(subURL)},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
}

type importTransport struct {
	base               http.RoundTripper
	username, password string
	auth               bool
	origin             string // where the credentials may go
}

func (t *importTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", "FamilyHub calendar import")
	req.Header.Del("Authorization")
	if t.auth && t.origin != "" && originOf(req.URL.String()) == t.origin {
		req.SetBasicAuth(t.username, t.password)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: importMaxBody}
	return resp, nil
}

// originOf returns the origin of a URL as scheme://host:port, with the
// default port spelled out, or "" when it has none.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// errTooLarge is what reading a body beyond importMaxBody gives.
var errTooLarge = &importError{msg: fmt.Sprintf("The calendar is larger than %d MiB.", importMaxBody>>20)}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One more byte tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// importError carries a message for the family next to the cause.
type importError struct {
	msg string
	err error
}

func (e *importError) Error() string {
	if e.err != nil {
		return e.msg + " (" + e.err.Error() + ")"
	}
	return e.msg
}
func (e *importError) Unwrap() error { return e.err }

type httpStatusError struct{ code int }

func (e *httpStatusError) Error() string { return fmt.Sprintf("HTTP %d", e.code) }

// isTransportError reports whether err is about reaching the server, not
// about one object.
func isTransportError(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, errTooLarge) || errors.Is(err, context.DeadlineExceeded)
}

// readableImportError says what went wrong in words for the family,
// without the address asked for: a failed request's error (*url.Error)
// names its URL, which can hold the calendar's secret token, and
// last_error is shown to every member, children included.
func readableImportError(err error) string {
	return hideAddress(err, importErrorText(err))
}

// hideAddress returns msg, a text about err, without the address err's
// failed request (*url.Error) names.
func hideAddress(err error, msg string) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		msg = strings.ReplaceAll(msg, ue.URL, "(the calendar's address)")
	}
	return msg
}

// withoutAddress is err with a text that does not name the calendar's
// address (hideAddress): ImportSubscription's error is logged, and kept
// by River with the job, and the address can hold the calendar's secret.
// errors.Is and errors.As still see the cause.
type withoutAddress struct{ err error }

func (e withoutAddress) Error() string { return hideAddress(e.err, e.err.Error()) }
func (e withoutAddress) Unwrap() error { return e.err }

func importErrorText(err error) string {
	var ie *importError
	var he *httpStatusError
	var ne net.Error
	var oe *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return "The calendar's address is local or private, which subscriptions may not reach unless the server allows it (FAMILYHUB_SUBSCRIPTIONS_ALLOW_PRIVATE)."
	case errors.As(err, &ie):
		return ie.msg
	case errors.As(err, &he) && (he.code == http.StatusUnauthorized || he.code == http.StatusForbidden):
		return fmt.Sprintf("The calendar server refused the credentials (HTTP %d); check the username and password.", he.code)
	case errors.As(err, &he) && (he.code == http.StatusNotFound || he.code == http.StatusGone):
		return fmt.Sprintf("There is no calendar at this URL (HTTP %d).", he.code)
	case errors.As(err, &he):
		return fmt.Sprintf("The calendar server answered HTTP %d %s.", he.code, http.StatusText(he.code))
	case strings.Contains(err.Error(), "401 Unauthorized") || strings.Contains(err.Error(), "403 Forbidden"):
		return "The calendar server refused the credentials; check the username and password."
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("The calendar server's name %q could not be resolved.", dnsErr.Name)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("The calendar server did not answer within %s.", importTimeout)
	case errors.As(err, &oe):
		return fmt.Sprintf("The calendar server could not be reached: %v.", oe.Err)
	case errors.Is(err, db.ErrOtherChange):
		// Its own words say "nothing was done", which is not so here: the
		// events of this sync written before it committed one by one.
		return "The sync was interrupted by another change; it runs again at the next sync."
	case familyhub.ErrorCode(err) != familyhub.EINTERNAL:
		return familyhub.ErrorMessage(err)
	}
	return fmt.Sprintf("The sync failed: %v.", err)
}
