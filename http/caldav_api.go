package http

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/ical"
)

// App passwords.

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
		Name      string     `json:"name"`
		CreateKey *uuid.UUID `json:"create_key"` // db.Tx.CreateKeyed
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var out appPasswordJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		return tx.CreateKeyed(r.Context(), req.CreateKey, "app-password", req.Name, func() (uuid.UUID, error) {
			p, secret, err := tx.AppPasswordCreate(r.Context(), req.Name)
			out = toAppPasswordJSON(p)
			out.Password = secret
			return p.ID, err
		})
	})
	s.respond(w, r, http.StatusCreated, out, err)
}

func (s *Server) handleAppPasswordList(w http.ResponseWriter, r *http.Request) {
	var out []appPasswordJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		ps, err := tx.AppPasswordList(r.Context())
		out = make([]appPasswordJSON, len(ps))
		for i, p := range ps {
			out[i] = toAppPasswordJSON(p)
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
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
	HoldsSecret    bool       `json:"holds_secret"`
}

func toSubscriptionJSON(c db.Subscription) subscriptionJSON {
	return subscriptionJSON{HoldsSecret: c.HoldsSecret,
		ID: c.ID, Name: c.Name, URL: c.Url, Username: c.Username, HasPassword: c.PasswordEnc != nil, Kind: c.Kind,
		LastSyncedAt: c.LastSyncedAt, LastError: c.LastError, LastErrorAt: c.LastErrorAt, NextAttemptAt: c.NextAttemptAt,
		CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, FailedAttempts: c.Failures,
	}
}

type subscriptionCreateRequest struct {
	URL       string     `json:"url"`
	Name      string     `json:"name"`
	Username  string     `json:"username"`
	Password  string     `json:"password"`
	CreateKey *uuid.UUID `json:"create_key"` // db.Tx.CreateKeyed
}

func (s *Server) handleSubscriptionCreate(w http.ResponseWriter, r *http.Request) {
	var req subscriptionCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	p := db.SubscriptionNew{ID: uuid.New(), Name: req.Name, Username: req.Username}
	var err error
	if p.URL, err = s.cfg.Calendar.CheckSubscriptionURL(req.URL); err != nil {
		s.Error(w, r, err)
		return
	}
	if p.PasswordEnc, err = s.cfg.Calendar.SealPassword(p.ID, req.Password); err != nil {
		s.Error(w, r, err)
		return
	}
	var out subscriptionJSON
	// What tells a repeat from other content: not the password.
	request := [3]string{p.URL, p.Name, p.Username}
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		return tx.CreateKeyed(r.Context(), req.CreateKey, "calendar-subscription", request, func() (uuid.UUID, error) {
			sub, err := tx.SubscriptionCreate(r.Context(), p)
			out = toSubscriptionJSON(db.Subscription{CalendarSubscription: sub, HoldsSecret: db.SubscriptionHoldsSecret(sub)})
			return sub.ID, err
		})
	})
	s.respond(w, r, http.StatusCreated, out, err)
}

func (s *Server) handleSubscriptionList(w http.ResponseWriter, r *http.Request) {
	var out []subscriptionJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		subs, err := tx.SubscriptionList(r.Context())
		out = make([]subscriptionJSON, len(subs))
		for i, c := range subs {
			out[i] = toSubscriptionJSON(c)
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

// Read-only iCalendar feeds.

type feedJSON struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"` // "family" or "member"
	MemberID   *uuid.UUID `json:"member_id"`
	URL        string     `json:"url,omitempty"`        // only in the answer to POST
	WebcalURL  string     `json:"webcal_url,omitempty"` // the same as webcal://
	CreatedBy  *uuid.UUID `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func toFeedJSON(f dbsqlc.IcalFeed) feedJSON {
	j := feedJSON{ID: f.ID, Name: f.Name, Scope: "family", MemberID: f.MemberID, CreatedBy: f.CreatedBy, CreatedAt: f.CreatedAt.UTC(), LastUsedAt: f.LastUsedAt}
	if f.MemberID != nil {
		j.Scope = "member"
	}
	return j
}

type feedCreateRequest struct {
	Name      string     `json:"name"`
	Scope     string     `json:"scope"`
	MemberID  *uuid.UUID `json:"member_id"`
	CreateKey *uuid.UUID `json:"create_key"` // db.Tx.CreateKeyed
}

// handleFeedCreate makes a feed: scope "family" (every event, every task
// with a due date) or "member" (every event, the tasks of member_id,
// the caller when absent). The URL is shown once.
func (s *Server) handleFeedCreate(w http.ResponseWriter, r *http.Request) {
	var req feedCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var member *uuid.UUID
	switch req.Scope {
	case "family":
		if req.MemberID != nil {
			s.Error(w, r, familyhub.Invalid("member_id", "A family feed has no member_id."))
			return
		}
	case "member":
		member = req.MemberID
		if member == nil {
			a := familyhub.AuthFromContext(r.Context())
			member = &a.UserID
		}
	default:
		s.Error(w, r, familyhub.Invalid("scope", "scope must be \"family\" or \"member\"."))
		return
	}
	var out feedJSON
	request := feedCreateRequest{Name: req.Name, Scope: req.Scope, MemberID: member}
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		return tx.CreateKeyed(r.Context(), req.CreateKey, "ical-feed", request, func() (uuid.UUID, error) {
			f, token, err := tx.ICalFeedCreate(r.Context(), req.Name, member)
			out = toFeedJSON(f)
			host := s.requestHost(r) // behind a proxy that rewrites Host, not the upstream's name
			scheme := "http"
			if s.isHTTPS(r) {
				scheme = "https"
			}
			path := ical.FeedPrefix + token + ".ics"
			out.URL, out.WebcalURL = scheme+"://"+host+path, "webcal://"+host+path
			return f.ID, err
		})
	})
	s.respond(w, r, http.StatusCreated, out, err)
}

func (s *Server) handleFeedList(w http.ResponseWriter, r *http.Request) {
	var out []feedJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		fs, err := tx.ICalFeedList(r.Context())
		out = make([]feedJSON, len(fs))
		for i, f := range fs {
			out[i] = toFeedJSON(f)
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}
