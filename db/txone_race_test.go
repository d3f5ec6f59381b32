package db_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// waitLockWait waits until a backend of the pool's database waits for a
// lock (a concurrent write holds what the test's request needs). Its
// callers see an early end of the request on their own.
func waitLockWait(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	dbtest.AwaitLockWaits(t, context.Background(), pool, 1, "a lock wait", func() (string, bool) { return "", false })
}

// held runs fn in a Store.Tx in the background and keeps the transaction
// open until the returned commit is called, which waits for its end.
func held(t *testing.T, store *db.Store, ctx context.Context, fn func(tx *db.Tx) error) (commit func() error) {
	t.Helper()
	ready, release, done := make(chan error, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- store.Tx(ctx, func(tx *db.Tx) error {
			err := fn(tx)
			ready <- err
			if err != nil {
				return err
			}
			<-release
			return nil
		})
	}()
	// a test that fails before commit still ends the transaction (else
	// the goroutine waits forever and the pool's close with it)
	var once sync.Once
	var err error
	commit = func() error {
		once.Do(func() { close(release); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = commit() })
	if err := <-ready; err != nil {
		t.Fatal(err)
	}
	return commit
}

// TestOneStatementRaces: the one-statement add waits for what a concurrent
// transaction holds and then gives the answer the Store.Tx form gives: an
// add with the client id of a concurrent add is the replay of it (one
// item, one event), and an add to a list deleted concurrently is not found
// (nothing claimed, nothing written).
func TestOneStatementRaces(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 4)
	store, pool := e.store, e.pool
	ctx, list := e.member(t, "ana")

	id := uuid.New()
	commit := held(t, store, ctx, func(tx *db.Tx) error {
		_, _, err := tx.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{ID: &id, Name: "Milk"})
		return err
	})
	type added struct {
		item     dbsqlc.ShoppingItemsView
		replayed bool
		err      error
	}
	second := make(chan added, 1)
	go func() {
		it, replayed, err := store.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{ID: &id, Name: "Milk"})
		second <- added{it, replayed, err}
	}()
	waitLockWait(t, pool)
	if err := commit(); err != nil {
		t.Fatal(err)
	}
	got := <-second
	if got.err != nil || !got.replayed || got.item.ID != id || got.item.Name != "Milk" {
		t.Errorf("concurrent add with the same id: %+v, want the replay of the first", got)
	}
	var items, events int
	if err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM shopping_items WHERE list_id = $1),
		(SELECT count(*) FROM event_log WHERE entity_id = $2 AND op = 'insert')`, list, id).Scan(&items, &events); err != nil {
		t.Fatal(err)
	}
	if items != 1 || events != 1 {
		t.Errorf("%d items and %d insert events, want 1 and 1", items, events)
	}

	// A list deleted while the add waits for it.
	gone := list
	commit = held(t, store, ctx, func(tx *db.Tx) error { return tx.ShoppingListDelete(ctx, gone) })
	id2 := uuid.New()
	third := make(chan added, 1)
	go func() {
		it, replayed, err := store.ShoppingItemAdd(ctx, gone, db.ShoppingItemNew{ID: &id2, Name: "Bread"})
		third <- added{it, replayed, err}
	}()
	waitLockWait(t, pool)
	if err := commit(); err != nil {
		t.Fatal(err)
	}
	got = <-third
	if familyhub.ErrorCode(got.err) != familyhub.ENOTFOUND {
		t.Errorf("add to a list deleted concurrently: %+v, want not found", got)
	}
	var claims int
	if err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM client_creates WHERE id = $1)
		+ (SELECT count(*) FROM shopping_items WHERE id = $1)`, id2).Scan(&claims); err != nil {
		t.Fatal(err)
	}
	if claims != 0 {
		t.Errorf("the refused add left %d rows", claims)
	}
}

// TestOneStatementLeavesNoSettings: the caller told to PostgreSQL in a
// one-statement transaction is local to it, also when its statement
// fails: the pool's (one) connection then carries no actor, device or
// announce setting into the next use, and is usable.
func TestOneStatementLeavesNoSettings(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	store, pool := e.store, e.pool
	ctx, list := e.member(t, "ana")
	bg := context.Background()
	if _, err := pool.Exec(bg, `CREATE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.quantity = 'boom' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(bg, `CREATE TRIGGER test_boom BEFORE UPDATE ON shopping_items FOR EACH ROW EXECUTE FUNCTION test_boom()`); err != nil {
		t.Fatal(err)
	}
	settings := func(when string) {
		t.Helper()
		var actor, device, announce *string
		if err := pool.QueryRow(bg, `SELECT current_setting('familyhub.actor_id', true), current_setting('familyhub.device_id', true),
			current_setting('familyhub.announce', true)`).Scan(&actor, &device, &announce); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		for name, v := range map[string]*string{"actor": actor, "device": device, "announce": announce} {
			if v != nil && *v != "" {
				t.Errorf("%s: the connection still says %s %q", when, name, *v)
			}
		}
	}
	it, _, err := store.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{Name: "Milk"})
	if err != nil {
		t.Fatal(err)
	}
	settings("after a one-statement add")
	e.tr.sent()
	_, err = store.ShoppingItemUpdate(ctx, it.ID, db.ShoppingItemPatch{Quantity: familyhub.Some("boom")})
	if err == nil {
		t.Fatal("the injected failure did not fail the update")
	}
	if got := e.tr.sent(); got != [3]int64{0, 1, 2} {
		t.Errorf("the failing update sent %v, want one pipeline of two (no fallback after an error)", got)
	}
	settings("after a failed one-statement update")
	if _, err := store.ShoppingItemUpdate(ctx, it.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
		t.Fatalf("the connection after the failure: %v", err)
	}
}

// TestCloseSendsWhatIsOwed: Store.Close (with time left) sends what
// committed transactions owe, also what waits for the announcer's 4 ms
// spacing when it is called: a burst of one-statement adds right before
// Close is heard in full, nothing dropped.
func TestCloseSendsWhatIsOwed(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	bg := context.Background()
	listen, err := pgx.Connect(bg, e.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listen.Close(bg) })
	if _, err := listen.Exec(bg, "LISTEN familyhub_shopping"); err != nil {
		t.Fatal(err)
	}
	ctx, list := e.member(t, "ana")
	owed := map[string]bool{}
	for i := range 20 {
		it, _, err := e.store.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{Name: fmt.Sprintf("item %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		owed[it.ID.String()] = true
	}
	cctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	if err := e.store.Close(cctx); err != nil {
		t.Fatal(err)
	}
	if st := e.store.AnnounceStats(); st.DroppedNotices != 0 {
		t.Errorf("Close dropped %d notices", st.DroppedNotices)
	}
	wctx, wcancel := context.WithTimeout(bg, 10*time.Second)
	defer wcancel()
	for len(owed) > 0 {
		n, err := listen.WaitForNotification(wctx)
		if err != nil {
			t.Fatalf("%d adds not heard: %v", len(owed), err)
		}
		for id := range owed {
			if strings.Contains(n.Payload, id) {
				delete(owed, id)
			}
		}
	}
}
