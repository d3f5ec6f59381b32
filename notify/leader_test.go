package notify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestOneReplicaDerivesNotices runs two replicas' services on one
// database: one leads and derives the notices of new events, the other
// derives nothing; when the leader's connection dies, the other takes over
// and derives the next ones. It runs with the leader listening to the
// event channels itself, and woken in process (RunOpts.Woken, as serve
// wires it: the test stands in for each replica's realtime listener and
// hands every event to both), where the leader's connection listens to
// nothing.
func TestOneReplicaDerivesNotices(t *testing.T) {
	for _, woken := range []bool{false, true} {
		t.Run(fmt.Sprintf("woken=%t", woken), func(t *testing.T) { testOneReplicaDerivesNotices(t, woken) })
	}
}

func testOneReplicaDerivesNotices(t *testing.T, woken bool) {
	// No coalescing: the replicas derive one reminder after another here
	// (TestEventsCoalesced tests the window).
	e := newEnv(t, Config{LeaderRetry: 20 * time.Millisecond, Coalesce: -1})
	url := e.pool.Config().ConnString()
	s2, err := New(db.NewStore(e.pool), slog.New(slog.DiscardHandler), e.s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	q2 := &queue{}
	s2.SetQueue(q2)
	// What each leader's own connection listens to when it takes the lead.
	var mu sync.Mutex
	var listening [][]string
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	for _, s := range []*Service{e.s, s2} {
		s.onLead = func(ctx context.Context, conn *pgx.Conn) {
			rows, _ := conn.Query(ctx, "SELECT pg_listening_channels() ORDER BY 1")
			chans, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Errorf("pg_listening_channels: %v", err)
			}
			mu.Lock()
			listening = append(listening, chans)
			mu.Unlock()
		}
		go func() { s.Run(ctx, RunOpts{ListenURL: url, Woken: woken}); done <- struct{}{} }()
	}
	t.Cleanup(func() { cancel(); <-done; <-done })

	type replica struct {
		s *Service
		q *queue
	}
	one, two := replica{e.s, e.q}, replica{s2, q2}
	leader := func() (replica, replica) {
		t.Helper()
		var l, o replica
		waitFor(t, "exactly one replica to lead", func() bool {
			switch {
			case one.s.Leading() && !two.s.Leading():
				l, o = one, two
			case two.s.Leading() && !one.s.Leading():
				l, o = two, one
			default:
				return false
			}
			return true
		})
		return l, o
	}
	remind := func(title string) {
		due := e.clock.Now().Add(30 * time.Minute)
		e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title, DueAt: &due, AssigneeID: &e.ben})
			return err
		})
		if woken { // each replica's realtime listener hands the event over
			for _, s := range []*Service{e.s, s2} {
				s.WakeFor(e.family, familyhub.ChannelRecipes, 0) // not one that makes notices
				s.WakeFor(e.family, familyhub.ChannelTasks, 0)
			}
		}
	}
	derived := func(r replica, what string) {
		t.Helper()
		var jobs []queued
		waitFor(t, what, func() bool { jobs = append(jobs, r.q.take()...); return len(jobs) > 0 })
		if len(jobs) != 1 {
			t.Errorf("%s: %d jobs, want 1", what, len(jobs))
		}
	}

	l, o := leader()
	remind("Call grandma")
	derived(l, "the leader to derive the reminder")
	if jobs := o.q.take(); len(jobs) != 0 {
		t.Errorf("the other replica derived %d jobs too", len(jobs))
	}

	// The leader's connection dies, and with it the lock.
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND (classid::bigint << 32 | objid::bigint) = $1`, int64(leaderLockID)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d lock holders (%v), want 1", n, err)
	}
	// Usually the other replica, which asks for the lock every
	// LeaderRetry, takes over; but when the killed backend is slow to
	// release the lock (a busy machine), the old leader, reconnecting
	// after its backoff, may win it again. Either is right: exactly one
	// replica leads, and only it derives.
	waitFor(t, "the lead taken again", func() bool { mu.Lock(); defer mu.Unlock(); return len(listening) == 2 })
	l, o = leader()
	remind("Water the plants")
	derived(l, "the new leader to derive the next reminder")
	if jobs := o.q.take(); len(jobs) != 0 {
		t.Errorf("the replica not leading derived %d jobs", len(jobs))
	}

	mu.Lock()
	defer mu.Unlock()
	want := []string{}
	if !woken {
		want = slices.Sorted(slices.Values(eventChannels))
	}
	if len(listening) != 2 {
		t.Fatalf("the lead was taken %d times, want 2", len(listening))
	}
	for i, got := range listening {
		if !slices.Equal(got, want) {
			t.Errorf("leader %d's connection listens to %q, want %q", i+1, got, want)
		}
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// TestEventsCoalesced: a family's news is processed at once; what follows
// within Coalesce waits for the window's end and is processed in one pass,
// and nothing is left out.
func TestEventsCoalesced(t *testing.T) {
	const window = 3 * time.Second
	e := newEnv(t, Config{Coalesce: window})
	e.runLeading(t)

	due := e.clock.Now().Add(30 * time.Minute)
	task := func(title string) {
		e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title, DueAt: &due, AssigneeID: &e.ben})
			return err
		})
	}
	// The first task's reminder comes from a pass that opens the window
	// (whatever passes the service made at start).
	task("first")
	var jobs []queued
	waitFor(t, "the first event's pass", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) == 1 })
	base, derived := e.s.passes.Load(), time.Now()
	// Three tasks in three transactions, each its own notification, right
	// after that pass: inside its window, so they wait for its end.
	for _, title := range []string{"second", "third", "fourth"} {
		task(title)
	}
	waitFor(t, "the window's pass", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) >= 4 })
	if len(jobs) != 4 {
		t.Errorf("%d reminders, want 4", len(jobs))
	}
	if n := e.s.passes.Load() - base; n != 1 {
		t.Errorf("%d passes over the three later events, want 1", n)
	}
	// The window opened when that pass started, a little before its
	// reminder was seen: the later events cannot come much sooner.
	if waited := time.Since(derived); waited < window/2 {
		t.Errorf("the three later events were processed %s after the first pass, long before the window ended", waited)
	}
}

// TestFailedPassRetried: a pass that fails (a trigger refuses the notice,
// as a transient error would) is tried again after a second or two, not
// left for the sweep every PollEvery (an hour here).
func TestFailedPassRetried(t *testing.T) {
	// No coalescing: a retry inside the window waits for its end.
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: time.Hour, Coalesce: -1})
	exec := func(sql string) {
		t.Helper()
		if _, err := e.pool.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// A sequence counts the refusals: nextval outlives the rollback.
	exec(`CREATE SEQUENCE test_refusals`)
	exec(`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM nextval('test_refusals'); RAISE EXCEPTION 'injected failure'; END $$`)
	exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON notify_notices FOR EACH ROW EXECUTE FUNCTION test_refuse()`)
	e.runLeading(t)

	due := e.clock.Now().Add(30 * time.Minute)
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
	waitFor(t, "the pass to fail", func() bool {
		var failed bool
		return e.pool.QueryRow(context.Background(), `SELECT is_called FROM test_refusals`).Scan(&failed) == nil && failed
	})
	failed := time.Now()
	exec(`DROP TRIGGER test_refuse ON notify_notices`)
	var jobs []queued
	waitFor(t, "the retried pass to derive the reminder", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) > 0 })
	t.Logf("derived %s after the failed pass", time.Since(failed).Round(time.Millisecond))
	if len(jobs) != 1 {
		t.Errorf("%d jobs, want 1", len(jobs))
	}
}

