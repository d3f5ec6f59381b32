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

// TestShoppingListDeleteDeadlockRetried: a REST list delete locks the
// list's row and, at commit, the family's event sequence; a transaction
// that holds the sequence and then asks for the list's table meets it the
// other way round (dbtest.DeadlockAtCommit). PostgreSQL fails the delete
// (the other side checks for deadlocks only after a minute,
// dbtest.LateDeadlockTx); the delete runs again once the other committed
// and answers 204, and the Store's Logger heard of exactly that one
// retry, for a deadlock (40P01). Without the retry it answered 503 (busy).
func TestShoppingListDeleteDeadlockRetried(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	var logged dbtest.LogBuffer
	env.server.store.Logger = slog.New(slog.NewTextHandler(&logged, nil)) // before any request
	c, acc := env.signup("listdeadlock@example.org", "Deadlocks")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Aldi"}).decode(t, &list)
	L := "/api/shopping/lists/" + list.ID.String()
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "eggs"})

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	req, err := http.NewRequest("DELETE", env.ts.URL+L, nil)
	if err != nil {
		t.Fatal(err)
	}
	var done <-chan response
	start := func() { done = c.sendAsync(req) }
	ended := func() (string, bool) { return answered(done)() }
	dbtest.DeadlockAtCommit(t, ctx, env.pool, acc.Family.ID, "shopping_lists", list.ID, start, ended)
	var r response
	select {
	case r = <-done:
	case <-ctx.Done():
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
