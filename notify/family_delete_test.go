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

// TestPassAndFamilyDeletionInBothOrders: a pass over the family's news
// and the family's deletion, each way round, with two real transactions.
// The pass holding the cursor (paused at its reminder): the deletion
// waits for it at the cursor and both commit. The deletion first, up to
// the cursor (the member lock, the members' rows and PINs, as
// FamilyDelete takes them): the pass needs none of those locks and ends
// without waiting, and then the deletion goes on. Neither order can
// deadlock (docs/notifications.md); this keeps it so.
func TestPassAndFamilyDeletionInBothOrders(t *testing.T) {
	t.Parallel()
	t.Run("pass first", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{})
		ctx := context.Background()
		e.benTaskDue()
		paused, resume := make(chan struct{}), make(chan struct{})
		var notices atomic.Int32
		e.s.onNotice = func(string) {
			if notices.Add(1) == 1 {
				close(paused)
				<-resume
			}
		}
		passed := make(chan passOutcome, 1)
		go func() { passed <- e.s.processFamily(ctx, e.family) }()
		select {
		case <-paused:
		case o := <-passed:
			t.Fatalf("the pass ended (%+v) before its reminder", o)
		case <-time.After(10 * time.Second):
			t.Fatal("timed out waiting for the pass's reminder")
		}
		deleted := make(chan error, 1)
		go func() {
			actx := familyhub.NewContextWithAuth(ctx, &familyhub.Auth{UserID: e.ana, FamilyID: e.family, Role: familyhub.RoleOwner, DeviceID: "laptop-a"})
			deleted <- e.s.store.Tx(actx, func(tx *db.Tx) error { return tx.FamilyDelete(actx, "Rivera") })
		}()
		waitFor(t, "the deletion to wait for the pass", func() bool {
			var waiting bool
			return e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting) == nil && waiting
		})
		close(resume)
		if o := <-passed; o.err != nil {
			t.Errorf("the pass over the family being deleted: %v", o.err)
		}
		if err := <-deleted; err != nil {
			t.Errorf("deleting the family while a pass holds its cursor: %v", err)
		}
	})
	t.Run("deletion first", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{})
		ctx := context.Background()
		e.benTaskDue()
		d, err := e.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Rollback(ctx)
		for _, q := range []string{ // FamilyDelete up to the cursor
			`SELECT id FROM families WHERE id = $1 FOR NO KEY UPDATE`,
			`UPDATE users SET pin_hash = NULL WHERE id IN (SELECT user_id FROM memberships WHERE family_id = $1)`,
			`DELETE FROM memberships WHERE family_id = $1`,
		} {
			if _, err := d.Exec(ctx, q, e.family); err != nil {
				t.Fatal(err)
			}
		}
		passed := make(chan passOutcome, 1)
		go func() { passed <- e.s.processFamily(ctx, e.family) }()
		select {
		case o := <-passed:
			if o.err != nil || o.held {
				t.Errorf("the pass while the family's deletion holds its members: %+v", o)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the pass waits for a lock of the deletion (before its cursor)")
		}
		for _, q := range []string{
			`INSERT INTO notify_cursors AS c (family_id) SELECT f.id FROM families f WHERE f.id = $1
				ON CONFLICT (family_id) DO UPDATE SET family_id = excluded.family_id WHERE false`,
			`DELETE FROM families WHERE id = $1`,
		} {
			if _, err := d.Exec(ctx, q, e.family); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Commit(ctx); err != nil {
			t.Errorf("the deletion after the pass: %v", err)
		}
	})
}

// benTaskDue gives Ben a task due in half an hour: an event for a pass,
// and a reminder to write.
func (e *env) benTaskDue() {
	e.t.Helper()
	due := e.clock.Now().Add(30 * time.Minute)
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
}
