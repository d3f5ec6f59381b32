package http

import (
	"crypto/rand"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// App passwords.

// appPasswordAlphabet is lower-case Crockford base32: easy to read and to
// type on a phone; 24 characters carry 120 random bits.
const (
	appPasswordAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	appPasswordLen      = 24
)

// newAppPassword returns a fresh secret shown as xxxx-xxxx-xxxx-xxxx-xxxx-xxxx.
func newAppPassword() string {
	b := make([]byte, appPasswordLen)
	_, _ = rand.Read(b)
	var out strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(appPasswordAlphabet[int(c)%len(appPasswordAlphabet)])
	}
	return out.String()
}

// normalizeAppPassword returns the secret of an app password as typed
// (dashes, spaces and case do not matter) and whether p looks like one.
func normalizeAppPassword(p string) (string, bool) {
	s := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(p))
	if len(s) != appPasswordLen {
		return "", false
	}
	for _, c := range s {
		if !strings.ContainsRune(appPasswordAlphabet, c) {
			return "", false
		}
	}
	return s, true
}

type appPasswordJSON struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Password   string     `json:"password,omitempty"` // only in the answer to POST
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func toAppPasswordJSON(p dbsqlc.DavAppPassword) appPasswordJSON {
	return appPasswordJSON{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt.UTC(), LastUsedAt: p.LastUsedAt}
}

func (s *Server) handleAppPasswordCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if err := validateText("name", req.Name, 1, 100); err != nil {
		s.Error(w, r, err)
		return
	}
	secret := newAppPassword()
	norm, _ := normalizeAppPassword(secret)
	p, err := s.store.Q.DAVAppPasswordInsert(r.Context(), s.store.Pool, dbsqlc.DAVAppPasswordInsertParams{
		UserID: AuthFrom(r.Context()).UserID, Name: req.Name, SecretHash: hashToken(norm),
	})
	if err != nil {
		s.Error(w, r, db.Err(err, "app password"))
		return
	}
	out := toAppPasswordJSON(p)
	out.Password = secret
	WriteJSON(w, http.StatusCreated, out)
}

