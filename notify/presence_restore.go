package notify

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// canaryRow is a presence row this replica wrote, as it wrote it.
type canaryRow struct {
	key    db.DevicePresenceKey
	family uuid.UUID
	until  time.Time // live_until written (zero: no canary)
	// closed: written not live. No refresh touches such a row, so it is
	// read back exactly as written; a live row's end only moves later.
	closed bool
}

// ended reports whether a not-live canary, written at c.until, is past
// PresenceTTL: a backup taken before its write had the row live until at
// most then, so no restore can bring it back live any more.
func (c canaryRow) ended(now time.Time, ttl time.Duration) bool {
	return c.closed && !now.Before(c.until.Add(ttl))
}

// Rewound says the family's database went back (a restore, a failover to
// a standby that had not got the last transactions; realtime's Hub.OnRewind):
// its devices showed no event after shown of the history the database now
// has, which writes new events under the seqs they were sent, and what
// this replica's sockets were sent until then is at most upto. What the
// devices were sent is lowered to shown here (what the sockets were sent up
// to upto counts as shown at most), and the family's rows of every
// replica in PostgreSQL by the next flush, before it writes: kept as they
// were, the events under the reused seqs were taken as shown and never
// pushed. Only the devices whose seqs it lowers are written again; the
// rows of every replica are lowered by one statement per flush, whatever
// the number of notes. Never blocks.
func (p *Presence) Rewound(familyID uuid.UUID, shown, upto int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	for _, d := range p.devices {
		if d.family != familyID {
			continue
		}
		// Only a device it lowers is written again: one at or below
		// shown has nothing to undo (its row, written by this replica,
		// is not above what it wrote). A join ahead of the database tells
		// of a claim no one else backs (shown = upto = the database's
		// seq): rewriting every device of the family for it let one client
		// have them all written at will, by reconnecting with a huge since.
		if d.seq > shown || d.written > shown {
			d.seq, d.written, d.dirty = min(d.seq, shown), min(d.written, shown), true
		}
		for t := range d.sockets {
			// rewindShown before rewindUpto: shown() reads upto first.
			ts := shown
			// A second rewind while the socket's seq is still one the
			// first covers: the lower holds. A socket sent past the first
			// (new events, after its resync) is no longer held by it: its
			// shown is the new note's. Held down, a note that lowers
			// nothing (a join ahead of the database: shown = upto, the
			// database's seq) brought the first rewind's shown back over
			// the events sent since, and the device was pushed them again.
			if u := t.rewindUpto.Load(); u > 0 && t.seq.Load() <= u {
				ts = min(ts, t.rewindShown.Load())
			}
			t.rewindShown.Store(ts)
			t.rewindUpto.Store(max(upto, t.rewindUpto.Load()))
		}
	}
	if p.rewinds == nil {
		p.rewinds = map[uuid.UUID]int64{}
	}
	if old, ok := p.rewinds[familyID]; ok {
		shown = min(shown, old)
	}
	p.rewinds[familyID] = shown
	if p.recheck == nil {
		p.recheck = map[uuid.UUID]struct{}{}
	}
	p.recheck[familyID] = struct{}{}
	if upto > shown {
		// This replica had delivered events the database no longer has
		// (realtime found it: the seq cross-check, the dispatcher, a
		// join's second read), not a client's word: the database went
		// back, for every family at once, also when the listener's
		// connection lived through it (a restore into the running
		// server: no OnServerChanged). Every live row is looked for, as
		// after DatabaseChanged: one read by the replica's index, at most
		// every PresenceTTL/refreshEvery. A note that only a client's
		// since backs (shown = upto) looks at its family alone.
		p.recheckAll = true
	}
	p.mu.Unlock()
	p.wake()
}

