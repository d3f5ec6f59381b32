package realtime

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Close codes sent to clients (docs/realtime.md).
const (
	CloseSessionEnded = 4001 // logout, expiry or removal from the family: sign in again
	CloseSlowConsumer = 4008 // the socket fell behind: reconnect with since=<last seq>
	CloseRestart      = 1012 // the server is shutting down: reconnect (another replica answers)
)

// Limits.
const (
	// QueueSize is how many messages a socket may have waiting. A socket
	// whose queue is full is closed with CloseSlowConsumer: it never slows
	// the others or the listener.
	QueueSize = 4096
	// MaxReplay is the most events replayed on resume; further behind, the
	// client is told to resync (re-fetching is cheaper).
	MaxReplay = 5000
	// inboxSize buffers notifications between the listener and the hub.
	inboxSize = 16384
)

// Hub fans events out to the sockets of this replica. The listener hands it
// notifications without blocking; one dispatcher goroutine numbers them
// against each family's last delivered seq, catches up from the event log
// on any gap, and queues messages to the family's clients without blocking.
type Hub struct {
	store   *db.Store
	logger  *slog.Logger
	metrics *Metrics

	inbox    chan any // Event, sessionNotice or deviceNotice
	overflow atomic.Bool
	resync   chan struct{}

	mu       sync.Mutex
	families map[uuid.UUID]*family
	sessions map[uuid.UUID]map[*Client]struct{}
	closed   bool
	clients  sync.WaitGroup
}

type family struct {
	lastSeq int64 // the last seq this replica processed for the family
	clients map[*Client]struct{}
}

// NewHub returns a Hub; Run starts its dispatcher.
func NewHub(store *db.Store, logger *slog.Logger, metrics *Metrics) *Hub {
	return &Hub{
		store: store, logger: logger, metrics: metrics,
		inbox:    make(chan any, inboxSize),
		resync:   make(chan struct{}, 1),
		families: map[uuid.UUID]*family{},
		sessions: map[uuid.UUID]map[*Client]struct{}{},
	}
}

// notify hands a notification to the dispatcher without blocking. When the
// inbox is full the notification is dropped and a catch-up of every family
// is scheduled instead: the event log has everything.
func (h *Hub) notify(n any) {
	select {
	case h.inbox <- n:
	default:
		h.overflow.Store(true)
		h.requestResync()
	}
}

// requestResync schedules a catch-up of every family with local clients
// (after the listener reconnects, or after an overflow).
func (h *Hub) requestResync() {
	select {
	case h.resync <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	retry := time.NewTicker(5 * time.Second)
	defer retry.Stop()
	pendingRetry := false
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-h.inbox:
			switch n := n.(type) {
			case Event:
				if err := h.dispatch(ctx, n); err != nil {
					pendingRetry = true
				}
			case sessionNotice:
				h.handleSession(ctx, n)
			case deviceNotice:
				h.handleDevice(n)
			}
		case <-h.resync:
			h.overflow.Store(false)
			pendingRetry = h.catchUpAll(ctx) != nil
		case <-retry.C:
			if pendingRetry {
				pendingRetry = h.catchUpAll(ctx) != nil
			}
		}
	}
}

// dispatch delivers ev, catching up from the log first when ev's seq shows
// that events were missed.
func (h *Hub) dispatch(ctx context.Context, ev Event) error {
	h.mu.Lock()
	fam := h.families[ev.FamilyID]
	if fam == nil || ev.Seq <= fam.lastSeq {
		h.mu.Unlock()
		return nil // no local clients, or already delivered (catch-up got it)
	}
	if ev.Seq == fam.lastSeq+1 {
		h.deliverLocked(fam, ev)
		h.mu.Unlock()
		return nil
	}
	h.mu.Unlock()
	h.logger.Info("gap in family events; catching up from the log", "family_id", ev.FamilyID, "seq", ev.Seq)
	return h.catchUp(ctx, ev.FamilyID)
}

// catchUp delivers a family's logged events after its lastSeq.
func (h *Hub) catchUp(ctx context.Context, familyID uuid.UUID) error {
	for {
		h.mu.Lock()
		fam := h.families[familyID]
		if fam == nil {
			h.mu.Unlock()
			return nil
		}
		since := fam.lastSeq
		h.mu.Unlock()

		rows, err := h.store.Q.EventLogListSince(ctx, h.store.Pool, dbsqlc.EventLogListSinceParams{FamilyID: familyID, Since: since, MaxEvents: 1000})
		if err != nil {
			if ctx.Err() == nil {
				h.logger.Warn("catch-up from event log failed; will retry", "family_id", familyID, "err", err)
			}
			return err
		}
		if len(rows) > 0 {
			h.metrics.CatchUps.Inc()
		}
		h.mu.Lock()
		fam = h.families[familyID]
		for _, r := range rows {
			if fam == nil {
				break
			}
			if r.Seq == fam.lastSeq+1 {
				h.deliverLocked(fam, eventFromLog(r))
			}
		}
		h.mu.Unlock()
		if len(rows) < 1000 {
			return nil
		}
	}
}

