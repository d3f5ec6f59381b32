package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSpokenUndoRetriedUndoesCommandBefore: Ana's "undo that" of "add
// milk" waits for the milk's row (held by a transaction of Ben's) holding
// the command's row; Ben's transaction then waits for the command's row:
// a lock cycle, and PostgreSQL fails the undo's try (40P01). Ana's "add
// bread", said after the undo, waits for her command lock meanwhile. The
// undo runs again from its savepoint, still holding that lock: it undoes
// "add milk", the command said before it, and "add bread" runs after it.
// Run again as a whole transaction (before), the undo released the lock
// between tries, "add bread" committed in between, and the undo's second
// try undid "add bread" instead: milk stayed on the list, bread did not.
func TestSpokenUndoRetriedUndoesCommandBefore(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	milk := f.do("add milk to the weekly list")
	items := f.items(weekly.ID)
	if len(items) != 1 {
		t.Fatalf("after add milk: %q", itemNamesOf(items))
	}
	// Ben's transaction, whose deadlock check comes late: the undo is the
	// one PostgreSQL fails (dbtest.LateDeadlockTx).
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ben := dbtest.BeginLateDeadlock(t, ctx, f.pool.Config().ConnString())
	if _, err := ben.Exec(ctx, "SELECT FROM shopping_items WHERE id = $1 FOR UPDATE", items[0].ID); err != nil {
		t.Fatal(err)
	}
	undo := f.sayAsync(f.ana, Request{Text: "undo that", Lang: "en"})
	if r := f.waitDoneOrLocks(undo, 1); r != nil {
		t.Fatalf("the undo ended before waiting for the milk: %s %q %v", r.ans.Outcome, r.ans.Message, r.err)
	}
	bread := f.sayAsync(f.ana, Request{Text: "add bread to the weekly list", Lang: "en"})
	if r := f.waitDoneOrLocks(bread, 2); r != nil {
		t.Fatalf("add bread ran while the undo held Ana's command lock: %s %q %v", r.ans.Outcome, r.ans.Message, r.err)
	}
	// Waits for the undo's lock of the command's row until PostgreSQL
	// fails the undo's try (deadlock_timeout after it began to wait; it
	// checks once: this must wait within that second).
	if _, err := ben.Exec(ctx, "SELECT FROM assistant_commands WHERE id = $1 FOR UPDATE", milk.ID); err != nil {
		t.Fatalf("Ben's lock of the command's row: %v (PostgreSQL failed Ben's transaction, not the undo: nothing to retry)", err)
	}
	if err := ben.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	u := f.answer(undo)
	if u.err != nil || u.ans.Outcome != OutcomeExecuted {
		t.Fatalf("undo that after a deadlock: %s %q %v", u.ans.Outcome, u.ans.Message, u.err)
	}
	if b := f.answer(bread); b.err != nil || b.ans.Outcome != OutcomeExecuted {
		t.Fatalf("add bread: %s %q %v", b.ans.Outcome, b.ans.Message, b.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after undo that and add bread: %q, want bread (the milk undone, not the bread said after the undo); the undo said %q", got, u.ans.Message)
	}
	if !strings.Contains(u.ans.Message, "milk") {
		t.Fatalf("the undo says %q, want the milk's add undone", u.ans.Message)
	}
}
