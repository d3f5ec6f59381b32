package notify

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db"
)

// TestScanHoldsCursorAlsoWhenMissing: while the schedule's scan of a
// family writes its notices it holds the family's cursor, so a pass of
// the family does not write the same notices meanwhile (in its own
// order: the deadlock NotifyCursorLock is there for). With the cursor row
// there, the pass finds it held and leaves the family; without one (a
// family made before migration 00015 that had no event since) the scan
// makes it, and the pass waits for the scan's commit. Before, the scan
// locked nothing for a family without a cursor row: the pass made the
// cursor and went on beside the scan.
func TestScanHoldsCursorAlsoWhenMissing(t *testing.T) {
	t.Parallel()
	for _, missing := range []bool{false, true} {
		name := "cursor there"
		if missing {
			name = "cursor missing"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Config{})
			ctx := context.Background()
			due := e.clock.Now().Add(30 * time.Minute)
			e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
				_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
				return err
			})
			if missing {
				if _, err := e.pool.Exec(ctx, `DELETE FROM notify_cursors WHERE family_id = $1`, e.family); err != nil {
					t.Fatal(err)
				}
			}
			paused, resume := make(chan struct{}), make(chan struct{})
			var notices atomic.Int32
			e.s.onNotice = func(string) {
				if notices.Add(1) == 1 { // the scan's reminder, not yet written
					close(paused)
					<-resume
				}
			}
			scanned := make(chan error, 1)
			go func() { scanned <- e.s.Scan(ctx) }()
			select {
			case <-paused:
			case err := <-scanned:
				t.Fatalf("the scan ended (%v) before its reminder", err)
			case <-time.After(10 * time.Second):
				t.Fatal("timed out waiting for the scan's reminder")
			}
			defer func() {
				select {
				case <-resume:
				default:
					close(resume)
				}
			}()

			if !missing { // a second transaction cannot take it either
				err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
					_, err := tx.Exec(ctx, `SELECT 1 FROM notify_cursors WHERE family_id = $1 FOR UPDATE NOWAIT`, e.family)
					return err
				})
				if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "55P03" {
					t.Errorf("FOR UPDATE NOWAIT on the cursor while the scan holds it: %v, want 55P03 (lock not available)", err)
				}
			}
			passed := make(chan passOutcome, 1)
			go func() { passed <- e.s.processFamily(ctx, e.family) }()
			var early *passOutcome
			waitFor(t, "the pass to leave the family or wait for the scan", func() bool {
				select {
				case o := <-passed:
					early = &o
					return true
				default:
				}
				var waiting bool
				return e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting) == nil && waiting
			})
			switch {
			case early == nil && !missing:
				t.Error("the pass waited for a cursor that was there; want it left (SKIP LOCKED)")
			case early != nil && (missing || !early.held || early.err != nil):
				t.Errorf("the pass ended while the scan held the cursor: %+v; want it to wait (missing) or leave it held", *early)
			}
			close(resume)
			if err := <-scanned; err != nil {
				t.Errorf("scan: %v", err)
			}
			if early == nil {
				if o := <-passed; o.err != nil {
					t.Errorf("the pass after the scan: %v", o.err)
				}
			}
			var cursors int
			if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM notify_cursors WHERE family_id = $1`, e.family).Scan(&cursors); err != nil || cursors != 1 {
				t.Errorf("cursor rows of the family: %d (%v), want 1", cursors, err)
			}
		})
	}
}
