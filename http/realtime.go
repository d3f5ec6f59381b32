package http

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/realtime"
)

// The realtime transports: /ws, /sse, and under /api the ticket, long-poll
// and delta endpoints. All share realtime's Hub, one authentication path
// (realtimeAuthenticate, which also takes a ?ticket=), one origin rule
// (OriginAllowed) and one resume rule (since = the last seq the client saw).

const (
	// realtimePingInterval is the heartbeat: WebSocket pings, SSE comments
	// (Config.RealtimePing).
	realtimePingInterval = 25 * time.Second
	// realtimeWriteTimeout bounds each write to a client, and the wait for
	// a ping's answer (Config.RealtimeWriteTimeout).
	realtimeWriteTimeout = 10 * time.Second
	maxPollTimeout       = 30 * time.Second
)

// realtimeState is what the transports need besides the Server.
type realtimeState struct {
	hub          *realtime.Hub
	metrics      *realtime.Metrics
	ping         time.Duration  // realtimePingInterval unless configured
	writeTimeout time.Duration  // realtimeWriteTimeout unless configured
	linger       *tickClock     // how long an idle socket's writer lingers (realtime_ws.go)
	watchdog     *writeWatchdog // ends sockets blocked in a write (realtime_ws_watchdog.go)
	pool         *writerPool    // the sockets' shared writers; nil: a goroutine per socket (realtime_ws_pool.go)
	// writers counts the sockets' writer goroutines running (or
	// lingering), writersStarted those started (for tests).
	writers, writersStarted atomic.Int64
	// lingering counts the writers waiting for their next message,
	// lingerWakes the times the linger clock woke one (for tests:
	// counted, docs/benchmarks.md).
	lingering, lingerWakes atomic.Int64
}

// MountRealtime adds the realtime endpoints over hub. Call it before serving.
func (s *Server) MountRealtime(hub *realtime.Hub, metrics *realtime.Metrics) {
	s.rt = &realtimeState{hub: hub, metrics: metrics, ping: realtimePingInterval, writeTimeout: realtimeWriteTimeout,
		linger: &tickClock{period: lingerTick}, pool: &writerPool{max: runtime.GOMAXPROCS(0)}}
	if s.cfg.RealtimePing > 0 {
		s.rt.ping = s.cfg.RealtimePing
	}
	if s.cfg.RealtimeWriteTimeout > 0 {
		s.rt.writeTimeout = s.cfg.RealtimeWriteTimeout
	}
	s.rt.watchdog = newWriteWatchdog(s.rt.writeTimeout, s.rt.ping)
	s.router.Get("/ws", s.handleWS)
	s.router.Get("/sse", s.handleSSE)
	api := s.api.With(RequireAuth)
	api.Post("/realtime/ticket", s.handleTicket)
	api.Get("/realtime/poll", s.handlePoll)
	api.Get("/realtime/events", s.handleEvents)
}

// admit runs the checks every streaming endpoint makes before it commits to
// a long response: origin, credentials, parameters. It writes the error
// response itself and returns nil params then.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, transport string) *realtime.JoinParams {
	if !s.OriginAllowed(r) {
		s.Error(w, r, familyhub.Errorf(familyhub.EFORBIDDEN, "Origin %q is not allowed; add it to FAMILYHUB_ALLOWED_ORIGINS if it is yours.", r.Header.Get("Origin")))
		return nil
	}
	gen := s.authGen()
	a, removed, err := s.realtimeAuthenticate(w, r)
	if err != nil {
		s.Error(w, r, err)
		return nil
	}
	if a == nil {
		// Before any upgrade: a refused WebSocket gets the JSON error too.
		if removed {
			w.Header().Set("WWW-Authenticate", `Bearer realm="familyhub"`)
			s.Error(w, r, errRemoved())
			return nil
		}
		s.Error(w, r, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first: a session cookie, bearer token or ?ticket= is required."))
		return nil
	}
	p, err := joinParams(r, a, transport)
	if err != nil {
		s.refuse(w, r, err)
		return nil
	}
	p.AuthGen = gen
	return p
}

// refuse writes err for a streaming request that admit let in but that
// does not open (a bad parameter, too many connections, the server
// shutting down), and gives back the single-use ?ticket= it came with, so
// the client can reconnect with it: a refused connection must not use it
// up. admit authenticated by the ticket whenever the request has one.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if ticket := r.URL.Query().Get("ticket"); ticket != "" {
		if rerr := s.store.TicketRelease(context.WithoutCancel(r.Context()), ticket); rerr != nil {
			s.logger.Warn("could not give back a realtime ticket", "err", rerr)
		}
	}
	if err != nil {
		s.Error(w, r, err)
	}
}

