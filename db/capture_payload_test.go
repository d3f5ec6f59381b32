package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestCapturePayloadFormat: since 00024 familyhub_capture_event writes an
// event's notice itself. It must be, byte for byte, what
// json_strip_nulls(json_build_object(...)) makes of the event_log row (the
// format of 00013-00019, and of the staged events' flush): keys in order,
// absent when NULL, text quoted and escaped, the time as JSON writes it.
// Each case is written as psql would (the trigger notifies) on the
// listening connection itself, so both sides use one session's time zone.
func TestCapturePayloadFormat(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	var fam, list string
	if err := conn.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Payload') RETURNING id::text`).Scan(&fam); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id::text`, fam).Scan(&list); err != nil {
		t.Fatal(err)
	}
	exec(`SET TIME ZONE 'Europe/Berlin'`)
	exec(`LISTEN familyhub_shopping`)
	var user string
	if err := conn.QueryRow(ctx, `INSERT INTO users (email, password_hash, display_name) VALUES ('p@example.org', 'x', 'P') RETURNING id::text`).Scan(&user); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		what, op string
		sql      []string
	}{
		{"a list made, no actor", "insert", []string{`INSERT INTO shopping_lists (family_id, name) VALUES ('` + fam + `', 'Party')`}},
		{"an item added by a member on a device whose id needs escaping", "insert", []string{
			`SELECT set_config('familyhub.actor_id', '` + user + `', false), set_config('familyhub.device_id', 'kitchen "tablet" \ ü', false)`,
			`INSERT INTO shopping_items (family_id, list_id, name) VALUES ('` + fam + `', '` + list + `', 'milk')`,
		}},
		{"an item changed (a version)", "update", []string{`UPDATE shopping_items SET name = 'oat milk' WHERE list_id = '` + list + `'`}},
		{"an item deleted (no version), without actor and device", "delete", []string{
			`SELECT set_config('familyhub.actor_id', '', false), set_config('familyhub.device_id', '', false)`,
			`DELETE FROM shopping_items WHERE list_id = '` + list + `'`,
		}},
	}
	for _, c := range cases {
		for _, sql := range c.sql {
			exec(sql)
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("%s: no notice: %v", c.what, err)
		}
		var want, op string
		err = conn.QueryRow(ctx, `SELECT op, json_strip_nulls(json_build_object(
				'family_id', family_id, 'seq', seq, 'type', type, 'id', entity_id, 'list_id', list_id,
				'op', op, 'version', version, 'at', at, 'actor', actor_id, 'device_id', device_id))::text
			FROM event_log WHERE family_id = $1 AND seq = ($2::json->>'seq')::bigint`, fam, n.Payload).Scan(&op, &want)
		if err != nil {
			t.Fatalf("%s: the notice %s names no event: %v", c.what, n.Payload, err)
		}
		if op != c.op {
			t.Errorf("%s: heard the notice of an event with op %s", c.what, op)
		}
		if n.Payload != want {
			t.Errorf("%s:\nnotice %s\nwant   %s", c.what, n.Payload, want)
		}
	}
}