// TestWakeOnFullQueueSweeps: a wake-up that finds the queue full is not
// lost (Wake's promise: every family behind is swept instead). The loop
// is held inside another family's pass (its cursor is missing and an open
// transaction inserts it: the pass's insert of it waits) while 1,024
// wake-ups of that family fill the queue;
// the event committed meanwhile is derived once the loop goes on, not at
// the next PollEvery (an hour here).
func TestWakeOnFullQueueSweeps(t *testing.T) {
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: time.Hour, Coalesce: -1})
	ctx := context.Background()
	// The family's cursor exists, so a sweep sees its next event.
	if err := e.s.ProcessFamily(ctx, e.family); err != nil {
		t.Fatal(err)
	}
	other := e.scalarUUID(`INSERT INTO families (name) VALUES ('Other') RETURNING id`)
	if _, err := e.pool.Exec(ctx, `DELETE FROM notify_cursors WHERE family_id = $1`, other); err != nil {
		t.Fatal(err)
	}
	blocker, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback(ctx)
	if _, err := blocker.Exec(ctx, `INSERT INTO notify_cursors (family_id) VALUES ($1)`, other); err != nil {
		t.Fatal(err)
	}
	e.run(t, RunOpts{})
	e.s.Wake(other)
	waitFor(t, "the loop to wait inside the other family's pass", func() bool {
		var waiting bool
		return e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%notify_cursors%')`).Scan(&waiting) == nil && waiting
	})
	due := e.clock.Now().Add(30 * time.Minute)
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
	for len(e.s.wake) < cap(e.s.wake) {
		e.s.Wake(other)
	}
	e.s.Wake(e.family) // the queue is full
	if err := blocker.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var jobs []queued
	waitFor(t, "the event whose wake-up found the queue full", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) > 0 })
	if len(jobs) != 1 {
		t.Errorf("%d jobs, want 1", len(jobs))
	}
}

