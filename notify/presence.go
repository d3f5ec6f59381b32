package notify

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// Presence records, per device, what this replica's realtime sockets show
// it: whether one is open and the topics they listen to, and, once the
// last one closed, the highest event seq they were sent. A transport
// registers each socket with Track and reports every event it wrote;
// nothing here blocks the transport (an atomic per socket).
//
// A socket is sent every event of its topics in order, without gaps, and
// is closed when it cannot keep up: while one is open on a list, its
// device shows every change of the list within moments. So a device's row
// in PostgreSQL (one per device and replica, db.Store.DevicesSeen) is
// written only when that answer changes: a socket opens, its subscriptions
// change, the last one closes (with the seq it was sent), the replica
// stops; and about every PresenceTTL/3 while one is open, since a device
// counts as live for PresenceTTL after its last write (a replica that dies
// cannot say its sockets closed). Events sent to an open socket write
// nothing. The periodic refresh of a device with nothing new (no seq
// sent since its last write) is not a write of its row: one statement
// every refreshEvery extends all such rows of the replica at once
// (db.Store.DevicesRefresh). Writing each one's row again, 1 in 30 of the
// devices every second, was most of an idle replica's garbage
// (docs/benchmarks.md, "Idle sockets").
type Presence struct {
	s       *Service
	replica uuid.UUID // this process's rows

	mu      sync.Mutex
	devices map[deviceKey]*device
	// rewinds are the families whose database went back (Rewound), with
	// the seq their devices' rows are lowered to by the next flush.
	rewinds map[uuid.UUID]int64
	// recheck are the families whose live devices' rows a flush looks
	// for (a rewind, or a refresh that found fewer rows than it expected:
	// recheckAll, every family here), putting back those the database
	// lost or left expired; see putBack.
	recheck    map[uuid.UUID]struct{}
	recheckAll bool
	kick       chan struct{}
	flushes    atomic.Int64 // see Flushes

	// Used by flush only (one goroutine, run), kept between flushes: a
	// flush looks over every device every PresenceFlush (1 s), and one
	// that allocated per device made an idle replica's garbage, 0.4 MiB a
	// second at 10,000 sockets, which grew its RSS between collections
	// (docs/benchmarks.md, seventeenth round, idle sockets). flushMu
	// guards them: tests flush beside run.
	flushMu      sync.Mutex
	open, closed []*Tracker
	batch        []db.DeviceSeen
	refreshed    time.Time // the last refresh statement (refreshEvery)
	rechecked    time.Time // the last read of putBack (refreshEvery)
	// canary is the last row this replica wrote (probeCanary), probed at
	// most every PresenceTTL/refreshEvery, at probed; lastLive the last
	// it wrote live, the canary again once a not-live canary is past
	// (canaryRow.ended).
	canary, lastLive canaryRow
	probed           time.Time
}

// refreshEvery is how often, at most, a replica refreshes its live devices
// with nothing new, as a fraction of PresenceTTL (5 s of the default
// 90 s): each refresh takes the rows that would be due before the next,
// so a live row is extended when PresenceTTL*2/3 to PresenceTTL*2/3 -
// PresenceTTL/18 of it is left (60-55 s of 90), as before within a flush.
const refreshEvery = 18

// presenceBatchKeep bounds the batch slice a flush keeps for the next:
// the refreshes of a second (a third of the devices every PresenceTTL/3,
// spread over time), not the replica's opening, when every device is new.
const presenceBatchKeep = 1024

// Flushes returns how many times presence was looked over for writing
// since the replica started (tests wait on it instead of sleeping).
func (p *Presence) Flushes() int64 { return p.flushes.Load() }

type deviceKey struct {
	user   uuid.UUID
	device string
}

type device struct {
	family   uuid.UUID
	sockets  map[*Tracker]struct{}
	seq      int64     // the highest seq its sockets here were sent
	written  int64     // seq last written
	liveTill time.Time // live_until last written (zero: not written live)
	dirty    bool      // a socket opened, closed or changed topics since the last write
	topics   []string  // of the last write (nil: every event)
	refresh  bool      // in the refresh statement of the flush running (flushMu)
	// former: the refresh found its member gone from the family and
	// ended its row (at formerAt). Its open sockets are being closed by
	// the removal (realtime); meanwhile it is neither written nor
	// refreshed, and so not counted as a row the database lost. A socket
	// still open PresenceTTL later was not closed by it, nor by the hub's
	// re-check of every connection (every minute, realtime.RecheckEvery):
	// the member was let in again (added back while the listener was
	// away, its notice lost), and the device is written again; if that
	// write is skipped (still no member: the re-check is off), it is a
	// former member's device again (writeBatch).
	former   bool
	formerAt time.Time
}

