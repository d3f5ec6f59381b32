package assistant

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestAddRetriedAfterDeadlock: "add salt and 2 eggs" keeps the open
// "salt" (share-locked) and then merges into "eggs 6", while Ben ticks
// eggs and then salt: a lock cycle (db test TestShoppingItemPutDeadlock).
// PostgreSQL fails the command's transaction (the ticks' connection
// never runs the deadlock check); the
// command runs again on the list as Ben's ticks left it (both unticked,
// eggs 2), and its undo ticks both again. Without the retry the command
// failed (an internal error).
func TestAddRetriedAfterDeadlock(t *testing.T) {
	f := newTestFamily(t)
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
	// Ben's ticks (patientTx): the command is the one PostgreSQL fails.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ticks := f.patientTx(ctx)
	tick := func(id uuid.UUID) error {
		_, err := ticks.Exec(ctx, "UPDATE shopping_items SET checked = true, checked_at = now() WHERE id = $1", id)
		return err
	}
	if err := tick(eggs.ID); err != nil {
		t.Fatal(err)
	}
	ch := f.sayAsync(f.ana, Request{Text: "add salt and 2 eggs to the weekly list", Lang: "en"})
	if r := f.waitDoneOrLocks(ch, 1); r != nil {
		t.Fatalf("the command ended before waiting for eggs: %+v %v", r.ans, r.err)
	}
	// Waits for the command's share lock on salt until PostgreSQL fails
	// the command's transaction (deadlock_timeout after it began to wait;
	// it checks once: the ticks must wait within that second).
	if err := tick(salt.ID); err != nil {
		t.Fatalf("Ben's tick of salt: %v (PostgreSQL failed the ticks, not the command: nothing to retry)", err)
	}
	if err := ticks.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := f.answer(ch)
	if r.err != nil || r.ans.Outcome != OutcomeExecuted {
		t.Fatalf("add salt and 2 eggs after a deadlock: %+v %v", r.ans, r.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "salt, 2 eggs" {
		t.Fatalf("after the add: %q, want salt, 2 eggs (both unticked)", got)
	}
	if _, err := f.undo(f.ana, r.ans.ID); err != nil {
		t.Fatalf("undo the add: %v", err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "salt✓, 6 eggs✓" {
		t.Fatalf("after the undo: %q, want Ben's ticks back: salt✓, 6 eggs✓", got)
	}
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
	f := newTestFamily(t)
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
	// Ben's change (patientTx): a cycle would fail the command.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ben := f.patientTx(ctx)
	note := func(id uuid.UUID) {
		t.Helper()
		if _, err := ben.Exec(ctx, "UPDATE shopping_items SET note = 'Ben' WHERE id = $1", id); err != nil {
			t.Fatal(err)
		}
	}
	note(salt)
	ch := f.sayAsync(f.ana, Request{Text: "tick off eggs and salt on the weekly list", Lang: "en"})
	if r := f.waitDoneOrLocks(ch, 1); r != nil {
		t.Fatalf("the command ended before waiting for salt: %+v %v", r.ans, r.err)
	}
	note(eggs)
	if err := ben.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := f.answer(ch)
	if r.err != nil || r.ans.Outcome != OutcomeExecuted {
		t.Fatalf("tick off eggs and salt while Ben changed both: %+v %v", r.ans, r.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "eggs✓, salt✓" {
		t.Fatalf("after the ticks: %q, want eggs✓, salt✓", got)
	}
}

// patientTx begins another member's transaction on a superuser's
// connection that checks for deadlocks only after a minute: PostgreSQL's
// check of a cycle with a command is then the command's (deadlock_timeout,
// 1 s, after it began to wait), so the command is the one it fails,
// whatever the machine's load. It is rolled back at cleanup unless
// committed.
func (f *testFamily) patientTx(ctx context.Context) pgx.Tx {
	f.t.Helper()
	conn := dbtest.SuperuserConn(f.t, f.pool.Config().ConnString())
	if _, err := conn.Exec(ctx, "SET deadlock_timeout = '1min'"); err != nil {
		f.t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { tx.Rollback(context.Background()) })
	return tx
}
