package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// The collection limits (familyhub.Max*, db/limits.go): a create at the
// limit is ELIMIT and writes nothing, a replay of a create made before
// still answers, and two creates at the limit do not both pass.

// owner makes a family with an owner and returns the owner's context.
func (e *pipelineEnv) owner(t *testing.T, name string) context.Context {
	t.Helper()
	var family, user uuid.UUID
	if err := e.pool.QueryRow(context.Background(), `WITH f AS (INSERT INTO families (name) VALUES ($1) RETURNING id),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ($1 || '@example.org', 'x', $1) RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id, role) SELECT f.id, u.id, 'owner' FROM f, u)
		SELECT f.id, u.id FROM f, u`, name).Scan(&family, &user); err != nil {
		t.Fatal(err)
	}
	return familyhub.NewContextWithAuth(context.Background(), &familyhub.Auth{UserID: user, FamilyID: family, Role: familyhub.RoleOwner, DeviceID: "phone-1"})
}

// exec runs SQL on the test's database.
func (e *pipelineEnv) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

// wantLimit fails unless err is ELIMIT.
func wantLimit(t *testing.T, what string, err error) {
	t.Helper()
	var fe *familyhub.Error
	if !errors.As(err, &fe) || fe.Code != familyhub.ELIMIT {
		t.Fatalf("%s at the limit: %v, want %s", what, err, familyhub.ELIMIT)
	}
}

