package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Restores (the assistant's undo, db/restore.go) add to bounded
// collections as creates do: an item back on a full list, a task reopened
// or put back at the open tasks' limit, an event put back at the events'
// limit. Each is refused (ELIMIT) at the limit and passes with room.

// TestRestoreLimits: every restore that adds to a bounded collection is
// refused at its limit, and writes nothing.
func TestRestoreLimits(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 2)
	ctx := e.owner(t, "restore")
	family := familyhub.AuthFromContext(ctx).FamilyID
	tx := func(fn func(tx *db.Tx) error) error { return e.store.Tx(ctx, fn) }
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Shopping: a list and an item on it; another list to move it to.
	var weekly, aldi dbsqlc.ShoppingList
	var milk dbsqlc.ShoppingItemsView
	must("lists", tx(func(tx *db.Tx) (err error) {
		if weekly, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Weekly"}); err != nil {
			return err
		}
		if aldi, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Aldi"}); err != nil {
			return err
		}
		milk, _, err = tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "milk"})
		return err
	}))
	fillList := func(list uuid.UUID, from, n int) {
		e.exec(t, `INSERT INTO shopping_items (family_id, list_id, name, position)
			SELECT $1, $2, 'x' || g, g FROM generate_series($3::int, $3::int + $4::int - 1) g`, family, list, from, n)
	}
	// Moved to Aldi, and Weekly full since: the undo of the move is refused.
	must("move", tx(func(tx *db.Tx) error { _, err := tx.ShoppingItemsMove(ctx, []uuid.UUID{milk.ID}, aldi.ID); return err }))
	fillList(weekly.ID, 100, familyhub.MaxShoppingItemsPerList)
	wantLimit(t, "an item moved back to a full list", tx(func(tx *db.Tx) error {
		_, err := tx.ShoppingItemRestore(ctx, milk)
		return err
	}))
	// Aldi full with it: restoring it on the list it is on (a tick undone)
	// adds nothing, so it passes.
	fillList(aldi.ID, 100, familyhub.MaxShoppingItemsPerList-1)
	onAldi := milk
	onAldi.ListID = aldi.ID
	must("tick", tx(func(tx *db.Tx) error {
		_, err := tx.ShoppingItemUpdate(ctx, milk.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
		return err
	}))
	must("a tick undone on a full list", tx(func(tx *db.Tx) error { _, err := tx.ShoppingItemRestore(ctx, onAldi); return err }))
	// Deleted from Aldi, and Aldi full again since: putting it back is refused.
	must("delete", tx(func(tx *db.Tx) error { return tx.ShoppingItemDelete(ctx, milk.ID) }))
	fillList(aldi.ID, 50_000, 1)
	wantLimit(t, "a deleted item put back on a full list", tx(func(tx *db.Tx) error {
		_, err := tx.ShoppingItemReinsert(ctx, onAldi)
		return err
	}))
	e.exec(t, `DELETE FROM shopping_items WHERE id = (SELECT id FROM shopping_items WHERE list_id = $1 LIMIT 1)`, aldi.ID)
	must("put back with room", tx(func(tx *db.Tx) error { _, err := tx.ShoppingItemReinsert(ctx, onAldi); return err }))

	// Tasks: one completed, one deleted, a chore deleted.
	var done, gone, chore dbsqlc.Task
	must("tasks", tx(func(tx *db.Tx) (err error) {
		if done, _, err = tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma"}); err != nil {
			return err
		}
		if gone, _, err = tx.TaskCreate(ctx, db.TaskNew{Title: "Fix the bike"}); err != nil {
			return err
		}
		chore, _, err = tx.TaskCreate(ctx, db.TaskNew{Title: "Dishes", Recurrence: ptr("FREQ=WEEKLY")})
		return err
	}))
	var doneGone dbsqlc.Task
	must("complete, delete", tx(func(tx *db.Tx) (err error) {
		if _, err = tx.TaskComplete(ctx, done.ID); err != nil {
			return err
		}
		if err = tx.TaskDelete(ctx, gone.ID); err != nil {
			return err
		}
		if err = tx.TaskDelete(ctx, chore.ID); err != nil {
			return err
		}
		// A done task deleted: putting it back adds no open task.
		if doneGone, _, err = tx.TaskCreate(ctx, db.TaskNew{Title: "Pay the bill"}); err != nil {
			return err
		}
		if doneGone, err = tx.TaskComplete(ctx, doneGone.ID); err != nil {
			return err
		}
		return tx.TaskDelete(ctx, doneGone.ID)
	}))
	e.exec(t, `INSERT INTO tasks (family_id, title) SELECT $1, 't' || g FROM generate_series(1, $2) g`, family, familyhub.MaxOpenTasks)
	e.exec(t, `INSERT INTO tasks (family_id, title, recurrence) SELECT $1, 'c' || g, 'FREQ=DAILY' FROM generate_series(1, $2) g`, family, familyhub.MaxTaskTemplates)
	wantLimit(t, "a completion undone", tx(func(tx *db.Tx) error { _, err := tx.TaskRestore(ctx, done); return err }))
	wantLimit(t, "an open task put back", tx(func(tx *db.Tx) error { _, err := tx.TaskReinsert(ctx, gone); return err }))
	wantLimit(t, "a chore put back", tx(func(tx *db.Tx) error { _, err := tx.TaskReinsert(ctx, chore); return err }))
	must("a done task put back", tx(func(tx *db.Tx) error { _, err := tx.TaskReinsert(ctx, doneGone); return err }))
	// A done task restored to another done state (its notes) adds none.
	must("a done task's edit undone", tx(func(tx *db.Tx) error {
		cur, err := tx.TaskGet(ctx, done.ID)
		if err != nil {
			return err
		}
		if _, err := tx.TaskUpdate(ctx, done.ID, db.TaskPatch{Notes: familyhub.Some("she was out")}); err != nil {
			return err
		}
		_, err = tx.TaskRestore(ctx, cur)
		return err
	}))
	if n := e.countWhere(t, `tasks WHERE family_id = $1 AND completed_at IS NULL AND recurrence IS NULL AND instance_date IS NULL`, family); n != familyhub.MaxOpenTasks {
		t.Errorf("%d open tasks, want %d", n, familyhub.MaxOpenTasks)
	}

	// Events: one deleted, then the family at the limit.
	var dentist dbsqlc.CalendarEvent
	start := time.Date(2027, 3, 5, 15, 0, 0, 0, time.UTC)
	must("event", tx(func(tx *db.Tx) (err error) {
		if dentist, _, err = tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: "Dentist", StartsAt: start, EndsAt: start.Add(time.Hour)}); err != nil {
			return err
		}
		return tx.CalendarEventDelete(ctx, dentist.ID)
	}))
	fillEvents(t, e, family, familyhub.MaxCalendarEvents)
	wantLimit(t, "an event put back", tx(func(tx *db.Tx) error {
		_, err := tx.CalendarEventReinsert(ctx, dentist, nil)
		return err
	}))
	e.exec(t, `DELETE FROM calendar_events WHERE id = (SELECT id FROM calendar_events WHERE family_id = $1 LIMIT 1)`, family)
	must("an event put back with room", tx(func(tx *db.Tx) error { _, err := tx.CalendarEventReinsert(ctx, dentist, nil); return err }))
}