// TestDueRetryLooksOnlyAtItsFamily: a failed pass whose retry is due
// while its family's window is still open waits for the window's end
// without making every later wake-up (of other families) look at every
// pending family: the leader's work per event does not grow with the
// families waiting (docs/notifications.md), also while a retry waits.
func TestDueRetryLooksOnlyAtItsFamily(t *testing.T) {
	// A window of 20 s: the retry (after 1 s) falls due inside it, and the
	// timer's granularity (a twentieth) is a second.
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: time.Hour, Coalesce: 20 * time.Second})
	ctx := context.Background()
	exec := func(sql string) {
		t.Helper()
		if _, err := e.pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`CREATE SEQUENCE test_refusals`)
	exec(`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM nextval('test_refusals'); RAISE EXCEPTION 'injected failure'; END $$`)
	exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON notify_notices FOR EACH ROW EXECUTE FUNCTION test_refuse()`)
	others := make([]uuid.UUID, 20)
	for i := range others {
		others[i] = e.scalarUUID(`INSERT INTO families (name) VALUES ('Other') RETURNING id`)
	}
	// Caught up: the first sweep opens no window of the family.
	if err := e.s.ProcessFamily(ctx, e.family); err != nil {
		t.Fatal(err)
	}
	e.run(t, RunOpts{})
	waitFor(t, "the first sweep", func() bool { return e.s.scans.Load() > 0 })

	due := e.clock.Now().Add(30 * time.Minute)
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
	scans := e.s.scans.Load()
	e.s.Wake(e.family)
	waitFor(t, "the pass to fail", func() bool {
		var failed bool
		return e.pool.QueryRow(ctx, `SELECT is_called FROM test_refusals`).Scan(&failed) == nil && failed
	})
	// The retry's timer: the retry is due from then on, inside the window.
	waitFor(t, "the timer of the retry", func() bool { return e.s.scans.Load() > scans })
	scans = e.s.scans.Load()
	for _, id := range others {
		passes := e.s.passes.Load()
		e.s.Wake(id)
		waitFor(t, "another family's pass", func() bool { return e.s.passes.Load() > passes })
	}
	if n := e.s.scans.Load() - scans; n > 1 {
		t.Errorf("%d wake-ups of other families made %d looks at every pending family, want none (at most the timer's one)", len(others), n)
	}
}

// TestSweepReachesEveryFamily: a sweep looks at maxBehind families, those
// whose cursor moved longest ago first, so a family whose wake-up was lost
// is found even while more families than that are behind, waiting for
// their windows (before, the first maxBehind by id were taken: a family
// with a later id waited until fewer were behind).
func TestSweepReachesEveryFamily(t *testing.T) {
	old := maxBehind
	maxBehind = 2
	t.Cleanup(func() { maxBehind = old })
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: time.Hour, Coalesce: time.Minute})
	ctx := context.Background()
	family := func(id string) uuid.UUID {
		return e.scalarUUID(`INSERT INTO families (id, name) VALUES ($1, 'F') RETURNING id`, id)
	}
	low := []uuid.UUID{family("00000000-0000-4000-8000-000000000001"), family("00000000-0000-4000-8000-000000000002")}
	high := family("ffffffff-ffff-4fff-bfff-ffffffffffff")
	event := func(f uuid.UUID) {
		t.Helper()
		if _, err := e.pool.Exec(ctx, `INSERT INTO tasks (family_id, title) VALUES ($1, 'x')`, f); err != nil {
			t.Fatal(err)
		}
	}
	behind := func(f uuid.UUID) bool {
		var b bool
		if err := e.pool.QueryRow(ctx, `SELECT e.seq > c.seq FROM family_event_seq e JOIN notify_cursors c USING (family_id)
			WHERE family_id = $1`, f).Scan(&b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	e.run(t, RunOpts{})
	waitFor(t, "the first sweep", func() bool { return e.s.scans.Load() > 0 })
	// The low families are processed (their windows open), then have news
	// that waits for the window's end: behind, for a minute.
	for _, f := range low {
		event(f)
		e.s.Wake(f)
		waitFor(t, "a low family's pass", func() bool { return !behind(f) })
		event(f)
	}
	// The high family's news, its wake-up lost; a sweep.
	event(high)
	e.s.Sweep()
	waitFor(t, "the sweep to find the family whose wake-up was lost", func() bool { return !behind(high) })
}

// TestDeletedFamilyPassSucceeds: a pass over a family deleted since its
// event was notified (its cursor went with it) has nothing to do; it does
// not fail, which the leader would retry, up to every PollEvery, for as
// long as it runs.
func TestDeletedFamilyPassSucceeds(t *testing.T) {
	e := newEnv(t, Config{})
	gone := e.scalarUUID(`INSERT INTO families (name) VALUES ('Gone') RETURNING id`)
	if _, err := e.pool.Exec(context.Background(), `DELETE FROM families WHERE id = $1`, gone); err != nil {
		t.Fatal(err)
	}
	if err := e.s.ProcessFamily(context.Background(), gone); err != nil {
		t.Errorf("the pass over a deleted family: %v, want nothing to do", err)
	}
}

// TestLostWakeUpFoundByCrossCheck: an event whose notification never came
// (an announcement dropped after its commit: db/announce.go) is processed
// at the second cross-check after it, not at the next PollEvery (an hour
// here). A family whose wake-up came but waits for its window is left to
// the window.
func TestLostWakeUpFoundByCrossCheck(t *testing.T) {
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: 100 * time.Millisecond, Coalesce: time.Minute})
	ctx := context.Background()
	// Caught up, so the first sweep opens no window of the family.
	if err := e.s.ProcessFamily(ctx, e.family); err != nil {
		t.Fatal(err)
	}
	e.run(t, RunOpts{})
	waitFor(t, "the first sweep", func() bool { return e.s.scans.Load() > 0 })

	task := func(title string) {
		due := e.clock.Now().Add(30 * time.Minute)
		e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title, DueAt: &due, AssigneeID: &e.ben})
			return err
		})
	}
	task("Call grandma") // nobody wakes the service
	var jobs []queued
	waitFor(t, "the cross-check to find the event", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) > 0 })
	if len(jobs) != 1 || e.s.lost.Load() != 1 {
		t.Errorf("%d jobs, %d families found without a wake-up; want 1 and 1", len(jobs), e.s.lost.Load())
	}

	// That pass opened the family's window: the next event's wake-up
	// leaves it pending until the window ends, and the cross-checks
	// meanwhile do not process it early.
	task("Water the plants")
	e.s.Wake(e.family)
	passes, checks := e.s.passes.Load(), e.s.checks.Load()
	waitFor(t, "three more cross-checks", func() bool { return e.s.checks.Load() >= checks+3 })
	if p, l := e.s.passes.Load()-passes, e.s.lost.Load(); p != 0 || l != 1 {
		t.Errorf("inside the window: %d passes, %d families found lost in all; want 0 and 1", p, l)
	}
}

// TestPrunedEventsMoveTheCursor: when every event after a family's cursor
// was pruned from the log before a pass looked at it (the service down
// for longer than the log's retention while psql wrote), the pass moves
// the cursor to the family's seq: nothing can be derived from events that
// are gone. Before, the cursor never moved, and the family stayed behind
// for good: swept every time, and reported as lost (at the head of the
// list) by every second cross-check. Events after those are derived as
// usual.
func TestPrunedEventsMoveTheCursor(t *testing.T) {
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: 50 * time.Millisecond, Coalesce: -1})
	ctx := context.Background()
	e.process() // caught up
	behind := func() (cursor, seq int64) {
		t.Helper()
		if err := e.pool.QueryRow(ctx, `SELECT c.seq, e.seq FROM family_event_seq e JOIN notify_cursors c USING (family_id)
			WHERE family_id = $1`, e.family).Scan(&cursor, &seq); err != nil {
			t.Fatal(err)
		}
		return cursor, seq
	}
	writtenAndPruned := func(n int) {
		t.Helper()
		for range n {
			if _, err := e.pool.Exec(ctx, `INSERT INTO tasks (family_id, title) VALUES ($1, 'from psql')`, e.family); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1`, e.family); err != nil {
			t.Fatal(err)
		}
	}

	writtenAndPruned(3)
	if jobs := e.process(); len(jobs) != 0 {
		t.Errorf("%d jobs from events that are gone", len(jobs))
	}
	if cursor, seq := behind(); cursor != seq {
		t.Errorf("cursor %d after the pass, want the family's seq %d (its events after the cursor are pruned)", cursor, seq)
	}

	// The same with the leader running: its first sweep moves past them,
	// and no cross-check finds the family behind without a wake-up.
	writtenAndPruned(2)
	e.run(t, RunOpts{})
	waitFor(t, "the first sweep", func() bool { return e.s.scans.Load() > 0 })
	checks := e.s.checks.Load()
	waitFor(t, "three cross-checks after it", func() bool { return e.s.checks.Load() >= checks+3 })
	if cursor, seq := behind(); cursor != seq || e.s.lost.Load() != 0 {
		t.Errorf("cursor %d, seq %d, %d families found without a wake-up; want the cursor at the seq and none", cursor, seq, e.s.lost.Load())
	}

	// A later event is derived as usual.
	due := e.clock.Now().Add(30 * time.Minute)
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
	e.s.Wake(e.family)
	var jobs []queued
	waitFor(t, "the reminder of the task after the pruned events", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) > 0 })
	if len(jobs) != 1 {
		t.Errorf("%d jobs, want the one reminder", len(jobs))
	}
}

