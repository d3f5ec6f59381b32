package realtime

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Close codes sent to clients (docs/realtime.md).
const (
	CloseSessionEnded = 4001 // logout, expiry or removal from the family: sign in again
	// CloseRoleChanged (4003, recheck.go): the member's role changed: reconnect.
	CloseSlowConsumer = 4008 // the socket stopped reading: reconnect with since=<last seq>
	CloseRestart      = 1012 // the server is shutting down: reconnect (another replica answers)
)

// Limits.
const (
	// QueueMessages and QueueBytes bound the live events waiting for one
	// socket. Past them the socket is not cut off: it reads its next
	// events from the event log in pages of PageSize (a burst of 20,000
	// events in one transaction reaches a fast reader whole, in order,
	// with bounded memory). A socket that stops reading is dropped when a
	// write blocks longer than the transport's write timeout.
	QueueMessages = 512
	QueueBytes    = 256 << 10
	PageSize      = 500
	// MaxDelta is the most events the delta and long-poll endpoints answer
	// at once; further behind, they say resync.
	MaxDelta = 5000
	// inboxSize buffers notifications between the listener and the hub.
	inboxSize = 16384
	// gapWait is how long an event that arrived ahead of a missing one
	// waits for it before the log is read: announcements of one family's
	// transactions may arrive out of order (docs/realtime.md).
	gapWait = 100 * time.Millisecond
	// maxEarly bounds the events held while waiting for a missing one.
	maxEarly = 4096
	// catchUpBatch is the page size of the hub's own catch-ups.
	catchUpBatch = 1000
	// DefaultMaxPerUser is the default of Hub.MaxPerUser: far above a
	// family member's phone, laptop, tablet and a dozen tabs, far below
	// what would let one account run a replica out of memory.
	DefaultMaxPerUser = 32
)

// Hub fans events out to the sockets of this replica. The listener hands it
// notifications without blocking; one dispatcher goroutine orders them by
// each family's last delivered seq and queues messages to the family's
// clients without blocking. Reading the event log (after a gap, a
// reconnect, or when the seq cross-check finds a family behind) happens on
// a separate catch-up goroutine, so a slow query never stalls fan-out.
type Hub struct {
	store   *db.Store
	logger  *slog.Logger
	metrics *Metrics

	inbox    chan any // Event, sessionNotice, deviceNotice, presenceNotice, logBatch
	batches  chan logBatch
	overflow atomic.Bool
	// missed counts events that reached no one here: dispatched for a
	// family with no local client, lost with a resync, or held for a
	// family forgotten (its last client left); and families forgotten
	// after events were delivered to them, which a join that read the
	// family's seq before them would not have. A join
	// compares it before and after (see join).
	missed atomic.Int64

	catchMu   sync.Mutex
	catchSet  map[uuid.UUID]struct{} // families to catch up
	catchAll  bool
	catchWake chan struct{}

	// MaxPerUser bounds the open connections (sockets, streams, waiting
	// long polls) of one user on this replica; 0 means no bound. Each
	// costs a goroutine, buffers and a queue, and sessions are unlimited,
	// so the bound is per user, not per session. Set it before serving.
	MaxPerUser int
	// OnRewind, when set, is called (without the hub's locks, and must
	// not block) when the family's database was found to have gone back
	// (rewind.go): the devices of the family were shown no event after
	// shown of the history the database now has, and every event this
	// replica had queued to them is at most upto. Notify's push presence
	// lowers what it recorded of them (notify.Presence.Rewound). Set it
	// before Run.
	OnRewind func(familyID uuid.UUID, shown, upto int64)
	// RecheckEvery is how often every open connection is re-checked
	// against its session, membership and role in PostgreSQL (recheck.go),
	// whatever the notices said: 0 means DefaultRecheckEvery, negative
	// never. Set it before Run.
	RecheckEvery time.Duration

	authGen     atomic.Uint64 // see AuthGen
	recheckMu   sync.Mutex
	recheck     recheckState
	recheckWake chan struct{}

	mu       sync.Mutex
	families map[uuid.UUID]*family
	sessions map[uuid.UUID]map[*Client]struct{}
	users    map[uuid.UUID]int // open connections per user, until Leave
	closed   bool
	clients  sync.WaitGroup

	presence *presence
	pages    pageCache
	expiry   expiryTimer // guarded by mu
}

