package notify

import (
	"context"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// The event path: one replica at a time, the leader, processes the new
// events of each family that has some (ProcessFamily; the families due at
// one moment together, in one transaction: pass.go), woken by the
// notifications of the channels that carry tasks, calendar and shopping
// events (the payload's family_id is all it reads). Notifications are only
// a wake-up: the cursor in PostgreSQL is the truth, so a lost
// notification, a reconnect or a full queue just means looking at every
// family that is behind (NotifyFamiliesBehind), which a timer also does
// every PollEvery. Notifications are lost now and then (an announcement
// dropped after its commit, db/announce.go), so every CrossCheckEvery the
// leader also looks for families behind whose wake-up did not come
// (crossCheck).
//
// Where the wake-ups come from is RunOpts.Woken: in serve and dev the
// process's realtime listener already receives every one of these
// notifications, and hands each event's family over (WakeFor) and asks
// for a sweep after each of its (re)connects (Sweep), so PostgreSQL sends
// each event only to the replicas' realtime listeners, not also to the
// leader's own connection. Without one, the leader LISTENs to the
// channels itself.
//
// The leader is whichever replica's own connection (familyhub-notify)
// holds the session advisory lock leaderLockID; the others keep their
// connection and ask again every LeaderRetry, so when the leader stops or
// its connection dies (which releases the lock) another takes over and
// sweeps. Before this every replica processed every event: the same work
// twice with two replicas (the loser of the cursor's row lock found it
// taken), measured as half of PostgreSQL's statements per write
// (docs/benchmarks.md). Correctness never rests on there being one
// leader: two replicas that both believe they lead (a connection dying
// unnoticed) still take each family's cursor one at a time.

// leaderLockID is the session advisory lock of the replica that derives
// notices from events: the first 8 bytes of sha256("familyhub notify
// leader"), as a signed 64-bit key.
const leaderLockID = -0x6f00_461d_a0dd_a3fa // 0x90ffb9e25f225c06

// maxBehind bounds the families looked at per sweep (a variable for tests).
var maxBehind int32 = 1000

// passGap is the least time from the end of one pass of the leader to the
// start of the next (a variable for tests): under load, the families woken
// meanwhile wait for it and are processed in one pass of one transaction
// (pass.go), not one each; after a quiet gap a wake-up is processed at
// once. So a family's news waits at most this long more (and for the pass
// running when it came, as before); none when Coalesce is negative.
var passGap = 100 * time.Millisecond

// eventChannels are the channels whose events can make notices.
var eventChannels = []string{familyhub.ChannelTasks, familyhub.ChannelCalendar, familyhub.ChannelShopping}

// RunOpts says how Run learns of new events.
type RunOpts struct {
	// ListenURL is a direct connection (as realtime's: a transaction
	// pooler cannot hold a session lock) on which this replica waits for
	// the leader lock and holds it. Empty: no election, this replica
	// always leads (tests).
	ListenURL string
	// Woken: the process already listens to the event channels and hands
	// them over, WakeFor with each event's family and Sweep after each
	// (re)connect of its listening connection (cmd/familyhub wires
	// realtime.Listener so). The lock's connection then LISTENs to
	// nothing. Otherwise the leader LISTENs on it to eventChannels.
	Woken bool
}

// wakeUp is a family's event notified: its seq, or 0 when not known.
type wakeUp struct {
	family uuid.UUID
	seq    int64
}

// Wake asks this replica to process a family's new events soon; it never
// blocks (when the queue is full every family behind is swept instead).
func (s *Service) Wake(family uuid.UUID) { s.wakeSeq(family, 0) }

// wakeSeq is Wake for the event numbered seq (0: not known). A wake-up
// for an event this replica's last pass over the family already read is
// dropped (watch): the notification of an event often arrives after the
// pass that a notification before it started has read it, and a pass
// then found nothing new (48 % of passes at ~260 writes/s,
// docs/benchmarks.md, seventeenth round).
func (s *Service) wakeSeq(family uuid.UUID, seq int64) {
	select {
	case s.wake <- wakeUp{family, seq}:
	default:
		s.Sweep()
	}
}

// WakeFor is Wake for the event numbered seq notified on channel: it does
// nothing for a channel that cannot make notices, or while another
// replica leads (a new leader sweeps first). It never blocks: the realtime
// listener calls it for every event (RunOpts.Woken).
func (s *Service) WakeFor(family uuid.UUID, channel string, seq int64) {
	if s.leading.Load() && slices.Contains(eventChannels, channel) {
		s.wakeSeq(family, seq)
	}
}

// Sweep asks this replica to process every family that is behind soon
// (after a wake-up may have been lost: a reconnect); it never blocks. It
// has a channel of its own, not the wake-ups' queue: Wake falls back to it
// when that queue is full, where a sweep queued behind the wake-ups would
// be dropped too (the family then waited for the next PollEvery). One
// owed sweep stands for any number of requests: it runs after them all.
func (s *Service) Sweep() {
	select {
	case s.sweep <- struct{}{}:
	default:
	}
}

func (s *Service) watch(ctx context.Context, opts RunOpts) {
	if opts.ListenURL == "" {
		s.leading.Store(true)
	} else {
		var wg sync.WaitGroup
		defer wg.Wait() // after ctx ends, lead returns
		wg.Go(func() { s.lead(ctx, opts) })
	}
	s.Sweep()
	tick := time.NewTicker(s.cfg.PollEvery)
	defer tick.Stop()
	check := time.NewTicker(s.cfg.CrossCheckEvery)
	defer check.Stop()
	pending := map[uuid.UUID]bool{}
	// suspects are the families the last cross-check found behind with no
	// pass due: one still behind at the next check, neither woken nor
	// processed in between, lost its wake-up. Two looks, not one: a
	// family whose notification is on its way (committed a moment ago) is
	// behind too, and processing it at once would make its wake-up, a
	// moment later, a second pass at the end of its window.
	suspects := map[uuid.UUID]bool{}
	// A family's events are processed at once, then at most once per
	// Coalesce: what arrives meanwhile waits for the window's end and is
	// processed in one pass (a burst of additions to a list is one pass,
	// not one per item). last holds when each family was last processed
	// (for a family whose cursor was held, so that its window ends with
	// its wait: busy); entries older than the window are dropped on the
	// timer's scans.
	last := map[uuid.UUID]time.Time{}
	// read holds, for the families in last, the seq through which this
	// replica's own last pass read their events (the cursor it committed):
	// a wake-up for an event at or below it is late, and dropped. It is
	// kept and forgotten with last; a wake-up that finds no entry makes a
	// pass, as before.
	read := map[uuid.UUID]int64{}
	// A failed pass (or sweep: uuid.Nil) is tried again after a backoff,
	// not left to the sweep every PollEvery: a transient error (a
	// deadlock, a restart, a connection lost) costs a second, not 30.
	retry := map[uuid.UUID]retrying{}
	// busy counts, per family, the passes in a row that found its cursor
	// held by another transaction (a second leader's pass, the schedule's
	// scan, a settings change) and so did nothing: the family stays
	// pending and is looked at again after busyAgain, which doubles with
	// each (pass.go). Before, it was dropped, and its events waited for the
	// next cross-check or sweep (5 to 30 s).
	busy := map[uuid.UUID]int{}
	// later fires at the earliest end of a window a pending family waits
	// for, of a failed pass's backoff or of a held family's wait (busy),
	// but at most 20 times per window
	// (granularity): a wake-up looks only at the families it names, and
	// only the timer's scan looks at every pending family, so the work per
	// event does not grow with the number of families in their window.
	later := time.NewTimer(time.Hour)
	later.Stop()
	defer later.Stop()
	var armed time.Time // when later fires; zero: not armed
	granularity := max(s.cfg.Coalesce/20, 0)
	arm := func(at time.Time) {
		if soonest := time.Now().Add(granularity); at.Before(soonest) {
			at = soonest
		}
		if armed.IsZero() || at.Before(armed) {
			armed = at
			later.Reset(time.Until(at))
		}
	}
	// The gap between passes under load (passGap), and the families due
	// but held for its end (they stay pending); gather fires at its end.
	gap := passGap
	if s.cfg.Coalesce < 0 {
		gap = 0 // every wake-up at once
	}
	var lastPass, gatherAt time.Time
	held := map[uuid.UUID]bool{}
	gather := time.NewTimer(time.Hour)
	gather.Stop()
	defer gather.Stop()
	var woken, due, alone []uuid.UUID
	taken := map[uuid.UUID]bool{}
	var outcomes []passOutcome
	for {
		woken = woken[:0]
		scan := false // look at every pending family, not only the woken
		crossCheck := false
		select {
		case <-ctx.Done():
			return
		case <-later.C:
			armed, scan = time.Time{}, true
		case <-gather.C:
			gatherAt = time.Time{}
			for id := range held {
				if pending[id] { // else a scan processed it meanwhile
					woken = append(woken, id)
				}
			}
			clear(held)
		case <-s.sweep:
			woken = append(woken, uuid.Nil) // uuid.Nil: every family behind
		case w := <-s.wake:
			woken = s.wokenBy(woken, w, read)
		drain:
			for {
				select {
				case w := <-s.wake:
					woken = s.wokenBy(woken, w, read)
				default:
					break drain
				}
			}
		case <-tick.C:
			pending[uuid.Nil], scan = true, true
		case <-check.C:
			crossCheck = true
		}
		if !s.leading.Load() {
			clear(pending) // another replica leads; a new leader sweeps
			clear(held)
			clear(retry)
			clear(suspects)
			clear(busy)
			continue
		}
		for _, id := range woken {
			pending[id] = true
			scan = scan || id == uuid.Nil
			delete(suspects, id)
		}
		if crossCheck {
			woken = s.crossCheck(ctx, woken, suspects, pending, retry)
		}
		// A due retry is looked at as a wake-up of its family (a due sweep
		// is a scan): inside its window it waits for the timer, rather than
		// making every wake-up until then look at every pending family.
		for id, r := range retry {
			if !time.Now().Before(r.at) {
				pending[id] = true
				woken = append(woken, id)
				scan = scan || id == uuid.Nil
			}
		}
		if pending[uuid.Nil] {
			delete(pending, uuid.Nil)
			behind, err := s.store.Q.NotifyFamiliesBehind(ctx, s.store.Pool, maxBehind)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				s.logger.Warn("notify: listing families with new events failed; retried", "err", db.Err(err, ""), "in", s.retryLater(retry, uuid.Nil))
			} else {
				delete(retry, uuid.Nil)
				for _, id := range behind {
					pending[id] = true
				}
			}
		}
		now := time.Now()
		if scan {
			for id, at := range last {
				if now.Sub(at) >= s.cfg.Coalesce {
					delete(last, id)
					delete(read, id)
				}
			}
		}
		// The families due now: pending, not inside their window. They
		// are processed together (pass.go), one transaction for up to
		// maxPassFamilies of them; a family whose last pass failed, on its
		// own (its error costs no other family a repeat).
		due, alone = due[:0], alone[:0]
		consider := func(id uuid.UUID) {
			if at, ok := last[id]; ok && now.Sub(at) < s.cfg.Coalesce {
				arm(at.Add(s.cfg.Coalesce)) // inside its window: processed when it ends
				return
			}
			if taken[id] {
				return // woken twice
			}
			taken[id] = true
			if _, failed := retry[id]; failed {
				alone = append(alone, id)
			} else {
				due = append(due, id)
			}
		}
		if scan {
			s.scans.Add(1)
			for id := range pending {
				consider(id)
			}
		} else {
			for _, id := range woken {
				if pending[id] {
					consider(id)
				}
			}
		}
		// Under load, passes start at most once per gap: what is due
		// sooner after the last pass's end waits for the gap's end (the
		// gather timer), together with whatever is woken meanwhile, and is
		// processed in one pass. A wake-up after a quiet gap is processed
		// at once, with whatever still waits for the gap.
		gapAt := lastPass.Add(gap)
		if gap <= 0 || !time.Now().Before(gapAt) {
			for id := range held {
				if pending[id] {
					consider(id)
				}
			}
			clear(held)
		}
		clear(taken)
		if len(due)+len(alone) > 0 && gap > 0 {
			if at := gapAt; time.Now().Before(at) {
				for _, id := range due {
					held[id] = true
				}
				for _, id := range alone {
					held[id] = true
				}
				if gatherAt.IsZero() {
					gatherAt = at
					gather.Reset(time.Until(at))
				}
				due, alone = due[:0], alone[:0]
			}
		}
		if len(due)+len(alone) > 0 {
			started := time.Now()
			for _, ids := range [][]uuid.UUID{due, alone} {
				for _, id := range ids {
					last[id] = started
					delete(suspects, id)
					delete(read, id)
					delete(held, id)
				}
				s.passes.Add(int64(len(ids)))
			}
			outcomes = s.processFamiliesInto(ctx, outcomes[:0], due)
			for _, id := range alone {
				if ctx.Err() != nil {
					break
				}
				outcomes = s.processFamiliesInto(ctx, outcomes, []uuid.UUID{id})
			}
			if ctx.Err() != nil {
				return
			}
			for _, o := range outcomes {
				switch {
				case o.err != nil:
					s.logger.Warn("notify: deriving notices from events failed; retried", "family_id", o.id, "err", o.err, "in", s.retryLater(retry, o.id))
				case o.held:
					// Nothing done: the family stays pending, and the timer
					// brings it back after a wait of its own. That wait is
					// its window (last is set so that it ends then, also
					// without coalescing): its wake-ups meanwhile wait with
					// it, rather than each making a pass that finds the
					// cursor held again.
					busy[o.id]++
					again := s.busyAgain(busy[o.id])
					s.busy.Add(1)
					if s.onBusy != nil {
						s.onBusy(o.id, again)
					}
					at := time.Now().Add(again)
					last[o.id] = at.Add(-s.cfg.Coalesce)
					delete(retry, o.id)
					arm(at)
					continue
				default:
					delete(retry, o.id)
					if o.through > 0 {
						read[o.id] = o.through
					}
				}
				delete(busy, o.id)
				delete(pending, o.id)
			}
			lastPass = time.Now()
		}
		for id, r := range retry {
			if !pending[id] {
				arm(r.at)
			}
		}
	}
}

