package realtime

// A database that went back: a restore from a backup, or a failover to a
// standby that had not got the last transactions, loses events that the
// replicas delivered, and the family's next events take the lost seqs
// again (docs/realtime.md, "A database that went back"). The seq
// cross-check, a join resuming from ahead of the database, the dispatcher
// and a catch-up (an event under a delivered seq that is another one) find
// it.

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// crossCheckReadHook, set by tests only, runs in crossCheck between its
// look at the families and its read of the database.
var crossCheckReadHook atomic.Pointer[func()]

// rewindNote is a family found to have gone back, for Hub.OnRewind.
type rewindNote struct {
	family      uuid.UUID
	shown, upto int64
}

// crossCheck compares each local family with the database, in one query:
//
//   - a family whose database seq of the previous check has still not been
//     delivered lost a notification (a crash between commit and
//     announcement, a frozen connection) and is caught up from the log;
//   - a family whose database seq is below what this replica had delivered
//     before the read began lost committed events (a restore, a
//     failover): it is forgotten and its sockets reconnect (rewoundLocked);
//   - a family whose log holds another event under the seq this replica
//     last delivered went back too, and new events took the lost seqs
//     before this check: its seq alone shows nothing. Its sockets are told
//     in band to read everything again (resyncLocked). With no event
//     delivered here since the family's first join, the event is not
//     known, but its time is bounded: the join's read of the seq
//     (FamilySeqGet's read_at) came after it, so a later time is another
//     event.
//
// The events are told apart by their time (clock_timestamp() at commit,
// to the microsecond) and entity, read with the seqs: one probe of
// event_log's primary key per family, in the same statement. A family the
// dispatcher or a catch-up found rewound meanwhile is left to the next
// check (family.rewinds).
func (h *Hub) crossCheck(ctx context.Context) error {
	type look struct {
		fam     *family
		seq     int64
		at      time.Time
		mark    uuid.UUID
		rewinds int
	}
	h.mu.Lock()
	ids := make([]uuid.UUID, 0, len(h.families))
	seqs := make([]int64, 0, len(h.families))
	looked := make(map[uuid.UUID]look, len(h.families))
	for id, fam := range h.families {
		ids = append(ids, id)
		seqs = append(seqs, fam.lastSeq)
		looked[id] = look{fam, fam.lastSeq, fam.markAt, fam.markID, fam.rewinds}
	}
	h.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	if f := crossCheckReadHook.Load(); f != nil {
		(*f)()
	}
	rows, err := h.store.Q.FamilySeqList(ctx, h.store.Pool, dbsqlc.FamilySeqListParams{FamilyIds: ids, Seqs: seqs})
	if err != nil {
		return db.Err(err, "")
	}
	var rewinds []rewindNote
	var behind []uuid.UUID
	h.mu.Lock()
	for _, r := range rows {
		l := looked[r.FamilyID]
		fam := h.families[r.FamilyID]
		if fam == nil || fam != l.fam || fam.rewinds != l.rewinds {
			// Forgotten since the look, perhaps made anew: its sockets
			// joined from a read of the database after the look (a join
			// that found the database behind resynced them from it). Or
			// the dispatcher found the family rewound and resynced its
			// sockets since. The next check looks at it.
			continue
		}
		switch {
		case r.Seq < l.seq:
			rewinds = append(rewinds, h.rewoundLocked(r.FamilyID, fam, r.Seq))
			continue
		case r.DeliveredAt == nil:
			// The log no longer holds the event (pruned), or the family
			// has none: nothing to compare.
		case l.mark == uuid.Nil && !l.at.IsZero() && r.DeliveredAt.After(l.at):
			// Not known, but the log's event under l.seq was written
			// after the first join read the family's seq (l.at): the
			// database went back, and new events pushed its seq past
			// what the join read before this check.
			at, id := markAfterCheck(fam, l.seq, r)
			rewinds = append(rewinds, h.resyncLocked(r.FamilyID, fam, l.seq-1, at, id))
		case l.mark == uuid.Nil:
			// Not known yet (a first join reads the seq only): the log's
			// event under it is the mark, unless an event came since.
			if fam.lastSeq == l.seq && fam.markID == uuid.Nil {
				fam.markAt, fam.markID = *r.DeliveredAt, *r.DeliveredID
			}
		case !r.DeliveredAt.Equal(l.at) || *r.DeliveredID != l.mark:
			// The event under l.seq is not the one delivered: the history
			// went back before it.
			at, id := markAfterCheck(fam, l.seq, r)
			rewinds = append(rewinds, h.resyncLocked(r.FamilyID, fam, l.seq-1, at, id))
		}
		if fam.observed > fam.lastSeq {
			behind = append(behind, r.FamilyID)
		}
		fam.observed = r.Seq
	}
	h.mu.Unlock()
	h.rewindsDone(rewinds)
	for _, id := range behind {
		h.logger.Info("family seq ahead of delivered events without a notification; catching up", "family_id", id)
		h.requestCatchUp(id)
	}
	return nil
}