type family struct {
	lastSeq int64 // the last seq this replica processed for the family
	// joinedSeq is lastSeq when the family's first client here joined.
	joinedSeq int64
	clients   map[*Client]struct{}
	early     map[int64]Event // arrived ahead of a missing seq
	gapTimer  *time.Timer
	observed  int64 // the family's seq in the database at the last cross-check
	// markAt and markID are the time and entity of the event at lastSeq
	// (as event_log has them): the cross-check, a catch-up and the
	// dispatcher compare them with an event under that seq or an earlier
	// one, which differs when the database went back and new events took
	// the lost seqs (rewind.go). markID nil: the event is not known, and
	// markAt (when set) is only a bound, the database's clock when the
	// family's first join here read its seq (FamilySeqGet): every event
	// up to lastSeq is older. The next cross-check takes the event from
	// the log.
	markAt time.Time
	markID uuid.UUID
	// rewinds counts what this replica did about the family's database
	// going back (rewind.go): a cross-check that looked before one skips
	// the family, so that the dispatcher and the check never both act on
	// the same loss.
	rewinds int
	// held are device notices waiting for the events they follow
	// (deviceNotice.AfterSeq), in arrival order.
	held []deviceNotice
}

// maxHeld bounds the device notices a family holds back.
const maxHeld = 64

// logBatch is a page of a family's event log, read by the catch-up goroutine.
type logBatch struct {
	familyID uuid.UUID
	events   []Event
	full     bool // there may be more
}

// NewHub returns a Hub; Run starts its dispatcher.
func NewHub(store *db.Store, logger *slog.Logger, metrics *Metrics) *Hub {
	h := &Hub{
		store: store, logger: logger, metrics: metrics,
		inbox:       make(chan any, inboxSize),
		batches:     make(chan logBatch, 16),
		catchSet:    map[uuid.UUID]struct{}{},
		catchWake:   make(chan struct{}, 1),
		recheckWake: make(chan struct{}, 1),
		families:    map[uuid.UUID]*family{},
		sessions:    map[uuid.UUID]map[*Client]struct{}{},
		users:       map[uuid.UUID]int{},
	}
	h.presence = newPresence(h)
	return h
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
	h.missed.Add(1)
	h.catchMu.Lock()
	h.catchAll = true
	h.catchMu.Unlock()
	h.wakeCatchUp()
}

// requestCatchUp schedules a catch-up of one family.
func (h *Hub) requestCatchUp(id uuid.UUID) {
	h.catchMu.Lock()
	h.catchSet[id] = struct{}{}
	h.catchMu.Unlock()
	h.wakeCatchUp()
}

func (h *Hub) wakeCatchUp() {
	select {
	case h.catchWake <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() { h.runCatchUp(ctx) })
	wg.Go(func() { h.presence.run(ctx) })
	wg.Go(func() { h.runRecheck(ctx) })
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-h.batches:
			h.applyBatch(b)
		case n := <-h.inbox:
			switch n := n.(type) {
			case Event:
				h.dispatch(n)
			case sessionNotice:
				h.handleSession(ctx, n)
			case deviceNotice:
				h.handleDevice(n)
			case presenceNotice:
				h.presence.receive(n)
			}
		}
	}
}

