package http

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestRecipeAddToListDeadlockRetried: a recipe's add-to-list that keeps
// the open "salt" (share-locked) and merges "2 eggs" locks salt's row
// and, at commit, the family's event sequence; a transaction that holds
// the sequence and then asks for the items' table meets it the other way
// round (dbtest.DeadlockAtCommit). PostgreSQL fails the add (the other
// side checks for deadlocks only after a minute, dbtest.LateDeadlockTx);
// the add runs again once the other committed and answers 201 with the
// list as one run makes it, and the Store's Logger heard of exactly that
// one retry, for a deadlock (40P01). Without the retry it answered 503 (busy).
func TestRecipeAddToListDeadlockRetried(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	var logged dbtest.LogBuffer
	env.server.store.Logger = slog.New(slog.NewTextHandler(&logged, nil)) // before any request
	c, acc := env.signup("deadlock@example.org", "Deadlocks")
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", map[string]any{
		"title": "Omelette", "servings": 1,
		"ingredients": []map[string]any{{"name": "salt"}, {"name": "eggs", "quantity": 2}},
	}).decode(t, &rec)
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	L := "/api/shopping/lists/" + list.ID.String()
	var salt shoppingItemJSON
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "salt"}).decode(t, &salt)
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "eggs", "quantity": "6"})

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	req, err := http.NewRequest("POST", env.ts.URL+"/api/recipes/"+rec.ID.String()+"/add-to-list", strings.NewReader(`{"list_id":"`+list.ID.String()+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	var done <-chan response
	start := func() { done = c.sendAsync(req) }
	ended := func() (string, bool) { return answered(done)() }
	dbtest.DeadlockAtCommit(t, ctx, env.pool, acc.Family.ID, "shopping_items", salt.ID, start, ended)
	var r response
	select {
	case r = <-done:
	case <-ctx.Done():
		t.Fatal("the add never answered")
	}
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("add-to-list after a deadlock: %d %s", r.StatusCode, r.body)
	}
	var got shoppingListWithItemsJSON
	c.must(http.StatusOK, "GET", L, nil).decode(t, &got)
	var lines []string
	for _, it := range got.Items {
		lines = append(lines, fmt.Sprintf("%s %s %v", it.Name, deref(it.Quantity), it.Checked))
	}
	// Applied once: salt kept, the recipe's 2 eggs merged into the 6.
	if want := []string{"salt <nil> false", "eggs 8 false"}; !slices.Equal(lines, want) {
		t.Fatalf("list %q, want %q", lines, want)
	}
	if n := strings.Count(logged.String(), `msg="transaction retried" sqlstate=40P01`); n != 1 || strings.Count(logged.String(), "transaction retried") != 1 {
		t.Errorf("%d retries for a deadlock logged, want exactly one:\n%s", n, logged.String())
	}
}
