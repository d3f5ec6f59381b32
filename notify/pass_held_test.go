package notify

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// TestHeldCursorLookedAtAgain: a family whose cursor another transaction
// holds when the leader's pass comes (a second leader's pass for the
// moment both believe they lead, the schedule's scan of the family, a
// settings change) is looked at again shortly after, its waits doubling
// while the cursor stays held (no pass per turn of the loop), and its
// news is derived once the cursor is free. Before, the pass dropped it:
// its news waited for the next cross-check or sweep (an hour here).
func TestHeldCursorLookedAtAgain(t *testing.T) {
	t.Parallel()
	// No window and no gap between passes: nothing else spaces the looks.
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: time.Hour, Coalesce: -1})
	ctx := context.Background()
	if err := e.s.ProcessFamily(ctx, e.family); err != nil { // caught up: the first sweep has nothing to do
		t.Fatal(err)
	}
	waits := make(chan time.Duration, 64)
	e.s.onBusy = func(id uuid.UUID, again time.Duration) {
		if id == e.family {
			select {
			case waits <- again:
			default:
			}
		}
	}
	e.run(t, RunOpts{})
	waitFor(t, "the first sweep", func() bool { return e.s.scans.Load() > 0 })

	// Another transaction holds the cursor; the family has news.
	held, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback(ctx)
	if _, err := held.Exec(ctx, `SELECT 1 FROM notify_cursors WHERE family_id = $1 FOR UPDATE`, e.family); err != nil {
		t.Fatal(err)
	}
	due := e.clock.Now().Add(30 * time.Minute)
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
	e.s.Wake(e.family)

	// Three passes find it held: the wake-up's, then two that nothing
	// but the leader's own timer brought, each after twice the wait.
	var got []time.Duration
	for len(got) < 3 {
		select {
		case d := <-waits:
			got = append(got, d)
		case <-time.After(10 * time.Second):
			t.Fatalf("waits %v; want the family looked at again while its cursor is held", got)
		}
	}
	for i, d := range got {
		if want := busyFirst << i; d != want {
			t.Errorf("wait %d after a held cursor: %s, want %s (doubling from %s)", i+1, d, want, busyFirst)
		}
	}
	if err := held.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var jobs []queued
	waitFor(t, "the reminder once the cursor is free", func() bool { jobs = append(jobs, e.q.take()...); return len(jobs) > 0 })
	if len(jobs) != 1 {
		t.Errorf("%d jobs, want 1", len(jobs))
	}
	if l, c := e.s.lost.Load(), e.s.checks.Load(); l != 0 || c != 0 {
		t.Errorf("%d families found lost in %d cross-checks; want the family's own look, no cross-check", l, c)
	}
}

// TestHeldCursorWaitsOutItsWait: while a family waits to be looked at
// again after its cursor was found held (busyAgain), its wake-ups wait
// with it, as inside a window: a hold that lasts costs a pass per wait,
// not one per wake-up. Before, the family was left outside any window,
// and each wake-up (an event a second, say) made a pass that found the
// cursor held again.
func TestHeldCursorWaitsOutItsWait(t *testing.T) {
	old := busyFirst
	busyFirst = time.Hour // nothing but a wake-up brings the family back within the test
	t.Cleanup(func() { busyFirst = old })
	e := newEnv(t, Config{PollEvery: time.Hour, CrossCheckEvery: time.Hour, Coalesce: -1})
	ctx := context.Background()
	other := e.scalarUUID(`INSERT INTO families (name) VALUES ('F') RETURNING id`)
	e.process()
	e.run(t, RunOpts{})
	waitFor(t, "the first sweep", func() bool { return e.s.scans.Load() > 0 })

	held, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback(ctx)
	if _, err := held.Exec(ctx, `SELECT 1 FROM notify_cursors WHERE family_id = $1 FOR UPDATE`, e.family); err != nil {
		t.Fatal(err)
	}
	e.s.Wake(e.family)
	waitFor(t, "a pass to find the cursor held", func() bool { return e.s.busy.Load() == 1 })
	// More wake-ups of the family, then two of another family, one after
	// the other's pass started: the loop has then looked at the family's
	// wake-ups, and at what its pass found (passes counts at a pass's
	// start).
	for range 3 {
		e.s.Wake(e.family)
	}
	for range 2 {
		passes := e.s.passes.Load()
		e.s.Wake(other)
		waitFor(t, "the other family's pass", func() bool { return e.s.passes.Load() > passes })
	}
	if n := e.s.busy.Load(); n != 1 {
		t.Errorf("%d passes found the cursor held; want 1: the wake-ups wait for the family's wait (%s)", n, busyFirst)
	}
}
