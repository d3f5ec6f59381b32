package notify

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestSettingsChangeWaitsBoundedForAPass: a pass over the family holds
// its cursor (paused here at its first reminder, as a long pass would
// be) while a member changes their lead time. The change waits for the
// cursor at most SettingsLockWait and is then refused with a conflict
// that says to save again, nothing saved; once the pass is done, saving
// again works and reschedules. Before, the change waited for as long as
// the pass held the cursor, with no bound but the request's context.
func TestSettingsChangeWaitsBoundedForAPass(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{SettingsLockWait: 100 * time.Millisecond})
	ctx := context.Background()
	due := e.clock.Now().Add(30 * time.Minute)
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
	paused, resume := make(chan struct{}), make(chan struct{})
	var notices atomic.Int32
	e.s.onNotice = func(string) {
		if notices.Add(1) == 1 { // the pass's reminder, not yet written
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
	resumed := false
	defer func() {
		if !resumed {
			close(resume)
		}
	}()

	bctx := familyhub.NewContextWithAuth(ctx, &familyhub.Auth{UserID: e.ben, FamilyID: e.family, Role: familyhub.RoleMember})
	save := func() error {
		return e.s.store.Tx(bctx, func(tx *db.Tx) error {
			_, err := e.s.UpdateSettings(bctx, tx, db.NotifySettingsPatch{TaskLeadMinutes: familyhub.Some(20)}, familyhub.Optional[NtfyPatch]{}, "")
			return err
		})
	}
	saved := make(chan error, 1)
	go func() { saved <- save() }()
	select {
	case err := <-saved:
		if familyhub.ErrorCode(err) != familyhub.ECONFLICT || err != errSettingsBusy {
			t.Fatalf("a settings change while a pass holds the family's cursor: %v; want errSettingsBusy", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the settings change still waits for the pass, 10 s after SettingsLockWait (100 ms)")
	}
	var lead int
	if err := e.pool.QueryRow(ctx, `SELECT task_lead_minutes FROM notify_member_settings WHERE user_id = $1`, e.ben).Scan(&lead); err != nil || lead == 20 {
		t.Errorf("the refused change's lead time: %d (%v); want the old one kept", lead, err)
	}

	resumed = true
	close(resume)
	if o := <-passed; o.err != nil {
		t.Fatalf("the pass: %v", o.err)
	}
	if err := save(); err != nil {
		t.Fatalf("saving again after the pass: %v", err)
	}
	var keys []string
	rows, err := e.pool.Query(ctx, `SELECT key FROM notify_notices WHERE user_id = $1 AND kind = 'task' ORDER BY fire_at`, e.ben)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if len(keys) != 2 {
		t.Errorf("Ben's task reminders after the pass and the new lead time: %v; want the pass's and the rescheduled one", keys)
	}
}