// dispatch delivers ev, or holds it when it arrived ahead of a missing
// event: the missing one usually follows within milliseconds (two
// transactions' announcements crossing); if not, the log is read.
func (h *Hub) dispatch(ev Event) {
	var back []rewindNote
	defer func() { h.rewindsDone(back) }() // after the unlock
	h.mu.Lock()
	defer h.mu.Unlock()
	fam := h.families[ev.FamilyID]
	if fam == nil {
		h.missed.Add(1)
		return // no local clients
	}
	if ev.Seq <= fam.lastSeq {
		if !reusedLocked(fam, &ev) {
			return // already delivered (catch-up got it)
		}
		// Another event under a delivered seq: the database went back.
		back = append(back, h.steppedBackLocked(ev.FamilyID, fam, &ev))
	}
	h.presence.noteEventLocked(fam, &ev)
	if ev.Seq == fam.lastSeq+1 {
		h.deliverLocked(fam, ev)
		h.drainEarlyLocked(fam)
		return
	}
	if fam.early == nil {
		fam.early = map[int64]Event{}
	}
	if len(fam.early) < maxEarly {
		fam.early[ev.Seq] = ev
	}
	if fam.gapTimer == nil {
		id := ev.FamilyID
		fam.gapTimer = time.AfterFunc(gapWait, func() { h.requestCatchUp(id) })
	}
}

// drainEarlyLocked delivers held events that are now next in line. A held
// event older than the one just delivered before it (known: markID) is of
// a history the database lost: events are numbered in commit order, each
// at its commit's time, so the next seq of one history is never older.
// It arrived ahead of a gap, the database went back, and a new event took
// the seq before it (rewind.go). Delivered, its devices were shown a lost
// event until the new one under its seq made them resync. Every held event
// is dropped instead and the log read: it has the family's events as they
// are. A database whose clock stepped back can make a new event look so
// too; the read delivers it, at the cost of that one read.
func (h *Hub) drainEarlyLocked(fam *family) {
	for len(fam.early) > 0 {
		ev, ok := fam.early[fam.lastSeq+1]
		if ok && fam.markID != uuid.Nil && !ev.At.IsZero() && ev.At.Before(fam.markAt) {
			h.logger.Warn("a held event is older than the one delivered before it (a restore or failover lost it); reading the log", "family_id", ev.FamilyID, "seq", ev.Seq)
			clear(fam.early)
			h.requestCatchUp(ev.FamilyID)
			break
		}
		if !ok {
			for seq := range fam.early {
				if seq <= fam.lastSeq {
					delete(fam.early, seq)
				}
			}
			if len(fam.early) > 0 {
				return // still waiting for a missing one
			}
			break
		}
		delete(fam.early, ev.Seq)
		h.deliverLocked(fam, ev)
	}
	fam.early = nil
	if fam.gapTimer != nil {
		fam.gapTimer.Stop()
		fam.gapTimer = nil
	}
}

// applyBatch delivers a page of the log read by the catch-up goroutine.
func (h *Hub) applyBatch(b logBatch) {
	var back []rewindNote
	h.mu.Lock()
	fam := h.families[b.familyID]
	if fam != nil {
		for _, ev := range b.events {
			if ev.Seq <= fam.lastSeq && reusedLocked(fam, &ev) {
				// The log's event under a delivered seq (the catch-up
				// reads from the last one) is not the one delivered.
				back = append(back, h.steppedBackLocked(b.familyID, fam, &ev))
			}
			if ev.Seq == fam.lastSeq+1 {
				h.deliverLocked(fam, ev)
			}
		}
		h.drainEarlyLocked(fam)
		if fam.gapTimer != nil { // still missing one: look again
			fam.gapTimer.Reset(gapWait)
		}
	}
	h.mu.Unlock()
	h.rewindsDone(back)
	if fam != nil && b.full {
		h.requestCatchUp(b.familyID)
	}
}

