package db_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestOneStatementDeadlockRetried: a tick by the one-statement path
// (oneOrTx) locks the item and, at its commit (the pipeline's Sync), the
// family's event sequence (family_event_seq, the event log's numbering).
// A transaction that holds the sequence and then asks for the item meets
// it the other way round. PostgreSQL fails the tick (the other side checks
// for deadlocks only after a minute, dbtest.LateDeadlockTx); the
// statement runs again once the other committed, and the tick is done,
// with exactly one retry logged for a deadlock (40P01). Without oneOrTx's
// retry the tick answered busy.
func TestOneStatementDeadlockRetried(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 4)
	store, pool := e.store, e.pool
	var logged dbtest.LogBuffer
	store.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	ctx, list := e.member(t, "ana")
	milk, _, err := store.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{Name: "Milk"})
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	ticked := make(chan error, 1)
	tick := func() {
		go func() {
			_, err := store.ShoppingItemUpdate(ctx, milk.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
			ticked <- err
		}()
	}
	answered := func() (string, bool) {
		select {
		case err := <-ticked:
			return fmt.Sprint(err), true
		default:
			return "", false
		}
	}
	dbtest.DeadlockAtCommit(t, tctx, pool, familyhub.AuthFromContext(ctx).FamilyID, "shopping_items", milk.ID, tick, answered)
	select {
	case err = <-ticked:
	case <-tctx.Done():
		t.Fatal("the tick never ended")
	}
	if err != nil {
		t.Fatalf("tick after a deadlock: %v", err)
	}
	var checked bool
	if err := pool.QueryRow(context.Background(), "SELECT checked FROM shopping_items WHERE id = $1", milk.ID).Scan(&checked); err != nil || !checked {
		t.Fatalf("milk checked %v (%v), want ticked", checked, err)
	}
	if n := strings.Count(logged.String(), `msg="transaction retried" sqlstate=40P01`); n != 1 || strings.Count(logged.String(), "transaction retried") != 1 {
		t.Errorf("%d retries for a deadlock logged, want exactly one:\n%s", n, logged.String())
	}
}