// wokenBy adds w's family to woken unless w is late: its event at or
// below the seq through which this replica's last pass over the family
// read (read). The cursor only moves forward, so such an event was looked
// at in a committed pass whoever leads now. A wake-up without a seq, or
// for a family with no entry (none yet, forgotten with last, or its last
// pass failed), makes a pass as before.
func (s *Service) wokenBy(woken []uuid.UUID, w wakeUp, read map[uuid.UUID]int64) []uuid.UUID {
	if through, ok := read[w.family]; ok && w.seq > 0 && w.seq <= through {
		s.late.Add(1)
		return woken
	}
	return append(woken, w.family)
}

// crossCheck lists the families behind and returns woken with those that
// lost their wake-up: behind at the previous check too (suspects), and
// neither woken nor processed since (those leave suspects). A family
// whose pass is due anyway (pending: inside its window; or a failed pass's
// retry) is not suspect. suspects becomes this check's.
func (s *Service) crossCheck(ctx context.Context, woken []uuid.UUID, suspects, pending map[uuid.UUID]bool, retry map[uuid.UUID]retrying) []uuid.UUID {
	s.checks.Add(1)
	behind, err := s.store.Q.NotifyFamiliesBehind(ctx, s.store.Pool, maxBehind)
	if err != nil {
		if ctx.Err() == nil {
			s.logger.Warn("notify: cross-check of families behind failed", "err", db.Err(err, ""))
		}
		return woken
	}
	was := maps.Clone(suspects)
	clear(suspects)
	for _, id := range behind {
		if _, failed := retry[id]; pending[id] || failed {
			continue
		}
		if !was[id] {
			suspects[id] = true
			continue
		}
		s.lost.Add(1)
		s.logger.Info("notify: family behind without a wake-up; processing it", "family_id", id)
		pending[id] = true
		woken = append(woken, id)
	}
	return woken
}

