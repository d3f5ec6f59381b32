package notify

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// The event path: one replica at a time, the leader, listens to the
// channels that carry tasks, calendar and shopping events (one LISTEN
// connection of its own; the payload's family_id is all it reads) and
// processes that family's new events (ProcessFamily). Notifications are
// only a wake-up: the cursor in PostgreSQL is the truth, so a lost
// notification, a reconnect or a full queue just means looking at every
// family that is behind (NotifyFamiliesBehind), which a timer also does
// every PollEvery.
//
// The leader is whichever replica's listening connection holds the
// session advisory lock leaderLockID; the others keep their connection
// and ask again every LeaderRetry, so when the leader stops or its
// connection dies (which releases the lock) another takes over and
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

// maxBehind bounds the families looked at per sweep.
const maxBehind = 1000

// Wake asks this replica to process a family's new events soon; it never
// blocks (when the queue is full every family behind is swept instead).
func (s *Service) Wake(family uuid.UUID) {
	select {
	case s.wake <- family:
	default:
		s.sweepSoon()
	}
}

func (s *Service) sweepSoon() {
	select {
	case s.wake <- uuid.Nil: // uuid.Nil: every family behind
	default:
	}
}

func (s *Service) watch(ctx context.Context, listenURL string) {
	if listenURL != "" {
		l := &pgxlisten.Listener{
			Connect: func(ctx context.Context) (*pgx.Conn, error) {
				s.leading.Store(false)
				cfg, err := db.ConnConfig(listenURL, "familyhub-notify")
				if err != nil {
					return nil, err
				}
				conn, err := pgx.ConnectConfig(ctx, cfg)
				if err != nil {
					return nil, err
				}
				if err := s.awaitLead(ctx, conn); err != nil {
					conn.Close(context.Background())
					return nil, err
				}
				s.leading.Store(true)
				s.logger.Info("notify: this replica derives notices from events")
				return conn, nil
			},
			LogError: func(ctx context.Context, err error) {
				s.leading.Store(false) // the connection, and with it the lock, is gone
				if ctx.Err() == nil {
					s.logger.Warn("notify listener", "err", err)
				}
			},
			ReconnectDelay: 2 * time.Second, // pgxlisten's zero means a minute
		}
		for _, ch := range []string{familyhub.ChannelTasks, familyhub.ChannelCalendar, familyhub.ChannelShopping} {
			l.Handle(ch, wakeHandler{s})
		}
		var wg sync.WaitGroup
		defer wg.Wait() // after ctx ends, Listen returns
		wg.Go(func() {
			if err := l.Listen(ctx); err != nil && !errors.Is(err, context.Canceled) {
				s.logger.Error("notify listener stopped", "err", err)
			}
		})
	}
	s.sweepSoon()
	tick := time.NewTicker(s.cfg.PollEvery)
	defer tick.Stop()
	pending := map[uuid.UUID]bool{}
	// A family's events are processed at once, then at most once per
	// Coalesce: what arrives meanwhile waits for the window's end and is
	// processed in one pass (a burst of additions to a list is one pass,
	// not one per item). last holds when each family was last processed,
	// for the families still inside their window.
	last := map[uuid.UUID]time.Time{}
	later := time.NewTimer(time.Hour)
	later.Stop()
	defer later.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-later.C:
		case id := <-s.wake:
			pending[id] = true
		drain:
			for {
				select {
				case id := <-s.wake:
					pending[id] = true
				default:
					break drain
				}
			}
		case <-tick.C:
			pending[uuid.Nil] = true
		}
		if listenURL != "" && !s.leading.Load() {
			clear(pending) // another replica leads; a new leader sweeps
			continue
		}
		if pending[uuid.Nil] {
			delete(pending, uuid.Nil)
			behind, err := s.store.Q.NotifyFamiliesBehind(ctx, s.store.Pool, maxBehind)
			if err != nil {
				if ctx.Err() == nil {
					s.logger.Warn("notify: listing families with new events failed; retried", "err", db.Err(err, ""))
				}
				continue
			}
			for _, id := range behind {
				pending[id] = true
			}
		}
		now := time.Now()
		for id, at := range last {
			if now.Sub(at) >= s.cfg.Coalesce {
				delete(last, id)
			}
		}
		for id := range pending {
			if _, ok := last[id]; ok {
				continue // inside its window: processed when it ends
			}
			last[id] = time.Now()
			s.passes.Add(1)
			if err := s.ProcessFamily(ctx, id); err != nil {
				if ctx.Err() != nil {
					return
				}
				// Dropped here: the sweep every PollEvery finds the family behind.
				s.logger.Warn("notify: deriving notices from events failed; retried", "family_id", id, "err", err)
			}
			delete(pending, id)
		}
		var next time.Time // the earliest end of a window a pending family waits for
		for id := range pending {
			if end := last[id].Add(s.cfg.Coalesce); next.IsZero() || end.Before(next) {
				next = end
			}
		}
		if !next.IsZero() {
			later.Reset(time.Until(next))
		}
	}
}

// awaitLead returns once conn holds leaderLockID, asking every
// LeaderRetry; an error (ctx ended, the connection broke) makes pgxlisten
// connect again.
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
// (always, when it has no listening connection).
func (s *Service) Leading() bool { return s.leading.Load() }

type wakeHandler struct{ s *Service }

func (h wakeHandler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	var ev struct {
		FamilyID uuid.UUID `json:"family_id"`
	}
	if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil || ev.FamilyID == uuid.Nil {
		return nil // not an event: nothing to do
	}
	h.s.Wake(ev.FamilyID)
	return nil
}

// HandleBacklog runs after each (re)connect's LISTEN: whatever happened
// meanwhile is found by a sweep.
func (h wakeHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.s.sweepSoon()
	return nil
}
