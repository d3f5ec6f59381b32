package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSubscriptionEventsFKMigration: from 00030 on, an imported event
// belongs to a subscription of its own family: the foreign key is
// (family_id, subscription_id), so an event naming a subscription that is
// gone, or another family's, is refused (23503), and deleting a
// subscription deletes its events in the same statement, each announced
// as a CALENDAR_EVENT_UPDATED delete (what open apps re-read on). Going
// down drops the key (orphans are accepted again); going up again deletes
// them, announced too, and refuses new ones.
func TestSubscriptionEventsFKMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	exec, count := poolSQL{t, pool}.exec, poolSQL{t, pool}.count

	newFamily := func(name string) (id string) {
		t.Helper()
		if err := pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ($1) RETURNING id::text`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	newSub := func(family string) (id string) {
		t.Helper()
		if err := pool.QueryRow(ctx, `INSERT INTO calendar_subscriptions (family_id, name, url)
			VALUES ($1, 'Club', 'https://example.org/club.ics') RETURNING id::text`, family).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	imported := func(family, sub string) (string, error) {
		var id string
		err := pool.QueryRow(ctx, `INSERT INTO calendar_events (family_id, title, starts_at, ends_at, subscription_id, read_only, source_href)
			VALUES ($1, 'Training', now(), now() + interval '1 hour', $2, true, 'uid:' || gen_random_uuid()) RETURNING id::text`, family, sub).Scan(&id)
		return id, err
	}
	deletes := func(ids ...string) int {
		t.Helper()
		return count(`SELECT count(*) FROM event_log WHERE type = 'CALENDAR_EVENT_UPDATED' AND op = 'delete' AND entity_id::text = ANY ($1)`, ids)
	}
	famA, famB := newFamily("A"), newFamily("B")

	// rules checks what the key allows; orphans says whether an event may
	// name a subscription that is gone or of another family.
	rules := func(stage string, orphans bool) {
		t.Helper()
		subA, subB := newSub(famA), newSub(famB)
		e1, err := imported(famA, subA)
		if err != nil {
			t.Fatalf("%s: an event of the family's own subscription: %v", stage, err)
		}
		e2, _ := imported(famA, subA)
		for what, sub := range map[string]string{"another family's subscription": subB, "no subscription": "0b0e0000-0000-4000-8000-000000000000"} {
			_, err := imported(famA, sub)
			var pgErr *pgconn.PgError
			switch {
			case orphans && err != nil:
				t.Fatalf("%s: an event naming %s: %v, want it accepted (no key)", stage, what, err)
			case !orphans && (!errors.As(err, &pgErr) || pgErr.Code != "23503" || pgErr.ConstraintName != "calendar_events_family_id_subscription_id_fkey"):
				t.Fatalf("%s: an event naming %s: %v, want a violation of calendar_events_family_id_subscription_id_fkey", stage, what, err)
			}
		}
		if err := exec(`DELETE FROM calendar_subscriptions WHERE id = $1`, subA); err != nil {
			t.Fatal(err)
		}
		left := count(`SELECT count(*) FROM calendar_events WHERE id::text = ANY ($1)`, []string{e1, e2})
		switch {
		case !orphans && left != 0:
			t.Fatalf("%s: %d events of a deleted subscription left, want them deleted with it", stage, left)
		case !orphans && deletes(e1, e2) != 2:
			t.Fatalf("%s: %d delete events for the cascaded events, want 2", stage, deletes(e1, e2))
		case orphans && left != 2:
			t.Fatalf("%s: %d events of the deleted subscription left, want 2 (no key, no cascade)", stage, left)
		}
	}
	fk := func() string {
		t.Helper()
		var def string
		if err := pool.QueryRow(ctx, `SELECT coalesce(string_agg(pg_get_constraintdef(oid), '; '), '') FROM pg_constraint
			WHERE conrelid = 'calendar_events'::regclass AND confrelid = 'calendar_subscriptions'::regclass`).Scan(&def); err != nil {
			t.Fatal(err)
		}
		return def
	}
	const want = "FOREIGN KEY (family_id, subscription_id) REFERENCES calendar_subscriptions(family_id, id) ON DELETE CASCADE"

	if got := fk(); got != want {
		t.Fatalf("after 00030: %q, want %q", got, want)
	}
	rules("after 00030", false)
	if _, err := provider.DownTo(ctx, 29); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if got := fk(); got != "" {
		t.Fatalf("at 00029: %q, want no key", got)
	}
	rules("at 00029", true) // leaves two events of a deleted subscription, one of another family's, one of none
	var orphanIDs []string
	rows, err := pool.Query(ctx, `SELECT e.id::text FROM calendar_events e LEFT JOIN calendar_subscriptions s ON s.id = e.subscription_id AND s.family_id = e.family_id
		WHERE e.subscription_id IS NOT NULL AND s.id IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		orphanIDs = append(orphanIDs, id)
	}
	if rows.Err() != nil || len(orphanIDs) != 4 {
		t.Fatalf("at 00029: orphans %q (%v), want the 4 the rules left", orphanIDs, rows.Err())
	}
	keep := newSub(famB)
	kept, err := imported(famB, keep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, 30); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if got := fk(); got != want {
		t.Fatalf("after going up again: %q, want %q", got, want)
	}
	if n := count(`SELECT count(*) FROM calendar_events WHERE id::text = ANY ($1)`, orphanIDs); n != 0 {
		t.Fatalf("after going up again: %d orphans left", n)
	}
	if n := deletes(orphanIDs...); n != 4 {
		t.Fatalf("after going up again: %d delete events for the 4 orphans, want each announced", n)
	}
	if n := count(`SELECT count(*) FROM calendar_events WHERE id = $1`, kept); n != 1 {
		t.Fatal("after going up again: the event of a living subscription was deleted")
	}
	rules("after going up again", false)
}