// putBack reads, at most every PresenceTTL/refreshEvery, which of this
// replica's rows are live in PostgreSQL for the families to recheck
// (Rewound; a refresh that found fewer rows than it expected: all), and
// returns them by family: flush writes a live device of such a family
// whose row is not among them again. A database that went back (a restore,
// a failover) lost the rows written after its backup, or has them as they
// were then, expired; the rewind's note lowers only the devices it
// lowers, and a live device left so counted as not live until its next
// write (up to PresenceTTL/3). A read, not a write: a note a client can
// cause (a join with a since ahead of the database) rewrites nothing that
// is there. The one write: a row read live of a device with no socket
// here is a closed device the restore has live, and is ended (endClosed).
// nil: nothing to recheck now (or the read failed: again later).
func (p *Presence) putBack(ctx context.Context, now time.Time, closing bool) map[uuid.UUID]map[deviceKey]struct{} {
	p.mu.Lock()
	if closing || len(p.recheck) == 0 && !p.recheckAll || now.Sub(p.rechecked) < p.s.cfg.PresenceTTL/refreshEvery {
		p.mu.Unlock()
		return nil
	}
	families := map[uuid.UUID]struct{}{}
	all := p.recheckAll
	if all {
		for _, d := range p.devices {
			families[d.family] = struct{}{}
		}
	} else {
		maps.Copy(families, p.recheck)
	}
	p.recheck, p.recheckAll, p.rechecked = nil, false, now
	p.mu.Unlock()
	// All: every live row of the replica (through its index), not the
	// members of a list of every family, compared one by one.
	var ids []uuid.UUID
	if !all {
		ids = slices.Collect(maps.Keys(families))
	}
	rows, err := p.s.store.DevicesLive(ctx, p.replica, now, ids)
	if err != nil {
		if ctx.Err() == nil {
			p.s.logger.Warn("reading device presence to put back lost rows failed; retried", "err", err, "families", len(families))
		}
		p.mu.Lock()
		if p.recheck == nil {
			p.recheck = map[uuid.UUID]struct{}{}
		}
		maps.Copy(p.recheck, families)
		p.recheckAll = p.recheckAll || all
		p.mu.Unlock()
		return nil
	}
	live := make(map[uuid.UUID]map[deviceKey]struct{}, len(families))
	for f := range families {
		live[f] = map[deviceKey]struct{}{}
	}
	var users []uuid.UUID
	var devices []string
	p.mu.Lock()
	for _, r := range rows {
		k := deviceKey{r.UserID, r.DeviceID}
		d := p.devices[k]
		if d == nil || len(d.sockets) == 0 {
			// Live in the database, no socket here: a closed device a
			// restore brought back live (its not-live write lost).
			users, devices = append(users, k.user), append(devices, k.device)
			continue
		}
		if live[d.family] != nil {
			live[d.family][k] = struct{}{}
		}
	}
	p.mu.Unlock()
	p.endClosed(ctx, now, users, devices)
	return live
}

// endClosed ends the replica's rows of devices that putBack read live
// with no socket open here: a restore from a backup taken before their
// last socket closed (before the not-live write) has them live, and they
// counted as showing every change, and were pushed none, for up to
// PresenceTTL. endRestored ends the canary's alone; the other closed
// devices' rows the restore had live stayed so. A device tracked after
// putBack's look is written live by the same flush, after this; only this
// replica writes its rows, and only in flush (flushMu is held). Not
// retried: such a row ends by itself at its live_until.
func (p *Presence) endClosed(ctx context.Context, now time.Time, users []uuid.UUID, devices []string) {
	if len(users) == 0 {
		return
	}
	_, err := p.s.store.Q.NotifyPresenceRowsEnd(ctx, p.s.store.Pool, dbsqlc.NotifyPresenceRowsEndParams{
		Now: now, Replica: p.replica, UserIds: users, DeviceIds: devices,
	})
	if err != nil && ctx.Err() == nil {
		p.s.logger.Warn("ending closed devices' presence rows a restore brought back live failed", "err", err, "devices", len(users))
	}
}

// probeCanary reads, at most every PresenceTTL/refreshEvery, the row this
// replica last wrote (one primary-key probe): gone, or not as written,
// the database went back (a restore into the running server: no start
// time changed, and a family that lost no event gives no rewind note),
// and every live row is looked for at once (putBack, in this flush).
// Before, the rows such a restore took waited for their refresh, up to
// PresenceTTL/3. A live row read back must be live until no earlier than
// written (a refresh only moves its end later); a row written not live
// exactly as written (no refresh touches it): a restore from a backup
// taken before the device was written not live has it live. Such a
// canary is probed for PresenceTTL after its write (canaryRow.ended),
// then the last row written live is again. A refresh that ends a former
// member's row ends the canary, and the next write makes another.
func (p *Presence) probeCanary(ctx context.Context, now time.Time, closing bool) {
	ttl := p.s.cfg.PresenceTTL
	if p.canary.ended(now, ttl) {
		p.canary = p.lastLive
	}
	c := p.canary
	if closing || c.until.IsZero() || now.Sub(p.probed) < ttl/refreshEvery {
		return
	}
	p.probed = now
	until, ok, member, err := p.s.store.DeviceLiveUntil(ctx, p.replica, c.family, c.key)
	if err != nil {
		if ctx.Err() == nil {
			p.s.logger.Warn("reading this replica's last device presence row failed", "err", err)
		}
		return
	}
	// PostgreSQL keeps microseconds (the time written is cut to them):
	// compared with the nanoseconds written, every row read back was
	// "older", and each new canary warned of a restore.
	written := c.until.Truncate(time.Microsecond)
	if ok && (until.Equal(written) || !c.closed && until.After(written)) {
		return
	}
	p.canary, p.lastLive = canaryRow{}, canaryRow{}
	if !ok && !member {
		// Gone with its family (deleted) or its member's account (the
		// rows cascade), or its member removed: ended, not lost. No
		// alarm; the next write makes another canary.
		return
	}
	p.s.logger.Warn("the device presence row this replica wrote last is gone or not as written (a restore?); putting the live rows back", "found", ok, "written_live", !c.closed)
	p.recheckEverything()
	if ok && c.closed && until.After(now) {
		p.endRestored(ctx, c, until, now)
	}
}

