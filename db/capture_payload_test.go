package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestCapturePayloadFormat: since 00024 familyhub_capture_event writes an
// event's notice itself, and since 00027 so does
// familyhub_capture_versioned_event (lists, items, tasks, calendar events,
// recipes) with format(), and since 00042 so does the app passwords'
// familyhub_capture_app_password_event (for_user last). It must be, byte
// for byte, what json_strip_nulls(json_build_object(...)) makes of the
// event_log row (the format of 00013-00019, and of the staged events'
// flush): keys in order, absent when NULL, text quoted and escaped, the
// time as JSON writes it.
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
	for _, ch := range []string{"familyhub_shopping", "familyhub_tasks", "familyhub_calendar", "familyhub_recipes", "familyhub_family"} {
		exec(`LISTEN ` + ch)
	}
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
		// Since 00027 the five tables with a version have a trigger of
		// their own (familyhub_capture_versioned_event); the others keep
		// familyhub_capture_event.
		{"a task added by a member on a device", "insert", []string{
			`SELECT set_config('familyhub.actor_id', '` + user + `', false), set_config('familyhub.device_id', 'phone-1', false)`,
			`INSERT INTO tasks (family_id, title) VALUES ('` + fam + `', 'Bins out')`,
		}},
		{"a calendar event added", "insert", []string{`INSERT INTO calendar_events (family_id, title, starts_at, ends_at)
			VALUES ('` + fam + `', 'Dentist', '2027-01-05 09:00+00', '2027-01-05 10:00+00')`}},
		{"a calendar event's time changed", "update", []string{`UPDATE calendar_events SET starts_at = starts_at + interval '1 hour', ends_at = ends_at + interval '1 hour' WHERE family_id = '` + fam + `'`}},
		{"a recipe added", "insert", []string{`INSERT INTO recipes (family_id, title, servings) VALUES ('` + fam + `', 'Soup', 4)`}},
		{"a list touched only (no version)", "update", []string{`UPDATE shopping_lists SET categorised_at = now() WHERE id = '` + list + `'`}},
		{"a task deleted", "delete", []string{`DELETE FROM tasks WHERE family_id = '` + fam + `'`}},
		{"an invite made (familyhub_capture_event)", "insert", []string{`INSERT INTO invites (family_id, code_hash, created_by, expires_at)
			VALUES ('` + fam + `', '\x01', '` + user + `', now() + interval '1 day')`}},
		// Since 00042 an app password's event is for its member alone
		// (for_user), written by familyhub_capture_app_password_event.
		// The family's first member joins with no event.
		{"an app password made by its member on a device", "insert", []string{
			`INSERT INTO memberships (family_id, user_id) VALUES ('` + fam + `', '` + user + `')`,
			`SELECT set_config('familyhub.actor_id', '` + user + `', false), set_config('familyhub.device_id', 'phone-1', false)`,
			`INSERT INTO dav_app_passwords (user_id, name, secret_hash) VALUES ('` + user + `', 'Phone', '\x02')`,
		}},
		{"an app password revoked, without actor and device", "delete", []string{
			`SELECT set_config('familyhub.actor_id', '', false), set_config('familyhub.device_id', '', false)`,
			`DELETE FROM dav_app_passwords WHERE user_id = '` + user + `'`,
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
				'op', op, 'version', version, 'at', at, 'actor', actor_id, 'device_id', device_id, 'for_user', for_user_id))::text
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
