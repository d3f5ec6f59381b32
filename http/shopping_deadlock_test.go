package http

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestShoppingListDeleteDeadlockRetried: a REST list delete (the list,
// then its items in id order) meets a transaction that holds an item of
// the list and then asks for the list's key share (as the assistant's undo
// of a merging add did: the new line deleted, then the kept one put back
// onto the list). PostgreSQL fails the delete (the other side checks for
// deadlocks only after a minute, dbtest.LateDeadlockTx); the delete runs
// again once the other committed and answers 204, and the Store's Logger
// heard of exactly that one retry, for a deadlock (40P01). Without the
// retry it answered 500.
func TestShoppingListDeleteDeadlockRetried(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	var logged dbtest.LogBuffer
	env.server.store.Logger = slog.New(slog.NewTextHandler(&logged, nil)) // before any request
	c, _ := env.signup("listdeadlock@example.org", "Deadlocks")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Aldi"}).decode(t, &list)
	L := "/api/shopping/lists/" + list.ID.String()
	var eggs shoppingItemJSON
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "eggs"}).decode(t, &eggs)

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	other := dbtest.BeginLateDeadlock(t, ctx, env.pool.Config().ConnString())
	if _, err := other.Exec(ctx, "UPDATE shopping_items SET note = 'other' WHERE id = $1", eggs.ID); err != nil {
		t.Fatal(err)
	}
	// PostgreSQL checks a wait once, 1 s after it began: the cycle must be
	// whole when the delete begins to wait for eggs. So a third
	// transaction holds the list first: the delete waits for it, the
	// other's key share queues behind the delete, and when the third lets
	// go the delete gets the list and waits for eggs while the other
	// already waits for the delete.
	holder, err := env.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(context.Background())
	if _, err := holder.Exec(ctx, "SELECT FROM shopping_lists WHERE id = $1 FOR UPDATE", list.ID); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("DELETE", env.ts.URL+L, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := c.sendAsync(req)
	waits := func(n int, what string) {
		t.Helper()
		dbtest.AwaitLockWaits(t, ctx, env.pool, n, what, answered(done))
	}
	waits(1, "the delete waited for the list")
	keyShare := make(chan error, 1)
	go func() {
		_, err := other.Exec(ctx, "SELECT FROM shopping_lists WHERE id = $1 FOR KEY SHARE", list.ID)
		keyShare <- err
	}()
	// A failure from here on ends the key share first (its statement
	// cancelled), then the holder, then, at cleanup, the other
	// transaction: not two goroutines on its connection.
	var shareErr error
	shared := false
	share := func() error {
		if !shared {
			shareErr, shared = <-keyShare, true
		}
		return shareErr
	}
	defer func() {
		cancel()
		share()
	}()
	waits(2, "the other's key share waited behind the delete")
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// The delete gets the list and waits for eggs: the cycle. PostgreSQL
	// fails the delete, and the other gets its key share.
	if err := share(); err != nil {
		t.Fatalf("the other's key share: %v (PostgreSQL failed it, not the delete?)", err)
	}
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var r response
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the delete never answered")
	}
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("list delete after a deadlock: %d %s", r.StatusCode, r.body)
	}
	c.must(http.StatusNotFound, "GET", L, nil)
	if n := strings.Count(logged.String(), `msg="transaction retried" sqlstate=40P01`); n != 1 || strings.Count(logged.String(), "transaction retried") != 1 {
		t.Errorf("%d retries for a deadlock logged, want exactly one:\n%s", n, logged.String())
	}
}