// countWhere counts the rows of "table WHERE ..." with args.
func (e *pipelineEnv) countWhere(t *testing.T, from string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM `+from, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestShoppingItemsReinsertLimit: items put back together count their
// list once for all of them: refused (ELIMIT, nothing written) when the
// list has room for all but one, put back when it has room for exactly
// all. failed names the first item going back on the full list, or the
// item whose id is taken since.
func TestShoppingItemsReinsertLimit(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 2)
	ctx := e.owner(t, "reinsert")
	family := familyhub.AuthFromContext(ctx).FamilyID
	var weekly, aldi dbsqlc.ShoppingList
	var gone []dbsqlc.ShoppingItemsView
	if err := e.store.Tx(ctx, func(tx *db.Tx) (err error) {
		if weekly, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Weekly"}); err != nil {
			return err
		}
		if aldi, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Aldi"}); err != nil {
			return err
		}
		for i, name := range []string{"milk", "bread", "eggs", "jam"} {
			list := weekly.ID
			if i == 3 {
				list = aldi.ID
			}
			it, _, err := tx.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{Name: name})
			if err != nil {
				return err
			}
			gone = append(gone, it)
		}
		for _, it := range gone {
			if err := tx.ShoppingItemDelete(ctx, it.ID); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Weekly has room for two of its three.
	e.exec(t, `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, 100 + g FROM generate_series(1, $3::int) g`, family, weekly.ID, familyhub.MaxShoppingItemsPerList-2)
	reinsert := func() (failed int, err error) {
		err = e.store.Tx(ctx, func(tx *db.Tx) (err error) {
			failed, err = tx.ShoppingItemsReinsert(ctx, gone)
			return err
		})
		return failed, err
	}
	failed, err := reinsert()
	wantLimit(t, "three items back on a list with room for two", err)
	if failed != 0 {
		t.Errorf("a full list refused item %d, want 0 (the first going back on it)", failed)
	}
	if n := e.countWhere(t, `shopping_items WHERE family_id = $1 AND name IN ('milk', 'bread', 'eggs', 'jam')`, family); n != 0 {
		t.Fatalf("a refused put back wrote %d items", n)
	}
	e.exec(t, `DELETE FROM shopping_items WHERE list_id = $1 AND name = 'x1'`, weekly.ID)
	if _, err := reinsert(); err != nil {
		t.Fatalf("three items back on a list with room for three: %v", err)
	}
	if n := e.countWhere(t, `shopping_items WHERE list_id = $1`, weekly.ID); n != familyhub.MaxShoppingItemsPerList {
		t.Errorf("%d items on the list, want %d", n, familyhub.MaxShoppingItemsPerList)
	}
	// Put back already: the first one's id is taken.
	e.exec(t, `DELETE FROM shopping_items WHERE list_id = $1 AND name LIKE 'x%'`, weekly.ID)
	failed, err = reinsert()
	if familyhub.ErrorCode(err) != familyhub.ECONFLICT || failed != 0 {
		t.Errorf("put back twice: item %d, %v; want item 0 and a conflict", failed, err)
	}
}

// TestShoppingItemsReinsertConcurrentAdd: items put back together onto a
// list are counted again once they are in, so an add that committed while
// they went in (here: while the put back waited for a category's row) is
// seen and the put back is refused (ELIMIT) rather than the list passing
// its limit. A list well below the limit takes adds without the limit lock
// (shoppingItemsMargin); the one count before the inserts did not see
// them, and a put back of thousands of items takes seconds.
func TestShoppingItemsReinsertConcurrentAdd(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 3)
	ctx := e.owner(t, "reinsert-add")
	family := familyhub.AuthFromContext(ctx).FamilyID
	var weekly dbsqlc.ShoppingList
	if err := e.store.Tx(ctx, func(tx *db.Tx) (err error) {
		weekly, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Weekly"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var held uuid.UUID
	if err := e.pool.QueryRow(context.Background(), `INSERT INTO shopping_categories (family_id, name) VALUES ($1, 'Held') RETURNING id`, family).Scan(&held); err != nil {
		t.Fatal(err)
	}
	// Going back: 1,001 items, filed under Held; on the list: as many as
	// leave room for exactly those, few enough for an add not to count.
	const n = 1001
	e.exec(t, `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, g FROM generate_series(1, $3::int) g`, family, weekly.ID, familyhub.MaxShoppingItemsPerList-n)
	befores := make([]dbsqlc.ShoppingItemsView, n)
	for i := range befores {
		befores[i] = dbsqlc.ShoppingItemsView{ID: uuid.New(), FamilyID: family, ListID: weekly.ID, Name: fmt.Sprint("back ", i),
			CategoryID: &held, Position: int32(20_000 + i), CreatedAt: time.Now()}
	}
	// Held's row locked: the put back's first insert waits for it, after
	// its count.
	hold, err := e.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(context.Background())
	if _, err := hold.Exec(context.Background(), `SELECT FROM shopping_categories WHERE id = $1 FOR UPDATE`, held); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- e.store.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.ShoppingItemsReinsert(ctx, befores)
			return err
		})
	}()
	if !e.lockWaiter(t, "") {
		t.Fatal("the put back did not wait for the category's row")
	}
	if _, _, err := e.store.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "milk"}); err != nil {
		t.Fatalf("an add meanwhile: %v", err)
	}
	if err := hold.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantLimit(t, "a put back onto a list an add filled meanwhile", <-done)
	if got := e.countWhere(t, `shopping_items WHERE list_id = $1`, weekly.ID); got > familyhub.MaxShoppingItemsPerList {
		t.Fatalf("%d items on the list, more than the limit %d", got, familyhub.MaxShoppingItemsPerList)
	}
}

// TestShoppingItemsRestoreConcurrentAdd: items moved back together onto a
// list (the undo of a move) are counted again once they are on it, as
// TestShoppingItemsReinsertConcurrentAdd shows for items put back: an add
// that committed while they went back (here: while the first waited for
// its row) is seen, and the move back is refused (ELIMIT) rather than the
// list passing its limit. A stale version refuses the move back too.
func TestShoppingItemsRestoreConcurrentAdd(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 3)
	ctx := e.owner(t, "restore-add")
	family := familyhub.AuthFromContext(ctx).FamilyID
	var weekly, aldi dbsqlc.ShoppingList
	if err := e.store.Tx(ctx, func(tx *db.Tx) (err error) {
		if weekly, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Weekly"}); err != nil {
			return err
		}
		aldi, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Aldi"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Going back from Aldi to Weekly: 1,001 items; on Weekly: as many as
	// leave room for exactly those, few enough for an add not to count.
	const n = 1001
	e.exec(t, `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'back ' || g, g FROM generate_series(1, $3::int) g`, family, aldi.ID, n)
	e.exec(t, `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, g FROM generate_series(1, $3::int) g`, family, weekly.ID, familyhub.MaxShoppingItemsPerList-n)
	var befores []dbsqlc.ShoppingItemsView
	var versions []int64
	if err := e.store.Tx(ctx, func(tx *db.Tx) error {
		items, err := tx.ShoppingItemList(ctx, aldi.ID)
		for _, it := range items {
			versions = append(versions, it.Version)
			it.ListID, it.Position = weekly.ID, 20_000+it.Position
			befores = append(befores, it)
		}
		return err
	}); err != nil || len(befores) != n {
		t.Fatalf("%d items to move back: %v", len(befores), err)
	}
	restore := func(versions []int64) error {
		return e.store.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.ShoppingItemsRestore(ctx, befores, versions)
			return err
		})
	}
	// The first item's row locked: the move back's first write waits for
	// it, after its count.
	hold, err := e.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(context.Background())
	if _, err := hold.Exec(context.Background(), `SELECT FROM shopping_items WHERE id = $1 FOR UPDATE`, befores[0].ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- restore(versions) }()
	if !e.lockWaiter(t, "") {
		t.Fatal("the move back did not wait for the item's row")
	}
	if _, _, err := e.store.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "milk"}); err != nil {
		t.Fatalf("an add meanwhile: %v", err)
	}
	if err := hold.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantLimit(t, "a move back onto a list an add filled meanwhile", <-done)
	if got := e.countWhere(t, `shopping_items WHERE list_id = $1`, weekly.ID); got > familyhub.MaxShoppingItemsPerList {
		t.Fatalf("%d items on the list, more than the limit %d", got, familyhub.MaxShoppingItemsPerList)
	}
	// With room again: an item at another version than asked is stale and
	// nothing moves; at the versions asked, all move back.
	e.exec(t, `DELETE FROM shopping_items WHERE list_id = $1 AND name = 'milk'`, weekly.ID)
	stale := slices.Clone(versions)
	stale[n-1]++
	var st *db.StaleError
	if err := restore(stale); !errors.As(err, &st) {
		t.Fatalf("a move back at a stale version: %v, want a StaleError", err)
	}
	if got := e.countWhere(t, `shopping_items WHERE list_id = $1`, aldi.ID); got != n {
		t.Fatalf("a refused move back moved %d items", n-got)
	}
	if err := restore(versions); err != nil {
		t.Fatalf("a move back with room for all: %v", err)
	}
	if got := e.countWhere(t, `shopping_items WHERE list_id = $1`, weekly.ID); got != familyhub.MaxShoppingItemsPerList {
		t.Errorf("%d items on Weekly, want %d", got, familyhub.MaxShoppingItemsPerList)
	}
}