// busyFirst is how long the leader waits before it looks again at a
// family whose cursor another transaction held; the wait doubles with each
// pass in a row that finds it held, up to PollEvery (a variable for
// tests). Such a hold lasts a transaction (another pass, the scan of one
// family): a tenth of a second is mostly enough, and a hold that lasts
// costs a pass every few seconds at most, not one per turn of the loop.
var busyFirst = 100 * time.Millisecond

// busyAgain is the wait after the n-th pass in a row (from 1) that found
// a family's cursor held.
func (s *Service) busyAgain(n int) time.Duration {
	return min(busyFirst<<min(n-1, 20), max(s.cfg.PollEvery, busyFirst))
}

// retrying is a family (or the sweep) whose last pass failed: the next is
// due at at, backoff after the previous one.
type retrying struct {
	at      time.Time
	backoff time.Duration
}

// retryFirst is the backoff after a first failed pass; it doubles with
// each further failure, up to PollEvery.
const retryFirst = time.Second

// retryLater schedules another pass for id (uuid.Nil: a sweep) after a
// failed one and returns how long it waits.
func (s *Service) retryLater(retry map[uuid.UUID]retrying, id uuid.UUID) time.Duration {
	d := retryFirst
	if r, ok := retry[id]; ok {
		d = 2 * r.backoff
	}
	d = min(d, s.cfg.PollEvery)
	retry[id] = retrying{at: time.Now().Add(d), backoff: d}
	return d
}

