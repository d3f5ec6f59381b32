package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestItemWriteCostMigration: migration 00039 gives shopping_items_event
// a function of its own (familyhub_capture_item_event), shortens
// shopping_items_learn's WHEN and drops client_creates' family_id index,
// and every rule holds before it (at 00038) and after it alike, for writes
// as a DBA makes them: an item's insert, change and delete are each one
// event with the family's next seq, the item's id and list, the op, the
// version (none on a delete) and the actor, and its notice is, byte for
// byte, what json_strip_nulls(json_build_object()) makes of the event_log
// row; an UPDATE that changes nothing is no event; an item a person filed
// teaches the family's memory, one a person left uncategorised or the
// categoriser filed does not (and is written); a deleted family's claims
// and events go with it. Going down restores the trigger, the WHEN and the
// index; going up again moves them back.
func TestItemWriteCostMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	count := poolSQL{t, pool}.count
	var user string
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, password_hash, display_name) VALUES ('item@example.org', 'x', 'Item') RETURNING id::text`).Scan(&user); err != nil {
		t.Fatal(err)
	}

	rules := func(stage string) {
		t.Helper()
		// One connection writes and listens, as psql would (the trigger
		// notifies), so that both sides use one session's time zone.
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		must := func(sql string, args ...any) {
			t.Helper()
			if _, err := conn.Exec(ctx, sql, args...); err != nil {
				t.Fatalf("%s: %s: %v", stage, sql, err)
			}
		}
		var fam, list, cat string
		if err := conn.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Item') RETURNING id::text`).Scan(&fam); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id::text`, fam).Scan(&list); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT id::text FROM shopping_categories WHERE family_id = $1 AND name = 'dairy'`, fam).Scan(&cat); err != nil {
			t.Fatal(err)
		}
		must(`LISTEN familyhub_shopping`)
		must(`SELECT set_config('familyhub.actor_id', $1, false), set_config('familyhub.device_id', 'kitchen "tablet"', false)`, user)
		seq := func() (n int64) {
			t.Helper()
			if err := conn.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, fam).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// heard waits for the notice of the family's event seq and checks
		// it against the event_log row: the item, its list, op, version
		// and actor, and the notice's text.
		heard := func(what string, want int64, item, op string, version *int64) {
			t.Helper()
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			n, err := conn.WaitForNotification(wctx)
			cancel()
			if err != nil {
				t.Fatalf("%s: %s: no notice: %v", stage, what, err)
			}
			var payload, entity, listID, gotOp, actor, typ string
			var v *int64
			err = conn.QueryRow(ctx, `SELECT json_strip_nulls(json_build_object(
					'family_id', family_id, 'seq', seq, 'type', type, 'id', entity_id, 'list_id', list_id,
					'op', op, 'version', version, 'at', at, 'actor', actor_id, 'device_id', device_id))::text,
					entity_id::text, coalesce(list_id::text, ''), op, coalesce(actor_id::text, ''), type || '/' || channel, version
				FROM event_log WHERE family_id = $1 AND seq = $2`, fam, want).Scan(&payload, &entity, &listID, &gotOp, &actor, &typ, &v)
			if err != nil {
				t.Fatalf("%s: %s: event %d: %v", stage, what, want, err)
			}
			if n.Payload != payload {
				t.Errorf("%s: %s:\nnotice %s\nwant   %s", stage, what, n.Payload, payload)
			}
			if entity != item || listID != list || gotOp != op || actor != user || typ != "SHOPPING_ITEM_UPDATED/familyhub_shopping" ||
				(v == nil) != (version == nil) || (v != nil && *v != *version) {
				t.Errorf("%s: %s: event %s %s %s by %s (%s), version %v; want %s %s %s by %s, version %v",
					stage, what, entity, listID, gotOp, actor, typ, v, item, list, op, user, version)
			}
		}
		one, two := int64(1), int64(2)

		before := seq()
		var item string
		if err := conn.QueryRow(ctx, `INSERT INTO shopping_items (family_id, list_id, name, category_id, category_source)
			VALUES ($1, $2, 'Milk', $3, 'auto') RETURNING id::text`, fam, list, cat).Scan(&item); err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		heard("an insert", before+1, item, "insert", &one)
		must(`UPDATE shopping_items SET quantity = '2 l' WHERE id = $1`, item)
		heard("a change", before+2, item, "update", &two)
		must(`UPDATE shopping_items SET quantity = '2 l' WHERE id = $1`, item)
		if got := seq(); got != before+2 {
			t.Errorf("%s: an UPDATE that changes nothing moved the family's seq to %d, want %d", stage, got, before+2)
		}
		must(`DELETE FROM shopping_items WHERE id = $1`, item)
		heard("a delete", before+3, item, "delete", nil)

		// The family's memory learns what a person chose, nothing else.
		learned := func(key string) int {
			t.Helper()
			return count(`SELECT count(*) FROM shopping_category_memory WHERE family_id = $1 AND name_key = $2`, fam, key)
		}
		must(`INSERT INTO shopping_items (family_id, list_id, name, category_id, category_source) VALUES ($1, $2, 'Butter', $3, 'user')`, fam, list, cat)
		must(`INSERT INTO shopping_items (family_id, list_id, name, category_id, category_source) VALUES ($1, $2, 'Cheese', $3, 'auto')`, fam, list, cat)
		must(`INSERT INTO shopping_items (family_id, list_id, name, category_source) VALUES ($1, $2, 'Yoghurt', 'user')`, fam, list)
		if b, c, y := learned("butter"), learned("cheese"), learned("yoghurt"); b != 1 || c != 0 || y != 0 {
			t.Errorf("%s: the memory learned butter %d, cheese %d, yoghurt %d times; want 1 (a person's choice), 0 (the categoriser's), 0 (uncategorised)", stage, b, c, y)
		}
		if n := count(`SELECT count(*) FROM shopping_items WHERE list_id = $1`, list); n != 3 {
			t.Errorf("%s: %d items on the list, want 3", stage, n)
		}

		// A deleted family's claims and events go with it.
		must(`INSERT INTO client_creates (id, family_id, kind, request_hash) VALUES (gen_random_uuid(), $1, 'shopping-item', '\x00')`, fam)
		must(`DELETE FROM families WHERE id = $1`, fam)
		if c, e := count(`SELECT count(*) FROM client_creates WHERE family_id = $1`, fam), count(`SELECT count(*) FROM event_log WHERE family_id = $1`, fam); c != 0 || e != 0 {
			t.Errorf("%s: a deleted family left %d claims and %d events", stage, c, e)
		}
	}
	// changed counts what 00039 changes: the item trigger's function, the
	// learning trigger's WHEN, the claims' family index.
	changed := func() (itemFunction, shortWhen, familyIndex int) {
		return count(`SELECT count(*) FROM pg_trigger WHERE tgname = 'shopping_items_event' AND tgfoid = 'familyhub_capture_item_event()'::regprocedure`),
			count(`SELECT count(*) FROM pg_trigger WHERE tgname = 'shopping_items_learn' AND pg_get_triggerdef(oid) NOT LIKE '%category_id IS NOT NULL%'`),
			count(`SELECT count(*) FROM pg_class WHERE relname = 'client_creates_family_id_idx'`)
	}

	if f, w, i := changed(); f != 1 || w != 1 || i != 0 {
		t.Fatalf("after 00039: item function %d (want 1), short WHEN %d (want 1), family index %d (want 0)", f, w, i)
	}
	rules("after 00039")
	if _, err := provider.DownTo(ctx, 38); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if n := count(`SELECT count(*) FROM pg_proc WHERE proname = 'familyhub_capture_item_event'`); n != 0 {
		t.Fatalf("at 00038: familyhub_capture_item_event is left")
	}
	if w, i := count(`SELECT count(*) FROM pg_trigger WHERE tgname = 'shopping_items_learn' AND pg_get_triggerdef(oid) LIKE '%category_id IS NOT NULL%'`),
		count(`SELECT count(*) FROM pg_class WHERE relname = 'client_creates_family_id_idx'`); w != 1 || i != 1 {
		t.Fatalf("at 00038: learning WHEN of 00024 %d (want 1), family index %d (want 1)", w, i)
	}
	rules("at 00038")
	if _, err := provider.UpTo(ctx, 39); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if f, w, i := changed(); f != 1 || w != 1 || i != 0 {
		t.Fatalf("after going up again: item function %d (want 1), short WHEN %d (want 1), family index %d (want 0)", f, w, i)
	}
	rules("after going up again")
}