// socketTopics returns the topics the sockets listen to together (nil:
// every event, when one of them gets everything).
func socketTopics(sockets []*Tracker) []string {
	var topics []string
	for _, t := range sockets {
		var ts []string
		if t.topics != nil {
			ts = t.topics()
		}
		if len(ts) == 0 {
			return nil
		}
		for _, x := range ts {
			if !slices.Contains(topics, x) {
				topics = append(topics, x)
			}
		}
	}
	return topics
}

// flushReadHook, set by tests only, runs in flush between its reads of a
// socket's closed flag and its seq.
var flushReadHook atomic.Pointer[func(t *Tracker)]

// Tracker is one socket's report to Presence.
type Tracker struct {
	p       *Presence
	topics  func() []string
	seq     atomic.Int64
	changed atomic.Bool // opened, or topics changed: write the device
	closed  atomic.Bool // see Close
	// After Rewound: a seq up to rewindUpto was sent before the database
	// went back (or is the resync that followed) and counts as no more
	// than rewindShown; 0: no rewind. See shown.
	rewindUpto, rewindShown atomic.Int64
}

// Seen records that the socket was sent the event with this seq. Safe to
// call from any goroutine; nil-safe. It writes nothing by itself: the seq
// is written when the socket closes (or with the device's next write).
func (t *Tracker) Seen(seq int64) {
	if t == nil {
		return
	}
	for {
		cur := t.seq.Load()
		if seq <= cur || t.seq.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// shown returns the seq the socket's device showed as far as notice
// decisions go: its last Seen, unless that was sent before its family's
// database went back (Rewound): then no more than what the rewind left. The
// seq is a maximum kept by Seen without a lock, so a late Seen of an event
// of the lost history (a batch written as the rewind was found) could not
// be undone by lowering it: it is read through the rewind instead.
func (t *Tracker) shown() int64 {
	seq := t.seq.Load()
	if upto := t.rewindUpto.Load(); upto > 0 && seq <= upto {
		return min(seq, t.rewindShown.Load())
	}
	return seq
}

// Close says the socket is gone and every message written to it was
// reported (Seen): its device's seq is final and written soon. The
// transport calls it once it writes nothing more, not when the server
// asks for the close (Client.Close ends the client's context at once,
// while a batch written just before may not be counted yet: a device
// recorded then was pushed the event it showed). Nil-safe; never blocks.
func (t *Tracker) Close() {
	if t == nil {
		return
	}
	t.closed.Store(true)
	t.p.wake()
}

// TopicsChanged says the socket's subscriptions changed: its device is
// written with the new ones soon. Nil-safe; never blocks.
func (t *Tracker) TopicsChanged() {
	if t == nil {
		return
	}
	t.changed.Store(true)
	t.p.wake()
}

func newPresence(s *Service) *Presence {
	return &Presence{s: s, replica: uuid.New(), devices: map[deviceKey]*device{}, kick: make(chan struct{}, 1)}
}

func (p *Presence) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Track registers an open socket of a member's device; call Close once
// the socket is gone and its writes are counted. start is the seq the socket
// began at (its hello: a fresh page shows the state of then); topics
// returns its current subscriptions (nil: every event); call
// TopicsChanged when they change. Without a device id nothing is tracked
// (nil is returned; its methods do nothing).
func (p *Presence) Track(familyID, userID uuid.UUID, deviceID string, start int64, topics func() []string) *Tracker {
	if p == nil || deviceID == "" || userID == uuid.Nil {
		return nil
	}
	t := &Tracker{p: p, topics: topics}
	t.seq.Store(start)
	t.changed.Store(true)
	k := deviceKey{userID, deviceID}
	p.mu.Lock()
	d := p.devices[k]
	if d == nil {
		d = &device{family: familyID, sockets: map[*Tracker]struct{}{}}
		p.devices[k] = d
	}
	if d.family != familyID { // another family's seqs
		d.family, d.seq, d.written = familyID, 0, 0
	}
	d.sockets[t] = struct{}{}
	d.former = false // let in again: a member now
	p.mu.Unlock()
	p.wake() // write the new live device soon
	return t
}

func (p *Presence) run(ctx context.Context) {
	tick := time.NewTicker(p.s.cfg.PresenceFlush)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// This replica stops: its devices are no longer live here.
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			p.flush(final, true)
			cancel()
			return
		case <-tick.C:
		case <-p.kick:
		}
		p.flush(ctx, false)
	}
}

