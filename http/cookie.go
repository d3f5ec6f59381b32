package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// The session cookie's names. Over HTTPS it is SessionCookieHost: a
// browser keeps a __Host- cookie only when it is Secure, set by an HTTPS
// answer, for Path=/ and without Domain, so neither a sibling subdomain
// (a cookie for Domain=example.org) nor a plain-http answer on the way
// (a café's network) can plant or overwrite it. Over plain HTTP (a home
// network without TLS: http://192.168.1.5:8080) browsers refuse a __Host-
// cookie, and it is SessionCookie, as before.
const (
	SessionCookie     = "familyhub_session"
	SessionCookieHost = "__Host-" + SessionCookie
)

// cookieSecure reports whether the session cookie goes out Secure, and so
// under SessionCookieHost: the request is HTTPS to the app (isHTTPS) or
// FAMILYHUB_SECURE_COOKIES says every cookie is.
func (s *Server) cookieSecure(r *http.Request) bool {
	return s.cfg.SecureCookies || s.isHTTPS(r)
}

// issuedAs is how a session made for r is handed out (sessions.issued_as):
// in the answer's body, or as the cookie setSessionCookie sets.
func (s *Server) issuedAs(r *http.Request, inBody bool) string {
	switch {
	case inBody:
		return db.IssuedNone
	case s.cookieSecure(r):
		return db.IssuedHost
	}
	return db.IssuedPlain
}

// refuseOldCookie answers a request whose cookie of the old name came over
// HTTPS for a session that is not legacy (authenticateToken refused it):
// the cookie is cleared, when the browser's is host-only (a plain-http
// answer's; one planted for Domain=example.org this answer cannot clear,
// and it stays refused), and the refusal logged with the session's
// member: a planted cookie is the planter's session. So is a proxy that
// says https for some requests and not others (a proxy missing from
// FAMILYHUB_TRUSTED_PROXIES): its members are signed out over and over.
// REST, /ws and /sse alike (authenticate, admit).
//
// The log line is rate-limited per member whose sessions are refused
// (oldCookieLog): a cookie planted for the parent domain comes back with
// every request of the victim's browser, and logged each time it would
// fill the log. Per member, not per session: a planter may make as many
// sessions as sign-ins let them, and per session each new one logged
// again and, past logThrottleMax, pushed every other session's entry
// out. The line names the session refused at that moment. The path is
// logPath's, as every other line about a request shows it.
func (s *Server) refuseOldCookie(w http.ResponseWriter, r *http.Request, planted *familyhub.Auth) {
	clearOldName(w)
	logIt, attrs := s.oldCookieLog.note(planted.UserID, time.Now())
	if !logIt {
		return
	}
	args := append([]any{"user_id", planted.UserID, "session_id", planted.SessionID, "client_addr", s.clientAddr(r), "path", logPath(r)}, attrs...)
	s.logger.Warn("session cookie of the old name refused over HTTPS: not a session from before the __Host- name (planted, or a proxy that does not always say https)", args...)
}

func cookieName(secure bool) string {
	if secure {
		return SessionCookieHost
	}
	return SessionCookie
}

// sessionCookie returns the request's session cookie, nil without one:
// the __Host- one when the request carries it, else the one of the old
// name. A browser signed in before the cookie had its __Host- name sends
// the old one until an answer moves it (moveCookie); over HTTPS a cookie
// of the old name may be someone else's (planted by a sibling subdomain,
// Domain=example.org), so it never wins over a __Host- one, and over
// HTTPS the old name sent twice counts as none: the app only ever set one
// (host-only, Path=/), so one of them is planted, and the planted one may
// come first (a longer Path puts it there). Counted, it signed the member
// into the planter's account and was moved into the __Host- name. Over
// plain HTTP nothing tells a planted cookie, and the first one counts, as
// it always did (refusing both there would keep the member from signing
// in at all while the planted one lasts).
//
// A lone old-name cookie over HTTPS may be planted too, and then looks
// like a member's from before the upgrade. Each session records how its
// token was handed out (sessions.issued_as), and over HTTPS the old name
// lets in only a legacy session, made before the __Host- name
// (authenticateToken): any other is refused as no session, and its
// cookie cleared (refuseOldCookie). So the members signed in before the
// upgrade are moved, and one session lifetime after it (a refresh makes
// a new, not legacy session) the old name lets nobody in over HTTPS. A
// session made over plain HTTP afterwards is not legacy either: whoever
// reaches the app over plain HTTP (its port on the home network, a name
// served over both schemes) could make one for their own account and
// plant it. Its member signs in again over HTTPS, once.
func (s *Server) sessionCookie(r *http.Request) *http.Cookie {
	if c, err := r.Cookie(SessionCookieHost); err == nil {
		return c
	}
	old := r.CookiesNamed(SessionCookie)
	if len(old) == 0 || (len(old) > 1 && s.cookieSecure(r)) {
		return nil
	}
	return old[0]
}

// hasSessionCookie reports whether the request carries a session cookie
// of either name, valid or not (the Host check: hostChecked).
func hasSessionCookie(r *http.Request) bool {
	for _, c := range r.Cookies() {
		if c.Name == SessionCookieHost || c.Name == SessionCookie {
			return true
		}
	}
	return false
}

