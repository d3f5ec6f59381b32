package assistant

import (
	"context"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
)

// TestUndoCommitPastDeadline: an undo's COMMIT, sent, is held (a
// deferred trigger waits for a lock the test holds) across the undo's
// deadline. Released within undoCommitWait after it, the undo has
// landed and answers so; still held then, the answer is unavailable
// (outcome unknown: the app says it may have been done), never busy
// ("nothing was done"): the COMMIT cut off on the wire may land or not.
// Both answered busy: the deadline cut the COMMIT, which could land all
// the same (seen: a backend waiting in COMMIT committed once its lock
// was free, the client gone).
func TestUndoCommitPastDeadline(t *testing.T) {
	for _, how := range []string{"spoken", "button"} {
		for _, held := range []string{"within", "past"} {
			t.Run(how+"/"+held, func(t *testing.T) {
				f, bread, _ := breadToUndo(t)
				f.svc.budget, f.svc.commitWait = 2*time.Second, 2*time.Second
				release := f.holdUndoCommits()
				defer release()
				start := time.Now()
				ch := f.undoAsync(how, bread.ID)
				if !f.waitLocks(1) {
					t.Fatal("the undo's COMMIT did not wait for the held lock")
				}
				var err error
				if held == "within" {
					select {
					case err = <-ch:
						t.Fatalf("answered while its COMMIT was held: %v", err)
					case <-time.After(time.Until(start.Add(f.svc.budget + 500*time.Millisecond))):
					}
					release()
					if err = <-ch; err != nil {
						t.Fatalf("%s undo, its COMMIT held past its deadline and released within its wait: %v, want undone", how, err)
					}
				} else {
					select {
					case err = <-ch:
					case <-time.After(3 * (f.svc.budget + f.svc.commitWait)):
						t.Fatal("no answer while its COMMIT was held")
					}
					if !isCode(err, familyhub.EUNAVAILABLE) || familyhub.ErrorMessage(err) != say("en", "undo.unknown") {
						t.Fatalf("%s undo, its COMMIT held past its wait: %v, want unavailable (outcome unknown)", how, err)
					}
					release()
					// landed or not (the COMMIT was cut off: PostgreSQL may
					// have committed it or been told to cancel it), all or
					// nothing
					var undone, breadLeft bool
					if err := f.pool.QueryRow(context.Background(), `SELECT
						(SELECT undone_at IS NOT NULL FROM assistant_commands WHERE id = $1),
						EXISTS (SELECT 1 FROM shopping_items WHERE list_id = $2)`, bread.ID, bread.Result.List.ID).Scan(&undone, &breadLeft); err != nil {
						t.Fatal(err)
					}
					if undone == breadLeft {
						t.Errorf("%s undo of unknown outcome: undone %v, bread left %v", how, undone, breadLeft)
					}
					return
				}
				if !f.undoneEventually(bread) {
					t.Errorf("%s undo: the bread's command is not undone", how)
				}
			})
		}
	}
}

// holdUndoCommits makes the COMMIT of each transaction that marks a
// command of the test's database undone wait until release: a deferred
// constraint trigger (run at COMMIT) waits for an advisory lock the test
// holds.
func (f *testFamily) holdUndoCommits() (release func()) {
	f.t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`CREATE FUNCTION test_hold_commit() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN PERFORM pg_advisory_xact_lock(4711); RETURN NULL; END $$`,
		`CREATE CONSTRAINT TRIGGER test_hold_commit AFTER UPDATE OF undone_at ON assistant_commands
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_hold_commit()`,
	} {
		if _, err := f.pool.Exec(ctx, q); err != nil {
			f.t.Fatal(err)
		}
	}
	conn, err := f.pool.Acquire(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(4711)`); err != nil {
		f.t.Fatal(err)
	}
	released := false
	return func() {
		if released {
			return
		}
		released = true
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(4711)`); err != nil {
			f.t.Error(err)
		}
		conn.Release()
	}
}

// undoneEventually reports whether cmd is undone within 10 s (a COMMIT
// held until now may still be landing).
func (f *testFamily) undoneEventually(cmd Answer) bool {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var undone bool
		if err := f.pool.QueryRow(context.Background(), `SELECT undone_at IS NOT NULL FROM assistant_commands WHERE id = $1`,
			cmd.ID).Scan(&undone); err != nil {
			f.t.Fatal(err)
		}
		if undone || time.Now().After(deadline) {
			return undone
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
}

// say is the phrase key in lang, as the assistant says it.
func say(lang, key string) string {
	return newSpeaker(lang, time.UTC, time.Now()).say(key)
}