// flush writes what changed: devices with a new socket or new topics,
// live devices due for a refresh, devices whose last socket closed (or
// all, at shutdown). A device that was only sent newer events is not
// written.
func (p *Presence) flush(ctx context.Context, closing bool) {
	defer p.flushes.Add(1)
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	now := p.s.now()
	ttl := p.s.cfg.PresenceTTL
	batch := p.batch[:0]
	defer func() {
		clear(batch) // the topics
		if cap(batch) <= presenceBatchKeep {
			p.batch = batch[:0]
		} else {
			p.batch = nil
		}
	}()
	var gone []deviceKey
	// A refresh runs at most every PresenceTTL/refreshEvery and takes the
	// live devices that would be due before the next one: less than
	// PresenceTTL*2/3 left by then.
	refresh := !closing && now.Sub(p.refreshed) >= ttl/refreshEvery
	refreshDue := now.Add(ttl * 2 / 3)
	if refresh {
		refreshDue = refreshDue.Add(ttl / refreshEvery)
	}
	refreshes := 0
	p.probeCanary(ctx, now, closing)
	lost := p.putBack(ctx, now, closing)
	p.mu.Lock()
	// Taken with the devices' seqs, which Rewound lowered first: the rows
	// are lowered before this batch is written, and after every batch of
	// the seqs before (flushMu): none of them raises a row again.
	rewinds := p.rewinds
	p.rewinds = nil
	defer func() { clear(p.open[:cap(p.open)]); clear(p.closed[:cap(p.closed)]) }()
	for k, d := range p.devices {
		open, closed := p.open[:0], p.closed[:0]
		for t := range d.sockets {
			// closed before seq: the transport's last Seen comes before
			// its Close, so a socket read as closed is read with its final
			// seq. In the other order a Seen and Close between the two
			// reads dropped the socket one event short, the device was
			// recorded as not shown that event and pushed it.
			isClosed := t.closed.Load()
			if f := flushReadHook.Load(); f != nil {
				(*f)(t)
			}
			d.seq = max(d.seq, t.shown())
			if t.changed.Swap(false) {
				d.dirty = true
			}
			if isClosed {
				delete(d.sockets, t)
				closed = append(closed, t)
				d.dirty = true // its seq is written (one of several closed)
			} else {
				open = append(open, t)
			}
		}
		p.open, p.closed = open, closed
		live := len(open) > 0 && !closing
		if _, ok := lost[d.family]; ok && live && !d.liveTill.IsZero() {
			if _, there := lost[d.family][k]; !there {
				d.dirty = true // its live row is gone or expired: written again
			}
		}
		if d.former && live && now.Sub(d.formerAt) >= ttl {
			// Not closed by the removal: a member again (the upsert
			// writes members' rows only).
			d.former, d.dirty = false, true
		}
		var write bool
		seen := db.DeviceSeen{FamilyID: d.family, UserID: k.user, DeviceID: k.device, Seq: d.seq}
		switch {
		case !live:
			write = d.seq > d.written || !d.liveTill.IsZero() || d.dirty
			seen.LiveUntil = now
			if len(d.sockets) == 0 || closing {
				gone = append(gone, k)
			}
		case d.former:
			continue // its member left: its row is ended, its sockets closing
		default:
			// Due for a refresh: written in full when it has a newer seq
			// (what a device showed is known if this replica dies), else by
			// the refresh statement, if one runs in this flush.
			due := d.liveTill.Before(refreshDue)
			write = d.dirty || d.liveTill.IsZero() || due && d.seq > d.written
			seen.LiveUntil = now.Add(ttl)
			if !write && due && refresh {
				d.refresh = true
				refreshes++
			}
		}
		if !write {
			continue
		}
		// The device's topics: those of its open sockets; once none is
		// open, those of the last to close (what they were sent), kept
		// for a retry of the write.
		switch {
		case len(open) > 0:
			d.topics = socketTopics(open)
		case len(closed) > 0:
			d.topics = socketTopics(closed)
		}
		seen.Topics = d.topics
		batch = append(batch, seen)
	}
	p.mu.Unlock()
	ok := p.writeBatch(ctx, batch, rewinds, gone, now, closing)
	// The refresh comes after the batch, and only once it is written: a
	// device whose last socket closed is written as not live by it, and a
	// refresh before (or after a failed write) would extend its row.
	if refreshes > 0 {
		p.refreshDevices(ctx, ok, now, refreshDue, refreshes)
	}
}

