package notify

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestFamilyDeletedWhileItsNoticesAreWritten: the family is deleted while
// the schedule's scan of it (which holds the family's cursor, as a pass
// and a settings change do) is about to write a reminder. Deleting the
// family takes its cursor too, before it deletes the family's row, so it
// waits for the scan's commit and both succeed. Before, the deletion
// deleted the family's row first and then waited for the cursor (its
// cascade), while the scan's reminder waited for the family's row (its
// foreign key): PostgreSQL broke the deadlock by failing the deletion,
// which had waited first.
func TestFamilyDeletedWhileItsNoticesAreWritten(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	due := e.clock.Now().Add(30 * time.Minute)
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
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
	deleted := make(chan error, 1)
	go func() {
		actx := familyhub.NewContextWithAuth(ctx, &familyhub.Auth{UserID: e.ana, FamilyID: e.family, Role: familyhub.RoleOwner, DeviceID: "laptop-a"})
		deleted <- e.s.store.Tx(actx, func(tx *db.Tx) error { return tx.FamilyDelete(actx, "Rivera") })
	}()
	waitFor(t, "the deletion to wait for the scan", func() bool {
		var waiting bool
		return e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting) == nil && waiting
	})
	close(resume)
	if err := <-deleted; err != nil {
		t.Errorf("deleting the family while its scan writes a reminder: %v", err)
	}
	if err := <-scanned; err != nil {
		t.Errorf("the scan of the family being deleted: %v", err)
	}
	var left bool
	if err := e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM families WHERE id = $1)`, e.family).Scan(&left); err != nil || left {
		t.Errorf("family still there: %t (%v)", left, err)
	}
}
