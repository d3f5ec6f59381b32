package realtime

// Joining and leaving: a transport registers its client with Join and
// unregisters it with Leave; the hub keeps them by family, user and session.

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// JoinParams describe a connecting client.
type JoinParams struct {
	FamilyID, UserID, SessionID uuid.UUID
	SessionExpires              time.Time
	// Role is the session's role when it was let in: the connection is
	// closed (CloseRoleChanged) when it changes. Empty: not re-checked.
	Role string
	// AuthGen is Hub.AuthGen read before the caller was authenticated:
	// when a notice about sessions arrived since, the connection is
	// re-checked once joined (its caller may be from before the change).
	AuthGen   uint64
	DeviceID  string
	Transport string
	Topics    []string
	// Since is the last seq the client has seen; nil for a fresh start.
	Since *int64
	// SinceMark, when set, names the event the client saw under Since:
	// another event under that seq in the log means the history was
	// written anew under it (a database that went back, and new events
	// that took the lost seqs past Since), and the client is told to
	// resync. Nil: Since alone, as older clients send it.
	SinceMark *Mark
	// rewritten: the log holds another event under Since than SinceMark
	// names (Join's probe, sinceRewritten).
	rewritten bool
	// View, when set, opts the client in to presence at once with this
	// view (checked by ParseView), as a presence message would: the way
	// for a one-way transport (SSE) to take part.
	View *string
}

// Mark names one event of a family's log: its entity and its time (the
// commit's clock_timestamp(), to the microsecond), as every event carries
// them ("id" and "at"). Two events under one seq with the same mark are
// the same event.
type Mark struct {
	ID uuid.UUID
	At time.Time
}

// Is reports whether the log's event (entity, at) is the one m names.
func (m *Mark) Is(entity uuid.UUID, at time.Time) bool {
	return m.ID == entity && m.At.Equal(at)
}

// Join registers a client, so that it receives every event after Since
// (resuming: read from the log in pages, then live) or after the returned
// Start (a fresh start). Resync is true when Since is not a seq of the
// family, or when the log's event under it is not the one SinceMark names
// (one more read: a probe of event_log's primary key; none without a
// mark, or for a Since the log no longer holds). The caller must Leave. A user with MaxPerUser connections open
// on this replica is refused with familyhub.ECONNLIMIT.
func (h *Hub) Join(ctx context.Context, p JoinParams) (*Join, error) {
	missed := h.missed.Load()
	read, err := h.store.Q.FamilySeqGet(ctx, h.store.Pool, p.FamilyID)
	if err != nil {
		return nil, db.Err(err, "family")
	}
	if p.Since != nil && *p.Since > read.Seq {
		told := false
		if delivered, fam, gen := h.delivered(p.FamilyID); delivered > read.Seq {
			// The client is ahead of the database, and this replica
			// delivered events past the database's seq: the database lost
			// events it had committed (a restore, a failover to a standby
			// that had not got them), or this read came before a commit
			// the replica has delivered since (never for a client that
			// saw its since: its delivery followed the commit). A second
			// read, begun after those deliveries, tells which; only a
			// loss resets the family, and only the record whose delivery
			// was compared: one made anew meanwhile (by another join that
			// found the loss) came from a later read, and its sockets,
			// resynced from it, stay.
			missed = h.missed.Load()
			if read, err = h.store.Q.FamilySeqGet(ctx, h.store.Pool, p.FamilyID); err != nil {
				return nil, db.Err(err, "family")
			}
			if read.Seq < delivered && h.rewound(p.FamilyID, fam, gen, read.Seq) {
				missed = -1 // the family was forgotten: once joined, read its log after cur
				told = true
			}
		}
		if !told && *p.Since > read.Seq {
			// The device was sent events past the database's seq, on
			// another replica or before this one forgot the family: the
			// database lost them. Push presence may still hold seqs past
			// it for the family's devices (no replica with its sockets
			// found the loss: none had any then), under which new events
			// would count as shown: it lowers them to the database's seq.
			// What this replica's sockets were sent is not past it (short
			// of events committed after the read).
			//
			// The note is the database's seq as this join read it, not
			// what this replica delivered since: events committed after
			// the read are the new history's, under seqs the devices
			// elsewhere may have been sent lost events of, so their rows
			// must come down to read.Seq (rows above it were written
			// before the loss). Devices here shown those new events keep
			// them: their sockets count past the note's upto, and the
			// next flush writes them after the rows were lowered (notify,
			// Presence.Rewound). The since is the client's word, and a
			// client can send any number; push presence writes again only
			// the devices a note lowers, and the live ones whose row the
			// loss took (found by a read, at most every 5 s), so a made-up
			// since costs one statement per flush that changes no row (a
			// row is never written above the family's seq) and one read,
			// not a write of the family's devices.
			if f := joinAheadHook.Load(); f != nil {
				(*f)()
			}
			h.rewindsDone([]rewindNote{{family: p.FamilyID, shown: read.Seq, upto: read.Seq}})
		}
	}
	if p.Since != nil && p.SinceMark != nil && *p.Since > 0 && *p.Since <= read.Seq {
		if p.rewritten, err = h.sinceRewritten(ctx, p.FamilyID, *p.Since, p.SinceMark); err != nil {
			return nil, err
		}
	}
	return h.join(p, read, missed)
}

