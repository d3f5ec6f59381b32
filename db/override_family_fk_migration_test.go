package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestOverrideFamilyMigration: from 00026 on, a changed occurrence
// (calendar_event_overrides) belongs to an event of its own family: the
// foreign key is (family_id, event_id), so one that names another
// family's event is refused (23503), and deleting the event still deletes
// its changed occurrences. Going down restores the foreign key on event_id
// alone (a cross-family row is accepted again); going up again removes
// such a row and refuses new ones.
func TestOverrideFamilyMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	exec, count := poolSQL{t, pool}.exec, poolSQL{t, pool}.count

	newEvent := func(family string) (id string) {
		t.Helper()
		if err := pool.QueryRow(ctx, `INSERT INTO calendar_events (family_id, title, starts_at, ends_at, rrule)
			VALUES ($1, 'Swimming', '2027-01-04 17:00+00', '2027-01-04 18:00+00', 'FREQ=WEEKLY') RETURNING id::text`, family).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var famA, famB string
	if err := pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ('A') RETURNING id::text`).Scan(&famA); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ('B') RETURNING id::text`).Scan(&famB); err != nil {
		t.Fatal(err)
	}
	override := func(family, event, day string) error {
		return exec(`INSERT INTO calendar_event_overrides (family_id, event_id, recurrence_id, title, starts_at, ends_at)
			VALUES ($1, $2, $3::timestamptz, 'Swimming (moved)', $3::timestamptz + interval '1 hour', $3::timestamptz + interval '2 hours')`,
			family, event, day+" 17:00+00")
	}
	// rules checks what the foreign key allows; crossFamily says whether
	// an override of family A may name family B's event.
	rules := func(stage string, crossFamily bool) {
		t.Helper()
		evA, evB := newEvent(famA), newEvent(famB)
		if err := override(famA, evA, "2027-01-11"); err != nil {
			t.Fatalf("%s: an override of the family's own event: %v", stage, err)
		}
		err := override(famA, evB, "2027-01-11")
		var pgErr *pgconn.PgError
		switch {
		case crossFamily && err != nil:
			t.Fatalf("%s: an override naming another family's event: %v, want it accepted (the old foreign key)", stage, err)
		case !crossFamily && (!errors.As(err, &pgErr) || pgErr.Code != "23503"):
			t.Fatalf("%s: an override naming another family's event: %v, want a foreign key violation (23503)", stage, err)
		}
		if err := override(famB, evB, "2027-01-18"); err != nil {
			t.Fatalf("%s: an override of family B's own event: %v", stage, err)
		}
		if err := exec(`DELETE FROM calendar_events WHERE id = $1`, evA); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT count(*) FROM calendar_event_overrides WHERE event_id = $1`, evA); n != 0 {
			t.Fatalf("%s: %d overrides of a deleted event, want them deleted with it", stage, n)
		}
	}
	fk := func() string {
		t.Helper()
		var def string
		if err := pool.QueryRow(ctx, `SELECT string_agg(pg_get_constraintdef(oid), '; ') FROM pg_constraint
			WHERE conrelid = 'calendar_event_overrides'::regclass AND confrelid = 'calendar_events'::regclass`).Scan(&def); err != nil {
			t.Fatal(err)
		}
		return def
	}
	const (
		composite = "FOREIGN KEY (family_id, event_id) REFERENCES calendar_events(family_id, id) ON DELETE CASCADE"
		single    = "FOREIGN KEY (event_id) REFERENCES calendar_events(id) ON DELETE CASCADE"
	)

	if got := fk(); got != composite {
		t.Fatalf("after 00026: %s, want %s", got, composite)
	}
	rules("after 00026", false)
	if _, err := provider.DownTo(ctx, 25); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if got := fk(); got != single {
		t.Fatalf("at 00025: %s, want %s", got, single)
	}
	if n := count(`SELECT count(*) FROM pg_indexes WHERE tablename = 'calendar_events' AND indexname = 'calendar_events_family_id_id_key'`); n != 0 {
		t.Fatalf("at 00025: the unique index on (family_id, id) is still there")
	}
	rules("at 00025", true) // leaves a cross-family override behind
	if n := count(`SELECT count(*) FROM calendar_event_overrides o JOIN calendar_events e ON e.id = o.event_id WHERE e.family_id <> o.family_id`); n != 1 {
		t.Fatalf("at 00025: %d cross-family overrides, want the one the rules left", n)
	}
	before := count(`SELECT count(*) FROM calendar_event_overrides`)
	if _, err := provider.UpTo(ctx, 26); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if got := fk(); got != composite {
		t.Fatalf("after going up again: %s, want %s", got, composite)
	}
	if n := count(`SELECT count(*) FROM calendar_event_overrides`); n != before-1 {
		t.Fatalf("after going up again: %d overrides, want %d (only the cross-family one removed)", n, before-1)
	}
	rules("after going up again", false)
}
