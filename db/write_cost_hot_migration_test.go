package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestWriteCostHotMigration: migration 00027 moves the five versioned
// tables to familyhub_capture_versioned_event, merges their touch and
// version triggers and re-keys the items' indexes, and every rule holds
// before it (at 00026) and after it alike, for writes as a DBA makes them:
// each insert, change and delete of a list, an item, a task, a calendar
// event and a recipe is one event with the family's next seq, the row's id
// (and an item's list), the op, the version it gave the record (none on a
// delete, or when only updated_at changed) and the actor; an UPDATE that
// changes nothing is no event and keeps updated_at; a change bumps the
// version by one and sets updated_at; a version set by hand is overwritten;
// an item's unknown ticker is refused with 23503 and deleting the user
// unticks its name; the categoriser's sweep finds a recently written
// unfiled item's list. After 00027 a tick is a HOT update. Going down
// restores the triggers and indexes; going up again moves them back.
func TestWriteCostHotMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	exec, count := poolSQL{t, pool}.exec, poolSQL{t, pool}.count
	must := func(stage, sql string, args ...any) {
		t.Helper()
		if err := exec(sql, args...); err != nil {
			t.Fatalf("%s: %s: %v", stage, sql, err)
		}
	}
	var user string
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, password_hash, display_name) VALUES ('hot@example.org', 'x', 'Hot') RETURNING id::text`).Scan(&user); err != nil {
		t.Fatal(err)
	}

	rules := func(stage string) {
		t.Helper()
		var fam, list string
		if err := pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Hot') RETURNING id::text`).Scan(&fam); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id::text`, fam).Scan(&list); err != nil {
			t.Fatal(err)
		}
		// event returns the family's last event and how many it has.
		type event struct {
			seq, n         int64
			entity, listID string
			op, actor      string
			version        *int64
		}
		last := func() (e event) {
			t.Helper()
			err := pool.QueryRow(ctx, `SELECT seq, (SELECT count(*) FROM event_log WHERE family_id = $1), entity_id::text,
					coalesce(list_id::text, ''), op, coalesce(actor_id::text, ''), version
				FROM event_log WHERE family_id = $1 ORDER BY seq DESC LIMIT 1`, fam).
				Scan(&e.seq, &e.n, &e.entity, &e.listID, &e.op, &e.actor, &e.version)
			if err != nil {
				t.Fatalf("%s: %v", stage, err)
			}
			return e
		}
		row := func(table, id string) (version int64, updated time.Time) {
			t.Helper()
			if err := pool.QueryRow(ctx, `SELECT version, updated_at FROM `+table+` WHERE id = $1`, id).Scan(&version, &updated); err != nil {
				t.Fatalf("%s: %s: %v", stage, table, err)
			}
			return version, updated
		}
		for _, c := range []struct {
			table, insert, change, parent string
		}{
			{"shopping_lists", `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Party') RETURNING id::text`, `name = 'Feast'`, ""},
			{"shopping_items", `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, '` + list + `', 'milk') RETURNING id::text`, `name = 'oat milk'`, list},
			{"tasks", `INSERT INTO tasks (family_id, title) VALUES ($1, 'Bins out') RETURNING id::text`, `title = 'Bins in'`, ""},
			{"calendar_events", `INSERT INTO calendar_events (family_id, title, starts_at, ends_at) VALUES ($1, 'Dentist', '2027-01-05 09:00+00', '2027-01-05 10:00+00') RETURNING id::text`, `title = 'Doctor'`, ""},
			{"recipes", `INSERT INTO recipes (family_id, title, servings) VALUES ($1, 'Soup', 4) RETURNING id::text`, `title = 'Stew'`, ""},
		} {
			what := stage + ": " + c.table
			before := last()
			var id string
			// A DBA's write with an actor, in a transaction of its own.
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SELECT set_config('familyhub.actor_id', $1, true)`, user); err != nil {
					return err
				}
				return tx.QueryRow(ctx, c.insert, fam).Scan(&id)
			})
			if err != nil {
				t.Fatalf("%s: insert: %v", what, err)
			}
			e := last()
			if e.seq != before.seq+1 || e.n != before.n+1 || e.entity != id || e.listID != c.parent || e.op != "insert" ||
				e.actor != user || e.version == nil || *e.version != 1 {
				t.Errorf("%s: insert made %+v (version %v), want seq %d, id %s, list %q, insert, actor, version 1",
					what, e, e.version, before.seq+1, id, c.parent)
			}
			v0, u0 := row(c.table, id)
			// A change of nothing: no event, the same updated_at and version.
			must(what, `UPDATE `+c.table+` SET family_id = family_id WHERE id = $1`, id)
			if v, u := row(c.table, id); last().seq != e.seq || v != v0 || !u.Equal(u0) {
				t.Errorf("%s: an update that changed nothing made an event or touched the row", what)
			}
			// A change: version + 1, updated_at set, an event with the version.
			must(what, `UPDATE `+c.table+` SET `+c.change+`, version = 99 WHERE id = $1`, id)
			v1, u1 := row(c.table, id)
			if e = last(); v1 != v0+1 || !u1.After(u0) || e.seq != before.seq+2 || e.op != "update" || e.version == nil || *e.version != v1 || e.actor != "" {
				t.Errorf("%s: a change: version %d → %d, updated_at moved %v, event %+v (version %v); want version %d in the row and the event, no actor",
					what, v0, v1, u1.After(u0), e, e.version, v0+1)
			}
			// Only updated_at: it becomes now(), an event without a version;
			// the version stays.
			must(what, `UPDATE `+c.table+` SET updated_at = '2020-01-01' WHERE id = $1`, id)
			v2, u2 := row(c.table, id)
			if v2 != v1 || !u2.After(u1) {
				t.Errorf("%s: setting updated_at: version %d → %d, updated_at %v (want now)", what, v1, v2, u2)
			}
			if e = last(); e.seq != before.seq+3 || e.op != "update" || e.version != nil {
				t.Errorf("%s: setting updated_at made %+v (version %v), want an update without a version", what, e, e.version)
			}
			// Only the version, by hand: overwritten, the row touched, an
			// event without a version.
			must(what, `UPDATE `+c.table+` SET version = 99 WHERE id = $1`, id)
			if v, u := row(c.table, id); v != v1 || !u.After(u2) {
				t.Errorf("%s: a version set by hand: version %d (want %d), updated_at moved %v (want now)", what, v, v1, u.After(u2))
			}
			if e = last(); e.seq != before.seq+4 || e.version != nil {
				t.Errorf("%s: a version set by hand made %+v (version %v), want an update without a version", what, e, e.version)
			}
			must(what, `DELETE FROM `+c.table+` WHERE id = $1`, id)
			if e = last(); e.seq != before.seq+5 || e.op != "delete" || e.version != nil || e.entity != id || e.listID != c.parent {
				t.Errorf("%s: delete made %+v (version %v), want seq %d, a delete of %s without a version", what, e, e.version, before.seq+5, id)
			}
		}
		// Ticks: who ticked must be a user; deleting the user unticks its
		// name (the foreign key stays, without its index).
		var item string
		if err := pool.QueryRow(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'bread') RETURNING id::text`, fam, list).Scan(&item); err != nil {
			t.Fatal(err)
		}
		var pgErr *pgconn.PgError
		if err := exec(`UPDATE shopping_items SET checked = true, checked_at = now(), checked_by = gen_random_uuid() WHERE id = $1`, item); !errors.As(err, &pgErr) || pgErr.Code != "23503" {
			t.Errorf("%s: ticked by no one known: %v, want a foreign key violation (23503)", stage, err)
		}
		var ticker string
		if err := pool.QueryRow(ctx, `INSERT INTO users (email, password_hash, display_name) VALUES ($1, 'x', 'T') RETURNING id::text`,
			fmt.Sprintf("t-%s@example.org", fam)).Scan(&ticker); err != nil {
			t.Fatal(err)
		}
		must(stage, `UPDATE shopping_items SET checked = true, checked_at = now(), checked_by = $2 WHERE id = $1`, item, ticker)
		must(stage, `DELETE FROM users WHERE id = $1`, ticker)
		if n := count(`SELECT count(*) FROM shopping_items WHERE id = $1 AND checked AND checked_by IS NULL`, item); n != 1 {
			t.Errorf("%s: deleting the user who ticked did not clear checked_by", stage)
		}
		// The sweep (ShoppingListsWithUnfiled) finds the list of an unfiled
		// item written within the window, not of one written before it.
		sweep := func(since time.Time) int {
			return count(`SELECT count(*) FROM (SELECT DISTINCT list_id FROM shopping_items
				WHERE category_id IS NULL AND category_source IS DISTINCT FROM 'user'
				  AND updated_at > $1::timestamptz) l WHERE list_id = $2`, since, list)
		}
		if n := sweep(time.Now().Add(-time.Hour)); n != 1 {
			t.Errorf("%s: the sweep missed a list with an unfiled item written now", stage)
		}
		if n := sweep(time.Now().Add(time.Hour)); n != 0 {
			t.Errorf("%s: the sweep found a list whose unfiled items were written before the window", stage)
		}
	}
	// hot reports whether a tick of a fresh item is a HOT update.
	hot := func() bool {
		var fam, list, item string
		if err := pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Hot') RETURNING id::text`).Scan(&fam); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id::text`, fam).Scan(&list); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'tea') RETURNING id::text`, fam, list).Scan(&item); err != nil {
			t.Fatal(err)
		}
		// The backend's counts include its earlier transactions' until they
		// are reported: compare before and after, in one transaction.
		const hotUpdates = `SELECT pg_stat_get_xact_tuples_hot_updated('shopping_items'::regclass)`
		var before, after int64
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, hotUpdates).Scan(&before); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE shopping_items SET checked = true, checked_at = now(), checked_by = $2 WHERE id = $1`, item, user); err != nil {
				return err
			}
			return tx.QueryRow(ctx, hotUpdates).Scan(&after)
		})
		if err != nil {
			t.Fatal(err)
		}
		return after == before+1
	}
	// moved counts what 00027 changes: triggers on the new functions, and
	// the checked_by index. Since 00039 the items' event trigger calls
	// familyhub_capture_item_event, the same event (absent below 00039).
	// families_version (00043) calls familyhub_touch_version too: not 00027's.
	moved := func() (newTriggers, oldTriggers, checkedByIndex int) {
		return count(`SELECT count(*) FROM pg_trigger WHERE tgfoid IN ('familyhub_capture_versioned_event()'::regprocedure, 'familyhub_touch_version()'::regprocedure,
				to_regprocedure('familyhub_capture_item_event()')) AND tgrelid <> 'families'::regclass`),
			count(`SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('shopping_items'::regclass, 'tasks'::regclass, 'calendar_events'::regclass, 'recipes'::regclass)
				AND tgfoid IN ('familyhub_touch_updated_at()'::regprocedure, 'familyhub_bump_version()'::regprocedure)`),
			count(`SELECT count(*) FROM pg_class WHERE relname = 'shopping_items_checked_by_idx'`)
	}

	if n, o, i := moved(); n != 9 || o != 0 || i != 0 {
		t.Fatalf("after 00027: %d triggers on its functions (want 9), %d touch and version triggers (want 0), %d checked_by index", n, o, i)
	}
	rules("after 00027")
	if !hot() {
		t.Error("after 00027: a tick is not a HOT update")
	}
	if _, err := provider.DownTo(ctx, 26); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if o := count(`SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('shopping_items'::regclass, 'tasks'::regclass, 'calendar_events'::regclass, 'recipes'::regclass)
			AND tgfoid IN ('familyhub_touch_updated_at()'::regprocedure, 'familyhub_bump_version()'::regprocedure)`); o != 8 {
		t.Fatalf("at 00026: %d touch and version triggers, want 8", o)
	}
	if n := count(`SELECT count(*) FROM pg_proc WHERE proname IN ('familyhub_capture_versioned_event', 'familyhub_touch_version')`); n != 0 {
		t.Fatalf("at 00026: %d of 00027's functions are left", n)
	}
	if n := count(`SELECT count(*) FROM pg_trigger WHERE tgfoid = 'familyhub_capture_event()'::regprocedure
			AND tgname IN ('shopping_lists_event', 'shopping_items_event', 'tasks_event', 'calendar_events_event', 'recipes_event')`); n != 5 {
		t.Fatalf("at 00026: %d of the five event triggers call familyhub_capture_event, want 5", n)
	}
	rules("at 00026")
	if hot() {
		t.Error("at 00026: a tick is a HOT update; the test no longer shows what 00027 changes")
	}
	if _, err := provider.UpTo(ctx, 27); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if n, o, i := moved(); n != 9 || o != 0 || i != 0 {
		t.Fatalf("after going up again: %d triggers on its functions (want 9), %d touch and version triggers (want 0), %d checked_by index", n, o, i)
	}
	rules("after going up again")
	if !hot() {
		t.Error("after going up again: a tick is not a HOT update")
	}
}
