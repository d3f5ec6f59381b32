package notify

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// Presence records, per device, what this replica's realtime sockets sent
// it: the highest event seq and the topics it listens to, and whether a
// socket is open. A transport registers each socket with Track and reports
// every event it wrote; nothing here blocks the transport (an atomic per
// socket). Every PresenceFlush the changes are written to PostgreSQL in one
// statement (db.Store.DevicesSeen), so every replica's deliverer can ask
// "did one of this member's devices see it live?". A device counts as live
// for PresenceTTL after its last write; while a socket is open it is
// rewritten every PresenceTTL/3, and when its last socket here closes it
// is written as no longer live.
type Presence struct {
	s *Service

	mu      sync.Mutex
	devices map[deviceKey]*device
	kick    chan struct{}
}

type deviceKey struct {
	user   uuid.UUID
	device string
}

type device struct {
	family   uuid.UUID
	sockets  map[*Tracker]struct{}
	written  int64     // seq last written
	liveTill time.Time // live_until last written (zero: never)
}

// Tracker is one socket's report to Presence.
type Tracker struct {
	ctx    context.Context
	topics func() []string
	seq    atomic.Int64
}

// Seen records that the socket was sent the event with this seq. Safe to
// call from any goroutine; nil-safe.
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

func newPresence(s *Service) *Presence {
	return &Presence{s: s, devices: map[deviceKey]*device{}, kick: make(chan struct{}, 1)}
}

// Track registers an open socket of a member's device. ctx must end when
// the socket does (realtime.Client.Context()); start is the seq the socket
// began at (its hello: a fresh page shows the state of then); topics
// returns its current subscriptions (nil: every event). Without a device
// id nothing is tracked (nil is returned; its Seen does nothing).
func (p *Presence) Track(ctx context.Context, familyID, userID uuid.UUID, deviceID string, start int64, topics func() []string) *Tracker {
	if p == nil || deviceID == "" || userID == uuid.Nil {
		return nil
	}
	t := &Tracker{ctx: ctx, topics: topics}
	t.seq.Store(start)
	k := deviceKey{userID, deviceID}
	p.mu.Lock()
	d := p.devices[k]
	if d == nil {
		d = &device{family: familyID, sockets: map[*Tracker]struct{}{}}
		p.devices[k] = d
	}
	d.family = familyID
	d.sockets[t] = struct{}{}
	p.mu.Unlock()
	select { // write the new live device soon
	case p.kick <- struct{}{}:
	default:
	}
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

// flush writes what changed: devices sent newer events, live devices due
// for a refresh, devices whose last socket closed (or all, at shutdown).
func (p *Presence) flush(ctx context.Context, closing bool) {
	now := p.s.now()
	ttl := p.s.cfg.PresenceTTL
	var batch []db.DeviceSeen
	var gone []deviceKey
	p.mu.Lock()
	for k, d := range p.devices {
		var seq int64
		var topics []string
		open := false
		for t := range d.sockets {
			if t.ctx.Err() != nil {
				delete(d.sockets, t)
			}
			seq = max(seq, t.seq.Load())
			if t.ctx.Err() == nil {
				if !open && t.topics != nil {
					topics = t.topics()
				}
				open = true
			}
		}
		seen := db.DeviceSeen{FamilyID: d.family, UserID: k.user, DeviceID: k.device, Seq: seq, Topics: topics}
		switch {
		case !open || closing:
			if seq > d.written || !d.liveTill.IsZero() {
				seen.LiveUntil = now
				batch = append(batch, seen)
			}
			if len(d.sockets) == 0 || closing {
				gone = append(gone, k)
			}
		case seq > d.written || now.After(d.liveTill.Add(-ttl*2/3)):
			seen.LiveUntil = now.Add(ttl)
			batch = append(batch, seen)
		}
	}
	p.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	if err := p.s.store.DevicesSeen(ctx, batch); err != nil {
		if ctx.Err() == nil {
			p.s.logger.Warn("recording device presence failed; retried", "err", err, "devices", len(batch))
		}
		return // nothing marked written: the next flush tries again
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range batch {
		if d := p.devices[deviceKey{b.UserID, b.DeviceID}]; d != nil {
			d.written = max(d.written, b.Seq)
			d.liveTill = b.LiveUntil
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
}
