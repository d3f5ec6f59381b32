package assistant

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// TestSpokenUndoDeadlineCoversStatements: a spoken undo's one deadline
// from its arrival covers its statements after the locks too. Another
// member's transaction holds the row of the item the undo deletes: with
// 1.5 s of budget the undo is busy within it (and a little), and nothing
// changed, its transaction rolled back; said again once the row is free,
// it undoes the item. The deadline stopped at the locks
// and the undo waited for the row as long as it was held.
//
// TestSpokenUndoDeadlineCoversStatements/button: the Undo button of the
// command (Service.Undo) is under the same deadline. Its retries had none:
// it waited for the row as long as it was held, past the 30 s the app
// waits for its answer.
func TestSpokenUndoDeadlineCoversStatements(t *testing.T) {
	for _, how := range []string{"spoken", "button"} {
		t.Run(how, func(t *testing.T) {
			f, bread, before := breadToUndo(t)
			f.svc.budget = 1500 * time.Millisecond
			release := f.holdRow(`SELECT 1 FROM shopping_items WHERE id = $1 FOR UPDATE`, f.items(bread.Result.List.ID)[0].ID)
			start := time.Now()
			ch := f.undoAsync(how, bread.ID)
			var err error
			select {
			case err = <-ch:
			case <-time.After(4 * time.Second):
				release()
				<-ch
				t.Fatalf("%s undo with the item's row held: no answer within 4 s (budget 1.5 s)", how)
			}
			took := time.Since(start)
			release()
			if !isCode(err, familyhub.EBUSY) || !errors.Is(err, ErrUndoBusy) {
				// not "your previous command is still running": another
				// member's change held it up
				t.Fatalf("%s undo with the item's row held: %v, want busy: %v", how, err, ErrUndoBusy)
			}
			if took > 3*time.Second {
				t.Errorf("busy after %v, want within the undo's 1.5 s (and a little)", took)
			}
			if after := f.state(true); after != before {
				t.Errorf("a busy undo changed the family's data:\nbefore %s\nafter  %s", before, after)
			}
			// nothing was recorded as its outcome: again, it undoes the bread
			f.svc.budget = undoBudget
			if err := <-f.undoAsync(how, bread.ID); err != nil {
				t.Fatalf("%s undo again: %v", how, err)
			}
			if items := f.items(bread.Result.List.ID); len(items) != 0 {
				t.Errorf("after the undo again: items %q, want none", itemNamesOf(items))
			}
		})
	}
}

// breadToUndo is a family whose Ana added bread to the weekly list (the
// command), and the family's data after it.
func breadToUndo(t *testing.T) (f *testFamily, bread Answer, before string) {
	t.Helper()
	f = newTestFamily(t)
	l := f.list("Weekly")
	bread = f.do("add bread to the weekly list")
	if items := f.items(l.ID); len(items) != 1 {
		t.Fatalf("items %q, want bread", itemNamesOf(items))
	}
	return f, bread, f.state(true)
}

// undoAsync undoes Ana's command id in a goroutine of its own: said
// ("undo that", her last command) or by its button (Service.Undo).
func (f *testFamily) undoAsync(how string, id uuid.UUID) <-chan error {
	ch := make(chan error, 1)
	go func() {
		if how == "button" {
			_, err := f.svc.Undo(f.ctx(f.ana), id, "en", Device{})
			ch <- err
			return
		}
		ch <- (<-f.sayAsync(f.ana, Request{Text: "undo that", Lang: "en"})).err
	}()
	return ch
}

// TestSpokenUndoClientGoneNotBusy: the app gives up on "undo that" (its
// request cancelled) while the undo waits for a row another member's
// transaction holds. That is the caller's end, not the undo's deadline:
// not busy, nothing recorded for its id (said again with it, it runs),
// its in-flight row deleted although its context has ended, and nothing
// changed.
func TestSpokenUndoClientGoneNotBusy(t *testing.T) {
	f, bread, before := breadToUndo(t)
	l := bread.Result.List
	release := f.holdRow(`SELECT 1 FROM shopping_items WHERE id = $1 FOR UPDATE`, f.items(l.ID)[0].ID)
	defer func() { release() }()
	id := uuid.New()
	ctx, cancel := context.WithCancel(f.ctx(f.ana))
	time.AfterFunc(300*time.Millisecond, cancel)
	_, err := f.svc.Command(ctx, Request{Text: "undo that", Lang: "en", ID: &id})
	if err == nil || isCode(err, familyhub.EBUSY) {
		t.Fatalf("undo that, its request cancelled: %v, want an error that is not busy", err)
	}
	var recorded, inflight int
	if err := f.pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM assistant_commands WHERE id = $1),
		(SELECT count(*) FROM assistant_inflight WHERE user_id = $2)`, id, f.ana.UserID).Scan(&recorded, &inflight); err != nil {
		t.Fatal(err)
	}
	if recorded != 0 || inflight != 0 {
		t.Errorf("after the cancelled undo: %d records of its id, %d in-flight rows, want none", recorded, inflight)
	}
	release()
	release = func() {}
	if after := f.state(true); after != before {
		t.Errorf("a cancelled undo changed the family's data:\nbefore %s\nafter  %s", before, after)
	}
	if _, err := f.svc.Command(f.ctx(f.ana), Request{Text: "undo that", Lang: "en", ID: &id}); err != nil {
		t.Fatalf("undo that again with its id: %v", err)
	}
	if items := f.items(l.ID); len(items) != 0 {
		t.Errorf("after undo that again: items %q, want none", itemNamesOf(items))
	}
}