// TestLateWakeUpMakesNoPass: a wake-up for an event that this replica's
// last pass over the family already read makes no pass. Its notification
// often comes after the pass that an earlier notification started, and
// such a pass found nothing new: 48 % of the passes at ~260 writes/s
// (docs/benchmarks.md, seventeenth round). A wake-up for a newer event
// still makes one, and its notice.
func TestLateWakeUpMakesNoPass(t *testing.T) {
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: time.Hour, Coalesce: -1})
	e.run(t, RunOpts{}) // leads; wakes only when told here
	waitFor(t, "the first sweep", func() bool { return e.s.scans.Load() > 0 })
	task := func(title string) int64 {
		t.Helper()
		due := e.clock.Now().Add(30 * time.Minute)
		e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title, DueAt: &due, AssigneeID: &e.ben})
			return err
		})
		var seq int64
		if err := e.pool.QueryRow(context.Background(), `SELECT seq FROM family_event_seq WHERE family_id = $1`, e.family).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		return seq
	}
	first := task("Call grandma")
	e.s.WakeFor(e.family, familyhub.ChannelTasks, first)
	var jobs []queued
	waitFor(t, "the first reminder", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) > 0 })
	passes := e.s.passes.Load()
	// The same event's wake-up again, and an older one's, come late.
	e.s.WakeFor(e.family, familyhub.ChannelTasks, first)
	e.s.WakeFor(e.family, familyhub.ChannelTasks, first-1)
	waitFor(t, "the late wake-ups taken", func() bool { return len(e.s.wake) == 0 })
	second := task("Water the plants")
	e.s.WakeFor(e.family, familyhub.ChannelTasks, second)
	waitFor(t, "the second reminder", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) > 1 })
	if p, l := e.s.passes.Load()-passes, e.s.late.Load(); p != 1 || l != 2 || len(jobs) != 2 {
		t.Errorf("%d passes, %d wake-ups found late, %d reminders; want 1 (the second event's), 2 and 2", p, l, len(jobs))
	}
}