func (s *Server) handleAppPasswordList(w http.ResponseWriter, r *http.Request) {
	ps, err := s.store.Q.DAVAppPasswordList(r.Context(), s.store.Pool, AuthFrom(r.Context()).UserID)
	if err != nil {
		s.Error(w, r, db.Err(err, ""))
		return
	}
	out := make([]appPasswordJSON, len(ps))
	for i, p := range ps {
		out[i] = toAppPasswordJSON(p)
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) handleAppPasswordDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "app password")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := s.store.Q.DAVAppPasswordDelete(r.Context(), s.store.Pool, dbsqlc.DAVAppPasswordDeleteParams{ID: id, UserID: AuthFrom(r.Context()).UserID})
	if err != nil {
		s.Error(w, r, db.Err(err, ""))
		return
	}
	if n == 0 {
		s.Error(w, r, familyhub.NotFound("app password"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Calendar subscriptions.

type subscriptionJSON struct {
	ID             uuid.UUID  `json:"id"`
	Name           string     `json:"name"`
	URL            string     `json:"url"`
	Username       string     `json:"username"`
	HasPassword    bool       `json:"has_password"`
	Kind           *string    `json:"kind"`
	LastSyncedAt   *time.Time `json:"last_synced_at"`
	LastError      *string    `json:"last_error"`
	LastErrorAt    *time.Time `json:"last_error_at"`
	NextAttemptAt  time.Time  `json:"next_attempt_at"`
	CreatedBy      *uuid.UUID `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	FailedAttempts int32      `json:"failed_attempts"`
}

func toSubscriptionJSON(c dbsqlc.CalendarSubscription) subscriptionJSON {
	return subscriptionJSON{
		ID: c.ID, Name: c.Name, URL: c.Url, Username: c.Username, HasPassword: c.PasswordEnc != nil, Kind: c.Kind,
		LastSyncedAt: c.LastSyncedAt, LastError: c.LastError, LastErrorAt: c.LastErrorAt, NextAttemptAt: c.NextAttemptAt,
		CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, FailedAttempts: c.Failures,
	}
}

// NormalizeSubscriptionURL checks a subscription URL: http or https (webcal
// and webcals are read as http and https), with a host, no fragment, at
// most 2048 bytes. Credentials go in username/password, not the URL.
func NormalizeSubscriptionURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 {
		return "", familyhub.Invalid("url", "url is not a valid URL (at most 2048 characters).")
	}
	switch strings.ToLower(u.Scheme) {
	case "webcal":
		u.Scheme = "http"
	case "webcals":
		u.Scheme = "https"
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	default:
		return "", familyhub.Invalid("url", "url must start with https:// (or http://, webcal://).")
	}
	if u.Host == "" {
		return "", familyhub.Invalid("url", "url has no host.")
	}
	if u.User != nil {
		return "", familyhub.Invalid("url", "Give the user name and password in username and password, not in the URL.")
	}
	u.Fragment = ""
	return u.String(), nil
}

// PublicAddr reports whether ip is a public unicast address, one that a
// calendar subscription may reach without AllowPrivateSubscriptions: not
// loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with cloud
// metadata, fe80::/10), shared (100.64/10), unspecified or multicast.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!sharedAddressSpace.Contains(ip)
}

var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// checkSubscriptionHost refuses a subscription URL whose host is, by name
// or literally, a non-public address. Other names are checked again when
// the import connects (the address a name resolves to can change).
func (s *Server) checkSubscriptionHost(raw string) error {
	if s.cfg.DAV.AllowPrivateSubscriptions {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return familyhub.Invalid("url", "url is not a valid URL.")
	}
	host := strings.ToLower(u.Hostname())
	ip, err := netip.ParseAddr(host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || (err == nil && !PublicAddr(ip)) {
		return familyhub.Invalid("url", "url points at a local or private address, which subscriptions may not reach unless the server allows it (FAMILYHUB_SUBSCRIPTIONS_ALLOW_PRIVATE).")
	}
	return nil
}

type subscriptionCreateRequest struct {
	URL      string `json:"url"`
	Name     string `json:"name"`
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) handleSubscriptionCreate(w http.ResponseWriter, r *http.Request) {
	var req subscriptionCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	u, err := NormalizeSubscriptionURL(req.URL)
	if err == nil {
		err = s.checkSubscriptionHost(u)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if err := validateText("name", req.Name, 1, 200); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := validateText("username", req.Username, 0, 256); err != nil {
		s.Error(w, r, err)
		return
	}
	if len(req.Password) > maxPasswordBytes {
		s.Error(w, r, familyhub.Invalid("password", "password must be at most %d bytes.", maxPasswordBytes))
		return
	}
	a := AuthFrom(r.Context())
	id := uuid.New()
	var sealed []byte
	if req.Password != "" {
		key := s.cfg.DAV.Key()
		if key == nil {
			s.Error(w, r, familyhub.Invalid("password", "This server cannot store calendar passwords: its operator has not set FAMILYHUB_SECRET_KEY. Subscribe without a password, or ask them to set it."))
			return
		}
		if sealed, err = SealSecret(key, []byte(req.Password), id[:]); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	var sub dbsqlc.CalendarSubscription
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		sub, err = s.store.Q.CalendarSubscriptionInsert(r.Context(), tx, dbsqlc.CalendarSubscriptionInsertParams{
			ID: id, FamilyID: a.FamilyID, Name: req.Name, Url: u, Username: req.Username, PasswordEnc: sealed, CreatedBy: &a.UserID,
		})
		return db.Err(err, "subscription")
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, toSubscriptionJSON(sub))
}

func (s *Server) handleSubscriptionList(w http.ResponseWriter, r *http.Request) {
	subs, err := s.store.Q.CalendarSubscriptionList(r.Context(), s.store.Pool, AuthFrom(r.Context()).FamilyID)
	if err != nil {
		s.Error(w, r, db.Err(err, ""))
		return
	}
	out := make([]subscriptionJSON, len(subs))
	for i, c := range subs {
		out[i] = toSubscriptionJSON(c)
	}
	WriteJSON(w, http.StatusOK, out)
}

// handleSubscriptionDelete ends a subscription and deletes its imported
// events (each announced as CALENDAR_EVENT_UPDATED by the trigger).
func (s *Server) handleSubscriptionDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "subscription")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		family := AuthFrom(r.Context()).FamilyID
		if _, err := s.store.Q.CalendarSubscriptionEventsDelete(r.Context(), tx, dbsqlc.CalendarSubscriptionEventsDeleteParams{SubscriptionID: &id, FamilyID: family}); err != nil {
			return err
		}
		n, err := s.store.Q.CalendarSubscriptionDelete(r.Context(), tx, dbsqlc.CalendarSubscriptionDeleteParams{ID: id, FamilyID: family})
		if err != nil {
			return err
		}
		if n == 0 {
			return familyhub.NotFound("subscription")
		}
		return nil
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