// markAfterCheck returns the mark fam keeps when a cross-check that looked
// at seq finds the history went back (row r): the log's event under seq
// when that is still the last delivered, else the mark of the event
// delivered since the look (from the database as it is now). The log's
// event under seq taken for the mark of a later lastSeq made the next
// check, or a catch-up, find the event at lastSeq "another one" and
// resync the family again. h.mu is held.
func markAfterCheck(fam *family, seq int64, r dbsqlc.FamilySeqListRow) (time.Time, uuid.UUID) {
	if fam.lastSeq != seq {
		return fam.markAt, fam.markID
	}
	return *r.DeliveredAt, *r.DeliveredID
}

// rewound forgets fam (h.families[id] when its last delivered seq was read,
// with fam.rewinds then) if it is still the family's record, for a
// database seq cur below what was delivered (rewoundLocked), and reports
// whether it did. A record made anew since was made from a later read: its
// sockets are left alone; so are those the dispatcher resynced since.
func (h *Hub) rewound(id uuid.UUID, fam *family, gen int, cur int64) bool {
	h.mu.Lock()
	if h.families[id] != fam || fam == nil || fam.rewinds != gen {
		h.mu.Unlock()
		return false
	}
	r := h.rewoundLocked(id, fam, cur)
	h.mu.Unlock()
	h.rewindsDone([]rewindNote{r})
	return true
}

// rewoundLocked forgets a family whose seq in the database (cur) is below
// what this replica delivered of it: its history after cur was lost and is
// written anew under the same seqs, which the replica would drop as
// delivered and its sockets, whose positions are past cur, would skip.
// They are closed with CloseRestart ("reconnect with since"): they come
// back (to any replica), find their since above the database's seq and
// resync from it, as does the join that found it. h.mu is held.
func (h *Hub) rewoundLocked(id uuid.UUID, fam *family, cur int64) rewindNote {
	h.logger.Warn("family seq in the database is below what this replica delivered (a restore or failover lost events); its sockets resync", "family_id", id, "db_seq", cur, "delivered_seq", fam.lastSeq)
	r := rewindNote{family: id, shown: cur, upto: fam.lastSeq}
	h.pages.forget(id) // pages read before hold lost events
	for c := range fam.clients {
		c.Close(CloseRestart, "events were lost: reconnect with since")
		h.removeLocked(c)
	}
	return r
}

// resyncLocked tells fam's sockets in band to read everything again: the
// database went back and new events took the lost seqs before this replica
// noticed, so what it delivered under those seqs is not what the database
// has, and the new events it dropped as delivered. Closed, the sockets
// would resume from a since the database holds, on any replica, and skip
// them. They stay where the family is (lastSeq): a resync naming it, then
// the events after it. The mark (at, entity) is the event under lastSeq
// in the history the sockets read again (markAfterCheck). shown: the devices were shown no event of the new history
// after it. h.mu is held.
func (h *Hub) resyncLocked(id uuid.UUID, fam *family, shown int64, at time.Time, entity uuid.UUID) rewindNote {
	n := fam.lastSeq
	h.logger.Warn("the event log holds other events than this replica delivered under their seqs (a restore or failover lost events, new ones took their seqs); the family's sockets resync", "family_id", id, "seq", n)
	fam.markAt, fam.markID = at, entity
	fam.rewinds++
	h.pages.forget(id) // pages read before hold lost events
	resyncClientsLocked(fam, n)
	return rewindNote{family: id, shown: min(shown, n), upto: n}
}

