package notify

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// TestScanAndPassTakeTheFamilyInOneOrder provokes the interleaving in
// which a pass and the schedule's scan (notify-scan, every 10 minutes)
// deadlocked: both write a family's reminders, the pass in the order of
// the events, the scan by due time, and each waited for the other's
// uncommitted notice (PostgreSQL then failed one, and a failed pass over
// several families was redone family by family). Here the pass, over the
// family and another, has written the later reminder and is held before
// the sooner one; the scan starts. The scan now takes the family's
// cursor first, as the pass did, so it waits for the pass's commit before
// it writes anything, and both succeed.
func TestScanAndPassTakeTheFamilyInOneOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	other := e.scalarUUID(`INSERT INTO families (name) VALUES ('F') RETURNING id`)
	e.process()
	// Ben's two tasks, the one due later made first.
	for _, in := range []time.Duration{40 * time.Minute, 30 * time.Minute} {
		due := e.clock.Now().Add(in)
		e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Task", DueAt: &due, AssigneeID: &e.ben})
			return err
		})
	}
	paused, resume := make(chan struct{}), make(chan struct{})
	var notices atomic.Int32
	e.s.onNotice = func(string) {
		if notices.Add(1) == 2 { // the pass's second reminder
			close(paused)
			<-resume
		}
	}
	passed := make(chan error, 1)
	go func() {
		_, err := e.s.processFamilies(ctx, []uuid.UUID{e.family, other})
		passed <- err
	}()
	select {
	case <-paused:
	case err := <-passed:
		t.Fatalf("the pass ended (%v) before its second reminder", err)
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the pass's second reminder")
	}
	scanned := make(chan error, 1)
	go func() { scanned <- e.s.Scan(ctx) }()
	waitFor(t, "the scan to wait for the pass", func() bool {
		var waiting bool
		return e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting) == nil && waiting
	})
	close(resume)
	if err := <-passed; err != nil {
		t.Errorf("the pass over the family and another: %v", err)
	}
	if err := <-scanned; err != nil {
		t.Errorf("the scan: %v", err)
	}
	if jobs := e.q.take(); len(jobs) != 2 {
		t.Errorf("%d notices, want Ben's two reminders, once each", len(jobs))
	}
}