// TestCollectionLimits fills each bounded collection to its limit (in one
// transaction, or with SQL where the limit is large) and asks for one more.
func TestCollectionLimits(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 2)
	for _, tc := range []struct {
		name string
		max  int
		// fill makes max-1 (sql, when set: with $1 the family) and create one more.
		sql    string
		create func(ctx context.Context, tx *db.Tx, i int) error
	}{
		{"invites", familyhub.MaxOpenInvites, "", func(ctx context.Context, tx *db.Tx, _ int) error {
			_, _, err := tx.InviteCreate(ctx)
			return err
		}},
		{"app passwords", familyhub.MaxAppPasswordsPerUser, "", func(ctx context.Context, tx *db.Tx, i int) error {
			_, _, err := tx.AppPasswordCreate(ctx, fmt.Sprint("phone ", i))
			return err
		}},
		{"calendar feeds", familyhub.MaxCalendarFeeds, "", func(ctx context.Context, tx *db.Tx, i int) error {
			_, _, err := tx.ICalFeedCreate(ctx, fmt.Sprint("feed ", i), nil)
			return err
		}},
		{"calendar subscriptions", familyhub.MaxCalendarSubscriptions, "", func(ctx context.Context, tx *db.Tx, i int) error {
			_, err := tx.SubscriptionCreate(ctx, db.SubscriptionNew{ID: uuid.New(), Name: "s", URL: fmt.Sprintf("https://example.org/%d.ics", i)})
			return err
		}},
		{"child devices", familyhub.MaxChildDevices, "", func(ctx context.Context, tx *db.Tx, i int) error {
			_, _, err := tx.ChildDeviceCreate(ctx, fmt.Sprint("tablet ", i))
			return err
		}},
		{"shopping lists", familyhub.MaxShoppingLists, "", func(ctx context.Context, tx *db.Tx, i int) error {
			_, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: fmt.Sprint("list ", i)})
			return err
		}},
		{"recipes", familyhub.MaxRecipes,
			`INSERT INTO recipes (family_id, title, servings) SELECT $1, 'r' || g, 2 FROM generate_series(2, $2) g`,
			func(ctx context.Context, tx *db.Tx, _ int) error {
				_, _, err := tx.RecipeCreate(ctx, db.RecipeNew{Title: "Soup", Servings: 2})
				return err
			}},
		{"recurring chores", familyhub.MaxTaskTemplates,
			`INSERT INTO tasks (family_id, title, recurrence) SELECT $1, 't' || g, 'FREQ=DAILY' FROM generate_series(2, $2) g`,
			func(ctx context.Context, tx *db.Tx, _ int) error {
				_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Dishes", Recurrence: ptr("FREQ=WEEKLY")})
				return err
			}},
		{"open tasks", familyhub.MaxOpenTasks,
			`INSERT INTO tasks (family_id, title) SELECT $1, 't' || g FROM generate_series(2, $2) g`,
			func(ctx context.Context, tx *db.Tx, _ int) error {
				_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma"})
				return err
			}},
	} {
		ctx := e.owner(t, "limit-"+tc.name)
		family := familyhub.AuthFromContext(ctx).FamilyID
		if err := e.store.Tx(ctx, func(tx *db.Tx) error {
			if tc.sql != "" {
				if _, err := tx.Exec(ctx, tc.sql, family, tc.max); err != nil {
					return err
				}
				return tc.create(ctx, tx, 0)
			}
			for i := range tc.max {
				if err := tc.create(ctx, tx, i); err != nil {
					return fmt.Errorf("%d: %w", i, err)
				}
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: filling: %v", tc.name, err)
		}
		err := e.store.Tx(ctx, func(tx *db.Tx) error { return tc.create(ctx, tx, tc.max) })
		wantLimit(t, tc.name, err)
	}
}

// TestFamilyMembersLimit: joining with an invite is refused once the
// family has familyhub.MaxFamilyMembers.
func TestFamilyMembersLimit(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 2)
	ctx := e.owner(t, "big")
	family := familyhub.AuthFromContext(ctx).FamilyID
	e.exec(t, `WITH u AS (INSERT INTO users (email, password_hash, display_name)
		SELECT 'm' || g || '@example.org', 'x', 'M' || g FROM generate_series(2, $2) g RETURNING id)
		INSERT INTO memberships (family_id, user_id, role) SELECT $1, id, 'member' FROM u`, family, familyhub.MaxFamilyMembers)
	var code string
	if err := e.store.Tx(ctx, func(tx *db.Tx) (err error) {
		code, _, err = tx.InviteCreate(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := e.store.Tx(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Signup(context.Background(), db.Signup{Email: "one-more@example.org", DisplayName: "One", InviteCode: db.NormalizeInviteCode(code)}, "x")
		return err
	})
	wantLimit(t, "members", err)
}

// lockWaiter waits until a transaction of the test's database waits for
// a lock of locktype (e.g. advisory: a limit lock; "" for any), and says
// whether one did in 10 s.
func (e *pipelineEnv) lockWaiter(t *testing.T, locktype string) bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_locks
			WHERE $1 IN ('', locktype) AND NOT granted
			  AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())`, locktype).Scan(&n); err != nil {
			t.Error(err)
			return false
		}
		if n > 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, with a deadline
	}
}

// raceAtLimit runs first in a transaction left open, starts second, waits
// until second waits for the limit lock first holds, then commits first:
// second must then see first's row and be refused. Without the lock,
// second would count without first's uncommitted row and pass too.
func (e *pipelineEnv) raceAtLimit(t *testing.T, ctx context.Context, first func(tx *db.Tx) error, second func() error) error {
	t.Helper()
	made, commit, firstDone := make(chan error, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		firstDone <- e.store.Tx(ctx, func(tx *db.Tx) error {
			err := first(tx)
			made <- err
			<-commit
			return err
		})
	}()
	// firstDone too: a Tx that fails before running first never sends on made.
	select {
	case err := <-made:
		if err != nil {
			close(commit)
			t.Fatalf("first create: %v", err)
		}
	case err := <-firstDone:
		t.Fatalf("first create's transaction: %v", err)
	}
	secondDone := make(chan error, 1)
	go func() { secondDone <- second() }()
	waited := e.lockWaiter(t, "advisory")
	close(commit)
	if err := <-firstDone; err != nil {
		t.Fatalf("first create's commit: %v", err)
	}
	err := <-secondDone
	if !waited {
		t.Errorf("the second create did not wait for the limit lock (it answered %v)", err)
	}
	return err
}

// TestLimitRace: two shopping lists created at once when the family has
// one less than the limit: one passes.
func TestLimitRace(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 4)
	ctx := e.owner(t, "race")
	family := familyhub.AuthFromContext(ctx).FamilyID
	e.exec(t, `INSERT INTO shopping_lists (family_id, name) SELECT $1, 'l' || g FROM generate_series(2, $2) g`, family, familyhub.MaxShoppingLists)
	create := func(tx *db.Tx) error {
		_, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "one more"})
		return err
	}
	err := e.raceAtLimit(t, ctx, create, func() error { return e.store.Tx(ctx, create) })
	wantLimit(t, "the second list", err)
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM shopping_lists WHERE family_id = $1`, family).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != familyhub.MaxShoppingLists {
		t.Errorf("%d lists, want %d", n, familyhub.MaxShoppingLists)
	}
}

