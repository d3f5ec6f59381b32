package realtime

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	fhttp "github.com/familyhub/familyhub/http"
)

// Transports serves the realtime endpoints: /ws, /sse, and under /api the
// ticket, long-poll and delta endpoints. All share the Hub and one resume
// rule (since = the last seq the client saw).
type Transports struct {
	Hub     *Hub
	HTTP    *fhttp.Server
	Store   *db.Store
	Logger  *slog.Logger
	Metrics *Metrics

	// PingInterval is the heartbeat: WebSocket pings, SSE comments. Default 25s.
	PingInterval time.Duration
	// WriteTimeout bounds each write to a client. Default 10s.
	WriteTimeout time.Duration
}

const (
	ticketTTL       = time.Minute
	maxPollTimeout  = 30 * time.Second
	maxClientTopics = 64
)

// Mount adds the realtime routes to the HTTP server.
func (t *Transports) Mount() {
	if t.PingInterval == 0 {
		t.PingInterval = 25 * time.Second
	}
	if t.WriteTimeout == 0 {
		t.WriteTimeout = 10 * time.Second
	}
	root := t.HTTP.Router()
	root.Get("/ws", t.handleWS)
	root.Get("/sse", t.handleSSE)
	api := t.HTTP.APIRouter().With(fhttp.RequireAuth)
	api.Post("/realtime/ticket", t.handleTicket)
	api.Get("/realtime/poll", t.handlePoll)
	api.Get("/realtime/events", t.handleEvents)
}

