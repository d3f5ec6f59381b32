package realtime

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// pageCache shares pages of the event log between the sockets that read
// them. Sockets of a family fall behind together (the same burst, the same
// overloaded moment) and ask for the same page: one query answers all of
// them, instead of one per socket multiplying the database's load exactly
// when it is busiest. Entries live for pageTTL.
type pageCache struct {
	mu      sync.Mutex
	entries map[pageKey]*pageEntry
	swept   time.Time
}

type pageKey struct {
	family uuid.UUID
	since  int64
}

type pageEntry struct {
	done chan struct{}
	at   time.Time
	rows []dbsqlc.EventLog // read-only once done
	err  error
}

const pageTTL = time.Second

// get returns up to PageSize logged events of family after since.
func (pc *pageCache) get(ctx context.Context, store *db.Store, family uuid.UUID, since int64) ([]dbsqlc.EventLog, error) {
	key := pageKey{family, since}
	now := time.Now()
	pc.mu.Lock()
	if pc.entries == nil {
		pc.entries = map[pageKey]*pageEntry{}
	}
	if now.Sub(pc.swept) > pageTTL {
		for k, e := range pc.entries {
			if now.Sub(e.at) > pageTTL {
				delete(pc.entries, k)
			}
		}
		pc.swept = now
	}
	e, ok := pc.entries[key]
	if ok && now.Sub(e.at) <= pageTTL {
		pc.mu.Unlock()
		select {
		case <-e.done:
			return e.rows, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e = &pageEntry{done: make(chan struct{}), at: now}
	pc.entries[key] = e
	pc.mu.Unlock()
	// Not the caller's context: other sockets wait for this query, and
	// the caller's socket may go away meanwhile. Nor would ending the read
	// with the socket save anything: pgx ends a statement whose context
	// ends by closing its connection, and the pool then opens and warms a
	// new one (db.Warm: more work than the page, an index range scan of at
	// most PageSize rows). So a page read runs to its end, bounded.
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	e.rows, e.err = store.EventLogListSince(qctx, dbsqlc.EventLogListSinceParams{FamilyID: family, Since: since, MaxEvents: PageSize})
	cancel()
	if e.err != nil {
		pc.mu.Lock()
		if pc.entries[key] == e {
			delete(pc.entries, key) // do not share a failure
		}
		pc.mu.Unlock()
	}
	close(e.done)
	return e.rows, e.err
}

// forget drops the family's pages: its database went back (rewind.go),
// and a page read before holds events it lost. Shared for up to pageTTL
// more, such a page handed a socket that read it right after the rewind
// the lost events, and with them the mark of a lost event, which its
// next resume took for another history: one needless resync. A read
// under way is not waited for; its waiters get what it reads, later
// callers read again. Called with the hub's lock held (the rewind's), so
// no page is read from the family's old cache after its sockets were
// resynced.
func (pc *pageCache) forget(family uuid.UUID) {
	pc.mu.Lock()
	for k := range pc.entries {
		if k.family == family {
			delete(pc.entries, k)
		}
	}
	pc.mu.Unlock()
}

// page returns c's next events from the event log while it is behind the
// live stream, and returns it to the live stream once it has caught up. A
// client whose position the log no longer holds is told to resync.
func (h *Hub) page(ctx context.Context, c *Client) ([]Message, error) {
	for {
		h.mu.Lock()
		// Events are queued under h.mu: what the queue holds now precedes
		// whatever a page would read (the dispatcher may have filled it
		// since the caller found it empty).
		if msgs := c.queue.take(); len(msgs) > 0 {
			h.mu.Unlock()
			return msgs, nil
		}
		fam := h.families[c.FamilyID]
		if !c.behind || fam == nil || c.ctx.Err() != nil {
			// Closed (a removed member, a revoked session): nothing more
			// from the log, whatever it is behind.
			h.mu.Unlock()
			return nil, nil
		}
		if c.cursor.Load() >= fam.lastSeq {
			// Caught up: live events from here on (and pongs name it).
			c.place(c.cursor.Load(), c.sent, false)
			h.mu.Unlock()
			return nil, nil
		}
		// upto: no further than the dispatcher got. A notice it has not
		// handled yet (a member's removal, a session's end) was committed
		// before the events after upto, which it has not handled either:
		// a page read past upto could hand a removed member an event
		// written after the removal, before the removal closes the client.
		since, sent, gen, upto := c.cursor.Load(), c.sent, c.topicsGen, fam.lastSeq
		h.mu.Unlock()

		rows, err := h.pages.get(ctx, h.store, c.FamilyID, since)
		if err != nil {
			return nil, db.Err(err, "")
		}
		if f := pageReadHook.Load(); f != nil {
			(*f)(c)
		}
		if len(rows) == 0 || rows[0].Seq != since+1 {
			// Pruned: the client must re-fetch; live events follow from
			// resume, which the resync names, so that the client's next
			// connection resumes from there and not from since again.
			// Also after a topics message went back (retopic.go): a resync
			// naming the new topics only would save the PWA no read (its
			// resync re-reads the page shown and /api/me, no more), and it
			// is rare: the PWA's since is at most a ping (25 s) old, and
			// the log keeps days.
			h.mu.Lock()
			if c.ctx.Err() != nil {
				// Closed during the read (a removed member, a revoked
				// session), as below: no resync. Before, a closed client
				// was resynced to the family's seq (through a record the
				// hub may have forgotten since), and an SSE stream wrote
				// that to a removed member before its close.
				h.mu.Unlock()
				return nil, nil
			}
			if !c.behind || c.cursor.Load() != since || c.topicsGen != gen {
				// A topics message moved the client meanwhile, and its
				// answer is queued: it goes first (see below).
				h.mu.Unlock()
				continue
			}
			resume := fam.lastSeq
			// Its pongs name the family's mark of resume when the hub
			// knows it (as resyncClientsLocked): the client, resuming
			// from the pong, has a mark to check. Left as it was, the
			// socket's mark was of an older event (events pass a socket
			// that reads from the log), and the pongs named none until
			// its next event. Unknown, the socket's own mark stays: a
			// pong names it only when it is of resume.
			if m := familyMark(fam, resume); m != nil {
				c.cursorMark.Store(m)
			}
			c.place(resume, resume, false)
			h.mu.Unlock()
			return []Message{{Data: resyncMessage(resume)}}, nil
		}
		var msgs []Message
		var skipped [numKinds]int64
		cursor := since
		var mark Mark // of the event under cursor
		for _, r := range rows {
			if r.Seq != cursor+1 || r.Seq > upto {
				break
			}
			cursor, mark = r.Seq, Mark{ID: r.EntityID, At: r.At}
			ev := eventFromLog(r)
			if !ev.For(c.UserID) {
				continue // another member's own: never sent (deliverLocked)
			}
			if !c.wants(&ev) {
				skipped[kindOf(ev.Type)] = ev.Seq
				continue
			}
			msgs = append(msgs, Message{Data: wireMessage(ev.wireBody(), sent), At: ev.At, Seq: ev.Seq})
			sent = ev.Seq
		}
		h.mu.Lock()
		if c.ctx.Err() != nil {
			h.mu.Unlock()
			return nil, nil // closed during the read: the page is not its any more
		}
		if !c.behind || c.cursor.Load() != since || c.topicsGen != gen {
			// A topics message moved the client meanwhile (retopic.go):
			// this page was filtered with the old topics, or from the old
			// position. Read again from where the client is now.
			h.mu.Unlock()
			continue
		}
		if cursor > since {
			c.cursorMark.Store(&seqMark{cursor, mark})
		}
		c.place(cursor, sent, true)
		for k, seq := range skipped {
			c.skipped[k] = max(c.skipped[k], seq)
		}
		h.mu.Unlock()
		if len(msgs) > 0 {
			return msgs, nil
		}
	}
}

// pageReadHook, set by tests only, runs in Hub.page after its read of the
// log, before it takes the hub's lock again.
var pageReadHook atomic.Pointer[func(*Client)]

// ErrNotMember is EventsSince's answer to a user who is no member of the
// family (removed, or left): the endpoints answer as to a removed
// member's session.
var ErrNotMember = errors.New("realtime: not a member of the family")

// Seq returns the family's current seq, as the database has it (what
// EventsSince answers with its events), without reading the log: a
// long-poll client's first request, which has no seq to resume from. It
// fails with a not-found error for an unknown family.
func (h *Hub) Seq(ctx context.Context, familyID uuid.UUID) (int64, error) {
	r, err := h.store.Q.FamilySeqGet(ctx, h.store.Pool, familyID)
	if err != nil {
		return 0, db.Err(err, "family")
	}
	return r.Seq, nil
}

// EventsSince returns the family's events after since with the family's
// current seq, or resync when since is outside the log or more than
// MaxDelta events back, or when mark (nil: not compared) names another
// event than the log's under since (Join's SinceMark): read with the
// others, one row more, no other statement. The delta and long-poll
// endpoints use it, for userID: ErrNotMember when the user is no member
// of the family, read with the seq in one snapshot (FamilySeqGetMember),
// and no event after that seq is read. So a member removed while a long
// poll woke up and came to read is never handed an event committed after
// the removal: an event the read hands out was committed before the
// snapshot that still saw the membership. Before, the poll checked its
// client's close, then read whatever the log held by then.
func (h *Hub) EventsSince(ctx context.Context, familyID, userID uuid.UUID, since int64, mark *Mark) ([]Event, int64, bool, error) {
	r, err := h.store.Q.FamilySeqGetMember(ctx, h.store.Pool, dbsqlc.FamilySeqGetMemberParams{FamilyID: familyID, UserID: userID})
	if err != nil {
		return nil, 0, false, db.Err(err, "family")
	}
	if !r.Member {
		return nil, 0, false, ErrNotMember
	}
	cur := r.Seq
	if since > cur || since < 0 || cur-since > MaxDelta {
		return nil, cur, true, nil
	}
	from := since
	if mark != nil && since > 0 {
		from = since - 1 // the event under since too, to compare
	}
	rows, err := h.store.EventLogListSince(ctx, dbsqlc.EventLogListSinceParams{FamilyID: familyID, Since: from, MaxEvents: int32(cur - from)})
	if err != nil {
		return nil, 0, false, db.Err(err, "")
	}
	if from < since && len(rows) > 0 && rows[0].Seq == since {
		if !mark.Is(rows[0].EntityID, rows[0].At) {
			return nil, cur, true, nil // another event under since: the history was written anew
		}
		rows = rows[1:]
	}
	if int64(len(rows)) != cur-since || (len(rows) > 0 && (rows[0].Seq != since+1 || rows[len(rows)-1].Seq != cur)) {
		return nil, cur, true, nil // pruned (or a gap: never past cur)
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = eventFromLog(r)
	}
	return events, cur, false, nil
}