// writeBatch is the end of flush: it lowers the rows of the families whose
// database went back, writes the batch and forgets the devices gone; false
// when a write failed (the next flush tries again).
func (p *Presence) writeBatch(ctx context.Context, batch []db.DeviceSeen, rewinds map[uuid.UUID]int64, gone []deviceKey, now time.Time, closing bool) bool {
	if len(rewinds) > 0 && !p.lowerRewound(ctx, rewinds) {
		return false // the batch waits: written now, its rows would stay high (dirty stays)
	}
	if len(batch) == 0 {
		return true
	}
	skipped, err := p.s.store.DevicesSeen(ctx, p.replica, batch)
	if err != nil {
		if ctx.Err() == nil {
			p.s.logger.Warn("recording device presence failed; retried", "err", err, "devices", len(batch))
		}
		return false // nothing marked written: the next flush tries again (dirty stays)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var former map[deviceKey]struct{}
	for _, k := range skipped {
		// Not written: its member is not in the family (the upsert writes
		// members' rows only). A live one is a former member's device
		// again, its sockets still open (the removal's notice was lost and
		// no re-check closed them: RecheckEvery < 0), and taken for written
		// live its missing row looked like a restore's loss at its next
		// refresh. Looked at again a PresenceTTL later.
		dk := deviceKey{k.UserID, k.DeviceID}
		if d := p.devices[dk]; d != nil && len(d.sockets) > 0 && !closing {
			d.former, d.formerAt, d.dirty, d.liveTill = true, now, false, time.Time{}
			if former == nil {
				former = map[deviceKey]struct{}{}
			}
			former[dk] = struct{}{}
		}
	}
	for _, b := range batch {
		if _, ok := former[deviceKey{b.UserID, b.DeviceID}]; ok {
			continue // nothing written (above)
		}
		// The last row written is the canary, live or not: a device's
		// not-live write ended the canary before, and a restore from a
		// backup taken between its last live write and that one brought
		// the closed device back live unseen (for up to PresenceTTL).
		c := canaryRow{key: db.DevicePresenceKey{UserID: b.UserID, DeviceID: b.DeviceID}, family: b.FamilyID, until: b.LiveUntil, closed: !b.LiveUntil.After(now)}
		p.canary = c
		switch {
		case !c.closed:
			p.lastLive = c
		case c.key == p.lastLive.key:
			p.lastLive = canaryRow{} // no longer live
		}
		if d := p.devices[deviceKey{b.UserID, b.DeviceID}]; d != nil {
			d.written = max(d.written, b.Seq)
			d.liveTill = b.LiveUntil
			d.dirty = false
			if !b.LiveUntil.After(now) {
				d.liveTill = time.Time{}
			}
		}
	}
	for _, k := range gone {
		if d := p.devices[k]; d != nil && (closing || len(d.sockets) == 0) {
			delete(p.devices, k)
		}
	}
	return true
}

// refreshDevices runs the refresh statement for the live devices flush
// marked (device.refresh), when ok (the batch before it was written), and
// records their new live time; a device whose socket closed meanwhile is
// written as not live by the next flush, after this.
func (p *Presence) refreshDevices(ctx context.Context, ok bool, now, due time.Time, want int) {
	until := now.Add(p.s.cfg.PresenceTTL)
	if ok {
		p.refreshed = now
		n, former, err := p.s.store.DevicesRefresh(ctx, p.replica, now, due, until)
		if err != nil {
			ok = false
			if ctx.Err() == nil {
				p.s.logger.Warn("refreshing device presence failed; retried", "err", err)
			}
		}
		// A device whose member left the family is not a lost row: its
		// row was there, and the refresh ended it (its sockets close with
		// the removal). Counted as missing, an open socket of a removed
		// member warned of a restore at every refresh it was due for.
		p.mu.Lock()
		for _, k := range former {
			p.endCanary(k) // ended, not lost
			if d := p.devices[deviceKey{k.UserID, k.DeviceID}]; d != nil && d.refresh {
				d.former, d.formerAt, d.refresh, d.liveTill = true, now, false, time.Time{}
				n++
			}
		}
		p.mu.Unlock()
		if ok && n < int64(want) {
			// Rows this replica wrote live are gone or expired: the
			// database went back (a restore, a failover). Every live
			// device's row is looked for and put back (putBack).
			p.s.logger.Warn("device presence rows of this replica are missing (a restore or failover?); putting them back", "refreshed", n, "expected", want)
			p.recheckEverything()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.devices {
		if d.refresh {
			d.refresh = false
			if ok {
				d.liveTill = until
			}
		}
	}
}