// endRestored ends the canary row c, written not live (its device's last
// socket closed) and read back live until restored: a restore from a
// backup taken before that write brought the closed device back live.
// Left so, it showed as online, and was pushed nothing, until restored
// (up to PresenceTTL). A device of c's key open here again is left: it is
// live, and this flush writes its row (a device tracked after this look
// is written by this flush's batch, after the end). The statement ends
// the row only as read (live until restored), and only this replica's:
// the device open on another replica has its own row there. flushMu is
// held.
func (p *Presence) endRestored(ctx context.Context, c canaryRow, restored, now time.Time) {
	p.mu.Lock()
	d := p.devices[deviceKey{c.key.UserID, c.key.DeviceID}]
	open := d != nil && len(d.sockets) > 0
	p.mu.Unlock()
	if open {
		return
	}
	_, err := p.s.store.Q.NotifyPresenceRowEnd(ctx, p.s.store.Pool, dbsqlc.NotifyPresenceRowEndParams{
		Now: now, UserID: c.key.UserID, DeviceID: c.key.DeviceID, Replica: p.replica, Restored: restored,
	})
	if err != nil && ctx.Err() == nil {
		// Not retried: the row ends by itself at restored, at most
		// PresenceTTL from now.
		p.s.logger.Warn("ending the closed device's presence row a restore brought back live failed", "err", err)
	}
}

// endCanary forgets the canary rows of k, which a refresh ended (its
// member left the family). flushMu is held.
func (p *Presence) endCanary(k db.DevicePresenceKey) {
	if p.canary.key == k {
		p.canary = canaryRow{}
	}
	if p.lastLive.key == k {
		p.lastLive = canaryRow{}
	}
}

// DatabaseChanged says the database server may have lost what was
// committed shortly before, for every family at once: realtime's listener
// reconnected to a server that restarted or is another one (a restore, a
// failover; Listener.OnServerChanged). A lost row of a live device whose
// family had no event lost (so no rewind note names it) counted as not
// live until its refresh found it missing, up to PresenceTTL/3 later: now
// the next flush reads every live row of the replica (one statement,
// NotifyPresenceLiveRowsAll through the index on replica) and writes only
// the live devices whose row is missing or expired. Nil-safe; never
// blocks.
func (p *Presence) DatabaseChanged() {
	if p == nil {
		return
	}
	p.recheckEverything()
}

// recheckEverything has the next flush look for every live device's row
// and put back those missing or expired (putBack). Never blocks.
func (p *Presence) recheckEverything() {
	p.mu.Lock()
	p.recheckAll = true
	p.mu.Unlock()
	p.wake()
}

// lowerRewound lowers the rows of the families whose database went back
// (Rewound) and reports whether it did; if not, they are lowered by the
// next flush.
func (p *Presence) lowerRewound(ctx context.Context, rewinds map[uuid.UUID]int64) bool {
	families := make([]uuid.UUID, 0, len(rewinds))
	seqs := make([]int64, 0, len(rewinds))
	for f, seq := range rewinds {
		families, seqs = append(families, f), append(seqs, seq)
	}
	err := p.s.store.DevicesRewound(ctx, families, seqs)
	if err == nil {
		return true
	}
	if ctx.Err() == nil {
		p.s.logger.Warn("lowering the device presence of families whose database went back failed; retried", "err", err, "families", len(families))
	}
	p.mu.Lock()
	if p.rewinds == nil {
		p.rewinds = map[uuid.UUID]int64{}
	}
	for f, seq := range rewinds {
		if old, ok := p.rewinds[f]; ok {
			seq = min(seq, old)
		}
		p.rewinds[f] = seq
	}
	p.mu.Unlock()
	return false
}

// presenceKeep is how long a device's row is kept after it stopped being
// live (prunePresence).
const presenceKeep = 24 * time.Hour

// prunePresence deletes the presence rows not live and not written for
// the shorter of Retention and presenceKeep (Scan). Presence rows are one
// per device and replica process, so every restart leaves a set behind; a
// closed row answers only notices decided soon after (within the list
// fold, or after quiet hours). But never a row written within
// 2*PresenceTTL: a replica probes the row it wrote last, closed, for
// PresenceTTL after its write (probeCanary), and a canary the prune
// deleted read as a restore's loss, with a warning and a read of every
// live row, whenever Retention was shorter than PresenceTTL. Twice: the
// row's updated_at is the database's clock, the canary's end the
// replica's.
func (s *Service) prunePresence(ctx context.Context) error {
	keep := max(min(s.cfg.Retention, presenceKeep), 2*s.cfg.PresenceTTL)
	_, err := s.store.Q.NotifyPresencePrune(ctx, s.store.Pool, s.now().Add(-keep))
	return db.Err(err, "")
}
