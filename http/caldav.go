package http

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/familyhub/familyhub/ical"
	"github.com/go-chi/chi/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/db"
)

// WebDAV's methods must be known to chi before any route is added, or chi
// answers them with 405.
func init() {
	for _, m := range []string{"PROPFIND", "PROPPATCH", "REPORT", "MKCOL", "MKCALENDAR", "COPY", "MOVE", "LOCK", "UNLOCK"} {
		chi.RegisterMethod(m)
	}
}

// davRealm is the Basic auth realm calendar apps show.
const davRealm = `Basic realm="FamilyHub", charset="UTF-8"`

// mountDAV adds the CalDAV server (/dav/, /.well-known/caldav) to the root router.
func (s *Server) mountDAV(r chi.Router) {
	h := ical.NewHandler(s.store, s.logger.With("component", "caldav"), ErrorStatus, davMessage)
	dav := s.crossOriginProtection()(s.davAuth(h))
	r.Handle(ical.Prefix, dav)
	r.Handle(ical.Prefix+"/*", dav)
	// RFC 6764: clients that are given only the host name look here.
	r.Handle("/.well-known/caldav", http.RedirectHandler(ical.Prefix+"/", http.StatusMovedPermanently))
	// Read-only feeds: the secret in the URL is the credential. Their
	// errors speak the request's language as CalDAV's do.
	feeds := ical.NewFeedHandler(s.store, s.logger.With("component", "ical.feed"), davMessage)
	r.Get(ical.FeedPrefix+"{token}", feeds.ServeHTTP)
	r.Head(ical.FeedPrefix+"{token}", feeds.ServeHTTP)
}

// mountDAVAPI adds the CalDAV management endpoints to the authenticated API router.
func (s *Server) mountDAVAPI(r chi.Router) {
	r.Post("/dav/app-passwords", s.handleAppPasswordCreate)
	r.Get("/dav/app-passwords", s.handleAppPasswordList)
	r.Delete("/dav/app-passwords/{id}", s.deleteHandler("app password", (*db.Tx).AppPasswordDelete))
	r.Post("/calendar/subscriptions", s.handleSubscriptionCreate)
	r.Get("/calendar/subscriptions", s.handleSubscriptionList)
	// Deleting a subscription deletes its imported events (each with its event).
	r.Delete("/calendar/subscriptions/{id}", s.deleteHandler("subscription", (*db.Tx).SubscriptionDelete))
	r.Post("/calendar/feeds", s.handleFeedCreate)
	r.Get("/calendar/feeds", s.handleFeedList)
	// Revoking keeps the row: the URL then answers 410 Gone.
	r.Delete("/calendar/feeds/{id}", s.deleteHandler("feed", (*db.Tx).ICalFeedRevoke))
}

// Authentication.

// davAuth authenticates CalDAV requests with HTTP Basic: the account's
// email with its password or one of its app passwords. Failures count
// towards the same limits as failed logins (auth_failures).
func (s *Server) davAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok {
			davUnauthorized(w, r, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in with your FamilyHub email and password or an app password."))
			return
		}
		a, err := s.davAuthenticate(r, user, pass)
		switch code := familyhub.ErrorCode(err); {
		case err == nil:
		case code == familyhub.EUNAUTHORIZED:
			davUnauthorized(w, r, err)
			return
		case code == familyhub.ERATELIMITED:
			w.Header().Set("Retry-After", strconv.Itoa(int(db.LoginWindow.Seconds())))
			davFail(w, r, http.StatusTooManyRequests, err)
			return
		default:
			s.logger.Error("caldav authentication failed", "err", err)
			davFail(w, r, http.StatusServiceUnavailable, familyhub.Errorf(familyhub.EUNAVAILABLE, "The server could not check the credentials; try again."))
			return
		}
		ctx := familyhub.NewContextWithAuth(r.Context(), a)
		ctx = ical.WithIfMatch(ctx, r.Header.Get("If-Match"))
		r = r.WithContext(ctx)
		if r.Method == http.MethodPut {
			// Check the body before the library decodes it: a readable
			// 4xx instead of its panic on some malformed lines.
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, familyhub.MaxICalBytes))
			if err != nil {
				davFail(w, r, http.StatusRequestEntityTooLarge, familyhub.Errorf(familyhub.ETOOLARGE, "The body is over %d KiB or could not be read.", familyhub.MaxICalBytes>>10))
				return
			}
			if _, err := ical.DecodeICalBytes(body); err != nil {
				davFail(w, r, http.StatusBadRequest, err)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		} else if r.Body != nil {
			// Every other body too: the library decodes MKCOL's XML (a
			// display name of any length) as well as PROPFIND's,
			// PROPPATCH's and REPORT's.
			r.Body = http.MaxBytesReader(w, r.Body, familyhub.MaxICalBytes)
		}
		next.ServeHTTP(w, r)
	})
}

func davUnauthorized(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("WWW-Authenticate", davRealm)
	davFail(w, r, http.StatusUnauthorized, err)
}

// davFail answers a CalDAV request with status and err as text, in the
// request's language (davMessage).
func davFail(w http.ResponseWriter, r *http.Request, status int, err error) {
	msg, lang := davMessage(r, err)
	w.Header().Set("Content-Language", lang)
	http.Error(w, msg, status)
}

// davMessage says a CalDAV error in the language the request's
// Accept-Language prefers, German or English (as every error answer: the
// catalogue of errors_de.go), and names the language it is in. Calendar
// apps show an error's text to people (a refused change, a wrong
// password), and they send the device's languages.
func davMessage(r *http.Request, err error) (msg, lang string) {
	return errorMessage(err, assistant.AcceptLanguage(r.Header.Get("Accept-Language")))
}

// davAuthenticate checks Basic credentials (the account's password or one
// of its app passwords: the one credential check login uses too) and
// returns the caller, without a session. Wrong credentials are
// EUNAUTHORIZED, too many recent failures ERATELIMITED.
func (s *Server) davAuthenticate(r *http.Request, user, pass string) (*familyhub.Auth, error) {
	u, err := s.store.CheckCredentials(r.Context(), user, pass, s.clientAddr(r), db.CredentialOpts{AppPasswords: true, Cache: true})
	if err != nil {
		return nil, err
	}
	m, err := s.store.MembershipGet(r.Context(), u.ID)
	if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
		return nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "This account belongs to no family.")
	} else if err != nil {
		return nil, err
	}
	return &familyhub.Auth{UserID: u.ID, FamilyID: m.FamilyID, Role: m.Role, DeviceID: ical.DeviceID}, nil
}