// joinParams reads device_id, since (or SSE's Last-Event-ID), topics and view.
func joinParams(r *http.Request, a *familyhub.Auth, transport string) (*realtime.JoinParams, error) {
	q := r.URL.Query()
	p := &realtime.JoinParams{
		FamilyID: a.FamilyID, UserID: a.UserID, SessionID: a.SessionID, SessionExpires: a.ExpiresAt,
		Role: a.Role, Transport: transport, DeviceID: q.Get("device_id"),
	}
	if p.DeviceID != "" && !ValidDeviceID(p.DeviceID) {
		return nil, familyhub.Invalid("device_id", "device_id must be 1-64 characters of A-Z a-z 0-9 . _ : -")
	}
	since, fromURL := q.Get("since"), true
	if last := r.Header.Get("Last-Event-ID"); transport == "sse" && last != "" {
		since, fromURL = last, false
	}
	if since != "" {
		n, err := strconv.ParseInt(since, 10, 64)
		if err != nil || n < 0 {
			return nil, familyhub.Invalid("since", "since must be a sequence number (a whole number >= 0).")
		}
		p.Since = &n
		// The mark names the event under the URL's since, which an SSE's
		// own reconnection (Last-Event-ID) has left: past it, or told to
		// resync there (the resync's id may be that very seq), where the
		// mark is of the history the resync replaced.
		if fromURL {
			if p.SinceMark, err = sinceMark(r); err != nil {
				return nil, err
			}
		}
	}
	if v := q.Get("topics"); v != "" {
		topics, err := realtime.ParseTopics(strings.Split(v, ","))
		if err != nil {
			return nil, err
		}
		p.Topics = topics
	}
	// ?view= (even empty) opts in to family presence at connect: SSE's
	// only way, since the stream has no upstream messages; a WebSocket may
	// use it too and then send presence messages on every change.
	if q.Has("view") {
		view, err := realtime.ParseView(q.Get("view"))
		if err != nil {
			return nil, err
		}
		p.View = &view
	}
	return p, nil
}

// handleTicket hands out a single-use ticket for /ws or /sse, for clients
// that cannot send the session cookie on those requests.
// A session holding familyhub.MaxTicketsPerSession unexpired tickets gets
// 429 too_many_tickets with Retry-After: when the first of them expires.
func (s *Server) handleTicket(w http.ResponseWriter, r *http.Request) {
	ticket, expires, err := s.store.TicketCreate(r.Context(), authFrom(r).SessionID)
	if tl := (*db.TicketLimitError)(nil); errors.As(err, &tl) {
		w.Header().Set("Retry-After", strconv.Itoa(int(tl.RetryAfter.Seconds())))
	}
	s.respond(w, r, http.StatusCreated, map[string]any{"ticket": ticket, "expires_at": expires.UTC()}, err)
}

// eventsResponse is the body of the delta and long-poll endpoints.
type eventsResponse struct {
	Seq    int64             `json:"seq"`
	Events []json.RawMessage `json:"events"`
	Resync bool              `json:"resync,omitempty"`
	// Closed: the member's role changed while the poll waited; the next
	// poll (and what the client shows) goes by the new role.
	Closed *closedJSON `json:"closed,omitempty"`
}

func requiredSince(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("since")
	n, err := strconv.ParseInt(v, 10, 64)
	if v == "" || err != nil || n < 0 {
		return 0, familyhub.Invalid("since", "since must be a sequence number (a whole number >= 0); use the seq of the last event you saw, or 0.")
	}
	return n, nil
}

// sinceMark reads ?since_id= and ?since_at=, the entity and time of the
// event the client saw under its since (both or neither; nil: neither):
// another event under that seq makes it resync (realtime.Mark).
func sinceMark(r *http.Request) (*realtime.Mark, error) {
	q := r.URL.Query()
	id, at := q.Get("since_id"), q.Get("since_at")
	if id == "" && at == "" {
		return nil, nil
	}
	m := &realtime.Mark{}
	var err error
	if m.ID, err = uuid.Parse(id); err != nil {
		return nil, familyhub.Invalid("since_id", "since_id must be the id of the event at since, as the event said it (a UUID), with since_at.")
	}
	if m.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return nil, familyhub.Invalid("since_at", "since_at must be the time of the event at since, as the event said it (its \"at\"), with since_id.")
	}
	return m, nil
}

// requiredSinceMark is requiredSince with the optional sinceMark.
func requiredSinceMark(r *http.Request) (int64, *realtime.Mark, error) {
	since, err := requiredSince(r)
	if err != nil {
		return 0, nil, err
	}
	mark, err := sinceMark(r)
	return since, mark, err
}

// handleEvents answers the events after ?since= at once (delta catch-up).
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	since, mark, err := requiredSinceMark(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := authFrom(r)
	events, cur, resync, err := s.rt.hub.EventsSince(r.Context(), a.FamilyID, a.UserID, since, mark)
	err = notMember(w, err)
	events = realtime.EventsFor(events, a.UserID) // not another member's own (an app password's)
	s.respond(w, r, http.StatusOK, eventsResponse{Seq: cur, Events: realtime.WireEvents(events, since), Resync: resync}, err)
}