// TestShoppingItemsPerListLimit: the common add stays one pipeline far
// from the limit, on a long-used list (positions past the limit, few
// items) and on one with an item left for years (counted in the
// statement) too; near the limit it falls back to the ordinary
// transaction, which counts under the list's lock: the add that fills the
// list passes, the next is ELIMIT, a replay of an earlier add still
// answers, and two adds at once at the limit do not both pass.
func TestShoppingItemsPerListLimit(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 4)
	ctx, list := e.member(t, "items")
	family := familyhub.AuthFromContext(ctx).FamilyID
	add := func(name string, id *uuid.UUID) error {
		_, _, err := e.store.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{ID: id, Name: name})
		return err
	}
	onePipeline := func(what string) {
		t.Helper()
		e.tr.sent()
		if err := add(what, ptr(uuid.New())); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := e.tr.sent(); got[0] != 0 || got[1] != 1 {
			t.Errorf("%s: sent %v (queries, batches, batched), want one batch and no query", what, got)
		}
	}
	onePipeline("a new list")
	// A list used for years: its positions are past the limit, their span small.
	e.exec(t, `UPDATE shopping_items SET position = $2 WHERE list_id = $1`, list, 3*familyhub.MaxShoppingItemsPerList)
	onePipeline("a long-used list")
	// One item left on it since the beginning: the span is past the
	// limit, the statement counts the few items itself.
	e.exec(t, `UPDATE shopping_items SET position = 0 WHERE id = (SELECT id FROM shopping_items WHERE list_id = $1 LIMIT 1)`, list)
	onePipeline("a list with an old item")

	// Fill to one less than the limit (positions counting up, as adds make them).
	e.exec(t, `DELETE FROM shopping_items WHERE list_id = $1`, list)
	e.exec(t, `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, g FROM generate_series(0, $3 - 2) g`, family, list, familyhub.MaxShoppingItemsPerList)
	e.tr.sent()
	last := uuid.New()
	if err := add("the last one", &last); err != nil {
		t.Fatalf("the add that fills the list: %v", err)
	}
	if got := e.tr.sent(); got[0] == 0 {
		t.Errorf("near the limit the add did not count in a transaction: sent %v", got)
	}
	wantLimit(t, "an item", add("one more", nil))
	if err := add("the last one", &last); err != nil {
		t.Errorf("a replay at the limit: %v", err)
	}
	// Recipes' add-to-list inserts through the same check.
	if err := e.store.Tx(ctx, func(tx *db.Tx) error {
		r, _, err := tx.RecipeCreate(ctx, db.RecipeNew{Title: "Pancakes", Servings: 2, Ingredients: []db.Ingredient{{Name: "flour"}}})
		if err != nil {
			return err
		}
		_, _, err = tx.RecipeAddToList(ctx, r.ID, db.RecipeToList{ListID: list})
		return err
	}); err == nil {
		t.Error("a recipe's add-to-list at the limit passed")
	} else {
		wantLimit(t, "a recipe's ingredient", err)
	}

	// Two at once, one place left.
	e.exec(t, `DELETE FROM shopping_items WHERE id = $1`, last)
	first := func(tx *db.Tx) error {
		_, _, err := tx.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{Name: "first"})
		return err
	}
	wantLimit(t, "the second of two adds", e.raceAtLimit(t, ctx, first, func() error { return add("second", nil) }))
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM shopping_items WHERE list_id = $1`, list).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != familyhub.MaxShoppingItemsPerList {
		t.Errorf("%d items, want %d", n, familyhub.MaxShoppingItemsPerList)
	}
}

// TestShoppingItemMoveLimit: moving an item to another list (the
// assistant's "move … to …") adds it to that list, so a full list refuses
// it as it refuses an add; otherwise moves could grow one list past the
// limit without end (fill another list, move its items over, again).
func TestShoppingItemMoveLimit(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 2)
	ctx, full := e.member(t, "move")
	family := familyhub.AuthFromContext(ctx).FamilyID
	e.exec(t, `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, g FROM generate_series(0, $3 - 1) g`, family, full, familyhub.MaxShoppingItemsPerList)
	var item uuid.UUID
	other := uuid.New()
	if err := e.store.Tx(ctx, func(tx *db.Tx) error {
		l, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{ID: &other, Name: "other"})
		if err != nil {
			return err
		}
		it, _, err := tx.ShoppingItemAdd(ctx, l.ID, db.ShoppingItemNew{Name: "milk"})
		item = it.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := e.store.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.ShoppingItemsMove(ctx, []uuid.UUID{item}, full)
		return err
	})
	wantLimit(t, "a move to a full list", err)
	// Room again: the move passes.
	e.exec(t, `DELETE FROM shopping_items WHERE list_id = $1 AND position = 0`, full)
	if err := e.store.Tx(ctx, func(tx *db.Tx) error {
		it, err := tx.ShoppingItemsMove(ctx, []uuid.UUID{item}, full)
		if err == nil && it[0].ListID != full {
			t.Errorf("moved to %s, want %s", it[0].ListID, full)
		}
		return err
	}); err != nil {
		t.Fatalf("a move to a list with room: %v", err)
	}
}

// TestCalendarEventsLimit: a family's own events are bounded
// (familyhub.MaxCalendarEvents); events imported from a subscription are
// not counted against it (each subscription bounds its own).
func TestCalendarEventsLimit(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 2)
	ctx := e.owner(t, "events")
	family := familyhub.AuthFromContext(ctx).FamilyID
	start := time.Date(2027, 3, 5, 15, 0, 0, 0, time.UTC)
	f := db.CalendarEventFields{Title: "Dentist", StartsAt: start, EndsAt: start.Add(time.Hour)}
	var sub uuid.UUID
	if err := e.store.Tx(ctx, func(tx *db.Tx) error {
		s, err := tx.SubscriptionCreate(ctx, db.SubscriptionNew{ID: uuid.New(), Name: "School", URL: "https://example.org/school.ics"})
		sub = s.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Imported events do not fill the family's room.
	e.exec(t, `INSERT INTO calendar_events (family_id, uid, title, starts_at, ends_at, subscription_id, read_only)
		SELECT $1, 'imp' || g, 'imported', now(), now(), $2, true FROM generate_series(1, 10) g`, family, sub)
	fillEvents(t, e, family, familyhub.MaxCalendarEvents-1)
	add := func() error {
		return e.store.Tx(ctx, func(tx *db.Tx) error { _, _, err := tx.CalendarEventAdd(ctx, f); return err })
	}
	if err := add(); err != nil {
		t.Fatalf("the event that fills the calendar: %v", err)
	}
	wantLimit(t, "an event", add())
	// An import still writes: its events are the subscription's.
	href := "uid:more"
	sys := familyhub.NewContextWithAuth(context.Background(), familyhub.SystemAuth(family))
	if err := e.store.Tx(sys, func(tx *db.Tx) error {
		_, err := tx.CalendarEventCreate(sys, f, &db.CalendarInterchange{UID: "more@school", SubscriptionID: &sub, SourceHref: &href})
		return err
	}); err != nil {
		t.Errorf("an imported event at the own events' limit: %v", err)
	}
}

// fillEvents gives the family n own events more (plain SQL: the limit is
// large).
func fillEvents(t *testing.T, e *pipelineEnv, family uuid.UUID, n int) {
	t.Helper()
	e.exec(t, `INSERT INTO calendar_events (family_id, uid, title, starts_at, ends_at)
		SELECT $1, 'fill' || g || '-' || gen_random_uuid(), 'e' || g, now(), now() FROM generate_series(1, $2) g`, family, n)
}
