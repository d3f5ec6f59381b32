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
// the command's row, for which Ben's transaction already waits (queued
// behind the undo's request while a third transaction held it): a lock
// cycle, and PostgreSQL fails the undo's try (40P01). Ana's "add
// bread", said after the undo, waits for her command lock meanwhile. The
// undo runs again from its savepoint, still holding that lock: it undoes
// "add milk", the command said before it, and "add bread" runs after it.
// Run again as a whole transaction (before), the undo released the lock
// between tries, "add bread" committed in between, and the undo's second
// try undid "add bread" instead: milk stayed on the list, bread did not.
func TestSpokenUndoRetriedUndoesCommandBefore(t *testing.T) {
	f := newDeadlockFamily(t)
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
	// A third transaction holds the command's row, so the undo waits for
	// it first (no cycle yet), and Ben's request of the row queues behind
	// the undo's: released, the row goes to the undo, which then waits
	// for the milk while Ben already waits for it. The cycle is complete
	// the moment the undo's wait begins, and its one deadlock check
	// (deadlock_timeout, 1 s, later) finds it, however slow the machine.
	releaseCmd := f.holdRow("SELECT 1 FROM assistant_commands WHERE id = $1 FOR UPDATE", milk.ID)
	undo := f.sayAsync(f.ana, Request{Text: "undo that", Lang: "en"})
	if r := f.waitDoneOrLocks(undo, 1); r != nil {
		releaseCmd()
		t.Fatalf("the undo ended before waiting for the command's row: %s %q %v", r.ans.Outcome, r.ans.Message, r.err)
	}
	bread := f.sayAsync(f.ana, Request{Text: "add bread to the weekly list", Lang: "en"})
	if r := f.waitDoneOrLocks(bread, 2); r != nil {
		releaseCmd()
		t.Fatalf("add bread ran while the undo held Ana's command lock: %s %q %v", r.ans.Outcome, r.ans.Message, r.err)
	}
	// Ben gets the command's row once PostgreSQL failed the undo's try.
	lockCmd := func() error {
		_, err := ben.Exec(ctx, "SELECT FROM assistant_commands WHERE id = $1 FOR UPDATE", milk.ID)
		return err
	}
	if err := f.closeCycle("Ben's lock of the command's row", releaseCmd, lockCmd); err != nil {
		t.Fatalf("Ben's lock of the command's row: %v", lateDeadlockErr(err))
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