// catchUpAll catches up every family with local clients.
func (h *Hub) catchUpAll(ctx context.Context) error {
	h.mu.Lock()
	ids := make([]uuid.UUID, 0, len(h.families))
	for id := range h.families {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	var errs []error
	for _, id := range ids {
		errs = append(errs, h.catchUp(ctx, id))
	}
	return errors.Join(errs...)
}

// deliverLocked queues ev to every matching client of fam. h.mu is held.
func (h *Hub) deliverLocked(fam *family, ev Event) {
	fam.lastSeq = ev.Seq
	var body []byte
	for c := range fam.clients {
		if ev.Seq <= c.prevSeq || !c.wants(&ev) {
			continue
		}
		if body == nil {
			body = ev.wireBody()
		}
		if !c.enqueue(Message{Data: wireMessage(body, c.prevSeq), At: ev.At, Seq: ev.Seq}) {
			h.metrics.SlowDisconnects.Inc()
			h.logger.Info("slow consumer disconnected", "family_id", c.FamilyID, "transport", c.Transport, "seq", ev.Seq)
			c.Close(CloseSlowConsumer, "too slow: reconnect with since")
			h.removeLocked(c)
			continue
		}
		c.prevSeq = ev.Seq
	}
}

// handleSession applies a session notice: revoked sessions and removed
// members are disconnected; a rotated session's sockets move to its successor.
func (h *Hub) handleSession(ctx context.Context, n sessionNotice) {
	switch n.Reason {
	case "rotated":
		if n.ReplacedBy == nil {
			return
		}
		next, err := h.store.SessionAuthenticateByID(ctx, *n.ReplacedBy)
		h.mu.Lock()
		defer h.mu.Unlock()
		for c := range h.sessions[n.SessionID] {
			if err != nil || next == nil { // the successor is gone already (or cannot be checked)
				c.Close(CloseSessionEnded, "session ended")
				h.removeLocked(c)
				continue
			}
			h.moveSessionLocked(c, *n.ReplacedBy)
			c.setExpiry(next.ExpiresAt)
		}
	case "revoked":
		h.mu.Lock()
		defer h.mu.Unlock()
		for c := range h.sessions[n.SessionID] {
			c.Close(CloseSessionEnded, "session ended")
			h.removeLocked(c)
		}
	case "removed":
		h.mu.Lock()
		defer h.mu.Unlock()
		if fam := h.families[n.FamilyID]; fam != nil {
			for c := range fam.clients {
				if c.UserID == n.UserID {
					c.Close(CloseSessionEnded, "removed from the family")
					h.removeLocked(c)
				}
			}
		}
	}
}

// handleDevice sends a device-targeted message to that device's clients on
// this replica (the device's other replicas do the same with theirs).
func (h *Hub) handleDevice(n deviceNotice) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fam := h.families[n.FamilyID]
	if fam == nil {
		return
	}
	for c := range fam.clients {
		if c.DeviceID == n.DeviceID {
			c.Reply(n.Message)
		}
	}
}

// JoinParams describe a connecting client.
type JoinParams struct {
	FamilyID, UserID, SessionID uuid.UUID
	SessionExpires              time.Time
	DeviceID                    string
	Transport                   string
	Topics                      []string
	// Since is the last seq the client has seen; nil for a fresh start.
	Since *int64
}

// Join registers a client, so that it receives every event after the
// returned Start, and prepares its resume: Replay holds the logged events
// after Since up to Start, or Resync is true when the log no longer holds
// them. The caller must Leave.
func (h *Hub) Join(ctx context.Context, p JoinParams) (*Join, error) {
	cur, err := h.store.Q.FamilySeqGet(ctx, h.store.Pool, p.FamilyID)
	if err != nil {
		return nil, db.Err(err, "family")
	}
	c := newClient(p)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, familyhub.Errorf(familyhub.EUNAVAILABLE, "The server is shutting down; reconnect.")
	}
	fam := h.families[p.FamilyID]
	if fam == nil {
		fam = &family{lastSeq: cur, clients: map[*Client]struct{}{}}
		h.families[p.FamilyID] = fam
	}
	start := fam.lastSeq
	j := &Join{Client: c, Start: start}
	switch {
	case p.Since == nil:
	case *p.Since > cur || *p.Since < 0:
		j.Resync = true // not a seq of this family's history
	case *p.Since > start:
		// The client saw events (on another replica) that this one has not
		// processed yet: deliver only what comes after them.
		j.Start = *p.Since
	}
	c.prevSeq = j.Start
	fam.clients[c] = struct{}{}
	if h.sessions[p.SessionID] == nil {
		h.sessions[p.SessionID] = map[*Client]struct{}{}
	}
	h.sessions[p.SessionID][c] = struct{}{}
	h.clients.Add(1)
	h.metrics.Connections.WithLabelValues(p.Transport).Inc()
	h.mu.Unlock()

	if p.Since != nil && !j.Resync && *p.Since < start {
		events, resync, err := h.eventsBetween(ctx, p.FamilyID, *p.Since, start)
		if err != nil {
			h.Leave(c)
			return nil, err
		}
		j.Replay, j.Resync = events, resync
		if len(events) > 0 {
			h.metrics.CatchUps.Inc()
		}
	}
	return j, nil
}