// handlePoll is long polling: like handleEvents, but when nothing is new it
// waits up to ?timeout= seconds (default 25, at most 30) for something.
// With ?seq_only=1 it answers the family's seq at once, with no events.
func (s *Server) handlePoll(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r)
	if v := r.URL.Query().Get("seq_only"); v != "" {
		only, err := strconv.ParseBool(v)
		if err != nil {
			s.Error(w, r, familyhub.Invalid("seq_only", "seq_only must be 1 or 0."))
			return
		}
		if only {
			// A client's first poll: it has no seq to resume from and
			// only learns the family's. since=0 answered that too, after
			// reading up to MaxDelta events of the log that the client
			// threw away. No hub registration either: nothing is waited
			// for. since is not needed; the PWA sends since=0 with it
			// for servers that do not know the parameter.
			cur, err := s.rt.hub.Seq(r.Context(), a.FamilyID)
			s.respond(w, r, http.StatusOK, eventsResponse{Seq: cur, Events: []json.RawMessage{}}, err)
			return
		}
	}
	since, mark, err := requiredSinceMark(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	timeout := 25 * time.Second
	if v := r.URL.Query().Get("timeout"); v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs < 0 || time.Duration(secs)*time.Second > maxPollTimeout {
			s.Error(w, r, familyhub.Invalid("timeout", "timeout must be 0 to 30 seconds."))
			return
		}
		timeout = time.Duration(secs) * time.Second
	}
	// Register first, then look: an event committed in between is queued.
	j, err := s.rt.hub.Join(r.Context(), realtime.JoinParams{
		FamilyID: a.FamilyID, UserID: a.UserID, SessionID: a.SessionID, SessionExpires: a.ExpiresAt,
		Role: a.Role, AuthGen: authGenOf(r), Transport: "poll", DeviceID: a.DeviceID,
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	defer s.rt.hub.Leave(j.Client)
	events, cur, resync, err := s.rt.hub.EventsSince(r.Context(), a.FamilyID, a.UserID, since, mark)
	err = notMember(w, err)
	// Not another member's own events (an app password's): the hub does
	// not wake this poll for them either.
	events = realtime.EventsFor(events, a.UserID)
	if err == nil && len(events) == 0 && !resync && timeout > 0 {
		_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
		select {
		case <-j.Client.Ready():
		case <-j.Client.Done():
		case <-time.After(timeout):
		case <-r.Context().Done():
			return
		}
		if code, reason := closeStatus(j.Client); code == realtime.CloseSessionEnded {
			// Signed out, removed, or no longer this family's: not one
			// more event. The client signs in again, as on a 4001; a
			// removal says so in its code, as the socket's reason does
			// (signing in again alone will not help).
			w.Header().Set("WWW-Authenticate", `Bearer realm="familyhub"`)
			if reason == realtime.ReasonRemoved {
				s.Error(w, r, errRemoved())
				return
			}
			s.Error(w, r, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in again: this session no longer opens the family."))
			return
		}
		if f := pollReadHook.Load(); f != nil {
			(*f)()
		}
		// The membership is checked again with the read (one snapshot):
		// removed since the check above, not one more event.
		events, cur, resync, err = s.rt.hub.EventsSince(r.Context(), a.FamilyID, a.UserID, since, mark)
		err = notMember(w, err)
		events = realtime.EventsFor(events, a.UserID)
	}
	resp := eventsResponse{Seq: cur, Events: realtime.WireEvents(events, since), Resync: resync}
	if code, reason := closeStatus(j.Client); code == realtime.CloseRoleChanged {
		// What a socket's close says: reconnect under the new role.
		resp.Closed = &closedJSON{Code: code, Reason: reason}
	}
	s.respond(w, r, http.StatusOK, resp, err)
}

// pollReadHook, set by tests only, runs in a long poll between its
// wake-up (and the check of its client's close) and its read of the log.
var pollReadHook atomic.Pointer[func()]

// notMember turns EventsSince's realtime.ErrNotMember into the answer to a
// removed member's session (401 removed_from_family); other errors pass.
func notMember(w http.ResponseWriter, err error) error {
	if errors.Is(err, realtime.ErrNotMember) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="familyhub"`)
		return errRemoved()
	}
	return err
}

// closeStatus is c's close code and reason, 0 while it is open.
func closeStatus(c *realtime.Client) (int, string) {
	select {
	case <-c.Done():
		return c.CloseStatus()
	default:
		return 0, ""
	}
}

// closedJSON is a long poll's "the connection would have been closed":
// the code and reason a socket would have been closed with.
type closedJSON struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}
