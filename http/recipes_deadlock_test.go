package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestRecipeAddToListDeadlockRetried: a recipe's add-to-list that keeps
// the open "salt" (share-locked) and then merges "2 eggs" can deadlock
// with a member ticking eggs and then salt (db test
// TestShoppingItemPutDeadlock). PostgreSQL fails the add (the ticks'
// connection never runs the deadlock check; the cycle is whole when the
// add begins its wait, so the check always finds it); the add runs again once the
// ticks committed and unticks both lines, 201. Without the retry the add
// answered 500.
func TestRecipeAddToListDeadlockRetried(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("deadlock@example.org", "Deadlocks")
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", map[string]any{
		"title": "Omelette", "servings": 1,
		"ingredients": []map[string]any{{"name": "salt"}, {"name": "eggs", "quantity": 2}},
	}).decode(t, &rec)
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	L := "/api/shopping/lists/" + list.ID.String()
	var salt, eggs shoppingItemJSON
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "salt"}).decode(t, &salt)
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "eggs", "quantity": "6"}).decode(t, &eggs)

	// The member's ticks: eggs now, salt once the add waits for salt, in a
	// transaction whose deadlock check comes late: the add is the one
	// PostgreSQL fails (dbtest.LateDeadlockTx). PostgreSQL checks a wait
	// once, 1 s after it began: the cycle must be whole when the add
	// begins to wait for eggs. So a third transaction holds salt first:
	// the add waits for it (its share lock of the kept salt comes before
	// it merges eggs), the tick of salt queues behind the add, and when
	// the third lets go the add gets salt and waits for eggs while the
	// tick already waits for the add.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	ticks := dbtest.BeginLateDeadlock(t, ctx, env.pool.Config().ConnString())
	if err := ticks.Tick(ctx, eggs.ID); err != nil {
		t.Fatal(err)
	}
	holder, err := env.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(context.Background())
	if _, err := holder.Exec(ctx, "SELECT FROM shopping_items WHERE id = $1 FOR UPDATE", salt.ID); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", env.ts.URL+"/api/recipes/"+rec.ID.String()+"/add-to-list", strings.NewReader(`{"list_id":"`+list.ID.String()+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	done := c.sendAsync(req)
	waits := func(n int, what string) {
		t.Helper()
		dbtest.AwaitLockWaits(t, ctx, env.pool, n, what, answered(done))
	}
	waits(1, "the add waited for salt")
	tickSalt := make(chan error, 1)
	go func() { tickSalt <- ticks.Tick(ctx, salt.ID) }()
	// tick is the tick of salt's error, once it is done. A failure from
	// here on ends it first (its statement cancelled), then the holder's
	// transaction, then, at cleanup, the ticks': else the tick still ran
	// on their connection while the cleanup rolled them back, and the
	// test failed again there (a data race, a closed channel closed) on
	// top of its one failure.
	var tickErr error
	ticked := false
	tick := func() error {
		if !ticked {
			tickErr, ticked = <-tickSalt, true
		}
		return tickErr
	}
	defer func() {
		cancel()
		tick()
	}()
	waits(2, "the tick of salt waited behind the add")
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// The add gets salt and waits for eggs: the cycle. PostgreSQL fails
	// the add, and the tick of salt goes on.
	if err := tick(); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "40P01" {
			t.Fatal("PostgreSQL failed the ticks, not the add: nothing to retry")
		}
		t.Fatalf("the tick of salt: %v (no deadlock check saw the cycle?)", err)
	}
	if err := ticks.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var r response
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
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
	// Run again on the list as the ticks left it: both lines unticked,
	// eggs as the recipe's 2.
	if want := []string{"salt <nil> false", "eggs 2 false"}; !slices.Equal(lines, want) {
		t.Fatalf("list %q, want %q", lines, want)
	}
}