// Join is a registered client and what it must be sent first.
type Join struct {
	Client *Client
	Start  int64   // events after Start arrive on Client's queue
	Replay []Event // events after Since through Start, when resuming
	Resync bool    // the client must re-fetch everything
}

// Messages returns the first messages of a connection: hello, then the
// replayed events (filtered by the client's topics), or resync.
func (j *Join) Messages(since *int64) []Message {
	msgs := []Message{{Data: helloMessage(j.Start)}}
	if j.Resync {
		return append(msgs, Message{Data: resyncMessage})
	}
	if since == nil {
		return msgs
	}
	prev := *since
	for i := range j.Replay {
		ev := &j.Replay[i]
		if !j.Client.wants(ev) {
			continue
		}
		msgs = append(msgs, Message{Data: wireMessage(ev.wireBody(), prev), Seq: ev.Seq})
		prev = ev.Seq
	}
	return msgs
}

// eventsBetween returns the logged events in (since, upto], or resync when
// the log no longer holds all of them or they are too many.
func (h *Hub) eventsBetween(ctx context.Context, familyID uuid.UUID, since, upto int64) ([]Event, bool, error) {
	if upto-since > MaxReplay {
		return nil, true, nil
	}
	rows, err := h.store.Q.EventLogListSince(ctx, h.store.Pool, dbsqlc.EventLogListSinceParams{FamilyID: familyID, Since: since, MaxEvents: int32(upto - since)})
	if err != nil {
		return nil, false, db.Err(err, "")
	}
	if int64(len(rows)) != upto-since || (len(rows) > 0 && rows[0].Seq != since+1) {
		return nil, true, nil // pruned
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = eventFromLog(r)
	}
	return events, false, nil
}

// EventsSince returns the family's events after since with the family's
// current seq, or resync when since is outside the log. The delta and
// long-poll endpoints use it.
func (h *Hub) EventsSince(ctx context.Context, familyID uuid.UUID, since int64) ([]Event, int64, bool, error) {
	cur, err := h.store.Q.FamilySeqGet(ctx, h.store.Pool, familyID)
	if err != nil {
		return nil, 0, false, db.Err(err, "family")
	}
	if since > cur || since < 0 {
		return nil, cur, true, nil
	}
	events, resync, err := h.eventsBetween(ctx, familyID, since, cur)
	return events, cur, resync, err
}

// Leave unregisters c. Transports call it when their connection ends.
func (h *Hub) Leave(c *Client) {
	h.mu.Lock()
	h.removeLocked(c)
	h.mu.Unlock()
	c.leaveOnce.Do(func() {
		c.release()
		h.metrics.Connections.WithLabelValues(c.Transport).Dec()
		h.clients.Done()
	})
}

func (h *Hub) removeLocked(c *Client) {
	if fam := h.families[c.FamilyID]; fam != nil {
		delete(fam.clients, c)
		if len(fam.clients) == 0 {
			delete(h.families, c.FamilyID)
		}
	}
	if s := h.sessions[c.sessionID]; s != nil {
		delete(s, c)
		if len(s) == 0 {
			delete(h.sessions, c.sessionID)
		}
	}
}

func (h *Hub) moveSessionLocked(c *Client, to uuid.UUID) {
	if s := h.sessions[c.sessionID]; s != nil {
		delete(s, c)
		if len(s) == 0 {
			delete(h.sessions, c.sessionID)
		}
	}
	c.sessionID = to
	if h.sessions[to] == nil {
		h.sessions[to] = map[*Client]struct{}{}
	}
	h.sessions[to][c] = struct{}{}
}

// Shutdown tells every client to reconnect elsewhere (close code 1012),
// refuses new ones, and waits until their transports have finished or ctx
// ends. http.Server.Shutdown does not wait for hijacked connections; this does.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	for _, fam := range h.families {
		for c := range fam.clients {
			c.Close(CloseRestart, "server restarting: reconnect")
		}
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() { h.clients.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ConnectionCount returns the number of registered clients (for tests and metrics).
func (h *Hub) ConnectionCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, fam := range h.families {
		n += len(fam.clients)
	}
	return n
}