// runCatchUp reads the event log for the families that need it and hands
// the pages to the dispatcher; failures are retried.
func (h *Hub) runCatchUp(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.catchWake:
		case <-retry.C:
		}
		h.catchMu.Lock()
		all, set := h.catchAll, h.catchSet
		h.catchAll, h.catchSet = false, map[uuid.UUID]struct{}{}
		h.catchMu.Unlock()
		h.overflow.Store(false)
		h.mu.Lock()
		if all {
			for id := range h.families {
				set[id] = struct{}{}
			}
		}
		since := make(map[uuid.UUID]int64, len(set))
		for id := range set {
			if fam := h.families[id]; fam != nil {
				since[id] = fam.lastSeq
			}
		}
		h.mu.Unlock()
		failed := false
		for id, seq := range since {
			// From the last delivered event on, which applyBatch compares
			// with what was delivered: after a failover the notices of the
			// events that took the lost seqs are lost with the listener's
			// connection, and this read alone would move the family past
			// them (rewind.go). One row more per read, none per event.
			rows, err := h.store.EventLogListSince(ctx, dbsqlc.EventLogListSinceParams{FamilyID: id, Since: max(seq-1, 0), MaxEvents: catchUpBatch})
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				h.logger.Warn("catch-up from event log failed; will retry", "family_id", id, "err", err)
				h.catchMu.Lock()
				h.catchSet[id] = struct{}{}
				h.catchMu.Unlock()
				failed = true
				continue
			}
			if len(rows) == 0 {
				continue
			}
			if rows[len(rows)-1].Seq > seq {
				h.metrics.CatchUps.Inc()
			}
			events := make([]Event, len(rows))
			for i, r := range rows {
				events[i] = eventFromLog(r)
			}
			select {
			case h.batches <- logBatch{familyID: id, events: events, full: len(rows) == catchUpBatch}:
			case <-ctx.Done():
				return
			}
		}
		if failed {
			retry.Reset(time.Second)
		}
	}
}

// deliverLocked queues ev to every matching client of fam. h.mu is held.
// Clients that receive every event (no topics, no gap) share one encoded
// message; only a client with a different prev_seq gets its own copy.
func (h *Hub) deliverLocked(fam *family, ev Event) {
	fam.lastSeq, fam.markAt, fam.markID = ev.Seq, ev.At, ev.ID
	if len(fam.held) > 0 {
		defer h.releaseHeldLocked(fam) // after this event's messages
	}
	var body, shared []byte
	kind := -1 // kindOf(ev.Type), once for all the sockets that skip ev
	// The mark a pong names with the seq (cursorMark): one for all the
	// sockets, whether they are sent ev or skip it.
	mark := &seqMark{ev.Seq, Mark{ID: ev.ID, At: ev.At}}
	for c := range fam.clients {
		if c.behind || ev.Seq <= c.cursor.Load() {
			continue
		}
		if !ev.For(c.UserID) {
			// Another member's own event (an app password's): passed
			// over as a topic's, but no topic brings it back (retopic.go).
			c.cursorMark.Store(mark)
			c.cursor.Store(ev.Seq)
			continue
		}
		if !c.wants(&ev) {
			if kind < 0 {
				kind = kindOf(ev.Type)
			}
			c.skipped[kind] = ev.Seq
			// Nothing is queued: a pong that reads the cursor before or
			// after this names a position with nothing queued past it.
			c.cursorMark.Store(mark)
			c.cursor.Store(ev.Seq)
			continue
		}
		if body == nil {
			body = ev.wireBody()
		}
		// The event, sent and the cursor change under the queue's lock, at
		// once: a pong (which takes that lock alone) comes wholly before
		// the event or wholly after it.
		q := &c.queue
		q.mu.Lock()
		var data []byte
		if c.sent == ev.Seq-1 {
			if shared == nil {
				shared = wireMessage(body, ev.Seq-1)
			}
			data = shared
		} else {
			data = wireMessage(body, c.sent)
		}
		if !q.pushLocked(Message{Data: data, At: ev.At, Seq: ev.Seq}, false) {
			// A burst larger than the queue: the client reads on from the
			// log (page) once its queue has drained.
			c.setBehind(true)
			c.cursor.Store(ev.Seq - 1)
			q.mu.Unlock()
			continue
		}
		c.sent = ev.Seq
		c.cursorMark.Store(mark)
		c.cursor.Store(ev.Seq)
		onReady := q.onReady
		q.mu.Unlock()
		q.signal(onReady)
	}
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
	// Nobody joins after this, and everyone was just closed: the expiry
	// timer (which may be armed for weeks) would only keep the hub alive.
	if h.expiry.timer != nil {
		h.expiry.timer.Stop()
		h.expiry.at = time.Time{}
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

// UserConnections returns the connections of user counted against
// MaxPerUser: joined and not yet left (for tests).
func (h *Hub) UserConnections(user uuid.UUID) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.users[user]
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