// sinceRewritten reports whether the family's log holds another event under
// since than the one mark names: the device was offline while the database
// went back (a restore, a failover) and new events took the lost seqs past
// its since, which as a number alone the database still has; resumed after
// it, the device would miss the new events under the seqs up to it. Such a
// client is resynced, nothing else: no replica or push presence is told,
// since a client can name any mark (a made-up one costs its own socket a
// resync, and the probe). A since the log no longer holds (pruned) is not
// compared.
func (h *Hub) sinceRewritten(ctx context.Context, family uuid.UUID, since int64, mark *Mark) (bool, error) {
	row, err := h.store.Q.EventLogMarkGet(ctx, h.store.Pool, dbsqlc.EventLogMarkGetParams{FamilyID: family, Seq: since})
	if err = db.Err(err, "event"); familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if mark.Is(row.EntityID, row.At) {
		return false, nil
	}
	h.logger.Info("a client resumes after an event the log no longer has under its since (the database went back, new events took the seq); it resyncs", "family_id", family, "since", since)
	return true, nil
}

// joinAheadHook, set by tests only, runs in Join when it tells of a
// client ahead of the database, after its reads of the family's seq.
var joinAheadHook atomic.Pointer[func()]

// delivered returns the last seq this replica delivered of the family (0:
// none here), the family's record (nil: none) and its rewinds count.
func (h *Hub) delivered(id uuid.UUID) (int64, *family, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if fam := h.families[id]; fam != nil {
		return fam.lastSeq, fam, fam.rewinds
	}
	return 0, nil, 0
}

