package assistant

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestAddRetriedAfterDeadlock: "add salt and 2 eggs" keeps the open
// "salt" (share-locked) and then merges into "eggs 6", while Ben ticks
// eggs and then salt (queued behind the add's share lock while a third
// transaction held salt, so the cycle is complete as soon as the add
// waits for eggs): a lock cycle (db test TestShoppingItemPutDeadlock).
// PostgreSQL fails the command's transaction (the ticks' connection
// never runs the deadlock check); the
// command runs again from its savepoint on the list as Ben's ticks left
// it (both unticked, eggs 2), and its undo ticks both again. Without the
// retry the command failed (an internal error). Ana's next command, said
// while the add waits, waits for her command lock until the add is done:
// the retry keeps it (run again whole, the transaction released it and
// "add bread" ran in between).
func TestAddRetriedAfterDeadlock(t *testing.T) {
	f := newDeadlockFamily(t)
	weekly := f.list("Weekly")
	var salt, eggs dbsqlc.ShoppingItemsView
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) (err error) {
		if salt, _, err = tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "salt"}); err != nil {
			return err
		}
		six := "6"
		eggs, _, err = tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "eggs", Quantity: &six})
		return err
	})
	// Ben's ticks, in a transaction whose deadlock check comes late: the
	// command is the one PostgreSQL fails (dbtest.LateDeadlockTx).
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ticks := dbtest.BeginLateDeadlock(t, ctx, f.pool.Config().ConnString())
	if err := ticks.Tick(ctx, eggs.ID); err != nil {
		t.Fatal(err)
	}
	// A third transaction holds salt, so the add waits for it first (no
	// cycle yet), and Ben's tick of salt queues behind the add's share
	// lock: released, salt goes to the add, which then waits for eggs
	// while Ben already waits for it. The cycle is complete the moment the
	// add's wait begins, and its one deadlock check (deadlock_timeout,
	// 1 s, later) finds it, however slow the machine.
	releaseSalt := f.holdRow("SELECT 1 FROM shopping_items WHERE id = $1 FOR UPDATE", salt.ID)
	ch := f.sayAsync(f.ana, Request{Text: "add salt and 2 eggs to the weekly list", Lang: "en"})
	if r := f.waitDoneOrLocks(ch, 1); r != nil {
		releaseSalt()
		t.Fatalf("the command ended before waiting for salt: %+v %v", r.ans, r.err)
	}
	// Ana's next command waits for her command lock, which the add holds.
	bread := f.sayAsync(f.ana, Request{Text: "add bread to the weekly list", Lang: "en"})
	if r := f.waitDoneOrLocks(bread, 2); r != nil {
		releaseSalt()
		t.Fatalf("Ana's next command ran while the add held her command lock: %s %q %v", r.ans.Outcome, r.ans.Message, r.err)
	}
	// Ben's tick goes on once PostgreSQL failed the command's try.
	if err := f.closeCycle("Ben's tick of salt", releaseSalt, func() error { return ticks.Tick(ctx, salt.ID) }); err != nil {
		t.Fatalf("Ben's tick of salt: %v", lateDeadlockErr(err))
	}
	// The add runs again from its savepoint, waiting for Ben's ticks,
	// while still holding Ana's command lock: her next command still
	// waits for it. A whole transaction run again would have released it
	// (and "undo that" said then would undo "bread", not the add).
	if r := f.waitDoneOrLocks(bread, 2); r != nil {
		t.Fatalf("Ana's next command ran while the add was retried (her command lock was released): %s %q %v", r.ans.Outcome, r.ans.Message, r.err)
	}
	if err := ticks.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var r said
	select {
	case r = <-ch:
	case <-time.After(30 * time.Second):
		t.Fatal("the command never answered")
	}
	if r.err != nil || r.ans.Outcome != OutcomeExecuted {
		t.Fatalf("add salt and 2 eggs after a deadlock: %+v %v", r.ans, r.err)
	}
	select {
	case r := <-bread:
		if r.err != nil || r.ans.Outcome != OutcomeExecuted {
			t.Fatalf("add bread after the add: %+v %v", r.ans, r.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ana's next command never answered")
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "salt, 2 eggs, bread" {
		t.Fatalf("after the add: %q, want salt, 2 eggs (both unticked), bread", got)
	}
	if _, err := f.undo(f.ana, r.ans.ID); err != nil {
		t.Fatalf("undo the add: %v", err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "salt✓, 6 eggs✓, bread" {
		t.Fatalf("after the undo: %q, want Ben's ticks back: salt✓, 6 eggs✓, bread", got)
	}
}

// closeCycle runs wait (a dbtest.LateDeadlockTx's lock request) in a
// goroutine until it queues behind the code under test's request (the
// third lock wait of the family's database), then release()s the third
// transaction that holds what both request: the code gets it first and
// then waits for what wait's transaction holds, closing the cycle as its
// wait begins. It returns wait's error, once the code's try has failed.
// wait must end when the test's context is cancelled (a deferred cancel):
// a failing test waits for it at cleanup, before the late transaction's
// rollback uses its connection (two goroutines on one pgx connection
// race, and a "close of closed channel" panic hides the real failure).
func (f *testFamily) closeCycle(what string, release func(), wait func() error) error {
	f.t.Helper()
	done := make(chan error, 1)
	go func() { done <- wait() }()
	var err error
	waited := false
	result := func() error {
		if !waited {
			err, waited = <-done, true
		}
		return err
	}
	f.t.Cleanup(func() { result() })
	if !f.waitLocks(3) {
		release()
		f.t.Fatalf("%s does not wait behind the code's request", what)
	}
	release()
	return result()
}

// lateDeadlockErr explains the error of a dbtest.LateDeadlockTx's wait
// that closed a lock cycle with the code under test.
func lateDeadlockErr(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "40P01" {
		return fmt.Errorf("%w (PostgreSQL failed the late-checking transaction, not the code's: nothing to retry)", err)
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return fmt.Errorf("%w (no deadlock check saw the cycle: the code's wait did not close it)", err)
	}
	return err
}

// TestTicksLockedInIDOrder: "tick off eggs and salt" ticks eggs first as
// spoken, while Ben's change of both takes them in the order of their ids
// (salt's is lower here), as every writer of several items does: Ben
// holds salt when the command starts and writes eggs once the command
// waits. The command locks both in id order before ticking them
// (executor.lockFound), so it waits for salt holding nothing and then
// ticks both. Without that it held eggs and waited for salt, a lock
// cycle: PostgreSQL failed the command (ticks are not retried), an
// internal error for Ana.
func TestTicksLockedInIDOrder(t *testing.T) {
	f := newDeadlockFamily(t)
	weekly := f.list("Weekly")
	eggs := uuid.MustParse("ffffffff-ffff-4fff-bfff-ffffffffffff")
	salt := uuid.MustParse("00000000-0000-4000-8000-000000000001")
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, it := range []db.ShoppingItemNew{{ID: &eggs, Name: "eggs"}, {ID: &salt, Name: "salt"}} {
			if _, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, it); err != nil {
				return err
			}
		}
		return nil
	})
	r := f.whileBenNotes(salt, eggs, "tick off eggs and salt on the weekly list")
	if r.err != nil || r.ans.Outcome != OutcomeExecuted {
		t.Fatalf("tick off eggs and salt while Ben changed both: %+v %v", r.ans, r.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "eggs✓, salt✓" {
		t.Fatalf("after the ticks: %q, want eggs✓, salt✓", got)
	}
	// The command read both again after the lock: its undo puts back the
	// items as Ben left them, his notes kept (not as read before the wait).
	if _, err := f.undo(f.ana, r.ans.ID); err != nil {
		t.Fatalf("undo the ticks: %v", err)
	}
	for _, it := range f.items(weekly.ID) {
		if it.Checked || it.Note == nil || *it.Note != "Ben" {
			t.Fatalf("after the undo: %s checked %v note %v, want unticked with Ben's note", it.Name, it.Checked, it.Note)
		}
	}
}

// TestClearTickedLockedInIDOrder: "clear the ticked items" deletes them
// in list order (eggs first), while Ben's change of both takes them in id
// order (salt's is lower): Ben holds salt when the command starts and
// writes eggs once the command waits. The command locks the ticked items
// in id order before deleting them, so it waits for salt holding nothing
// and then deletes both. Without that it held eggs and waited for salt, a
// lock cycle: PostgreSQL failed the command (a clear is not retried), an
// internal error for Ana.
func TestClearTickedLockedInIDOrder(t *testing.T) {
	f := newDeadlockFamily(t)
	weekly := f.list("Weekly")
	eggs := uuid.MustParse("ffffffff-ffff-4fff-bfff-ffffffffffff")
	salt := uuid.MustParse("00000000-0000-4000-8000-000000000001")
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, it := range []db.ShoppingItemNew{{ID: &eggs, Name: "eggs"}, {ID: &salt, Name: "salt"}, {Name: "bread"}} {
			if _, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, it); err != nil {
				return err
			}
		}
		return nil
	})
	f.do("tick off eggs and salt on the weekly list")
	r := f.whileBenNotes(salt, eggs, "clear the ticked items from the weekly list")
	if r.err != nil || r.ans.Outcome != OutcomeExecuted {
		t.Fatalf("clear the ticked items while Ben changed them: %+v %v", r.ans, r.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after the clear: %q, want bread", got)
	}
}

// whileBenNotes has Ana say text while Ben notes first then second, in a
// transaction whose deadlock check comes late, so a cycle fails Ana's
// command (dbtest.LateDeadlockTx): Ben holds first when the command
// starts and writes second once it waits for a lock, then commits. It
// returns the command's answer.
func (f *testFamily) whileBenNotes(first, second uuid.UUID, text string) said {
	t := f.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ben := dbtest.BeginLateDeadlock(t, ctx, f.pool.Config().ConnString())
	note := func(id uuid.UUID) {
		t.Helper()
		if _, err := ben.Exec(ctx, "UPDATE shopping_items SET note = 'Ben' WHERE id = $1", id); err != nil {
			t.Fatal(err)
		}
	}
	note(first)
	ch := f.sayAsync(f.ana, Request{Text: text, Lang: "en"})
	if r := f.waitDoneOrLocks(ch, 1); r != nil {
		t.Fatalf("%q ended before waiting for a lock: %+v %v", text, r.ans, r.err)
	}
	// Locking in id order, the command waits for first holding nothing,
	// and Ben writes second at once. Holding second (not locked in id
	// order), it is a lock cycle: PostgreSQL's one check of the command's
	// wait, 1 s after it began, fails the command (40P01) when Ben's write
	// already waited then, and else never sees the cycle (Ben's check
	// comes after a minute): both fail here within 10 s, saying why.
	noteCtx, cancelNote := context.WithTimeout(ctx, 10*time.Second)
	defer cancelNote()
	if _, err := ben.Exec(noteCtx, "UPDATE shopping_items SET note = 'Ben' WHERE id = $1", second); err != nil {
		if noteCtx.Err() != nil {
			t.Fatalf("%q: Ben's write of the second item waited 10 s for the command, which holds it while waiting for the first: "+
				"not locked in id order (executor.lockFound), a lock cycle PostgreSQL's check did not see: %v", text, err)
		}
		t.Fatal(err)
	}
	if err := ben.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := f.answer(ch)
	var pgErr *pgconn.PgError
	if errors.As(r.err, &pgErr) && pgErr.Code == "40P01" {
		t.Fatalf("%q failed in a lock cycle with Ben's writes (40P01): it held the second item while waiting for the first, "+
			"not locked in id order (executor.lockFound): %v", text, r.err)
	}
	return r
}