// authenticate resolves the caller of a streaming request: a single-use
// ?ticket=, else the session cookie or bearer token. nil means anonymous.
func (t *Transports) authenticate(r *http.Request) (*fhttp.Auth, error) {
	ticket := r.URL.Query().Get("ticket")
	if ticket == "" {
		return t.HTTP.Authenticate(r)
	}
	if len(ticket) > 128 {
		return nil, nil
	}
	var auth *fhttp.Auth
	err := t.Store.Tx(r.Context(), func(tx pgx.Tx) error {
		sessionID, err := t.Store.Q.RealtimeTicketConsume(r.Context(), tx, hashTicket(ticket))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		row, err := t.Store.Q.SessionAuthenticateByID(r.Context(), tx, sessionID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		auth = &fhttp.Auth{SessionID: row.SessionID, UserID: row.UserID, FamilyID: row.FamilyID, ExpiresAt: row.ExpiresAt}
		return nil
	})
	return auth, err
}

// admit runs the checks every streaming endpoint makes before it commits to
// a long response: origin, credentials, parameters. It writes the error
// response itself and returns nil params then.
func (t *Transports) admit(w http.ResponseWriter, r *http.Request, transport string) *JoinParams {
	if !t.HTTP.OriginAllowed(r) {
		t.HTTP.Error(w, r, familyhub.Errorf(familyhub.EFORBIDDEN, "Origin %q is not allowed; add it to FAMILYHUB_ALLOWED_ORIGINS if it is yours.", r.Header.Get("Origin")))
		return nil
	}
	a, err := t.authenticate(r)
	if err != nil {
		t.HTTP.Error(w, r, err)
		return nil
	}
	if a == nil {
		t.HTTP.Error(w, r, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first: a session cookie, bearer token or ?ticket= is required."))
		return nil
	}
	p, err := joinParams(r, a, transport)
	if err != nil {
		t.HTTP.Error(w, r, err)
		return nil
	}
	return p
}

// joinParams reads device_id, since (or SSE's Last-Event-ID) and topics.
func joinParams(r *http.Request, a *fhttp.Auth, transport string) (*JoinParams, error) {
	q := r.URL.Query()
	p := &JoinParams{
		FamilyID: a.FamilyID, UserID: a.UserID, SessionID: a.SessionID, SessionExpires: a.ExpiresAt,
		Transport: transport, DeviceID: q.Get("device_id"),
	}
	if p.DeviceID != "" && !fhttp.ValidDeviceID(p.DeviceID) {
		return nil, familyhub.Invalid("device_id", "device_id must be 1-64 characters of A-Z a-z 0-9 . _ : -")
	}
	since := q.Get("since")
	if last := r.Header.Get("Last-Event-ID"); transport == "sse" && last != "" {
		since = last
	}
	if since != "" {
		n, err := strconv.ParseInt(since, 10, 64)
		if err != nil || n < 0 {
			return nil, familyhub.Invalid("since", "since must be a sequence number (a whole number >= 0).")
		}
		p.Since = &n
	}
	if v := q.Get("topics"); v != "" {
		topics, err := parseTopics(strings.Split(v, ","))
		if err != nil {
			return nil, err
		}
		p.Topics = topics
	}
	return p, nil
}

func parseTopics(topics []string) ([]string, error) {
	if len(topics) > maxClientTopics {
		return nil, familyhub.Invalid("topics", "at most %d topics", maxClientTopics)
	}
	out := make([]string, 0, len(topics))
	for _, tp := range topics {
		tp = strings.TrimSpace(tp)
		if !validTopic(tp) {
			return nil, familyhub.Invalid("topics", "unknown topic %q: use shopping, shopping-list:<id>, tasks, calendar or recipes", tp)
		}
		out = append(out, tp)
	}
	return out, nil
}

// handleTicket hands out a single-use ticket for /ws or /sse, for clients
// that cannot send the session cookie on those requests.
func (t *Transports) handleTicket(w http.ResponseWriter, r *http.Request) {
	a := fhttp.AuthFrom(r.Context())
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	ticket := base64.RawURLEncoding.EncodeToString(b)
	expires := time.Now().Add(ticketTTL)
	err := t.Store.Q.RealtimeTicketInsert(r.Context(), t.Store.Pool, dbsqlc.RealtimeTicketInsertParams{
		TokenHash: hashTicket(ticket), SessionID: a.SessionID, ExpiresAt: expires,
	})
	if err != nil {
		t.HTTP.Error(w, r, db.Err(err, ""))
		return
	}
	fhttp.WriteJSON(w, http.StatusCreated, map[string]any{"ticket": ticket, "expires_at": expires.UTC()})
}

func hashTicket(ticket string) []byte {
	h := sha256.Sum256([]byte("realtime-ticket:" + ticket))
	return h[:]
}

// eventsResponse is the body of the delta and long-poll endpoints.
type eventsResponse struct {
	Seq    int64             `json:"seq"`
	Events []json.RawMessage `json:"events"`
	Resync bool              `json:"resync,omitempty"`
}

func newEventsResponse(events []Event, since, cur int64, resync bool) eventsResponse {
	resp := eventsResponse{Seq: cur, Resync: resync, Events: []json.RawMessage{}}
	prev := since
	for i := range events {
		resp.Events = append(resp.Events, wireMessage(events[i].wireBody(), prev))
		prev = events[i].Seq
	}
	return resp
}

func requiredSince(r *http.Request) (int64, error) {
	s := r.URL.Query().Get("since")
	n, err := strconv.ParseInt(s, 10, 64)
	if s == "" || err != nil || n < 0 {
		return 0, familyhub.Invalid("since", "since must be a sequence number (a whole number >= 0); use the seq of the last event you saw, or 0.")
	}
	return n, nil
}

// handleEvents answers the events after ?since= at once (delta catch-up).
func (t *Transports) handleEvents(w http.ResponseWriter, r *http.Request) {
	a := fhttp.AuthFrom(r.Context())
	since, err := requiredSince(r)
	if err != nil {
		t.HTTP.Error(w, r, err)
		return
	}
	events, cur, resync, err := t.Hub.EventsSince(r.Context(), a.FamilyID, since)
	if err != nil {
		t.HTTP.Error(w, r, err)
		return
	}
	fhttp.WriteJSON(w, http.StatusOK, newEventsResponse(events, since, cur, resync))
}

// handlePoll is long polling: like handleEvents, but when nothing is new it
// waits up to ?timeout= seconds (default 25, at most 30) for something.
func (t *Transports) handlePoll(w http.ResponseWriter, r *http.Request) {
	a := fhttp.AuthFrom(r.Context())
	since, err := requiredSince(r)
	if err != nil {
		t.HTTP.Error(w, r, err)
		return
	}
	timeout := 25 * time.Second
	if v := r.URL.Query().Get("timeout"); v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs < 0 || time.Duration(secs)*time.Second > maxPollTimeout {
			t.HTTP.Error(w, r, familyhub.Invalid("timeout", "timeout must be 0 to 30 seconds."))
			return
		}
		timeout = time.Duration(secs) * time.Second
	}
	// Register first, then look: an event committed in between is queued.
	j, err := t.Hub.Join(r.Context(), JoinParams{
		FamilyID: a.FamilyID, UserID: a.UserID, SessionID: a.SessionID, SessionExpires: a.ExpiresAt,
		Transport: "poll", DeviceID: fhttp.DeviceID(r),
	})
	if err != nil {
		t.HTTP.Error(w, r, err)
		return
	}
	defer t.Hub.Leave(j.Client)
	events, cur, resync, err := t.Hub.EventsSince(r.Context(), a.FamilyID, since)
	if err == nil && len(events) == 0 && !resync && timeout > 0 {
		_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
		select {
		case <-j.Client.Ready():
		case <-j.Client.Done():
		case <-time.After(timeout):
		case <-r.Context().Done():
			return
		}
		events, cur, resync, err = t.Hub.EventsSince(r.Context(), a.FamilyID, since)
	}
	if err != nil {
		t.HTTP.Error(w, r, err)
		return
	}
	fhttp.WriteJSON(w, http.StatusOK, newEventsResponse(events, since, cur, resync))
}