// setSessionCookie hands the session token to a browser, for maxAge
// (until expires), under the name cookieSecure says; over HTTPS a cookie
// of the old name that the request carried is expired with it, so it
// cannot come back once this session ends.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge time.Duration, expires time.Time) {
	dropSessionCookies(w.Header())
	secure := s.cookieSecure(r)
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(secure), Value: token, Path: "/", Expires: expires,
		MaxAge: max(int(maxAge/time.Second), 1), HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
	if _, err := r.Cookie(SessionCookie); err == nil && secure {
		clearOldName(w)
	}
}

// clearOldName expires the cookie of the old name over HTTPS, with the
// attributes the app set it with (host-only, Path=/, HttpOnly, Secure,
// SameSite=Lax): Max-Age=0. One planted for the parent domain
// (Domain=example.org) it cannot clear; that one never counts beside a
// __Host- cookie, and alone over HTTPS only for a legacy session.
func clearOldName(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// dropOldCookie clears the cookie of the old name that an HTTPS request
// carries beside a __Host- one, whatever the request (authenticate: every
// API request, signed in or not). The __Host- one counts (sessionCookie),
// so the old one is planted (a sibling subdomain, a plain-http answer on
// the way) or left over, of no use. Before, nothing cleared it
// (moveCookie leaves a request with a __Host- cookie alone): it went with
// every request for as long as its planter chose, and was looked at again
// as soon as the __Host- one was gone. A handler that sets the session
// cookies itself (sign-in, refresh, sign-out) replaces this with its
// own, so the answer clears it once (dropSessionCookies). Over plain
// HTTP the old name is the session cookie's name, and browsers send no
// __Host- cookie there: nothing is cleared.
func (s *Server) dropOldCookie(w http.ResponseWriter, r *http.Request) {
	if !s.cookieSecure(r) {
		return
	}
	if _, err := r.Cookie(SessionCookieHost); err != nil {
		return
	}
	if _, err := r.Cookie(SessionCookie); err != nil {
		return
	}
	clearOldName(w)
}

// clearCookie signs the browser out: both names are cleared, whichever it
// holds (a browser that signed in before the __Host- name, or over both
// schemes, may hold either or both). A __Host- cookie is cleared only by
// a Secure one: over plain HTTP the browser holds none to clear, and
// ignores it.
func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request) {
	dropSessionCookies(w.Header())
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cookieSecure(r), SameSite: http.SameSiteLaxMode,
	})
	http.SetCookie(w, &http.Cookie{Name: SessionCookieHost, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// moveCookie moves a session that a browser holds under the old name to
// the __Host- one, over HTTPS: the same token, for the time it has left
// (a's end by this replica's clock), and the old name expired. So the
// upgrade signs nobody out: a browser signed in before it is moved by its
// next API request. Called for a cookie request that authenticated as a;
// a request with a __Host- cookie authenticated with that one
// (sessionCookie), and one with a bearer token has nothing to move.
func (s *Server) moveCookie(w http.ResponseWriter, r *http.Request, a *familyhub.Auth) {
	if r.Header.Get("Authorization") != "" {
		return
	}
	if _, err := r.Cookie(SessionCookieHost); err == nil {
		return
	}
	old := s.sessionCookie(r)
	if old == nil || old.Name != SessionCookie || !s.cookieSecure(r) {
		return
	}
	s.setSessionCookie(w, r, old.Value, time.Until(a.ExpiresAt), a.ExpiresAt)
}

// dropSessionCookies removes the session cookies an answer was to set
// already (moveCookie's, before the handler signs in, refreshes or signs
// out): one Set-Cookie per name, the handler's.
func dropSessionCookies(h http.Header) {
	set := h["Set-Cookie"]
	if len(set) == 0 {
		return
	}
	kept := set[:0]
	for _, c := range set {
		if !strings.HasPrefix(c, SessionCookie+"=") && !strings.HasPrefix(c, SessionCookieHost+"=") {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		h.Del("Set-Cookie")
		return
	}
	h["Set-Cookie"] = kept
}

// hsts sends Strict-Transport-Security (FAMILYHUB_HSTS_MAX_AGE) on every
// answer to a request that is HTTPS to the app (isHTTPS, as for the
// Secure cookie): a browser that saw it opens the name over HTTPS only,
// for max-age, even when a link or a typed address says http://, so a
// network on the way cannot answer in its place over plain HTTP. Never on
// a plain-HTTP answer (browsers ignore it there anyway), and without
// includeSubDomains or preload: self-hosters share their domain with
// other services, which HSTS would then force onto HTTPS too. Off with a
// max-age of 0.
func (s *Server) hsts(next http.Handler) http.Handler {
	if s.cfg.HSTSMaxAge <= 0 {
		return next
	}
	value := []string{"max-age=" + strconv.FormatInt(int64(s.cfg.HSTSMaxAge/time.Second), 10)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.isHTTPS(r) {
			w.Header()["Strict-Transport-Security"] = value
		}
		next.ServeHTTP(w, r)
	})
}
