package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestWriteCostMigration: migration 00024 keeps every rule it moves, at
// 00023 and after it alike. Out-of-range names, quantities, notes,
// category sources, positions, versions, event ops, counters and create
// kinds are refused with the same SQLSTATE (now by domains); an item still
// needs its family's list; versions follow changes as before; deleting a
// family still deletes its items, its events and its claimed client ids
// (now by a trigger, not foreign keys). Going down restores the table
// checks, foreign keys and index; going up again removes them.
func TestWriteCostMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	exec, count := poolSQL{t, pool}.exec, poolSQL{t, pool}.count
	// family makes a family with a list and an item, so it has events,
	// and returns the family's and the list's ids.
	family := func() (fam, list string) {
		t.Helper()
		if err := pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Cost') RETURNING id::text`).Scan(&fam); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id::text`, fam).Scan(&list); err != nil {
			t.Fatal(err)
		}
		if err := exec(`INSERT INTO shopping_items (family_id, list_id, name, quantity, note) VALUES ($1, $2, 'milk', '2 l', 'oat')`, fam, list); err != nil {
			t.Fatal(err)
		}
		return fam, list
	}
	// rules checks what must hold at either version.
	rules := func(stage string) {
		t.Helper()
		fam, list := family()
		for _, c := range []struct{ what, name, quantity, note string }{
			{"an empty name", "", "1", "n"},
			{"a name of 201 characters", strings.Repeat("a", 201), "1", "n"},
			{"a quantity of 51 characters", "milk", strings.Repeat("1", 51), "n"},
			{"an empty quantity", "milk", "", "n"},
			{"a note of 501 characters", "milk", "1", strings.Repeat("n", 501)},
		} {
			err := exec(`INSERT INTO shopping_items (family_id, list_id, name, quantity, note) VALUES ($1, $2, $3, $4, $5)`,
				fam, list, c.name, c.quantity, c.note)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "23514" {
				t.Errorf("%s: %s: %v, want a check violation (23514)", stage, c.what, err)
			}
		}
		var item string
		if err := pool.QueryRow(ctx, `SELECT id::text FROM shopping_items WHERE family_id = $1`, fam).Scan(&item); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ what, sql string }{
			{"a category source other than user and auto", `UPDATE shopping_items SET category_source = 'robot' WHERE id = $1`},
			{"a negative position", `UPDATE shopping_items SET position = -1 WHERE id = $1`},
			{"version 0", `INSERT INTO shopping_items (family_id, list_id, name, version)
				SELECT family_id, list_id, 'x', 0 FROM shopping_items WHERE id = $1`},
			{"an event of another kind", `INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at)
				SELECT family_id, 1000000, 'X', 'x', $1, 'upsert', now() FROM shopping_items WHERE id = $1`},
			{"a negative counter", `UPDATE family_event_seq SET seq = -1 WHERE family_id = (SELECT family_id FROM shopping_items WHERE id = $1)`},
			{"a claimed id of no kind", `INSERT INTO client_creates (id, family_id, kind, request_hash)
				SELECT gen_random_uuid(), family_id, '', '\x00' FROM shopping_items WHERE id = $1`},
		} {
			err := exec(c.sql, item)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "23514" {
				t.Errorf("%s: %s: %v, want a check violation (23514)", stage, c.what, err)
			}
		}
		// Versions: a change bumps by one; a change of nothing, of updated_at
		// or of a list's categorised_at keeps it; what an UPDATE sets the
		// version to is overwritten.
		version := func(table, id string) (v int64) {
			t.Helper()
			if err := pool.QueryRow(ctx, `SELECT version FROM `+table+` WHERE id = $1`, id).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		for _, c := range []struct {
			what, table, id, sql string
			bump                 int64
		}{
			{"an item's name set to what it is", "shopping_items", item, `UPDATE shopping_items SET name = 'milk' WHERE id = $1`, 0},
			{"an item's updated_at", "shopping_items", item, `UPDATE shopping_items SET updated_at = now() - interval '1 day' WHERE id = $1`, 0},
			{"an item ticked", "shopping_items", item, `UPDATE shopping_items SET checked = true, checked_at = now() WHERE id = $1`, 1},
			{"an item's version set by hand, and its note", "shopping_items", item, `UPDATE shopping_items SET version = 99, note = 'soy' WHERE id = $1`, 1},
			{"a list's categorised_at", "shopping_lists", list, `UPDATE shopping_lists SET categorised_at = now() WHERE id = $1`, 0},
			{"a list renamed", "shopping_lists", list, `UPDATE shopping_lists SET name = 'Saturday' WHERE id = $1`, 1},
		} {
			before := version(c.table, c.id)
			if err := exec(c.sql, c.id); err != nil {
				t.Fatalf("%s: %s: %v", stage, c.what, err)
			}
			if after := version(c.table, c.id); after != before+c.bump {
				t.Errorf("%s: %s: version %d → %d, want %d", stage, c.what, before, after, before+c.bump)
			}
		}
		if err := exec(`INSERT INTO shopping_items (family_id, list_id, name, quantity, note) VALUES ($1, $2, $3, NULL, NULL)`,
			fam, list, strings.Repeat("a", 200)); err != nil {
			t.Errorf("%s: a name of 200 characters without quantity and note: %v", stage, err)
		}
		other, _ := family()
		var pgErr *pgconn.PgError
		if err := exec(`INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`, other, list); !errors.As(err, &pgErr) || pgErr.Code != "23503" {
			t.Errorf("%s: an item in another family's list: %v, want a foreign key violation (23503)", stage, err)
		}
		if n := count(`SELECT count(*) FROM event_log WHERE family_id = $1`, fam); n < 3 {
			t.Fatalf("%s: %d events of the family, want at least 3 (the list, two items)", stage, n)
		}
		if err := exec(`INSERT INTO client_creates (id, family_id, kind, request_hash) VALUES (gen_random_uuid(), $1, 'shopping-item', '\x00')`, fam); err != nil {
			t.Fatal(err)
		}
		if err := exec(`DELETE FROM families WHERE id = $1`, fam); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT count(*) FROM event_log WHERE family_id = $1`, fam); n != 0 {
			t.Errorf("%s: %d events left of a deleted family, want 0", stage, n)
		}
		if n := count(`SELECT count(*) FROM client_creates WHERE family_id = $1`, fam); n != 0 {
			t.Errorf("%s: %d claimed ids left of a deleted family, want 0", stage, n)
		}
		if n := count(`SELECT count(*) FROM shopping_items WHERE family_id = $1`, fam); n != 0 {
			t.Errorf("%s: %d items left of a deleted family, want 0", stage, n)
		}
	}
	// moved counts what 00024 removes: nine table checks (now domains),
	// three foreign keys and the index of one of them.
	moved := func() int {
		return count(`SELECT count(*) FROM pg_constraint WHERE conname IN (
			'shopping_items_name_check', 'shopping_items_quantity_check', 'shopping_items_note_check',
			'shopping_items_category_source_check', 'shopping_items_position_check', 'shopping_items_version_check',
			'event_log_op_check', 'family_event_seq_seq_check', 'client_creates_kind_check',
			'shopping_items_family_id_fkey', 'event_log_family_id_fkey', 'client_creates_family_id_fkey')`) +
			count(`SELECT count(*) FROM pg_class WHERE relname = 'shopping_items_family_id_idx'`)
	}

	if n := moved(); n != 0 {
		t.Fatalf("%d of the checks, foreign keys and index 00024 replaces are there, want 0", n)
	}
	rules("after 00024")
	if _, err := provider.DownTo(ctx, 23); err != nil {
		t.Fatal(err)
	}
	// The pool's connections prepared statements whose parameters have the
	// domains' types; new connections prepare them again.
	pool.Reset()
	if n := moved(); n != 13 {
		t.Fatalf("after going down: %d of the checks, foreign keys and the index, want 13", n)
	}
	rules("at 00023")
	if _, err := provider.UpTo(ctx, 24); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if n := moved(); n != 0 {
		t.Fatalf("after going up again: %d of the checks and foreign keys, want 0", n)
	}
	rules("after going up again")
}