// join is Join with the family's seq as read from the database (read: the
// seq and the database's clock then) and the missed count taken before
// that read: an event of the family may have been dispatched since.
func (h *Hub) join(p JoinParams, read dbsqlc.FamilySeqGetRow, missed int64) (*Join, error) {
	cur := read.Seq
	c := newClient(p)
	c.hub = h
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, familyhub.Errorf(familyhub.EUNAVAILABLE, "The server is shutting down; reconnect.")
	}
	if h.MaxPerUser > 0 && h.users[p.UserID] >= h.MaxPerUser {
		h.mu.Unlock()
		h.metrics.Refused.Inc()
		return nil, familyhub.Errorf(familyhub.ECONNLIMIT, "Too many live connections: this account has %d open on this server, the most allowed. Close other tabs or apps, or try again later.", h.MaxPerUser)
	}
	h.users[p.UserID]++
	fam := h.families[p.FamilyID]
	first := fam == nil
	if first {
		// The event under cur is not known, but it is older than the read
		// (markAt: a bound, rewind.go).
		fam = &family{lastSeq: cur, joinedSeq: cur, markAt: read.ReadAt, clients: map[*Client]struct{}{}}
		h.families[p.FamilyID] = fam
	}
	start := fam.lastSeq
	j := &Join{Client: c, Start: start, From: start}
	c.place(start, start, false)
	switch {
	case p.Since == nil:
	case *p.Since > cur || *p.Since < 0 || p.rewritten:
		// Not a seq of this family's history, or not under the event the
		// client saw there: it re-reads, and its events follow Start.
		j.Resync = true
	case *p.Since >= start:
		// The client saw events (on another replica) that this one has not
		// processed yet: deliver only what comes after them.
		j.Start, j.From = *p.Since, *p.Since
		c.place(*p.Since, *p.Since, false)
	default:
		// Resuming from behind: the log is read in pages before live events.
		j.From = *p.Since
		c.place(*p.Since, *p.Since, true)
	}
	fam.clients[c] = struct{}{}
	if h.sessions[p.SessionID] == nil {
		h.sessions[p.SessionID] = map[*Client]struct{}{}
	}
	h.sessions[p.SessionID][c] = struct{}{}
	if p.View != nil {
		h.setPresenceLocked(c, *p.View)
	} else {
		h.presence.joinedLocked(c)
	}
	if !c.expires.IsZero() {
		h.armExpiryLocked(c.expires)
	}
	h.clients.Add(1)
	h.metrics.Connections.WithLabelValues(p.Transport).Inc()
	h.mu.Unlock()
	if first && (missed < 0 || h.missed.Load() != missed) {
		// The family had no client here, and an event reached no one since
		// cur was read: if it was this family's, the log has it. Without
		// this it came only with the family's next event or the
		// cross-check, seconds later. Usually nothing was missed, and the
		// join reads nothing more.
		h.requestCatchUp(p.FamilyID)
	}
	if p.Role != "" && h.authGen.Load() != p.AuthGen {
		h.requestRecheck(p.UserID)
	}
	if c.lagging.Load() {
		h.metrics.CatchUps.Inc()
		c.queue.kick()
	}
	return j, nil
}

// Join is a registered client and what it must be sent first.
type Join struct {
	Client *Client
	Start  int64 // the hello seq
	Resync bool  // the client must re-fetch everything; events follow from Start
	// From is what the client has when the first messages are written:
	// every event up to From, none after. Start, except for a client
	// resuming from behind: its since, since the events after it up to
	// Start are still to come from the log (Client.Next). What a device
	// was sent, for push notifications, begins here.
	From int64
}

// Messages returns the first messages of a connection: hello, and resync
// when the client must re-fetch. A resuming client's missed events follow
// through Client.Next.
func (j *Join) Messages() []Message {
	msgs := []Message{{Data: helloMessage(j.Start)}}
	if j.Resync {
		msgs = append(msgs, Message{Data: resyncMessage(j.Start)})
	}
	return msgs
}

// Leave unregisters c. Transports call it when their connection ends,
// whatever ended it; calling it again does nothing.
func (h *Hub) Leave(c *Client) {
	h.mu.Lock()
	h.removeLocked(c)
	h.mu.Unlock()
	c.leaveOnce.Do(func() {
		// The connection counts against its user until here, not until a
		// logout or a shutdown removes it from the hub: its transport holds
		// its memory until it returns.
		h.mu.Lock()
		if h.users[c.UserID]--; h.users[c.UserID] <= 0 {
			delete(h.users, c.UserID)
		}
		h.mu.Unlock()
		c.release()
		h.metrics.Connections.WithLabelValues(c.Transport).Dec()
		h.clients.Done()
	})
}

func (h *Hub) removeLocked(c *Client) {
	if fam := h.families[c.FamilyID]; fam != nil {
		if _, ok := fam.clients[c]; ok {
			delete(fam.clients, c)
			h.presence.leftLocked(c)
		}
		if len(fam.clients) == 0 {
			if fam.gapTimer != nil {
				fam.gapTimer.Stop()
			}
			delete(h.families, c.FamilyID)
			if fam.lastSeq != fam.joinedSeq || len(fam.early) > 0 {
				// What this replica delivered of the family is forgotten,
				// and what it held (ahead of a missing event) dropped: a
				// join that read the family's seq before such an event
				// would start behind it and never get it (join compares
				// missed). A family that had no event here (a long poll's
				// wait) cannot have one.
				h.missed.Add(1)
			}
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