// lead holds the leader lock on a connection of its own until ctx ends:
// it connects (again after a failure, with backoff), waits for the lock,
// and while it holds it this replica leads.
func (s *Service) lead(ctx context.Context, opts RunOpts) {
	failures := 0
	for {
		connected, err := s.holdLead(ctx, opts)
		s.leading.Store(false) // the connection, and with it the lock, is gone
		if ctx.Err() != nil {
			return
		}
		if connected {
			failures = 0
		}
		failures++
		backoff := min(leadMinBackoff<<min(failures-1, 10), leadMaxBackoff)
		delay := backoff/2 + rand.N(backoff/2+1) // jitter: replicas do not reconnect in lockstep
		s.logger.Warn("notify: leader connection failed; connecting again", "err", err, "in", delay.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// The reconnect delay of the leader's connection doubles from
// leadMinBackoff to leadMaxBackoff while connecting fails.
const leadMinBackoff, leadMaxBackoff = 250 * time.Millisecond, 10 * time.Second

// holdLead connects, waits for the leader lock and leads until the
// connection fails or ctx ends; connected says whether it got as far as a
// connection.
func (s *Service) holdLead(ctx context.Context, opts RunOpts) (connected bool, _ error) {
	// The connection is idle while it holds the lock: keepalives let the
	// server notice a vanished replica (and free the lock for another) and
	// this replica a vanished server, within about 11 s, as realtime's.
	cfg, err := db.IdleConnConfig(opts.ListenURL, "familyhub-notify", nil)
	if err != nil {
		return false, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if err := s.awaitLead(ctx, conn); err != nil {
		return true, err
	}
	if !opts.Woken {
		for _, ch := range eventChannels {
			if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
				return true, err
			}
		}
	}
	if s.onLead != nil {
		s.onLead(ctx, conn)
	}
	s.leading.Store(true)
	s.logger.Info("notify: this replica derives notices from events", "woken_in_process", opts.Woken)
	s.Sweep() // whatever happened before: after Store, so no wake-up is lost
	// With nothing to LISTEN to, this only waits for the connection to end:
	// the server's FATAL on termination, a broken socket, ctx.
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		var ev struct {
			FamilyID uuid.UUID `json:"family_id"`
			Seq      int64     `json:"seq"`
		}
		if json.Unmarshal([]byte(n.Payload), &ev) == nil && ev.FamilyID != uuid.Nil {
			s.wakeSeq(ev.FamilyID, ev.Seq)
		}
	}
}

// awaitLead returns once conn holds leaderLockID, asking every
// LeaderRetry; its error is ctx's or the connection's.
func (s *Service) awaitLead(ctx context.Context, conn *pgx.Conn) error {
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", int64(leaderLockID)).Scan(&got); err != nil {
			return err
		}
		if got {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.cfg.LeaderRetry):
		}
	}
}

// Leading reports whether this replica derives notices from events now
// (always, when it has no leader connection).
func (s *Service) Leading() bool { return s.leading.Load() }