// resyncClientsLocked places fam's sockets at n and sends each a resync
// naming it: read everything again, the next event follows n. h.mu is held.
func resyncClientsLocked(fam *family, n int64) {
	msg := resyncMessage(n)
	// The mark a pong or topics answer names with n: the event the
	// database holds under n now (the family's mark), or none when it is
	// not known. Left as it was, a socket's mark under n was the lost
	// event's, and the client's next resume from the pong, taking it for
	// another history, resynced again.
	mark := familyMark(fam, n)
	for c := range fam.clients {
		c.skipped = [numKinds]int64{}
		c.cursorMark.Store(mark)
		c.place(n, n, false)
		c.Reply(msg) // after what is queued; a socket whose queue is full even for this is closed (4008)
	}
}

// familyMark is the mark of the event under n as fam knows it (the event
// at its lastSeq), nil when n is another seq or the event is not known.
// h.mu is held.
func familyMark(fam *family, n int64) *seqMark {
	if fam.lastSeq != n || fam.markID == uuid.Nil {
		return nil
	}
	return &seqMark{n, Mark{ID: fam.markID, At: fam.markAt}}
}

// reusedLocked reports whether ev, under a seq this replica delivered of
// fam (ev.Seq <= fam.lastSeq), is another event than the one it delivered
// there: the database went back and a new event took the seq. Normally
// such an event is one delivered already (a catch-up and the live notice
// both brought it). Events are numbered in commit order, each at its
// commit's clock_timestamp(), so an event under an earlier seq is never
// later than the one delivered last (markAt): a later one is new. The one
// under lastSeq itself is compared whole (time and entity). Nothing is
// read: the notice carries both. h.mu is held.
func reusedLocked(fam *family, ev *Event) bool {
	switch {
	case fam.markAt.IsZero() || ev.At.IsZero():
		return false
	case ev.Seq == fam.lastSeq && fam.markID != uuid.Nil:
		return ev.ID != fam.markID || !ev.At.Equal(fam.markAt)
	default:
		return ev.At.After(fam.markAt)
	}
}

// steppedBackLocked handles ev, an event under a seq this replica
// delivered that is another one (reusedLocked): the family steps back to
// the seq before it, its sockets are told in band to read everything again
// from there, and ev is then delivered as the next event, the family's
// later ones after it. Closed, the sockets would resume from a since the
// database holds and skip ev. The devices were shown no event of the new
// history after ev.Seq-1 (as far as this replica knows: events under
// earlier lost seqs may be new too). h.mu is held.
func (h *Hub) steppedBackLocked(id uuid.UUID, fam *family, ev *Event) rewindNote {
	n, upto := ev.Seq-1, fam.lastSeq
	h.logger.Warn("an event came under a seq this replica delivered, and it is another one (a restore or failover lost events, new ones took their seqs); the family's sockets resync", "family_id", id, "seq", ev.Seq, "delivered_seq", upto)
	fam.lastSeq, fam.markAt, fam.markID = n, time.Time{}, uuid.Nil
	fam.rewinds++
	h.pages.forget(id) // pages read before hold lost events
	resyncClientsLocked(fam, n)
	return rewindNote{family: id, shown: n, upto: upto}
}

// rewindsDone tells OnRewind of the families found to have gone back.
func (h *Hub) rewindsDone(rs []rewindNote) {
	if h.OnRewind == nil {
		return
	}
	for _, r := range rs {
		h.OnRewind(r.family, r.shown, r.upto)
	}
}
